import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** Sync existing: see docs/admin-guide.md. */
export function startBulkSync(request: AdminCalls['startBulkSync']['request']): Promise<AdminCalls['startBulkSync']['response']> {
  return call('startBulkSync', request);
}

import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** Sync existing: see docs/admin-guide.md. */
export function getBulkSync(request: AdminCalls['getBulkSync']['request']): Promise<AdminCalls['getBulkSync']['response']> {
  return call('getBulkSync', request);
}

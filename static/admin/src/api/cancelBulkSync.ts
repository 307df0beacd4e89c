import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** Sync existing: see docs/admin-guide.md. */
export function cancelBulkSync(request: AdminCalls['cancelBulkSync']['request']): Promise<AdminCalls['cancelBulkSync']['response']> {
  return call('cancelBulkSync', request);
}

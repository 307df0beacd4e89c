import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** Sync existing: see docs/admin-guide.md. */
export function pauseBulkSync(request: AdminCalls['pauseBulkSync']['request']): Promise<AdminCalls['pauseBulkSync']['response']> {
  return call('pauseBulkSync', request);
}

import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** Sync existing: see docs/admin-guide.md. */
export function resumeBulkSync(request: AdminCalls['resumeBulkSync']['request']): Promise<AdminCalls['resumeBulkSync']['response']> {
  return call('resumeBulkSync', request);
}

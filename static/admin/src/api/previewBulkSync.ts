import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** Sync existing: see docs/admin-guide.md. */
export function previewBulkSync(request: AdminCalls['previewBulkSync']['request']): Promise<AdminCalls['previewBulkSync']['response']> {
  return call('previewBulkSync', request);
}

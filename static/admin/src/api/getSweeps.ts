import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** Each connection's last reconciliation sweep. */
export function getSweeps(): Promise<AdminCalls['getSweeps']['response']> {
  return call('getSweeps', {});
}

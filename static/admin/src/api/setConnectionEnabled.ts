import type { AdminCalls, SetConnectionEnabledRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** Disconnects (links kept) or reconnects a connection. */
export function setConnectionEnabled(request: SetConnectionEnabledRequest): Promise<AdminCalls['setConnectionEnabled']['response']> {
  return call('setConnectionEnabled', request);
}

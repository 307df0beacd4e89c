import type { AdminCalls, SetConnectionSecretRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** Stores a connection's token or signing secret; only its date comes back. */
export function setConnectionSecret(request: SetConnectionSecretRequest): Promise<AdminCalls['setConnectionSecret']['response']> {
  return call('setConnectionSecret', request);
}

import type { AdminCalls, SetInboundSecretRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** Stores a new inbound secret; the one before stays accepted until retired. */
export function setInboundSecret(request: SetInboundSecretRequest): Promise<AdminCalls['setInboundSecret']['response']> {
  return call('setInboundSecret', request);
}

import type { AdminCalls, ConnectionRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** Stops accepting the inbound secret before the last rotation. */
export function retirePreviousInboundSecret(request: ConnectionRequest): Promise<AdminCalls['retirePreviousInboundSecret']['response']> {
  return call('retirePreviousInboundSecret', request);
}

import type { AdminCalls, ConnectionRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** Each connection's inbound URL, secret dates and health lamp. */
export function getInbound(request: Partial<ConnectionRequest> = {}): Promise<AdminCalls['getInbound']['response']> {
  return call('getInbound', request);
}

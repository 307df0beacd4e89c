import type { AdminCalls, ConnectionRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** Reaches the tool with the saved connection and explains the result. */
export function testConnection(request: ConnectionRequest): Promise<AdminCalls['testConnection']['response']> {
  return call('testConnection', request);
}

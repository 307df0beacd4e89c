import type { AdminCalls, RefusedCallsRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** The calls the inbound web trigger refused, an hour a row, newest first. */
export function getRefusedCalls(request: RefusedCallsRequest): Promise<AdminCalls['getRefusedCalls']['response']> {
  return call('getRefusedCalls', request);
}

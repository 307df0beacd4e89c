import type { AdminCalls, FailureRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** Queues a fresh delivery for one failure. */
export function retryFailure(request: FailureRequest): Promise<AdminCalls['retryFailure']['response']> {
  return call('retryFailure', request);
}

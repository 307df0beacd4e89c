import type { AdminCalls, FailureRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** Forgets a failure without retrying it. */
export function discardFailure(request: FailureRequest): Promise<AdminCalls['discardFailure']['response']> {
  return call('discardFailure', request);
}

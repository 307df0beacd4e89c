import type { AdminCalls, FailuresRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** Queues a fresh delivery for every failure (of one connection). */
export function retryAllFailures(request: FailuresRequest): Promise<AdminCalls['retryAllFailures']['response']> {
  return call('retryAllFailures', request);
}

import type { AdminCalls, FailuresRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** The kept failures, newest first. */
export function getFailures(request: FailuresRequest): Promise<AdminCalls['getFailures']['response']> {
  return call('getFailures', request);
}

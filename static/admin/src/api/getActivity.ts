import type { ActivityRequest, AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** One page of the activity log, newest first. */
export function getActivity(request: ActivityRequest): Promise<AdminCalls['getActivity']['response']> {
  return call('getActivity', request);
}

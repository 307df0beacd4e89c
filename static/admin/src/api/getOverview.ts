import type { OverviewResponse } from '../../../../src/contract/admin';
import { call } from './call';

/** What the admin page shows first: the app's version, how many connections exist, who is looking. */
export function getOverview(): Promise<OverviewResponse> {
  return call('getOverview', {});
}

import { invoke } from '@forge/bridge';
import type { OverviewResponse } from '../../../../src/contract/admin';

/** What the admin page shows first: the app's version, how many connections exist, who is looking. */
export function getOverview(): Promise<OverviewResponse> {
  // Without `metadata` the bridge resolves with the resolver's return value itself.
  return invoke<OverviewResponse>('getOverview') as Promise<OverviewResponse>;
}

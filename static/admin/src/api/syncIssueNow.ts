import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** Sends one issue to the tool now (the same as the tool's sync.requested event). */
export function syncIssueNow(request: AdminCalls['syncIssueNow']['request']): Promise<AdminCalls['syncIssueNow']['response']> {
  return call('syncIssueNow', request);
}

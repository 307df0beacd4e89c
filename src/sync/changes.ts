// The foundation's end-to-end path: a Jira change is noted and queued for delivery; the delivery
// reads the issue's current state (never a stale payload) and records what it saw. The outbound
// sync builds on exactly this shape: trigger → queue → consumer reading current state.
import type { Ports } from './ports';

export interface IssueChange {
  eventType: string;
  issueId: string;
  issueKey: string;
}

export interface DeliveryRequest {
  kind: 'issue-change';
  issueId: string;
}

export const lastChangeKey = 'change:last';
export const seenIssueKey = (issueId: string) => `seen:${issueId}`;

export async function noteIssueChange(ports: Pick<Ports, 'store' | 'queue' | 'clock'>, change: IssueChange): Promise<void> {
  await ports.store.set(lastChangeKey, { ...change, at: new Date(ports.clock.now()).toISOString() });
  if (change.eventType === 'avi:jira:deleted:issue') return;
  const delivery: DeliveryRequest = { kind: 'issue-change', issueId: change.issueId };
  await ports.queue.push({ ...delivery });
}

export type DeliveryResult = { outcome: 'recorded'; issueKey: string } | { outcome: 'issue-gone' };

export async function deliverIssueChange(ports: Pick<Ports, 'jira' | 'store' | 'clock'>, request: DeliveryRequest): Promise<DeliveryResult> {
  const issue = await ports.jira.getIssueSummary(request.issueId);
  if (!issue) return { outcome: 'issue-gone' };
  await ports.store.set(seenIssueKey(issue.id), { ...issue, at: new Date(ports.clock.now()).toISOString() });
  return { outcome: 'recorded', issueKey: issue.key };
}

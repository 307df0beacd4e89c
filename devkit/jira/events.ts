// Product events as the simulator builds them: the payload a Forge trigger receives.
import type { RouteContext } from './context';
import type { ChangelogItem } from './fields';
import type { IssueRecord } from './model';
import { eventIssueJson } from './render';

export function issueEventPayload(ctx: RouteContext, eventType: string, issue: IssueRecord, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventType,
    issue: eventIssueJson(ctx.store, issue),
    atlassianId: ctx.caller.accountId,
    associatedUsers: [{ accountId: ctx.caller.accountId }],
    ...extra,
  };
}

/** Emits `updated` (and `assigned` when the assignee moved) for a committed change. */
export function emitUpdate(ctx: RouteContext, issue: IssueRecord, items: ChangelogItem[]): void {
  const changelog = { id: String(ctx.store.next('changelog')), items };
  ctx.emit('avi:jira:updated:issue', issueEventPayload(ctx, 'avi:jira:updated:issue', issue, { changelog }));
  if (items.some((i) => i.fieldId === 'assignee')) {
    ctx.emit('avi:jira:assigned:issue', issueEventPayload(ctx, 'avi:jira:assigned:issue', issue, { changelog }));
  }
}

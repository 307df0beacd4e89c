// Product events as the simulator builds them: the payload a Forge trigger receives.
import type { RouteContext } from './context';
import type { ChangelogItem, ChangelogRecord, IssueRecord } from './model';
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

/**
 * Writes a change into the issue's history, made by the caller now. The same entry (id and items)
 * is what `avi:jira:updated:issue` carries, so events and the changelog API never disagree.
 */
export function recordChange(ctx: RouteContext, issue: IssueRecord, items: ChangelogItem[], historyMetadata?: Record<string, unknown>): ChangelogRecord {
  const entry: ChangelogRecord = {
    id: String(ctx.store.next('changelog')),
    authorId: ctx.caller.accountId,
    created: ctx.store.now(),
    items: structuredClone(items),
    ...(historyMetadata ? { historyMetadata: structuredClone(historyMetadata) } : {}),
  };
  issue.changelog.push(entry);
  return entry;
}

/**
 * Records a committed change in the issue's history and emits `updated` (and `assigned` when the
 * assignee moved). The history holds field changes; the `Comment` item a comment change carries
 * goes out with its event only, as comments have their own list (GET /issue/{key}/comment).
 */
export function emitUpdate(ctx: RouteContext, issue: IssueRecord, items: ChangelogItem[], historyMetadata?: Record<string, unknown>): void {
  const fieldChanges = items.filter((item) => item.fieldId !== 'comment');
  const id = fieldChanges.length > 0 ? recordChange(ctx, issue, fieldChanges, historyMetadata).id : String(ctx.store.next('changelog'));
  const changelog = { id, items };
  ctx.emit('avi:jira:updated:issue', issueEventPayload(ctx, 'avi:jira:updated:issue', issue, { changelog }));
  if (items.some((i) => i.fieldId === 'assignee')) {
    ctx.emit('avi:jira:assigned:issue', issueEventPayload(ctx, 'avi:jira:assigned:issue', issue, { changelog }));
  }
}

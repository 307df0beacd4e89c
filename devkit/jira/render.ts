// JSON forms built from several entities: an issue (IssueBean), a transition, a comment, and the
// issue as product events carry it.
import { fieldCatalog, fieldValue, renderedValue } from './fields';
import { jiraDate, type ChangelogItem, type ChangelogRecord, type CommentRecord, type IssueRecord, type TransitionRecord } from './model';
import type { JiraStore } from './store';

const ISSUE_EXPAND = 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations';

export function issueJson(store: JiraStore, issue: IssueRecord, fields: Set<string>, expand: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    expand: ISSUE_EXPAND,
    id: issue.id,
    self: `${store.baseUrl}/rest/api/3/issue/${issue.id}`,
    key: issue.key,
  };
  const catalog = fieldCatalog(store).filter((f) => fields.has(f.id));
  if (expand.has('renderedFields')) {
    out.renderedFields = Object.fromEntries(catalog.map((f) => [f.id, renderedValue(store, issue, f.id)]));
  }
  if (expand.has('names')) out.names = Object.fromEntries(catalog.map((f) => [f.id, f.name]));
  if (expand.has('schema')) out.schema = Object.fromEntries(catalog.map((f) => [f.id, f.schema]));
  if (expand.has('changelog')) out.changelog = issueChangelogJson(store, issue);
  // `transitions`: "Returns all possible transitions for the issue" (Get issue, expand), as the
  // transitions resource lists them; their screens' fields come only from that resource's
  // `expand=transitions.fields`. https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-get
  if (expand.has('transitions')) out.transitions = store.availableTransitions(issue).map((t) => transitionJson(store, t, false));
  if (fields.size > 0) out.fields = Object.fromEntries(catalog.map((f) => [f.id, fieldValue(store, issue, f.id)]));
  return out;
}

export function transitionJson(store: JiraStore, transition: TransitionRecord, withFields: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: transition.id,
    name: transition.name,
    to: store.statusJson(transition.to),
    hasScreen: transition.requiresResolution,
    isGlobal: transition.from === null,
    isInitial: false,
    isAvailable: true,
    isConditional: false,
    isLooped: false,
  };
  if (withFields) {
    out.fields = transition.requiresResolution
      ? {
          resolution: {
            required: true,
            schema: { type: 'resolution', system: 'resolution' },
            name: 'Resolution',
            key: 'resolution',
            operations: ['set'],
            allowedValues: store.resolutions.map((r) => store.resolutionJson(r.id)),
            hasDefaultValue: false,
          },
        }
      : {};
  }
  return out;
}

export function commentJson(store: JiraStore, issue: IssueRecord, comment: CommentRecord): Record<string, unknown> {
  return {
    self: `${store.baseUrl}/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
    id: comment.id,
    author: store.userJsonById(comment.authorId),
    body: comment.body,
    updateAuthor: store.userJsonById(comment.updateAuthorId),
    created: jiraDate(comment.created),
    updated: jiraDate(comment.updated),
    ...(comment.visibility ? { visibility: comment.visibility } : {}),
    jsdPublic: true,
  };
}

/**
 * A user as Forge product events carry one: the account id only, no display name, no email.
 * https://developer.atlassian.com/platform/forge/events-reference/jira/
 */
export function eventUser(accountId: string | null): { accountId: string } | null {
  return accountId === null ? null : { accountId };
}

/**
 * The issue as Forge product events carry it: a fixed handful of fields, with creator, reporter and
 * assignee as `{ accountId }` only (https://developer.atlassian.com/platform/forge/events-reference/jira/).
 */
export function eventIssueJson(store: JiraStore, issue: IssueRecord): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const id of ['summary', 'issuetype', 'creator', 'created', 'project', 'reporter', 'assignee', 'updated', 'status']) {
    fields[id] = fieldValue(store, issue, id);
  }
  fields.creator = eventUser(issue.creatorId);
  fields.reporter = eventUser(issue.reporterId);
  fields.assignee = eventUser(issue.assigneeId);
  return { id: issue.id, key: issue.key, fields };
}

/**
 * A change item in REST form. Atlassian's description types from/fromString/to/toString as strings
 * (not nullable), so a value the change has none for is left out rather than sent as null.
 */
function itemJson(item: ChangelogItem): Record<string, string> {
  const values: Array<[string, string | null]> = [
    ['from', item.from],
    ['fromString', item.fromString],
    ['to', item.to],
    ['toString', item.toString],
  ];
  return Object.fromEntries([
    ['field', item.field],
    ['fieldtype', item.fieldtype],
    ['fieldId', item.fieldId],
    ...values.filter((entry): entry is [string, string] => entry[1] !== null),
  ]);
}

export function changelogJson(store: JiraStore, entry: ChangelogRecord, items: ChangelogItem[] = entry.items): Record<string, unknown> {
  const author = store.userJsonById(entry.authorId);
  return { id: entry.id, ...(author ? { author } : {}), created: jiraDate(entry.created), items: items.map(itemJson), ...(entry.historyMetadata ? { historyMetadata: entry.historyMetadata } : {}) };
}

/** `changelog` of an issue read with `expand=changelog`: its history, oldest first, up to 100 entries. */
export function issueChangelogJson(store: JiraStore, issue: IssueRecord): Record<string, unknown> {
  const histories = issue.changelog.slice(0, 100);
  return { startAt: 0, maxResults: histories.length, total: issue.changelog.length, histories: histories.map((entry) => changelogJson(store, entry)) };
}

// Issue history: every field change the simulator makes is kept with its author and time (see
// recordChange in events.ts) and served as Jira serves it, oldest first:
// - GET /issue/{issueIdOrKey}/changelog, paged by startAt/maxResults (default and cap 100)
//   developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-changelog-get
// - POST /issue/{issueIdOrKey}/changelog/list, the changelogs with the given ids
//   developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-changelog-list-post
// - POST /changelog/bulkfetch, up to 1,000 issues and 10 field ids, by changelog date then issue
//   id, paged with nextPageToken (maxResults default 1,000, at most 10,000)
//   developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-changelog-bulkfetch-post
// - GET /issue/{issueIdOrKey}?expand=changelog (issueChangelogJson in render.ts), as a PageOfChangelogs
import { z } from 'zod';
import type { Route, RouteContext } from '../context';
import { badRequest, intParam, json, parseBody } from '../http';
import type { IssueRecord } from '../model';
import { changelogJson } from '../render';

const MAX_PAGE = 100;

function listChangelogs(ctx: RouteContext) {
  const { store } = ctx;
  const issue = store.requireIssue(ctx.params.issueIdOrKey ?? '');
  const startAt = intParam(ctx.query, 'startAt', 0);
  const maxResults = Math.max(1, Math.min(intParam(ctx.query, 'maxResults', MAX_PAGE), MAX_PAGE));
  const slice = issue.changelog.slice(startAt, startAt + maxResults);
  const isLast = startAt + slice.length >= issue.changelog.length;
  const base = `${store.baseUrl}/rest/api/3/issue/${issue.key}/changelog`;
  return json(200, {
    self: `${base}?startAt=${startAt}&maxResults=${maxResults}`,
    ...(isLast ? {} : { nextPage: `${base}?startAt=${startAt + slice.length}&maxResults=${maxResults}` }),
    maxResults,
    startAt,
    total: issue.changelog.length,
    isLast,
    values: slice.map((entry) => changelogJson(store, entry)),
  });
}

const changelogIdsSchema = z.looseObject({ changelogIds: z.array(z.number().int()) });

function changelogsByIds(ctx: RouteContext) {
  const { store } = ctx;
  const issue = store.requireIssue(ctx.params.issueIdOrKey ?? '');
  const body = parseBody(ctx.body, changelogIdsSchema);
  if (body.changelogIds.length === 0) throw badRequest(['changelogIds must not be empty.']);
  const wanted = new Set(body.changelogIds.map(String));
  const found = issue.changelog.filter((entry) => wanted.has(entry.id));
  return json(200, { startAt: 0, maxResults: found.length, total: found.length, histories: found.map((entry) => changelogJson(store, entry)) });
}

const bulkSchema = z.looseObject({
  issueIdsOrKeys: z.array(z.string()).min(1, 'issueIdsOrKeys must not be empty.').max(1000, 'The maximum number of issues that can be requested is 1000.'),
  fieldIds: z.array(z.string()).max(10, 'The maximum number of field IDs that can be requested is 10.').optional(),
  maxResults: z.number().int().min(1).max(10000).optional(),
  nextPageToken: z.string().optional(),
});

function readBulkToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw badRequest(['The provided next page token is invalid or expired.']);
  return offset;
}

function bulkFetchChangelogs(ctx: RouteContext) {
  const { store } = ctx;
  const body = parseBody(ctx.body, bulkSchema);
  const fieldIds = body.fieldIds === undefined || body.fieldIds.length === 0 ? undefined : new Set(body.fieldIds);
  const issues = new Map<string, IssueRecord>();
  for (const idOrKey of body.issueIdsOrKeys) {
    const issue = store.findIssue(idOrKey);
    if (issue) issues.set(issue.id, issue);
  }
  // Every (changelog, issue) pair with an item left after the field filter, oldest first, then by issue id.
  const rows = [...issues.values()]
    .flatMap((issue) =>
      issue.changelog.map((entry) => ({ issue, entry, items: fieldIds ? entry.items.filter((i) => fieldIds.has(i.fieldId)) : entry.items })),
    )
    .filter((row) => row.items.length > 0)
    .sort((a, b) => a.entry.created - b.entry.created || Number(a.issue.id) - Number(b.issue.id) || Number(a.entry.id) - Number(b.entry.id));
  const offset = readBulkToken(body.nextPageToken);
  const page = rows.slice(offset, offset + (body.maxResults ?? 1000));
  const byIssue = new Map<string, Array<Record<string, unknown>>>();
  for (const row of page) {
    const list = byIssue.get(row.issue.id) ?? [];
    list.push(changelogJson(store, row.entry, row.items));
    byIssue.set(row.issue.id, list);
  }
  const next = offset + page.length;
  return json(200, {
    issueChangeLogs: [...byIssue].map(([issueId, changeHistories]) => ({ issueId, changeHistories })),
    ...(next < rows.length ? { nextPageToken: Buffer.from(String(next)).toString('base64url') } : {}),
  });
}

export const changelogRoutes: Route[] = [
  { method: 'GET', path: '/issue/{issueIdOrKey}/changelog', handler: listChangelogs },
  { method: 'POST', path: '/issue/{issueIdOrKey}/changelog/list', handler: changelogsByIds },
  { method: 'POST', path: '/changelog/bulkfetch', handler: bulkFetchChangelogs },
];

// Search: /search/jql (token paging), /jql/match, /issue/bulkfetch; the old /search answers 410.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Route, RouteContext } from '../context';
import { selectFields } from '../fields';
import { badRequest, ISSUE_NOT_FOUND, JiraError, json, listParam, parseBody } from '../http';
import { analyzeJql, compareByOrder, matchesJql, type JqlClause, type JqlQuery } from '../jql';
import type { JqlFieldChange, JqlIssueView } from '../jql-types';
import type { IssueRecord } from '../model';
import { issueJson } from '../render';
import type { JiraStore } from '../store';
import { MOST_RECONCILED } from '../search-index';

export function jqlView(store: JiraStore, issue: IssueRecord): JqlIssueView {
  const project = store.projectOf(issue);
  const status = store.status(issue.statusId);
  return {
    id: issue.id,
    key: issue.key,
    projectKey: project.key,
    projectId: project.id,
    issueTypeName: store.issueType(issue.issueTypeId).name,
    statusName: status.name,
    statusCategoryKey: status.category,
    labels: [...issue.labels],
    assigneeAccountId: issue.assigneeId,
    reporterAccountId: issue.reporterId,
    created: issue.created,
    updated: issue.updated,
    priorityName: issue.priorityId === null ? null : (store.priorities.find((p) => p.id === issue.priorityId)?.name ?? null),
    summary: issue.summary,
    parentId: issue.parentId,
    parentKey: issue.parentId === null ? null : (store.issues.get(issue.parentId)?.key ?? null),
    creatorAccountId: issue.creatorId,
    history: fieldHistory(store, issue),
    properties: Object.fromEntries(issue.properties),
  };
}

/** The issue's changelog items for fields JQL searches the history of, in the terms JQL compares. */
function fieldHistory(store: JiraStore, issue: IssueRecord): JqlFieldChange[] {
  const name = (field: JqlFieldChange['field'], id: string | null): string | null => {
    if (id === null) return null;
    if (field === 'status') return store.statuses.get(id)?.name ?? id;
    if (field === 'priority') return store.priorities.find((p) => p.id === id)?.name ?? id;
    return id;
  };
  const changes: JqlFieldChange[] = [];
  for (const entry of issue.changelog) {
    for (const item of entry.items) {
      const field = HISTORY_FIELDS.find((f) => f === item.fieldId);
      if (field) changes.push({ field, at: entry.created, byAccountId: entry.authorId, from: name(field, item.from), to: name(field, item.to) });
    }
  }
  return changes;
}

const HISTORY_FIELDS: Array<JqlFieldChange['field']> = ['status', 'assignee', 'reporter', 'priority'];

/** Values a clause names that the site does not have: Jira refuses a search for them (and jql/parse warns). */
function unknownValues(store: JiraStore, query: JqlQuery): string[] {
  const problems: string[] = [];
  const exists: Partial<Record<string, (text: string) => boolean>> = {
    project: (t) => store.findProject(t) !== undefined,
    status: (t) => [...store.statuses.values()].some((x) => x.id === t || x.name.toLowerCase() === t.toLowerCase()),
    issuetype: (t) => [...store.issueTypes.values()].some((x) => x.id === t || x.name.toLowerCase() === t.toLowerCase()),
    priority: (t) => store.priorities.some((x) => x.id === t || x.name.toLowerCase() === t.toLowerCase()),
    assignee: (t) => store.users.has(t),
    reporter: (t) => store.users.has(t),
  };
  const visit = (clause: JqlClause): void => {
    if (clause.kind === 'and' || clause.kind === 'or') clause.clauses.forEach(visit);
    else if (clause.kind === 'not') visit(clause.clause);
    else {
      const check = exists[clause.field];
      const values = clause.kind === 'history' ? [...clause.values, ...clause.predicates.flatMap((p) => (p.kind === 'from' || p.kind === 'to' ? p.values : []))] : clause.values;
      for (const value of values) {
        if (value.kind !== 'text' || !check || check(value.text)) continue;
        const message = `The value '${value.text}' does not exist for the field '${clause.field}'.`;
        if (!problems.includes(message)) problems.push(message);
      }
    }
  };
  if (query.where) visit(query.where);
  return problems;
}

/** The query, or Jira's 400 with every error it finds (syntax first, then fields, operators and values). */
function parseOrFail(store: JiraStore, jql: string): JqlQuery {
  const analysis = analyzeJql(jql, store.propertyIndexes);
  if (analysis.kind === 'syntax') throw badRequest([analysis.error]);
  const errors = [...analysis.errors, ...unknownValues(store, analysis.query)];
  if (errors.length > 0) throw badRequest(errors);
  return analysis.query;
}

function jqlContext(ctx: RouteContext): { currentAccountId: string; now: number } {
  return { currentAccountId: ctx.caller.accountId, now: ctx.store.now() };
}

function pageToken(jql: string, offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, q: digest(jql) })).toString('base64url');
}

function digest(jql: string): string {
  return createHash('sha256').update(jql).digest('hex').slice(0, 16);
}

function readToken(jql: string, token: string): number {
  try {
    const parsed = z.object({ o: z.number().int().min(0), q: z.string() }).parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    if (parsed.q === digest(jql)) return parsed.o;
  } catch {
    // fall through to Jira's answer for a token it did not issue
  }
  throw badRequest(['The provided next page token is invalid or expired.']);
}

interface SearchInput {
  jql: string | undefined;
  /** Issue ids searched as they are now rather than as the index has them. */
  reconcile: number[];
  nextPageToken: string | undefined;
  maxResults: number | undefined;
  fields: string[] | undefined;
  expand: string[];
}

function runSearch(ctx: RouteContext, input: SearchInput) {
  const jql = input.jql ?? '';
  const query = parseOrFail(ctx.store, jql);
  // The enhanced search refuses queries with no restriction (such as only an ORDER BY).
  if (query.where === null) throw badRequest(['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']);
  const fields = selectFields(ctx.store, input.fields, 'none');
  const cap = fields.size === 0 ? 5000 : 100;
  const maxResults = Math.max(1, Math.min(input.maxResults ?? 50, cap));
  const offset = input.nextPageToken === undefined || input.nextPageToken === '' ? 0 : readToken(jql, input.nextPageToken);
  const context = jqlContext(ctx);
  // As the index has each issue: a write shows in search only after a while, unless reconciled.
  const reconciled = new Set(input.reconcile.map(String));
  const now = ctx.store.now();
  const views = [...ctx.store.issues.values()].flatMap((issue) => {
    const live = jqlView(ctx.store, issue);
    const view = reconciled.has(issue.id) ? live : ctx.store.searchIndex.visible(live, now);
    return view ? [{ issue, view }] : [];
  });
  const order = compareByOrder(query);
  const matching = views.filter((v) => matchesJql(query, v.view, context)).sort((a, b) => order(a.view, b.view));
  const slice = matching.slice(offset, offset + maxResults);
  const isLast = offset + slice.length >= matching.length;
  const expand = new Set(input.expand);
  return json(200, {
    issues: slice.map((v) => {
      const issue = issueJson(ctx.store, v.issue, fields, expand);
      if (fields.size > 0) return issue;
      // Without `fields` (or with `fields=id`) the enhanced search returns issue ids only: no key,
      // no self. developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-get
      const { expand: _expand, self: _self, key: _key, ...idAndExpansions } = issue;
      return idAndExpansions;
    }),
    ...(isLast ? {} : { nextPageToken: pageToken(jql, offset + slice.length) }),
    isLast,
  });
}

/** "Accepts max 50 ids" (the search/jql reconcileIssues parameter, Jira REST v3's OpenAPI description). */
function reconcileParam(ids: ReadonlyArray<number | string>): number[] {
  const numbers = ids.map(Number);
  if (numbers.some((n) => !Number.isInteger(n))) throw badRequest(['reconcileIssues must list issue ids.']);
  if (numbers.length > MOST_RECONCILED) throw badRequest([`reconcileIssues accepts at most ${MOST_RECONCILED} issue ids.`]);
  return numbers;
}

function searchGet(ctx: RouteContext) {
  const raw = ctx.query.get('maxResults');
  const maxResults = raw === null ? undefined : Number(raw);
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 0)) throw badRequest([`The value '${raw ?? ''}' is not valid for the parameter 'maxResults'.`]);
  return runSearch(ctx, {
    jql: ctx.query.get('jql') ?? undefined,
    reconcile: reconcileParam(listParam(ctx.query, 'reconcileIssues') ?? []),
    nextPageToken: ctx.query.get('nextPageToken') ?? undefined,
    maxResults,
    fields: listParam(ctx.query, 'fields'),
    expand: listParam(ctx.query, 'expand') ?? [],
  });
}

const searchBodySchema = z.looseObject({
  jql: z.string().optional(),
  nextPageToken: z.string().nullable().optional(),
  maxResults: z.number().int().min(0).optional(),
  fields: z.array(z.string()).optional(),
  expand: z.string().optional(),
  properties: z.array(z.string()).optional(),
  fieldsByKeys: z.boolean().optional(),
  reconcileIssues: z.array(z.number().int()).optional(),
});

function searchPost(ctx: RouteContext) {
  const body = parseBody(ctx.body, searchBodySchema);
  return runSearch(ctx, {
    jql: body.jql,
    reconcile: reconcileParam(body.reconcileIssues ?? []),
    nextPageToken: body.nextPageToken ?? undefined,
    maxResults: body.maxResults,
    fields: body.fields?.flatMap((f) => f.split(',')).map((f) => f.trim()),
    expand: (body.expand ?? '').split(',').map((e) => e.trim()).filter((e) => e !== ''),
  });
}

const matchBodySchema = z.object({
  issueIds: z.array(z.number().int()).max(1000),
  jqls: z.array(z.string()).max(1000),
});

function jqlMatch(ctx: RouteContext) {
  const body = parseBody(ctx.body, matchBodySchema);
  const context = jqlContext(ctx);
  const candidates = body.issueIds
    .map((id) => ctx.store.issues.get(String(id)))
    .filter((issue): issue is IssueRecord => issue !== undefined)
    .map((issue) => ({ id: Number(issue.id), view: jqlView(ctx.store, issue) }));
  return json(200, {
    matches: body.jqls.map((jql) => {
      let query: JqlQuery;
      try {
        query = parseOrFail(ctx.store, jql);
      } catch (error) {
        if (error instanceof JiraError) return { matchedIssues: [], errors: error.errorMessages };
        throw error;
      }
      return { matchedIssues: candidates.filter((c) => matchesJql(query, c.view, context)).map((c) => c.id), errors: [] };
    }),
  });
}

const bulkFetchSchema = z.looseObject({
  issueIdsOrKeys: z.array(z.string()).min(1, 'issueIdsOrKeys must not be empty').max(100, 'The maximum number of issues that can be fetched is 100.'),
  fields: z.array(z.string()).optional(),
  expand: z.array(z.string()).optional(),
  properties: z.array(z.string()).max(5).optional(),
  fieldsByKeys: z.boolean().optional(),
});

function bulkFetch(ctx: RouteContext) {
  const body = parseBody(ctx.body, bulkFetchSchema);
  const fields = selectFields(ctx.store, body.fields?.flatMap((f) => f.split(',')).map((f) => f.trim()), 'all');
  const expand = new Set(body.expand ?? []);
  const issues: Array<Record<string, unknown>> = [];
  const issueErrors: Array<{ id: string; errorMessage: string }> = [];
  const seen = new Set<string>();
  for (const idOrKey of body.issueIdsOrKeys) {
    // Moved issues are found by their old key, as Get issue finds them.
    const issue = ctx.store.findIssue(idOrKey, { moved: true });
    if (!issue) issueErrors.push({ id: idOrKey, errorMessage: ISSUE_NOT_FOUND });
    else if (!seen.has(issue.id)) {
      seen.add(issue.id);
      issues.push(issueJson(ctx.store, issue, fields, expand));
    }
  }
  return json(200, { issues, issueErrors });
}

/**
 * Parse JQL query: each query's syntax tree, errors and warnings. `validation` strict returns no
 * structure once validation fails, warn returns it with the errors, none skips validation (a
 * syntax error is still an error). A value the site lacks is a warning, as in Atlassian's example.
 * developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-jql/#api-rest-api-3-jql-parse-post
 */
const parseBodySchema = z.looseObject({ queries: z.array(z.string().min(1, 'A query must not be empty.')).min(1, 'queries must not be empty.') });

function jqlParse(ctx: RouteContext) {
  const validation = ctx.query.get('validation') ?? 'strict';
  if (validation !== 'strict' && validation !== 'warn' && validation !== 'none') {
    throw badRequest([`The value '${validation}' is not valid for the parameter 'validation'. Valid values are: strict, warn, none.`]);
  }
  const body = parseBody(ctx.body, parseBodySchema);
  return json(200, {
    queries: body.queries.map((query) => {
      const analysis = analyzeJql(query, ctx.store.propertyIndexes);
      if (analysis.kind === 'syntax') return { query, errors: [analysis.error] };
      if (validation === 'none') return { query, structure: analysis.structure };
      const warnings = unknownValues(ctx.store, analysis.query);
      const problems = { ...(analysis.errors.length > 0 ? { errors: analysis.errors } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
      if (analysis.errors.length > 0 && validation === 'strict') return { query, ...problems };
      return { query, structure: analysis.structure, ...problems };
    }),
  });
}

function removedSearch(): never {
  throw new JiraError(410, [
    'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046',
  ]);
}

export const searchRoutes: Route[] = [
  { method: 'GET', path: '/search/jql', handler: searchGet },
  { method: 'POST', path: '/search/jql', handler: searchPost },
  { method: 'POST', path: '/jql/match', handler: jqlMatch },
  { method: 'POST', path: '/jql/parse', handler: jqlParse },
  { method: 'POST', path: '/issue/bulkfetch', handler: bulkFetch },
  { method: 'GET', path: '/search', handler: removedSearch },
  { method: 'POST', path: '/search', handler: removedSearch },
];

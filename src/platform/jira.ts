// Jira REST calls, each with a literal route so @forge/lint can check the manifest's scopes.
// Answers are parsed with zod; a status Tandem does not expect becomes a JiraRequestError.
import api, { route, type APIResponse } from '@forge/api';
import * as z from 'zod';
import { JiraRequestError, tandemChangeMetadata, type IssueSummary, type JiraIssuePage, type JiraComment, type JiraPort, type JiraRefusal, type JiraScreenField } from '../ports';
import { issueFactsOf } from './issue';

const issueSchema = z.object({ id: z.string(), key: z.string(), fields: z.record(z.string(), z.unknown()), properties: z.record(z.string(), z.unknown()).optional() });
const transitionToSchema = z.object({ id: z.string(), name: z.string(), statusCategory: z.object({ key: z.string() }).optional() });
/** `expand=transitions` on an issue: the transitions without their screens' fields. */
const issueWithTransitionsSchema = issueSchema.extend({
  transitions: z.array(z.object({ id: z.string(), name: z.string().default(''), to: transitionToSchema, hasScreen: z.boolean().optional() })).default([]),
});
const summarySchema = z.object({
  id: z.string(),
  key: z.string(),
  fields: z.object({ summary: z.string(), status: z.object({ name: z.string() }) }),
});
const permissionsSchema = z.object({ permissions: z.record(z.string(), z.object({ havePermission: z.boolean() })) });
/** A JQL string literal: quoted, with quotes and backslashes escaped. */
const jqlString = (value: string) => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
const issueSearchSchema = z.object({ issues: z.array(z.object({ id: z.string(), fields: z.object({ status: z.object({ id: z.string() }).optional() }).optional() })).default(() => []) });
const issuePageSchema = z.object({ issues: z.array(issueSchema).default(() => []), nextPageToken: z.string().nullable().optional(), isLast: z.boolean().optional() });
/** Jira serves at most 100 issues a page when fields are asked for. */
const SEARCH_PAGE_MAX = 100;
/** `issueErrors` lists the ids and keys Jira could not return; they are simply not among `issues`. */
const bulkFetchSchema = z.object({ issues: z.array(issueSchema).default(() => []) });
/** Jira returns at most 100 issues a bulk fetch. */
const BULK_FETCH_MAX = 100;
const jqlMatchSchema = z.object({ matches: z.array(z.object({ matchedIssues: z.array(z.number()), errors: z.array(z.string()) })) });
const jqlParseSchema = z.object({ queries: z.array(z.object({ errors: z.array(z.string()).optional(), warnings: z.array(z.string()).optional() })) });
const emailSchema = z.object({ accountId: z.string(), email: z.string().optional() });
const commentUserSchema = z.object({ accountId: z.string(), displayName: z.string().optional(), emailAddress: z.string().optional() });
const commentSchema = z.object({
  id: z.string(),
  body: z.unknown(),
  author: commentUserSchema.optional(),
  updateAuthor: commentUserSchema.optional(),
  created: z.string().optional(),
  updated: z.string().optional(),
});
const userSchema = z.object({
  accountId: z.string(),
  displayName: z.string().default(''),
  emailAddress: z.string().optional(),
  active: z.boolean().default(true),
  accountType: z.string().optional(),
  timeZone: z.string().optional(),
});

const refusalSchema = z.object({
  errorMessages: z.array(z.string()).catch([]).default([]),
  errors: z.record(z.string(), z.string()).catch({}).default({}),
});
const allowedValueSchema = z
  .object({ id: z.union([z.string(), z.number()]).transform(String).optional(), name: z.string().optional(), value: z.string().optional() })
  .catch({});
const screenFieldSchema = z.object({
  fieldId: z.string().optional(),
  key: z.string().optional(),
  name: z.string().default(''),
  required: z.boolean().default(false),
  hasDefaultValue: z.boolean().default(false),
  allowedValues: z.array(allowedValueSchema).default([]),
});
const transitionsSchema = z.object({
  transitions: z.array(
    z.object({
      id: z.string(),
      name: z.string().default(''),
      to: transitionToSchema,
      fields: z.record(z.string(), screenFieldSchema).default({}),
    }),
  ),
});
const createdSchema = z.object({ id: z.string(), key: z.string() });
const createTypesSchema = z.object({
  issueTypes: z.array(z.object({ id: z.string(), name: z.string(), subtask: z.boolean().default(false) })).default([]),
  total: z.number().optional(),
});
const createFieldsSchema = z.object({ fields: z.array(screenFieldSchema).default([]), total: z.number().optional() });
const usersSchema = z.array(userSchema);
const sprintPageSchema = z.object({ isLast: z.boolean().optional(), values: z.array(z.object({ id: z.number(), name: z.string(), state: z.string() })) });
const addedCommentSchema = z.object({ id: z.string() });
/** An entity property as Jira returns one (GET …/properties/{propertyKey}). */
const propertySchema = z.object({ key: z.string(), value: z.unknown() });
const commentPageSchema = z.object({ total: z.number().int().min(0), comments: z.array(commentSchema) });
const myselfSchema = z.object({ accountId: z.string() });
const changelogEntrySchema = z.object({
  created: z.string(),
  author: z.object({ accountId: z.string().optional() }).optional(),
  items: z.array(z.object({ fieldId: z.string().optional(), field: z.string().optional() })).default([]),
  historyMetadata: z.object({ cause: z.object({ id: z.string().optional(), type: z.string().optional() }).optional() }).optional(),
});
const changelogPageSchema = z.object({ total: z.number().int().min(0).optional(), isLast: z.boolean().optional(), values: z.array(changelogEntrySchema) });
/** Changelog entries read per request (Jira's cap). */
const CHANGELOG_PAGE_SIZE = 100;

/** Comments read per request when listing an issue's comments. */
const COMMENT_PAGE_SIZE = 100;
/** The app's own account never changes while the app runs, so one look-up per runtime is enough. */
let appAccount: Promise<string> | undefined;

function toScreenField(id: string, field: z.infer<typeof screenFieldSchema>): JiraScreenField {
  return { fieldId: field.fieldId ?? field.key ?? id, name: field.name, required: field.required, hasDefaultValue: field.hasDefaultValue, allowedValues: field.allowedValues };
}

/** A 400 read as Jira's field errors; any other failure throws as readJson does. */
async function refusalOrNothing(response: APIResponse, operation: string): Promise<JiraRefusal | undefined> {
  if (response.status !== 400) {
    await readJson(response, operation);
    return undefined;
  }
  const text = await response.text();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = {};
  }
  const parsed = refusalSchema.safeParse(raw);
  return { status: 400, fieldErrors: parsed.success ? parsed.data.errors : {}, messages: parsed.success ? parsed.data.errorMessages : [text.slice(0, 300)] };
}

const CREATEMETA_PAGE = 50;
/** Enough for any real site: a project with more issue types, or a screen with more fields, is cut here. */
const CREATEMETA_MAX_ITEMS = 1000;

/**
 * Jira's create metadata read page by page (`startAt`/`maxResults`, with `total` where Jira gives
 * it): the one pager for a project's issue types and an issue type's create fields. Undefined when
 * Jira answers 404 (no such project or issue type, or none the app may see).
 */
async function createmetaPages<T>(
  read: (startAt: number) => Promise<APIResponse>,
  operation: string,
  parse: (body: unknown) => { items: T[]; total: number | undefined },
): Promise<T[] | undefined> {
  const items: T[] = [];
  for (let startAt = 0; startAt < CREATEMETA_MAX_ITEMS; startAt += CREATEMETA_PAGE) {
    const response = await read(startAt);
    if (response.status === 404) return undefined;
    const page = parse(await readJson(response, operation));
    items.push(...page.items);
    if (page.items.length < CREATEMETA_PAGE || (page.total !== undefined && items.length >= page.total)) break;
  }
  return items;
}

/** The answer's JSON; a status Tandem does not expect throws the ports' JiraRequestError. */
export async function readJson(response: APIResponse, operation: string): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) {
    const reason = response.headers.get('ratelimit-reason') ?? '';
    throw new JiraRequestError(response.status, operation, text.slice(0, 500), jiraWaitSeconds(response.headers), /^jira-quota-/.test(reason));
  }
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/**
 * How long Jira says to wait after a 429 or 503, as https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
 * describes it: `Retry-After` seconds; where a 429 has none, until `X-RateLimit-Reset` (an ISO time,
 * counted from the answer's own `Date` so clocks that disagree do not matter); else the beta quota
 * header's `t=` seconds. Undefined when Jira said nothing.
 */
function jiraWaitSeconds(headers: APIResponse['headers']): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter && /^\d+$/.test(retryAfter)) return Math.max(1, Number(retryAfter));
  const reset = Date.parse(headers.get('x-ratelimit-reset') ?? '');
  if (Number.isFinite(reset)) {
    const sent = Date.parse(headers.get('date') ?? '');
    return Math.max(1, Math.ceil((reset - (Number.isFinite(sent) ? sent : Date.now())) / 1000));
  }
  const quotaReset = /(?:^|;)\s*t=(\d+)/.exec(headers.get('beta-ratelimit') ?? '');
  return quotaReset?.[1] ? Math.max(1, Number(quotaReset[1])) : undefined;
}

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
  body: JSON.stringify(body),
});

export const forgeJira: JiraPort = {
  async getIssueSummary(issueIdOrKey) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}?fields=summary,status`);
    if (response.status === 404) return undefined;
    const issue = summarySchema.parse(await readJson(response, 'GET issue'));
    const summary: IssueSummary = { id: issue.id, key: issue.key, summary: issue.fields.summary, statusName: issue.fields.status.name };
    return summary;
  },

  async invokingUserIsAdmin() {
    // `asUser()` with no id acts as the invoking user; `asUser(accountId)` would be impersonation.
    const response = await api.asUser().requestJira(route`/rest/api/3/mypermissions?permissions=ADMINISTER`);
    if (response.status === 401 || response.status === 403) return false;
    const body = permissionsSchema.parse(await readJson(response, 'GET mypermissions'));
    return body.permissions.ADMINISTER?.havePermission === true;
  },

  async invokingUserOnIssue(issueId) {
    const response = await api.asUser().requestJira(route`/rest/api/3/mypermissions?issueId=${issueId}&permissions=BROWSE_PROJECTS,EDIT_ISSUES`);
    // Jira answers 404 for an issue the user cannot see, and 401/403 for no user at all.
    if (response.status === 401 || response.status === 403 || response.status === 404) return { browse: false, edit: false };
    const body = permissionsSchema.parse(await readJson(response, 'GET mypermissions'));
    const browse = body.permissions.BROWSE_PROJECTS?.havePermission === true;
    return { browse, edit: browse && body.permissions.EDIT_ISSUES?.havePermission === true };
  },

  async getIssue(issueIdOrKey, fields, options) {
    const wanted = [...new Set(['status', 'project', 'issuetype', 'updated', ...fields])].join(',');
    const properties = options?.properties?.join(',');
    if (!options?.transitions) {
      const response = await api
        .asApp()
        .requestJira(properties ? route`/rest/api/3/issue/${issueIdOrKey}?fields=${wanted}&properties=${properties}` : route`/rest/api/3/issue/${issueIdOrKey}?fields=${wanted}`);
      if (response.status === 404) return undefined;
      const issue = issueSchema.parse(await readJson(response, 'GET issue'));
      return { id: issue.id, key: issue.key, ...issueFactsOf(issue.fields), ...(issue.properties ? { properties: issue.properties } : {}) };
    }
    // The transitions come with the issue, saving a request per status change; Jira lists them
    // without their screens, so one with a screen is read again before it is taken.
    const response = await api
      .asApp()
      .requestJira(
        properties
          ? route`/rest/api/3/issue/${issueIdOrKey}?fields=${wanted}&expand=transitions&properties=${properties}`
          : route`/rest/api/3/issue/${issueIdOrKey}?fields=${wanted}&expand=transitions`,
      );
    if (response.status === 404) return undefined;
    const issue = issueWithTransitionsSchema.parse(await readJson(response, 'GET issue'));
    return {
      id: issue.id,
      key: issue.key,
      ...issueFactsOf(issue.fields),
      ...(issue.properties ? { properties: issue.properties } : {}),
      transitions: issue.transitions.map((t) => ({
        id: t.id,
        name: t.name,
        to: { id: t.to.id, name: t.to.name, categoryKey: t.to.statusCategory?.key ?? 'undefined' },
        fields: {},
        ...(t.hasScreen === false ? {} : { screenUnread: true }),
      })),
    };
  },

  async findIssueInStatus({ projectKey, issueTypeName, status, notIssueId }) {
    const jql = `project = ${jqlString(projectKey)} AND issuetype = ${jqlString(issueTypeName)} AND status = ${jqlString(status.name)} ORDER BY updated DESC`;
    const response = await api.asApp().requestJira(route`/rest/api/3/search/jql`, json({ jql, maxResults: 5, fields: ['status'] }));
    const body = issueSearchSchema.parse(await readJson(response, 'POST search/jql'));
    // The search is eventually consistent: the status is checked as Jira holds it in the answer.
    return body.issues.find((issue) => issue.id !== notIssueId && issue.fields?.status?.id === status.id)?.id;
  },

  async searchIssues({ jql, fields, nextPageToken, maxResults }) {
    const wanted = [...new Set(['status', 'project', 'issuetype', 'updated', ...fields])];
    const size = Math.max(1, Math.min(maxResults ?? SEARCH_PAGE_MAX, SEARCH_PAGE_MAX));
    const body = { jql, fields: wanted, maxResults: size, ...(nextPageToken ? { nextPageToken } : {}) };
    const response = await api.asApp().requestJira(route`/rest/api/3/search/jql`, json(body));
    const page = issuePageSchema.parse(await readJson(response, 'POST search/jql'));
    const result: JiraIssuePage = { issues: page.issues.map((issue) => ({ id: issue.id, key: issue.key, ...issueFactsOf(issue.fields) })) };
    // isLast is the end; a token on the last page would read the same page again.
    if (page.isLast !== true && page.nextPageToken) result.nextPageToken = page.nextPageToken;
    return result;
  },

  async getIssues(issueIdsOrKeys, fields) {
    if (issueIdsOrKeys.length === 0) return [];
    // More would be refused whole (400): the caller asks in batches, each counted as one request.
    if (issueIdsOrKeys.length > BULK_FETCH_MAX) throw new RangeError(`At most ${BULK_FETCH_MAX} issues a bulk fetch, not ${issueIdsOrKeys.length}`);
    const wanted = [...new Set(['status', 'project', 'issuetype', 'updated', ...fields])];
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/bulkfetch`, json({ issueIdsOrKeys, fields: wanted }));
    const body = bulkFetchSchema.parse(await readJson(response, 'POST issue/bulkfetch'));
    return body.issues.map((issue) => ({ id: issue.id, key: issue.key, ...issueFactsOf(issue.fields) }));
  },

  async matchJql(issueId, jqls) {
    const response = await api.asApp().requestJira(route`/rest/api/3/jql/match`, json({ issueIds: [Number(issueId)], jqls }));
    const body = jqlMatchSchema.parse(await readJson(response, 'POST jql/match'));
    return body.matches.map((m) => m.errors.length === 0 && m.matchedIssues.includes(Number(issueId)));
  },

  async issuesMatching(issueIds, jql) {
    if (issueIds.length === 0) return new Set();
    const response = await api.asApp().requestJira(route`/rest/api/3/jql/match`, json({ issueIds: issueIds.map(Number), jqls: [jql] }));
    const [match] = jqlMatchSchema.parse(await readJson(response, 'POST jql/match')).matches;
    if (!match) return new Set();
    if (match.errors.length > 0) throw new JiraRequestError(400, 'POST jql/match', match.errors.join('; ').slice(0, 500));
    return new Set(match.matchedIssues.map(String));
  },

  async checkJql(jql) {
    const response = await api.asApp().requestJira(route`/rest/api/3/jql/parse?validation=strict`, json({ queries: [jql] }));
    const [parsed] = jqlParseSchema.parse(await readJson(response, 'POST jql/parse')).queries;
    // A value the site does not have is only a warning to the parser, but a search refuses it.
    return [...(parsed?.errors ?? []), ...(parsed?.warnings ?? [])];
  },

  async upsertRemoteLink(issueIdOrKey, link) {
    const response = await api.asApp().requestJira(
      route`/rest/api/3/issue/${issueIdOrKey}/remotelink`,
      json({
        globalId: link.globalId,
        application: { type: 'tandem', name: 'Tandem' },
        object: { url: link.url, title: link.title, ...(link.summary ? { summary: link.summary } : {}) },
      }),
    );
    await readJson(response, 'POST remotelink');
  },

  async setIssueProperty(issueIdOrKey, propertyKey, value) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}/properties/${propertyKey}`, { ...json(value), method: 'PUT' });
    await readJson(response, 'PUT issue property');
  },

  async deleteRemoteLink(issueIdOrKey, globalId) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}/remotelink?globalId=${globalId}`, { method: 'DELETE' });
    if (response.status === 404) return false;
    await readJson(response, 'DELETE remotelink');
    return true;
  },

  async addLabel(issueIdOrKey, label) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}?notifyUsers=false`, {
      ...json({ update: { labels: [{ add: label }] } }),
      method: 'PUT',
    });
    await readJson(response, 'PUT issue labels');
  },

  async getUser(accountId) {
    const response = await api.asApp().requestJira(route`/rest/api/3/user?accountId=${accountId}`);
    if (response.status === 404) return undefined;
    return userSchema.parse(await readJson(response, 'GET user'));
  },

  async emailOf(accountId) {
    const response = await api.asApp().requestJira(route`/rest/api/3/user/email?accountId=${accountId}`);
    if (response.status === 404) return undefined;
    return emailSchema.parse(await readJson(response, 'GET user/email')).email;
  },

  async getComment(issueIdOrKey, commentId) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}/comment/${commentId}`);
    if (response.status === 404) return undefined;
    return commentSchema.parse(await readJson(response, 'GET comment'));
  },

  async listComments(issueIdOrKey) {
    const comments: JiraComment[] = [];
    for (;;) {
      const startAt = String(comments.length);
      const response = await api
        .asApp()
        .requestJira(route`/rest/api/3/issue/${issueIdOrKey}/comment?startAt=${startAt}&maxResults=${String(COMMENT_PAGE_SIZE)}&orderBy=created`);
      if (response.status === 404) return [];
      const page = commentPageSchema.parse(await readJson(response, 'GET comments'));
      comments.push(...page.comments);
      if (page.comments.length === 0 || comments.length >= page.total) return comments;
    }
  },

  async recentChangelog(issueIdOrKey) {
    // Jira lists the history oldest first: a long one is read again from its last page.
    const read = async (startAt: number) => {
      const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}/changelog?startAt=${String(startAt)}&maxResults=${String(CHANGELOG_PAGE_SIZE)}`);
      if (response.status === 404) return undefined;
      return changelogPageSchema.parse(await readJson(response, 'GET changelog'));
    };
    const first = await read(0);
    if (!first) return [];
    if (first.isLast !== false || first.total === undefined || first.total <= CHANGELOG_PAGE_SIZE) return first.values;
    return (await read(first.total - CHANGELOG_PAGE_SIZE))?.values ?? first.values;
  },

  appAccountId() {
    appAccount ??= (async () => {
      const response = await api.asApp().requestJira(route`/rest/api/3/myself`);
      return myselfSchema.parse(await readJson(response, 'GET myself')).accountId;
    })().catch((error: unknown) => {
      // A failed look-up is asked again next time instead of being remembered.
      appAccount = undefined;
      throw error;
    });
    return appAccount;
  },

  async editIssue(issueIdOrKey, fields, connectionId) {
    const body = { fields, historyMetadata: tandemChangeMetadata(connectionId) };
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}`, { ...json(body), method: 'PUT' });
    return refusalOrNothing(response, 'PUT issue');
  },

  async getTransitions(issueIdOrKey) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}/transitions?expand=transitions.fields`);
    const body = transitionsSchema.parse(await readJson(response, 'GET transitions'));
    return body.transitions.map((t) => ({
      id: t.id,
      name: t.name,
      to: { id: t.to.id, name: t.to.name, categoryKey: t.to.statusCategory?.key ?? 'undefined' },
      fields: Object.fromEntries(Object.entries(t.fields).map(([id, f]) => [id, toScreenField(id, f)])),
    }));
  },

  async transitionIssue(issueIdOrKey, transitionId, fields, connectionId) {
    const body = { transition: { id: transitionId }, ...(Object.keys(fields).length > 0 ? { fields } : {}), historyMetadata: tandemChangeMetadata(connectionId) };
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}/transitions`, json(body));
    return refusalOrNothing(response, 'POST transitions');
  },

  async createIssue(fields, properties) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue`, json({ fields, ...(properties && properties.length > 0 ? { properties } : {}) }));
    const refusal = response.status === 400 ? await refusalOrNothing(response, 'POST issue') : undefined;
    if (refusal) return { ok: false, refusal };
    const created = createdSchema.parse(await readJson(response, 'POST issue'));
    return { ok: true, id: created.id, key: created.key };
  },

  async getCreateIssueTypes(projectIdOrKey) {
    return createmetaPages(
      (startAt) => api.asApp().requestJira(route`/rest/api/3/issue/createmeta/${projectIdOrKey}/issuetypes?startAt=${startAt}&maxResults=${CREATEMETA_PAGE}`),
      'GET createmeta issue types',
      (body) => {
        const page = createTypesSchema.parse(body);
        return { items: page.issueTypes, total: page.total };
      },
    );
  },

  async getCreateFields(projectIdOrKey, issueTypeId) {
    const fields = await createmetaPages(
      (startAt) => api.asApp().requestJira(route`/rest/api/3/issue/createmeta/${projectIdOrKey}/issuetypes/${issueTypeId}?startAt=${startAt}&maxResults=${CREATEMETA_PAGE}`),
      'GET createmeta fields',
      (body) => {
        const page = createFieldsSchema.parse(body);
        return { items: page.fields.map((f) => toScreenField(f.fieldId ?? f.key ?? '', f)), total: page.total };
      },
    );
    // The issue type was found a moment ago (getCreateIssueTypes): gone now is a failure, not "no fields".
    if (!fields) throw new JiraRequestError(404, 'GET createmeta fields', `no issue type ${issueTypeId} in ${projectIdOrKey}`);
    return fields;
  },

  async deleteIssue(issueIdOrKey) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}`, { method: 'DELETE' });
    if (response.status === 404) return false;
    await readJson(response, 'DELETE issue');
    return true;
  },

  async searchUsers(query) {
    const response = await api.asApp().requestJira(route`/rest/api/3/user/search?query=${query}&maxResults=20`);
    return usersSchema.parse(await readJson(response, 'GET user/search'));
  },

  // Jira Software's Agile REST API: the board's sprints a sprint name is found among. Atlassian's
  // description types the `state` filter as an object, so the closed ones are left out here instead.
  // developer.atlassian.com/cloud/jira/software/rest/api-group-board/#api-rest-agile-1-0-board-boardid-sprint-get
  async openSprints(boardId) {
    const sprints: Array<{ id: number; name: string; state: string }> = [];
    for (let startAt = 0; startAt < 1000; ) {
      const response = await api.asApp().requestJira(route`/rest/agile/1.0/board/${String(boardId)}/sprint?startAt=${String(startAt)}`);
      if (response.status === 404) return undefined;
      const page = sprintPageSchema.parse(await readJson(response, 'GET board sprints'));
      sprints.push(...page.values.filter((sprint) => sprint.state !== 'closed'));
      if (page.isLast !== false || page.values.length === 0) break;
      startAt += page.values.length;
    }
    return sprints;
  },

  async addComment(issueIdOrKey, body, properties) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}/comment`, json({ body, ...(properties && properties.length > 0 ? { properties } : {}) }));
    return addedCommentSchema.parse(await readJson(response, 'POST comment')).id;
  },

  async getCommentProperty(commentId, propertyKey) {
    const response = await api.asApp().requestJira(route`/rest/api/3/comment/${commentId}/properties/${propertyKey}`);
    if (response.status === 404) return undefined;
    return propertySchema.parse(await readJson(response, 'GET comment property')).value;
  },

  async updateComment(issueIdOrKey, commentId, body) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}/comment/${commentId}`, { ...json({ body }), method: 'PUT' });
    if (response.status === 404) return false;
    await readJson(response, 'PUT comment');
    return true;
  },

  async deleteComment(issueIdOrKey, commentId) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}/comment/${commentId}`, { method: 'DELETE' });
    if (response.status === 404) return false;
    await readJson(response, 'DELETE comment');
    return true;
  },
};

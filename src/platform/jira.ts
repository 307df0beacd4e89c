// Jira REST calls, each with a literal route so @forge/lint can check the manifest's scopes.
// Answers are parsed with zod; a status Tandem does not expect becomes a JiraRequestError.
import api, { route, type APIResponse } from '@forge/api';
import { z } from 'zod';
import type { IssueSummary, JiraPort } from '../sync/ports';

const issueSchema = z.object({ id: z.string(), key: z.string(), fields: z.record(z.string(), z.unknown()) });
const summarySchema = z.object({
  id: z.string(),
  key: z.string(),
  fields: z.object({ summary: z.string(), status: z.object({ name: z.string() }) }),
});
const permissionsSchema = z.object({ permissions: z.record(z.string(), z.object({ havePermission: z.boolean() })) });
const jqlMatchSchema = z.object({ matches: z.array(z.object({ matchedIssues: z.array(z.number()), errors: z.array(z.string()) })) });
const emailSchema = z.object({ accountId: z.string(), email: z.string().optional() });
const commentSchema = z.object({
  id: z.string(),
  body: z.unknown(),
  author: z.object({ accountId: z.string(), displayName: z.string() }).optional(),
});

export class JiraRequestError extends Error {
  constructor(
    readonly status: number,
    readonly operation: string,
    detail: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(`Jira answered ${status} to ${operation}: ${detail}`);
    this.name = 'JiraRequestError';
  }
}

async function readJson(response: APIResponse, operation: string): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new JiraRequestError(response.status, operation, text.slice(0, 500), Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
  }
  return text === '' ? undefined : (JSON.parse(text) as unknown);
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

  async isAdmin(accountId) {
    const response = await api.asUser(accountId).requestJira(route`/rest/api/3/mypermissions?permissions=ADMINISTER`);
    if (response.status === 401 || response.status === 403) return false;
    const body = permissionsSchema.parse(await readJson(response, 'GET mypermissions'));
    return body.permissions.ADMINISTER?.havePermission === true;
  },

  async getIssue(issueIdOrKey, fields) {
    const wanted = [...new Set(['status', 'project', 'issuetype', 'updated', ...fields])].join(',');
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}?fields=${wanted}`);
    if (response.status === 404) return undefined;
    return issueSchema.parse(await readJson(response, 'GET issue'));
  },

  async matchJql(issueId, jqls) {
    const response = await api.asApp().requestJira(route`/rest/api/3/jql/match`, json({ issueIds: [Number(issueId)], jqls }));
    const body = jqlMatchSchema.parse(await readJson(response, 'POST jql/match'));
    return body.matches.map((m) => m.errors.length === 0 && m.matchedIssues.includes(Number(issueId)));
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

  async addLabel(issueIdOrKey, label) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}?notifyUsers=false`, {
      ...json({ update: { labels: [{ add: label }] } }),
      method: 'PUT',
    });
    await readJson(response, 'PUT issue labels');
  },

  async emailOf(accountId) {
    const response = await api.asApp().requestJira(route`/rest/api/3/user/email?accountId=${accountId}`);
    if (response.status === 404) return undefined;
    return emailSchema.parse(await readJson(response, 'GET user/email')).email;
  },

  async getComment(issueIdOrKey, commentId) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}/comment/${commentId}`);
    if (response.status === 404) return undefined;
    const comment = commentSchema.parse(await readJson(response, 'GET comment'));
    return { id: comment.id, body: comment.body, author: comment.author };
  },
};

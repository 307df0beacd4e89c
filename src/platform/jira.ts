// Jira REST calls, each with a literal route so @forge/lint can check the manifest's scopes.
import api, { route, type APIResponse } from '@forge/api';
import { z } from 'zod';
import type { IssueSummary, JiraPort } from '../sync/ports';

const issueSchema = z.object({
  id: z.string(),
  key: z.string(),
  fields: z.object({ summary: z.string(), status: z.object({ name: z.string() }) }),
});

const permissionsSchema = z.object({
  permissions: z.record(z.string(), z.object({ havePermission: z.boolean() })),
});

export class JiraRequestError extends Error {
  constructor(
    readonly status: number,
    readonly operation: string,
    detail: string,
  ) {
    super(`Jira answered ${status} to ${operation}: ${detail}`);
    this.name = 'JiraRequestError';
  }
}

async function readJson(response: APIResponse, operation: string): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) throw new JiraRequestError(response.status, operation, text.slice(0, 500));
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

export const forgeJira: JiraPort = {
  async getIssueSummary(issueIdOrKey) {
    const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueIdOrKey}?fields=summary,status`);
    if (response.status === 404) return undefined;
    const issue = issueSchema.parse(await readJson(response, 'GET issue'));
    const summary: IssueSummary = { id: issue.id, key: issue.key, summary: issue.fields.summary, statusName: issue.fields.status.name };
    return summary;
  },

  async isAdmin(accountId) {
    const response = await api.asUser(accountId).requestJira(route`/rest/api/3/mypermissions?permissions=ADMINISTER`);
    if (response.status === 401 || response.status === 403) return false;
    const body = permissionsSchema.parse(await readJson(response, 'GET mypermissions'));
    return body.permissions.ADMINISTER?.havePermission === true;
  },
};

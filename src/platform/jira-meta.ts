// Jira's metadata for the admin page's pickers (projects, issue types, statuses, boards, priorities,
// fields) and the inbound web trigger's URL. Literal routes, so @forge/lint can check the scopes.
import api, { route, webTrigger } from '@forge/api';
import * as z from 'zod';
import type { JiraBoardInfo, JiraStatusInfo } from '../contract/admin';
import type { AdminPorts, InboundAddressPort, JiraMetaPort } from '../sync/admin-ports';
import { forgeJira, readJson } from './jira';
import { forgePorts } from './ports';

const PAGE = 50;
/** Enough for any real site; a picker with more than this many entries needs a search box, not a list. */
const MAX_PAGES = 20;

const projectSchema = z.object({ id: z.string(), key: z.string(), name: z.string() });
const projectPageSchema = z.object({ values: z.array(projectSchema), isLast: z.boolean().optional(), total: z.number().optional() });
const categoryKey = z.enum(['new', 'indeterminate', 'done']).catch('indeterminate');
const statusSchema = z.object({ id: z.string(), name: z.string(), statusCategory: z.object({ key: categoryKey }) });
const projectStatusesSchema = z.array(z.object({ id: z.string(), name: z.string(), statuses: z.array(statusSchema) }));
const fieldSchema = z.object({
  id: z.string(),
  name: z.string(),
  custom: z.boolean().default(false),
  schema: z
    .object({ type: z.string(), items: z.string().optional(), system: z.string().optional(), custom: z.string().optional() })
    .optional(),
});

const boardPageSchema = z.object({
  values: z.array(z.object({ id: z.number().int(), name: z.string(), type: z.string(), location: z.object({ projectKey: z.string().optional() }).optional() })),
  isLast: z.boolean().optional(),
});

const jqlParseSchema = z.object({
  queries: z.array(z.object({ query: z.string(), errors: z.array(z.string()).default([]), warnings: z.array(z.string()).default([]) })),
});
const myselfSchema = z.object({ displayName: z.string().optional() });

export const forgeJiraMeta: JiraMetaPort = {
  async projects() {
    const out: z.infer<typeof projectSchema>[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const startAt = page * PAGE;
      const response = await api.asApp().requestJira(route`/rest/api/3/project/search?startAt=${startAt}&maxResults=${PAGE}&orderBy=key`);
      const body = projectPageSchema.parse(await readJson(response, 'GET project/search'));
      out.push(...body.values.map(({ id, key, name }) => ({ id, key, name })));
      if (body.isLast !== false || body.values.length === 0) break;
    }
    return out;
  },

  async issueTypes(projectKey) {
    // The issue types one can create in the project: the same createmeta read the inbound path uses.
    return forgeJira.getCreateIssueTypes(projectKey);
  },

  async statuses(projectKey) {
    const response = await api.asApp().requestJira(route`/rest/api/3/project/${projectKey}/statuses`);
    if (response.status === 404) return undefined;
    const body = projectStatusesSchema.parse(await readJson(response, 'GET project statuses'));
    // Each issue type lists its workflow's statuses; the picker wants each status once.
    const seen = new Map<string, JiraStatusInfo>();
    for (const type of body) {
      for (const status of type.statuses) if (!seen.has(status.id)) seen.set(status.id, { id: status.id, name: status.name, category: status.statusCategory.key });
    }
    return [...seen.values()];
  },

  // developer.atlassian.com/cloud/jira/software/rest/api-group-board/#api-rest-agile-1-0-board-get
  // Jira answers 400 naming the project when it has none (or the app cannot see it).
  async boards(projectKey) {
    const out: JiraBoardInfo[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const startAt = page * PAGE;
      const response = await api.asApp().requestJira(route`/rest/agile/1.0/board?projectKeyOrId=${projectKey}&startAt=${startAt}&maxResults=${PAGE}`);
      if (response.status === 400 || response.status === 404) return undefined;
      const body = boardPageSchema.parse(await readJson(response, 'GET board'));
      for (const board of body.values) out.push({ id: board.id, name: board.name, type: board.type, ...(board.location?.projectKey ? { projectKey: board.location.projectKey } : {}) });
      if (body.isLast !== false || body.values.length === 0) break;
    }
    return out;
  },

  async priorities() {
    // The paged /priority/search needs manage:jira-configuration; the full list needs only read:jira-work.
    const response = await api.asApp().requestJira(route`/rest/api/3/priority`);
    const body = z.array(z.object({ id: z.string(), name: z.string() })).parse(await readJson(response, 'GET priority'));
    return body.map(({ id, name }) => ({ id, name }));
  },

  async fields() {
    const response = await api.asApp().requestJira(route`/rest/api/3/field`);
    const body = z.array(fieldSchema).parse(await readJson(response, 'GET field'));
    return body.map((field) => ({ id: field.id, name: field.name, custom: field.custom, ...(field.schema ? { schema: field.schema } : {}) }));
  },

  async parseJql(queries) {
    if (queries.length === 0) return [];
    // Strict: values the site does not have are errors too, as a search would refuse them.
    const response = await api.asApp().requestJira(route`/rest/api/3/jql/parse?validation=strict`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ queries }),
    });
    const body = jqlParseSchema.parse(await readJson(response, 'POST jql/parse'));
    return queries.map((_query, index) => {
      const answer = body.queries[index];
      return { errors: answer?.errors ?? [], warnings: answer?.warnings ?? [] };
    });
  },

  async viewerName() {
    // As the admin, so it is their own profile; Jira hides nothing of a user from themselves.
    const response = await api.asUser().requestJira(route`/rest/api/3/myself`);
    const body = myselfSchema.parse(await readJson(response, 'GET myself'));
    return body.displayName || undefined;
  },
};

export const INBOUND_TRIGGER_KEY = 'tandem-inbound';

export const forgeInboundAddress: InboundAddressPort = {
  async baseUrl() {
    return (await webTrigger.getUrl(INBOUND_TRIGGER_KEY)).replace(/\/+$/, '');
  },
};

export const forgeAdminPorts: AdminPorts = { ...forgePorts, meta: forgeJiraMeta, inbound: forgeInboundAddress };

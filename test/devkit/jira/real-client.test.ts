// The Jira simulator, driven over HTTP by a Jira Cloud client nobody here wrote (jira.js, which
// checks every response against its own models and throws on a mismatch), answers every Jira
// operation Tandem calls and the ones a sync app reaches for (changelogs, assign, issue types,
// jql/parse, the deprecated createmeta); every request and response also fits the committed contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type * as JiraJs from '../../../node_modules/jira.js/dist/index';
import type * as JiraCloud from '../../../node_modules/jira.js/dist/cloud/index';
import type * as JiraCore from '../../../node_modules/jira.js/dist/core/index';
import type * as JiraAgile from '../../../node_modules/jira.js/dist/agile/index';
import { createOpenApiChecker, type ContractProblem } from '../../../devkit/jira/contract/openapi';
import { serveJira, type JiraExchange } from '../../../devkit/jira/server';
import { site } from './helpers';
import { DEFAULT_SEARCH_LAG_MS } from '../../../devkit/jira/search-index';

/** jira.js is published as ES modules only; the tests run as CommonJS, so it is loaded with import(). */
async function load<T>(specifier: string): Promise<T> {
  return (await import(specifier)) as T;
}

const APP_TOKEN = 'tandem-app-token';

function adf(text: string): { type: 'doc'; version: number; content: Array<Record<string, unknown>> } {
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}
const repoRoot = path.join(__dirname, '..', '..', '..');

/** Every `route\`…\`` path Tandem's code calls, with its interpolations filled in. */
function tandemJiraPaths(): string[] {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.tsx?$/.test(name)) {
        for (const match of readFileSync(file, 'utf8').matchAll(/route`([^`]*)`/g)) {
          found.add(((match[1] ?? '').split('?')[0] ?? '').replace(/\$\{[^}]*\}/g, 'X-1'));
        }
      }
    }
  };
  walk(path.join(repoRoot, 'src'));
  return [...found].sort();
}

test('a maintained Jira client gets what Jira Cloud would send, for every call Tandem makes and more', async () => {
  const { createCloudClient, isAuthError } = await load<typeof JiraJs>('jira.js');
  const { createClient } = await load<typeof JiraCore>('jira.js/core');
  const { IssueCreateMetadataSchema, PrioritySchema } = await load<typeof JiraCloud>('jira.js/cloud');
  const { createAgileClient } = await load<typeof JiraAgile>('jira.js/agile');
  const { z } = await import('zod');

  const s = site();
  const checker = createOpenApiChecker();
  const exchanges: JiraExchange[] = [];
  const server = await serveJira(s.sim, { appToken: APP_TOKEN, onExchange: (e) => exchanges.push(e) });
  try {
    // As Tandem calls Jira (Forge asApp) and as a person with an API token.
    const appClient = createClient({ host: server.url, auth: { type: 'bearer', token: APP_TOKEN }, onSchemaMismatch: 'throw' });
    const app = createCloudClient(appClient);
    const bob = createCloudClient({ host: server.url, auth: { type: 'basic', email: 'bob@example.com', apiToken: 'any' }, onSchemaMismatch: 'throw' });

    // Configuration the admin page reads.
    const projects = await app.projects.searchProjects({ startAt: 0, maxResults: 50, orderBy: 'key' });
    assert.deepEqual(projects.values?.map((p) => p.key), ['OPS']);
    const types = await app.issues.getCreateIssueMetaIssueTypes({ projectIdOrKey: 'OPS', startAt: 0, maxResults: 50 });
    const task = types.issueTypes?.find((t) => t.name === 'Task');
    assert.ok(task?.id);
    const fieldsPage = await app.issues.getCreateIssueMetaIssueTypeId({ projectIdOrKey: 'OPS', issueTypeId: task.id, startAt: 0, maxResults: 50 });
    assert.ok(fieldsPage.fields?.some((f) => f.fieldId === 'summary' && f.required));
    const statuses = await app.projects.getAllStatuses({ projectIdOrKey: 'OPS' });
    assert.ok(statuses.every((t) => (t.statuses ?? []).some((st) => st.name === 'In Progress')));
    // GET /priority is deprecated and jira.js has no method for it; its model checks the answer.
    const priorities = await appClient.sendRequest({ url: '/rest/api/3/priority', method: 'GET', schema: z.array(PrioritySchema) });
    assert.ok(priorities.some((p) => p.name === 'High'));
    const fields = await app.issueFields.getFields();
    assert.ok(fields.some((f) => f.id === s.severity.id));
    const permissions = await bob.permissions.getMyPermissions({ permissions: 'ADMINISTER' });
    assert.equal(permissions.permissions?.['ADMINISTER']?.havePermission, false);
    assert.equal((await app.myself.getCurrentUser()).accountType, 'app');

    // An issue made, read, edited, linked, commented on and moved, as the two sync paths do.
    const created = await app.issues.createIssue({
      fields: { project: { key: 'OPS' }, issuetype: { id: task.id }, summary: 'Checkout fails', description: adf('Steps'), [s.severity.id]: { value: 'Sev2' } },
    });
    const key = created.key ?? '';
    const summary = await app.issues.getIssue({ issueIdOrKey: key, fields: ['summary', 'status'] });
    assert.equal(summary.fields?.['summary'], 'Checkout fails');
    const withTransitions = await app.issues.getIssue({ issueIdOrKey: key, fields: ['status', 'project', 'issuetype', 'updated', 'summary', 'assignee'], expand: 'transitions' });
    assert.ok((withTransitions.transitions ?? []).some((t) => t.to?.name === 'In Progress'));
    const matches = await app.issueSearch.matchIssues({ issueIds: [Number(created.id)], jqls: ['project = OPS AND summary ~ checkout', 'labels = nothing'] });
    assert.deepEqual(matches.matches?.map((m) => m.matchedIssues), [[Number(created.id)], []]);
    const link = await app.issueRemoteLinks.createOrUpdateRemoteIssueLink({
      issueIdOrKey: key,
      globalId: 'tandem:c1:incidents:INC-1',
      application: { type: 'tandem', name: 'ITSM' },
      object: { url: 'https://itsm.example.com/INC-1', title: 'INC-1' },
    });
    assert.ok(link.id);
    await app.issues.editIssue({ issueIdOrKey: key, notifyUsers: false, fields: { summary: 'Checkout fails on Safari', priority: { name: 'High' } } });
    assert.equal((await app.users.getUser({ accountId: s.carol.accountId })).displayName, 'Carol Quiet');
    assert.equal((await app.users.getUserEmail({ accountId: s.carol.accountId })).email, 'carol@example.com');
    const found = await app.userSearch.findUsers({ query: 'bob', maxResults: 20 });
    assert.deepEqual(found.map((u) => u.accountId), [s.bob.accountId]);

    const comment = await app.issueComments.addComment({ issueIdOrKey: key, body: adf('Synced from ITSM'), properties: [{ key: 'tandem-note', value: { connection: 'c1', note: 'n1' } }] });
    const commentId = comment.id ?? '';
    assert.deepEqual((await app.issueCommentProperties.getCommentProperty({ commentId, propertyKey: 'tandem-note' })).value, { connection: 'c1', note: 'n1' });
    assert.equal((await app.issueComments.getComment({ issueIdOrKey: key, id: commentId })).id, commentId);
    const comments = await app.issueComments.getComments({ issueIdOrKey: key, startAt: 0, maxResults: 100, orderBy: 'created' });
    assert.equal(comments.total, 1);
    await app.issueComments.updateComment({ issueIdOrKey: key, id: commentId, body: { body: adf('Edited in ITSM') } });
    await app.issueComments.deleteComment({ issueIdOrKey: key, id: commentId });

    const transitions = await app.issues.getTransitions({ issueIdOrKey: key, expand: 'transitions.fields' });
    const start = transitions.transitions?.find((t) => t.to?.name === 'In Progress');
    assert.ok(start?.id);
    await app.issues.doTransition({ issueIdOrKey: key, transition: { id: start.id }, historyMetadata: { type: 'tandem:sync', cause: { type: 'tandem-connection', id: 'c1' } } });
    const done = (await app.issues.getTransitions({ issueIdOrKey: key, expand: 'transitions.fields' })).transitions?.find((t) => t.to?.name === 'Done');
    assert.ok(done?.id);
    await app.issues.doTransition({ issueIdOrKey: key, transition: { id: done.id }, fields: { resolution: { name: 'Done' } } });

    // Assign, history, and history searches.
    await app.issues.assignIssue({ issueIdOrKey: key, accountId: s.bob.accountId });
    await app.issues.assignIssue({ issueIdOrKey: key, accountId: s.carol.accountId });
    const history = await app.issues.getChangeLogs({ issueIdOrKey: key, startAt: 0, maxResults: 100 });
    assert.deepEqual(
      history.values?.map((h) => h.items?.map((i) => i.fieldId).join(',')),
      ['summary,priority', 'status', 'resolution,status', 'assignee', 'assignee'],
    );
    assert.deepEqual(history.values?.[1]?.historyMetadata?.cause, { type: 'tandem-connection', id: 'c1' }, 'the transition’s history metadata comes back with its entry');
    const firstTwo = (history.values ?? []).slice(0, 2).map((h) => Number(h.id));
    assert.equal((await app.issues.getChangeLogsByIds({ issueIdOrKey: key, changelogIds: firstTwo })).histories?.length, 2);
    const bulk = await app.issues.getBulkChangelogs({ issueIdsOrKeys: [key], fieldIds: ['assignee'] });
    assert.equal(bulk.issueChangeLogs?.[0]?.changeHistories?.length, 2);
    const expanded = await app.issues.getIssue({ issueIdOrKey: key, fields: ['summary'], expand: 'changelog' });
    assert.equal(expanded.changelog?.total, 5);
    // Search trails writes until the index catches up; an issue named in reconcileIssues is searched as it is now.
    const reconciled = await app.issueSearch.searchAndReconsileIssuesUsingJql({ jql: 'status WAS "In Progress"', reconcileIssues: [Number(created.id)] });
    assert.deepEqual(reconciled.issues?.map((i) => i.id), [created.id]);
    assert.deepEqual((await app.issueSearch.searchAndReconsileIssuesUsingJql({ jql: 'status WAS "In Progress"' })).issues ?? [], [], 'not indexed yet');
    s.clock.now += DEFAULT_SEARCH_LAG_MS;
    const search = async (jql: string): Promise<string[]> =>
      ((await app.issueSearch.searchAndReconsileIssuesUsingJql({ jql })).issues ?? []).map((i) => i.id ?? '');
    assert.deepEqual(await search('status CHANGED AFTER -1d'), [created.id]);
    assert.deepEqual(await search('status WAS "In Progress"'), [created.id]);
    assert.deepEqual(await search(`assignee CHANGED FROM ${s.bob.accountId} TO ${s.carol.accountId}`), [created.id]);
    const bare = await app.issueSearch.searchAndReconsileIssuesUsingJql({ jql: 'project = OPS' });
    assert.deepEqual(bare.issues?.map((i) => Object.keys(i)), [['id']], 'ids only unless fields are asked for');

    // Site metadata.
    assert.deepEqual((await app.issueTypes.getIssueAllTypes()).map((t) => t.name).sort(), ['Bug', 'Task']);
    assert.equal((await app.projects.getProject({ projectIdOrKey: 'OPS' })).lead?.accountId, s.alice.accountId);
    const parsed = await app.jql.parseJqlQueries({ queries: ['status CHANGED AFTER -5d', 'universe = 42'], validation: 'strict' });
    assert.ok(parsed.queries[0]?.structure);
    assert.deepEqual(parsed.queries[1]?.errors, ["Field 'universe' does not exist or you do not have permission to view it."]);
    // The deprecated createmeta has no jira.js method either.
    const legacy = await appClient.sendRequest({ url: '/rest/api/3/issue/createmeta', method: 'GET', searchParams: { projectKeys: 'OPS' }, schema: IssueCreateMetadataSchema });
    assert.deepEqual(legacy.projects?.map((p) => p.key), ['OPS']);

    // A board's sprints (Jira Software's Agile REST API), as the sprint transform reads them.
    const board = s.sim.addBoard({ projectKey: 'OPS', name: 'OPS board' });
    s.sim.addSprint({ boardId: board.id, name: 'Sprint 1', state: 'active' });
    const agile = createAgileClient(appClient);
    const sprints = await agile.board.getAllSprints({ boardId: board.id, startAt: 0 });
    assert.deepEqual((sprints.values ?? []).map((sprint) => [sprint.name, sprint.state]), [['Sprint 1', 'active']]);
    // The project's boards, as the mapping's board picker lists them.
    const boards = await agile.board.getAllBoards({ projectKeyOrId: 'OPS', startAt: 0, maxResults: 50 });
    assert.deepEqual((boards.values ?? []).map((b) => b.name), ['OPS board']);

    // The issue property that holds an issue's sync state (indexed for JQL by the app's entity property).
    await app.issueProperties.setIssueProperty({ issueIdOrKey: key, propertyKey: 'tandem-sync', body: { state: 'synced', connections: ['stackflow'] } });
    const property = await app.issueProperties.getIssueProperty({ issueIdOrKey: key, propertyKey: 'tandem-sync' });
    assert.deepEqual(property.value, { state: 'synced', connections: ['stackflow'] });

    // Issues by key in one request, as Sync existing reads the issues records name: a key Jira lacks is an error beside the others, not a failed call.
    const fetched = await app.issues.bulkFetchIssues({ issueIdsOrKeys: [key, 'OPS-99999'], fields: ['summary'] });
    assert.deepEqual(fetched.issues?.map((i) => i.key), [key]);
    assert.equal(fetched.issueErrors?.length, 1);

    // What Jira refuses.
    await assert.rejects(bob.users.getUserEmail({ accountId: s.carol.accountId }), (error: unknown) => isAuthError(error));
    await app.issues.deleteIssue({ issueIdOrKey: key });

    // Every request and answer fits Atlassian's description, as committed.
    const problems: ContractProblem[] = exchanges.flatMap((e) => [
      ...checker.checkRequest({ method: e.method, path: e.path, ...(e.requestBody === undefined ? {} : { body: e.requestBody }) }),
      ...checker.checkResponse({ method: e.method, path: e.path, status: e.status, ...(e.responseBody === undefined ? {} : { body: e.responseBody }) }),
    ]);
    assert.deepEqual(problems, []);

    // And every path Tandem calls was among them.
    const exercised = new Set(exchanges.map((e) => checker.operationTemplate(e.method, e.path)));
    const missed = tandemJiraPaths().filter((p) => {
      const templates = ['GET', 'POST', 'PUT', 'DELETE'].map((m) => checker.operationTemplate(m, p));
      return !templates.some((t) => t !== null && exercised.has(t));
    });
    assert.deepEqual(missed, []);
  } finally {
    await server.close();
  }
});

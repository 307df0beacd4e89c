// The sandbox's product tool (the Craft.io stand-in) connected as an admin does it: Add connection
// with the Craft.io preset, its API token, an inbound secret, Tandem's inbound URL and secret given
// to Craft.io, the PROD board and the Sprint field on Mappings. Then an epic with two stories, a
// sprint and a release travel Jira → Craft.io, and another set Craft.io → Jira.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../devkit/sandbox/sandbox';
import type { AddConnectionResponse, ConfigSavedResponse, GetConfigResponse, GetInboundResponse } from '../../src/contract/admin';
import { sprintField } from '../../src/mapping';
import { waitFor } from '../support/sandbox-process';

let sandbox: Sandbox;
let sprintFieldId = '';
let sprint2 = 0;

before(async () => {
  sandbox = await startSandbox({ port: 0 });
});

after(async () => {
  await sandbox?.stop();
});

const admin = () => ({ kind: 'user' as const, accountId: sandbox.info.demoAdmin.accountId });

async function asAdmin<T extends { ok: boolean }>(functionKey: string, payload: Record<string, unknown>): Promise<Extract<T, { ok: true }>> {
  const answer = (await sandbox.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey, payload, accountId: sandbox.info.demoAdmin.accountId })) as T;
  assert.ok(answer.ok, `${functionKey}: ${JSON.stringify(answer)}`);
  return answer as Extract<T, { ok: true }>;
}

async function rest<T>(method: string, path: string, body?: unknown): Promise<T> {
  const answer = await sandbox.jira.rest(admin(), method, path, body);
  assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as T;
}

test('an admin connects the product tool from its preset', async () => {
  const { revision } = await asAdmin<GetConfigResponse>('getConfig', {});
  const added = await asAdmin<AddConnectionResponse>('addConnection', { revision, presetId: 'craftio-product', name: 'Craft.io', url: sandbox.info.craftioBaseUrl });
  await asAdmin('setConnectionSecret', { connectionId: added.connectionId, kind: 'auth', secret: sandbox.info.craftioToken });
  const secret = randomBytes(24).toString('base64url');
  await asAdmin('setInboundSecret', { connectionId: added.connectionId, secret });
  const inbound = await asAdmin<GetInboundResponse>('getInbound', { connectionId: added.connectionId });
  const url = inbound.connections[0]?.url;
  assert.ok(url);
  const told = await fetch(`${sandbox.info.baseUrl}/__sandbox/craftio/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url, secret }) });
  assert.equal(told.status, 200);

  // Mappings: the PROD board for sprints; the Sprint field ⇄ the item's sprint comes with the preset.
  const boards = await rest<{ values: Array<{ id: number }> }>('GET', '/rest/agile/1.0/board?projectKeyOrId=PROD');
  const boardId = boards.values[0]?.id;
  assert.ok(boardId);
  const sprints = await rest<{ values: Array<{ id: number; name: string }> }>('GET', `/rest/agile/1.0/board/${boardId}/sprint`);
  sprint2 = sprints.values.find((s) => s.name === 'Sprint 2')?.id ?? 0;
  sprintFieldId = sprintField(await rest<Array<{ id: string; name: string; schema: { type: string; custom?: string } }>>('GET', '/rest/api/3/field')) ?? '';
  assert.notEqual(sprintFieldId, '');
  const current = await asAdmin<GetConfigResponse>('getConfig', {});
  const config = structuredClone(current.config);
  const craftio = config.connections.find((c) => c.id === added.connectionId);
  assert.ok(craftio);
  for (const mapping of craftio.projects) mapping.board = boardId;
  // The preset mapped the site's Sprint field (found by name and schema) when it was added.
  assert.deepEqual(craftio.fields.filter((f) => f.tool === 'sprint').map((f) => [f.jira, f.transform.kind]), [[sprintFieldId, 'sprint']]);
  await asAdmin<ConfigSavedResponse>('saveConfig', { revision: current.revision, config });
});

test('Jira → Craft.io: an epic with two stories, a sprint and a release', async () => {
  const epic = (await rest<{ key: string }>('POST', '/rest/api/3/issue', { fields: { project: { key: 'PROD' }, issuetype: { name: 'Epic' }, summary: 'Team workspaces', fixVersions: [{ name: 'Q3 2026' }] } })).key;
  const stories: string[] = [];
  for (const summary of ['Invite by link', 'Workspace roles']) {
    stories.push((await rest<{ key: string }>('POST', '/rest/api/3/issue', { fields: { project: { key: 'PROD' }, issuetype: { name: 'Story' }, summary, parent: { key: epic }, [sprintFieldId]: sprint2 } })).key);
  }
  const epicItem = await waitFor('the epic item', () => Promise.resolve(sandbox.craftio.itemForIssue(epic)), 10_000);
  assert.equal(epicItem.type, 'epics');
  assert.equal(epicItem.release, 'Q3 2026');
  for (const story of stories) {
    const item = await waitFor(`${story}'s feature under the epic`, () => Promise.resolve(sandbox.craftio.itemForIssue(story)?.parent_id === epicItem.id ? sandbox.craftio.itemForIssue(story) : undefined), 10_000);
    assert.equal(item.type, 'features');
    assert.equal(item.sprint, 'Sprint 2');
  }
});

test('Craft.io → Jira: an epic item with two features, a sprint and a release', async () => {
  const { item: epicItem, answer } = await sandbox.craftio.createItem('epics', { title: 'Usage analytics', release: 'Q4 2026' });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const epicKey = String(answer.body.issueKey);
  assert.deepEqual(sandbox.jira.getIssue(epicKey)?.fixVersions, ['Q4 2026']);
  for (const title of ['Daily active users', 'Export to CSV']) {
    const made = await sandbox.craftio.createItem('features', { title, parent_id: epicItem.id, sprint: 'Sprint 1', release: 'Q4 2026' });
    assert.equal(made.answer.status, 200, JSON.stringify(made.answer.body));
    const key = String(made.answer.body.issueKey);
    const issue = sandbox.jira.getIssue(key);
    assert.equal(issue?.issueTypeName, 'Story');
    assert.equal(issue?.parentKey, epicKey);
    assert.deepEqual(issue?.fixVersions, ['Q4 2026']);
    const read = await rest<{ fields: Record<string, Array<{ name: string }> | null> }>('GET', `/rest/api/3/issue/${key}?fields=${sprintFieldId}`);
    assert.deepEqual(read.fields[sprintFieldId]?.map((s) => s.name), ['Sprint 1']);
  }
});

test('the home page feed names the tool each change went to or came from', async () => {
  const feed = (await (await fetch(`${sandbox.info.baseUrl}/__sandbox/activity`)).json()) as { entries: Array<{ direction: string; tool: string; issueKey?: string }> };
  assert.ok(feed.entries.some((e) => e.direction === 'outbound' && e.tool === 'Craft.io'), JSON.stringify(feed.entries));
  assert.ok(feed.entries.some((e) => e.direction === 'inbound' && e.tool === 'Craft.io'), JSON.stringify(feed.entries));
  assert.ok(feed.entries.every((e) => !e.issueKey?.startsWith('PROD-') || e.tool === 'Craft.io'), 'a PROD change is never shown as StackFlow’s');
});

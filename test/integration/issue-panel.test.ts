// The "Tandem" issue panel's resolver on the devkit: the issue comes from Forge's context (the
// module's extension), the viewer's permissions from Jira asked as the viewer, and each state the
// panel shows comes from a real sync with the reference ITSM.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceItsm } from '../../devkit/external/itsm';
import type { ConnectionSyncView, IssueViewResponse, RetryOnIssueResponse, SyncNowResponse } from '../../src/contract/issue';
import { findPreset, type Connection } from '../../src/mapping';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-issue-panel';
const PANEL = 'tandem-issue-panel';
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;
let itsmUrl: string;
let viewer: { accountId: string };
let stranger: { accountId: string };

function stackflow(edit: (c: Connection) => Connection = (c) => c): unknown {
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow', baseUrl: itsmUrl, id: 'stackflow' });
  return { version: 1, connections: [edit({ ...connection, auth: { kind: 'bearer' } })] };
}

before(async () => {
  tandem = await startTandem();
  viewer = tandem.jira.addUser({ displayName: 'Vic Viewer', emailAddress: 'vic@example.com', projectAccess: { OPS: 'browse' } });
  stranger = tandem.jira.addUser({ displayName: 'Sol Stranger', emailAddress: 'sol@example.com', projectAccess: { OPS: 'none' } });
  itsm = new ReferenceItsm({ token: TOKEN, retryDelaysMs: [0] });
  itsmUrl = await itsm.listen();
});

after(async () => {
  await itsm.close();
  await tandem.stop();
});

beforeEach(async () => {
  itsm.setFaults({});
  await configure(tandem.emulator, stackflow(), { 'connection:stackflow:auth': TOKEN });
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

async function createIssue(summary: string, type = 'Bug', project = 'OPS', extra: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: project }, issuetype: { name: type }, summary, ...extra } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: string; key: string };
}

function onIssue<T>(issueKey: string, functionKey: string, payload: unknown = {}, accountId = tandem.agent.accountId): Promise<T> {
  return tandem.emulator.invokeResolver({ moduleKey: PANEL, functionKey, payload, accountId, issueKey }) as Promise<T>;
}

async function stackflowView(issueKey: string, accountId?: string): Promise<ConnectionSyncView> {
  const view = await onIssue<IssueViewResponse>(issueKey, 'getIssueSync', {}, accountId);
  assert.ok(view.ok, JSON.stringify(view));
  const found = view.connections.find((c) => c.connectionId === 'stackflow');
  assert.ok(found, 'the panel shows the StackFlow connection');
  return found;
}

test('a synced bug shows in sync, with its incident, the last sync to the tool and the event', async () => {
  const issue = await createIssue('Checkout returns 500');
  await tandem.emulator.settle();
  const view = await stackflowView(issue.key);
  assert.equal(view.state, 'in-sync');
  assert.equal(view.words, 'In sync.');
  const incident = itsm.records('incidents').find((r) => r.jira_issue_key === issue.key);
  assert.ok(incident);
  assert.equal(view.record?.number, incident.number);
  assert.match(view.record?.url ?? '', /\/records\/incidents\//);
  assert.ok(view.lastToTool, 'the last sync to the tool is shown');
  assert.equal(view.lastFromTool, undefined);
  assert.ok(view.events.some((e) => e.direction === 'outbound' && e.outcome === 'synced'));
});

test('an issue of a type no mapping covers says so', async () => {
  const issue = await createIssue('Rotate keys', 'Task');
  await tandem.emulator.settle();
  const view = await stackflowView(issue.key);
  assert.equal(view.state, 'not-synced');
  assert.equal(view.why, 'no-mapping');
  assert.match(view.words, /no mapping for Task issues in OPS/);
});

test('a mapping one way from the tool, and a JQL filter the issue misses, each say so', async () => {
  await configure(
    tandem.emulator,
    stackflow((c) => ({
      ...c,
      projects: [
        ...c.projects.map((p) => (p.projectKey === 'INFRA' ? { ...p, jql: 'labels = change' } : p)),
        { projectKey: 'OPS', issueType: 'Task', module: 'incidents', direction: 'tool-to-jira', fixedValues: {}, ignoredIssueTypes: [] },
      ],
    })),
  );
  const task = await createIssue('Tidy runbooks', 'Task');
  const infra = await createIssue('Patch the kernel', 'Task', 'INFRA');
  await tandem.emulator.settle();
  const oneWay = await stackflowView(task.key);
  assert.equal(oneWay.why, 'one-way-from-tool');
  assert.match(oneWay.words, /one way/);
  const filtered = await stackflowView(infra.key);
  assert.equal(filtered.why, 'excluded-by-jql');
  assert.match(filtered.words, /labels = change/);
});

test('a refused change shows failed with the tool’s message; fixed and retried, it is in sync again', async () => {
  const issue = await createIssue('Card payments fail');
  await tandem.emulator.settle();
  itsm.setFaults({ status: 422, message: 'Assignment group Platform Engineering is closed' });
  assert.equal((await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Card payments fail in EU' } })).status, 204);
  await tandem.emulator.drain();
  const failed = await stackflowView(issue.key);
  assert.equal(failed.state, 'failed');
  assert.match(failed.toolMessage ?? '', /Assignment group Platform Engineering is closed/);
  assert.match(failed.advice ?? '', /Retry/);
  assert.ok(failed.failureId);

  itsm.setFaults({});
  const retried = await onIssue<RetryOnIssueResponse>(issue.key, 'retrySync', { failureId: failed.failureId });
  assert.deepEqual(retried, { ok: true, queued: true });
  await tandem.emulator.drain();
  const synced = await stackflowView(issue.key);
  assert.equal(synced.state, 'in-sync');
  assert.equal(itsm.records('incidents').find((r) => r.jira_issue_key === issue.key)?.short_description, 'Card payments fail in EU');
});

test('a passing failure shows pending with the next attempt', async () => {
  const issue = await createIssue('Search is slow');
  await tandem.emulator.settle();
  itsm.setFaults({ status: 503 });
  await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Search is very slow' } });
  await tandem.emulator.settle();
  const pending = await stackflowView(issue.key);
  assert.equal(pending.state, 'pending');
  assert.ok(pending.nextAttemptAt, 'the next attempt is shown');
  assert.ok(Date.parse(pending.nextAttemptAt) > Date.parse(pending.events[0]?.at ?? ''));
  itsm.setFaults({});
  await tandem.emulator.drain();
  assert.equal((await stackflowView(issue.key)).state, 'in-sync');
});

test('Sync now makes the record of a bug whose create never arrived: pending, then in sync', async () => {
  tandem.emulator.holdProductEvents();
  const issue = await createIssue('Login loops');
  tandem.emulator.releaseProductEvents();
  await tandem.emulator.settle();
  const before = await stackflowView(issue.key);
  assert.equal(before.state, 'not-synced');
  assert.equal(before.why, 'not-yet');

  const asked = await onIssue<SyncNowResponse>(issue.key, 'syncNow', { connectionId: 'stackflow' });
  assert.deepEqual(asked, { ok: true, queued: true });
  assert.equal((await stackflowView(issue.key)).state, 'pending');
  await tandem.emulator.drain();
  const after = await stackflowView(issue.key);
  assert.equal(after.state, 'in-sync');
  assert.ok(itsm.records('incidents').some((r) => r.jira_issue_key === issue.key), 'the incident was made');
});

test('someone who may only browse the issue sees the panel but cannot change its sync', async () => {
  const issue = await createIssue('Invoices are late');
  await tandem.emulator.settle();
  const view = await onIssue<IssueViewResponse>(issue.key, 'getIssueSync', {}, viewer.accountId);
  assert.ok(view.ok);
  assert.equal(view.canEdit, false);
  for (const [call, payload] of [
    ['syncNow', { connectionId: 'stackflow' }],
    ['retrySync', { failureId: 'failure:stackflow:issue#3a#1' }],
    ['searchRecords', { connectionId: 'stackflow', query: 'INC' }],
    ['linkRecord', { connectionId: 'stackflow', recordId: 'x' }],
    ['unlinkRecord', { connectionId: 'stackflow' }],
  ] as const) {
    const refused = await onIssue<{ ok: boolean; error?: { code: string; message: string } }>(issue.key, call, payload, viewer.accountId);
    assert.equal(refused.ok, false, call);
    assert.equal(refused.error?.code, 'FORBIDDEN', call);
    assert.match(refused.error?.message ?? '', /can edit this issue/);
  }
});

test('someone who cannot browse the issue is shown nothing, by Jira and by the resolver', async () => {
  const issue = await createIssue('Secret outage');
  await tandem.emulator.settle();
  assert.throws(() => tandem.emulator.pageContext(PANEL, stranger.accountId, issue.key), /Jira shows no issue/);
  const page = await fetch(tandem.emulator.pageUrl(PANEL, stranger.accountId, issue.key));
  const frame = /src="([^"]+)"/.exec(await page.text())?.[1];
  assert.ok(frame);
  assert.equal((await fetch(new URL(frame.replace(/&amp;/g, '&'), tandem.emulator.url))).status, 404);
  // A resolver call made anyway (the bridge is just HTTP) is refused by Jira's answer for that user.
  tandem.jira.setProjectAccess(stranger.accountId, 'OPS', 'full');
  const context = tandem.emulator.pageContext(PANEL, stranger.accountId, issue.key);
  tandem.jira.setProjectAccess(stranger.accountId, 'OPS', 'none');
  assert.equal((context.extension as { issue: { key: string } }).issue.key, issue.key);
  const refused = await onIssue<{ ok: boolean; error?: { code: string } }>(issue.key, 'getIssueSync', {}, stranger.accountId).catch((e: unknown) => ({ ok: false, error: { code: String(e) } }));
  assert.equal(refused.ok, false);
});

test('the issue is the one Forge shows the page on, whatever the payload names', async () => {
  const shown = await createIssue('Shown issue');
  const other = await createIssue('Other issue');
  await tandem.emulator.settle();
  itsm.setFaults({ status: 422, message: 'Closed group' });
  await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${other.key}`, { fields: { summary: 'Other issue, edited' } });
  await tandem.emulator.drain();
  itsm.setFaults({});
  const otherFailure = (await stackflowView(other.key)).failureId;
  assert.ok(otherFailure);
  // A failure of another issue cannot be retried from this issue's panel.
  const refused = await onIssue<RetryOnIssueResponse>(shown.key, 'retrySync', { failureId: otherFailure });
  assert.equal(refused.ok, false);
  assert.equal((await stackflowView(other.key)).state, 'failed');
  // An issue named in the payload is not read: the context's issue is the one synced.
  const asked = await onIssue<SyncNowResponse>(shown.key, 'syncNow', { connectionId: 'stackflow', issueId: other.id, issueKey: other.key });
  assert.equal(asked.ok, false, 'a payload with fields the call does not take is refused');
});

// "Link to a record…" and "Unlink" from the issue view, on the devkit with the reference ITSM: the
// search finds the mapped module's records by number and text and says what linking does; a link
// made by hand settles each difference by the conflict policy through ordinary deliveries; Unlink
// ends the link on both sides, deletes nothing, and outbound makes no new record for the issue.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceItsm } from '../../devkit/external/itsm';
import type { ConnectionSyncView, IssueViewResponse, LinkRecordResponse, RecordSearchResponse, SyncNowResponse, UnlinkResponse } from '../../src/contract/issue';
import { findPreset, type Connection } from '../../src/mapping';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-issue-links';
const PANEL = 'tandem-issue-panel';
const LINK = 'tandem-link-record';
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;
let itsmUrl: string;

function stackflow(edit: (c: Connection) => Connection = (c) => c): unknown {
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow', baseUrl: itsmUrl, id: 'stackflow' });
  return { version: 1, connections: [edit({ ...connection, auth: { kind: 'bearer' } })] };
}

const policy = (conflictPolicy: Connection['options']['conflictPolicy']) => (c: Connection): Connection => ({ ...c, options: { ...c.options, conflictPolicy } });

before(async () => {
  tandem = await startTandem();
  itsm = new ReferenceItsm({ token: TOKEN, retryDelaysMs: [0] });
  itsmUrl = await itsm.listen();
});

after(async () => {
  await itsm.close();
  await tandem.stop();
});

beforeEach(async () => {
  itsm.setFaults({});
  await configure(tandem.emulator, stackflow(policy('jira-wins')), { 'connection:stackflow:auth': TOKEN });
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

/** A bug whose created event never reached Tandem: no record was made for it. */
async function unsyncedBug(summary: string): Promise<{ id: string; key: string }> {
  tandem.emulator.holdProductEvents();
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary, priority: { name: 'High' } } });
  tandem.emulator.releaseProductEvents();
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await tandem.emulator.settle();
  return created.body as { id: string; key: string };
}

function incident(shortDescription: string) {
  return itsm.createRecord('incidents', { short_description: shortDescription, description: 'Raised by the service desk', priority: 'P2', assignment_group: 'Platform Engineering' });
}

function onIssue<T>(issueKey: string, functionKey: string, payload: unknown = {}, moduleKey = PANEL): Promise<T> {
  return tandem.emulator.invokeResolver({ moduleKey, functionKey, payload, accountId: tandem.agent.accountId, issueKey }) as Promise<T>;
}

async function stackflowView(issueKey: string): Promise<ConnectionSyncView> {
  const view = await onIssue<IssueViewResponse>(issueKey, 'getIssueSync');
  assert.ok(view.ok, JSON.stringify(view));
  const found = view.connections.find((c) => c.connectionId === 'stackflow');
  assert.ok(found);
  return found;
}

async function summaryOf(issueKey: string): Promise<string> {
  const read = await tandem.rest(asAgent(), 'GET', `/rest/api/3/issue/${issueKey}?fields=summary`);
  return (read.body as { fields: { summary: string } }).fields.summary;
}

function remoteLinks(issueKey: string): Array<{ globalId?: string; object: Record<string, unknown> }> {
  return tandem.jira.getIssue(issueKey)?.remoteLinks ?? [];
}

test('the search finds the incident by number and by text, and says what linking it does', async () => {
  const issue = await unsyncedBug('Printer on floor 3 is on fire');
  const record = incident('Printer on fire, floor 3');
  incident('VPN drops every hour');

  const byNumber = await onIssue<RecordSearchResponse>(issue.key, 'searchRecords', { connectionId: 'stackflow', query: record.number }, LINK);
  assert.ok(byNumber.ok, JSON.stringify(byNumber));
  assert.equal(byNumber.module, 'incidents');
  assert.deepEqual(byNumber.records.map((r) => r.number), [record.number]);
  const found = byNumber.records[0];
  assert.equal(found?.title, 'Printer on fire, floor 3');
  assert.match(byNumber.conflictPolicy, /Jira wins/);
  assert.ok(found?.outcome.some((line) => /summary: differs; Jira’s value is sent to the record/.test(line)), JSON.stringify(found?.outcome));

  const byText = await onIssue<RecordSearchResponse>(issue.key, 'searchRecords', { connectionId: 'stackflow', query: 'vpn' }, LINK);
  assert.ok(byText.ok);
  assert.deepEqual(byText.records.map((r) => r.title), ['VPN drops every hour']);
});

test('a search the tool fails for now asks the person to try again, and promises no retry of its own', async () => {
  const issue = await unsyncedBug('Badge reader stuck');
  incident('Badge reader stuck in lobby');
  itsm.setFaults({ status: 503 });
  try {
    const search = await onIssue<RecordSearchResponse>(issue.key, 'searchRecords', { connectionId: 'stackflow', query: 'badge' }, LINK);
    assert.equal(search.ok, false, JSON.stringify(search));
    const message = JSON.stringify(search);
    assert.match(message, /had an error \(503\)\. Try again in a moment\./);
    assert.doesNotMatch(message, /Tandem will try again/);
  } finally {
    itsm.setFaults({});
  }
});

test('linking by hand under "Jira wins" sends Jira’s values to the record; the panel shows the record with its title', async () => {
  const issue = await unsyncedBug('Checkout returns 502');
  const record = incident('Checkout broken');
  const count = itsm.records('incidents').length;
  const linked = await onIssue<LinkRecordResponse>(issue.key, 'linkRecord', { connectionId: 'stackflow', recordId: record.id }, LINK);
  assert.ok(linked.ok, JSON.stringify(linked));
  assert.equal(linked.linked.number, record.number);
  await tandem.emulator.drain();

  const now = itsm.record('incidents', record.id);
  assert.equal(now?.short_description, 'Checkout returns 502', 'Jira’s summary won');
  assert.equal(now?.jira_issue_key, issue.key, 'the record names the issue');
  assert.equal(itsm.records('incidents').length, count, 'no record was made for the issue');
  assert.equal(await summaryOf(issue.key), 'Checkout returns 502');
  assert.ok(remoteLinks(issue.key).some((l) => l.globalId === `tandem:stackflow:incidents:${record.id}`), 'the issue shows the record');

  const view = await stackflowView(issue.key);
  assert.equal(view.state, 'in-sync');
  assert.equal(view.record?.number, record.number);
  assert.equal(view.record?.title, 'Checkout returns 502', 'the panel shows the record’s title');
});

test('linking by hand under "the tool wins" writes the record’s values to the issue', async () => {
  await configure(tandem.emulator, stackflow(policy('tool-wins')));
  const issue = await unsyncedBug('Mail is slow');
  const record = incident('Exchange queue backs up');
  const linked = await onIssue<LinkRecordResponse>(issue.key, 'linkRecord', { connectionId: 'stackflow', recordId: record.id }, LINK);
  assert.ok(linked.ok, JSON.stringify(linked));
  await tandem.emulator.drain();
  assert.equal(await summaryOf(issue.key), 'Exchange queue backs up', 'the record’s title won');
  assert.equal(itsm.record('incidents', record.id)?.short_description, 'Exchange queue backs up');
  assert.equal(itsm.record('incidents', record.id)?.jira_issue_key, issue.key);
  assert.equal((await stackflowView(issue.key)).state, 'in-sync');
});

test('a record linked to another issue, or an issue linked already, cannot be linked', async () => {
  const first = await unsyncedBug('Disk full on db-1');
  const second = await unsyncedBug('Disk full on db-2');
  const record = incident('Disk full');
  assert.ok((await onIssue<LinkRecordResponse>(first.key, 'linkRecord', { connectionId: 'stackflow', recordId: record.id }, LINK)).ok);
  await tandem.emulator.drain();
  const search = await onIssue<RecordSearchResponse>(second.key, 'searchRecords', { connectionId: 'stackflow', query: record.number }, LINK);
  assert.ok(search.ok);
  assert.equal(search.records[0]?.linkedIssueKey, first.key);
  const taken = await onIssue<LinkRecordResponse>(second.key, 'linkRecord', { connectionId: 'stackflow', recordId: record.id }, LINK);
  assert.equal(taken.ok, false);
  assert.match(taken.ok ? '' : taken.error.message, new RegExp(`linked to ${first.key}`));
  const again = await onIssue<LinkRecordResponse>(first.key, 'linkRecord', { connectionId: 'stackflow', recordId: incident('Other').id }, LINK);
  assert.equal(again.ok, false);
  assert.match(again.ok ? '' : again.error.message, /unlink it first/);
});

test('Unlink ends the link on both sides, deletes nothing, and no new record is made for the issue', async () => {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Badge readers offline' } });
  const issue = created.body as { id: string; key: string };
  await tandem.emulator.settle();
  const record = itsm.recordForIssue(issue.key);
  assert.ok(record, 'the incident was made');
  const before = itsm.records('incidents').length;

  const unlinked = await onIssue<UnlinkResponse>(issue.key, 'unlinkRecord', { connectionId: 'stackflow' }, 'tandem-unlink-record');
  assert.deepEqual(unlinked, { ok: true, unlinked: true });
  assert.equal(itsm.record('incidents', record.id)?.jira_issue_key, null, 'the record no longer names the issue');
  assert.equal(itsm.record('incidents', record.id)?.short_description, 'Badge readers offline', 'the record is kept');
  assert.equal(remoteLinks(issue.key).length, 0, 'the issue no longer shows the record');
  const view = await stackflowView(issue.key);
  assert.equal(view.state, 'not-synced');
  assert.equal(view.why, 'unlinked');
  assert.equal(view.linkableModule, 'incidents');

  // Edits and Sync now make no new record: outbound's create path respects the unlink.
  assert.equal((await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Badge readers offline in B2' } })).status, 204);
  await tandem.emulator.drain();
  const refused = await onIssue<SyncNowResponse>(issue.key, 'syncNow', { connectionId: 'stackflow' });
  assert.equal(refused.ok, false);
  await tandem.emulator.drain();
  assert.equal(itsm.records('incidents').length, before, 'no record was made');
  assert.equal(itsm.record('incidents', record.id)?.short_description, 'Badge readers offline', 'nothing more was sent to the record');

  // Linking it again by hand syncs it again.
  assert.ok((await onIssue<LinkRecordResponse>(issue.key, 'linkRecord', { connectionId: 'stackflow', recordId: record.id }, LINK)).ok);
  await tandem.emulator.drain();
  assert.equal(itsm.record('incidents', record.id)?.short_description, 'Badge readers offline in B2');
  assert.equal((await stackflowView(issue.key)).state, 'in-sync');
});

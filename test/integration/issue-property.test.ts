// Each issue's sync state in JQL: the tandem-sync issue property, indexed by the manifest's
// jira:entityProperty module, found through the Jira simulator's search by Tandem's aliases; written
// in the delivery that changes the state, and only then.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceItsm } from '../../devkit/external/itsm';
import type { UnlinkResponse } from '../../src/contract/issue';
import { findPreset } from '../../src/mapping';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-issue-property';
const PROPERTY_PUT = 'PUT /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}';
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;

before(async () => {
  tandem = await startTandem();
  itsm = new ReferenceItsm({ token: TOKEN, retryDelaysMs: [0] });
  const url = await itsm.listen();
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow', baseUrl: url, id: 'stackflow' });
  await configure(tandem.emulator, { version: 1, connections: [{ ...connection, auth: { kind: 'bearer' } }] }, { 'connection:stackflow:auth': TOKEN });
});

after(async () => {
  await itsm.close();
  await tandem.stop();
});

beforeEach(() => itsm.setFaults({}));

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

/** What JQL finds once Jira's search has caught up with the writes so far. */
async function search(jql: string): Promise<string[]> {
  await tandem.searchCaughtUp();
  const found = await tandem.rest(asAgent(), 'POST', '/rest/api/3/search/jql', { jql, fields: ['summary'] });
  assert.equal(found.status, 200, JSON.stringify(found.body));
  return (found.body as { issues: Array<{ key: string }> }).issues.map((i) => i.key);
}

async function bug(summary: string): Promise<{ id: string; key: string }> {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary } });
  assert.equal(created.status, 201);
  await tandem.emulator.settle();
  return created.body as { id: string; key: string };
}

test('a synced issue is found by its state, connection and record; an edit that keeps it in sync writes nothing more', async () => {
  const issue = await bug('Checkout returns 500');
  const record = itsm.recordForIssue(issue.key);
  assert.ok(record);
  assert.ok((await search('tandemState = synced AND tandemConnection = stackflow')).includes(issue.key));
  assert.deepEqual(await search(`tandemRecord = ${record.number}`), [issue.key]);
  assert.ok((await search('tandemLastSync >= -1h')).includes(issue.key));

  tandem.emulator.calls.reset();
  assert.equal((await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Checkout returns 500 for EU cards' } })).status, 204);
  await tandem.emulator.settle();
  assert.equal(itsm.record('incidents', record.id)?.short_description, 'Checkout returns 500 for EU cards');
  assert.equal(tandem.emulator.calls.jira.get(PROPERTY_PUT) ?? 0, 0, 'the state did not change, so the property is not written');
});

test('a failure is found by tandemState = failed, and leaves that state once retried', async () => {
  const issue = await bug('Invoices are late');
  itsm.setFaults({ status: 422, message: 'Assignment group is closed' });
  await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Invoices are very late' } });
  await tandem.emulator.drain();
  assert.ok((await search('tandemState = failed')).includes(issue.key));
  assert.ok((await search('issue.property[tandem-sync].states = failed')).includes(issue.key), 'the property’s own name finds it too');
  assert.ok(!(await search('tandemState = synced')).includes(issue.key));

  itsm.setFaults({});
  await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Invoices are late again' } });
  await tandem.emulator.drain();
  assert.ok(!(await search('tandemState = failed')).includes(issue.key));
  assert.ok((await search('tandemState = synced')).includes(issue.key));
});

test('an unlinked issue is found by tandemState = unlinked', async () => {
  const issue = await bug('Badge readers offline');
  const unlinked = (await tandem.emulator.invokeResolver({ moduleKey: 'tandem-unlink-record', functionKey: 'unlinkRecord', payload: { connectionId: 'stackflow' }, accountId: tandem.agent.accountId, issueKey: issue.key })) as UnlinkResponse;
  assert.ok(unlinked.ok);
  assert.ok((await search('tandemState = unlinked')).includes(issue.key));
  await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Badge readers offline in B2' } });
  await tandem.emulator.drain();
  assert.ok((await search('tandemState = unlinked')).includes(issue.key), 'it stays unlinked');
});

// Deleting a connection takes what Tandem kept for it (links, shadows, failures, refused calls, secrets) and leaves
// the tool's records and the Jira issues; the last connection test is kept across reloads.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  AddConnectionResponse,
  ConnectionTestsResponse,
  DeleteConnectionResponse,
  RefusedCallsResponse,
  SetConnectionSecretResponse,
  TestConnectionResponse,
} from '../../src/contract/admin';
import { ReferenceItsm } from '../../devkit/external/itsm';
import { startTandem, stored, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-delete-8c1d';
let tandem: TandemOnDevkit;
let tool: ReferenceItsm;
let toolUrl: string;

before(async () => {
  tandem = await startTandem();
  tool = new ReferenceItsm({ token: TOKEN });
  toolUrl = await tool.listen();
  const added = await tandem.adminCall<AddConnectionResponse>('addConnection', { revision: await tandem.configRevision(), presetId: 'stackflow-itsm', name: 'StackFlow', url: toolUrl });
  assert.ok(added.ok, JSON.stringify(added));
  const secret = await tandem.adminCall<SetConnectionSecretResponse>('setConnectionSecret', { connectionId: 'stackflow', kind: 'auth', secret: TOKEN });
  assert.ok(secret.ok, JSON.stringify(secret));
});

after(async () => {
  await tool.close();
  await tandem.stop();
});

test('the last connection test is kept, with its time, for the page after a reload', async () => {
  const tested = await tandem.adminCall<TestConnectionResponse>('testConnection', { connectionId: 'stackflow' });
  assert.ok(tested.ok && tested.verdict === 'ok', JSON.stringify(tested));
  const kept = await tandem.adminCall<ConnectionTestsResponse>('getConnectionTests');
  assert.ok(kept.ok);
  assert.equal(kept.tests.stackflow?.verdict, 'ok');
  assert.equal(kept.tests.stackflow?.testedAt, tested.testedAt);
});

test('deleting a connection removes its links, shadows, failures, refused calls and secrets; records and issues stay', async () => {
  const created = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Printer on fire' },
  });
  assert.equal(created.status, 201);
  const issue = created.body as { id: string; key: string };
  await tandem.emulator.drain();
  const links = (await stored(tandem.emulator, `issue:${issue.id}`)) as { links: Record<string, unknown> } | undefined;
  assert.ok(links?.links.stackflow, 'the issue is linked to a record');
  const records = tool.records('incidents');
  assert.equal(records.length, 1);

  // What a rotation and a retirement leave: the retired secret and the previous secret's use.
  await tandem.emulator.kvs.handle('/api/v1/secret/set', { key: 'connection:stackflow:inbound-retired', value: '{"secret":"x","retiredAt":"2026-12-01T00:00:00.000Z"}' });
  await tandem.emulator.kvs.handle('/api/v1/set', { key: 'previous-secret-use:stackflow:1764547200000', value: { count: 2 } });

  // A call the inbound URL refused is listed for the connection on the Activity tab.
  const refused = await fetch(`${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tandem-signature': 't=1,v1=00' }, body: '{}' });
  assert.equal(refused.status, 401);
  const listed = await tandem.adminCall<RefusedCallsResponse>('getRefusedCalls', { connectionId: 'stackflow' });
  assert.ok(listed.ok && listed.calls.length === 1, JSON.stringify(listed));

  const deleted = await tandem.adminCall<DeleteConnectionResponse>('deleteConnection', { revision: await tandem.configRevision(), connectionId: 'stackflow' });
  assert.ok(deleted.ok, JSON.stringify(deleted));
  assert.deepEqual(deleted.removed, { links: 1, failures: 0 });
  const after = await tandem.adminCall<RefusedCallsResponse>('getRefusedCalls', {});
  assert.ok(after.ok);
  assert.deepEqual(after.calls, [], 'the refused calls of the deleted connection are gone with it');
  assert.deepEqual(deleted.config.connections, []);

  assert.equal(await stored(tandem.emulator, `issue:${issue.id}`), undefined, 'the link and its shadow are gone');
  const entries = tandem.emulator.kvs.entries();
  const left = [...Object.keys(entries.kv), ...Object.keys(entries.secrets)].filter((key) => key.includes('stackflow') && !key.startsWith('activity:') && !key.startsWith('link-history:'));
  assert.deepEqual(left, [], 'nothing kept for the connection but its activity log and link counts');
  assert.equal(tool.records('incidents').length, 1, 'the record stays in the tool');
  const still = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'GET', `/rest/api/3/issue/${issue.key}`);
  assert.equal(still.status, 200, 'the issue stays in Jira');

  // An edit of the issue now reaches no tool.
  const before = tool.requests.length;
  await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Printer still on fire' } });
  await tandem.emulator.drain();
  assert.equal(tool.requests.length, before);
});

test('a connection that is not there any more cannot be deleted', async () => {
  const answer = await tandem.adminCall<DeleteConnectionResponse>('deleteConnection', { revision: await tandem.configRevision(), connectionId: 'stackflow' });
  assert.equal(answer.ok, false);
  if (!answer.ok) assert.equal(answer.error.code, 'NOT_FOUND');
});

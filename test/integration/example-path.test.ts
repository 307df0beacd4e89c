// The foundation's path end to end on real SDKs: a Jira change fires Tandem's trigger, the trigger
// stores and queues, the consumer reads Jira; the web trigger answers over HTTP; the admin resolver
// answers an admin and refuses anyone else.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTandem, stored, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;

before(async () => {
  tandem = await startTandem();
});

after(async () => {
  await tandem.stop();
});

test('an issue a user creates is noted, queued and read back from Jira as the app', async () => {
  const created = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Checkout page returns 500' },
  });
  assert.equal(created.status, 201);
  const { id, key } = created.body as { id: string; key: string };
  await tandem.emulator.settle();

  assert.deepEqual(
    { ...(await stored(tandem.emulator, 'change:last') as Record<string, unknown>), at: undefined },
    { eventType: 'avi:jira:created:issue', issueId: id, issueKey: key, at: undefined },
  );
  const seen = (await stored(tandem.emulator, `seen:${id}`)) as Record<string, unknown>;
  assert.equal(seen.key, key);
  assert.equal(seen.summary, 'Checkout page returns 500');
  assert.equal(seen.statusName, 'To Do');
  assert.deepEqual(tandem.emulator.queue.failed, []);
  assert.deepEqual(tandem.emulator.contractViolations, []);
});

test('the inbound web trigger answers JSON over HTTP', async () => {
  const url = tandem.emulator.webTriggerUrl('tandem-inbound');
  const root = await fetch(url);
  assert.equal(root.status, 200);
  assert.equal(root.headers.get('content-type'), 'application/json');
  const unknown = await fetch(`${url}/no-such-connection`, { method: 'POST', body: '{}' });
  assert.equal(unknown.status, 404);
  assert.deepEqual(await unknown.json(), { error: 'unknown_connection', message: 'No connection no-such-connection is configured' });
});

test('the admin resolver answers a Jira admin and refuses anyone else', async () => {
  const overview = await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey: 'getOverview', payload: {}, accountId: tandem.admin.accountId });
  assert.deepEqual(overview, { appVersion: '0.1.0', connections: 0, viewer: { accountId: tandem.admin.accountId } });
  await assert.rejects(
    tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey: 'getOverview', payload: {}, accountId: tandem.agent.accountId }),
    /FORBIDDEN: Only Jira administrators can configure Tandem/,
  );
});

// Tandem's entry points on real SDKs: the web trigger answers over HTTP; the admin resolver answers
// an admin and refuses anyone else. (The Jira triggers and the queue are proven in outbound.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTandem, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;

before(async () => {
  tandem = await startTandem();
});

after(async () => {
  await tandem.stop();
});

test('the inbound web trigger answers JSON over HTTP', async () => {
  const url = tandem.emulator.webTriggerUrl('tandem-inbound');
  const root = await fetch(url);
  assert.equal(root.status, 200);
  assert.equal(root.headers.get('content-type'), 'application/json');
  const unknown = await fetch(`${url}/no-such-connection`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(unknown.status, 404);
  assert.deepEqual(await unknown.json(), { error: 'unknown_connection', message: 'No connection no-such-connection is configured' });
});

test('the admin resolver answers a Jira admin and refuses anyone else', async () => {
  const overview = await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey: 'getOverview', payload: {}, accountId: tandem.admin.accountId });
  assert.deepEqual(overview, { ok: true, appVersion: '0.1.0', connections: 0, viewer: { accountId: tandem.admin.accountId, displayName: 'Ada Admin' } });
  assert.deepEqual(await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey: 'getOverview', payload: {}, accountId: tandem.agent.accountId }), {
    ok: false,
    error: { code: 'FORBIDDEN', message: 'Only Jira administrators can configure Tandem.' },
  });
});

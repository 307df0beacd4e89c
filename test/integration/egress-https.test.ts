// Forge fetch is HTTPS only. A connection whose tool address is plain http:// is refused where the
// admin saves it, with the field and what to do; only the devkit's loopback tools are exempt, and
// only because whoever started the platform said so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddConnectionResponse, ConfigSavedResponse, FailuresResponse, GetConfigResponse } from '../../src/contract/admin';
import { findPreset } from '../../src/mapping';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;

before(async () => {
  tandem = await startTandem();
});

after(async () => {
  await tandem.stop();
});

test('a tool at a plain http:// address is refused with the field to fix; https:// is saved', async () => {
  const plain = await tandem.adminCall<AddConnectionResponse>('addConnection', { revision: await tandem.configRevision(), presetId: 'stackflow-itsm', name: 'Plain', url: 'http://itsm.example.com' });
  assert.equal(plain.ok, false);
  if (plain.ok) return;
  assert.equal(plain.error.code, 'INVALID');
  assert.match(plain.error.message, /HTTPS only: use an address that starts with https:\/\//);
  assert.deepEqual(plain.error.fieldErrors?.map((e) => e.path), ['connections.0.baseUrl']);
  assert.equal(tandem.emulator.calls.egress.size, 0, 'nothing was sent to the tool');

  const secure = await tandem.adminCall<AddConnectionResponse>('addConnection', { revision: await tandem.configRevision(), presetId: 'stackflow-itsm', name: 'Secure', url: 'https://itsm.example.com' });
  assert.equal(secure.ok, true, JSON.stringify(secure));
});

test('an edit that turns a saved address into plain http:// is refused and changes nothing', async () => {
  const current = await tandem.adminCall<GetConfigResponse>('getConfig');
  assert.ok(current.ok);
  const edited = structuredClone(current.config);
  const first = edited.connections[0];
  assert.ok(first && first.protocol === 'record-rest');
  first.baseUrl = 'http://itsm.example.com';
  const saved = await tandem.adminCall<ConfigSavedResponse>('saveConfig', { revision: current.revision, config: edited });
  assert.equal(saved.ok, false);
  const after = await tandem.adminCall<GetConfigResponse>('getConfig');
  assert.ok(after.ok);
  assert.equal(after.revision, current.revision);
  assert.equal(after.config.connections[0]?.protocol === 'record-rest' ? after.config.connections[0].baseUrl : undefined, 'https://itsm.example.com');
});

test('the sandbox and the tests reach their loopback tools over http, because the platform was started so', async () => {
  const local = await tandem.adminCall<AddConnectionResponse>('addConnection', { revision: await tandem.configRevision(), presetId: 'stackflow-itsm', name: 'Local', url: 'http://127.0.0.1:9' });
  assert.equal(local.ok, true, JSON.stringify(local));
});

test('a connection saved with a plain http:// address before this rule fails its delivery with words that say what to change', async () => {
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'Old', baseUrl: 'http://itsm.example.com', id: 'old' });
  await configure(tandem.emulator, { version: 1, connections: [{ ...connection, auth: { kind: 'bearer' } }] }, { 'connection:old:auth': 'token-old' });
  const created = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Plain old tool' } });
  assert.equal(created.status, 201);
  await tandem.emulator.drain();
  const failures = await tandem.adminCall<FailuresResponse>('getFailures', {});
  assert.ok(failures.ok);
  const failure = failures.failures.find((f) => f.connectionId === 'old');
  assert.match(failure?.explanation ?? '', /HTTPS only: change itsm\.example\.com to an address that starts with https:\/\//);
  assert.equal(tandem.emulator.calls.egress.size, 0, 'no request left for the plain address');
});

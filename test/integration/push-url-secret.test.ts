// A push URL that carries the tool's key (Flashduty's `?integration_key=…`) is a secret: kept in
// Forge secret storage, masked in the configuration the page sees, never exported, replaceable like
// a token; pushes still go to the real URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  AddConnectionResponse,
  AdminCallName,
  ConfigSavedResponse,
  ExportConfigResponse,
  GetConfigResponse,
  SetConnectionSecretResponse,
} from '../../src/contract/admin';
import { FlashdutyStandIn } from '../../devkit/external/tools/flashduty';
import { startTandem, stored, type TandemOnDevkit } from '../support/devkit';

const KEY = 'fd-integration-key-secret-51c2';
const NEW_KEY = 'fd-integration-key-rotated-9e07';
let tandem: TandemOnDevkit;
let flashduty: FlashdutyStandIn;
const answers: unknown[] = [];

async function call<T>(functionKey: AdminCallName, payload: unknown = {}): Promise<T> {
  const answer = await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey, payload, accountId: tandem.admin.accountId });
  answers.push(answer);
  return answer as T;
}

async function current(): Promise<Extract<GetConfigResponse, { ok: true }>> {
  const answer = await call<GetConfigResponse>('getConfig');
  assert.ok(answer.ok);
  return answer;
}

async function pushedWith(tool: FlashdutyStandIn, key: string, summary: string): Promise<boolean> {
  const created = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary, labels: ['change'] },
  });
  assert.equal(created.status, 201);
  await tandem.emulator.settle();
  const issueKey = (created.body as { key: string }).key;
  return tool.changesFor(issueKey).length === 1 && tool.requests.some((r) => r.path.includes(`integration_key=${key}`));
}

before(async () => {
  tandem = await startTandem();
  flashduty = new FlashdutyStandIn(KEY);
  await flashduty.listen();
});

after(async () => {
  await flashduty.close();
  await tandem.stop();
});

test('added with its push URL, the key is kept in secret storage and the page sees it masked', async () => {
  const added = await call<AddConnectionResponse>('addConnection', { revision: (await current()).revision, presetId: 'flashduty-changes', name: 'Flashduty', url: flashduty.pushUrl });
  assert.ok(added.ok, JSON.stringify(added));
  const connection = added.config.connections[0];
  assert.ok(connection?.protocol === 'jira-webhook');
  assert.match(connection.webhook.pushUrl, /\/event\/push\/change\/jira\?integration_key=\*\*\*\*$/);
  assert.ok(connection.webhook.pushUrlSetAt);
  assert.equal(tandem.emulator.kvs.entries().secrets['connection:flashduty:push-url'] !== undefined, true, 'the URL is a secret');
  assert.doesNotMatch(JSON.stringify(await stored(tandem.emulator, 'config')), new RegExp(KEY), 'the configuration holds no key');
  assert.ok(await pushedWith(flashduty, KEY, 'Roll out v2'), 'pushes go to the real URL');
});

test('never exported; a save from the page keeps the secret URL', async () => {
  const exported = await call<ExportConfigResponse>('exportConfig');
  assert.ok(exported.ok);
  assert.doesNotMatch(exported.json, new RegExp(KEY));
  assert.doesNotMatch(exported.json, /pushUrlSetAt/);

  const view = await current();
  const next = structuredClone(view.config);
  const first = next.connections[0];
  assert.ok(first);
  first.name = 'Flashduty (prod)';
  const saved = await call<ConfigSavedResponse>('saveConfig', { revision: view.revision, config: next });
  assert.ok(saved.ok, JSON.stringify(saved));
  assert.ok(await pushedWith(flashduty, KEY, 'Roll out v3'));
});

test('editing around the mask is refused: the whole new URL has to be pasted', async () => {
  const view = await current();
  const next = structuredClone(view.config);
  const first = next.connections[0];
  assert.ok(first?.protocol === 'jira-webhook');
  first.webhook.pushUrl = first.webhook.pushUrl.replace('127.0.0.1', 'localhost');
  const saved = await call<ConfigSavedResponse>('saveConfig', { revision: view.revision, config: next });
  assert.equal(saved.ok, false);
  if (!saved.ok) assert.deepEqual(saved.error.fieldErrors?.map((e) => e.path), ['connections.0.webhook.pushUrl']);
});

test('replaced like a token: the new URL is secret too, and pushes use it', async () => {
  const rotated = new FlashdutyStandIn(NEW_KEY);
  await rotated.listen();
  after(() => rotated.close());
  const replaced = await call<SetConnectionSecretResponse>('setConnectionSecret', { connectionId: 'flashduty', kind: 'push-url', secret: rotated.pushUrl });
  assert.ok(replaced.ok, JSON.stringify(replaced));
  const connection = replaced.config.connections[0];
  assert.ok(connection?.protocol === 'jira-webhook');
  assert.match(connection.webhook.pushUrl, /integration_key=\*\*\*\*$/);
  assert.ok(await pushedWith(rotated, NEW_KEY, 'Roll out v4'));
  assert.doesNotMatch(JSON.stringify(answers), new RegExp(`${KEY}|${NEW_KEY}`), 'no answer to the page holds a key');
});

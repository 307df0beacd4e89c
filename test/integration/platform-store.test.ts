// Tandem's storage adapter on the emulated Forge storage, through the real @forge/kvs client.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTandem, type TandemOnDevkit } from '../support/devkit';
import type { StorePort } from '../../src/sync/ports';

let tandem: TandemOnDevkit;
let store: StorePort;

before(async () => {
  tandem = await startTandem();
  // Loaded after the emulator: the SDKs must find the platform globals when they load.
  store = (await import('../../src/platform/store')).forgeStore;
});

after(async () => {
  await tandem.stop();
});

test('create is atomic: the second create of a key loses until its TTL runs out', async () => {
  assert.equal(await store.create('lock:create:10001', { by: 'first' }, 60), true);
  assert.equal(await store.create('lock:create:10001', { by: 'second' }, 60), false);
  assert.deepEqual(await store.get('lock:create:10001'), { by: 'first' });
  await tandem.emulator.advance(61_000);
  assert.equal(await store.create('lock:create:10001', { by: 'third' }, 60), true);
});

test('getMany reads more keys than one batch holds', async () => {
  await store.writeAll(Array.from({ length: 20 }, (_, i) => ({ key: `link:a:${i}`, value: i })));
  await store.writeAll(Array.from({ length: 20 }, (_, i) => ({ key: `link:b:${i}`, value: i })));
  const keys = [...Array.from({ length: 20 }, (_, i) => `link:a:${i}`), ...Array.from({ length: 20 }, (_, i) => `link:b:${i}`), 'link:missing'];
  const found = await store.getMany(keys);
  assert.equal(found.size, 40);
  assert.equal(found.get('link:b:19'), 19);
  assert.equal(found.has('link:missing'), false);
});

test('list pages through a prefix with a cursor', async () => {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list('link:a:', { limit: 7, ...(cursor ? { cursor } : {}) });
    seen.push(...page.entries.map((e) => e.key));
    cursor = page.cursor;
  } while (cursor);
  assert.equal(seen.length, 20);
  assert.ok(seen.every((key) => key.startsWith('link:a:')));
});

test('writeAll applies deletes and sets together, and refuses more than 25 writes', async () => {
  await store.writeAll([{ key: 'link:a:0', delete: true }, { key: 'shadow:x', value: { summary: 'h1' } }]);
  assert.equal(await store.get('link:a:0'), undefined);
  assert.deepEqual(await store.get('shadow:x'), { summary: 'h1' });
  await assert.rejects(store.writeAll(Array.from({ length: 26 }, (_, i) => ({ key: `x:${i}`, value: i }))), /At most 25 writes/);
});

test('secrets are kept apart from ordinary keys', async () => {
  await store.setSecret('secret:connection:itsm', 'token-123');
  assert.equal(await store.getSecret('secret:connection:itsm'), 'token-123');
  assert.equal(await store.get('secret:connection:itsm'), undefined);
  await store.deleteSecret('secret:connection:itsm');
  assert.equal(await store.getSecret('secret:connection:itsm'), undefined);
});

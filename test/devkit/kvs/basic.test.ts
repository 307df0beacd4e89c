// Single-key storage through the real @forge/kvs client: get/set/delete, TTL, key policy, return values, secrets.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ForgeKvsAPIError, MetadataField, WhereConditions, advance, clock, currentService, kvs } from './setup';

function apiError(code: string, status: number) {
  return (error: unknown) => {
    assert.ok(error instanceof ForgeKvsAPIError, `expected ForgeKvsAPIError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.responseDetails.status, status);
    return true;
  };
}

beforeEach(() => currentService().clear());

test('set, get and delete JSON values', async () => {
  await kvs.set('config:main', { url: 'https://tool.example', retries: 3, tags: ['a', 'b'] });
  await kvs.set('count', 42);
  await kvs.set('flag', false);
  await kvs.set('name with spaces #1', 'text');
  assert.deepEqual(await kvs.get('config:main'), { url: 'https://tool.example', retries: 3, tags: ['a', 'b'] });
  assert.equal(await kvs.get('count'), 42);
  assert.equal(await kvs.get('flag'), false);
  assert.equal(await kvs.get('name with spaces #1'), 'text');

  await kvs.delete('count');
  assert.equal(await kvs.get('count'), undefined);
  assert.deepEqual(Object.keys(currentService().entries().kv).sort(), ['config:main', 'flag', 'name with spaces #1']);
});

test('a missing key reads as undefined and deleting it is not an error', async () => {
  assert.equal(await kvs.get('nothing-here'), undefined);
  assert.equal(await kvs.get('nothing-here', { metadataFields: [MetadataField.CREATED_AT] }), undefined);
  await kvs.delete('nothing-here');
});

test('stored values are copies, not shared with the caller', async () => {
  const value = { list: [1] };
  await kvs.set('copy', value);
  value.list.push(2);
  assert.deepEqual(await kvs.get('copy'), { list: [1] });
});

test('metadata fields: createdAt/updatedAt in epoch seconds, expireTime as ISO text', async () => {
  const created = clock();
  await kvs.set('meta', 'v1', { ttl: { value: 1, unit: 'HOURS' } });
  advance(5_000);
  await kvs.set('meta', 'v2', { ttl: { value: 1, unit: 'HOURS' } });
  const result = await kvs.get('meta', { metadataFields: [MetadataField.CREATED_AT, MetadataField.UPDATED_AT, MetadataField.EXPIRE_TIME] });
  assert.deepEqual(result, {
    key: 'meta',
    value: 'v2',
    createdAt: Math.floor(created / 1000),
    updatedAt: Math.floor((created + 5_000) / 1000),
    expireTime: new Date(created + 5_000 + 3_600_000).toISOString().replace('.000Z', 'Z'),
  });
  const onlyCreated = await kvs.get('meta', { metadataFields: [MetadataField.CREATED_AT] });
  assert.deepEqual(onlyCreated, { key: 'meta', value: 'v2', createdAt: Math.floor(created / 1000) });
});

test('TTL: an expired key reads as absent and leaves queries', async () => {
  await kvs.set('session:1', 'short', { ttl: { value: 30, unit: 'SECONDS' } });
  await kvs.set('session:2', 'long', { ttl: { value: 2, unit: 'DAYS' } });
  await kvs.set('session:3', 'forever');
  advance(29_000);
  assert.equal(await kvs.get('session:1'), 'short');
  advance(1_000);
  assert.equal(await kvs.get('session:1'), undefined);
  const { results } = await kvs.query().where('key', WhereConditions.beginsWith('session:')).getMany();
  assert.deepEqual(results.map((r) => r.key), ['session:2', 'session:3']);
  advance(2 * 86_400_000);
  assert.equal(await kvs.get('session:2'), undefined);
  assert.equal(await kvs.get('session:3'), 'forever');
  assert.deepEqual(currentService().entries().kv, { 'session:3': 'forever' });
});

test('TTL minutes, and a plain set clears an earlier TTL', async () => {
  await kvs.set('m', 1, { ttl: { value: 2, unit: 'MINUTES' } });
  await kvs.set('m', 2);
  advance(3 * 60_000);
  assert.equal(await kvs.get('m'), 2);
});

test('FAIL_IF_EXISTS: atomic create, rejected while the key lives, allowed again after its TTL', async () => {
  await kvs.set('lock:job', 'owner-a', { keyPolicy: 'FAIL_IF_EXISTS', ttl: { value: 60, unit: 'SECONDS' } });
  await assert.rejects(kvs.set('lock:job', 'owner-b', { keyPolicy: 'FAIL_IF_EXISTS', ttl: { value: 60, unit: 'SECONDS' } }), apiError('KEY_CONFLICT', 409));
  assert.equal(await kvs.get('lock:job'), 'owner-a');

  // OVERRIDE (the default policy) replaces.
  await kvs.set('plain', 1, { keyPolicy: 'OVERRIDE' });
  await kvs.set('plain', 2, { keyPolicy: 'OVERRIDE' });
  assert.equal(await kvs.get('plain'), 2);

  advance(60_000);
  await kvs.set('lock:job', 'owner-b', { keyPolicy: 'FAIL_IF_EXISTS' });
  assert.equal(await kvs.get('lock:job'), 'owner-b');

  // Only one of many concurrent creates wins.
  const outcomes = await Promise.allSettled(
    Array.from({ length: 10 }, (_, i) => kvs.set('lock:race', `owner-${i}`, { keyPolicy: 'FAIL_IF_EXISTS' })),
  );
  assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
});

test('returnValue PREVIOUS and LATEST with returnMetadataFields', async () => {
  const first = await kvs.set('rv', 'one', { keyPolicy: 'OVERRIDE', returnValue: 'PREVIOUS' });
  assert.equal(first, undefined, 'no previous value');

  const latest = await kvs.set('rv', 'two', {
    keyPolicy: 'OVERRIDE',
    returnValue: 'LATEST',
    returnMetadataFields: [MetadataField.CREATED_AT, MetadataField.UPDATED_AT],
  });
  assert.deepEqual(latest, { key: 'rv', value: 'two', createdAt: Math.floor(clock() / 1000), updatedAt: Math.floor(clock() / 1000) });

  const previous = await kvs.set('rv', 'three', { keyPolicy: 'OVERRIDE', returnValue: 'PREVIOUS' });
  assert.deepEqual(previous, { key: 'rv', value: 'two' });
  assert.equal(await kvs.get('rv'), 'three');
});

test('secrets are stored apart: set/get/delete, never in queries or the plain store', async () => {
  await kvs.setSecret('token:tool', { apiKey: 's3cret' });
  await kvs.set('token:public', 'visible');
  assert.deepEqual(await kvs.getSecret('token:tool'), { apiKey: 's3cret' });
  assert.equal(await kvs.get('token:tool'), undefined, 'a secret is not readable as a plain key');
  assert.equal(await kvs.getSecret('token:public'), undefined, 'a plain key is not readable as a secret');

  const { results } = await kvs.query().where('key', WhereConditions.beginsWith('token:')).getMany();
  assert.deepEqual(results.map((r) => r.key), ['token:public']);
  assert.deepEqual(currentService().entries().secrets, { 'token:tool': { apiKey: 's3cret' } });

  await assert.rejects(kvs.setSecret('token:tool', 'again', { keyPolicy: 'FAIL_IF_EXISTS' }), apiError('KEY_CONFLICT', 409));
  await kvs.deleteSecret('token:tool');
  assert.equal(await kvs.getSecret('token:tool'), undefined);
  await kvs.deleteSecret('token:tool');
});

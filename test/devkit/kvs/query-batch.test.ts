// Queries, batches and transactions through the real @forge/kvs client.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Filter, FilterConditions, ForgeKvsAPIError, MetadataField, WhereConditions, currentService, kvs } from './setup';

function apiError(code: string, status: number) {
  return (error: unknown) => {
    assert.ok(error instanceof ForgeKvsAPIError, `expected ForgeKvsAPIError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.responseDetails.status, status);
    return true;
  };
}

const pad = (i: number) => String(i).padStart(3, '0');

beforeEach(() => currentService().clear());

test('query beginsWith pages over 250 keys in key order with limit and cursor', async () => {
  // Written in a scrambled order, so the ordering comes from the service.
  for (let i = 0; i < 250; i++) await kvs.set(`item:${pad((i * 7) % 250)}`, { n: (i * 7) % 250 });
  await kvs.set('other:1', 'x');
  await kvs.set('item', 'no colon, no match');

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    let query = kvs.query().where('key', WhereConditions.beginsWith('item:')).limit(100);
    if (cursor) query = query.cursor(cursor);
    const page = await query.getMany<{ n: number }>();
    pages++;
    for (const r of page.results) {
      assert.equal(r.value.n, Number(r.key.slice(5)));
      seen.push(r.key);
    }
    cursor = page.nextCursor;
  } while (cursor);
  assert.equal(pages, 3);
  assert.deepEqual(seen, Array.from({ length: 250 }, (_, i) => `item:${pad(i)}`));

  const first = await kvs.query().where('key', WhereConditions.beginsWith('item:')).getOne<{ n: number }>();
  assert.deepEqual(first, { key: 'item:000', value: { n: 0 } });
  const all = await kvs.query().limit(100).getMany();
  assert.equal(all.results.length, 100);
  const last = await kvs.query().where('key', WhereConditions.beginsWith('other')).getMany();
  assert.deepEqual(last, { results: [{ key: 'other:1', value: 'x' }], nextCursor: undefined });
});

test('query metadata fields and limit above 100', async () => {
  await kvs.set('q:1', 1);
  const { results } = await kvs.query({ metadataFields: [MetadataField.CREATED_AT] }).where('key', WhereConditions.beginsWith('q:')).getMany();
  assert.equal(typeof results[0]?.value, 'number');
  assert.ok('createdAt' in (results[0] ?? {}));
  await assert.rejects(kvs.query().limit(101).getMany(), apiError('BAD_REQUEST', 400));
  await assert.rejects(kvs.query().cursor('not-a-cursor').getMany(), apiError('BAD_REQUEST', 400));
});

test('batch set, get and delete with per-key results', async () => {
  const items = Array.from({ length: 25 }, (_, i) => ({ key: `b:${pad(i)}`, value: { i } }));
  const set = await kvs.batchSet<unknown>([...items.slice(0, 24), { key: 'bad/key', value: 1 }]);
  assert.equal(set.successfulKeys.length, 24);
  assert.deepEqual(set.successfulKeys[0], { key: 'b:000' });
  assert.equal(set.failedKeys.length, 1);
  assert.equal(set.failedKeys[0]?.key, 'bad/key');
  assert.equal(set.failedKeys[0]?.error.code, 'INVALID_KEY');

  const got = await kvs.batchGet<{ i: number }>([{ key: 'b:001' }, { key: 'b:099' }]);
  assert.deepEqual(got.successfulKeys, [{ key: 'b:001', value: { i: 1 } }]);
  assert.deepEqual(got.failedKeys, [{ key: 'b:099', error: { code: 'KEY_NOT_FOUND', message: 'Key does not exist' } }]);

  const deleted = await kvs.batchDelete([{ key: 'b:001' }, { key: 'b:099' }]);
  assert.deepEqual(deleted.successfulKeys, [{ key: 'b:001' }]);
  assert.deepEqual(deleted.failedKeys, [{ key: 'b:099', error: { code: 'KEY_NOT_FOUND', message: 'Key does not exist' } }]);
  assert.equal(await kvs.get('b:001'), undefined);

  // Batches reach entities too.
  const entitySet = await kvs.batchSet([{ key: 'e1', entityName: 'employee', value: { surname: 'Scott' } }]);
  assert.deepEqual(entitySet.successfulKeys, [{ key: 'e1', entityName: 'employee' }]);
  assert.deepEqual(await kvs.entity('employee').get('e1'), { surname: 'Scott' });
});

test('batches are limited to 25 items', async () => {
  const many = Array.from({ length: 26 }, (_, i) => ({ key: `b:${i}`, value: i }));
  await assert.rejects(kvs.batchSet(many), apiError('BAD_REQUEST', 400));
  await assert.rejects(kvs.batchGet(many.map(({ key }) => ({ key }))), apiError('BAD_REQUEST', 400));
  await assert.rejects(kvs.batchDelete(many.map(({ key }) => ({ key }))), apiError('BAD_REQUEST', 400));
  assert.deepEqual(currentService().entries().kv, {});
});

test('a transaction writes all of its operations', async () => {
  await kvs.set('t:old', 'gone soon');
  await kvs.transact().set('t:a', 1).set('t:b', { two: 2 }).delete('t:old').execute();
  assert.deepEqual(currentService().entries().kv, { 't:a': 1, 't:b': { two: 2 } });
});

test('transaction checks: one failing check and nothing is written', async () => {
  const employees = kvs.entity<{ surname: string; age: number }>('employee');
  await employees.set('emp1', { surname: 'Scott', age: 30 });
  await kvs.set('t:keep', 'original');

  const olderThan40 = new Filter<{ age: number }>().and('age', FilterConditions.greaterThan(40));
  await assert.rejects(
    kvs
      .transact()
      .set('t:keep', 'changed')
      .set('t:new', 'new')
      .delete('t:keep2')
      .check('emp1', { entityName: 'employee', conditions: olderThan40 })
      .execute(),
    apiError('CONDITION_CHECK_FAILED', 409),
  );
  assert.deepEqual(currentService().entries().kv, { 't:keep': 'original' });

  // A check on a missing key fails too.
  const scott = new Filter<{ surname: string }>().and('surname', FilterConditions.equalTo('Scott'));
  await assert.rejects(
    kvs.transact().set('t:new', 'new').check('nobody', { entityName: 'employee', conditions: scott }).execute(),
    apiError('CONDITION_CHECK_FAILED', 409),
  );

  // Each key appears once in a transaction.
  await assert.rejects(
    kvs.transact().set('emp1', { surname: 'Scott', age: 31 }, { entityName: 'employee' }).check('emp1', { entityName: 'employee', conditions: scott }).execute(),
    apiError('BAD_REQUEST', 400),
  );

  // Passing checks and a conditional entity set go through.
  await employees.set('emp2', { surname: 'Young', age: 25 });
  await kvs
    .transact()
    .set('t:keep', 'changed')
    .set('emp1', { surname: 'Scott', age: 31 }, { entityName: 'employee', conditions: scott })
    .check('emp2', { entityName: 'employee', conditions: new Filter<{ age: number }>().or('age', FilterConditions.lessThan(40)) })
    .execute()
    .catch((error: unknown) => assert.fail(`unexpected ${String(error)}`));
  assert.equal(await kvs.get('t:keep'), 'changed');
  assert.deepEqual(await employees.get('emp1'), { surname: 'Scott', age: 31 });
});

test('transactions: at most 25 operations, each key once, value limits apply', async () => {
  let tx = kvs.transact();
  for (let i = 0; i < 26; i++) tx = tx.set(`t:${i}`, i);
  await assert.rejects(tx.execute(), apiError('BAD_REQUEST', 400));

  let full = kvs.transact();
  for (let i = 0; i < 25; i++) full = full.set(`t:${i}`, i);
  await full.execute();
  assert.equal(Object.keys(currentService().entries().kv).length, 25);

  await assert.rejects(kvs.transact().set('t:dup', 1).delete('t:dup').execute(), apiError('BAD_REQUEST', 400));
  await assert.rejects(kvs.transact().set('t:ok', 1).set('t:big', 'x'.repeat(240 * 1024)).execute(), apiError('MAX_SIZE', 400));
  assert.equal(await kvs.get('t:ok'), undefined);
});

test('transactions: conditions and checks are for custom entities only, and the payload is at most 4MB', async () => {
  const scott = new Filter<{ surname: string }>().and('surname', FilterConditions.equalTo('Scott'));
  await kvs.set('t:plain', { surname: 'Scott' });
  // A key-value check (no entity) is refused, even where the value would meet the condition.
  await assert.rejects(kvs.transact().set('t:a', 1).check('t:plain', { entityName: undefined as unknown as string, conditions: scott }).execute(), apiError('BAD_REQUEST', 400));
  const raw = await currentService().handle('/api/v1/transaction', {
    set: [{ key: 't:lock', value: 1, conditions: { and: [{ property: 'holder', condition: 'NOT_EXISTS', values: [] }] } }],
  });
  assert.equal(raw.status, 400, 'a key-value set takes no condition');
  assert.equal(await kvs.get('t:a'), undefined);

  // 20 values of 210,000 characters: each under the value limit, 4.2 MB together.
  let big = kvs.transact();
  for (let i = 0; i < 20; i++) big = big.set(`t:big:${i}`, 'x'.repeat(210_000));
  await assert.rejects(big.execute(), apiError('PAYLOAD_TOO_LARGE', 413));
  await assert.rejects(kvs.batchSet(Array.from({ length: 20 }, (_, i) => ({ key: `t:big:${i}`, value: 'x'.repeat(210_000) }))), apiError('PAYLOAD_TOO_LARGE', 413));
  assert.deepEqual(Object.keys(currentService().entries().kv), ['t:plain']);
});

// Limits as the real client surfaces them, custom entities, persistence and the test-facing API.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KvsOperation } from '../../../devkit/forge/kvs/service';
import { Filter, FilterConditions, ForgeKvsAPIError, Sort, WhereConditions, advance, currentService, kvs, useService } from './setup';

function apiError(code: string, status: number) {
  return (error: unknown) => {
    assert.ok(error instanceof ForgeKvsAPIError, `expected ForgeKvsAPIError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.responseDetails.status, status);
    return true;
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kvs-test-'));
  useService();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('key limits: length 500, the documented character set, not empty or blank', async () => {
  await kvs.set('k'.repeat(500), 1);
  await assert.rejects(kvs.set('k'.repeat(501), 1), apiError('KEY_TOO_LONG', 400));
  await assert.rejects(kvs.get('k'.repeat(501)), apiError('KEY_TOO_LONG', 400));
  for (const bad of ['a/b', 'a?b', 'ä', 'a,b', 'a@b', '   ']) {
    await assert.rejects(kvs.set(bad, 1), apiError('INVALID_KEY', 400), bad);
  }
  await assert.rejects(kvs.set('', 1), apiError('KEY_TOO_SHORT', 400));
  await kvs.set('Az09:._ -#\tend', 1);
  assert.equal(await kvs.get('Az09:._ -#\tend'), 1);
});

test('value limits: 240 KiB for values, 128 KiB for secrets, depth 32', async () => {
  const overhead = 2; // the quotes around a JSON string
  await kvs.set('big', 'x'.repeat(240 * 1024 - overhead));
  await assert.rejects(kvs.set('big', 'x'.repeat(240 * 1024 - overhead + 1)), apiError('MAX_SIZE', 400));
  await kvs.setSecret('s', 'x'.repeat(128 * 1024 - overhead));
  await assert.rejects(kvs.setSecret('s', 'x'.repeat(128 * 1024 - overhead + 1)), apiError('MAX_SIZE', 400));
  // Multi-byte characters count in UTF-8 bytes.
  await assert.rejects(kvs.set('wide', 'é'.repeat(130 * 1024)), apiError('MAX_SIZE', 400));

  let deep: unknown = 'leaf';
  for (let i = 0; i < 32; i++) deep = { d: deep };
  await kvs.set('deep', deep);
  await assert.rejects(kvs.set('deep', { d: deep }), apiError('MAX_DEPTH', 400));
  await assert.rejects(kvs.set('nothing', undefined), apiError('BAD_REQUEST', 400));
});

test('errors carry the status, code and message the client reads', async () => {
  const error = await kvs.set('a/b', 1).then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ForgeKvsAPIError);
  assert.equal(error.responseDetails.httpPath, '/api/v1/set');
  assert.equal(error.responseDetails.statusText, 'Bad Request');
  assert.match(error.message, /regex/);
});

test('custom entities: get/set/delete and queries by a declared index', async () => {
  useService({
    entities: [
      {
        name: 'employee',
        attributes: { surname: { type: 'string' }, age: { type: 'integer' }, team: { type: 'string' } },
        indexes: ['surname', { name: 'by-team-age', range: ['age'], partition: ['team'] }],
      },
    ],
  });
  const employees = kvs.entity<{ surname: string; age: number; team: string }>('employee');
  const people = [
    ['e1', 'Scott', 30, 'ops'],
    ['e2', 'Smith', 45, 'ops'],
    ['e3', 'Adams', 28, 'dev'],
    ['e4', 'Stone', 52, 'ops'],
    ['e5', 'Baker', 39, 'dev'],
  ] as const;
  for (const [key, surname, age, team] of people) await employees.set(key, { surname, age, team });
  assert.deepEqual(await employees.get('e3'), { surname: 'Adams', age: 28, team: 'dev' });

  const s = await employees.query().index('surname').where(WhereConditions.beginsWith('S')).getMany();
  assert.deepEqual(s.results.map((r) => r.value.surname), ['Scott', 'Smith', 'Stone']);

  const ops = await employees.query().index('by-team-age', { partition: ['ops'] }).sort(Sort.DESC).limit(2).getMany();
  assert.deepEqual(ops.results.map((r) => r.key), ['e4', 'e2']);
  assert.ok(ops.nextCursor);
  const rest = await employees.query().index('by-team-age', { partition: ['ops'] }).sort(Sort.DESC).limit(2).cursor(ops.nextCursor).getMany();
  assert.deepEqual(rest.results.map((r) => r.key), ['e1']);
  assert.equal(rest.nextCursor, undefined);

  const between = await employees
    .query()
    .index('by-team-age', { partition: ['ops'] })
    .where(WhereConditions.between(30, 50))
    .filters(new Filter<{ surname: string }>().and('surname', FilterConditions.notEqualTo('Smith')))
    .getMany();
  assert.deepEqual(between.results.map((r) => r.key), ['e1']);

  await employees.delete('e1');
  assert.equal(await employees.get('e1'), undefined);
  await assert.rejects(employees.query().index('no-such-index').getMany(), apiError('INDEX_NOT_FOUND', 400));
  await assert.rejects(kvs.entity('undeclared').set('x', { a: 1 }), apiError('ENTITY_NOT_FOUND', 400));
  assert.deepEqual(Object.keys(currentService().entries().entities.employee ?? {}).sort(), ['e2', 'e3', 'e4', 'e5']);
});

test('file persistence: a new service on the same file sees the data, TTLs included', async () => {
  const file = join(dir, 'nested', 'kvs.json');
  useService({ file });
  await kvs.set('p:1', { a: 1 });
  await kvs.set('p:ttl', 'brief', { ttl: { value: 10, unit: 'SECONDS' } });
  await kvs.setSecret('p:secret', 'hidden');
  await kvs.entity('employee').set('e1', { surname: 'Scott' });
  await kvs.delete('p:missing');
  assert.ok(JSON.parse(readFileSync(file, 'utf8')).kv['p:1']);

  useService({ file });
  assert.deepEqual(await kvs.get('p:1'), { a: 1 });
  assert.equal(await kvs.get('p:ttl'), 'brief');
  assert.equal(await kvs.getSecret('p:secret'), 'hidden');
  assert.deepEqual(await kvs.entity('employee').get('e1'), { surname: 'Scott' });
  advance(10_000);
  assert.equal(await kvs.get('p:ttl'), undefined);

  currentService().clear();
  useService({ file });
  assert.equal(await kvs.get('p:1'), undefined);
});

test('snapshot/restore, clear and the operation counter', async () => {
  const ops: KvsOperation[] = [];
  const service = useService({ onOperation: (op) => ops.push(op) });
  await kvs.set('s:1', 1);
  await kvs.setSecret('s:secret', 2);
  const snapshot = service.snapshot();
  await kvs.set('s:2', 2);
  await kvs.batchGet([{ key: 's:1' }, { key: 's:2' }]);
  await kvs.transact().set('s:3', 3).delete('s:2').execute();
  await kvs.query().where('key', WhereConditions.beginsWith('s:')).getMany();
  await kvs.get('s:missing');
  service.restore(snapshot);
  assert.deepEqual(service.entries(), { kv: { 's:1': 1 }, secrets: { 's:secret': 2 }, entities: {} });
  service.clear();
  assert.deepEqual(service.entries(), { kv: {}, secrets: {}, entities: {} });
  assert.deepEqual(ops, [
    { kind: 'set', keys: 1 },
    { kind: 'secretSet', keys: 1 },
    { kind: 'set', keys: 1 },
    { kind: 'batchGet', keys: 2 },
    { kind: 'transact', keys: 2 },
    { kind: 'query', keys: 2 },
    { kind: 'get', keys: 1 },
  ]);
});

test('the service answers unknown paths and malformed bodies without throwing', async () => {
  const service = currentService();
  assert.equal((await service.handle('/api/v1/nope', {})).status, 404);
  assert.deepEqual(await service.handle('/api/v1/get', { nokey: true }), {
    status: 400,
    body: { code: 'BAD_REQUEST', message: 'Provided request body is invalid' },
  });
});

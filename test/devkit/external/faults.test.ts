// The reference ITSM's fault modes and control API: down, fixed status, random 503s, latency, reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, start, str } from './helpers';

async function control(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}/__control${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

test('down: API connections are destroyed without an answer (fetch rejects); the control API still works', async () => {
  const { call, base, itsm } = await start();
  assert.equal((await control(base, 'POST', '/faults', { down: true })).status, 200);
  await assert.rejects(call('GET', '/api/incidents'), TypeError);
  await assert.rejects(call('POST', '/api/incidents', { short_description: 'x' }), TypeError);
  await assert.rejects(fetch(`${base}/`), TypeError);
  assert.equal(itsm.records('incidents').length, 0);
  assert.equal(itsm.requests.at(-1)?.fault, 'down');
  assert.equal(itsm.requests.at(-1)?.status, undefined);

  assert.equal((await control(base, 'DELETE', '/faults')).status, 200);
  assert.equal((await call('GET', '/api/incidents')).status, 200);
});

test('status: every API call is answered with that status and a JSON error, with nothing changed', async () => {
  const { call, base, itsm } = await start();
  await control(base, 'POST', '/faults', { status: 500 });
  const reply = await call('POST', '/api/incidents', { short_description: 'x' });
  assert.equal(reply.status, 500);
  assert.equal(at(reply.body, 'status'), 'failure');
  assert.equal(typeof at(reply.body, 'error', 'message'), 'string');
  // Faults come before auth, as with a broken gateway in front of the tool.
  assert.equal((await call('GET', '/api/incidents', undefined, { Authorization: '' })).status, 500);
  assert.equal(itsm.records('incidents').length, 0);

  itsm.setFaults({ status: 429, retryAfterSeconds: 7 });
  const limited = await call('GET', '/api/incidents');
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '7');
  itsm.clearFaults();
  assert.equal((await call('GET', '/api/incidents')).status, 200);
});

test('errorRate: a seeded share of calls answers 503, the same way each run', async () => {
  const run = async (): Promise<number[]> => {
    const { call, itsm } = await start();
    itsm.setFaults({ errorRate: 0.5, seed: 7 });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await call('GET', '/api/incidents')).status);
    return statuses;
  };
  const first = await run();
  assert.deepEqual(await run(), first);
  const failures = first.filter((s) => s === 503).length;
  assert.ok(failures > 2 && failures < 18, `expected some 503s, got ${failures}/20`);
  assert.deepEqual([...new Set(first)].sort(), [200, 503]);

  const { call, itsm } = await start({ random: () => 0.99 });
  itsm.setFaults({ errorRate: 0.5 });
  assert.equal((await call('GET', '/api/incidents')).status, 200);
  itsm.setFaults({ errorRate: 1 });
  assert.equal((await call('GET', '/api/incidents')).status, 503);
});

test('latency delays the answer; the change is made first', async () => {
  const { call, itsm } = await start();
  itsm.setFaults({ latencyMs: 150 });
  const began = Date.now();
  const reply = await call('POST', '/api/incidents', { short_description: 'slow' });
  assert.ok(Date.now() - began >= 140, 'answer came too early');
  assert.equal(reply.status, 201);

  // A caller that gives up early still finds the record made.
  itsm.setFaults({ latencyMs: 500 });
  await assert.rejects(
    fetch(`${itsm.baseUrl}/api/incidents`, {
      method: 'POST',
      headers: { Authorization: 'Bearer test-token-123', 'Content-Type': 'application/json' },
      body: JSON.stringify({ short_description: 'timed out' }),
      signal: AbortSignal.timeout(50),
    }),
  );
  assert.equal(itsm.records('incidents').length, 2);
});

test('control API: bad fault values answer 400; state shows records, notes, faults and logs; reset forgets them', async () => {
  const { call, base, itsm } = await start();
  const bad = await control(base, 'POST', '/faults', { errorRate: 2 });
  assert.equal(bad.status, 400);
  assert.equal(at(bad.body, 'error', 'field'), 'errorRate');
  assert.equal((await control(base, 'POST', '/faults', { wobble: true })).status, 400);
  assert.equal((await control(base, 'POST', '/outbound', { url: 'not a url', secret: 's' })).status, 400);
  assert.equal((await control(base, 'GET', '/nothing')).status, 404);

  const id = str((await call('POST', '/api/incidents', { short_description: 'x' })).body, 'id');
  await call('POST', `/api/incidents/${id}/work_notes`, { body: 'n' });
  await control(base, 'POST', '/faults', { latencyMs: 1 });
  await control(base, 'POST', '/outbound', { url: 'http://127.0.0.1:9/hook', secret: 's3cret' });
  const state = await control(base, 'GET', '/state');
  assert.equal(at(state.body, 'modules', 'incidents', 0, 'work_notes', 0, 'body'), 'n');
  assert.deepEqual(at(state.body, 'faults'), { latencyMs: 1 });
  assert.deepEqual(at(state.body, 'outbound'), { url: 'http://127.0.0.1:9/hook' });
  assert.ok(!JSON.stringify(state.body).includes('s3cret'));
  assert.equal((at(state.body, 'requests') as unknown[]).length, 2);
  assert.equal((at(state.body, 'outbox') as unknown[]).length, 2);

  assert.equal((await control(base, 'POST', '/reset')).status, 200);
  assert.equal(itsm.records('incidents').length, 0);
  assert.equal(itsm.outbox.length, 0);
  assert.equal(itsm.requests.length, 0);
  assert.deepEqual(itsm.state().faults, {});
  assert.equal(at((await call('POST', '/api/incidents', { short_description: 'y' })).body, 'number'), 'INC0001001');
});

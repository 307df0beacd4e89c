// The reference ITSM's fault modes and control API: down, fixed status, random 503s, latency, reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, receiver, start, str } from './helpers';

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
  // A slow answer still comes, with the record.
  itsm.setFaults({ latencyMs: 150 });
  const reply = await call('POST', '/api/incidents', { short_description: 'slow' });
  assert.equal(reply.status, 201);

  // The record is made before the slow answer, which is still owed once it is (the caller that gives
  // up then sees its request fail): the delay shows in the order of things, whatever the machine's speed.
  itsm.setFaults({ latencyMs: 60_000 });
  const giveUp = new AbortController();
  const pending = fetch(`${itsm.baseUrl}/api/incidents`, {
    method: 'POST',
    headers: { Authorization: 'Bearer test-token-123', 'Content-Type': 'application/json' },
    body: JSON.stringify({ short_description: 'timed out' }),
    signal: giveUp.signal,
  });
  while (itsm.records('incidents').length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  giveUp.abort();
  await assert.rejects(pending);
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

// ---------------------------------------------------------------- the fault mix

/** Fetch's outcome without throwing: the status, or 'reset' when the connection dropped, 'gave up' on our own timeout. */
async function attempt(base: string, method: string, path: string, body: unknown, timeoutMs = 2_000): Promise<number | 'reset' | 'gave up'> {
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: 'Bearer test-token-123', 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError') ? 'gave up' : 'reset';
  }
}

test('mix: one kind per request, drawn from the seed, the same way each run', async () => {
  const run = async (): Promise<Array<string | undefined>> => {
    const { base, itsm } = await start();
    itsm.setFaults({ mix: { '500': 0.2, '502': 0.2, '503': 0.2, '429': 0.2 }, seed: 11 });
    for (let i = 0; i < 25; i++) await attempt(base, 'GET', '/api/incidents', undefined);
    return itsm.requests.map((r) => r.fault);
  };
  const first = await run();
  assert.deepEqual(await run(), first);
  for (const kind of ['500', '502', '503', '429']) assert.ok(first.includes(kind), `${kind} drawn in 25 requests`);
  assert.ok(first.includes(undefined), 'some requests meet no fault');
});

test('mix: 5xx and 429 answers change nothing; a 429 says when to come back', async () => {
  const { call, itsm } = await start();
  for (const [kind, status] of [['500', 500], ['502', 502], ['503', 503], ['429', 429]] as const) {
    itsm.setFaults({ mix: { [kind]: 1 }, retryAfterSeconds: kind === '429' ? 3 : undefined });
    const reply = await call('POST', '/api/incidents', { short_description: `x ${kind}` });
    assert.equal(reply.status, status);
    assert.equal(at(reply.body, 'status'), 'failure');
    if (kind === '429') assert.equal(reply.headers.get('retry-after'), '3');
  }
  itsm.setFaults({ mix: { '429': 1 } });
  assert.equal((await call('GET', '/api/incidents')).headers.get('retry-after'), '1', 'a 429 of the mix always carries Retry-After');
  assert.equal(itsm.records('incidents').length, 0);
});

test('mix: a timeout after the change makes it, sends its event at once and answers late; before it, nothing is made', async () => {
  const hook = await receiver();
  const { base, itsm } = await start({ outbound: { url: hook.url, secret: 's' } });
  itsm.setFaults({ mix: { timeoutAfter: 1 }, timeoutMs: 400 });
  assert.equal(await attempt(base, 'POST', '/api/incidents', { short_description: 'slow' }, 150), 'gave up');
  assert.equal(itsm.records('incidents').length, 1);
  // The tool's event does not wait for the answer the caller gave up on.
  await itsm.whenIdle();
  assert.equal(hook.received.length, 1);
  // A caller that waits long enough gets the answer.
  assert.equal(await attempt(base, 'POST', '/api/incidents', { short_description: 'slow again' }, 2_000), 201);

  itsm.setFaults({ mix: { timeoutBefore: 1 }, timeoutMs: 300 });
  assert.equal(await attempt(base, 'POST', '/api/incidents', { short_description: 'never' }, 100), 'gave up');
  assert.equal(await attempt(base, 'POST', '/api/incidents', { short_description: 'never' }, 2_000), 504);
  assert.equal(itsm.records('incidents').length, 2);

  // timeoutMs null: no answer at all; the tool lets go when the caller does.
  itsm.setFaults({ mix: { timeoutAfter: 1 }, timeoutMs: null });
  assert.equal(await attempt(base, 'POST', '/api/incidents', { short_description: 'held' }, 200), 'gave up');
  assert.equal(itsm.records('incidents').length, 3);
  await itsm.whenIdle();
  assert.equal(itsm.requests.at(-1)?.status, undefined);
});

test('mix: a reset drops the connection, after the change (resetAfter) or before it (resetBefore)', async () => {
  const { base, itsm } = await start();
  itsm.setFaults({ mix: { resetAfter: 1 } });
  assert.equal(await attempt(base, 'POST', '/api/incidents', { short_description: 'made' }), 'reset');
  itsm.setFaults({ mix: { resetBefore: 1 } });
  assert.equal(await attempt(base, 'POST', '/api/incidents', { short_description: 'not made' }), 'reset');
  assert.deepEqual(
    itsm.records('incidents').map((r) => r.short_description),
    ['made'],
  );
  assert.deepEqual(
    itsm.requests.map((r) => r.fault),
    ['resetAfter', 'resetBefore'],
  );
});

test('mix: out-of-order answers are held a random while after the change, so a later answer can come first', async () => {
  const { base, itsm } = await start();
  itsm.setFaults({ mix: { outOfOrder: 0.5 }, outOfOrderMaxMs: 300, seed: 3 });
  const order: string[] = [];
  await Promise.all(
    Array.from({ length: 8 }, (_, i) => attempt(base, 'POST', '/api/incidents', { short_description: `n${i}` }).then(() => order.push(`n${i}`))),
  );
  assert.equal(itsm.records('incidents').length, 8, 'every change is made');
  const made = itsm.records('incidents').map((r) => r.short_description);
  assert.notDeepEqual(order, made, 'answers came in another order than the changes were made');
});

test('mix over HTTP: shares per kind, at most 1 in all; unknown kinds are refused', async () => {
  const { base, itsm } = await start();
  const ok = await control(base, 'POST', '/faults', { mix: { '502': 0.1, timeoutAfter: 0.1, resetBefore: 0.05 }, timeoutMs: 10_500, seed: 4, events: { duplicate: 0.2 } });
  assert.equal(ok.status, 200);
  assert.deepEqual(itsm.state().faults.mix, { '502': 0.1, timeoutAfter: 0.1, resetBefore: 0.05 });
  assert.equal((await control(base, 'POST', '/faults', { mix: { '500': 0.6, '503': 0.6 } })).status, 400);
  assert.equal((await control(base, 'POST', '/faults', { mix: { '418': 0.1 } })).status, 400);
  assert.equal((await control(base, 'POST', '/faults', { events: { twice: 1 } })).status, 400);
});

test('events: a duplicated event is sent twice, the same body; a reordered one is overtaken by later events', async () => {
  const hook = await receiver();
  const { call, itsm } = await start({ outbound: { url: hook.url, secret: 's' } });
  itsm.setFaults({ events: { duplicate: 1, delayMaxMs: 20 } });
  await call('POST', '/api/incidents', { short_description: 'twice' });
  await itsm.whenIdle();
  assert.equal(hook.received.length, 2);
  assert.equal(at(JSON.parse(hook.received[0]?.body ?? '{}') as unknown, 'eventId'), at(JSON.parse(hook.received[1]?.body ?? '{}') as unknown, 'eventId'));

  hook.received.length = 0;
  // Only the first event is drawn for reordering (the generator answers 0 once, then 0.99).
  const draws = [0, 0.99, 0.99, 0.99];
  const { call: call2, itsm: itsm2 } = await start({ outbound: { url: hook.url, secret: 's' }, random: () => draws.shift() ?? 0.99 });
  itsm2.setFaults({ events: { reorder: 0.5, delayMaxMs: 300 } });
  const id = str((await call2('POST', '/api/incidents', { short_description: 'first' })).body, 'id');
  await call2('PATCH', `/api/incidents/${id}`, { state: 'in_progress' });
  await itsm2.whenIdle();
  assert.deepEqual(
    hook.received.map((r) => at(JSON.parse(r.body) as unknown, 'type')),
    ['record.updated', 'record.created'],
  );
});

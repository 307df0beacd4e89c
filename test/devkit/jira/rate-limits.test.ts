// Jira's rate limits as Jira Cloud sends them since the points-based limits: 429 with Retry-After,
// 429 with only X-RateLimit-Reset, the hourly quota (with RateLimit-Reason and the beta quota headers,
// lasting until the reset), 503, and the HTTP switch the sandbox exposes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rateLimitControlRoute } from '../../../devkit/jira/rate-limits';
import { site } from './helpers';

test('a burst 429 carries Retry-After and RateLimit-Reason', async () => {
  const s = site();
  s.sim.rateLimit.set({ kind: '429', retryAfterSeconds: 9 });
  const r = await s.call('GET', '/myself');
  assert.equal(r.status, 429);
  assert.equal(r.headers['retry-after'], '9');
  assert.equal(r.headers['ratelimit-reason'], 'jira-burst-based');
});

test('some 429s have no Retry-After, only X-RateLimit-Reset as an ISO time to the minute', async () => {
  const s = site();
  s.sim.rateLimit.set({ kind: '429-reset-only', retryAfterSeconds: 90 });
  const r = await s.call('GET', '/myself');
  assert.equal(r.status, 429);
  assert.equal(r.headers['retry-after'], undefined);
  const reset = r.headers['x-ratelimit-reset'] ?? '';
  assert.match(reset, /^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
  const waitMs = Date.parse(reset) - s.clock.now;
  assert.ok(waitMs >= 90_000 && waitMs < 150_000, `reset ${reset} is about 90 s away`);
});

test('the hourly quota refuses every request until its reset, with the reason and the beta quota headers', async () => {
  const s = site();
  s.sim.rateLimit.set({ kind: 'quota', retryAfterSeconds: 2400, reason: 'jira-quota-tenant-based' });
  for (const minutes of [0, 10, 29]) {
    s.clock.now += minutes * 60_000;
    const r = await s.call('GET', '/myself');
    assert.equal(r.status, 429, `still refused after ${minutes} more minutes`);
    assert.equal(r.headers['ratelimit-reason'], 'jira-quota-tenant-based');
    assert.match(r.headers['beta-ratelimit-policy'] ?? '', /^q=\d+;w=3600$/);
    assert.match(r.headers['beta-ratelimit'] ?? '', /^r=0;t=\d+$/);
  }
  const last = await s.call('GET', '/myself');
  assert.ok(Number(last.headers['retry-after']) <= 60, 'Retry-After counts down to the reset');
  s.clock.now += 60_000;
  assert.equal((await s.call('GET', '/myself')).status, 200, 'the quota is back after the reset');
});

test('a 503 carries Retry-After; every Nth request only', async () => {
  const s = site();
  s.sim.rateLimit.set({ kind: '503', every: 2, retryAfterSeconds: 3 });
  const first = await s.call('GET', '/myself');
  const second = await s.call('GET', '/myself');
  assert.equal(first.status, 200);
  assert.equal(second.status, 503);
  assert.equal(second.headers['retry-after'], '3');
});

test('the HTTP control turns Jira limits on and off, and refuses what Jira could not send', async () => {
  const s = site();
  const route = rateLimitControlRoute(s.sim.rateLimit, '/jira/__control/faults');
  const server = createServer((req, res) => {
    void route(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jira/__control/faults`;
  try {
    const on = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'quota', retryAfterSeconds: 600 }) });
    assert.equal(on.status, 200);
    assert.equal((await s.call('GET', '/myself')).status, 429);
    const state = (await (await fetch(url)).json()) as { faults: { kind: string } | null };
    assert.equal(state.faults?.kind, 'quota');
    assert.equal((await fetch(url, { method: 'POST', body: JSON.stringify({ kind: 'teapot' }) })).status, 400);
    assert.equal((await fetch(url, { method: 'DELETE' })).status, 200);
    assert.equal((await s.call('GET', '/myself')).status, 200);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

// The emulated Forge platform, driven through a fixture app that uses the real @forge/* packages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { VirtualClock } from '../../../devkit/forge/clock';
import { ForgeEmulator } from '../../../devkit/forge/emulator';
import { JiraSimulator } from '../../../devkit/jira/simulator';

const APP_ACCOUNT = 'app-account-tandem-fixture';
const sim = new JiraSimulator({ appAccountId: APP_ACCOUNT });
const alice = sim.addUser({ displayName: 'Alice Admin', emailAddress: 'alice@example.com', admin: true });
sim.addProject({ key: 'OPS', name: 'Operations', issueTypes: ['Bug', 'Task'] });
let emulator: ForgeEmulator;
let tool: Server;
let toolUrl: string;

before(async () => {
  // The local tool answers plain http on loopback: the one egress exemption, switched on here.
  emulator = await ForgeEmulator.start({ jira: sim, appAccountId: APP_ACCOUNT, appDir: join(__dirname, '..', '..', 'fixtures', 'platform-app'), plainHttpLoopback: true });
  tool = createServer((_req, res) => res.end('hello from the tool'));
  await new Promise<void>((resolve) => tool.listen(0, '127.0.0.1', resolve));
  toolUrl = `http://127.0.0.1:${(tool.address() as AddressInfo).port}/`;
});

after(async () => {
  await emulator.stop();
  await new Promise((resolve) => tool.close(resolve));
});

async function createIssue(actor: { kind: 'app' } | { kind: 'user'; accountId: string }, summary: string): Promise<{ id: string; key: string }> {
  const response = await sim.handle({
    method: 'POST',
    path: '/rest/api/3/issue',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary } }),
    actor,
  });
  assert.equal(response.status, 201, response.body);
  return JSON.parse(response.body) as { id: string; key: string };
}

function pushWork(body: Record<string, unknown>, queueName = 'work'): void {
  const answer = emulator.queue.push({ queueName, jobId: `job-${String(body.name)}`, payload: [{ body }] });
  assert.equal(answer.status, 201);
}

test('a user creating an issue fires the trigger; the trigger stores and queues; the consumer reads Jira', async () => {
  emulator.calls.reset();
  const issue = await createIssue({ kind: 'user', accountId: alice.accountId }, 'Checkout fails');
  await emulator.settle();
  assert.deepEqual(await emulator.kvs.handle('/api/v1/get', { key: `created:${issue.key}` }).then((r) => r.body), {
    key: `created:${issue.key}`,
    value: { by: alice.accountId },
  });
  const read = await emulator.kvs.handle('/api/v1/get', { key: `read:${issue.key}` });
  assert.equal((read.body as { value: unknown }).value, 'Checkout fails');
  assert.equal(emulator.calls.jira.get('GET /rest/api/3/issue/{issueIdOrKey}'), 1);
  assert.equal(emulator.calls.queuePushes, 1);
  assert.deepEqual(emulator.contractViolations, []);
});

test('ignoreSelf drops events the app caused; triggers without it still see them', async () => {
  const issue = await createIssue({ kind: 'app' }, 'Made by the app');
  const edit = await sim.handle({
    method: 'PUT',
    path: `/rest/api/3/issue/${issue.key}`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fields: { summary: 'Edited by the app' } }),
    actor: { kind: 'app' },
  });
  assert.equal(edit.status, 204);
  await emulator.settle();
  const created = await emulator.kvs.handle('/api/v1/get', { key: `created:${issue.key}` });
  assert.equal((created.body as { value?: unknown } | undefined)?.value, undefined);
  const updated = await emulator.kvs.handle('/api/v1/get', { key: `updated:${issue.key}` });
  assert.equal((updated.body as { value: unknown }).value, 1);
  assert.ok(emulator.ignoredEvents.some((e) => e.eventType === 'avi:jira:created:issue'));
});

test('held product events reach no trigger until a test delivers them, in the order it chooses', async () => {
  emulator.holdProductEvents();
  const first = await createIssue({ kind: 'user', accountId: alice.accountId }, 'Held one');
  const second = await createIssue({ kind: 'user', accountId: alice.accountId }, 'Held two');
  await emulator.settle();
  const before = await emulator.kvs.handle('/api/v1/get', { key: `created:${first.key}` });
  assert.equal((before.body as { value?: unknown } | undefined)?.value, undefined, 'nothing ran while held');
  const held = emulator.releaseProductEvents();
  assert.deepEqual(held.map((e) => (e.payload.issue as { key: string }).key), [first.key, second.key]);
  for (const event of held.reverse()) emulator.deliverProductEvent(event);
  await emulator.settle();
  for (const issue of [first, second]) {
    const created = await emulator.kvs.handle('/api/v1/get', { key: `created:${issue.key}` });
    assert.deepEqual((created.body as { value?: unknown }).value, { by: alice.accountId });
  }
});

test('InvocationError retries after retryAfter in virtual time, with retryContext and retryData', async () => {
  pushWork({ name: 'retry-twice', mode: 'retry', succeedAfter: 2, retryAfter: 600 });
  await emulator.settle();
  assert.equal(emulator.queue.waiting().length, 1, 'first attempt asked for a retry');
  await emulator.advance(599_000);
  assert.equal(emulator.queue.waiting().length, 1, 'not retried before retryAfter');
  await emulator.advance(1_000);
  await emulator.drain();
  const done = await emulator.kvs.handle('/api/v1/get', { key: 'done:retry-twice' });
  assert.deepEqual((done.body as { value: unknown }).value, {
    retryContext: { retryCount: 2, retryReason: 'FUNCTION_RETRY_REQUEST', retryData: { seen: 1 } },
  });
});

test('an event still failing after 4 retries is recorded as failed', async () => {
  pushWork({ name: 'never', mode: 'retry', succeedAfter: 99, retryAfter: 900 });
  await emulator.drain();
  const failed = emulator.queue.failed.find((f) => f.event.body.name === 'never');
  assert.ok(failed);
  assert.equal(failed.attempts, 5);
  assert.match(failed.reason, /Gave up after 4 retries/);
});

test('a push over 200 KB or over 50 events is refused and delivers nothing', async () => {
  const delivered = emulator.queue.delivered.length;
  const big = emulator.queue.push({ queueName: 'work', jobId: 'job-big', payload: [{ body: { name: 'big', text: 'x'.repeat(205 * 1024) } }] });
  assert.equal(big.status, 413);
  const many = emulator.queue.push({ queueName: 'work', jobId: 'job-many', payload: Array.from({ length: 51 }, (_, i) => ({ body: { name: `n${i}` } })) });
  assert.equal(many.status, 400);
  await emulator.settle();
  assert.equal(emulator.queue.delivered.length, delivered);
});

test('a consumer that throws is retried with retryContext, 4 times, and the invocation log says why', async () => {
  pushWork({ name: 'thrower', mode: 'throw' });
  await emulator.settle();
  assert.equal(emulator.queue.failed.find((f) => f.event.body.name === 'thrower'), undefined, 'a throw is not the end');
  const retry = emulator.queue.waiting().find((w) => w.event.body.name === 'thrower');
  assert.equal(retry?.event.retryContext?.retryCount, 1);
  assert.equal(retry?.event.retryContext?.retryReason, 'FUNCTION_PLATFORM_UNKNOWN_ERROR');
  await emulator.drain();
  const failed = emulator.queue.failed.find((f) => f.event.body.name === 'thrower');
  assert.equal(failed?.attempts, 5);
  const errors = emulator.invocations.filter((i) => i.functionKey === 'work' && i.outcome === 'error');
  assert.ok(errors.length >= 5 && errors.every((i) => /work failed on purpose/.test(i.error ?? '')));
});

test('consumer functions get 55 s unless timeoutSeconds says otherwise; other functions 25 s', () => {
  assert.equal(emulator.app.functions.get('work')?.timeoutSeconds, 55);
  assert.equal(emulator.app.functions.get('slow')?.timeoutSeconds, 1);
  assert.equal(emulator.app.functions.get('resolver')?.timeoutSeconds, 25);
  assert.equal(emulator.app.functions.get('on-created')?.timeoutSeconds, 25);
});

test('a consumer over its timeoutSeconds is cut off and retried with FUNCTION_TIME_OUT', async () => {
  pushWork({ name: 'slow' }, 'slow');
  await emulator.settle();
  assert.ok(emulator.invocations.some((i) => i.functionKey === 'slow' && i.outcome === 'timeout'));
  const retry = emulator.queue.waiting().find((w) => w.event.queueName === 'slow');
  assert.equal(retry?.event.retryContext?.retryReason, 'FUNCTION_TIME_OUT');
});

test('concurrent invocations each keep their own runtime context', async () => {
  pushWork({ name: 'first', mode: 'context', waitMs: 60 });
  pushWork({ name: 'second', mode: 'context', waitMs: 5 });
  await emulator.settle();
  const first = (await emulator.kvs.handle('/api/v1/get', { key: 'context:first' })).body as { value: { before: string; after: string; moduleKey: string } };
  const second = (await emulator.kvs.handle('/api/v1/get', { key: 'context:second' })).body as { value: { before: string; after: string } };
  assert.equal(first.value.before, first.value.after);
  assert.equal(second.value.before, second.value.after);
  assert.notEqual(first.value.before, second.value.before);
  assert.equal(first.value.moduleKey, 'work-consumer');
});

test('egress reaches hosts the manifest allows and fails like Forge for others', async () => {
  pushWork({ name: 'allowed', mode: 'fetch', url: toolUrl });
  pushWork({ name: 'denied', mode: 'fetch', url: toolUrl.replace('127.0.0.1', 'localhost') });
  await emulator.settle();
  const fetched = await emulator.kvs.handle('/api/v1/get', { key: 'fetched:allowed' });
  assert.equal((fetched.body as { value: unknown }).value, 'hello from the tool');
  const denied = emulator.invocations.find((i) => i.functionKey === 'work' && i.outcome === 'error' && /REQUEST_EGRESS_ALLOWLIST_ERR/.test(i.error ?? ''));
  assert.match(denied?.error ?? '', /REQUEST_EGRESS_ALLOWLIST_ERR: URL not included in the external fetch backend permissions/);
  await emulator.drain();
});

test('a web trigger gets Forge request shape over HTTP and its result becomes the HTTP answer', async () => {
  const url = emulator.webTriggerUrl('echo-hook');
  assert.match(url, /\/public\/[0-9a-f]{32}$/);
  const response = await fetch(`${url}/conn-1?x=1&x=2`, { method: 'POST', headers: { 'X-Tool': 'itsm', 'Content-Type': 'text/plain' }, body: '{"raw": true}' });
  assert.equal(response.status, 201);
  assert.equal(response.headers.get('x-echo'), 'one, two');
  const echoed = (await response.json()) as { request: { method: string; userPath: string; headers: Record<string, string[]>; queryParameters: Record<string, string[]>; body: string }; url: string };
  assert.equal(echoed.url, url);
  assert.equal(echoed.request.method, 'POST');
  assert.equal(echoed.request.userPath, '/conn-1');
  assert.deepEqual(echoed.request.headers['X-Tool'], ['itsm'], "header names keep the caller's case");
  assert.equal(echoed.request.headers['x-tool'], undefined);
  assert.deepEqual(echoed.request.queryParameters.x, ['1', '2']);
  assert.equal(echoed.request.body, '{"raw": true}');
});

test('a web trigger result that does not conform, or a throw, is a 500', async () => {
  const url = emulator.webTriggerUrl('echo-hook');
  assert.equal((await fetch(`${url}?mode=bad-result`)).status, 500);
  assert.equal((await fetch(`${url}?mode=throw`)).status, 500);
  assert.equal((await fetch(`${emulator.url}/x1/unknown`)).status, 404);
  assert.equal((await fetch(`${emulator.url}/public/unknown`)).status, 404);
});

test('the older /x1/<id> form of a web trigger URL reaches the same function', async () => {
  const older = emulator.webTriggerUrl('echo-hook', 'x1');
  assert.match(older, /\/x1\/[0-9a-f]{32}$/);
  const response = await fetch(`${older}/conn-2`, { method: 'POST', body: 'hi' });
  assert.equal(response.status, 201);
  const echoed = (await response.json()) as { request: { userPath: string; body: string } };
  assert.equal(echoed.request.userPath, '/conn-2');
  assert.equal(echoed.request.body, 'hi');
});

test('the app reads the wall clock; with appReadsClock it reads the platform clock, as Jira does, however far it was moved', async () => {
  const nowOf = async (e: ForgeEmulator) => ((await e.invokeResolver({ moduleKey: 'fixture-admin', functionKey: 'now', payload: {}, accountId: alice.accountId })) as { now: number }).now;
  emulator.clock.advance(3_600_000);
  assert.ok(Math.abs((await nowOf(emulator)) - Date.now()) < 60_000);
  await emulator.stop();
  const clock = new VirtualClock();
  clock.advance(3_600_000);
  const shared = await ForgeEmulator.start({ jira: sim, appAccountId: APP_ACCOUNT, appDir: join(__dirname, '..', '..', 'fixtures', 'platform-app'), plainHttpLoopback: true, clock, appReadsClock: true });
  try {
    const seen = await nowOf(shared);
    assert.ok(Math.abs(seen - clock.now()) < 60_000, `the app read ${seen - Date.now()} ms off the wall clock`);
    // Outside the app's invocations (the test, the devkit's servers) time is the wall clock's.
    assert.ok(Math.abs(Date.now() - (clock.now() - 3_600_000)) < 60_000);
  } finally {
    await shared.stop();
    emulator = await ForgeEmulator.start({ jira: sim, appAccountId: APP_ACCOUNT, appDir: join(__dirname, '..', '..', 'fixtures', 'platform-app'), plainHttpLoopback: true });
  }
});

test('a resolver runs as the calling user and its errors reach the caller', async () => {
  const result = await emulator.invokeResolver({ moduleKey: 'fixture-admin', functionKey: 'whoami', payload: { a: 1 }, accountId: alice.accountId });
  assert.deepEqual(result, { accountId: alice.accountId, payload: { a: 1 } });
  await assert.rejects(
    emulator.invokeResolver({ moduleKey: 'fixture-admin', functionKey: 'fail', payload: {}, accountId: alice.accountId }),
    /resolver failed on purpose/,
  );
});

test('api.asUser() acts as the invoking user; api.asUser(accountId) is impersonation and is refused', async () => {
  const mine = (await emulator.invokeResolver({ moduleKey: 'fixture-admin', functionKey: 'amIAdmin', payload: {}, accountId: alice.accountId })) as {
    status: number;
    body: { permissions: { ADMINISTER: { havePermission: boolean } } };
  };
  assert.equal(mine.status, 200);
  assert.equal(mine.body.permissions.ADMINISTER.havePermission, true, 'Alice is asked about, as Alice');
  await assert.rejects(
    emulator.invokeResolver({ moduleKey: 'fixture-admin', functionKey: 'asNamedUser', payload: {}, accountId: alice.accountId }),
    /IMPERSONATION_NOT_ALLOWED/,
  );
});

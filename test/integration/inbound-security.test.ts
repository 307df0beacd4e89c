// Who may call the inbound web trigger, over HTTP on the devkit: signatures, timestamps, replays,
// secret rotation, bearer mode, and no secret in any answer or log line.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { signTandemRequest } from '../../devkit/external/itsm';
import { findPreset, type Connection } from '../../src/mapping';
import { configure, startTandem, stored, type TandemOnDevkit } from '../support/devkit';

const SECRET = 'current-inbound-secret-7c1e55';
const PREVIOUS = 'previous-inbound-secret-94ab02';
let tandem: TandemOnDevkit;
let url: string;
const logged: string[] = [];
const originals = { log: console.log, warn: console.warn, error: console.error, info: console.info };

function config(change: (c: Connection) => Connection = (c) => c): unknown {
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  return { version: 1, connections: [change(preset.build({ name: 'StackFlow', baseUrl: 'https://stackflow.invalid', id: 'stackflow' }))] };
}

before(async () => {
  for (const level of ['log', 'warn', 'error', 'info'] as const) {
    console[level] = (...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack ?? ''}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    };
  }
  tandem = await startTandem();
  url = `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`;
});

after(async () => {
  Object.assign(console, originals);
  await tandem.stop();
  const all = logged.join('\n');
  for (const secret of [SECRET, PREVIOUS, 'a-bearer-token-3f9d']) assert.ok(!all.includes(secret), 'no secret in any log line');
});

beforeEach(async () => {
  await configure(tandem.emulator, config(), { 'connection:stackflow:inbound': SECRET });
  await tandem.emulator.kvs.handle('/api/v1/secret/delete', { key: 'connection:stackflow:inbound-previous' });
});

const answers: string[] = [];

async function post(raw: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
  const text = await response.text();
  answers.push(text);
  assert.equal(response.headers.get('content-type'), 'application/json');
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
}

const now = () => Math.floor(Date.now() / 1000);
const body = (eventId = randomUUID()) => JSON.stringify({ eventId, type: 'record.updated', occurredAt: new Date().toISOString(), record: { module: 'incidents', id: 'unknown-1', fields: {} } });
const signed = (raw: string, secret = SECRET, t = now()) => ({ 'x-tandem-signature': signTandemRequest(secret, raw, t) });

test('every authentication failure gets the same 401, whatever failed', async () => {
  const raw = body();
  const cases: Array<[string, Record<string, string>]> = [
    ['no signature', {}],
    ['empty signature', { 'x-tandem-signature': '' }],
    ['garbage', { 'x-tandem-signature': 'hello' }],
    ['wrong secret', signed(raw, 'not-the-secret')],
    ['signature of another body', signed(body())],
    // A minute past the limit: on a busy machine a request may reach Tandem seconds after it was signed.
    ['stale timestamp', signed(raw, SECRET, now() - 360)],
    ['future timestamp', signed(raw, SECRET, now() + 360)],
    ['short hex', { 'x-tandem-signature': `t=${now()},v1=abcd` }],
    ['bearer instead', { authorization: `Bearer ${SECRET}` }],
  ];
  const bodies = new Set<string>();
  for (const [name, headers] of cases) {
    const answer = await post(raw, headers);
    assert.equal(answer.status, 401, name);
    bodies.add(JSON.stringify(answer.body));
  }
  assert.equal(bodies.size, 1, 'one body for every failure');
  const health = (await stored(tandem.emulator, 'health:stackflow')) as Record<string, string>;
  assert.ok(health.lastRefusedAt);
  assert.match(health.lastRefusedReason ?? '', /request came/);
});

test('a timestamp within five minutes either way is accepted', async () => {
  // A minute inside the limit, for the same reason.
  for (const skew of [-240, 240]) {
    const raw = body();
    const answer = await post(raw, signed(raw, SECRET, now() + skew));
    assert.equal(answer.status, 404, JSON.stringify(answer.body));
    assert.equal(answer.body.error, 'unknown_record');
  }
});

test('a replayed valid request is applied once', async () => {
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const raw = JSON.stringify({
    eventId: 'replayed-1',
    type: 'record.created',
    occurredAt: new Date().toISOString(),
    record: { module: 'incidents', id: 'replay-rec', url: 'https://stackflow.invalid/incidents/replay-rec', fields: { short_description: 'Replay me' } },
  });
  const headers = signed(raw);
  const first = await post(raw, headers);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const before = tandem.jira.listIssues().length;
  const second = await post(raw, headers);
  assert.equal(second.status, 200);
  assert.equal(second.body.status, 'duplicate');
  assert.equal(tandem.jira.listIssues().length, before);
});

test('during a rotation both secrets are accepted; once the old one is retired it is refused', async () => {
  await configure(tandem.emulator, config(), { 'connection:stackflow:inbound': SECRET, 'connection:stackflow:inbound-previous': PREVIOUS });
  let raw = body();
  assert.equal((await post(raw, signed(raw, PREVIOUS))).status, 404, 'old secret still works');
  raw = body();
  assert.equal((await post(raw, signed(raw, SECRET))).status, 404, 'new secret works');
  await tandem.emulator.kvs.handle('/api/v1/secret/delete', { key: 'connection:stackflow:inbound-previous' });
  raw = body();
  assert.equal((await post(raw, signed(raw, PREVIOUS))).status, 401, 'old secret refused after retirement');
});

test('bearer mode: Authorization: Bearer <secret>, compared in constant time', async () => {
  await configure(tandem.emulator, config((c) => ({ ...c, inbound: { auth: 'bearer', onToolDelete: 'nothing', createDefaults: {} } })), { 'connection:stackflow:inbound': 'a-bearer-token-3f9d' });
  const raw = body();
  assert.equal((await post(raw, { authorization: 'Bearer a-bearer-token-3f9d' })).status, 404);
  assert.equal((await post(raw, { authorization: 'Bearer a-bearer-token-3f9' })).status, 401);
  assert.equal((await post(raw, { authorization: 'Basic a-bearer-token-3f9d' })).status, 401);
  assert.equal((await post(raw, signed(raw, 'a-bearer-token-3f9d'))).status, 401, 'a signature is not a bearer token');
});

test('a connection without an inbound secret refuses everything', async () => {
  await tandem.emulator.kvs.handle('/api/v1/secret/delete', { key: 'connection:stackflow:inbound' });
  const raw = body();
  assert.equal((await post(raw, signed(raw, ''))).status, 401);
  assert.equal((await post(raw, signed(raw, 'anything'))).status, 401);
});

test('size and content type come first; a body is parsed only after its signature', async () => {
  const big = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
  assert.equal((await post(big, signed(big))).status, 413);
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain', ...signed('{}') }, body: '{}' });
  assert.equal(response.status, 415);
  assert.equal(((await response.json()) as { error: string }).error, 'unsupported_media_type');
  const charset = body();
  const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=UTF-8', ...signed(charset) }, body: charset });
  assert.equal(ok.status, 404);
  // Unsigned junk is refused as unauthenticated, not as invalid JSON: nothing unsigned is parsed.
  assert.equal((await post('{not json', {})).status, 401);
  const junk = '{not json';
  const parsed = await post(junk, signed(junk));
  assert.equal(parsed.status, 400);
  assert.equal(parsed.body.error, 'invalid_json');
});

test('no answer carries a secret', () => {
  const all = answers.join('\n');
  for (const secret of [SECRET, PREVIOUS, 'a-bearer-token-3f9d']) assert.ok(!all.includes(secret));
});

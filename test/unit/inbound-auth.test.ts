// Signature and bearer checks, the request envelope, health bookkeeping, transition choice, and the
// connection's inbound options: the pure parts of the inbound door.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/mapping';
import { inboundOptionsOf } from '../../src/mapping';
import { parseSignatureHeader, signatureHeader, verifyBearer, verifyHmac } from '../../src/sync/inbound-auth';
import { checkEnvelope, connectionIdOf, isJsonContentType, nextHealth } from '../../src/sync/inbound-request';
import { findStatusRoute, type StatusTarget } from '../../src/mapping';
import { screenValues } from '../../src/sync/inbound/status-walk';
import type { JiraTransition } from '../../src/sync/ports';

const T = 1_800_000_000;

test('a signature header is read strictly', () => {
  const hex = 'a'.repeat(64);
  assert.deepEqual(parseSignatureHeader(`t=${T},v1=${hex}`)?.timestamp, T);
  assert.equal(parseSignatureHeader(`t=${T},v1=${hex},v1=${'b'.repeat(64)}`)?.signatures.length, 2);
  assert.ok(parseSignatureHeader(`t=${T}, v0=zz, v1=${hex}`), 'other schemes are ignored');
  for (const bad of ['', 't=1', `v1=${hex}`, `t=x,v1=${hex}`, `t=${T},v1=abc`, `t=${T},t=${T},v1=${hex}`, `t=${T},v1=${'g'.repeat(64)}`, 'garbage', `t=${T},v1=${hex}`.padEnd(1001, ',')]) {
    assert.equal(parseSignatureHeader(bad), undefined, bad);
  }
});

test('HMAC: current and previous secrets, five minutes either way, body exact', () => {
  const body = '{"a":1}';
  const ok = (header: string | undefined, now = T, previous?: string) => verifyHmac({ header, rawBody: body, nowSeconds: now, current: 'new', previous });
  assert.deepEqual(ok(signatureHeader('new', body, T)), { ok: true, secret: 'current' });
  assert.deepEqual(ok(signatureHeader('old', body, T), T, 'old'), { ok: true, secret: 'previous' });
  assert.deepEqual(ok(signatureHeader('old', body, T)), { ok: false, reason: 'wrong-credentials' });
  assert.deepEqual(ok(signatureHeader('new', body, T - 300), T), { ok: true, secret: 'current' });
  assert.deepEqual(ok(signatureHeader('new', body, T - 301), T), { ok: false, reason: 'stale-timestamp' });
  assert.deepEqual(ok(signatureHeader('new', body, T + 301), T), { ok: false, reason: 'stale-timestamp' });
  assert.deepEqual(verifyHmac({ header: signatureHeader('new', body, T), rawBody: `${body} `, nowSeconds: T, current: 'new', previous: undefined }), { ok: false, reason: 'wrong-credentials' });
  assert.deepEqual(ok(undefined), { ok: false, reason: 'missing-credentials' });
  assert.deepEqual(ok('t=1'), { ok: false, reason: 'malformed-credentials' });
  assert.deepEqual(verifyHmac({ header: signatureHeader('', body, T), rawBody: body, nowSeconds: T, current: undefined, previous: undefined }), { ok: false, reason: 'no-secret' });
});

test('bearer: exact token, either secret', () => {
  assert.deepEqual(verifyBearer({ header: 'Bearer tok', current: 'tok', previous: undefined }), { ok: true, secret: 'current' });
  assert.deepEqual(verifyBearer({ header: 'bearer old', current: 'tok', previous: 'old' }), { ok: true, secret: 'previous' });
  assert.deepEqual(verifyBearer({ header: 'Bearer to', current: 'tok', previous: undefined }), { ok: false, reason: 'wrong-credentials' });
  assert.deepEqual(verifyBearer({ header: 'Basic tok', current: 'tok', previous: undefined }), { ok: false, reason: 'malformed-credentials' });
  assert.deepEqual(verifyBearer({ header: undefined, current: 'tok', previous: undefined }), { ok: false, reason: 'missing-credentials' });
});

test('the connection comes from the path after the trigger, else ?connection=', () => {
  assert.deepEqual(connectionIdOf({ userPath: '/stackflow', queryParameters: {} }), { id: 'stackflow' });
  assert.deepEqual(connectionIdOf({ userPath: 'stackflow/', queryParameters: {} }), { id: 'stackflow' });
  assert.deepEqual(connectionIdOf({ userPath: '', queryParameters: { connection: ['sf_2'] } }), { id: 'sf_2' });
  assert.deepEqual(connectionIdOf({ userPath: '/a/b', queryParameters: {} }), { invalid: 'a/b' });
  assert.equal(connectionIdOf({ queryParameters: {} }), undefined);
});

test('content type and size come first', () => {
  assert.ok(isJsonContentType('application/json'));
  assert.ok(isJsonContentType('Application/JSON; charset=UTF-8'));
  assert.ok(!isJsonContentType('application/json; charset=latin1'));
  assert.ok(!isJsonContentType('text/json'));
  assert.ok(!isJsonContentType(undefined));
  const request = (body: string, type = 'application/json') => ({ method: 'POST', path: '/x1/a', headers: { 'Content-Type': [type] }, queryParameters: {}, body });
  assert.equal(checkEnvelope(request('{}')), undefined);
  assert.equal(checkEnvelope(request('{}', 'text/plain'))?.status, 415);
  assert.equal(checkEnvelope(request('é'.repeat(600_000)))?.status, 413, 'counted in UTF-8 bytes');
  assert.equal(checkEnvelope({ ...request('{}'), method: 'GET' })?.status, 405);
});

test('health: written on a change of outcome, else at most once a minute', () => {
  const t0 = Date.parse('2026-11-22T07:00:00Z');
  const accepted = nextHealth({}, t0, { accepted: true });
  assert.deepEqual(accepted, { lastAcceptedAt: '2026-11-22T07:00:00.000Z' });
  assert.equal(nextHealth(accepted ?? {}, t0 + 30_000, { accepted: true }), undefined);
  assert.ok(nextHealth(accepted ?? {}, t0 + 61_000, { accepted: true }));
  const refused = nextHealth(accepted ?? {}, t0 + 1000, { refused: 'bad signature' });
  assert.equal(refused?.lastRefusedReason, 'bad signature');
  assert.equal(nextHealth(refused ?? {}, t0 + 2000, { refused: 'bad signature' }), undefined);
  assert.ok(nextHealth(refused ?? {}, t0 + 2000, { refused: 'stale' }));
  assert.ok(nextHealth(refused ?? {}, t0 + 2000, { accepted: true }), 'an accepted request after a refusal turns the lamp back');
});

const transition = (id: string, to: string, categoryKey: string, fields: JiraTransition['fields'] = {}): JiraTransition => ({ id, name: `to ${to}`, to: { id, name: to, categoryKey }, fields });

test('transitions: straight to the name, else into the category, never away', () => {
  const fromToDo = [transition('11', 'In Progress', 'indeterminate'), transition('12', 'Rejected', 'done')];
  const known = (list: JiraTransition[]) => new Map([['to do', list.map((t) => ({ id: t.id, name: t.name, to: t.to }))]]);
  const first = (list: JiraTransition[], target: StatusTarget) => {
    const route = findStatusRoute({ from: { name: 'To Do', categoryKey: 'new' }, target, workflow: known(list), maxSteps: 3 });
    return route.kind === 'route' ? route.steps[0]?.id : undefined;
  };
  assert.equal(first(fromToDo, { kind: 'status', name: 'In Progress', category: 'indeterminate' }), '11');
  assert.equal(first(fromToDo, { kind: 'status', name: 'Closed', category: 'done' }), '12');
  assert.equal(first(fromToDo, { kind: 'status', category: 'done' }), '12');
  // Blocked is in no reachable status: no step from new to done on the way to indeterminate.
  assert.equal(first([transition('12', 'Rejected', 'done')], { kind: 'status', name: 'Blocked', category: 'indeterminate' }), undefined);
});

test('transition screens: the configured resolution, else Done, else the first; other required fields from the change', () => {
  const resolution = { fieldId: 'resolution', name: 'Resolution', required: true, hasDefaultValue: false, allowedValues: [{ id: '1', name: 'Fixed' }, { id: '2', name: 'Done' }] };
  const done = transition('31', 'Done', 'done', { resolution });
  assert.deepEqual(screenValues(done, { values: {} }), { ok: true, fields: { resolution: { id: '2' } } });
  assert.deepEqual(screenValues(done, { resolution: 'fixed', values: {} }), { ok: true, fields: { resolution: { id: '1' } } });
  const team = { fieldId: 'customfield_10050', name: 'Team', required: true, hasDefaultValue: false, allowedValues: [] };
  const withTeam = transition('41', 'Done', 'done', { customfield_10050: team });
  assert.deepEqual(screenValues(withTeam, { values: { customfield_10050: { value: 'Ops' } } }), { ok: true, fields: { customfield_10050: { value: 'Ops' } } });
  const missing = screenValues(withTeam, { values: {} });
  assert.ok(!missing.ok && missing.field.name === 'Team');
});

test('a connection may carry inbound options; without them the defaults apply', () => {
  const base = { id: 'sf', name: 'StackFlow', protocol: 'record-rest', baseUrl: 'https://sf.example' };
  const plain = parseConfig({ version: 1, connections: [base] });
  assert.ok(plain.ok);
  assert.deepEqual(inboundOptionsOf(plain.config.connections[0]!), { auth: 'hmac', onToolDelete: 'nothing', createDefaults: {} });
  const bearer = parseConfig({ version: 1, connections: [{ ...base, inbound: { auth: 'bearer', onToolDelete: 'close', resolution: 'Fixed' } }] });
  assert.ok(bearer.ok);
  assert.deepEqual(inboundOptionsOf(bearer.config.connections[0]!), { auth: 'bearer', onToolDelete: 'close', resolution: 'Fixed', createDefaults: {} });
  const wrong = parseConfig({ version: 1, connections: [{ ...base, inbound: { auth: 'basic' } }] });
  assert.ok(!wrong.ok);
  assert.equal(wrong.errors[0]?.path, 'connections.0.inbound.auth');
});

// Refused inbound calls as the admin sees them: each refusal (bad signature, retired secret, unknown
// connection) is counted and listed with its reason and time, never with what the caller sent; the
// count is kept in a bounded record; retiring a secret first says how many calls still used it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { signTandemRequest } from '../../devkit/external/itsm';
import type { AdminCallName, GetInboundResponse, InboundSecretResponse, RefusedCalls, RefusedCallsResponse } from '../../src/contract/admin';
import { findPreset } from '../../src/mapping';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const FIRST = 'F'.repeat(48);
const SECOND = 'S'.repeat(48);
/** Sent by an unauthenticated caller: it must appear in no answer to the admin. */
const MARKER = 'unauthenticated-body-marker-5d1f';

let tandem: TandemOnDevkit;
let base: string;

async function call<T>(functionKey: AdminCallName, payload: unknown = {}): Promise<T> {
  return (await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey, payload, accountId: tandem.admin.accountId })) as T;
}

function ok<T extends { ok: boolean }>(answer: T): Extract<T, { ok: true }> {
  assert.equal(answer.ok, true, JSON.stringify(answer));
  return answer as Extract<T, { ok: true }>;
}

const body = () =>
  JSON.stringify({ eventId: randomUUID(), type: 'record.updated', occurredAt: new Date().toISOString(), record: { module: 'incidents', id: 'r-1', fields: { note: MARKER } } });

async function post(path: string, secret: string | undefined): Promise<number> {
  const raw = body();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret !== undefined) headers['x-tandem-signature'] = signTandemRequest(secret, raw, Math.floor(Date.now() / 1000));
  const response = await fetch(`${base}/${path}`, { method: 'POST', headers, body: raw });
  await response.text();
  return response.status;
}

before(async () => {
  tandem = await startTandem();
  base = tandem.emulator.webTriggerUrl('tandem-inbound');
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  await configure(tandem.emulator, { version: 1, connections: [preset.build({ name: 'StackFlow', baseUrl: 'https://stackflow.invalid', id: 'stackflow' })] });
});

after(async () => {
  await tandem.stop();
});

const HOUR = 60 * 60 * 1000;
const total = (calls: RefusedCalls[]) => calls.reduce((sum, c) => sum + c.count, 0);
const reasonCount = (calls: RefusedCalls[], pattern: RegExp) =>
  calls.flatMap((c) => c.reasons).filter((r) => pattern.test(r.reason)).reduce((sum, r) => sum + r.count, 0);

test('retiring a secret says how many calls used it in the last 24 hours, and calls signed with it after are listed as refused', async () => {
  ok(await call<InboundSecretResponse>('setInboundSecret', { connectionId: 'stackflow', secret: FIRST }));
  const rotated = ok(await call<InboundSecretResponse>('setInboundSecret', { connectionId: 'stackflow', secret: SECOND }));
  assert.equal(rotated.inbound.previousSecretCalls24h, 0, 'nothing used the previous secret yet');

  for (let i = 0; i < 3; i++) assert.notEqual(await post('stackflow', FIRST), 401, 'the previous secret is accepted during the rotation');
  assert.notEqual(await post('stackflow', SECOND), 401);
  const view = ok(await call<GetInboundResponse>('getInbound', { connectionId: 'stackflow' })).connections[0];
  assert.equal(view?.previousSecretCalls24h, 3, 'three calls were signed with the previous secret');

  ok(await call<InboundSecretResponse>('retirePreviousInboundSecret', { connectionId: 'stackflow' }));
  assert.equal(await post('stackflow', FIRST), 401, 'the retired secret is refused');
  assert.equal(await post('stackflow', 'never-a-secret-of-this-connection'), 401);
  assert.equal(await post('stackflow', 'never-a-secret-of-this-connection'), 401);
  assert.equal(await post('nosuchconnection', SECOND), 404);

  const answer = ok(await call<RefusedCallsResponse>('getRefusedCalls', {}));
  assert.ok(!JSON.stringify(answer).includes(MARKER), 'nothing of an unauthenticated body is shown');
  assert.equal(answer.last24h, 4);
  const stackflow = answer.calls.filter((c) => c.connectionId === 'stackflow');
  assert.equal(total(stackflow), 3, JSON.stringify(answer.calls));
  assert.equal(reasonCount(stackflow, /retired on \d{4}-\d{2}-\d{2}/), 1, JSON.stringify(stackflow));
  assert.equal(reasonCount(stackflow, /matches no inbound secret/), 2, JSON.stringify(stackflow));
  for (const hour of stackflow) assert.ok(Date.parse(hour.lastAt) >= Date.parse(hour.firstAt));
  const unknown = answer.calls.find((c) => c.connectionId === undefined);
  assert.ok(unknown, 'a call naming no configured connection is listed too');
  assert.equal(unknown.count, 1);
  assert.equal(unknown.namedConnection, 'nosuchconnection');
  assert.match(unknown.reasons[0]?.reason ?? '', /not configured/);

  const filtered = ok(await call<RefusedCallsResponse>('getRefusedCalls', { connectionId: 'stackflow' }));
  assert.ok(filtered.calls.length > 0 && filtered.calls.every((c) => c.connectionId === 'stackflow'));
});

test('a flood of refused calls is one bounded record a connection an hour', async () => {
  const records = () => Object.keys(tandem.emulator.kvs.entries().kv).filter((k) => k.startsWith('refused:')).length;
  const before = records();
  const hourBefore = Math.floor(Date.now() / HOUR);
  for (let i = 0; i < 20; i++) assert.equal(await post('stackflow', 'never-a-secret-of-this-connection'), 401);
  const hours = Math.floor(Date.now() / HOUR) - hourBefore;
  assert.equal(records(), before + hours, 'the calls were counted in the record already kept for this hour');
  const stackflow = ok(await call<RefusedCallsResponse>('getRefusedCalls', { connectionId: 'stackflow' })).calls;
  assert.equal(total(stackflow), 23);
});

// Jira's rate limits as Jira Cloud sends them, met by Tandem's own code on the devkit: it waits as
// the headers say (Retry-After; X-RateLimit-Reset when a 429 has no Retry-After; the hourly quota
// until its reset, however long, with no attempt spent), for 503s too, and loses nothing.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ReferenceItsm, signTandemRequest } from '../../devkit/external/itsm';
import { findPreset } from '../../src/mapping';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-rate-limits';
const SECRET = 'inbound-secret-rate-limits-5d1e';
const GET_ISSUE = 'GET /rest/api/3/issue/{issueIdOrKey}';
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;
let itsmUrl: string;

before(async () => {
  tandem = await startTandem();
  itsm = new ReferenceItsm({ token: TOKEN, retryDelaysMs: [0] });
  itsmUrl = await itsm.listen();
});

after(async () => {
  await itsm.close();
  await tandem.stop();
});

beforeEach(async () => {
  tandem.jira.rateLimit.clear();
  await tandem.emulator.drain();
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow', baseUrl: itsmUrl, id: 'stackflow' });
  await configure(tandem.emulator, { version: 1, connections: [{ ...connection, auth: { kind: 'bearer' } }] }, { 'connection:stackflow:auth': TOKEN, 'connection:stackflow:inbound': SECRET });
});

const agent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });
const incidentFor = (key: string) => itsm.records('incidents').find((r) => r.jira_issue_key === key);

/** An issue made while Tandem hears nothing; its created event reaches Tandem once `limit` is switched on. */
async function issueSeenUnderLimit(summary: string, limit: () => void): Promise<{ id: string; key: string }> {
  tandem.emulator.holdProductEvents();
  const created = await tandem.rest(agent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary } });
  assert.equal(created.status, 201);
  limit();
  tandem.emulator.calls.reset();
  for (const event of tandem.emulator.releaseProductEvents()) tandem.emulator.deliverProductEvent(event);
  await tandem.emulator.settle();
  return created.body as { id: string; key: string };
}

async function failures(): Promise<Array<{ nextAttemptAt?: string }>> {
  const answer = await tandem.emulator.kvs.handle('/api/v1/query', { where: [{ property: 'key', condition: 'BEGINS_WITH', values: ['failure:'] }], limit: 10 });
  return ((answer.body as { data?: Array<{ value: { nextAttemptAt?: string } }> } | undefined)?.data ?? []).map((entry) => entry.value);
}

/** A failure kept for the admin: Tandem will not try it again by itself. */
async function failureKept(): Promise<boolean> {
  return (await failures()).some((f) => f.nextAttemptAt === undefined);
}

test('a 429 with Retry-After: the retry comes no sooner than Jira said', async () => {
  const issue = await issueSeenUnderLimit('Burst', () => tandem.jira.rateLimit.set({ kind: '429', retryAfterSeconds: 120 }));
  assert.equal(tandem.emulator.calls.jira.get(GET_ISSUE), 1);
  tandem.jira.rateLimit.clear();
  await tandem.emulator.advance(119_000);
  assert.equal(incidentFor(issue.key), undefined, 'not before Retry-After');
  assert.equal(tandem.emulator.calls.jira.get(GET_ISSUE), 1);
  await tandem.emulator.advance(2_000);
  assert.ok(incidentFor(issue.key), 'synced once Jira allowed it');
  assert.equal(await failureKept(), false);
});

test('a 429 with only X-RateLimit-Reset: the retry waits until the reset', async () => {
  const issue = await issueSeenUnderLimit('Reset only', () => tandem.jira.rateLimit.set({ kind: '429-reset-only', retryAfterSeconds: 200 }));
  tandem.jira.rateLimit.clear();
  // Jira names the minute of the reset, rounded up: between 200 and 260 s from now.
  await tandem.emulator.advance(199_000);
  assert.equal(incidentFor(issue.key), undefined, 'not before the reset');
  await tandem.emulator.advance(62_000);
  assert.ok(incidentFor(issue.key));
  assert.equal(tandem.emulator.calls.jira.get(GET_ISSUE), 2, 'one refused read, one after the reset');
});

test('the hourly quota: Tandem waits until the reset (longer than one queue delay), asks Jira nothing meanwhile, spends no attempt and keeps no failure', async () => {
  const issue = await issueSeenUnderLimit('Quota', () => tandem.jira.rateLimit.set({ kind: 'quota', retryAfterSeconds: 3000 }));
  assert.equal(tandem.emulator.calls.jira.get(GET_ISSUE), 1);
  await tandem.emulator.advance(2_990_000);
  assert.equal(incidentFor(issue.key), undefined);
  assert.equal(tandem.emulator.calls.jira.get(GET_ISSUE), 1, 'no request while the quota is spent');
  assert.equal(await failureKept(), false);
  assert.equal((await failures()).length, 1, 'listed meanwhile as retrying, with when it goes on');
  await tandem.emulator.advance(20_000);
  assert.ok(incidentFor(issue.key), 'synced after the reset');
  assert.deepEqual(await failures(), [], 'the retrying failure is gone once it went through');
  assert.equal(tandem.emulator.queue.failed.length, 0);
  const attempts = tandem.emulator.queue.delivered.map((e) => (e.body as { delivery?: { attempt?: number } }).delivery?.attempt);
  assert.ok(attempts.every((a) => a === undefined || a <= 2), `the wait spent no attempts: ${JSON.stringify(attempts)}`);
});

test('a 503 with Retry-After: the retry waits for it', async () => {
  const issue = await issueSeenUnderLimit('Unavailable', () => tandem.jira.rateLimit.set({ kind: '503', retryAfterSeconds: 300 }));
  tandem.jira.rateLimit.clear();
  await tandem.emulator.advance(299_000);
  assert.equal(incidentFor(issue.key), undefined);
  await tandem.emulator.advance(2_000);
  assert.ok(incidentFor(issue.key));
});

test("a tool's event during the hourly quota is accepted (202), applied after the reset, and nothing is kept as failed", async () => {
  tandem.jira.rateLimit.set({ kind: 'quota', retryAfterSeconds: 2400 });
  const made0 = itsm.createRecord('incidents', { short_description: 'Made during the quota' });
  const record = { module: 'incidents', id: made0.id, number: made0.number, url: `${itsmUrl}/records/incidents/${made0.id}`, fields: { short_description: 'Made during the quota', priority: 'P3', state: 'new' } };
  const raw = JSON.stringify({ eventId: randomUUID(), type: 'record.created', occurredAt: new Date().toISOString(), record });
  const url = `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`;
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tandem-signature': signTandemRequest(SECRET, raw, Date.now() / 1000) }, body: raw });
  assert.equal(response.status, 202, await response.text());
  const made = () => tandem.jira.listIssues().find((i) => i.summary === 'Made during the quota');
  await tandem.emulator.advance(2_390_000);
  assert.equal(made(), undefined);
  await tandem.emulator.advance(20_000);
  assert.ok(made(), "the event was applied after the reset");
  assert.equal(await failureKept(), false);
});

test("a tool's event over 100 KB that must wait for Jira still fits the queue: Tandem's consumer runs up to 900 s, so Forge takes at most 100 KB an event", async () => {
  tandem.jira.rateLimit.set({ kind: '429', retryAfterSeconds: 30 });
  const made0 = itsm.createRecord('incidents', { short_description: 'Large while limited' });
  const record = { module: 'incidents', id: made0.id, number: made0.number, url: `${itsmUrl}/records/incidents/${made0.id}`, fields: { short_description: 'Large while limited', priority: 'P3', state: 'new', work_log: 'line of log\n'.repeat(10_000) } };
  const raw = JSON.stringify({ eventId: randomUUID(), type: 'record.created', occurredAt: new Date().toISOString(), record });
  assert.ok(Buffer.byteLength(raw) > 110 * 1024 && Buffer.byteLength(raw) < 150_000);
  const url = `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`;
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tandem-signature': signTandemRequest(SECRET, raw, Date.now() / 1000) }, body: raw });
  assert.equal(response.status, 202, await response.text());
  tandem.jira.rateLimit.clear();
  await tandem.emulator.advance(31_000);
  assert.ok(tandem.jira.listIssues().some((i) => i.summary === 'Large while limited'), 'applied once Jira allowed it');
});

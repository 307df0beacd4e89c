// A tool event Jira keeps refusing (rate limits for an hour) is not lost: after its last attempt it
// is listed with the other failures on the admin page, and a retry there applies it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { signTandemRequest } from '../../devkit/external/itsm';
import type { FailuresResponse, RetryResponse } from '../../src/contract/admin';
import { findPreset } from '../../src/mapping';
import { authSecretKey, inboundSecretKey } from '../../src/sync/state';
import { configure, startTandem, stored, type TandemOnDevkit } from '../support/devkit';

const SECRET = 'kept-failures-inbound-secret';
let tandem: TandemOnDevkit;

before(async () => {
  tandem = await startTandem();
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = { ...preset.build({ name: 'StackFlow', baseUrl: 'https://stackflow.example.com', id: 'stackflow' }), auth: { kind: 'bearer' as const } };
  await configure(tandem.emulator, { version: 1, connections: [connection] }, { [inboundSecretKey('stackflow')]: SECRET, [authSecretKey('stackflow')]: 'unused' });
});

after(async () => {
  await tandem.stop();
});

async function admin<T>(functionKey: string, payload: unknown): Promise<T> {
  return (await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey, payload, accountId: tandem.admin.accountId })) as T;
}

test('an inbound event that never gets through is kept, listed and retried from the admin page', async () => {
  const body = JSON.stringify({
    eventId: randomUUID(),
    type: 'record.created',
    occurredAt: new Date().toISOString(),
    record: { module: 'incidents', id: 'rec-kept-1', number: 'INC0009001', url: 'https://stackflow.example.com/records/incidents/rec-kept-1', fields: { short_description: 'Payments time out', priority: 'P1', state: 'new' } },
  });
  tandem.jira.rateLimit.set({ retryAfterSeconds: 30 });
  const answer = await fetch(`${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tandem-signature': signTandemRequest(SECRET, body, Date.now() / 1000) },
    body,
  });
  assert.equal(answer.status, 202, 'queued while Jira is rate-limiting');
  await tandem.emulator.drain();
  tandem.jira.rateLimit.clear();

  const listed = await admin<FailuresResponse>('getFailures', {});
  assert.ok(listed.ok);
  const kept = listed.failures.find((f) => f.subject.kind === 'inbound');
  assert.ok(kept, 'the event is listed with the failures');
  assert.equal(kept.subject.issueKey, 'INC0009001');
  assert.equal(tandem.jira.listIssues().length, 0);

  const retried = await admin<RetryResponse>('retryFailure', { id: kept.id });
  assert.ok(retried.ok);
  assert.equal(retried.retried, 1);
  await tandem.emulator.drain();
  const issues = tandem.jira.listIssues();
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.summary, 'Payments time out');
  const after = await admin<FailuresResponse>('getFailures', {});
  assert.ok(after.ok);
  assert.equal(after.failures.filter((f) => f.subject.kind === 'inbound').length, 0, 'the failure cleared once the event applied');
});

test('a kept inbound event near the 1 MB body limit is kept whole and applies when retried', async () => {
  // A tool sending its whole record: a large field Tandem does not map, with multi-byte characters
  // and quotes, so the kept copy is bigger than one storage value in every way it can be.
  const filler = 'Log line "ok" – résumé € 漢字 \\ end.\n';
  const base = {
    eventId: randomUUID(),
    type: 'record.created',
    occurredAt: new Date().toISOString(),
    record: { module: 'incidents', id: 'rec-kept-large', number: 'INC0009002', url: 'https://stackflow.example.com/records/incidents/rec-kept-large', fields: { short_description: 'Disk full on db-3', priority: 'P2', state: 'new', work_log: '' } },
  };
  const room = 1024 * 1024 - Buffer.byteLength(JSON.stringify(base), 'utf8') - 64;
  base.record.fields.work_log = filler.repeat(Math.floor(room / (Buffer.byteLength(JSON.stringify(filler), 'utf8') - 2)));
  const body = JSON.stringify(base);
  const bytes = Buffer.byteLength(body, 'utf8');
  assert.ok(bytes > 1_000_000 && bytes <= 1024 * 1024, `body of ${bytes} bytes`);

  const issuesBefore = tandem.jira.listIssues().length;
  tandem.jira.rateLimit.set({ retryAfterSeconds: 30 });
  const answer = await fetch(`${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tandem-signature': signTandemRequest(SECRET, body, Date.now() / 1000) },
    body,
  });
  assert.equal(answer.status, 202, await answer.text());
  await tandem.emulator.drain();
  tandem.jira.rateLimit.clear();
  assert.deepEqual(tandem.emulator.queue.failed, [], 'no delivery crashed');

  const listed = await admin<FailuresResponse>('getFailures', {});
  assert.ok(listed.ok);
  const kept = listed.failures.find((f) => f.subject.kind === 'inbound' && f.subject.issueKey === 'INC0009002');
  assert.ok(kept, 'the event is listed with the failures');
  // Kept in parts that each fit one storage value, and together the event exactly as the tool sent it.
  const head = (await stored(tandem.emulator, `inbound-failed:stackflow:${base.eventId}`)) as { parts?: number; event?: unknown };
  assert.ok(head.event === undefined && (head.parts ?? 0) > 1, JSON.stringify({ parts: head.parts }));
  const parts: string[] = [];
  for (let i = 0; i < (head.parts ?? 0); i += 1) parts.push(String(await stored(tandem.emulator, `inbound-failed-part:stackflow:${base.eventId}:${i}`)));
  assert.deepEqual(JSON.parse(parts.join('')), base);

  const retried = await admin<RetryResponse>('retryFailure', { id: kept.id });
  assert.ok(retried.ok);
  assert.equal(retried.retried, 1, JSON.stringify(retried));
  const message = JSON.stringify(tandem.emulator.queue.waiting().at(-1)?.event.body ?? {});
  assert.ok(Buffer.byteLength(message, 'utf8') < 200 * 1024, 'the retry fits one queue message');
  await tandem.emulator.drain();
  assert.deepEqual(tandem.emulator.queue.failed, []);
  const issues = tandem.jira.listIssues();
  assert.equal(issues.length, issuesBefore + 1);
  assert.equal(issues.at(-1)?.summary, 'Disk full on db-3');
  const after = await admin<FailuresResponse>('getFailures', {});
  assert.ok(after.ok);
  assert.equal(after.failures.filter((f) => f.subject.kind === 'inbound').length, 0, 'the failure cleared once the event applied');
  assert.equal(await stored(tandem.emulator, `inbound-failed:stackflow:${base.eventId}`), undefined, 'the kept event went with it');
  assert.equal(await stored(tandem.emulator, `inbound-failed-part:stackflow:${base.eventId}:0`), undefined);
  assert.deepEqual(tandem.emulator.contractViolations, []);
});

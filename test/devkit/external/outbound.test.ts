// The reference ITSM's events to Tandem: signed, in Tandem's inbound format, retried on 5xx, not on 4xx.
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signTandemRequest, verifyTandemSignature } from '../../../devkit/external/signing';
import { at, receiver, start, str } from './helpers';

const SECRET = 'whsec_test';
const NOW = Date.parse('2026-03-01T10:00:00.000Z');

test('signTandemRequest signs "<t>.<body>" with HMAC-SHA256; verify checks secret, body and age', () => {
  const header = signTandemRequest('k', '{"a":1}', 1_700_000_000.9);
  // HMAC-SHA256("k", '1700000000.{"a":1}'), computed independently (seconds are floored).
  assert.equal(header, 't=1700000000,v1=1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3');
  assert.ok(verifyTandemSignature('k', '{"a":1}', header, 1_700_000_010));
  assert.ok(!verifyTandemSignature('other', '{"a":1}', header, 1_700_000_010));
  assert.ok(!verifyTandemSignature('k', '{"a":2}', header, 1_700_000_010));
  assert.ok(!verifyTandemSignature('k', '{"a":1}', header, 1_700_001_000));
  assert.ok(!verifyTandemSignature('k', '{"a":1}', undefined, 1_700_000_010));
});

test('every change goes out signed, in Tandem inbound format, in order, after the API answer', async () => {
  const hook = await receiver();
  const { call, itsm } = await start({ clock: () => NOW, outbound: { url: hook.url, secret: SECRET } });
  const created = await call('POST', '/api/incidents', { short_description: 'Disk <full>', priority: 'P2', jira_issue_key: 'OPS-12' });
  const id = str(created.body, 'id');
  await call('PATCH', `/api/incidents/${id}`, { state: 'in_progress', assigned_to: 'user@example.com' });
  await call('PATCH', `/api/incidents/${id}`, { state: 'in_progress' }); // no change: no event
  const note = await call('POST', `/api/incidents/${id}/work_notes`, { body: 'On it', author: { name: 'Ann', email: 'ann@example.com' } });
  await call('PATCH', `/api/incidents/${id}/work_notes/${str(note.body, 'id')}`, { body: 'On it now' });
  await call('DELETE', `/api/incidents/${id}/work_notes/${str(note.body, 'id')}`);
  await call('DELETE', `/api/incidents/${id}`);
  await itsm.whenIdle();

  const types = hook.received.map((r) => at(JSON.parse(r.body) as unknown, 'type'));
  assert.deepEqual(types, ['record.created', 'record.updated', 'comment.created', 'comment.updated', 'comment.deleted', 'record.deleted']);
  for (const r of hook.received) {
    assert.equal(r.headers['content-type'], 'application/json');
    const signature = r.headers['x-tandem-signature'];
    assert.equal(typeof signature, 'string');
    const [t, v1] = String(signature).split(',');
    assert.equal(t, `t=${NOW / 1000}`);
    assert.equal(v1, `v1=${createHmac('sha256', SECRET).update(`${NOW / 1000}.${r.body}`).digest('hex')}`);
    assert.ok(verifyTandemSignature(SECRET, r.body, String(signature), NOW / 1000));
  }
  const updated = JSON.parse(hook.received[1]?.body ?? '') as unknown;
  assert.match(str(updated, 'eventId'), /^[0-9a-f-]{36}$/);
  assert.equal(at(updated, 'occurredAt'), '2026-03-01T10:00:00.000Z');
  assert.deepEqual(at(updated, 'record'), {
    module: 'incidents',
    id,
    number: 'INC0001001',
    url: `${itsm.baseUrl}/records/incidents/${id}`,
    jiraIssueKey: 'OPS-12',
    fields: {
      number: 'INC0001001',
      short_description: 'Disk <full>',
      description: '',
      priority: 'P2',
      state: 'in_progress',
      assigned_to: 'user@example.com',
      assignment_group: null,
      category: null,
      jira_issue_key: 'OPS-12',
      jira_issue_url: null,
      created_at: '2026-03-01T10:00:00.000Z',
      updated_at: '2026-03-01T10:00:00.000Z',
    },
  });
  assert.equal(at(updated, 'comment'), undefined);
  const comment = JSON.parse(hook.received[2]?.body ?? '') as unknown;
  assert.deepEqual(at(comment, 'comment'), { id: str(note.body, 'id'), author: { name: 'Ann', email: 'ann@example.com' }, body: 'On it' });
  assert.ok(itsm.outbox.every((e) => e.state === 'delivered' && e.attempts.length === 1));
});

test('a record without a Jira key carries no jiraIssueKey; changes made in the tool go out too', async () => {
  const hook = await receiver();
  const { itsm } = await start({ outbound: { url: hook.url, secret: SECRET } });
  const record = itsm.createRecord('changes', { short_description: 'Made by a person' });
  itsm.addNote('changes', record.id, 'A note');
  await itsm.whenIdle();
  const first = JSON.parse(hook.received[0]?.body ?? '') as unknown;
  assert.equal(at(first, 'record', 'number'), 'CHG0001001');
  assert.equal(at(first, 'record', 'jiraIssueKey'), undefined);
  assert.equal(at(JSON.parse(hook.received[1]?.body ?? '') as unknown, 'comment', 'author', 'name'), 'Sam Agent');
});

test('503 is retried until it succeeds (same event, fresh signature); 400 is not retried', async () => {
  const hook = await receiver();
  const { call, itsm } = await start({ outbound: { url: hook.url, secret: SECRET }, retryDelaysMs: [0, 0] });
  hook.statuses.push(503, 503);
  await call('POST', '/api/incidents', { short_description: 'retry me' });
  await itsm.whenIdle();
  assert.deepEqual(hook.received.map((r) => r.status), [503, 503, 200]);
  assert.equal(new Set(hook.received.map((r) => r.body)).size, 1);
  const entry = itsm.outbox[0];
  assert.equal(entry?.state, 'delivered');
  assert.deepEqual(entry?.attempts.map((a) => a.status), [503, 503, 200]);

  hook.received.length = 0;
  hook.statuses.push(400);
  await call('POST', '/api/incidents', { short_description: 'refused' });
  await itsm.whenIdle();
  assert.deepEqual(hook.received.map((r) => r.status), [400]);
  assert.equal(itsm.outbox[1]?.state, 'failed');

  hook.received.length = 0;
  hook.statuses.push(429, 500, 502);
  await call('POST', '/api/incidents', { short_description: 'gives up' });
  await itsm.whenIdle();
  assert.equal(hook.received.length, 3, 'three tries in all');
  assert.equal(itsm.outbox[2]?.state, 'failed');
});

test('network errors are retried and logged; with no outbound URL events are logged as skipped', async () => {
  const { call, itsm } = await start({ outbound: { url: 'http://127.0.0.1:1/unreachable', secret: SECRET } });
  await call('POST', '/api/incidents', { short_description: 'nowhere' });
  await itsm.whenIdle();
  const entry = itsm.outbox[0];
  assert.equal(entry?.state, 'failed');
  assert.equal(entry?.attempts.length, 3);
  assert.ok(entry?.attempts.every((a) => a.status === undefined && typeof a.error === 'string'));

  itsm.setOutbound(undefined);
  await call('POST', '/api/incidents', { short_description: 'unsent' });
  await itsm.whenIdle();
  assert.equal(itsm.outbox[1]?.state, 'skipped');
  assert.equal(itsm.outbox[1]?.url, null);
});

test('sends for one record wait for each other; a slow record does not hold up another', async () => {
  const hook = await receiver();
  const { call, itsm } = await start({ outbound: { url: hook.url, secret: SECRET }, retryDelaysMs: [250] });
  hook.statuses.push(503); // the first send (A created) fails once
  const a = str((await call('POST', '/api/incidents', { short_description: 'A' })).body, 'id');
  await call('PATCH', `/api/incidents/${a}`, { state: 'on_hold' });
  await call('POST', '/api/incidents', { short_description: 'B' });
  await itsm.whenIdle();
  const seen = hook.received.map((r) => {
    const body = JSON.parse(r.body) as unknown;
    return `${String(at(body, 'record', 'fields', 'short_description'))}:${String(at(body, 'type'))}:${r.status}`;
  });
  assert.deepEqual(seen.filter((s) => s.startsWith('A:')), ['A:record.created:503', 'A:record.created:200', 'A:record.updated:200']);
  assert.ok(seen.indexOf('B:record.created:200') < seen.indexOf('A:record.created:200'), seen.join(' '));
});

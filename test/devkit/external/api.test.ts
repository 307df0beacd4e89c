// The reference ITSM's REST API: auth, records, validation, numbering, lookup, work notes, Idempotency-Key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, start, str, TOKEN } from './helpers';

test('missing or wrong bearer token answers 401 JSON; the token is redacted in the request log', async () => {
  const { call, itsm } = await start();
  const missing = await call('GET', '/api/incidents', undefined, { Authorization: '' });
  assert.equal(missing.status, 401);
  assert.equal(at(missing.body, 'error', 'message'), 'User Not Authenticated');
  assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="StackFlow"');
  const wrong = await call('GET', '/api/incidents', undefined, { Authorization: 'Bearer nope' });
  assert.equal(wrong.status, 401);
  const basic = await call('GET', '/api/incidents', undefined, { Authorization: `Basic ${TOKEN}` });
  assert.equal(basic.status, 401);
  const ok = await call('GET', '/api/incidents');
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { result: [], next_cursor: null });
  const logged = itsm.requests.at(-1);
  assert.equal(logged?.headers.authorization, 'Bearer [redacted]');
  assert.equal(logged?.status, 200);
  assert.ok(!JSON.stringify(itsm.requests).includes(TOKEN));
});

test('create answers 201 with the record; numbers count up per module; defaults apply', async () => {
  const { call } = await start({ clock: () => Date.parse('2026-03-01T10:00:00.000Z') });
  const first = await call('POST', '/api/incidents', { short_description: 'Disk full', priority: 'P2', assigned_to: 'ann@example.com' });
  assert.equal(first.status, 201);
  assert.match(str(first.body, 'id'), /^[0-9a-f]{32}$/);
  assert.deepEqual({ ...(first.body as object), id: 'x' }, {
    id: 'x',
    number: 'INC0001001',
    short_description: 'Disk full',
    description: '',
    priority: 'P2',
    state: 'new',
    assigned_to: 'ann@example.com',
    assignment_group: null,
    category: null,
    jira_issue_key: null,
    jira_issue_url: null,
    created_at: '2026-03-01T10:00:00.000Z',
    updated_at: '2026-03-01T10:00:00.000Z',
  });
  const second = await call('POST', '/api/incidents', { short_description: 'Second' });
  assert.equal(at(second.body, 'number'), 'INC0001002');
  assert.equal(at(second.body, 'priority'), 'P3');
  const change = await call('POST', '/api/changes', { short_description: 'Patch servers' });
  assert.equal(at(change.body, 'number'), 'CHG0001001');
});

test('get, patch and delete a record; unknown module and unknown record answer 404', async () => {
  let now = Date.parse('2026-03-01T10:00:00.000Z');
  const { call, itsm } = await start({ clock: () => now });
  const created = await call('POST', '/api/incidents', { short_description: 'VPN down', description: '**Users** cannot connect' });
  const id = str(created.body, 'id');
  const got = await call('GET', `/api/incidents/${id}`);
  assert.deepEqual(got.body, created.body);

  now += 60_000;
  const patched = await call('PATCH', `/api/incidents/${id}`, { state: 'in_progress', assigned_to: null, priority: 'P1' });
  assert.equal(patched.status, 200);
  assert.equal(at(patched.body, 'state'), 'in_progress');
  assert.equal(at(patched.body, 'priority'), 'P1');
  assert.equal(at(patched.body, 'updated_at'), '2026-03-01T10:01:00.000Z');
  assert.equal(at(patched.body, 'created_at'), '2026-03-01T10:00:00.000Z');
  assert.equal(itsm.record('incidents', id)?.state, 'in_progress');

  const unknownModule = await call('GET', '/api/problems');
  assert.equal(unknownModule.status, 404);
  assert.equal(at(unknownModule.body, 'error', 'message'), "Unknown module 'problems'");
  assert.equal((await call('GET', '/api/incidents/nope')).status, 404);
  assert.equal((await call('PATCH', '/api/incidents/nope', { state: 'new' })).status, 404);
  assert.equal((await call('PUT', `/api/incidents/${id}`, { state: 'new' })).status, 405);

  const deleted = await call('DELETE', `/api/incidents/${id}`);
  assert.equal(deleted.status, 204);
  assert.equal(deleted.text, '');
  assert.equal((await call('GET', `/api/incidents/${id}`)).status, 404);
  assert.equal(itsm.records('incidents').length, 0);
});

test('writes are validated: unknown field, bad enum, bad email, read-only and missing fields answer 400 naming the field', async () => {
  const { call, itsm } = await start();
  const cases: Array<[unknown, string, RegExp]> = [
    [{ short_description: 'x', severity: 1 }, 'severity', /Unknown field 'severity'/],
    [{ short_description: 'x', priority: 'P9' }, 'priority', /Invalid value for field 'priority'/],
    [{ short_description: 'x', state: 'open' }, 'state', /Invalid value for field 'state'/],
    [{ short_description: 'x', assigned_to: 'not-an-email' }, 'assigned_to', /Invalid value/],
    [{ short_description: 'x', jira_issue_key: 'ops 12' }, 'jira_issue_key', /Invalid value/],
    [{ short_description: 'x', number: 'INC1' }, 'number', /read-only/],
    [{ description: 'no title' }, 'short_description', /Missing required field 'short_description'/],
    [{ short_description: '   ' }, 'short_description', /Invalid value/],
  ];
  for (const [body, field, message] of cases) {
    const reply = await call('POST', '/api/incidents', body);
    assert.equal(reply.status, 400, JSON.stringify(body));
    assert.equal(at(reply.body, 'error', 'field'), field);
    assert.match(str(reply.body, 'error', 'message'), message);
    assert.equal(at(reply.body, 'status'), 'failure');
  }
  const bad = await call('POST', '/api/incidents', { short_description: 'x', priority: 'P9' });
  assert.match(str(bad.body, 'error', 'detail'), /priority must be one of P1, P2, P3, P4 \(got "P9"\)/);
  assert.equal((await call('POST', '/api/incidents', '{not json')).status, 400);
  assert.equal((await call('POST', '/api/incidents', [1, 2])).status, 400);

  const created = await call('POST', '/api/incidents', { short_description: 'ok' });
  const patch = await call('PATCH', `/api/incidents/${str(created.body, 'id')}`, { state: 'done' });
  assert.equal(patch.status, 400);
  assert.equal(at(patch.body, 'error', 'field'), 'state');
  const link = await call('PATCH', `/api/incidents/${str(created.body, 'id')}`, { jira_issue_url: 'OPS-12' });
  assert.equal(link.status, 400);
  assert.equal(at(link.body, 'error', 'field'), 'jira_issue_url');
  assert.equal(itsm.records('incidents').length, 1);
});

test('GET /api/{module}?jira_issue_key= lists the linked records', async () => {
  const { call } = await start();
  await call('POST', '/api/incidents', { short_description: 'a', jira_issue_key: 'OPS-12' });
  await call('POST', '/api/incidents', { short_description: 'b', jira_issue_key: 'OPS-13' });
  await call('POST', '/api/changes', { short_description: 'c', jira_issue_key: 'OPS-12' });
  const found = await call('GET', '/api/incidents?jira_issue_key=OPS-12');
  assert.equal(found.status, 200);
  const list = at(found.body, 'result');
  assert.ok(Array.isArray(list));
  assert.deepEqual(list.map((r) => at(r, 'short_description')), ['a']);
  assert.deepEqual(at((await call('GET', '/api/incidents?jira_issue_key=OPS-99')).body, 'result'), []);
  // The integration writes the key back with where the issue opens.
  const id = str(at(list, 0), 'id');
  const written = await call('PATCH', `/api/incidents/${id}`, { jira_issue_key: 'OPS-14', jira_issue_url: 'https://acme.atlassian.net/browse/OPS-14' });
  assert.equal(written.status, 200);
  assert.equal(at(written.body, 'jira_issue_url'), 'https://acme.atlassian.net/browse/OPS-14');
  assert.deepEqual((at((await call('GET', '/api/incidents?jira_issue_key=OPS-14')).body, 'result') as unknown[]).map((r) => at(r, 'id')), [id]);
  assert.equal((at((await call('GET', '/api/incidents')).body, 'result') as unknown[]).length, 2);
});

test('work notes: add (with and without author), list, edit, delete; 404 for unknown note or record', async () => {
  const { call, itsm } = await start({ clock: () => Date.parse('2026-03-01T10:00:00.000Z') });
  const id = str((await call('POST', '/api/incidents', { short_description: 'x' })).body, 'id');
  const plain = await call('POST', `/api/incidents/${id}/work_notes`, { body: 'Looking into it' });
  assert.equal(plain.status, 201);
  assert.deepEqual({ ...(plain.body as object), id: 'n' }, {
    id: 'n',
    body: 'Looking into it',
    author: { name: 'Integration User', email: 'integration@stackflow.example' },
    created_at: '2026-03-01T10:00:00.000Z',
    updated_at: '2026-03-01T10:00:00.000Z',
  });
  const authored = await call('POST', `/api/incidents/${id}/work_notes`, { body: '*Fixed*', author: { displayName: 'Jo Jira', email: 'jo@example.com' } });
  assert.deepEqual(at(authored.body, 'author'), { name: 'Jo Jira', email: 'jo@example.com' });
  const noteId = str(authored.body, 'id');

  const listed = await call('GET', `/api/incidents/${id}/work_notes`);
  assert.deepEqual((at(listed.body, 'result') as unknown[]).map((n) => at(n, 'body')), ['Looking into it', '*Fixed*']);

  const edited = await call('PATCH', `/api/incidents/${id}/work_notes/${noteId}`, { body: '*Fixed* for real' });
  assert.equal(edited.status, 200);
  assert.equal(itsm.notes('incidents', id)[1]?.body, '*Fixed* for real');
  const badNote = await call('POST', `/api/incidents/${id}/work_notes`, { body: 'x', visibility: 'internal' });
  assert.equal(badNote.status, 400);
  assert.equal(at(badNote.body, 'error', 'field'), 'visibility');
  assert.equal((await call('POST', `/api/incidents/${id}/work_notes`, { body: '' })).status, 400);

  assert.equal((await call('DELETE', `/api/incidents/${id}/work_notes/${noteId}`)).status, 204);
  assert.equal((await call('DELETE', `/api/incidents/${id}/work_notes/${noteId}`)).status, 404);
  assert.equal((await call('POST', '/api/incidents/nope/work_notes', { body: 'x' })).status, 404);
  assert.equal(itsm.notes('incidents', id).length, 1);
});

test('Idempotency-Key: same key and body replays the answer without a second record; another body answers 422', async () => {
  const { call, itsm } = await start();
  const headers = { 'Idempotency-Key': 'OPS-1:create' };
  const first = await call('POST', '/api/incidents', { short_description: 'once', priority: 'P2' }, headers);
  // The same body with its keys in another order is the same request.
  const again = await call('POST', '/api/incidents', { priority: 'P2', short_description: 'once' }, headers);
  assert.equal(first.status, 201);
  assert.equal(again.status, 201);
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(itsm.records('incidents').length, 1);

  const conflict = await call('POST', '/api/incidents', { short_description: 'twice' }, headers);
  assert.equal(conflict.status, 422);
  assert.equal(at(conflict.body, 'error', 'message'), 'Idempotency-Key reused');
  assert.equal(itsm.records('incidents').length, 1);

  // A failed request is not remembered: the key can be used again once the body is right.
  const bad = await call('POST', '/api/incidents', { short_description: 'x', priority: 'P7' }, { 'Idempotency-Key': 'k2' });
  assert.equal(bad.status, 400);
  const fixed = await call('POST', '/api/incidents', { short_description: 'x', priority: 'P1' }, { 'Idempotency-Key': 'k2' });
  assert.equal(fixed.status, 201);

  // Work notes honour it too.
  const id = str(first.body, 'id');
  await call('POST', `/api/incidents/${id}/work_notes`, { body: 'note' }, { 'Idempotency-Key': 'c-1' });
  await call('POST', `/api/incidents/${id}/work_notes`, { body: 'note' }, { 'Idempotency-Key': 'c-1' });
  assert.equal(itsm.notes('incidents', id).length, 1);
});

test('Idempotency-Key expires after 24 hours', async () => {
  let now = Date.parse('2026-03-01T10:00:00.000Z');
  const { call, itsm } = await start({ clock: () => now });
  await call('POST', '/api/incidents', { short_description: 'a' }, { 'Idempotency-Key': 'k' });
  now += 24 * 60 * 60 * 1000;
  const later = await call('POST', '/api/incidents', { short_description: 'b' }, { 'Idempotency-Key': 'k' });
  assert.equal(later.status, 201);
  assert.equal(itsm.records('incidents').length, 2);
});

test('listing pages by cursor in order of change, filtered by updated_since; a record changed meanwhile is listed again, never skipped', async () => {
  let now = Date.parse('2026-03-01T10:00:00.000Z');
  const { call } = await start({ clock: () => now });
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) {
    now += 1000;
    ids.push(str((await call('POST', '/api/incidents', { short_description: `Old ${i}` })).body, 'id'));
  }
  const first = await call('GET', '/api/incidents?limit=3');
  assert.equal(first.status, 200);
  assert.deepEqual((at(first.body, 'result') as Array<{ id: string }>).map((r) => r.id), ids.slice(0, 3));
  const cursor = str(first.body, 'next_cursor');
  // The first record changes while the listing runs: it moves behind the cursor.
  now += 1000;
  await call('PATCH', `/api/incidents/${ids[0] ?? ''}`, { priority: 'P1' });
  const seen: string[] = [];
  let next: string | null = cursor;
  while (next !== null) {
    const page = await call('GET', `/api/incidents?limit=3&cursor=${encodeURIComponent(next)}`);
    seen.push(...(at(page.body, 'result') as Array<{ id: string }>).map((r) => r.id));
    next = at(page.body, 'next_cursor') as string | null;
  }
  assert.deepEqual(seen, [...ids.slice(3), ids[0]]);

  const since = await call('GET', `/api/incidents?updated_since=${encodeURIComponent('2026-03-01T10:00:06.000Z')}`);
  assert.deepEqual((at(since.body, 'result') as Array<{ id: string }>).map((r) => r.id), [ids[5], ids[6], ids[0]]);
  assert.equal(at(since.body, 'next_cursor'), null);

  for (const bad of ['limit=0', 'limit=1001', 'limit=ten', 'cursor=nope', 'updated_since=yesterday']) {
    const refused = await call('GET', `/api/incidents?${bad}`);
    assert.equal(refused.status, 400, bad);
    assert.equal(at(refused.body, 'error', 'field'), bad.split('=')[0]);
  }
});

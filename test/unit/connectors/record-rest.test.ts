import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordRestConnector, REQUEST_TIMEOUT_MS, testConnection, CONNECTION_TEST_KEY, authHeaders } from '../../../src/connectors';
import { ExternalFailure } from '../../../src/sync/ports';
import { clock, fakePort, json, restConnection, webhookConnection } from './fake-port';

const BASE = 'https://acme.stackflow-tech.com/prod';
const TOKEN = 'tok-9f8e7d';

function assertOk<T>(result: { ok: true; value: T } | { ok: false; failure: unknown }): T {
  if (!result.ok) assert.fail(`expected ok, got ${JSON.stringify(result.failure)}`);
  return result.value;
}

test('create: POST /api/{module} with the fields, Idempotency-Key, bearer token and the 10 s limit', async () => {
  const port = fakePort(json(201, { id: 'a1b2', number: 'INC0001', short_description: 'Disk full' }));
  const tool = recordRestConnector(restConnection(), TOKEN, port, { clock });
  const record = assertOk(await tool.createRecord({ module: 'incidents', fields: { short_description: 'Disk full', priority: 'P2' }, idempotencyKey: 'sf:10042' }));
  const request = port.last();
  assert.equal(request.method, 'POST');
  assert.equal(request.url, `${BASE}/api/incidents`);
  assert.equal(request.headers['Idempotency-Key'], 'sf:10042');
  assert.equal(request.headers.Authorization, `Bearer ${TOKEN}`);
  assert.equal(request.headers['Content-Type'], 'application/json');
  assert.equal(request.headers.Accept, 'application/json');
  assert.equal(request.timeoutMs, REQUEST_TIMEOUT_MS);
  assert.equal(REQUEST_TIMEOUT_MS, 10_000);
  assert.deepEqual(JSON.parse(request.body ?? ''), { short_description: 'Disk full', priority: 'P2' });
  assert.deepEqual(record, {
    id: 'a1b2',
    number: 'INC0001',
    url: `${BASE}/records/incidents/a1b2`,
    fields: { id: 'a1b2', number: 'INC0001', short_description: 'Disk full' },
  });
});

test('create: the {result: {...}} envelope, numeric ids, and the tool\'s own url/link', async () => {
  const tool = (body: unknown) => recordRestConnector(restConnection(), TOKEN, fakePort(json(200, body)), { clock });
  const wrapped = assertOk(await tool({ result: { id: 42, url: 'https://acme.stackflow-tech.com/nav/inc/42' } }).createRecord({ module: 'incidents', fields: {}, idempotencyKey: 'k' }));
  assert.equal(wrapped.id, '42');
  assert.equal(wrapped.url, 'https://acme.stackflow-tech.com/nav/inc/42');
  const relative = assertOk(await tool({ id: 'x', link: '/ui/incidents/x' }).createRecord({ module: 'incidents', fields: {}, idempotencyKey: 'k' }));
  assert.equal(relative.url, 'https://acme.stackflow-tech.com/ui/incidents/x');
  // Only http(s) links are trusted: the link is shown in Jira and opened by people.
  const hostile = assertOk(await tool({ id: 'x', url: 'javascript:alert(1)' }).createRecord({ module: 'incidents', fields: {}, idempotencyKey: 'k' }));
  assert.equal(hostile.url, `${BASE}/records/incidents/x`);
});

test('create: the record URL template is configurable', async () => {
  const port = fakePort(json(201, { id: 'a/1', number: 'CHG7' }));
  const tool = recordRestConnector(restConnection(), TOKEN, port, { recordUrlTemplate: '{baseUrl}/nav/{module}.do?number={number}', clock });
  const record = assertOk(await tool.createRecord({ module: 'changes', fields: {}, idempotencyKey: 'k' }));
  assert.equal(record.url, `${BASE}/nav/changes.do?number=CHG7`);
});

test('create: an answer without an id is a permanent unexpected answer', async () => {
  for (const body of ['{"ok":true}', '', 'Created', '{"result":{"number":"INC1"}}', '{"id":""}']) {
    const tool = recordRestConnector(restConnection(), TOKEN, fakePort({ status: 201, body }), { clock });
    const result = await tool.createRecord({ module: 'incidents', fields: {}, idempotencyKey: 'k' });
    assert.equal(result.ok, false, body);
    if (!result.ok) assert.deepEqual([result.failure.retry, result.failure.reason], ['permanent', 'unexpected-answer']);
  }
});

test('update, get, delete: default paths, ids encoded', async () => {
  const port = fakePort({ status: 204, body: '' }, json(200, { result: { id: 'a b', state: 'new' } }), { status: 204, body: '' });
  const tool = recordRestConnector(restConnection(), TOKEN, port, { clock });
  assert.equal(assertOk(await tool.updateRecord({ module: 'incidents', id: 'a b', fields: { state: 'in_progress' } })), undefined);
  assert.deepEqual([port.last().method, port.last().url, port.last().body], ['PATCH', `${BASE}/api/incidents/a%20b`, '{"state":"in_progress"}']);
  assert.equal(port.last().headers['Idempotency-Key'], undefined);
  const got = assertOk(await tool.getRecord({ module: 'incidents', id: 'a b' }));
  assert.deepEqual([port.last().method, port.last().url, port.last().body], ['GET', `${BASE}/api/incidents/a%20b`, undefined]);
  assert.equal(port.last().headers['Content-Type'], undefined);
  assert.equal(got.fields.state, 'new');
  assertOk(await tool.deleteRecord({ module: 'incidents', id: 'a b' }));
  assert.deepEqual([port.last().method, port.last().url], ['DELETE', `${BASE}/api/incidents/a%20b`]);
});

test('update returns the record when the tool answers with one', async () => {
  const tool = recordRestConnector(restConnection(), TOKEN, fakePort(json(200, { id: '7', state: 'resolved' })), { clock });
  assert.equal(assertOk(await tool.updateRecord({ module: 'incidents', id: '7', fields: {} }))?.fields.state, 'resolved');
});

test('ids that would change the path are refused before sending', async () => {
  const port = fakePort();
  const tool = recordRestConnector(restConnection(), TOKEN, port, { clock });
  for (const id of ['..', '.', ' ']) {
    const result = await tool.deleteRecord({ module: 'incidents', id });
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.failure.reason, 'bad-config');
  }
  assert.equal(port.requests.length, 0);
});

test('work notes: add, edit, delete with Markdown body', async () => {
  const port = fakePort(json(201, { id: 'n1' }), json(200, {}), { status: 204, body: '' });
  const tool = recordRestConnector(restConnection(), TOKEN, port, { clock });
  const note = assertOk(await tool.addWorkNote({ module: 'incidents', id: '7', body: '**Checked** the disk', author: { email: 'a@b.c' }, idempotencyKey: 'c:100' }));
  assert.deepEqual(note, { id: 'n1' });
  assert.deepEqual([port.last().method, port.last().url], ['POST', `${BASE}/api/incidents/7/work_notes`]);
  assert.deepEqual(JSON.parse(port.last().body ?? ''), { body: '**Checked** the disk' });
  assert.equal(port.last().headers['Idempotency-Key'], 'c:100');
  assertOk(await tool.updateWorkNote({ module: 'incidents', id: '7', noteId: 'n1', body: 'edited' }));
  assert.deepEqual([port.last().method, port.last().url, port.last().body], ['PATCH', `${BASE}/api/incidents/7/work_notes/n1`, '{"body":"edited"}']);
  assertOk(await tool.deleteWorkNote({ module: 'incidents', id: '7', noteId: 'n1' }));
  assert.deepEqual([port.last().method, port.last().url], ['DELETE', `${BASE}/api/incidents/7/work_notes/n1`]);
});

test('work notes: author only when configured; an answer without an id is still a success', async () => {
  const port = fakePort({ status: 201, body: '' });
  const tool = recordRestConnector(restConnection(), TOKEN, port, { sendNoteAuthor: true, clock });
  assert.deepEqual(assertOk(await tool.addWorkNote({ module: 'incidents', id: '7', body: 'hi', author: { displayName: 'Ada', email: 'ada@acme.com' } })), {});
  assert.deepEqual(JSON.parse(port.last().body ?? ''), { body: 'hi', author: { displayName: 'Ada', email: 'ada@acme.com' } });
  assert.equal(port.last().headers['Idempotency-Key'], undefined);
});

test('find by issue key: query encoded, list shapes, exact match preferred', async () => {
  const find = async (body: unknown, key = 'OPS-1') => {
    const port = fakePort(json(200, body));
    const result = await recordRestConnector(restConnection(), TOKEN, port, { clock }).findRecordByIssueKey({ module: 'incidents', issueKey: key });
    return { result, url: port.last().url };
  };
  const { result: empty, url } = await find([]);
  assert.equal(url, `${BASE}/api/incidents?jira_issue_key=OPS-1`);
  assert.equal(assertOk(empty), undefined);
  assert.equal(assertOk((await find({ result: [{ id: 'r1' }] })).result)?.id, 'r1');
  assert.equal(assertOk((await find({ records: [{ id: 'r2' }] })).result)?.id, 'r2');
  assert.equal(assertOk((await find({ data: [{ id: 'r3' }] })).result)?.id, 'r3');
  const many = [
    { id: 'r1', jira_issue_key: 'OPS-2' },
    { id: 'r9', jira_issue_key: 'OPS-1' },
  ];
  assert.equal(assertOk((await find(many)).result)?.id, 'r9');
  assert.equal(assertOk((await find([{ id: 'r1', jira_issue_key: 'OPS-2' }])).result), undefined);
  // The tool ignored the filter: several records and none names the issue.
  const ambiguous = (await find([{ id: 'a' }, { id: 'b' }])).result;
  assert.equal(ambiguous.ok, false);
  const notList = (await find({ id: 'x' })).result;
  assert.equal(notList.ok, false);
  assert.equal((await find([], 'OPS-1&x=1')).url, `${BASE}/api/incidents?jira_issue_key=OPS-1%26x%3D1`);
});

test('paths: connection-wide and per-module overrides, with methods', async () => {
  const connection = restConnection({
    paths: { updateRecord: 'PUT /v2/{module}/{id}', addNote: 'POST /v2/{module}/{id}/comments' },
    modulePaths: { changes: { createRecord: 'POST /v2/change_requests', findByIssueKey: 'GET /v2/change_requests?q=jira:{key}' } },
  });
  const port = fakePort(json(201, { id: 'c1' }));
  const tool = recordRestConnector(connection, TOKEN, port, { clock });
  await tool.createRecord({ module: 'changes', fields: {}, idempotencyKey: 'k' });
  assert.deepEqual([port.last().method, port.last().url], ['POST', `${BASE}/v2/change_requests`]);
  await tool.createRecord({ module: 'incidents', fields: {}, idempotencyKey: 'k' });
  assert.deepEqual([port.last().method, port.last().url], ['POST', `${BASE}/api/incidents`]);
  await tool.updateRecord({ module: 'changes', id: 'c1', fields: {} });
  assert.deepEqual([port.last().method, port.last().url], ['PUT', `${BASE}/v2/changes/c1`]);
  await tool.addWorkNote({ module: 'changes', id: 'c1', body: 'x' });
  assert.equal(port.last().url, `${BASE}/v2/changes/c1/comments`);
  await tool.findRecordByIssueKey({ module: 'changes', issueKey: 'INFRA-3' });
  assert.equal(port.last().url, `${BASE}/v2/change_requests?q=jira:INFRA-3`);
});

test('a path with a placeholder Tandem cannot fill is a permanent config failure, not a request', async () => {
  const port = fakePort();
  const tool = recordRestConnector(restConnection({ paths: { getRecord: 'GET /api/{module}/{sys_id}' } }), TOKEN, port, { clock });
  const result = await tool.getRecord({ module: 'incidents', id: '1' });
  assert.equal(result.ok, false);
  if (!result.ok) assert.deepEqual([result.failure.retry, result.failure.reason], ['permanent', 'bad-config']);
  assert.equal(port.requests.length, 0);
});

test('base URL with or without trailing slash', async () => {
  const port = fakePort(json(200, { id: '1' }));
  await recordRestConnector(restConnection({ baseUrl: 'https://tool.example.com/' }), TOKEN, port, { clock }).getRecord({ module: 'incidents', id: '1' });
  assert.equal(port.last().url, 'https://tool.example.com/api/incidents/1');
});

test('auth variants: bearer, basic, named header, none; a missing secret sends nothing', async () => {
  const headersFor = async (auth: Parameters<typeof restConnection>[0], secret: string | undefined) => {
    const port = fakePort(json(200, { id: '1' }));
    const result = await recordRestConnector(restConnection(auth), secret, port, { clock }).getRecord({ module: 'incidents', id: '1' });
    return { result, headers: port.requests[0]?.headers, sent: port.requests.length };
  };
  assert.equal((await headersFor({ auth: { kind: 'bearer' } }, TOKEN)).headers?.Authorization, `Bearer ${TOKEN}`);
  assert.equal(
    (await headersFor({ auth: { kind: 'basic', username: 'ops@acme.com' } }, 'pw:1')).headers?.Authorization,
    `Basic ${Buffer.from('ops@acme.com:pw:1').toString('base64')}`,
  );
  const named = (await headersFor({ auth: { kind: 'header', headerName: 'X-Api-Key' } }, TOKEN)).headers;
  assert.equal(named?.['X-Api-Key'], TOKEN);
  assert.equal(named?.Authorization, undefined);
  const none = (await headersFor({ auth: { kind: 'none' } }, undefined)).headers;
  assert.equal(none?.Authorization, undefined);
  for (const secret of [undefined, '']) {
    const missing = await headersFor({ auth: { kind: 'bearer' } }, secret);
    assert.equal(missing.sent, 0);
    assert.equal(missing.result.ok, false);
    if (!missing.result.ok) assert.deepEqual([missing.result.failure.retry, missing.result.failure.reason], ['permanent', 'missing-secret']);
  }
  assert.deepEqual(authHeaders({ kind: 'none' }, 'ignored'), { ok: true, value: {} });
});

test('every operation reports failures with the shared classification', async () => {
  const cases: Array<[ConstructorParameters<typeof ExternalFailure> | number, string, string]> = [
    [401, 'permanent', 'token-rejected'],
    [403, 'permanent', 'forbidden'],
    [404, 'permanent', 'not-found'],
    [409, 'permanent', 'conflict'],
    [422, 'permanent', 'unprocessable'],
    [429, 'transient', 'rate-limited'],
    [502, 'transient', 'server-error'],
    [['timeout', 'slow'], 'transient', 'timeout'],
    [['network', 'reset'], 'transient', 'network'],
    [['egress-denied', 'no'], 'permanent', 'egress-denied'],
  ];
  for (const [answer, retry, reason] of cases) {
    const port = fakePort(typeof answer === 'number' ? json(answer, { error: 'tool says no' }, { 'retry-after': '7' }) : new ExternalFailure(...answer));
    const tool = recordRestConnector(restConnection(), TOKEN, port, { clock });
    const results = [
      await tool.createRecord({ module: 'incidents', fields: {}, idempotencyKey: 'k' }),
      await tool.updateRecord({ module: 'incidents', id: '1', fields: {} }),
      await tool.getRecord({ module: 'incidents', id: '1' }),
      await tool.deleteRecord({ module: 'incidents', id: '1' }),
      await tool.findRecordByIssueKey({ module: 'incidents', issueKey: 'OPS-1' }),
      await tool.addWorkNote({ module: 'incidents', id: '1', body: 'x' }),
      await tool.updateWorkNote({ module: 'incidents', id: '1', noteId: '2', body: 'x' }),
      await tool.deleteWorkNote({ module: 'incidents', id: '1', noteId: '2' }),
    ];
    for (const result of results) {
      assert.equal(result.ok, false);
      if (result.ok) continue;
      assert.deepEqual([result.failure.retry, result.failure.reason], [retry, reason], JSON.stringify(answer));
      if (typeof answer === 'number') {
        assert.equal(result.failure.status, answer);
        assert.equal(result.failure.toolMessage, 'tool says no');
        assert.equal(result.failure.retryAfterSeconds, retry === 'transient' ? 7 : undefined);
      }
    }
  }
});

test("a Retry-After date is read against the platform's clock, not the machine's", async () => {
  const retryAt = new Date(clock.now() + 90_000).toUTCString();
  const tool = recordRestConnector(restConnection(), TOKEN, fakePort(json(503, {}, { 'retry-after': retryAt })), { clock });
  const result = await tool.getRecord({ module: 'incidents', id: '1' });
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.failure.retryAfterSeconds, 90);
});

test('a port that throws something other than ExternalFailure is a transient network failure', async () => {
  const port = { send: async () => Promise.reject(new TypeError('boom')) };
  const result = await recordRestConnector(restConnection(), TOKEN, port, { clock }).getRecord({ module: 'incidents', id: '1' });
  assert.equal(result.ok, false);
  if (!result.ok) assert.deepEqual([result.failure.retry, result.failure.reason], ['transient', 'network']);
});

test('testConnection: record REST searches the first module for the test key', async () => {
  const port = fakePort(json(200, { result: [] }));
  const ok = await testConnection(restConnection({ projects: [{ projectKey: 'INFRA', module: 'changes' }] }), TOKEN, port, { clock });
  assert.equal(ok.verdict, 'ok');
  assert.equal(port.last().method, 'GET');
  assert.equal(port.last().url, `${BASE}/api/changes?jira_issue_key=${CONNECTION_TEST_KEY}`);
  assert.equal(port.last().headers.Authorization, `Bearer ${TOKEN}`);

  const verdictFor = async (answer: Parameters<typeof fakePort>[0]) => (await testConnection(restConnection(), TOKEN, fakePort(answer), { clock })).verdict;
  assert.equal(await verdictFor(json(401, { message: 'bad' })), 'token-rejected');
  assert.equal(await verdictFor(json(403, {})), 'forbidden');
  assert.equal(await verdictFor(json(404, {})), 'wrong-url');
  assert.equal(await verdictFor({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Sign in</html>' }), 'wrong-url');
  assert.equal(await verdictFor(new ExternalFailure('timeout', 'slow')), 'unreachable');
  assert.equal(await verdictFor(new ExternalFailure('network', 'ENOTFOUND')), 'unreachable');
  assert.equal(await verdictFor(new ExternalFailure('egress-denied', 'no')), 'host-not-allowed');
  assert.equal(await verdictFor(json(500, {})), 'tool-error');
  const denied = await testConnection(restConnection(), TOKEN, fakePort(new ExternalFailure('egress-denied', 'no')), { clock });
  assert.match(denied.message, /do not allow requests to acme\.stackflow-tech\.com/);
  const rejected = await testConnection(restConnection(), TOKEN, fakePort(json(401, { message: `bad token ${TOKEN}` })), { clock });
  assert.equal(rejected.status, 401);
  assert.equal(rejected.toolMessage, 'bad token [redacted]');
  assert.equal((await testConnection(restConnection(), undefined, fakePort(), { clock })).verdict, 'missing-secret');
});

test('testConnection: a push connection sends nothing', async () => {
  const port = fakePort();
  const result = await testConnection(webhookConnection(), TOKEN, port, { clock });
  assert.equal(result.verdict, 'not-testable');
  assert.equal(port.requests.length, 0);
});

test('list: a page by limit, cursor and updated_since; the next cursor from the body or from a Link header', async () => {
  const port = fakePort(
    json(200, { result: [{ id: 'r1', number: 'INC1' }, { id: 'r2' }, { number: 'no id' }], next_cursor: 'c2' }),
    json(200, { result: [{ id: 'r3' }], next_cursor: null }),
    { status: 200, headers: { link: '<https://sentry.example/api/0/issues/?cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <https://sentry.example/api/0/issues/?cursor=0:100:0>; rel="next"; results="true"; cursor="0:100:0"' }, body: JSON.stringify([{ id: '7' }]) },
    { status: 200, headers: { link: '<https://sentry.example/api/0/issues/?cursor=0:200:0>; rel="next"; results="false"; cursor="0:200:0"' }, body: '[]' },
  );
  const tool = recordRestConnector(restConnection(), TOKEN, port, { clock });
  const first = assertOk(await tool.listRecords({ module: 'incidents', updatedSince: '2026-11-01T00:00:00.000Z' }));
  assert.deepEqual([port.last().method, port.last().url], ['GET', `${BASE}/api/incidents?limit=100&updated_since=2026-11-01T00%3A00%3A00.000Z`]);
  assert.deepEqual(first.records.map((r) => r.id), ['r1', 'r2'], 'a row without an id is left out');
  assert.equal(first.records[0]?.url, `${BASE}/records/incidents/r1`);
  assert.equal(first.nextCursor, 'c2');
  const last = assertOk(await tool.listRecords({ module: 'incidents', cursor: 'c2', limit: 50 }));
  assert.equal(port.last().url, `${BASE}/api/incidents?limit=50&cursor=c2`);
  assert.equal(last.nextCursor, undefined);
  const linked = assertOk(await tool.listRecords({ module: 'issues' }));
  assert.equal(linked.nextCursor, '0:100:0');
  const linkedEnd = assertOk(await tool.listRecords({ module: 'issues', cursor: '0:100:0' }));
  assert.equal(linkedEnd.nextCursor, undefined, 'results="false" has no next page');
});

test('list: a path with its own query keeps it; a tool that cannot list fails permanently, sending nothing', async () => {
  const port = fakePort(json(200, { items: [] }));
  const listing = recordRestConnector({ ...restConnection(), paths: { ...restConnection().paths, listRecords: 'GET /v2/{module}?active=true' } }, TOKEN, port, { clock });
  assert.deepEqual(assertOk(await listing.listRecords({ module: 'features' })), { records: [] });
  assert.equal(port.last().url, `${BASE}/v2/features?active=true&limit=100`);
  const silent = fakePort();
  const none = recordRestConnector({ ...restConnection(), paths: { ...restConnection().paths, listRecords: null } }, TOKEN, silent, { clock });
  const result = await none.listRecords({ module: 'incidents' });
  assert.equal(result.ok, false);
  if (!result.ok) assert.deepEqual([result.failure.retry, result.failure.reason], ['permanent', 'bad-config']);
  assert.equal(silent.requests.length, 0);
});

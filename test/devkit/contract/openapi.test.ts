import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createOpenApiChecker,
  operationTemplate,
  type ContractProblem,
} from '../../../devkit/jira/contract/openapi';

const checker = createOpenApiChecker();

const SITE = 'https://tandem-test.atlassian.net';
const adf = (text: string): unknown => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});

function messages(problems: ContractProblem[]): string[] {
  return problems.map((p) => p.message);
}

function issueBean(key = 'OPS-1', id = '10001'): Record<string, unknown> {
  return {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id,
    self: `${SITE}/rest/api/3/issue/${id}`,
    key,
    fields: {
      summary: 'Payment retries fail after timeout',
      description: adf('Retries stop after the first timeout.'),
      status: { self: `${SITE}/rest/api/3/status/3`, id: '3', name: 'In Progress', statusCategory: { id: 4, key: 'indeterminate', name: 'In Progress' } },
      labels: ['tandem'],
      updated: '2025-01-02T03:04:05.000+0000',
      assignee: { accountId: '5b10a2844c20165700ede21g', displayName: 'Mia Krystof', active: true },
    },
  };
}

test('a realistic PUT /rest/api/3/issue/{key} body passes', () => {
  const problems = checker.checkRequest({
    method: 'PUT',
    path: '/rest/api/3/issue/OPS-1?notifyUsers=false',
    body: {
      fields: { summary: 'Payment retries fail', description: adf('Details'), labels: ['tandem'], priority: { id: '2' } },
      update: { labels: [{ add: 'synced' }], comment: [{ add: { body: adf('Synced from the tracker') } }] },
      historyMetadata: { type: 'tandem:sync', description: 'Synced from the external tool' },
    },
  });
  assert.deepEqual(problems, []);
});

test('a wrong type in a request body names the path and the operation', () => {
  const problems = checker.checkRequest({
    method: 'PUT',
    path: '/rest/api/3/issue/OPS-1',
    body: { fields: { summary: 'x' }, update: { labels: { add: 'synced' } }, transition: { id: 31 } },
  });
  assert.deepEqual(messages(problems).sort(), ['body.transition.id: must be string', 'body.update.labels: must be array']);
  assert.equal(problems[0]?.operation, 'PUT /rest/api/3/issue/{issueIdOrKey}');
  assert.equal(problems[0]?.where, 'request');
});

test('a missing required body and a body where none is expected are problems', () => {
  assert.deepEqual(messages(checker.checkRequest({ method: 'PUT', path: '/rest/api/3/issue/OPS-1' })), ['body: a request body is required']);
  assert.deepEqual(messages(checker.checkRequest({ method: 'GET', path: '/rest/api/3/issue/OPS-1', body: {} })), [
    'body: the operation takes no request body',
  ]);
});

test('an unknown operation is one problem', () => {
  const problems = checker.checkRequest({ method: 'GET', path: '/rest/api/3/issues/OPS-1' });
  assert.equal(problems.length, 1);
  assert.match(problems[0]?.message ?? '', /^no such operation in the Jira contract \(jira-platform\.openapi\.json holds what the simulator serves/);
  assert.equal(problems[0]?.operation, 'GET /rest/api/3/issues/OPS-1');
  const wrongMethod = checker.checkRequest({ method: 'PATCH', path: '/rest/api/3/issue/OPS-1', body: {} });
  assert.match(wrongMethod[0]?.message ?? '', /^no such operation in the Jira contract .*\(\/rest\/api\/3\/issue\/\{issueIdOrKey\} has DELETE, GET, PUT but not PATCH\)$/);
});

test('literal path segments win over templated ones', () => {
  assert.equal(operationTemplate('GET', '/rest/api/3/project/search?maxResults=50'), '/rest/api/3/project/search');
  assert.equal(operationTemplate('GET', '/rest/api/3/project/OPS'), '/rest/api/3/project/{projectIdOrKey}');
  assert.equal(operationTemplate('POST', '/rest/api/3/issue/bulkfetch'), '/rest/api/3/issue/bulkfetch');
  assert.equal(operationTemplate('GET', '/rest/api/3/issue/OPS-1?fields=summary'), '/rest/api/3/issue/{issueIdOrKey}');
  assert.equal(checker.operationTemplate('POST', '/rest/api/3/issue/OPS-1/remotelink'), '/rest/api/3/issue/{issueIdOrKey}/remotelink');
  assert.equal(checker.operationTemplate('GET', '/rest/api/3/search/jql'), '/rest/api/3/search/jql');
  assert.equal(checker.operationTemplate('GET', '/rest/api/3/nothing/here'), null);
  assert.deepEqual(checker.checkRequest({ method: 'GET', path: '/rest/api/3/project/search?startAt=0&maxResults=50&orderBy=key' }), []);
});

test('query parameters: type, enum, arrays, unknown names', () => {
  assert.deepEqual(checker.checkRequest({ method: 'GET', path: '/rest/api/3/issue/OPS-1/comment?orderBy=-created&maxResults=50' }), []);
  assert.deepEqual(messages(checker.checkRequest({ method: 'GET', path: '/rest/api/3/issue/OPS-1/comment?orderBy=newest' })), [
    'query.orderBy: must be one of "created", "-created", "+created"',
  ]);
  assert.deepEqual(messages(checker.checkRequest({ method: 'GET', path: '/rest/api/3/search/jql?jql=project%3DOPS&maxResults=ten' })), [
    'query.maxResults: must be integer',
  ]);
  assert.deepEqual(messages(checker.checkRequest({ method: 'GET', path: '/rest/api/3/issue/OPS-1?fieldsByKeys=yes' })), [
    'query.fieldsByKeys: must be boolean',
  ]);
  // Array parameters: repeated and comma-separated values are both checked item by item.
  assert.deepEqual(checker.checkRequest({ method: 'GET', path: '/rest/api/3/project/search?status=live&status=archived' }), []);
  const arrayProblems = messages(checker.checkRequest({ method: 'GET', path: '/rest/api/3/project/search?status=live,gone' }));
  assert.equal(arrayProblems.length, 1);
  assert.match(arrayProblems[0] ?? '', /^query\.status\[1\]: must be one of "live", "archived", "deleted"$/);
  const unknown = messages(checker.checkRequest({ method: 'GET', path: '/rest/api/3/search/jql?jql=project%3DOPS&feilds=summary' }));
  assert.equal(unknown.length, 1);
  assert.match(unknown[0] ?? '', /^query\.feilds: unknown query parameter \(known: jql, nextPageToken, maxResults, fields,/);
});

test('a realistic GET /rest/api/3/issue/{key} 200 body passes; a wrong type fails', () => {
  assert.deepEqual(checker.checkResponse({ method: 'GET', path: '/rest/api/3/issue/OPS-1', status: 200, body: issueBean() }), []);
  const problems = checker.checkResponse({
    method: 'GET',
    path: '/rest/api/3/issue/OPS-1',
    status: 200,
    body: { ...issueBean(), id: 10001, renderedHtml: '<p/>' },
  });
  assert.deepEqual(messages(problems).sort(), ['body.id: must be string', 'body: unexpected property "renderedHtml"']);
  assert.equal(problems[0]?.where, 'response');
  assert.equal(problems[0]?.operation, 'GET /rest/api/3/issue/{issueIdOrKey}');
});

test('POST /rest/api/3/issue/{key}/transitions', () => {
  const path = '/rest/api/3/issue/OPS-1/transitions';
  assert.deepEqual(checker.checkRequest({ method: 'POST', path, body: { transition: { id: '31' }, fields: { resolution: { name: 'Done' } } } }), []);
  assert.deepEqual(messages(checker.checkRequest({ method: 'POST', path, body: { transition: { id: 31 } } })), ['body.transition.id: must be string']);
  assert.deepEqual(checker.checkResponse({ method: 'POST', path, status: 204 }), []);
});

test('GET /rest/api/3/search/jql response', () => {
  const path = '/rest/api/3/search/jql?jql=project%20%3D%20OPS%20ORDER%20BY%20updated&fields=summary,status,updated&maxResults=100';
  assert.deepEqual(checker.checkRequest({ method: 'GET', path }), []);
  const page = { issues: [issueBean('OPS-1', '10001'), issueBean('OPS-2', '10002')], nextPageToken: 'CAEaAggD', isLast: false };
  assert.deepEqual(checker.checkResponse({ method: 'GET', path, status: 200, body: page }), []);
  assert.deepEqual(checker.checkResponse({ method: 'GET', path, status: 200, body: { issues: [], isLast: true } }), []);
  const bad = checker.checkResponse({ method: 'GET', path, status: 200, body: { issues: [{ ...issueBean(), key: 7 }], total: 2, isLast: 'no' } });
  assert.deepEqual(messages(bad).sort(), ['body.isLast: must be boolean', 'body.issues[0].key: must be string', 'body: unexpected property "total"']);
  assert.deepEqual(messages(checker.checkResponse({ method: 'GET', path, status: 200 })), ['body: status 200 documents a JSON body but none was returned']);
});

test('POST /rest/api/3/issue/{key}/remotelink', () => {
  const path = '/rest/api/3/issue/OPS-1/remotelink';
  const link = {
    globalId: 'tandem:record=4711',
    application: { type: 'com.example.tracker', name: 'Tracker' },
    relationship: 'synced with',
    object: {
      url: 'https://tracker.example.com/records/4711',
      title: 'REC-4711',
      summary: 'Payment retries fail',
      icon: { url16x16: 'https://tracker.example.com/favicon.png', title: 'Tracker' },
      status: { resolved: false },
    },
  };
  assert.deepEqual(checker.checkRequest({ method: 'POST', path, body: link }), []);
  const { url: _url, ...objectWithoutUrl } = link.object;
  assert.deepEqual(messages(checker.checkRequest({ method: 'POST', path, body: { ...link, object: objectWithoutUrl } })), ['body.object.url: is required']);
  const created = { id: 10000, self: `${SITE}/rest/api/3/issue/OPS-1/remotelink/10000` };
  assert.deepEqual(checker.checkResponse({ method: 'POST', path, status: 201, body: created }), []);
  assert.deepEqual(checker.checkResponse({ method: 'POST', path, status: 200, body: created }), []);
  assert.deepEqual(messages(checker.checkResponse({ method: 'POST', path, status: 201, body: { ...created, id: '10000' } })), ['body.id: must be integer']);
  // The 400 response has no schema, so Jira's error shape is what is checked.
  assert.deepEqual(checker.checkResponse({ method: 'POST', path, status: 400, body: { errorMessages: [], errors: { 'object.url': 'required' } } }), []);
});

test('204 has no body', () => {
  const path = '/rest/api/3/issue/OPS-1';
  assert.deepEqual(checker.checkResponse({ method: 'PUT', path, status: 204 }), []);
  assert.deepEqual(checker.checkResponse({ method: 'DELETE', path, status: 204 }), []);
  assert.deepEqual(messages(checker.checkResponse({ method: 'PUT', path, status: 204, body: { ok: true } })), ['body: a 204 response has no body']);
});

test('statuses: undocumented ones are problems; 401/403/404/429/5xx are allowed with Jira’s error shape', () => {
  const path = '/rest/api/3/search/jql?jql=project%3DOPS';
  const undocumented = checker.checkResponse({ method: 'GET', path, status: 201, body: { issues: [] } });
  assert.equal(undocumented.length, 1);
  assert.match(undocumented[0]?.message ?? '', /^status 201 is not documented for this operation \(documented: 200, 400, 401\)$/);
  assert.deepEqual(checker.checkResponse({ method: 'GET', path, status: 429, body: { errorMessages: ['Rate limit exceeded'] } }), []);
  assert.deepEqual(checker.checkResponse({ method: 'GET', path, status: 503 }), []);
  assert.deepEqual(checker.checkResponse({ method: 'PUT', path: '/rest/api/3/issue/OPS-1', status: 404, body: { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} } }), []);
  const wrongShape = messages(checker.checkResponse({ method: 'PUT', path: '/rest/api/3/issue/OPS-1', status: 404, body: { message: 'not found' } }));
  assert.ok(wrongShape.some((m) => m.startsWith('body: unexpected property "message"')), wrongShape.join('\n'));
  assert.ok(wrongShape.some((m) => m.startsWith('body: has neither errorMessages nor errors')), wrongShape.join('\n'));
  // POST /issue documents its 400 as ErrorCollection; search/jql's 400 has no schema, so the
  // fallback error shape applies and says so.
  assert.deepEqual(messages(checker.checkResponse({ method: 'POST', path: '/rest/api/3/issue', status: 400, body: { errorMessages: 'bad' } })), [
    'body.errorMessages: must be array',
  ]);
  assert.match(messages(checker.checkResponse({ method: 'GET', path, status: 400, body: { errorMessages: 'bad jql' } }))[0] ?? '', /^body\.errorMessages: must be array \(Jira's error shape is/);
});

test('a missing spec fails with a message naming the expected path', () => {
  assert.throws(() => createOpenApiChecker({ specPath: '/nonexistent/jira/swagger.json' }), /not found at \/nonexistent\/jira\/swagger\.json/);
});

test('the exchanges Tandem makes most, checked again and again, stay valid', () => {
  const cases: Array<() => ContractProblem[]> = [
    () => checker.checkRequest({ method: 'PUT', path: '/rest/api/3/issue/OPS-1', body: { fields: { summary: 'x', labels: ['a'] } } }),
    () => checker.checkResponse({ method: 'GET', path: '/rest/api/3/issue/OPS-1?fields=summary', status: 200, body: issueBean() }),
    () => checker.checkRequest({ method: 'GET', path: '/rest/api/3/search/jql?jql=project%3DOPS&fields=summary,status' }),
    () => checker.checkResponse({ method: 'GET', path: '/rest/api/3/search/jql?jql=x', status: 200, body: { issues: [issueBean()], isLast: true } }),
    () => checker.checkRequest({ method: 'POST', path: '/rest/api/3/issue/OPS-1/transitions', body: { transition: { id: '31' } } }),
  ];
  let problems = 0;
  for (let i = 0; i < 1000; i++) problems += (cases[i % cases.length] ?? (() => []))().length;
  assert.equal(problems, 0);
});

test("a JQL clause union (additionalProperties false beside anyOf) takes its branches' properties, as Atlassian's jql/parse example shows", () => {
  const where = {
    clauses: [
      { field: { name: 'summary', encodedName: 'summary' }, operator: '~', operand: { value: 'test', encodedValue: 'test' } },
      { field: { name: 'status', encodedName: 'status' }, operator: 'changed', predicates: [{ operator: 'after', operand: { value: '-5d', encodedValue: '-5d' } }] },
    ],
    operator: 'and',
  };
  const answer = (structure: unknown): ContractProblem[] =>
    checker.checkResponse({ method: 'POST', path: '/rest/api/3/jql/parse?validation=strict', status: 200, body: { queries: [{ query: 'q', structure }] } });
  assert.deepEqual(answer({ where }), []);
  assert.notDeepEqual(answer({ where: { operator: 'and' } }), [], 'a clause that is none of the shapes is still refused');
});

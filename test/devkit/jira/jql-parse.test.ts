// POST /rest/api/3/jql/parse: the syntax tree, Jira's error messages and its validation levels,
// checked on the queries of Atlassian's own example (those the simulator's JQL covers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, list, site } from './helpers';

const VALID_OPERATORS = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";

test('jql/parse answers each query with its structure, errors and warnings, as in Atlassian\'s example', async () => {
  const s = site();
  const queries = [
    'summary ~ test AND (labels in (urgent, blocker) OR assignee = currentUser()) AND status CHANGED AFTER -5d ORDER BY updated DESC',
    'invalid query',
    'summary = test',
    'summary in test',
    'project = INVALID',
    'universe = 42',
  ];
  const answer = await s.call('POST', '/jql/parse?validation=strict', { queries });
  assert.equal(answer.status, 200);
  const parsed = list(answer.body, 'queries');
  assert.deepEqual(parsed.map((q) => at(q, 'query')), queries);

  const first = parsed[0];
  assert.equal(at(first, 'errors'), undefined);
  assert.deepEqual(at(first, 'structure', 'orderBy'), { fields: [{ field: { name: 'updated', encodedName: 'updated' }, direction: 'desc' }] });
  const clauses = list(first, 'structure', 'where', 'clauses');
  assert.equal(at(first, 'structure', 'where', 'operator'), 'and');
  assert.deepEqual(clauses[0], { field: { name: 'summary', encodedName: 'summary' }, operator: '~', operand: { value: 'test', encodedValue: 'test' } });
  assert.deepEqual(at(clauses[1], 'clauses', 0, 'operand', 'values'), [
    { value: 'urgent', encodedValue: 'urgent' },
    { value: 'blocker', encodedValue: 'blocker' },
  ]);
  assert.deepEqual(at(clauses[1], 'clauses', 1, 'operand'), { function: 'currentUser', arguments: [], encodedOperand: 'currentUser()' });
  assert.deepEqual(clauses[2], {
    field: { name: 'status', encodedName: 'status' },
    operator: 'changed',
    predicates: [{ operator: 'after', operand: { value: '-5d', encodedValue: '-5d' } }],
  });

  assert.deepEqual(parsed[1], { query: 'invalid query', errors: [`Error in the JQL Query: Expecting operator but got 'query'. ${VALID_OPERATORS} (line 1, character 9)`] });
  assert.deepEqual(parsed[2], { query: 'summary = test', errors: ["The operator '=' is not supported by the 'summary' field."] });
  assert.deepEqual(parsed[3], { query: 'summary in test', errors: ["Operator 'in' does not support the non-list value '\"test\"' for field 'summary'."] });
  assert.deepEqual(at(parsed[4], 'warnings'), ["The value 'INVALID' does not exist for the field 'project'."]);
  assert.ok(at(parsed[4], 'structure', 'where'), 'a warning keeps the structure');
  assert.deepEqual(parsed[5], { query: 'universe = 42', errors: ["Field 'universe' does not exist or you do not have permission to view it."] });
});

test('validation levels: strict drops the structure of an invalid query, warn keeps it, none does not validate', async () => {
  const s = site();
  const body = { queries: ['universe = 42 AND status WAS Done', 'project = '] };
  const strict = list((await s.call('POST', '/jql/parse?validation=strict', body)).body, 'queries');
  assert.equal(at(strict[0], 'structure'), undefined);
  assert.deepEqual(at(strict[0], 'errors'), ["Field 'universe' does not exist or you do not have permission to view it."]);
  const warn = list((await s.call('POST', '/jql/parse?validation=warn', body)).body, 'queries');
  assert.deepEqual(at(warn[0], 'errors'), ["Field 'universe' does not exist or you do not have permission to view it."]);
  assert.equal(at(warn[0], 'structure', 'where', 'clauses', 1, 'operator'), 'was');
  const none = list((await s.call('POST', '/jql/parse?validation=none', body)).body, 'queries');
  assert.equal(at(none[0], 'errors'), undefined);
  assert.ok(at(none[0], 'structure', 'where'));
  for (const level of [strict, warn, none]) {
    assert.deepEqual(at(level[1], 'errors'), ['Error in the JQL Query: Expecting either a value, list or function before the end of the query.'], 'a syntax error is an error at every level');
    assert.equal(at(level[1], 'structure'), undefined);
  }

  assert.equal((await s.call('POST', '/jql/parse?validation=loose', body)).status, 400);
  assert.equal((await s.call('POST', '/jql/parse?validation=strict', { queries: [] })).status, 400);
  assert.equal((await s.call('POST', '/jql/parse?validation=strict', { queries: [''] })).status, 400);
});

test('a search for a value the site lacks is refused, as Jira refuses it', async () => {
  const s = site();
  const answer = await s.call('POST', '/search/jql', { jql: 'project = NOPE AND priority = Urgent' });
  assert.equal(answer.status, 400);
  assert.deepEqual(at(answer.body, 'errorMessages'), ["The value 'NOPE' does not exist for the field 'project'.", "The value 'Urgent' does not exist for the field 'priority'."]);
  const match = await s.call('POST', '/jql/match', { issueIds: [], jqls: ['status = Nowhere', 'status = Done'] });
  assert.deepEqual(at(match.body, 'matches'), [
    { matchedIssues: [], errors: ["The value 'Nowhere' does not exist for the field 'status'."] },
    { matchedIssues: [], errors: [] },
  ]);
});

// Entity properties in the simulator's JQL: the values an app's jira:entityProperty module indexes
// are searched by their aliases, each element of an array on its own, with the operators of their
// type; an alias nobody indexed is an unknown field, as in Jira. And `parent`, an issue's children.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeJql, matchesJql, parseJql } from '../../../devkit/jira/jql';
import type { JqlIssueView, JqlPropertyIndex } from '../../../devkit/jira/jql-types';

const NOW = Date.UTC(2026, 10, 22, 12, 0);
const INDEXES: JqlPropertyIndex[] = [
  { propertyKey: 'tandem-sync', path: 'states', type: 'string', searchAlias: 'tandemState' },
  { propertyKey: 'tandem-sync', path: 'records', type: 'string', searchAlias: 'tandemRecord' },
  { propertyKey: 'tandem-sync', path: 'lastSync', type: 'date', searchAlias: 'tandemLastSync' },
  { propertyKey: 'tandem-sync', path: 'sync.attempts', type: 'number', searchAlias: 'tandemAttempts' },
];

function issue(key: string, property: unknown): JqlIssueView {
  return {
    id: key.replace(/\D/g, ''),
    key,
    projectKey: 'OPS',
    projectId: '10000',
    issueTypeName: 'Bug',
    statusName: 'To Do',
    statusCategoryKey: 'new',
    labels: [],
    assigneeAccountId: null,
    reporterAccountId: null,
    created: NOW,
    updated: NOW,
    priorityName: null,
    summary: '',
    ...(property === undefined ? {} : { properties: { 'tandem-sync': property } }),
  };
}

const ISSUES = [
  issue('OPS-1', { states: ['failed'], records: ['INC0001001'], lastSync: '2026-11-22T10:00:00.000Z', sync: [{ attempts: 3 }] }),
  issue('OPS-2', { states: ['synced', 'pending'], records: ['INC0001002', 'CHG0002'], lastSync: '2026-11-20T10:00:00.000Z', sync: [{ attempts: 1 }] }),
  issue('OPS-3', undefined),
];

function keys(jql: string): string[] {
  const parsed = parseJql(jql, INDEXES);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return ISSUES.filter((i) => matchesJql(parsed.query, i, { now: NOW })).map((i) => i.key);
}

test('a string alias matches any element of the indexed array, exactly', () => {
  assert.deepEqual(keys('tandemState = failed'), ['OPS-1']);
  assert.deepEqual(keys('tandemState = pending'), ['OPS-2']);
  assert.deepEqual(keys('tandemState in (failed, synced)'), ['OPS-1', 'OPS-2']);
  assert.deepEqual(keys('tandemRecord = INC0001002'), ['OPS-2']);
  assert.deepEqual(keys('tandemstate = FAILED'), [], 'string values are matched exactly');
  assert.deepEqual(keys('tandemState is EMPTY'), ['OPS-3']);
  assert.deepEqual(keys('tandemState != failed'), ['OPS-2'], 'like every !=, an issue without the value is not matched');
});

test('a date alias compares times, a number alias values', () => {
  assert.deepEqual(keys('tandemLastSync > "2026-11-21"'), ['OPS-1']);
  assert.deepEqual(keys('tandemLastSync < -1d'), ['OPS-2']);
  assert.deepEqual(keys('tandemAttempts >= 2'), ['OPS-1']);
  assert.deepEqual(keys('tandemAttempts = 1'), ['OPS-2']);
});

test('operators the type does not take, and aliases nobody indexed, are refused', () => {
  const contains = parseJql('tandemState ~ fail', INDEXES);
  assert.equal(contains.ok, false);
  assert.match(contains.ok ? '' : contains.error, /operator '~' is not supported by the 'tandemState' field/);
  const unknown = parseJql('tandemState = failed');
  assert.equal(unknown.ok, false, 'without the app’s index the alias is no field');
  assert.match(unknown.ok ? '' : unknown.error, /Field 'tandemState' does not exist/);
  const history = parseJql('tandemState was failed', INDEXES);
  assert.equal(history.ok, false);
});

test('parent finds an issue’s children by the parent’s key or id', () => {
  const child = { ...issue('OPS-7', undefined), parentKey: 'OPS-1', parentId: '1' };
  for (const jql of ['parent = OPS-1', 'parent = 1', 'parent in (OPS-1, OPS-9)']) {
    const parsed = parseJql(jql);
    assert.ok(parsed.ok, jql);
    assert.equal(matchesJql(parsed.query, child, { now: NOW }), true, jql);
    assert.equal(matchesJql(parsed.query, issue('OPS-2', undefined), { now: NOW }), false, jql);
  }
  const bad = parseJql('parent ~ OPS');
  assert.equal(bad.ok, false);
});

test('issue.property[key].path searches an indexed value as its alias does; a path nobody indexed matches no issue', () => {
  assert.deepEqual(keys('issue.property[tandem-sync].states = failed'), ['OPS-1']);
  assert.deepEqual(keys('issue.property["tandem-sync"].states in (pending)'), ['OPS-2']);
  assert.deepEqual(keys('issue.property[tandem-sync].records = INC0001002 AND tandemState = synced'), ['OPS-2']);
  assert.deepEqual(keys('issue.property[tandem-sync].lastSync > "2026-11-21"'), ['OPS-1']);
  assert.deepEqual(keys('issue.property[tandem-sync].sync.attempts >= 2'), ['OPS-1']);
  // Jira indexes only what a jira:entityProperty module declares: `state` sits in `sync`, unindexed.
  assert.deepEqual(keys('issue.property[tandem-sync].sync.state = failed'), []);
  assert.deepEqual(keys('issue.property[other-app].states = failed'), []);
  const contains = parseJql('issue.property[tandem-sync].states ~ fail', INDEXES);
  assert.equal(contains.ok, false, 'the indexed type decides the operators, as with the alias');
  const broken = parseJql('issue.property[tandem-sync] = failed', INDEXES);
  assert.equal(broken.ok, false, 'a property needs a path');
});

test('the parse answer names the property field as Atlassian\'s example does', () => {
  const analysis = analyzeJql('issue.property["spaces here"].value in ("Service requests", Incidents)');
  assert.equal(analysis.kind, 'parsed');
  if (analysis.kind !== 'parsed') return;
  assert.deepEqual((analysis.structure.where as { field: unknown }).field, {
    name: 'issue.property[spaces here].value',
    encodedName: 'issue.property["spaces here"].value',
    property: [{ entity: 'issue', key: 'spaces here', path: 'value' }],
  });
});

// Jira Cloud operations the simulator answers as Cloud does: assign, all issue types, the deprecated
// createmeta, a project's lead, /user/email refused to users, and the enhanced search's ids-only default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, createIssue, list, site } from './helpers';
import { DEFAULT_SEARCH_LAG_MS } from '../../../devkit/jira/search-index';

test('PUT /issue/{key}/assignee assigns, unassigns with null or "-1", refuses unknown users, and records the change', async () => {
  const s = site();
  const issue = await createIssue(s, 'Assign me');
  s.events.length = 0;
  const assigned = await s.call('PUT', `/issue/${issue.key}/assignee`, { accountId: s.bob.accountId });
  assert.equal(assigned.status, 204);
  assert.equal(assigned.body, undefined);
  assert.equal(s.sim.getIssue(issue.key)?.assigneeAccountId, s.bob.accountId);
  assert.deepEqual(s.events.map((e) => e.eventType), ['avi:jira:updated:issue', 'avi:jira:assigned:issue']);

  assert.equal((await s.call('PUT', `/issue/${issue.key}/assignee`, { accountId: s.bob.accountId })).status, 204);
  assert.equal(s.events.length, 2, 'assigning the same user again changes nothing');
  assert.equal((await s.call('PUT', `/issue/${issue.key}/assignee`, { accountId: null })).status, 204);
  assert.equal(s.sim.getIssue(issue.key)?.assigneeAccountId, null);
  assert.equal((await s.call('PUT', `/issue/${issue.key}/assignee`, { accountId: s.carol.accountId })).status, 204);
  assert.equal((await s.call('PUT', `/issue/${issue.key}/assignee`, { accountId: '-1' })).status, 204);
  assert.equal(s.sim.getIssue(issue.key)?.assigneeAccountId, null, "the project's default assignee is unassigned");

  const unknown = await s.call('PUT', `/issue/${issue.key}/assignee`, { accountId: 'no-such-user' });
  assert.equal(unknown.status, 400);
  assert.ok(at(unknown.body, 'errors', 'assignee'));
  assert.equal((await s.call('PUT', `/issue/${issue.key}/assignee`, {})).status, 400);
  assert.equal((await s.call('PUT', '/issue/OPS-99/assignee', { accountId: s.bob.accountId })).status, 404);
  assert.equal(at((await s.call('GET', `/issue/${issue.key}/changelog`)).body, 'total'), 4);
});

test('GET /issuetype lists the issue types of the projects', async () => {
  const s = site();
  s.sim.addProject({ key: 'INFRA', name: 'Infrastructure', issueTypes: ['Task', 'Change'] });
  const types = await s.call('GET', '/issuetype');
  assert.equal(types.status, 200);
  assert.deepEqual(list(types.body).map((t) => at(t, 'name')).sort(), ['Bug', 'Change', 'Task']);
  assert.ok(list(types.body).every((t) => typeof at(t, 'id') === 'string' && at(t, 'subtask') === false));
});

test('GET /issue/createmeta (deprecated) lists projects and issue types, with their create screens when expanded', async () => {
  const s = site();
  s.sim.addProject({ key: 'INFRA', name: 'Infrastructure', issueTypes: ['Task'] });
  const all = await s.call('GET', '/issue/createmeta');
  assert.equal(all.status, 200);
  assert.deepEqual(list(all.body, 'projects').map((p) => at(p, 'key')), ['OPS', 'INFRA']);
  assert.equal(at(list(all.body, 'projects')[0], 'issuetypes', 0, 'fields'), undefined);

  const one = await s.call('GET', '/issue/createmeta?projectKeys=OPS,NOPE&issuetypeNames=Task&expand=projects.issuetypes.fields');
  const projects = list(one.body, 'projects');
  assert.deepEqual(projects.map((p) => at(p, 'key')), ['OPS'], 'an unknown project is left out, not an error');
  const types = list(projects[0], 'issuetypes');
  assert.deepEqual(types.map((t) => at(t, 'name')), ['Task']);
  assert.equal(at(types[0], 'fields', 'summary', 'required'), true);
  assert.equal(at(types[0], 'fields', s.severity.id, 'name'), 'Severity');
});

test('GET /project/{key} names the project lead without being asked', async () => {
  const s = site();
  const project = await s.call('GET', '/project/OPS');
  assert.equal(project.status, 200);
  assert.equal(at(project.body, 'lead', 'accountId'), s.alice.accountId);
  assert.equal(at(project.body, 'lead', 'displayName'), 'Alice Admin');
  s.sim.addProject({ key: 'INFRA', name: 'Infrastructure', lead: s.bob.accountId });
  assert.equal(at((await s.call('GET', '/project/INFRA')).body, 'lead', 'accountId'), s.bob.accountId);
  // The project search names it only when asked (expand=lead).
  assert.equal(at((await s.call('GET', '/project/search?keys=INFRA')).body, 'values', 0, 'lead'), undefined);
  assert.equal(at((await s.call('GET', '/project/search?keys=INFRA&expand=lead')).body, 'values', 0, 'lead', 'accountId'), s.bob.accountId);
});

test('GET /user/email answers 401 to a user and the email to the app', async () => {
  const s = site();
  const asUser = await s.call('GET', `/user/email?accountId=${s.carol.accountId}`);
  assert.equal(asUser.status, 401);
  assert.ok(list(asUser.body, 'errorMessages').length > 0);
  assert.equal(at((await s.call('GET', `/user/email?accountId=${s.carol.accountId}`, undefined, { kind: 'app' })).body, 'email'), 'carol@example.com');
});

test('search/jql without fields (or with fields=id) returns issue ids only; asked fields come with key and self', async () => {
  const s = site();
  const issue = await createIssue(s, 'Find me');
  s.clock.now += DEFAULT_SEARCH_LAG_MS;
  const jql = encodeURIComponent('project = OPS');
  for (const path of [`/search/jql?jql=${jql}`, `/search/jql?jql=${jql}&fields=id`]) {
    const bare = await s.call('GET', path);
    assert.equal(bare.status, 200);
    assert.deepEqual(list(bare.body, 'issues'), [{ id: issue.id }], path);
  }
  assert.deepEqual(list((await s.call('POST', '/search/jql', { jql: 'project = OPS' })).body, 'issues'), [{ id: issue.id }]);
  const withFields = list((await s.call('GET', `/search/jql?jql=${jql}&fields=summary`)).body, 'issues')[0];
  assert.equal(at(withFields, 'key'), issue.key);
  assert.equal(at(withFields, 'fields', 'summary'), 'Find me');
});

test('search/jql trails writes: a new issue is found, and an edit matched, only once the index caught up, unless reconcileIssues names it; jql/match and GET issue read the issue as it is', async () => {
  const s = site();
  const issue = await createIssue(s, 'Fresh one');
  const found = async (jql: string, reconcileIssues?: number[]) =>
    list((await s.call('POST', '/search/jql', { jql, fields: ['summary'], ...(reconcileIssues ? { reconcileIssues } : {}) })).body, 'issues').map((i) => at(i, 'key'));
  assert.deepEqual(await found('project = OPS'), [], 'not in search yet');
  assert.deepEqual(await found('project = OPS', [Number(issue.id)]), [issue.key], 'reconciled');
  const matched = await s.call('POST', '/jql/match', { issueIds: [Number(issue.id)], jqls: ['project = OPS'] });
  assert.deepEqual(at(matched.body, 'matches', 0, 'matchedIssues'), [Number(issue.id)]);
  s.clock.now += DEFAULT_SEARCH_LAG_MS;
  assert.deepEqual(await found('project = OPS'), [issue.key]);
  // An edit: the old summary matches until the index has the new one.
  s.clock.now += 1000;
  assert.equal((await s.call('PUT', `/issue/${issue.key}`, { fields: { summary: 'Renamed' } })).status, 204);
  assert.deepEqual(await found('summary ~ "Fresh"'), [issue.key], 'the index still has the old summary');
  assert.deepEqual(await found('summary ~ "Renamed"'), []);
  s.clock.now += DEFAULT_SEARCH_LAG_MS;
  assert.deepEqual(await found('summary ~ "Renamed"'), [issue.key]);
  assert.deepEqual(await found('summary ~ "Fresh"'), []);
  const tooMany = await s.call('POST', '/search/jql', { jql: 'project = OPS', reconcileIssues: Array.from({ length: 51 }, (_, n) => n + 1) });
  assert.equal(tooMany.status, 400);
});

test('GET issue returns the issue properties `properties` names: keys, *all, and keys after a minus left out', async () => {
  const s = site();
  const issue = await createIssue(s, 'With properties');
  for (const [key, value] of [['tandem-sync', { states: ['synced'] }], ['other', { a: 1 }]] as const) {
    assert.equal((await s.call('PUT', `/issue/${issue.key}/properties/${key}`, value)).status, 201);
  }
  const read = async (properties: string) => at((await s.call('GET', `/issue/${issue.key}?fields=summary&properties=${properties}`)).body, 'properties');
  assert.deepEqual(await read('tandem-sync'), { 'tandem-sync': { states: ['synced'] } });
  assert.deepEqual(await read('*all,-other'), { 'tandem-sync': { states: ['synced'] } });
  assert.deepEqual(await read('*all'), { 'tandem-sync': { states: ['synced'] }, other: { a: 1 } });
  assert.deepEqual(await read('missing'), {});
  assert.equal(at((await s.call('GET', `/issue/${issue.key}?fields=summary`)).body, 'properties'), undefined, 'none unless asked');
});

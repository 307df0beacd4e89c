// The Jira simulator's issues: create, edit, transitions, the events they emit, rate limits, properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adf, APP, at, createIssue, list, site } from './helpers';

test('create without required fields answers 400 naming each missing field', async () => {
  const s = site({ requiredField: true });
  const response = await s.call('POST', '/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Task' } } });
  assert.equal(response.status, 400);
  assert.deepEqual(at(response.body, 'errorMessages'), []);
  assert.equal(at(response.body, 'errors', 'summary'), 'You must specify a summary of the issue.');
  assert.equal(at(response.body, 'errors', s.severity.id), 'Severity is required.');

  const noProject = await s.call('POST', '/issue', { fields: { issuetype: { name: 'Task' }, summary: 'x' } });
  assert.equal(noProject.status, 400);
  assert.ok(at(noProject.body, 'errors', 'project'));
  const unknownField = await s.call('POST', '/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 'x', status: { id: '1' } } });
  assert.match(String(at(unknownField.body, 'errors', 'status')), /cannot be set/);
  assert.equal(s.events.length, 0);
});

test('create emits created with atlassianId and causedByApp; keys count up per project', async () => {
  const s = site();
  const first = await createIssue(s, 'By Bob', {}, { kind: 'user', accountId: s.bob.accountId });
  const second = await createIssue(s, 'By the app', { labels: ['b', 'a'] }, { kind: 'app' });
  assert.equal(first.key, 'OPS-1');
  assert.equal(second.key, 'OPS-2');
  assert.deepEqual(
    s.events.map((e) => [e.eventType, e.payload.atlassianId, e.causedByApp]),
    [
      ['avi:jira:created:issue', s.bob.accountId, false],
      ['avi:jira:created:issue', APP, true],
    ],
  );
  const payload = s.events[0]?.payload;
  assert.equal(at(payload, 'issue', 'key'), 'OPS-1');
  assert.equal(at(payload, 'issue', 'fields', 'status', 'name'), 'To Do');
  assert.equal(at(payload, 'issue', 'fields', 'reporter', 'accountId'), s.bob.accountId);
  assert.equal(at(payload, 'issue', 'fields', 'created'), '2026-11-22T07:02:00.000+0000');

  const got = await s.call('GET', `/issue/${second.key}?expand=names,schema`);
  assert.equal(got.status, 200);
  assert.deepEqual(at(got.body, 'fields', 'labels'), ['a', 'b']);
  assert.equal(at(got.body, 'fields', 'priority', 'name'), 'Medium');
  assert.equal(at(got.body, 'fields', 'creator', 'accountType'), 'app');
  assert.equal(at(got.body, 'names', 'summary'), 'Summary');
  assert.deepEqual(at(got.body, 'schema', 'labels'), { type: 'array', items: 'string', system: 'labels' });
  const some = await s.call('GET', `/issue/${second.id}?fields=summary,status`);
  assert.deepEqual(Object.keys(at(some.body, 'fields') as object).sort(), ['status', 'summary']);
  const without = await s.call('GET', `/issue/${second.id}?fields=*all,-description`);
  assert.equal(at(without.body, 'fields', 'description'), undefined);
  assert.equal((await s.call('GET', '/issue/OPS-99')).status, 404);
});

test('edit emits a changelog of only the changed fields; assignee change also emits assigned', async () => {
  const s = site();
  const issue = await createIssue(s, 'Checkout fails', { description: adf('Old text'), labels: ['web'] });
  s.events.length = 0;
  s.clock.now += 60_000;
  const edit = await s.call('PUT', `/issue/${issue.key}?notifyUsers=false`, {
    fields: {
      summary: 'Checkout fails', // unchanged
      description: adf('New text'),
      assignee: { accountId: s.bob.accountId },
      priority: { name: 'High' },
      [s.severity.id]: { value: 'Sev2' },
    },
    update: { labels: [{ add: 'api' }, { remove: 'web' }] },
  });
  assert.equal(edit.status, 204);
  assert.deepEqual(
    s.events.map((e) => e.eventType),
    ['avi:jira:updated:issue', 'avi:jira:assigned:issue'],
  );
  const items = list(s.events[0]?.payload, 'changelog', 'items');
  const byField = new Map(items.map((i) => [String(at(i, 'fieldId')), i]));
  assert.deepEqual([...byField.keys()].sort(), ['assignee', 'customfield_10050', 'description', 'labels', 'priority']);
  assert.deepEqual(byField.get('description'), { field: 'description', fieldtype: 'jira', fieldId: 'description', from: null, fromString: 'Old text', to: null, toString: 'New text' });
  assert.deepEqual(byField.get('assignee'), { field: 'assignee', fieldtype: 'jira', fieldId: 'assignee', from: null, fromString: null, to: s.bob.accountId, toString: 'Bob Builder' });
  assert.equal(at(byField.get('labels'), 'fromString'), 'web');
  assert.equal(at(byField.get('labels'), 'toString'), 'api');
  assert.equal(at(byField.get('priority'), 'to'), '2');
  assert.equal(at(byField.get('customfield_10050'), 'fieldtype'), 'custom');
  assert.equal(at(byField.get('customfield_10050'), 'field'), 'Severity');
  assert.equal(at(byField.get('customfield_10050'), 'toString'), 'Sev2');
  assert.equal(at(s.events[0]?.payload, 'issue', 'fields', 'updated'), '2026-11-22T07:03:00.000+0000');

  // Nothing changed: no event, nothing written.
  s.events.length = 0;
  const same = await s.call('PUT', `/issue/${issue.key}`, { fields: { summary: 'Checkout fails' } });
  assert.equal(same.status, 204);
  assert.equal(s.events.length, 0);
  const snap = s.sim.getIssue(issue.key);
  assert.equal(snap?.assigneeAccountId, s.bob.accountId);
  assert.deepEqual(snap?.labels, ['api']);
  assert.equal(snap?.customFields[s.severity.id], s.severity.options[1]?.id);
});

test('a plain string where ADF is expected is refused as Jira does', async () => {
  const s = site();
  const notes = s.sim.addCustomField({ name: 'Notes', schemaType: 'textarea' });
  const issue = await createIssue(s, 'Text');
  const description = await s.call('PUT', `/issue/${issue.key}`, { fields: { description: 'plain text' } });
  assert.equal(description.status, 400);
  assert.match(String(at(description.body, 'errors', 'description')), /Atlassian Document/);
  const textarea = await s.call('PUT', `/issue/${issue.key}`, { fields: { [notes.id]: 'plain' } });
  assert.equal(textarea.status, 400);
  assert.ok(at(textarea.body, 'errors', notes.id));
  const onCreate = await s.call('POST', '/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 'x', description: 'plain' } });
  assert.equal(onCreate.status, 400);
  assert.equal(s.sim.getIssue(issue.key)?.description, null);
  const badJson = await s.call('PUT', `/issue/${issue.key}`, '{not json');
  assert.equal(badJson.status, 400);
  assert.ok(list(badJson.body, 'errorMessages').length > 0);
});

test('an issue read with expand=transitions lists the transitions /transitions lists, without their screens’ fields', async () => {
  const s = site();
  const issue = await createIssue(s, 'Expanded');
  assert.equal((await s.call('POST', `/issue/${issue.key}/transitions`, { transition: { id: '11' } })).status, 204);
  const read = await s.call('GET', `/issue/${issue.key}?fields=summary&expand=transitions`);
  assert.equal(read.status, 200);
  const withIssue = list(read.body, 'transitions');
  const own = list((await s.call('GET', `/issue/${issue.key}/transitions`)).body, 'transitions');
  const shape = (t: unknown) => ({ id: at(t, 'id'), name: at(t, 'name'), to: at(t, 'to', 'name'), hasScreen: at(t, 'hasScreen') });
  assert.deepEqual(withIssue.map(shape), own.map(shape));
  assert.ok(withIssue.some((t) => at(t, 'hasScreen') === true), 'Done has a screen');
  assert.ok(withIssue.every((t) => at(t, 'fields') === undefined), 'no screen fields without transitions.fields on /transitions');
  assert.equal(at((await s.call('GET', `/issue/${issue.key}?fields=summary`)).body, 'transitions'), undefined, 'not listed unless expanded');
});

test('transitions list their screen fields; Done requires a resolution; reopening clears it', async () => {
  const s = site();
  const issue = await createIssue(s, 'Flow');
  const listed = await s.call('GET', `/issue/${issue.key}/transitions?expand=transitions.fields`);
  assert.equal(listed.status, 200);
  const transitions = list(listed.body, 'transitions');
  assert.deepEqual(transitions.map((t) => at(t, 'name')), ['Start Progress']);
  const start = transitions[0];
  assert.equal(at(start, 'to', 'statusCategory', 'key'), 'indeterminate');
  assert.deepEqual(at(start, 'fields'), {});

  assert.equal((await s.call('POST', `/issue/${issue.key}/transitions`, { transition: { id: '41' } })).status, 400, 'Done is not available from To Do');
  assert.equal((await s.call('POST', `/issue/${issue.key}/transitions`, { transition: { id: String(at(start, 'id')) } })).status, 204);

  const fromProgress = list((await s.call('GET', `/issue/${issue.key}/transitions?expand=transitions.fields`)).body, 'transitions');
  const done = fromProgress.find((t) => at(t, 'name') === 'Done');
  assert.equal(at(done, 'hasScreen'), true);
  assert.equal(at(done, 'fields', 'resolution', 'required'), true);
  assert.deepEqual(list(done, 'fields', 'resolution', 'allowedValues').map((r) => at(r, 'name')), ['Done', "Won't Do", 'Duplicate']);

  const missing = await s.call('POST', `/issue/${issue.key}/transitions`, { transition: { id: String(at(done, 'id')) } });
  assert.equal(missing.status, 400);
  assert.ok(at(missing.body, 'errors', 'resolution'));

  s.events.length = 0;
  const resolved = await s.call('POST', `/issue/${issue.key}/transitions`, { transition: { id: String(at(done, 'id')) }, fields: { resolution: { name: "Won't Do" } } });
  assert.equal(resolved.status, 204);
  const items = list(s.events[0]?.payload, 'changelog', 'items');
  const status = items.find((i) => at(i, 'fieldId') === 'status');
  assert.equal(at(status, 'fromString'), 'In Progress');
  assert.equal(at(status, 'toString'), 'Done');
  assert.equal(at(status, 'to'), s.sim.getProject('OPS')?.statuses.find((x) => x.name === 'Done')?.id);
  assert.equal(at(items.find((i) => at(i, 'fieldId') === 'resolution'), 'toString'), "Won't Do");
  const got = await s.call('GET', `/issue/${issue.key}?fields=resolution,resolutiondate,status`);
  assert.equal(at(got.body, 'fields', 'resolution', 'name'), "Won't Do");
  assert.equal(at(got.body, 'fields', 'status', 'statusCategory', 'key'), 'done');
  assert.equal(typeof at(got.body, 'fields', 'resolutiondate'), 'string');

  const reopen = list((await s.call('GET', `/issue/${issue.key}/transitions`)).body, 'transitions').find((t) => at(t, 'name') === 'Reopen');
  assert.equal((await s.call('POST', `/issue/${issue.key}/transitions`, { transition: { id: String(at(reopen, 'id')) } })).status, 204);
  assert.equal(s.sim.getIssue(issue.key)?.resolutionName, null);
  assert.equal(s.sim.getIssue(issue.key)?.statusName, 'To Do');
  const status2 = await s.call('PUT', `/issue/${issue.key}`, { fields: { status: { name: 'Done' } } });
  assert.equal(status2.status, 400, 'status cannot be set by an edit');
});

test('an edit can change the issue type to another of the project, with an issuetype changelog item', async () => {
  const s = site();
  const issue = await createIssue(s, 'Misfiled');
  const types = s.sim.getProject('OPS')?.issueTypes ?? [];
  const task = types.find((t) => t.name === 'Task');
  const bug = types.find((t) => t.name === 'Bug');
  assert.ok(task && bug);
  s.events.length = 0;
  const moved = await s.call('PUT', `/issue/${issue.key}`, { fields: { issuetype: { name: 'Bug' }, summary: 'Filed right' } });
  assert.equal(moved.status, 204);
  assert.equal(s.sim.getIssue(issue.key)?.issueTypeName, 'Bug');
  const items = list(s.events[0]?.payload, 'changelog', 'items');
  assert.deepEqual(
    items.find((i) => at(i, 'fieldId') === 'issuetype'),
    { field: 'issuetype', fieldtype: 'jira', fieldId: 'issuetype', from: task.id, fromString: 'Task', to: bug.id, toString: 'Bug' },
  );
  assert.equal(at(s.events[0]?.payload, 'issue', 'fields', 'issuetype', 'name'), 'Bug');

  s.events.length = 0;
  assert.equal((await s.call('PUT', `/issue/${issue.key}`, { fields: { issuetype: { id: bug.id } } })).status, 204);
  assert.equal(s.events.length, 0, 'the same type is no change');
  s.sim.addProject({ key: 'HR', name: 'People', issueTypes: ['Onboarding'] });
  const foreign = await s.call('PUT', `/issue/${issue.key}`, { fields: { issuetype: { name: 'Onboarding' }, summary: 'Not applied' } });
  assert.equal(foreign.status, 400);
  assert.equal(at(foreign.body, 'errors', 'issuetype'), 'The issue type selected is invalid.');
  assert.equal(s.sim.getIssue(issue.key)?.summary, 'Filed right', 'a refused edit changes nothing');
});

test('delete emits deleted; the issue is gone', async () => {
  const s = site();
  const issue = await createIssue(s, 'Doomed');
  assert.equal((await s.call('DELETE', `/issue/${issue.key}`)).status, 204);
  assert.equal(s.events.at(-1)?.eventType, 'avi:jira:deleted:issue');
  assert.equal(at(s.events.at(-1)?.payload, 'issue', 'key'), issue.key);
  assert.equal((await s.call('GET', `/issue/${issue.key}`)).status, 404);
});

test('anonymous callers get 401; unknown endpoints 404 and wrong methods 405 in Jira shape', async () => {
  const s = site();
  const anonymous = await s.call('GET', '/myself', undefined, { kind: 'anonymous' });
  assert.equal(anonymous.status, 401);
  assert.ok(Array.isArray(at(anonymous.body, 'errorMessages')));
  const unknown = await s.call('GET', '/no/such/thing');
  assert.equal(unknown.status, 404);
  assert.deepEqual(at(unknown.body, 'errors'), {});
  assert.equal((await s.call('PATCH', '/myself')).status, 405);
  assert.equal((await s.call('GET', '/search?jql=project=OPS')).status, 410);
});

test('the rate limit switch answers 429 with Retry-After on every Nth request', async () => {
  const s = site();
  s.sim.rateLimit.set({ every: 3, retryAfterSeconds: 7, reason: 'jira-quota-global-based' });
  const statuses: number[] = [];
  let limited: Record<string, string> | undefined;
  for (let i = 0; i < 6; i++) {
    const r = await s.call('GET', '/myself');
    statuses.push(r.status);
    if (r.status === 429) limited = r.headers;
  }
  assert.deepEqual(statuses, [200, 200, 429, 200, 200, 429]);
  assert.equal(limited?.['retry-after'], '7');
  assert.equal(limited?.['ratelimit-reason'], 'jira-quota-global-based');
  s.sim.rateLimit.clear();
  assert.equal((await s.call('GET', '/myself')).status, 200);
});

test('the per-issue write limit allows 20 writes in 2 s on the simulator clock', async () => {
  const s = site();
  const issue = await createIssue(s, 'Busy');
  for (let i = 0; i < 20; i++) {
    const r = await s.call('PUT', `/issue/${issue.key}`, { fields: { summary: `Busy ${i}` } });
    assert.equal(r.status, 204);
  }
  const over = await s.call('PUT', `/issue/${issue.key}`, { fields: { summary: 'One too many' } });
  assert.equal(over.status, 429);
  assert.equal(over.headers['ratelimit-reason'], 'jira-per-issue-on-write');
  assert.equal(over.headers['retry-after'], '2');
  assert.equal((await createIssue(s, 'Other issue')).key, 'OPS-2', 'other issues are not limited');
  s.clock.now += 2_001;
  assert.equal((await s.call('PUT', `/issue/${issue.key}`, { fields: { summary: 'Later' } })).status, 204);
});

test('issue properties hold JSON up to 32,768 characters', async () => {
  const s = site();
  const issue = await createIssue(s, 'Props');
  assert.equal((await s.call('PUT', `/issue/${issue.key}/properties/tandem.link`, { connection: 'c1', externalId: 'INC-1' })).status, 201);
  assert.equal((await s.call('PUT', `/issue/${issue.key}/properties/tandem.link`, { connection: 'c1', externalId: 'INC-2' })).status, 200);
  const got = await s.call('GET', `/issue/${issue.key}/properties/tandem.link`);
  assert.deepEqual(got.body, { key: 'tandem.link', value: { connection: 'c1', externalId: 'INC-2' } });
  assert.deepEqual(list((await s.call('GET', `/issue/${issue.key}/properties`)).body, 'keys').map((k) => at(k, 'key')), ['tandem.link']);
  const big = await s.call('PUT', `/issue/${issue.key}/properties/big`, JSON.stringify('x'.repeat(32_767)));
  assert.equal(big.status, 400);
  const fits = await s.call('PUT', `/issue/${issue.key}/properties/fits`, JSON.stringify('x'.repeat(32_766)));
  assert.equal(fits.status, 201);
  assert.equal((await s.call('DELETE', `/issue/${issue.key}/properties/tandem.link`)).status, 204);
  assert.equal((await s.call('GET', `/issue/${issue.key}/properties/tandem.link`)).status, 404);
});

test('createmeta lists required fields with schema and allowed values', async () => {
  const s = site({ requiredField: true });
  const types = await s.call('GET', '/issue/createmeta/OPS/issuetypes');
  assert.deepEqual(list(types.body, 'issueTypes').map((t) => at(t, 'name')), ['Bug', 'Task']);
  const bugId = String(at(list(types.body, 'issueTypes')[0], 'id'));
  const fields = list((await s.call('GET', `/issue/createmeta/OPS/issuetypes/${bugId}`)).body, 'fields');
  const required = fields.filter((f) => at(f, 'required') === true).map((f) => at(f, 'fieldId'));
  assert.deepEqual(required.sort(), ['customfield_10050', 'issuetype', 'project', 'summary']);
  const severity = fields.find((f) => at(f, 'fieldId') === s.severity.id);
  assert.deepEqual(list(severity, 'allowedValues').map((o) => at(o, 'value')), ['Sev1', 'Sev2', 'Sev3']);
  assert.equal(at(severity, 'schema', 'type'), 'option');
});

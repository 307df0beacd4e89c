// Jira → tool on real SDKs: simulator events through Tandem's triggers, the queue and egress to the
// reference ITSM, configured with the StackFlow preset.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceItsm, type ItsmRecord } from '../../devkit/external/itsm';
import { findPreset, type Connection } from '../../src/mapping';
import { failureKey, failureSubjectKey, issueStateKey } from '../../src/sync/state';
import { configure, startTandem, stored, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-outbound';
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;
let itsmUrl: string;

function stackflow(overrides: (c: Connection) => Connection = (c) => c): unknown {
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow', baseUrl: itsmUrl, id: 'stackflow' });
  return { version: 1, connections: [overrides({ ...connection, auth: { kind: 'bearer' } })] };
}

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
  itsm.setFaults({});
  await configure(tandem.emulator, stackflow((c) => ({ ...c, options: { ...c.options, onJiraDelete: 'close' } })), { 'connection:stackflow:auth': TOKEN });
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

async function createBug(summary: string, extra: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', {
    fields: {
      project: { key: 'OPS' },
      issuetype: { name: 'Bug' },
      summary,
      description: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Steps: ' }, { type: 'text', text: 'open checkout', marks: [{ type: 'strong' }] }] }] },
      priority: { name: 'High' },
      assignee: { accountId: tandem.agent.accountId },
      ...extra,
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: string; key: string };
}

function incidentFor(key: string): ItsmRecord | undefined {
  return itsm.records('incidents').find((r) => r.jira_issue_key === key);
}

test('a new OPS bug becomes one incident with the mapped fields, a link in Jira and the label', async () => {
  const issue = await createBug('Checkout page returns 500');
  await tandem.emulator.settle();
  const incident = incidentFor(issue.key);
  assert.ok(incident, 'an incident was created');
  assert.equal(incident.short_description, 'Checkout page returns 500');
  assert.equal(incident.description, 'Steps: **open checkout**');
  assert.equal(incident.priority, 'P2');
  assert.equal(incident.state, 'new');
  assert.equal(incident.assigned_to, 'sam@example.com');
  assert.equal(incident.assignment_group, 'Platform Engineering');
  assert.equal(incident.category, 'software');
  assert.match(String(incident.number), /^INC\d{7}$/);

  const jiraIssue = tandem.jira.getIssue(issue.key);
  assert.ok(jiraIssue);
  assert.equal(jiraIssue.remoteLinks.length, 1);
  assert.equal(jiraIssue.remoteLinks[0]?.object.title, incident.number);
  assert.ok(jiraIssue.labels.includes('stackflow-sync'));
  // The label Tandem added, as the app, did not come back as a change to send.
  assert.ok(tandem.emulator.ignoredEvents.some((e) => e.eventType === 'avi:jira:updated:issue'));
  assert.equal(itsm.requests.filter((r) => r.method === 'POST' && r.path === '/api/incidents').length, 1);
});

test('an edit sends only the fields that changed, and an unmapped change sends nothing', async () => {
  const issue = await createBug('Search is slow');
  await tandem.emulator.settle();
  const incident = incidentFor(issue.key);
  assert.ok(incident);
  const before = itsm.requests.length;

  await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Search is very slow' } });
  await tandem.emulator.settle();
  const patches = itsm.requests.slice(before).filter((r) => r.method === 'PATCH');
  assert.equal(patches.length, 1);
  assert.deepEqual(patches[0]?.body, { short_description: 'Search is very slow' });

  const afterEdit = itsm.requests.length;
  await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { duedate: '2026-12-01' } });
  await tandem.emulator.settle();
  assert.equal(itsm.requests.length, afterEdit, 'a change to an unmapped field sends nothing');
});

test('a status change in Jira moves the incident through the status table', async () => {
  const issue = await createBug('Login loop');
  await tandem.emulator.settle();
  const transitions = (await tandem.rest(asAgent(), 'GET', `/rest/api/3/issue/${issue.key}/transitions`)).body as { transitions: Array<{ id: string; to: { name: string } }> };
  const start = transitions.transitions.find((t) => t.to.name === 'In Progress');
  assert.ok(start);
  await tandem.rest(asAgent(), 'POST', `/rest/api/3/issue/${issue.key}/transitions`, { transition: { id: start.id } });
  await tandem.emulator.settle();
  assert.equal(incidentFor(issue.key)?.state, 'in_progress');
});

test('comments become work notes: added, edited and deleted by comment id', async () => {
  const issue = await createBug('Cache misses');
  await tandem.emulator.settle();
  const incident = incidentFor(issue.key);
  assert.ok(incident);
  const doc = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

  const comment = (await tandem.rest(asAgent(), 'POST', `/rest/api/3/issue/${issue.key}/comment`, { body: doc('Rolled back the deploy') })).body as { id: string };
  await tandem.emulator.settle();
  let notes = itsm.notes('incidents', String(incident.id));
  assert.equal(notes.length, 1);
  assert.match(String(notes[0]?.body), /Rolled back the deploy/);
  assert.match(String(notes[0]?.body), /Sam Agent/);

  await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${issue.key}/comment/${comment.id}`, { body: doc('Rolled back the deploy at 10:02') });
  await tandem.emulator.settle();
  notes = itsm.notes('incidents', String(incident.id));
  assert.equal(notes.length, 1, 'an edit changes the note instead of adding one');
  assert.match(String(notes[0]?.body), /10:02/);

  await tandem.rest(asAgent(), 'DELETE', `/rest/api/3/issue/${issue.key}/comment/${comment.id}`);
  await tandem.emulator.settle();
  assert.equal(itsm.notes('incidents', String(incident.id)).length, 0);
});

test('deleting the issue closes the incident, as the connection says', async () => {
  const issue = await createBug('Old alert');
  await tandem.emulator.settle();
  await tandem.rest(asAgent(), 'DELETE', `/rest/api/3/issue/${issue.key}`);
  await tandem.emulator.settle();
  assert.equal(incidentFor(issue.key)?.state, 'closed');
  assert.equal(await stored(tandem.emulator, issueStateKey(issue.id)), undefined, 'the link ended');
});

test('issues in projects no mapping covers cost no Jira call and no tool request', async () => {
  tandem.jira.addProject({ key: 'HR', name: 'People', issueTypes: ['Task'] });
  tandem.emulator.calls.reset();
  const before = itsm.requests.length;
  await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'HR' }, issuetype: { name: 'Task' }, summary: 'Onboard Kim' } });
  await tandem.emulator.settle();
  assert.equal(tandem.emulator.calls.total(tandem.emulator.calls.jira), 0);
  assert.equal(tandem.emulator.calls.total(tandem.emulator.calls.egress), 0);
  assert.equal(itsm.requests.length, before);
});

test('the same created event delivered twice makes one record', async () => {
  const issue = await createBug('Duplicate delivery');
  const event = { eventType: 'avi:jira:created:issue', issue: { id: issue.id, key: issue.key, fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Duplicate delivery', status: { name: 'To Do', statusCategory: { key: 'new' } } } } };
  tandem.emulator.triggerRuns.enqueue('tandem-issue-events', event);
  tandem.emulator.triggerRuns.enqueue('tandem-issue-events', event);
  await tandem.emulator.drain();
  assert.equal(itsm.records('incidents').filter((r) => r.jira_issue_key === issue.key).length, 1);
});

test('while the tool is down changes wait and retry; once it is back each arrives once, in its latest state', async () => {
  itsm.setFaults({ down: true });
  const issue = await createBug('Queue backlog grows');
  await tandem.emulator.settle();
  await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Queue backlog grows fast' } });
  await tandem.emulator.settle();
  assert.equal(incidentFor(issue.key), undefined);
  await tandem.emulator.advance(60_000);
  itsm.setFaults({});
  await tandem.emulator.drain();
  const incidents = itsm.records('incidents').filter((r) => r.jira_issue_key === issue.key);
  assert.equal(incidents.length, 1);
  assert.equal(incidents[0]?.short_description, 'Queue backlog grows fast');
  const failures = await tandem.emulator.kvs.handle('/api/v1/query', { where: [{ condition: 'BEGINS_WITH', property: 'key', values: ['failure:'] }], limit: 100 });
  assert.deepEqual((failures.body as { data: unknown[] }).data, [], 'no failure is left once the tool is back');
});

test('a rejected token ends as a kept failure with the reason, and is not retried', async () => {
  await configure(tandem.emulator, stackflow(), { 'connection:stackflow:auth': 'wrong-token' });
  const issue = await createBug('Token rotated');
  await tandem.emulator.drain();
  const failure = (await stored(tandem.emulator, failureKey('stackflow', failureSubjectKey({ kind: 'issue', issueId: issue.id, issueKey: issue.key })))) as
    | Record<string, unknown>
    | undefined;
  assert.ok(failure, 'the failure is kept');
  assert.equal(failure.status, 401);
  assert.equal(failure.retry, 'permanent');
  assert.match(String(failure.explanation), /token/i);
  assert.equal(itsm.requests.filter((r) => r.method === 'POST' && r.path === '/api/incidents' && r.status === 401).length, 1);
  assert.doesNotMatch(JSON.stringify(failure), /wrong-token/);
});

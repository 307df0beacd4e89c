// Jira → tool when things go wrong: the tool failing or slow, Forge delivering events late or out of
// order, deletions per the connection's option, issue type moves, and echoes. Real simulator events
// through Tandem's triggers and queue, egress to the reference ITSM, time moved by the virtual clock.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, type ItsmRecord, type ReferenceItsm, type RequestLogEntry } from '../../devkit/external/itsm';
import type { ProductEvent } from '../../devkit/jira/types';
import type { Connection } from '../../src/mapping';
import { issueStateKey, recordIndexKey } from '../../src/sync/state';
import { stored, type TandemOnDevkit } from '../support/devkit';
import {
  activities as activitiesOf,
  addComment,
  doc,
  keptFailures as keptFailuresOf,
  onlyIncident as onlyIncidentOf,
  startStackflow,
  until,
  userActor,
  type Change,
  type StackflowOnDevkit,
} from '../support/stackflow';

const TOKEN = 'itsm-token-resilience';
const INBOUND_SECRET = 'inbound-secret-resilience-5b1e';
const bearer: Change = (c) => ({ ...c, auth: { kind: 'bearer' } });
let stackflow: StackflowOnDevkit;
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;

before(async () => {
  stackflow = await startStackflow({ token: TOKEN, inboundSecret: INBOUND_SECRET, base: bearer });
  ({ tandem, itsm } = stackflow);
});

after(() => stackflow.stop());

beforeEach(() => stackflow.reset());

const useStackflow = (change?: Change) => stackflow.configure(change);
const onDelete = (option: Connection['options']['onJiraDelete']): Change => (c) => ({ ...c, options: { ...c.options, onJiraDelete: option } });
const agent = () => userActor(tandem.agent.accountId);

async function createIssue(summary: string, type = 'Bug'): Promise<{ id: string; key: string }> {
  const created = await tandem.rest(agent(), 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: type }, summary, description: doc('First seen at 09:00'), priority: { name: 'High' }, assignee: { accountId: tandem.agent.accountId } },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: string; key: string };
}

async function edit(key: string, fields: Record<string, unknown>): Promise<void> {
  const answer = await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${key}`, { fields });
  assert.equal(answer.status, 204, JSON.stringify(answer.body));
}

const comment = (key: string, text: string) => addComment(tandem, agent(), key, text);
const transition = (key: string, to: string) => tandem.transition(agent(), key, to);

function incidentsFor(key: string): ItsmRecord[] {
  return itsm.records('incidents').filter((r) => r.jira_issue_key === key);
}

const onlyIncident = (key: string) => onlyIncidentOf(itsm, key);

/** Requests the tool answered with success since `from`, optionally about one record. */
function accepted(from: number, recordId?: string): RequestLogEntry[] {
  return itsm.requests.slice(from).filter((r) => r.status !== undefined && r.status < 300 && (recordId === undefined || r.path.includes(`/${recordId}`)));
}

/** How many accepted requests wrote this field with this value. */
function writesOf(entries: RequestLogEntry[], field: string, value: unknown): number {
  return entries.filter((r) => r.method !== 'GET' && typeof r.body === 'object' && r.body !== null && (r.body as Record<string, unknown>)[field] === value).length;
}

const activities = () => activitiesOf(tandem);
const keptFailures = () => keptFailuresOf(tandem);

async function linked(label: string): Promise<{ id: string; key: string }> {
  const issue = await createIssue(`Linked ${label}`);
  await tandem.emulator.settle();
  onlyIncident(issue.key);
  return issue;
}

// ---------------------------------------------------------------- the tool failing

test('while the tool answers 503, edits and comments wait; once it is back each arrives once, in its latest state', async () => {
  const issue = await linked('503');
  const incident = onlyIncident(issue.key);
  itsm.setFaults({ status: 503 });
  const from = itsm.requests.length;

  await edit(issue.key, { summary: 'Checkout fails for some' });
  await tandem.emulator.settle();
  const first = await comment(issue.key, 'Rolled back the deploy');
  await tandem.emulator.settle();
  await edit(issue.key, { summary: 'Checkout fails for everyone', priority: { name: 'Highest' } });
  await tandem.emulator.settle();
  await transition(issue.key, 'In Progress');
  await tandem.emulator.settle();
  await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${issue.key}/comment/${first}`, { body: doc('Rolled back the deploy at 10:02') });
  await tandem.emulator.settle();
  await comment(issue.key, 'Cache warmed');
  await tandem.emulator.advance(45_000);

  assert.ok(itsm.requests.length - from >= 6, 'Tandem tried while the tool failed');
  assert.equal(onlyIncident(issue.key).short_description, incident.short_description, 'the tool took nothing while failing');
  assert.equal(itsm.notes('incidents', incident.id).length, 0);

  itsm.setFaults({});
  const back = itsm.requests.length;
  await tandem.emulator.drain();

  const now = onlyIncident(issue.key);
  assert.equal(now.short_description, 'Checkout fails for everyone');
  assert.equal(now.priority, 'P1');
  assert.equal(now.state, 'in_progress');
  const notes = itsm.notes('incidents', incident.id).map((n) => String(n.body));
  assert.equal(notes.length, 2, JSON.stringify(notes));
  assert.ok(notes.some((n) => n.includes('Rolled back the deploy at 10:02')), 'the note carries the edited comment');
  assert.ok(notes.some((n) => n.includes('Cache warmed')));

  const done = accepted(back, incident.id);
  assert.equal(writesOf(done, 'short_description', 'Checkout fails for everyone'), 1, 'the summary was sent once');
  assert.equal(writesOf(done, 'short_description', 'Checkout fails for some'), 0, 'a stale summary was never sent');
  assert.equal(writesOf(done, 'state', 'in_progress'), 1);
  assert.equal(done.filter((r) => r.method === 'POST' && r.path.endsWith('/work_notes')).length, 2, 'one note per comment');
  assert.deepEqual(await keptFailures(), []);
  assert.deepEqual(tandem.emulator.queue.failed, []);
});

test('an issue made and commented on while the tool answers 503 gets one record with its comment once the tool is back', async () => {
  itsm.setFaults({ status: 503 });
  const issue = await createIssue('Made during the outage');
  await tandem.emulator.settle();
  await comment(issue.key, 'Seen by three customers');
  await tandem.emulator.settle();
  await edit(issue.key, { summary: 'Made during the outage, still failing' });
  await tandem.emulator.advance(30_000);
  assert.equal(incidentsFor(issue.key).length, 0);

  itsm.setFaults({});
  await tandem.emulator.drain();
  const incident = onlyIncident(issue.key);
  assert.equal(incident.short_description, 'Made during the outage, still failing');
  const notes = itsm.notes('incidents', incident.id);
  assert.equal(notes.length, 1, 'the comment made before the record existed arrives too');
  assert.match(String(notes[0]?.body), /Seen by three customers/);
  assert.deepEqual(await keptFailures(), []);
});

test('when the tool answers too late, every change still arrives once: no second record, no second note', async () => {
  // One existing pair and one new issue, all changed while every answer takes longer than Tandem waits.
  const existing = await linked('slow');
  const incident = onlyIncident(existing.key);
  itsm.setFaults({ latencyMs: 10_500 });
  const fresh = await createIssue('Made while the tool is slow');
  await comment(fresh.key, 'Customer call at 11:00');
  await edit(fresh.key, { summary: 'Made while the tool is slow, escalated' });
  await edit(existing.key, { summary: 'Edited while the tool is slow' });
  await comment(existing.key, 'Paged the on-call');
  // Once the first requests are in, the tool is fast again: they still answer too late, but the
  // retries (virtual time runs on while the answers wait) are not slowed down as well.
  await until(() =>
    itsm.requests.some((r) => r.method === 'POST' && r.path === '/api/incidents') &&
    itsm.requests.some((r) => r.method === 'PATCH' && r.path === `/api/incidents/${incident.id}`) &&
    itsm.requests.some((r) => r.method === 'POST' && r.path === `/api/incidents/${incident.id}/work_notes`),
  );
  itsm.setFaults({});
  await tandem.emulator.drain();
  const waits = (await activities()).filter((a) => a.outcome === 'retrying' && a.details.some((d) => /did not answer within 10 s/.test(d)));
  assert.ok(waits.length >= 3, `the create, the edit and the note each timed out first: ${JSON.stringify(waits)}`);

  const made = onlyIncident(fresh.key);
  assert.equal(made.short_description, 'Made while the tool is slow, escalated');
  const madeNotes = itsm.notes('incidents', made.id);
  assert.equal(madeNotes.length, 1, JSON.stringify(madeNotes));
  assert.match(String(madeNotes[0]?.body), /Customer call at 11:00/);
  assert.equal(onlyIncident(existing.key).short_description, 'Edited while the tool is slow');
  const notes = itsm.notes('incidents', incident.id);
  assert.equal(notes.length, 1, JSON.stringify(notes));
  assert.match(String(notes[0]?.body), /Paged the on-call/);
  assert.deepEqual(await keptFailures(), []);
  assert.deepEqual(tandem.emulator.queue.failed, []);
});

test('a work note whose answer came too late ends as the comment is now: edited since, one note with the edit; deleted since, no note', async () => {
  const issue = await linked('late note');
  const incident = onlyIncident(issue.key);
  const notesPath = `/api/incidents/${incident.id}/work_notes`;
  itsm.setFaults({ latencyMs: 10_500 });
  const edited = await comment(issue.key, 'Restarted the pods');
  const deleted = await comment(issue.key, 'Wrong incident, ignore');
  // The tool makes both notes, but answers after Tandem stopped waiting; the comments change before the retries.
  await until(() => itsm.requests.filter((r) => r.method === 'POST' && r.path === notesPath).length === 2);
  itsm.setFaults({});
  const from = itsm.requests.length;
  assert.equal((await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${issue.key}/comment/${edited}`, { body: doc('Restarted the pods at 10:40') })).status, 200);
  assert.equal((await tandem.rest(agent(), 'DELETE', `/rest/api/3/issue/${issue.key}/comment/${deleted}`)).status, 204);
  await tandem.emulator.drain();

  const notes = itsm.notes('incidents', incident.id).map((n) => String(n.body));
  assert.equal(notes.length, 1, JSON.stringify(notes));
  assert.match(notes[0] ?? '', /Restarted the pods at 10:40/);
  const refused = itsm.requests.slice(from).filter((r) => r.status === 422);
  assert.deepEqual(refused, [], 'no Idempotency-Key went out again with another body');
  assert.deepEqual(await keptFailures(), []);
  assert.deepEqual(tandem.emulator.queue.failed, []);
});

test('a record whose create answered too late, the issue edited before the retry, and a search that does not see it yet: one record, with the edit', async () => {
  // A tool whose search lags behind its writes: the lookup before the retry finds nothing.
  await useStackflow((c) => (c.protocol === 'record-rest' ? { ...c, paths: { ...c.paths, findByIssueKey: 'GET /api/{module}?jira_issue_key={key}&number=not-indexed-yet' } } : c));
  itsm.setFaults({ latencyMs: 10_500 });
  const issue = await createIssue('Made while the tool answers late');
  await until(() => createKeysFor(issue.key).length === 1);
  itsm.setFaults({});
  const from = itsm.requests.length;
  await edit(issue.key, { summary: 'Made while the tool answers late, escalated' });
  await tandem.emulator.drain();

  const incident = onlyIncident(issue.key);
  assert.equal(incident.short_description, 'Made while the tool answers late, escalated');
  assert.equal(new Set(createKeysFor(issue.key)).size, 1, 'one key for the create and its retry');
  assert.deepEqual(itsm.requests.slice(from).filter((r) => r.status === 422), [], 'no Idempotency-Key went out again with another body');
  assert.deepEqual(await keptFailures(), []);
  assert.deepEqual(tandem.emulator.queue.failed, []);
});

// ---------------------------------------------------------------- events late or out of order

function issueKeyOf(event: ProductEvent): string {
  return String((event.payload.issue as { key?: unknown } | undefined)?.key);
}

test('an older issue event delivered after a newer one leaves the record in the latest Jira state', async () => {
  const issue = await linked('order');
  const incident = onlyIncident(issue.key);
  tandem.emulator.holdProductEvents();
  await edit(issue.key, { summary: 'Older summary', priority: { name: 'Low' } });
  await edit(issue.key, { summary: 'Newer summary', priority: { name: 'Highest' } });
  await transition(issue.key, 'In Progress');
  const held = tandem.emulator.releaseProductEvents().filter((e) => e.eventType === 'avi:jira:updated:issue' && issueKeyOf(e) === issue.key);
  assert.equal(held.length, 3);
  const from = itsm.requests.length;
  for (const event of [...held].reverse()) {
    tandem.emulator.deliverProductEvent(event);
    await tandem.emulator.settle();
  }
  const now = onlyIncident(issue.key);
  assert.equal(now.short_description, 'Newer summary');
  assert.equal(now.priority, 'P1');
  assert.equal(now.state, 'in_progress');
  const done = accepted(from, incident.id);
  assert.equal(writesOf(done, 'short_description', 'Older summary'), 0, 'the older value was never sent');
  assert.equal(writesOf(done, 'priority', 'P4'), 0);
  assert.equal(done.filter((r) => r.method === 'PATCH').length, 1, 'the late events sent nothing more');

  // All at once, as concurrent invocations: the latest state, sent once.
  tandem.emulator.holdProductEvents();
  await edit(issue.key, { summary: 'Older again' });
  await edit(issue.key, { summary: 'Latest of all' });
  const together = itsm.requests.length;
  for (const event of tandem.emulator.releaseProductEvents().reverse()) tandem.emulator.deliverProductEvent(event);
  await tandem.emulator.drain();
  assert.equal(onlyIncident(issue.key).short_description, 'Latest of all');
  assert.equal(writesOf(accepted(together, incident.id), 'short_description', 'Latest of all'), 1, 'sent once, not once per event');
});

test('a created event delivered after the issue was already edited makes one record, in the latest state', async () => {
  tandem.emulator.holdProductEvents();
  const issue = await createIssue('Draft title');
  await edit(issue.key, { summary: 'Final title' });
  const held = tandem.emulator.releaseProductEvents().filter((e) => issueKeyOf(e) === issue.key);
  assert.deepEqual(held.map((e) => e.eventType), ['avi:jira:created:issue', 'avi:jira:updated:issue']);
  for (const event of [...held].reverse()) {
    tandem.emulator.deliverProductEvent(event);
    await tandem.emulator.settle();
  }
  assert.equal(onlyIncident(issue.key).short_description, 'Final title');
  assert.equal(itsm.requests.filter((r) => r.method === 'POST' && r.path === '/api/incidents' && r.body && (r.body as Record<string, unknown>).jira_issue_key === issue.key).length, 1);
});

// ---------------------------------------------------------------- deletion options

test("onJiraDelete 'delete' deletes the record, also when the tool was down at first", async () => {
  await useStackflow(onDelete('delete'));
  const issue = await linked('delete');
  const incident = onlyIncident(issue.key);
  assert.equal((await tandem.rest(agent(), 'DELETE', `/rest/api/3/issue/${issue.key}`)).status, 204);
  await tandem.emulator.settle();
  assert.equal(itsm.record('incidents', incident.id), undefined, 'the incident is gone');
  assert.equal(await stored(tandem.emulator, issueStateKey(issue.id)), undefined, 'the link ended');
  assert.equal(await stored(tandem.emulator, recordIndexKey('stackflow', 'incidents', incident.id)), undefined);

  const second = await linked('delete-down');
  const other = onlyIncident(second.key);
  itsm.setFaults({ down: true });
  assert.equal((await tandem.rest(agent(), 'DELETE', `/rest/api/3/issue/${second.key}`)).status, 204);
  await tandem.emulator.advance(20_000);
  assert.ok(itsm.record('incidents', other.id), 'still there while the tool is down');
  itsm.setFaults({});
  const back = itsm.requests.length;
  await tandem.emulator.drain();
  assert.equal(itsm.record('incidents', other.id), undefined);
  assert.equal(accepted(back, other.id).filter((r) => r.method === 'DELETE').length, 1);
  assert.deepEqual(await keptFailures(), []);
});

test("onJiraDelete 'nothing' leaves the record untouched and ends the link, so its later changes bring back no issue", async () => {
  await useStackflow(onDelete('nothing'));
  const issue = await linked('nothing');
  const incident = onlyIncident(issue.key);
  const from = itsm.requests.length;
  assert.equal((await tandem.rest(agent(), 'DELETE', `/rest/api/3/issue/${issue.key}`)).status, 204);
  await tandem.emulator.drain();
  assert.equal(itsm.requests.length, from, 'no request reached the tool');
  assert.deepEqual(itsm.record('incidents', incident.id), incident, 'the incident is as it was');
  assert.equal(await stored(tandem.emulator, issueStateKey(issue.id)), undefined, 'the link ended');
  assert.equal(await stored(tandem.emulator, recordIndexKey('stackflow', 'incidents', incident.id)), undefined);

  itsm.setOutbound({ url: `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`, secret: INBOUND_SECRET });
  const issues = tandem.jira.listIssues().length;
  itsm.updateRecord('incidents', incident.id, { short_description: 'Still worked on in StackFlow' });
  await itsm.whenIdle();
  await tandem.emulator.settle();
  assert.equal(tandem.jira.listIssues().length, issues, 'no issue came back');
  assert.equal(tandem.jira.getIssue(issue.key), undefined);
  const sent = itsm.outbox.filter((e) => e.event.record.id === incident.id).at(-1);
  assert.equal(sent?.attempts.at(-1)?.status, 404, 'Tandem answered that the record is linked to no issue');
});

// ---------------------------------------------------------------- issue type moves

test('an issue moved into the mapped type gets a record; moved out, its link ends and nothing more is pushed', async () => {
  const issue = await createIssue('Filed as a task', 'Task');
  const from = itsm.requests.length;
  await tandem.emulator.settle();
  assert.equal(itsm.requests.length, from, 'an unmapped type sends nothing');

  await edit(issue.key, { issuetype: { name: 'Bug' }, summary: 'Actually a bug' });
  await tandem.emulator.settle();
  const incident = onlyIncident(issue.key);
  assert.equal(incident.short_description, 'Actually a bug');
  assert.equal(incident.description, 'First seen at 09:00');
  assert.equal(incident.priority, 'P2');
  assert.equal(incident.assignment_group, 'Platform Engineering');
  const jiraIssue = tandem.jira.getIssue(issue.key);
  assert.equal(jiraIssue?.remoteLinks.length, 1);
  assert.ok(jiraIssue?.labels.includes('stackflow-sync'));

  await edit(issue.key, { issuetype: { name: 'Task' } });
  await tandem.emulator.settle();
  assert.equal(await stored(tandem.emulator, issueStateKey(issue.id)), undefined, 'the link ended');
  const left = itsm.requests.length;
  await edit(issue.key, { summary: 'A task after all', priority: { name: 'Low' } });
  await comment(issue.key, 'Not a bug');
  await transition(issue.key, 'In Progress');
  await tandem.emulator.drain();
  assert.equal(itsm.requests.length, left, 'nothing more is pushed');
  assert.deepEqual(onlyIncident(issue.key), incident, 'the incident was left as it was');

  // Back into the mapped type: the same incident again, brought up to date, not a second one.
  await edit(issue.key, { issuetype: { name: 'Bug' } });
  await tandem.emulator.settle();
  const again = onlyIncident(issue.key);
  assert.equal(again.id, incident.id);
  assert.equal(again.short_description, 'A task after all');
  assert.equal(again.priority, 'P4');
  assert.equal(again.state, 'in_progress');
  assert.deepEqual(await keptFailures(), []);
});

/** The Idempotency-Key of each create the tool received for the issue, in order. */
function createKeysFor(issueKey: string, from = 0): string[] {
  return itsm.requests
    .slice(from)
    .filter((r) => r.method === 'POST' && r.path === '/api/incidents' && (r.body as Record<string, unknown> | undefined)?.jira_issue_key === issueKey)
    .map((r) => r.headers['idempotency-key'] ?? '');
}

test('an issue moved out, its record deleted in the tool, and moved back the same day gets a new record; retries of that create keep one key', async () => {
  const issue = await linked('gone');
  const incident = onlyIncident(issue.key);
  await edit(issue.key, { issuetype: { name: 'Task' } });
  await tandem.emulator.settle();
  itsm.deleteRecord('incidents', incident.id);

  // Back in with the same values as the first create. The tool lets the lookup through and fails
  // the create (a seed whose first two draws do that), so the create is tried again.
  const seed = Array.from({ length: 1000 }, (_, i) => i).find((s) => {
    const draw = seededRandom(s);
    return draw() >= 0.5 && draw() < 0.5;
  });
  itsm.setFaults({ errorRate: 0.5, seed });
  const back = itsm.requests.length;
  await edit(issue.key, { issuetype: { name: 'Bug' } });
  await tandem.emulator.settle();
  itsm.setFaults({});
  await tandem.emulator.drain();

  const again = onlyIncident(issue.key);
  assert.notEqual(again.id, incident.id, 'a new incident, not the deleted one');
  assert.equal(again.short_description, 'Linked gone');
  const state = (await stored(tandem.emulator, issueStateKey(issue.id))) as { links: Record<string, { externalId: string }> };
  assert.equal(state.links.stackflow?.externalId, again.id);
  const [first] = createKeysFor(issue.key);
  const relink = createKeysFor(issue.key, back);
  assert.ok(relink.length >= 2, `the create was tried again: ${JSON.stringify(relink)}`);
  assert.equal(new Set(relink).size, 1, 'every try of the new link sent one key');
  assert.notEqual(relink[0], first, 'the new link did not send the ended link\'s key');
  assert.deepEqual(await keptFailures(), []);
});

test("onJiraDelete 'delete', then the issue restored the same day and edited: a new record with the edit", async () => {
  await useStackflow(onDelete('delete'));
  const issue = await linked('restored');
  const incident = onlyIncident(issue.key);
  const site = tandem.jira.dump();
  assert.equal((await tandem.rest(agent(), 'DELETE', `/rest/api/3/issue/${issue.key}`)).status, 204);
  await tandem.emulator.settle();
  assert.equal(itsm.record('incidents', incident.id), undefined);

  // Jira gives the issue back with its id, as a restore does (the simulator loads the site as it was, without events).
  tandem.jira.load(site);
  await edit(issue.key, { summary: 'Restored, still failing' });
  await tandem.emulator.settle();
  const again = onlyIncident(issue.key);
  assert.notEqual(again.id, incident.id);
  assert.equal(again.short_description, 'Restored, still failing');
  assert.deepEqual(await keptFailures(), []);
});

test('a record deleted in the tool ends its link; the issue edited the same day gets a new record, not the deleted one back', async () => {
  await useStackflow((c) => ({ ...c, options: { ...c.options, onToolDelete: 'nothing' } }));
  itsm.setOutbound({ url: `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`, secret: INBOUND_SECRET });
  const issue = await linked('deleted in the tool');
  await itsm.whenIdle();
  await tandem.emulator.settle();
  const first = onlyIncident(issue.key);
  itsm.deleteRecord('incidents', first.id);
  await itsm.whenIdle();
  await tandem.emulator.settle();
  assert.equal(await stored(tandem.emulator, issueStateKey(issue.id)), undefined, 'the link ended');
  assert.ok(tandem.jira.getIssue(issue.key), 'the issue stays');

  await edit(issue.key, { summary: 'Still happening after the cleanup' });
  await tandem.emulator.drain();
  const second = onlyIncident(issue.key);
  assert.notEqual(second.id, first.id, 'a new incident, not the deleted one replayed');
  assert.equal(second.short_description, 'Still happening after the cleanup');
  assert.deepEqual(await keptFailures(), []);
});

test('an issue moved to a type mapped to another module ends the old link and gets a record there', async () => {
  // OPS tasks are planned work: StackFlow changes.
  await useStackflow((c) => ({ ...c, projects: [...c.projects, { projectKey: 'OPS', issueType: 'Task', module: 'changes', direction: 'jira-to-tool', fixedValues: {}, ignoredIssueTypes: [] }] }));
  const issue = await linked('module');
  const incident = onlyIncident(issue.key);
  await edit(issue.key, { issuetype: { name: 'Task' }, summary: 'Planned work after all' });
  await tandem.emulator.settle();
  const changes = itsm.records('changes').filter((r) => r.jira_issue_key === issue.key);
  assert.equal(changes.length, 1);
  assert.equal(changes[0]?.short_description, 'Planned work after all');
  assert.equal(itsm.record('incidents', incident.id)?.short_description, incident.short_description, 'the incident was left as it was');
  const state = (await stored(tandem.emulator, issueStateKey(issue.id))) as { links: Record<string, { module: string }> };
  assert.equal(state.links.stackflow?.module, 'changes');
  assert.equal(await stored(tandem.emulator, recordIndexKey('stackflow', 'incidents', incident.id)), undefined);
});

test('an issue moved to another project mapped to the same module keeps its record, which gets the issue’s new key; moved to a project nothing maps, its link ends and the record stays', async () => {
  await useStackflow((c) => ({ ...c, projects: [...c.projects.filter((p) => p.projectKey !== 'INFRA'), { projectKey: 'INFRA', issueType: 'Task', module: 'incidents', direction: 'both', fixedValues: {}, ignoredIssueTypes: [] }] }));
  const issue = await linked('moved');
  const incident = onlyIncident(issue.key);
  const task = tandem.jira.getProject('INFRA')?.issueTypes.find((t) => t.name === 'Task');
  assert.ok(task);
  const move = await tandem.rest(agent(), 'POST', '/rest/api/3/bulk/issues/move', { targetToSourcesMapping: { [`INFRA,${task.id}`]: { issueIdsOrKeys: [issue.key], inferStatusDefaults: true, inferFieldDefaults: true } } });
  assert.equal(move.status, 201, JSON.stringify(move.body));
  await tandem.emulator.settle();
  const newKey = tandem.jira.getIssue(issue.id)?.key ?? '';
  assert.ok(newKey.startsWith('INFRA-'), 'the move gave it an Infrastructure key');
  assert.equal(itsm.record('incidents', incident.id)?.jira_issue_key, newKey, 'the record names the issue’s new key');
  assert.equal(itsm.records('incidents').filter((r) => r.jira_issue_key === newKey).length, 1, 'no second record');
  await edit(newKey, { summary: 'Still linked after the move' });
  await tandem.emulator.settle();
  assert.equal(itsm.record('incidents', incident.id)?.short_description, 'Still linked after the move');

  await useStackflow((c) => ({ ...c, projects: c.projects.filter((p) => p.projectKey !== 'INFRA') }));
  await edit(newKey, { summary: 'Left the mappings' });
  await tandem.emulator.settle();
  assert.equal(await stored(tandem.emulator, recordIndexKey('stackflow', 'incidents', incident.id)), undefined, 'the link ended');
  assert.equal(itsm.record('incidents', incident.id)?.short_description, 'Still linked after the move', 'the record was left as it was');
});

// ---------------------------------------------------------------- echoes

test('a change Tandem applied from the tool, or the same values again, pushes nothing back', async () => {
  itsm.setOutbound({ url: `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`, secret: INBOUND_SECRET });
  const issue = await linked('echo');
  await itsm.whenIdle();
  await tandem.emulator.settle();
  const incident = onlyIncident(issue.key);
  const from = itsm.requests.length;
  const ignored = tandem.emulator.ignoredEvents.length;

  itsm.updateRecord('incidents', incident.id, { short_description: 'Renamed in StackFlow', priority: 'P1' });
  itsm.addNote('incidents', incident.id, 'Vendor ticket opened');
  await itsm.whenIdle();
  await tandem.emulator.settle();
  const jiraIssue = tandem.jira.getIssue(issue.key);
  assert.equal(jiraIssue?.summary, 'Renamed in StackFlow', 'the tool’s change reached Jira');
  assert.equal(jiraIssue?.priorityName, 'Highest');
  assert.equal(jiraIssue?.comments.length, 1);
  assert.equal(itsm.requests.length, from, 'nothing went back to the tool');

  // Even delivered to the triggers (as if ignoreSelf let them through), Tandem's own writes push nothing.
  const own = tandem.emulator.ignoredEvents.slice(ignored).filter((e) => issueKeyOf(e) === issue.key);
  assert.ok(own.some((e) => e.eventType === 'avi:jira:updated:issue') && own.some((e) => e.eventType === 'avi:jira:commented:issue'));
  for (const event of own) tandem.emulator.deliverProductEvent({ ...event, causedByApp: false });
  await tandem.emulator.settle();
  assert.equal(itsm.requests.length, from, 'the echo pushed nothing');
  assert.equal(itsm.notes('incidents', incident.id).length, 1, 'no second note');

  // A user's change delivered twice, and the tool's report of that change, push nothing more.
  const recorded: ProductEvent[] = [];
  const stop = tandem.jira.onEvent((e) => recorded.push(e));
  await edit(issue.key, { summary: 'Renamed in Jira' });
  await tandem.emulator.settle();
  stop();
  assert.equal(onlyIncident(issue.key).short_description, 'Renamed in Jira');
  const sent = itsm.requests.length;
  for (const event of recorded) tandem.emulator.deliverProductEvent(event);
  await tandem.emulator.settle();
  assert.equal(itsm.requests.length, sent, 'a duplicate event pushed nothing');
  await itsm.whenIdle();
  await tandem.emulator.settle();
  assert.equal(itsm.requests.length, sent, 'the tool’s echo of that change came back to Jira as nothing');
});

test('a field the tool refuses never blocks the others: the rest is sent, and a failure names that field and its mapping', async () => {
  const issue = await linked('bad field');
  await useStackflow((c) => ({ ...c, fields: [...c.fields, { jira: 'labels', tool: 'tags', direction: 'both', transform: { kind: 'labels', format: 'array' } }] }) as Connection);
  await edit(issue.key, { summary: 'Checkout fails for EU cards', labels: ['payments'] });
  await tandem.emulator.settle();
  assert.equal(onlyIncident(issue.key).short_description, 'Checkout fails for EU cards', 'the summary arrived although tags was refused');
  const kept = (await keptFailures()) as Array<{ value: { explanation: string; nextAttemptAt?: string; subject: { issueKey: string } } }>;
  assert.equal(kept.length, 1);
  assert.equal(kept[0]?.value.subject.issueKey, issue.key);
  assert.equal(kept[0]?.value.nextAttemptAt, undefined, 'kept for the admin, not retried blindly');
  assert.match(kept[0]?.value.explanation ?? '', /refused tags; every other field was sent\. Fix the field mapping labels → tags/);

  // Later changes still go through, and the refusal stays listed until the mapping is fixed.
  await edit(issue.key, { priority: { name: 'Highest' } });
  await tandem.emulator.settle();
  assert.equal(onlyIncident(issue.key).priority, 'P1');
  assert.equal((await keptFailures()).length, 1);

  // Mapping removed: the next change clears the failure.
  await useStackflow();
  await edit(issue.key, { summary: 'Checkout fails for all cards' });
  await tandem.emulator.settle();
  assert.equal(onlyIncident(issue.key).short_description, 'Checkout fails for all cards');
  assert.deepEqual(await keptFailures(), []);
});

test('a Jira priority with no row is a visible skip with its value and the fix, not silence', async () => {
  const issue = await linked('unmapped priority');
  await edit(issue.key, { priority: { name: 'Lowest' } });
  await tandem.emulator.settle();
  const skipped = (await activities()).filter((a) => a.issueKey === issue.key && a.outcome === 'skipped');
  assert.equal(skipped.length, 1, JSON.stringify(await activities()));
  assert.match(skipped[0]?.details.join(' ') ?? '', /"Lowest" has no row in the priority table/);
  assert.match(skipped[0]?.details.join(' ') ?? '', /Mappings/);
});

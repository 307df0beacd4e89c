// Tool states → Jira statuses over the whole workflow, on real SDKs: reopening and moving on, the
// shortest route first, the connection's limit on transitions, and a status Jira cannot reach kept
// for the admin (with where the issue is and what Jira offered) while the rest of the change applies.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { signTandemRequest } from '../../devkit/external/itsm';
import type { FailuresResponse, RetryResponse } from '../../src/contract/admin';
import { findPreset, type Connection } from '../../src/mapping';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const SECRET = 'inbound-status-secret-5d1e';
let tandem: TandemOnDevkit;
let url: string;

function stackflow(change: (c: Connection) => Connection = (c) => c): unknown {
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow', baseUrl: 'https://stackflow.example.com', id: 'stackflow' });
  return { version: 1, connections: [change({ ...connection, options: { ...connection.options, conflictPolicy: 'jira-wins' } })] };
}

before(async () => {
  tandem = await startTandem();
  url = `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`;
  // A long way from start to finish: Open → Triage → Working → Review → Finished, and back to Open.
  tandem.jira.addProject({
    key: 'LONG',
    name: 'Long workflow',
    issueTypes: ['Task'],
    workflow: {
      statuses: [
        { name: 'Open', category: 'new' },
        { name: 'Triage', category: 'indeterminate' },
        { name: 'Working', category: 'indeterminate' },
        { name: 'Review', category: 'indeterminate' },
        { name: 'Finished', category: 'done' },
      ],
      transitions: [
        { name: 'Triage', from: ['Open'], to: 'Triage' },
        { name: 'Work', from: ['Triage'], to: 'Working' },
        { name: 'Ask review', from: ['Working'], to: 'Review' },
        { name: 'Finish', from: ['Review'], to: 'Finished', requiresResolution: true },
        { name: 'Start over', from: ['Triage', 'Working', 'Review', 'Finished'], to: 'Open' },
      ],
    },
  });
});

after(async () => {
  await tandem.stop();
});

beforeEach(async () => {
  await configure(tandem.emulator, stackflow(), { 'connection:stackflow:inbound': SECRET, 'connection:stackflow:auth': 'unused' });
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function send(body: unknown): Promise<Answer> {
  const raw = JSON.stringify(body);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tandem-signature': signTandemRequest(SECRET, raw, Date.now() / 1000) },
    body: raw,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const event = (type: string, record: Record<string, unknown>) => ({ eventId: randomUUID(), type, occurredAt: new Date().toISOString(), record });

let counter = 0;
async function created(fields: Record<string, unknown> = {}): Promise<{ record: Record<string, unknown>; key: string }> {
  counter += 1;
  const id = `st${counter}${randomUUID().slice(0, 8)}`;
  const record = { module: 'incidents', id, number: `INC${String(9000 + counter)}`, url: `https://stackflow.example.com/incidents/${id}`, fields: { short_description: 'Queue stuck', priority: 'P3', state: 'new', ...fields } };
  const answer = await send(event('record.created', record));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  // The issue key's write-back to the record runs on the delivery queue: let it finish first.
  await tandem.emulator.settle();
  return { record, key: String(answer.body.issueKey) };
}

async function state(record: Record<string, unknown>, fields: Record<string, unknown>): Promise<Answer> {
  const answer = await send(event('record.updated', { ...record, fields }));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer;
}

/** The LONG project's workflow mapped from StackFlow's states, with a limit on transitions. */
const longWith = (maxTransitions: number) => (c: Connection): Connection => ({
  ...c,
  projects: [{ ...c.projects[0]!, projectKey: 'LONG', issueType: 'Task' }],
  fields: c.fields.map((f) =>
    f.transform.kind === 'status'
      ? { ...f, transform: { ...f.transform, toTool: [{ jira: ['Open'], tool: 'new' }, { jira: ['Triage'], tool: 'in_progress' }, { jira: ['Working'], tool: 'on_hold' }, { jira: ['Review'], tool: 'closed' }, { jira: ['Finished'], tool: 'resolved' }], toJira: [{ tool: 'new', jira: 'Open', category: 'new' }, { tool: 'in_progress', jira: 'Triage', category: 'indeterminate' }, { tool: 'on_hold', jira: 'Working', category: 'indeterminate' }, { tool: 'closed', jira: 'Review', category: 'indeterminate' }, { tool: 'resolved', jira: 'Finished', category: 'done' }] } }
      : f,
  ),
  inbound: { auth: 'hmac', onToolDelete: 'nothing', createDefaults: {}, maxTransitions },
});

async function admin<T>(functionKey: string, payload: unknown): Promise<T> {
  return (await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey, payload, accountId: tandem.admin.accountId })) as T;
}

async function statusFailures(issueKey: string) {
  const listed = await admin<FailuresResponse>('getFailures', {});
  assert.ok(listed.ok);
  return listed.failures.filter((f) => f.subject.kind === 'status' && f.subject.issueKey === issueKey);
}

test('from Done, on_hold reopens and moves on to Blocked; from Closed, in_progress goes Reopen then Start Progress', async () => {
  const { record, key } = await created();
  await state(record, { state: 'in_progress' });
  await state(record, { state: 'resolved' });
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'Done');

  tandem.emulator.calls.reset();
  const held = await state(record, { state: 'on_hold' });
  assert.deepEqual(held.body.applied, ['status']);
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'Blocked');
  // Three transitions, and a read of what each status on the way offers: no more.
  assert.equal(tandem.emulator.calls.jira.get('POST /rest/api/3/issue/{issueIdOrKey}/transitions'), 3);
  assert.equal(tandem.emulator.calls.jira.get('GET /rest/api/3/issue/{issueIdOrKey}/transitions'), 2);

  await state(record, { state: 'closed' });
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'Closed');
  tandem.emulator.calls.reset();
  const started = await state(record, { state: 'in_progress' });
  assert.deepEqual(started.body.applied, ['status']);
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'In Progress');
  // Reopen, then Start Progress.
  assert.equal(tandem.emulator.calls.jira.get('POST /rest/api/3/issue/{issueIdOrKey}/transitions'), 2);
  assert.deepEqual(tandem.emulator.contractViolations, []);
});

test('a route longer than the connection allows is kept with where the issue is and what Jira offered; the rest of the change applies, and Retry moves it once allowed', async () => {
  await configure(tandem.emulator, stackflow(longWith(2)));
  const { record, key } = await created();
  assert.match(key, /^LONG-/);
  // Tandem sees what Open, Triage, Working and Review offer on the way.
  await state(record, { state: 'in_progress' });
  await state(record, { state: 'on_hold' });
  await state(record, { state: 'closed' });
  await state(record, { state: 'new' });
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'Open');

  const answer = await state(record, { short_description: 'Queue stuck on node 4', state: 'resolved' });
  assert.deepEqual(answer.body.applied, ['summary']);
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Queue stuck on node 4');
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'Open', 'no transition taken: the route is four steps and two are allowed');
  const [kept, ...more] = await statusFailures(key);
  assert.ok(kept, 'the status is listed with the failures');
  assert.equal(more.length, 0);
  assert.match(kept.explanation, /from "Open" reaches "Finished"/);
  assert.match(kept.explanation, /Jira offers from "Open": Triage → Triage/);

  // The admin allows longer routes and retries: only the status is applied, and the failure goes.
  await configure(tandem.emulator, stackflow(longWith(4)));
  await send(event('record.updated', { ...record, fields: { short_description: 'Renamed in Jira meanwhile?' } }));
  const retried = await admin<RetryResponse>('retryFailure', { id: kept.id });
  assert.ok(retried.ok, JSON.stringify(retried));
  assert.equal(retried.retried, 1);
  await tandem.emulator.drain();
  const issue = tandem.jira.getIssue(key);
  assert.equal(issue?.statusName, 'Finished');
  assert.equal(issue?.resolutionName, 'Done');
  assert.equal(issue?.summary, 'Renamed in Jira meanwhile?', 'the retry wrote nothing but the status');
  assert.deepEqual(await statusFailures(key), []);
  assert.deepEqual(tandem.emulator.contractViolations, []);
});

test('a workflow Tandem has not seen is learned from other issues in its statuses, without moving them, and the route taken', async () => {
  tandem.jira.addProject({ key: 'FRESH', name: 'Fresh', issueTypes: ['Bug'] });
  // The tool's state wins: Jira's status changed too, and the tool could not be told (it is not reachable here).
  const fresh = (c: Connection): Connection => ({ ...c, options: { ...c.options, conflictPolicy: 'tool-wins' }, projects: [{ ...c.projects[0]!, projectKey: 'FRESH', issueType: 'Bug' }, ...c.projects] });
  await configure(tandem.emulator, stackflow(fresh));
  const { record, key } = await created();
  assert.match(key, /^FRESH-/);
  // People work in Jira: one issue waits in To Do, one is in progress, and this one is done.
  const agent = { kind: 'user' as const, accountId: tandem.agent.accountId };
  const other = async (summary: string) => {
    const made = await tandem.rest(agent, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'FRESH' }, issuetype: { name: 'Bug' }, summary } });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    return (made.body as { key: string }).key;
  };
  const waiting = await other('Waiting in To Do');
  const working = await other('Being worked on');
  await tandem.transition(agent, working, 'In Progress');
  await tandem.transition(agent, key, 'In Progress');
  await tandem.transition(agent, key, 'Done');
  await tandem.emulator.settle();
  // The other issues have been where they are for a while: Jira's search has them.
  await tandem.searchCaughtUp();

  tandem.emulator.calls.reset();
  const held = await state(record, { state: 'on_hold' });
  assert.deepEqual(held.body.applied, ['status'], JSON.stringify(held.body));
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'Blocked');
  assert.equal(tandem.jira.getIssue(waiting)?.statusName, 'To Do', 'the other issues stay where they are');
  assert.equal(tandem.jira.getIssue(working)?.statusName, 'In Progress');
  assert.equal(tandem.emulator.calls.jira.get('POST /rest/api/3/issue/{issueIdOrKey}/transitions'), 3, 'Reopen, Start Progress, Block');
  // What To Do and In Progress offer is remembered: the next change needs no search.
  await state(record, { state: 'resolved' });
  tandem.emulator.calls.reset();
  await state(record, { state: 'on_hold' });
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'Blocked');
  assert.equal(tandem.emulator.calls.jira.get('POST /rest/api/3/search/jql'), undefined);
  assert.deepEqual(tandem.emulator.contractViolations, []);
});

test('a status still owed goes with the link: a record deleted in the tool leaves no failure to retry', async () => {
  await configure(tandem.emulator, stackflow(longWith(1)));
  const { record, key } = await created();
  assert.match(key, /^LONG-/);
  await send(event('record.updated', { ...record, fields: { state: 'resolved' } }));
  assert.equal((await statusFailures(key)).length, 1, 'Finished is four transitions away, one is allowed');
  const deleted = await send(event('record.deleted', { module: record.module, id: record.id }));
  assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
  assert.deepEqual(await statusFailures(key), []);
});

test('a named status beyond a status Tandem has not seen is reached: the walk reads what the category status offers and goes on, it does not stop there', async () => {
  // A project nobody has worked in: Tandem knows none of Done's transitions, and no other issue is in Done.
  tandem.jira.addProject({ key: 'WALK', name: 'Walk', issueTypes: ['Bug'] });
  await configure(tandem.emulator, stackflow((c) => ({ ...c, projects: [{ ...c.projects[0]!, projectKey: 'WALK', issueType: 'Bug' }] })));
  const { record, key } = await created();
  assert.match(key, /^WALK-/);
  await state(record, { state: 'in_progress' });
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'In Progress');

  const closed = await state(record, { state: 'closed' });
  assert.deepEqual(closed.body.applied, ['status'], JSON.stringify(closed.body));
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'Closed', 'Done is of the same category, but Closed was asked for');
  assert.equal(closed.body.notes, undefined, JSON.stringify(closed.body));
  assert.deepEqual(await statusFailures(key), []);

  // And back, from the done category to in progress (reopen included).
  const again = await state(record, { state: 'in_progress' });
  assert.deepEqual(again.body.applied, ['status'], JSON.stringify(again.body));
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'In Progress');
  assert.deepEqual(tandem.emulator.contractViolations, []);
});

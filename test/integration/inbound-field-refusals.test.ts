// One bad field never blocks the rest, tool → Jira: when Jira refuses a field of an update or a
// create (400 with `errors` per field), the other fields are applied, and the refused one is kept as
// a failure of its own that names the value and the mapping to fix; fixing it resolves the failure.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ReferenceItsm, signTandemRequest } from '../../devkit/external/itsm';
import type { ActivityResponse, FailuresResponse, RetryResponse } from '../../src/contract/admin';
import type { IssueViewResponse, RetryOnIssueResponse } from '../../src/contract/issue';
import { findPreset } from '../../src/mapping';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const SECRET = 'inbound-secret-field-refusals-77a1';
const TOKEN = 'itsm-token-field-refusals';
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;
let url: string;

before(async () => {
  tandem = await startTandem();
  url = `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`;
  itsm = new ReferenceItsm({ token: TOKEN, retryDelaysMs: [0] });
  const itsmUrl = await itsm.listen();
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow', baseUrl: itsmUrl, id: 'stackflow' });
  // A due date mapped as plain text: the tool's "next week" is no date Jira takes.
  // Support's workflow has no status for StackFlow's on_hold (Blocked).
  tandem.jira.addProject({
    key: 'SUP',
    name: 'Support',
    issueTypes: ['Task'],
    workflow: { statuses: [{ name: 'Open', category: 'new' }, { name: 'Finished', category: 'done' }], transitions: [{ name: 'Finish', from: ['Open'], to: 'Finished', requiresResolution: true }] },
  });
  const [first, ...rest] = connection.projects;
  assert.ok(first);
  const withDue = {
    ...connection,
    projects: [{ ...first, projectKey: 'SUP', issueType: 'Task' }, first, ...rest],
    fields: [...connection.fields, { jira: 'duedate', tool: 'due_date', direction: 'tool-to-jira' as const, transform: { kind: 'text' as const } }],
  };
  await configure(tandem.emulator, { version: 1, connections: [withDue] }, { 'connection:stackflow:inbound': SECRET, 'connection:stackflow:auth': TOKEN });
});

after(async () => {
  await itsm.close();
  await tandem.stop();
});

beforeEach(async () => {
  await tandem.emulator.settle();
});

async function send(type: string, record: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const raw = JSON.stringify({ eventId: randomUUID(), type, occurredAt: new Date().toISOString(), record });
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tandem-signature': signTandemRequest(SECRET, raw, Date.now() / 1000) }, body: raw });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function admin<T>(functionKey: 'getFailures' | 'getActivity' | 'retryFailure', payload: unknown): Promise<T> {
  return (await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey, payload, accountId: tandem.admin.accountId })) as T;
}

/** The issue's failures of refused fields (Support's workflow also keeps its statuses' failures). */
async function failuresOf(issueKey: string) {
  const listed = await admin<FailuresResponse>('getFailures', {});
  assert.ok(listed.ok);
  return listed.failures.filter((f) => f.subject.issueKey === issueKey && f.subject.kind === 'field');
}

/** A record the tool holds, as its created event carries it (the key is written back to it). */
function incident(fields: Record<string, unknown>): Record<string, unknown> {
  const all: Record<string, unknown> = { short_description: 'Checkout fails', priority: 'P2', state: 'new', ...fields };
  const { due_date: _due, ...stored } = all;
  const made = itsm.createRecord('incidents', stored);
  return { module: 'incidents', id: made.id, url: itsm.recordUrl('incidents', made.id), fields: all };
}

test('an update: Jira refuses the due date, the summary is applied, and a failure names the value and the mapping', async () => {
  const record = incident({});
  const made = await send('record.created', record);
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const key = String(made.body.issueKey);
  await tandem.emulator.settle();

  const answer = await send('record.updated', { ...record, fields: { short_description: 'Checkout fails for everyone', due_date: 'next week' } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(answer.body.applied, ['summary']);
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Checkout fails for everyone');

  const failures = await failuresOf(key);
  assert.equal(failures.length, 1, JSON.stringify(failures));
  const failure = failures[0];
  assert.ok(failure);
  assert.match(failure.explanation, /"next week"/, 'the value');
  assert.match(failure.explanation, /due_date → duedate/, 'the mapping to fix');
  assert.match(failure.explanation, /Mappings/);

  const activity = await admin<ActivityResponse>('getActivity', { issueKey: key });
  assert.ok(activity.ok);
  assert.ok(
    activity.entries.some((e) => e.details.some((d) => /duedate/.test(d) && /"next week"/.test(d) && /due_date → duedate/.test(d))),
    `the skip is in the activity log with the value and the fix: ${JSON.stringify(activity.entries)}`,
  );

  // The tool sends a date Jira takes: the field is applied and its failure is resolved.
  const fixed = await send('record.updated', { ...record, fields: { short_description: 'Checkout fails for everyone', due_date: '2026-12-24' } });
  assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
  assert.deepEqual(fixed.body.applied, ['duedate']);
  assert.equal((await failuresOf(key)).length, 0, 'the field’s failure is resolved');
});

test('Retry on a refused field applies the record’s value again', async () => {
  const record = incident({});
  const made = await send('record.created', record);
  const key = String(made.body.issueKey);
  await tandem.emulator.settle();
  await send('record.updated', { ...record, fields: { due_date: 'someday' } });
  const [failure] = await failuresOf(key);
  assert.ok(failure);
  const retried = await admin<RetryResponse>('retryFailure', { id: failure.id });
  assert.ok(retried.ok && retried.retried === 1, JSON.stringify(retried));
  await tandem.emulator.settle();
  const after = await failuresOf(key);
  assert.equal(after.length, 1, 'Jira refuses the same value again: still one failure');
  assert.equal(after[0]?.attempts, 2);
});

test('a create: Jira refuses the due date, the issue is made with the rest, and the field is kept as a failure', async () => {
  const made = await send('record.created', incident({ short_description: 'Made without its due date', due_date: 'soon' }));
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const key = String(made.body.issueKey);
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Made without its due date');
  const failures = await failuresOf(key);
  assert.equal(failures.length, 1, JSON.stringify(failures));
  assert.match(failures[0]?.explanation ?? '', /"soon".*due_date → duedate/);
});

test('a status Jira cannot reach is a visible skip with the tool’s value and the fix', async () => {
  const record = incident({});
  const made = await send('record.created', record);
  const key = String(made.body.issueKey);
  await tandem.emulator.settle();
  // on_hold asks for Blocked, which Support's workflow lacks.
  const answer = await send('record.updated', { ...record, fields: { state: 'on_hold' } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const activity = await admin<ActivityResponse>('getActivity', { issueKey: key });
  assert.ok(activity.ok);
  const entry = activity.entries.find((e) => e.details.some((d) => d.startsWith('status:')));
  assert.ok(entry, JSON.stringify(activity.entries));
  assert.equal(entry.outcome, 'skipped');
  assert.ok(entry.details.some((d) => /state "on_hold"/.test(d) && /Mappings/.test(d)), JSON.stringify(entry.details));
});

test('a tool value with no row in a table is a visible skip with the value and the fix', async () => {
  const record = incident({});
  const made = await send('record.created', record);
  const key = String(made.body.issueKey);
  await tandem.emulator.settle();
  const answer = await send('record.updated', { ...record, fields: { priority: 'P9' } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const activity = await admin<ActivityResponse>('getActivity', { issueKey: key });
  assert.ok(activity.ok);
  const entry = activity.entries.find((e) => e.details.some((d) => d.startsWith('priority:')));
  assert.ok(entry, JSON.stringify(activity.entries));
  assert.equal(entry.outcome, 'skipped');
  assert.ok(entry.details.some((d) => /"P9"/.test(d) && /Add the value on Mappings/.test(d)), JSON.stringify(entry.details));
});

/** What JQL finds by sync state once Jira's search has caught up with the writes so far. */
async function byState(state: string): Promise<string[]> {
  await tandem.searchCaughtUp();
  const found = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/search/jql', { jql: `tandemState = ${state}`, fields: ['summary'] });
  assert.equal(found.status, 200, JSON.stringify(found.body));
  return (found.body as { issues: Array<{ key: string }> }).issues.map((i) => i.key);
}

test('a field Jira refused makes the issue tandemState = failed in JQL; the value Jira takes makes it synced again', async () => {
  // No state: Support's workflow has no status of StackFlow's "new" either.
  const record = incident({ short_description: 'Refunds stuck', state: undefined });
  const key = String((await send('record.created', record)).body.issueKey);
  await tandem.emulator.settle();
  assert.ok((await byState('synced')).includes(key), 'in sync once made');
  await send('record.updated', { ...record, fields: { due_date: 'after the freeze' } });
  assert.ok((await byState('failed')).includes(key), 'failed while Jira refuses the due date');
  assert.ok(!(await byState('synced')).includes(key));
  await send('record.updated', { ...record, fields: { due_date: '2027-01-15' } });
  assert.ok(!(await byState('failed')).includes(key), 'no longer failed once the field is written');
  assert.ok((await byState('synced')).includes(key));
});

test('a status Jira cannot reach makes the issue failed in JQL; reaching a status later clears it once the issue’s refused field is written too', async () => {
  const record = incident({ short_description: 'Payroll export hangs', state: undefined });
  const key = String((await send('record.created', record)).body.issueKey);
  await tandem.emulator.settle();
  await send('record.updated', { ...record, fields: { state: 'on_hold', due_date: 'never' } });
  assert.ok((await byState('failed')).includes(key), 'failed: a status and a field were refused');
  await send('record.updated', { ...record, fields: { state: 'resolved' } });
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'Finished');
  assert.ok((await byState('failed')).includes(key), 'still failed: the status is resolved, the due date is not');
  await send('record.updated', { ...record, fields: { due_date: '2027-02-01' } });
  assert.ok((await byState('synced')).includes(key), 'synced once nothing of it is kept');
});

test('the issue’s Tandem panel lists a refused field and an unreachable status, each with its reason and its own Retry', async () => {
  const record = incident({});
  const made = await send('record.created', record);
  const key = String(made.body.issueKey);
  await tandem.emulator.settle();
  await send('record.updated', { ...record, fields: { due_date: 'after the freeze', state: 'on_hold' } });
  await tandem.emulator.settle();

  const onIssue = <T>(functionKey: string, payload: unknown = {}) =>
    tandem.emulator.invokeResolver({ moduleKey: 'tandem-issue-panel', functionKey, payload, accountId: tandem.agent.accountId, issueKey: key }) as Promise<T>;
  const view = await onIssue<IssueViewResponse>('getIssueSync');
  assert.ok(view.ok, JSON.stringify(view));
  const stackflow = view.connections.find((c) => c.connectionId === 'stackflow');
  assert.ok(stackflow);
  assert.equal(stackflow.state, 'failed');
  assert.match(stackflow.words, /Status, Field duedate did not sync; every other field did/);
  const parts = stackflow.partFailures ?? [];
  const due = parts.find((p) => p.what === 'Field duedate');
  const status = parts.find((p) => p.what === 'Status');
  assert.ok(due && status, JSON.stringify(parts));
  assert.match(due.words, /"after the freeze".*due_date → duedate/);
  assert.match(status.words, /reaches "Blocked"/);

  const retried = await onIssue<RetryOnIssueResponse>('retrySync', { failureId: due.failureId });
  assert.ok(retried.ok, JSON.stringify(retried));
  const after = await onIssue<IssueViewResponse>('getIssueSync');
  assert.ok(after.ok);
  const retrying = after.connections.find((c) => c.connectionId === 'stackflow')?.partFailures?.find((p) => p.what === 'Field duedate');
  assert.equal(retrying?.retrying, true, 'the retry is on its way');
  await tandem.emulator.settle();
  assert.equal((await failuresOf(key)).find((f) => f.subject.kind === 'field')?.attempts, 2, 'Jira refused the same value again');
});

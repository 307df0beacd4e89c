// Jira → tool under faults, where a request's outcome is unknown or its order is lost: what Tandem
// made in the tool is known as its own when the tool reports it, owed steps are done once the other
// side is back, and a delete is never undone by a create that was still waiting. Real simulator
// events through Tandem's triggers and queue, the reference ITSM, time moved by the virtual clock.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { signTandemRequest, type ReferenceItsm } from '../../devkit/external/itsm';
import { failureKey, failureSchema, failureSubjectKey, issueStateKey, readIssueState, syncLockKey } from '../../src/sync/state';
import { stored, type TandemOnDevkit } from '../support/devkit';
import {
  activities as activitiesOf,
  addComment,
  doc,
  keptFailures,
  now,
  onlyIncident as onlyIncidentOf,
  quiet as quietOf,
  startStackflow,
  until,
  userActor,
  type Change,
  type StackflowOnDevkit,
} from '../support/stackflow';

const TOKEN = 'itsm-token-convergence';
const INBOUND_SECRET = 'inbound-secret-convergence-77c1';
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
const agent = () => userActor(tandem.agent.accountId);
const toolEventsToTandem = () => stackflow.toolEventsToTandem();

async function createIssue(summary: string): Promise<{ id: string; key: string }> {
  const created = await tandem.rest(agent(), 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary, description: doc('First seen at 09:00'), priority: { name: 'High' } },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: string; key: string };
}

const comment = (key: string, text: string) => addComment(tandem, agent(), key, text);
const onlyIncident = (key: string) => onlyIncidentOf(itsm, key);
const quiet = () => quietOf(stackflow);
const activities = () => activitiesOf(tandem);

async function linked(label: string): Promise<{ id: string; key: string }> {
  const issue = await createIssue(`Linked ${label}`);
  await tandem.emulator.settle();
  onlyIncident(issue.key);
  return issue;
}

/** A linked pair on a connection whose newer change wins a conflict. */
async function linkedUnderNewestWins(label: string): Promise<{ issue: { id: string; key: string }; incident: ReturnType<typeof onlyIncident> }> {
  await useStackflow((c) => ({ ...c, options: { ...c.options, conflictPolicy: 'newest-wins' } }));
  const issue = await linked(label);
  return { issue, incident: onlyIncident(issue.key) };
}

// ---------------------------------------------------------------- mappings

test('an issue made from a tool record through a tool-to-Jira mapping stays linked when it is edited in Jira', async () => {
  await useStackflow((c) => ({ ...c, projects: c.projects.map((p) => (p.projectKey === 'OPS' ? { ...p, direction: 'tool-to-jira' as const } : p)) }));
  toolEventsToTandem();
  const record = itsm.createRecord('incidents', { short_description: 'Disk full on db-3', description: 'Since 02:00', priority: 'P2' });
  await quiet();
  const issue = tandem.jira.listIssues().find((i) => i.summary === 'Disk full on db-3');
  assert.ok(issue, 'the record became an issue');
  const from = itsm.requests.length;

  const answer = await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Disk full on db-3 (edited in Jira)' } });
  assert.equal(answer.status, 204);
  await quiet();
  assert.ok(readIssueState(await stored(tandem.emulator, issueStateKey(issue.id))).links.stackflow, 'the link is kept');
  const ended = (await activities()).filter((a) => /left the mapped projects/.test(a.summary));
  assert.deepEqual(ended, []);
  assert.deepEqual(itsm.requests.slice(from).filter((r) => r.method !== 'GET'), [], 'nothing goes to the tool through a tool-to-Jira mapping');

  // The record's later changes still reach the issue.
  itsm.updateRecord('incidents', record.id, { short_description: 'Disk full on db-3, cleaned up' });
  await quiet();
  assert.equal(tandem.jira.getIssue(issue.key)?.summary, 'Disk full on db-3, cleaned up');
});

// ---------------------------------------------------------------- identity after a lost answer

test('a work note made by the tool whose answer came too late is known as Tandem’s when the tool reports it: no second Jira comment', async () => {
  const issue = await linked('late note echo');
  const incident = onlyIncident(issue.key);
  toolEventsToTandem();
  itsm.setFaults({ latencyMs: 10_500 });
  await comment(issue.key, 'Restarted the pods');
  // The tool makes the note and reports it at once; its answer to Tandem comes after Tandem stopped waiting.
  await until(() => itsm.requests.some((r) => r.method === 'POST' && r.path === `/api/incidents/${incident.id}/work_notes`));
  await itsm.whenIdle();
  itsm.setFaults({});
  await quiet();

  const comments = tandem.jira.getIssue(issue.key)?.comments ?? [];
  assert.equal(comments.length, 1, JSON.stringify(comments.map((c) => c.body)));
  const notes = itsm.notes('incidents', incident.id);
  assert.equal(notes.length, 1, JSON.stringify(notes));
  assert.match(String(notes[0]?.body), /Restarted the pods/);
});

// ---------------------------------------------------------------- owed steps

test('a record that names an existing issue is linked, and the issue shows it as a remote link', async () => {
  // The issue is made while no mapping covers it, so it has no record yet.
  await useStackflow((c) => ({ ...c, projects: c.projects.filter((p) => p.projectKey !== 'OPS') }));
  const issue = await createIssue('Printer on floor 3 offline');
  await quiet();
  await useStackflow();
  toolEventsToTandem();
  const record = itsm.createRecord('incidents', { short_description: 'Printer on floor 3 offline', description: 'Reported by phone', priority: 'P3', jira_issue_key: issue.key });
  await quiet();

  assert.ok(readIssueState(await stored(tandem.emulator, issueStateKey(issue.id))).links.stackflow, 'the record is linked');
  const links = tandem.jira.getIssue(issue.key)?.remoteLinks ?? [];
  assert.deepEqual(
    links.map((l) => l.globalId),
    [`tandem:stackflow:incidents:${record.id}`],
  );
});

// ---------------------------------------------------------------- record creates whose answer was lost

/** The tool's event, sent to Tandem's web trigger now (late), signed as the tool signs it. */
async function deliverLate(entry: { body: string }): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tandem-signature': signTandemRequest(INBOUND_SECRET, entry.body, now() / 1000) },
    body: entry.body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * An issue whose record the tool makes without ever answering Tandem's create; the tool's
 * record.created for it is kept back (not sent), to be delivered late with deliverLate.
 */
async function createdWithAnswerLost(summary: string): Promise<{ issue: { id: string; key: string }; made: Array<{ id: string }>; event: { body: string } }> {
  itsm.setFaults({ mix: { timeoutAfter: 1 }, timeoutMs: null });
  const issue = await createIssue(summary);
  await tandem.emulator.settle();
  const made = itsm.records('incidents').filter((r) => r.short_description === summary);
  assert.equal(made.length, 1, 'the tool made the record');
  const event = itsm.outbox.find((e) => e.type === 'record.created' && e.event.record.id === made[0]?.id);
  assert.ok(event);
  return { issue, made, event };
}

test('a record Tandem made whose answer was lost is known as its own when the tool reports it late: no second issue or record, and newer Jira values stand', async () => {
  // The tool keeps no Jira key, so its events cannot name the issue: only what Tandem wrote before sending tells.
  await useStackflow((c) => ({ ...c, issueKeyField: '', issueUrlField: '' }));
  // The tool makes the record and never answers; its event is kept back, to arrive late.
  const { issue, event } = await createdWithAnswerLost('Payments API returns 502');

  // Jira moves on while the tool is unreachable.
  itsm.setFaults({ down: true });
  const edited = await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Payments API returns 502 for EU cards', priority: { name: 'Highest' } } });
  assert.equal(edited.status, 204);
  await tandem.emulator.settle();

  const late = await deliverLate(event);
  assert.ok(late.status < 300, JSON.stringify(late.body));
  itsm.setFaults({});
  await quiet();

  const issues = tandem.jira.listIssues().filter((i) => i.summary.startsWith('Payments API returns 502'));
  assert.deepEqual(issues.map((i) => i.key), [issue.key], 'no second Jira issue');
  assert.equal(issues[0]?.summary, 'Payments API returns 502 for EU cards');
  assert.equal(issues[0]?.priorityName, 'Highest');
  const records = itsm.records('incidents').filter((r) => r.short_description.startsWith('Payments API returns 502'));
  assert.equal(records.length, 1, 'no second record');
  assert.equal(records[0]?.short_description, 'Payments API returns 502 for EU cards');
  assert.equal(records[0]?.priority, 'P1');
});

test('a comment made while the record’s create had lost its answer reaches the record once the tool’s late event links it', async () => {
  // The tool makes the record and never answers; its record.created (naming the issue) is kept back.
  const { issue, made, event } = await createdWithAnswerLost('Search index lags by an hour');

  // Commented while no record is linked and no create is running: the comment waits for the link.
  itsm.setFaults({ down: true });
  await comment(issue.key, 'Reindex started on node 2');
  await tandem.emulator.settle();
  const late = await deliverLate(event);
  assert.ok(late.status < 300, JSON.stringify(late.body));
  itsm.setFaults({});
  await quiet();

  assert.equal(itsm.records('incidents').filter((r) => r.short_description === 'Search index lags by an hour').length, 1, 'no second record');
  const notes = itsm.notes('incidents', String(made[0]?.id));
  assert.deepEqual(notes.map((n) => /Reindex started on node 2/.test(String(n.body))), [true], JSON.stringify(notes));
});

test('a record create sent again after a status change in Jira: the tool’s late report of the record as first made never moves Jira back', async () => {
  // The first create fails; the record is made by the retry, which sends the create as first written down.
  itsm.setFaults({ status: 503 });
  const issue = await createIssue('Cache misses spike at noon');
  await tandem.emulator.settle();
  assert.deepEqual(itsm.records('incidents').filter((r) => r.short_description === 'Cache misses spike at noon'), []);
  itsm.setFaults({});
  // A person starts work on the issue; that change's delivery makes the record, then sends its state.
  const listed = await tandem.rest(agent(), 'GET', `/rest/api/3/issue/${issue.key}/transitions`);
  const start = (listed.body as { transitions: Array<{ id: string; to: { name: string } }> }).transitions.find((t) => t.to.name === 'In Progress');
  assert.ok(start);
  const moved = await tandem.rest(agent(), 'POST', `/rest/api/3/issue/${issue.key}/transitions`, { transition: { id: start.id } });
  assert.equal(moved.status, 204, JSON.stringify(moved.body));
  await quiet();
  const record = onlyIncident(issue.key);
  assert.equal(record.state, 'in_progress');

  // The tool's record.created, made with the create's state (new), reaches Tandem only now.
  const event = itsm.outbox.find((e) => e.type === 'record.created' && e.event.record.id === record.id);
  assert.ok(event);
  const late = await deliverLate(event);
  assert.ok(late.status < 300, JSON.stringify(late.body));
  await quiet();
  assert.equal(tandem.jira.getIssue(issue.key)?.statusName, 'In Progress', 'the person’s move stands');
  assert.equal(onlyIncident(issue.key).state, 'in_progress');
});

/** A person changes the incident's state in the tool; its event is kept back, to reach Tandem late. */
function changedInToolLate(incidentId: string, state: string): { body: string } {
  itsm.updateRecord('incidents', incidentId, { state });
  const event = itsm.outbox.findLast((e) => e.type === 'record.updated' && e.event.record.id === incidentId);
  assert.ok(event);
  return event;
}

/** Work starts in Jira; Tandem's send of in_progress gets no answer, the tool having taken it (`timeoutAfter`) or not (`timeoutBefore`). */
async function startedWithSendUnanswered(issueKey: string, fault: 'timeoutAfter' | 'timeoutBefore'): Promise<void> {
  itsm.setFaults({ mix: { [fault]: 1 }, timeoutMs: null });
  await tandem.transition(agent(), issueKey, 'In Progress');
  await tandem.emulator.settle();
  itsm.setFaults({});
}

/** The tool's kept-back event reaches Tandem, and everything settles. */
async function arrivesLate(event: { body: string }): Promise<void> {
  const late = await deliverLate(event);
  assert.ok(late.status < 300, JSON.stringify(late.body));
  await quiet();
}

test('a status sent again after its answer was lost never overwrites a newer state a person set in the tool meanwhile', async () => {
  // The tool's change is the later one: newest-wins lets it win the conflict with Jira's.
  const { issue, incident } = await linkedUnderNewestWins('state sent again');
  await startedWithSendUnanswered(issue.key, 'timeoutAfter');
  assert.equal(itsm.record('incidents', incident.id)?.state, 'in_progress');
  // A person puts the incident on hold in the tool before Tandem's retry.
  const onHold = changedInToolLate(incident.id, 'on_hold');
  await tandem.emulator.advance(60_000);
  assert.equal(itsm.record('incidents', incident.id)?.state, 'on_hold', 'the retry leaves the newer state alone');
  await arrivesLate(onHold);
  assert.equal(tandem.jira.getIssue(issue.key)?.statusName, 'Blocked', 'the tool’s newer state reaches Jira');
  assert.equal(itsm.record('incidents', incident.id)?.state, 'on_hold');
});

test('a Jira change whose delivery waited for a lock a crashed delivery left, while a person changed the same field in the tool: the delivery leaves the tool’s newer value, and it reaches Jira', async () => {
  const { issue, incident } = await linkedUnderNewestWins('late delivery');
  // A delivery of the issue crashed holding its lock, which lives out its 120 s.
  const lock = syncLockKey('stackflow', failureSubjectKey({ kind: 'issue', issueId: issue.id, issueKey: issue.key }));
  await tandem.emulator.kvs.handle('/api/v1/set', { key: lock, value: { at: new Date(now()).toISOString() }, options: { ttl: { value: 120, unit: 'SECONDS' } } });
  // A person renames the issue in Jira; its delivery waits for the lock.
  const renamed = await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Renamed in Jira first' } });
  assert.equal(renamed.status, 204);
  await tandem.emulator.advance(30_000);
  // Then a person renames the incident in the tool; its event is still on its way.
  itsm.updateRecord('incidents', incident.id, { short_description: 'Renamed in StackFlow later' });
  const later = itsm.outbox.findLast((e) => e.type === 'record.updated' && e.event.record.id === incident.id);
  assert.ok(later);
  await tandem.emulator.advance(180_000);
  await quiet();
  assert.equal(itsm.record('incidents', incident.id)?.short_description, 'Renamed in StackFlow later', 'the late delivery leaves the newer value alone');
  await arrivesLate(later);
  assert.equal(tandem.jira.getIssue(issue.key)?.summary, 'Renamed in StackFlow later', 'the tool’s newer value reaches Jira');
  assert.equal(itsm.record('incidents', incident.id)?.short_description, 'Renamed in StackFlow later');
});

test('a Jira change whose event was lost, sent with the next change’s delivery, while a person changed the same field in the tool since: that field is left to the tool’s newer value', async () => {
  const { issue, incident } = await linkedUnderNewestWins('lost event');
  // A person renames the issue in Jira; Forge loses the event.
  tandem.emulator.holdProductEvents();
  const renamed = await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Renamed in Jira first' } });
  assert.equal(renamed.status, 204);
  tandem.emulator.releaseProductEvents();
  await tandem.emulator.advance(30_000);
  // Then a person renames the incident in the tool; its event is still on its way.
  itsm.updateRecord('incidents', incident.id, { short_description: 'Renamed in StackFlow later' });
  const later = itsm.outbox.findLast((e) => e.type === 'record.updated' && e.event.record.id === incident.id);
  assert.ok(later);
  // The next change in Jira comes with an event at once; its delivery finds the older rename unsent.
  const reprioritised = await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { priority: { name: 'Highest' } } });
  assert.equal(reprioritised.status, 204);
  await tandem.emulator.settle();
  assert.equal(itsm.record('incidents', incident.id)?.priority, 'P1', 'the new change is sent');
  assert.equal(itsm.record('incidents', incident.id)?.short_description, 'Renamed in StackFlow later', 'the older rename does not overwrite the newer one');
  await arrivesLate(later);
  assert.equal(tandem.jira.getIssue(issue.key)?.summary, 'Renamed in StackFlow later', 'the tool’s newer value reaches Jira');
});

test('a tool change that lost its conflict to a newer Jira change, the record changed again since: Jira’s value still reaches the tool', async () => {
  const { issue, incident } = await linkedUnderNewestWins('lost conflict');
  // A person puts the incident on hold in the tool; its event is on its way.
  const onHold = changedInToolLate(incident.id, 'on_hold');
  await tandem.emulator.advance(5_000);
  // Later a person starts work in Jira; Forge loses that event, so nothing is sent yet.
  tandem.emulator.holdProductEvents();
  await tandem.transition(agent(), issue.key, 'In Progress');
  tandem.emulator.releaseProductEvents();
  await tandem.emulator.advance(5_000);
  // Later still, someone changes the incident's priority in the tool.
  itsm.updateRecord('incidents', incident.id, { priority: 'P1' });
  const reprioritised = itsm.outbox.findLast((e) => e.type === 'record.updated' && e.event.record.id === incident.id);
  assert.ok(reprioritised);
  // The hold arrives: Jira's start of work is newer, so it stands, and the tool is told.
  await arrivesLate(onHold);
  assert.equal(tandem.jira.getIssue(issue.key)?.statusName, 'In Progress');
  assert.equal(itsm.record('incidents', incident.id)?.state, 'in_progress', 'Jira’s newer state reaches the tool, though the record changed after it');
  await arrivesLate(reprioritised);
  assert.equal(tandem.jira.getIssue(issue.key)?.priorityName, 'Highest');
  assert.equal(itsm.record('incidents', incident.id)?.state, 'in_progress');
});

test('a status sent again after its answer was lost, whose retry cannot read the record first, is not sent blind: the person’s newer state in the tool stands', async () => {
  const { issue, incident } = await linkedUnderNewestWins('state read fails');
  await startedWithSendUnanswered(issue.key, 'timeoutAfter');
  const onHold = changedInToolLate(incident.id, 'on_hold');
  // The retry's read of the record loses its connection; a write would be made before it dropped.
  itsm.setFaults({ mix: { resetAfter: 1 } });
  await tandem.emulator.advance(5_000);
  itsm.setFaults({});
  await tandem.emulator.advance(60_000);
  assert.equal(itsm.record('incidents', incident.id)?.state, 'on_hold', 'the retry leaves the newer state alone');
  await arrivesLate(onHold);
  assert.equal(tandem.jira.getIssue(issue.key)?.statusName, 'Blocked', 'the tool’s newer state reaches Jira');
});

test('a status whose send never reached the tool, held back for a person’s change there that turns out older than Jira’s: Jira’s status is sent again once that change’s late event arrives', async () => {
  const { issue, incident } = await linkedUnderNewestWins('older tool change');
  const onHold = changedInToolLate(incident.id, 'on_hold');
  await tandem.emulator.advance(1_000);
  await startedWithSendUnanswered(issue.key, 'timeoutBefore');
  await tandem.emulator.advance(60_000);
  assert.equal(itsm.record('incidents', incident.id)?.state, 'on_hold', 'the retry cannot tell whose change is newer, and leaves it to the event');
  await arrivesLate(onHold);
  assert.equal(tandem.jira.getIssue(issue.key)?.statusName, 'In Progress', 'the older tool change does not move Jira');
  assert.equal(itsm.record('incidents', incident.id)?.state, 'in_progress', 'Jira’s newer status reaches the tool');
});

test('a state Tandem sent without an answer, which a person then put back as it was in the tool: the retry leaves it, and the person’s change reaches Jira', async () => {
  // The person's change is the later one: newest-wins lets it win.
  const { issue, incident } = await linkedUnderNewestWins('state put back');
  await startedWithSendUnanswered(issue.key, 'timeoutAfter');
  assert.equal(itsm.record('incidents', incident.id)?.state, 'in_progress');
  // A moment later a person puts the incident back to new in the tool.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const putBack = changedInToolLate(incident.id, 'new');
  await tandem.emulator.advance(60_000);
  assert.equal(itsm.record('incidents', incident.id)?.state, 'new', 'the retry leaves the person’s change alone');
  await arrivesLate(putBack);
  assert.equal(tandem.jira.getIssue(issue.key)?.statusName, 'To Do', 'the person’s change reaches Jira');
  assert.equal(itsm.record('incidents', incident.id)?.state, 'new');
});

test('a person’s change in the tool made while Tandem’s send was on its way carries the record as it was: its late event brings the change, and never the old state back to Jira', async () => {
  const { issue, incident } = await linkedUnderNewestWins('snapshot before the send');
  await startedWithSendUnanswered(issue.key, 'timeoutBefore');
  assert.equal(itsm.record('incidents', incident.id)?.state, 'new', 'the first send never reached the tool');
  // The retry reads the record before sending again; while that answer is on its way, a person renames
  // the incident. Their event carries the state as it was then (new), and is kept back.
  itsm.setFaults({ latencyMs: 800 });
  const from = itsm.requests.length;
  const retry = tandem.emulator.advance(60_000);
  await until(() => itsm.requests.slice(from).some((r) => r.method === 'GET' && r.path.endsWith(incident.id)));
  itsm.updateRecord('incidents', incident.id, { short_description: 'Renamed while Tandem sent' });
  const renamed = itsm.outbox.findLast((e) => e.type === 'record.updated' && e.event.record.id === incident.id);
  assert.ok(renamed);
  await retry;
  itsm.setFaults({});
  assert.equal(itsm.record('incidents', incident.id)?.state, 'in_progress', 'the retry sent the state');
  await arrivesLate(renamed);
  const now = tandem.jira.getIssue(issue.key);
  assert.equal(now?.summary, 'Renamed while Tandem sent', 'the person’s change reaches Jira');
  assert.equal(now?.statusName, 'In Progress', 'the state the event carries is older than Tandem’s send: Jira keeps its own');
  assert.equal(itsm.record('incidents', incident.id)?.state, 'in_progress');
});

test('two state changes in the tool whose events arrive newest first, the newest one changing nothing: the older one, late, never moves Jira', async () => {
  const { issue, incident } = await linkedUnderNewestWins('events reversed');
  // A person starts work in the tool, then puts the incident back to new; both events are on their way.
  const started = changedInToolLate(incident.id, 'in_progress');
  await tandem.emulator.advance(5_000);
  const putBack = changedInToolLate(incident.id, 'new');
  // The newer event comes first: the state it carries is the one already synced, so nothing changes.
  await arrivesLate(putBack);
  assert.equal(tandem.jira.getIssue(issue.key)?.statusName, 'To Do');
  // The older one comes 20 s later.
  await tandem.emulator.advance(20_000);
  await arrivesLate(started);
  assert.equal(tandem.jira.getIssue(issue.key)?.statusName, 'To Do', 'the older state does not come back');
  assert.equal(itsm.record('incidents', incident.id)?.state, 'new');
});

// ---------------------------------------------------------------- deletes in Jira win over creates still waiting

test('an issue deleted in Jira after its record’s create lost its answer: the record is closed, and the tool’s late event brings nothing back', async () => {
  // The tool makes the record and never answers; its record.created is kept back, to arrive late.
  const { issue, event } = await createdWithAnswerLost('Mail relay drops attachments');
  itsm.setFaults({});

  const deleted = await tandem.rest(agent(), 'DELETE', `/rest/api/3/issue/${issue.key}`);
  assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
  await quiet();
  const late = await deliverLate(event);
  assert.ok(late.status < 300, JSON.stringify(late.body));
  await quiet();

  assert.deepEqual(tandem.jira.listIssues().filter((i) => i.summary === 'Mail relay drops attachments').map((i) => i.key), [], 'the issue stays deleted');
  const records = itsm.records('incidents').filter((r) => r.short_description === 'Mail relay drops attachments');
  assert.equal(records.length, 1);
  assert.equal(records[0]?.state, 'closed', 'the record is closed, as the connection closes the record of a deleted issue');
});

test('an issue deleted in Jira before its waiting record create ran is never created in the tool', async () => {
  // Refused outright, so nothing was made; the create waits for its retry.
  itsm.setFaults({ status: 429, retryAfterSeconds: 30 });
  const issue = await createIssue('Badge readers offline in B2');
  await tandem.emulator.settle();
  const deleted = await tandem.rest(agent(), 'DELETE', `/rest/api/3/issue/${issue.key}`);
  assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
  itsm.setFaults({});
  await quiet();
  assert.deepEqual(itsm.records('incidents').filter((r) => r.short_description === 'Badge readers offline in B2'), []);
});

test('a Jira comment deleted before its work note was added never becomes a work note', async () => {
  const issue = await linked('comment deleted first');
  const incident = onlyIncident(issue.key);
  tandem.emulator.holdProductEvents();
  const id = await comment(issue.key, 'Paging the on-call DBA');
  const gone = await tandem.rest(agent(), 'DELETE', `/rest/api/3/issue/${issue.key}/comment/${id}`);
  assert.equal(gone.status, 204, JSON.stringify(gone.body));
  // Forge delivers the two events in the other order: the delete first, the create late.
  const held = tandem.emulator.releaseProductEvents();
  for (const event of [...held].reverse()) tandem.emulator.deliverProductEvent(event);
  await quiet();
  assert.deepEqual(itsm.notes('incidents', incident.id), []);
});

test('a comment’s create event arriving after its edit never puts the older text back on the work note', async () => {
  const issue = await linked('comment edited first');
  const incident = onlyIncident(issue.key);
  tandem.emulator.holdProductEvents();
  const id = await comment(issue.key, 'Failover to the standby at 10:02');
  // Edited a moment later, as a person would: Jira's updated tells the two texts apart.
  await tandem.emulator.advance(1_000);
  const edited = await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${issue.key}/comment/${id}`, { body: doc('Failover to the standby at 10:04') });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  // Forge delivers the edit first and the create late, once the edit's note is made.
  const held = tandem.emulator.releaseProductEvents();
  for (const event of [...held].reverse()) {
    tandem.emulator.deliverProductEvent(event);
    await quiet();
  }
  assert.deepEqual(
    itsm.notes('incidents', incident.id).map((n) => String(n.body).split('\n').pop()),
    ['Failover to the standby at 10:04'],
  );
});

// ---------------------------------------------------------------- no delivery stalls

test('a retry for a connection turned off meanwhile is not left saying it will try again: the failure is kept, with why', async () => {
  itsm.setFaults({ status: 503 });
  const issue = await createIssue('VPN drops every hour');
  await tandem.emulator.settle();
  const key = failureKey('stackflow', failureSubjectKey({ kind: 'issue', issueId: issue.id, issueKey: issue.key }));
  assert.ok(failureSchema.parse(await stored(tandem.emulator, key)).nextAttemptAt, 'retrying');
  await useStackflow((c) => ({ ...c, enabled: false }));
  itsm.setFaults({});
  await tandem.emulator.drain();

  const failure = failureSchema.parse(await stored(tandem.emulator, key));
  assert.equal(failure.nextAttemptAt, undefined, 'no next try is announced that will never come');
  assert.match(failure.explanation, /turned off/);
  assert.deepEqual(itsm.records('incidents').filter((r) => r.short_description === 'VPN drops every hour'), []);
});

test('deliveries waiting for locks their crashed holders left go through once the locks expire, without spending Forge’s queue limit', async () => {
  const issues: Array<{ id: string; key: string }> = [];
  for (let i = 0; i < 25; i++) issues.push(await createIssue(`Lock wait ${i}`));
  await tandem.emulator.settle();
  // Each issue's delivery lock is left by a delivery that crashed (it lives out its 120 s).
  for (const issue of issues) {
    const lock = syncLockKey('stackflow', failureSubjectKey({ kind: 'issue', issueId: issue.id, issueKey: issue.key }));
    await tandem.emulator.kvs.handle('/api/v1/set', { key: lock, value: { at: new Date().toISOString() }, options: { ttl: { value: 120, unit: 'SECONDS' } } });
  }
  for (const issue of issues) {
    const edited = await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: `Lock wait ${issue.key} (edited)` } });
    assert.equal(edited.status, 204);
  }
  await tandem.emulator.advance(180_000);
  await quiet();

  for (const issue of issues) assert.equal(onlyIncident(issue.key).short_description, `Lock wait ${issue.key} (edited)`);
  const ours = (await keptFailures(tandem)).map((e) => failureSchema.parse((e as { value: unknown }).value)).filter((f) => issues.some((i) => i.key === f.subject.issueKey));
  assert.deepEqual(ours, [], 'nothing kept for the admin');
});

test('a delivery killed while holding its lock is finished by the platform’s retry at once, not after the lock runs out', async () => {
  const issue = await linked('killed holder');
  tandem.emulator.crashes.set({ next: 1 });
  const edited = await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Killed holder (edited)' } });
  assert.equal(edited.status, 204);
  // Well inside the lock's 120 s: only the retry that takes over its own lock is done by then.
  await tandem.emulator.advance(15_000);
  tandem.emulator.crashes.clear();
  assert.equal(tandem.emulator.crashes.crashed.length, 1, 'the delivery was killed after the tool took the change');
  assert.equal(onlyIncident(issue.key).short_description, 'Killed holder (edited)');
  await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Killed holder (again)' } });
  await tandem.emulator.advance(15_000);
  assert.equal(onlyIncident(issue.key).short_description, 'Killed holder (again)', 'the next change is not held up behind the dead delivery’s lock');
});

test('a field edit reaches the tool in at most six platform calls, and leaves its issue free for the next delivery', async () => {
  const issue = await linked('call count');
  const before = itsm.requests.length;
  tandem.emulator.calls.reset();
  await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Call count (edited)' } });
  await tandem.emulator.settle();
  const calls = tandem.emulator.calls;
  const total = calls.total(calls.jira) + calls.total(calls.kvs) + (itsm.requests.length - before);
  assert.equal(onlyIncident(issue.key).short_description, 'Call count (edited)');
  assert.ok(total <= 6, `${total} calls: ${JSON.stringify(calls.snapshot())}`);
  const lock = syncLockKey('stackflow', failureSubjectKey({ kind: 'issue', issueId: issue.id, issueKey: issue.key }));
  assert.equal(await stored(tandem.emulator, lock), undefined, 'the sync lock is released');
});

test('a comment reaches the tool as a work note in at most six storage calls, and leaves the comment free for its next edit', async () => {
  const issue = await linked('comment count');
  const record = onlyIncident(issue.key);
  tandem.emulator.calls.reset();
  const added = await comment(issue.key, 'Counted once');
  await tandem.emulator.settle();
  const calls = tandem.emulator.calls;
  assert.ok(itsm.notes('incidents', String(record.id)).some((n) => n.body.includes('Counted once')), 'the note is on the record');
  assert.ok(calls.total(calls.kvs) <= 6, `${calls.total(calls.kvs)} storage calls: ${JSON.stringify(calls.snapshot().kvs)}`);
  const lock = syncLockKey('stackflow', failureSubjectKey({ kind: 'comment', issueId: issue.id, issueKey: issue.key, commentId: added }));
  assert.equal(await stored(tandem.emulator, lock), undefined, 'the comment’s sync lock is released');
});

test('an issue deleted in Jira while a delivery of it holds its lock is closed in the tool only once that delivery is done', async () => {
  const issue = await linked('deleted under lock');
  const lock = syncLockKey('stackflow', failureSubjectKey({ kind: 'issue', issueId: issue.id, issueKey: issue.key }));
  await tandem.emulator.kvs.handle('/api/v1/set', { key: lock, value: { at: new Date().toISOString() }, options: { ttl: { value: 120, unit: 'SECONDS' } } });
  const removed = await tandem.rest(agent(), 'DELETE', `/rest/api/3/issue/${issue.key}`);
  assert.ok(removed.status < 300, JSON.stringify(removed.body));
  await tandem.emulator.settle();
  assert.notEqual(onlyIncident(issue.key).state, 'closed', 'nothing is closed while the issue’s delivery runs');
  await tandem.emulator.kvs.handle('/api/v1/delete', { key: lock });
  await tandem.emulator.advance(150_000);
  assert.equal(onlyIncident(issue.key).state, 'closed');
});

test('a record create killed after the tool made the record is finished by the platform’s retry at once: one record, linked', async () => {
  tandem.emulator.crashes.set({ next: 1 });
  const issue = await createIssue('Killed create');
  await tandem.emulator.advance(10_000);
  tandem.emulator.crashes.clear();
  assert.ok(tandem.emulator.crashes.crashed.length >= 1, 'the create was killed after the tool made the record');
  const record = onlyIncident(issue.key);
  // Well inside the create lock's 120 s: only the retry that takes over its own lock is done by then.
  assert.equal(readIssueState(await stored(tandem.emulator, issueStateKey(issue.id))).links.stackflow?.externalId, record.id);
});

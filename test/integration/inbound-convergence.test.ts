// Tool → Jira under faults: events that arrive late, twice or out of order never bring back what was
// deleted, never make a second copy of what Tandem made itself, and never undo a newer value.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReferenceItsm } from '../../devkit/external/itsm';
import { noteIntentWrite, readToolNote, toolNoteKey } from '../../src/sync/notes';
import { failureSubjectKey, recordIndexKey, recordIndexSchema, syncLockKey } from '../../src/sync/state';
import { stored, type TandemOnDevkit } from '../support/devkit';
import { createdFromTool, incident, now, sendSigned, startStackflow, toolEvent, userActor, type Change, type InboundAnswer, type StackflowOnDevkit } from '../support/stackflow';

const SECRET = 'inbound-secret-for-convergence-7d1e';
const TOKEN = 'itsm-token-convergence';
const jiraWins: Change = (c) => ({ ...c, options: { ...c.options, conflictPolicy: 'jira-wins' } });
let stackflow: StackflowOnDevkit;
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;

before(async () => {
  stackflow = await startStackflow({ token: TOKEN, inboundSecret: SECRET, base: jiraWins });
  ({ tandem, itsm } = stackflow);
});

after(() => stackflow.stop());

beforeEach(() => stackflow.reset());

const send = (body: unknown): Promise<InboundAnswer> => sendSigned(stackflow.inboundUrl, SECRET, body);
const event = toolEvent;
const created = (fields: Record<string, unknown> = {}) => createdFromTool(stackflow, SECRET, fields);

/**
 * Jira answers 429 to the one POST `picks` chooses (it sees each in turn until then), as when the
 * site's rate limit catches it; `refused` says how many were. Undone by `restore`.
 */
function jiraRefusesOnce(picks: (path: string) => boolean, retryAfterSeconds: number): { refused: () => number; restore: () => void } {
  const jira = tandem.jira;
  const handle = jira.handle.bind(jira);
  let refused = 0;
  jira.handle = async (request) => {
    if (request.method.toUpperCase() === 'POST' && refused === 0 && picks(request.path)) {
      refused += 1;
      jira.rateLimit.set({ kind: '429', retryAfterSeconds });
      try {
        return await handle(request);
      } finally {
        jira.rateLimit.clear();
      }
    }
    return handle(request);
  };
  return { refused: () => refused, restore: () => (jira.handle = handle) };
}

/** A StackFlow incident made in the tool and sent to Tandem (its record.created a few seconds old): the issue made for it. */
async function linkedIncident(summary: string): Promise<{ made: { id: string }; record: { module: string; id: string; number: string; url: string; fields: Record<string, unknown> }; key: string }> {
  const made = itsm.createRecord('incidents', { short_description: summary, priority: 'P3' });
  const record = { module: 'incidents', id: made.id, number: made.number, url: itsm.recordUrl('incidents', made.id), fields: { short_description: made.short_description, priority: made.priority, state: made.state } };
  const answer = await send(event('record.created', record, {}, new Date(now() - 4_000)));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  await tandem.emulator.settle();
  return { made, record, key: String(answer.body.issueKey) };
}

test('a note deleted in the tool whose create arrives after the delete never becomes a Jira comment', async () => {
  const { record, key } = await created();
  const comment = { id: 'late-note', author: { name: 'Nia Ops' }, body: 'Rolled back the deploy' };
  const deleted = await send(event('comment.deleted', record, { comment: { id: comment.id } }));
  assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
  const late = await send(event('comment.created', record, { comment }, new Date(now() - 5_000)));
  assert.equal(late.status, 200, JSON.stringify(late.body));
  assert.equal(tandem.jira.getIssue(key)?.comments.length, 0);
});

test('a note edited in the tool whose create or older edit arrives late never puts the older text back', async () => {
  const { record, key } = await created();
  const note = { id: 'edited-note', author: { name: 'Nia Ops' } };
  const made = await send(event('comment.created', record, { comment: { ...note, body: 'Rolled back the deploy' } }, new Date(now() - 6_000)));
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const edited = await send(event('comment.updated', record, { comment: { ...note, body: 'Rolled back the deploy, then the config' } }, new Date(now() - 2_000)));
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  // The create again (a duplicate queued behind a 429), then an edit made between the two.
  for (const [body, ago] of [['Rolled back the deploy', 6_000], ['Rolled back the deploy, then', 4_000]] as const) {
    const late = await send(event(ago === 6_000 ? 'comment.created' : 'comment.updated', record, { comment: { ...note, body } }, new Date(now() - ago)));
    assert.equal(late.status, 200, JSON.stringify(late.body));
  }
  const comments = tandem.jira.getIssue(key)?.comments ?? [];
  assert.equal(comments.length, 1);
  assert.match(JSON.stringify(comments[0]?.body), /then the config/);
});

test('a record deleted in the tool before its queued create ran never becomes a Jira issue', async () => {
  await stackflow.configure((c) => ({ ...c, inbound: { auth: 'hmac', onToolDelete: 'delete', createDefaults: {} } }));
  const record = incident();
  const before = tandem.jira.listIssues().length;
  const deleted = await send(event('record.deleted', { module: record.module, id: record.id }));
  assert.equal(deleted.status, 404, JSON.stringify(deleted.body));
  const late = await send(event('record.created', record, {}, new Date(now() - 5_000)));
  assert.equal(late.status, 200, JSON.stringify(late.body));
  assert.equal(tandem.jira.listIssues().length, before);
  const update = await send(event('record.updated', { ...record, fields: { priority: 'P1' } }, {}, new Date(now() - 4_000)));
  assert.equal(update.status, 200, JSON.stringify(update.body));
  assert.equal(tandem.jira.listIssues().length, before);
});

test("a work note Tandem sent whose answer was lost is known as Tandem's when the tool reports it", async () => {
  const { record, key } = await created();
  const issue = tandem.jira.getIssue(key);
  assert.ok(issue);
  const body = `**Ada Admin** commented on ${key} in Jira:\n\nThe pods restarted`;
  // What outbound writes before it sends the note.
  const intent = noteIntentWrite('stackflow', String(record.id), body, { jiraCommentId: '10500', issueId: issue.id });
  assert.ok('value' in intent);
  await tandem.emulator.kvs.handle('/api/v1/set', { key: intent.key, value: intent.value });
  const echoed = await send(event('comment.created', record, { comment: { id: 'made-by-tandem', author: { name: 'Integration User' }, body } }));
  assert.equal(echoed.status, 200, JSON.stringify(echoed.body));
  assert.equal(echoed.body.status, 'unchanged');
  assert.equal(tandem.jira.getIssue(key)?.comments.length, 0, 'no second Jira comment');
  const edited = await send(event('comment.updated', record, { comment: { id: 'made-by-tandem', author: { name: 'Integration User' }, body: `${body} again` } }));
  assert.equal(edited.status, 200);
  assert.equal(tandem.jira.getIssue(key)?.comments.length, 0, 'an edit of that note changes Jira nothing either');
});

test('a change from the tool older than the value last synced never overwrites it', async () => {
  const { record, key } = await created({ priority: 'P2' });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const at = now();
  const newer = await send(event('record.updated', { ...record, fields: { ...(record.fields as object), priority: 'P1' } }, {}, new Date(at)));
  assert.equal(newer.status, 200, JSON.stringify(newer.body));
  const priorityNow = tandem.jira.getIssue(key)?.priorityName;
  assert.notEqual(priorityNow, 'High');
  // Made before the P1 change, queued behind a 429 and applied after it.
  const late = await send(event('record.updated', { ...record, fields: { ...(record.fields as object), priority: 'P3', short_description: 'Checkout fails for some' } }, {}, new Date(at - 20)));
  assert.equal(late.status, 200, JSON.stringify(late.body));
  assert.equal(tandem.jira.getIssue(key)?.priorityName, priorityNow, 'the newer priority stands');
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Checkout fails for some', 'a field nothing changed since applies');
});

test('a late record.created for the record Tandem made never undoes a later Jira change', async () => {
  const asAgent = { kind: 'user' as const, accountId: tandem.agent.accountId };
  // The tool made the record but Tandem never heard (the tool is unreachable from here on).
  itsm.setFaults({ down: true });
  const made = await tandem.rest(asAgent, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Search is slow', priority: { name: 'Medium' } } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const { key } = made.body as { key: string };
  const recordMadeAt = new Date(now() - 2_000);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const edited = await tandem.rest(asAgent, 'PUT', `/rest/api/3/issue/${key}`, { fields: { summary: 'Search is very slow', priority: { name: 'Highest' } } });
  assert.ok(edited.status < 300, JSON.stringify(edited.body));
  const record = { ...incident({ short_description: 'Search is slow', priority: 'P3', description: null }), jiraIssueKey: key };
  const late = await send(event('record.created', record, {}, recordMadeAt));
  assert.equal(late.status, 200, JSON.stringify(late.body));
  const issue = tandem.jira.getIssue(key);
  assert.equal(issue?.summary, 'Search is very slow');
  assert.equal(issue?.priorityName, 'Highest');
  itsm.setFaults({});
});

test('a tool change waits while a delivery of the same issue to the tool holds its sync lock', async () => {
  const { record, key } = await created();
  const issue = tandem.jira.getIssue(key);
  assert.ok(issue);
  const lock = syncLockKey('stackflow', failureSubjectKey({ kind: 'issue', issueId: issue.id, issueKey: key }));
  await tandem.emulator.kvs.handle('/api/v1/set', { key: lock, value: { at: new Date().toISOString() } });
  const busy = await send(event('record.updated', { ...record, fields: { ...(record.fields as object), short_description: 'Checkout fails on Safari' } }));
  assert.equal(busy.status, 202, JSON.stringify(busy.body));
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Checkout fails', 'nothing written while the delivery runs');
  await tandem.emulator.kvs.handle('/api/v1/delete', { key: lock });
  await tandem.emulator.advance(30_000);
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Checkout fails on Safari', 'applied once the delivery is done');
});

test('a new issue whose remote link Jira refused for now gets it with the next delivery', async () => {
  const refusal = jiraRefusesOnce((path) => path.includes('/remotelink'), 2);
  try {
    const record = incident();
    const answer = await send(event('record.created', record));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(refusal.refused(), 1);
    await tandem.emulator.advance(60_000);
    const issue = tandem.jira.getIssue(String(answer.body.issueKey));
    assert.deepEqual(issue?.remoteLinks.map((l) => l.globalId), [`tandem:stackflow:incidents:${String(record.id)}`]);
  } finally {
    refusal.restore();
  }
});

test('a tool change that finds its Jira issue deleted closes the record, as the issue-deleted event would', async () => {
  const made = itsm.createRecord('incidents', { short_description: 'Disk full on db-2', priority: 'P2' });
  const record = { module: 'incidents', id: made.id, number: made.number, url: itsm.recordUrl('incidents', made.id), fields: { short_description: made.short_description, priority: made.priority, state: made.state } };
  const answer = await send(event('record.created', record));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  await tandem.emulator.settle();
  const key = String(answer.body.issueKey);
  // The issue is deleted in Jira; its issue-deleted event is late (Forge may deliver it after anything else).
  tandem.emulator.holdProductEvents();
  const asAgent = { kind: 'user' as const, accountId: tandem.agent.accountId };
  const removed = await tandem.rest(asAgent, 'DELETE', `/rest/api/3/issue/${key}`);
  assert.ok(removed.status < 300, JSON.stringify(removed.body));
  const update = await send(event('record.updated', { ...record, fields: { ...record.fields, priority: 'P1' } }));
  assert.equal(update.status, 404, JSON.stringify(update.body));
  await tandem.emulator.advance(30_000);
  assert.equal(itsm.record('incidents', made.id)?.state, 'closed', "the connection's delete behaviour (close) applies to the record");
  // The late event finds the link already ended: nothing more happens to the record.
  for (const late of tandem.emulator.releaseProductEvents()) tandem.emulator.deliverProductEvent(late);
  await tandem.emulator.advance(30_000);
  assert.equal(itsm.record('incidents', made.id)?.state, 'closed');
});

/** Holds the pair's sync lock, as a delivery of the issue to the tool does while it runs. */
async function holdSyncLock(key: string): Promise<() => Promise<void>> {
  const issue = tandem.jira.getIssue(key);
  assert.ok(issue);
  const lock = syncLockKey('stackflow', failureSubjectKey({ kind: 'issue', issueId: issue.id, issueKey: key }));
  await tandem.emulator.kvs.handle('/api/v1/set', { key: lock, value: { at: new Date().toISOString() } });
  return async () => {
    await tandem.emulator.kvs.handle('/api/v1/delete', { key: lock });
  };
}

test('a tool comment waits while a delivery of the same issue to the tool holds its sync lock', async () => {
  const { record, key } = await created();
  const release = await holdSyncLock(key);
  const busy = await send(event('comment.created', record, { comment: { id: 'note-under-lock', author: { name: 'Nia Ops' }, body: 'Restarted the pods' } }));
  assert.equal(busy.status, 202, JSON.stringify(busy.body));
  assert.equal(tandem.jira.getIssue(key)?.comments.length, 0, 'nothing written while the delivery runs');
  await release();
  await tandem.emulator.advance(30_000);
  assert.equal(tandem.jira.getIssue(key)?.comments.length, 1, 'added once the delivery is done');
});

test('a tool comment outlasts deliveries of its issue holding the sync lock one after another for five minutes (crashed holders, each lock living out its TTL): it is added then, not kept as failed', async () => {
  const { record, key } = await created();
  const release = await holdSyncLock(key);
  const busy = await send(event('comment.created', record, { comment: { id: 'note-long-wait', author: { name: 'Nia Ops' }, body: 'Drained the node' } }));
  assert.equal(busy.status, 202, JSON.stringify(busy.body));
  await tandem.emulator.advance(5 * 60_000);
  assert.equal(tandem.jira.getIssue(key)?.comments.length, 0, 'nothing written while the lock is held');
  await release();
  await tandem.emulator.advance(20 * 60_000);
  assert.equal(tandem.jira.getIssue(key)?.comments.length, 1, 'added once the lock is free');
  assert.equal(Object.keys(tandem.emulator.kvs.entries().kv).filter((k) => k.startsWith('inbound-failed:')).length, 0, 'no event kept as failed');
});

test('a record deleted in the tool waits while a delivery of its issue holds the sync lock', async () => {
  await stackflow.configure((c) => ({ ...c, inbound: { auth: 'hmac', onToolDelete: 'delete', createDefaults: {} } }));
  const { record, key } = await created();
  const release = await holdSyncLock(key);
  const busy = await send(event('record.deleted', { module: record.module, id: record.id }));
  assert.equal(busy.status, 202, JSON.stringify(busy.body));
  assert.ok(tandem.jira.getIssue(key), 'the issue stays while the delivery runs');
  await release();
  await tandem.emulator.advance(30_000);
  assert.equal(tandem.jira.getIssue(key), undefined, 'deleted once the delivery is done');
});

test('a record naming its issue is linked only once a delivery of that issue has let go of the sync lock', async () => {
  const asAgent = { kind: 'user' as const, accountId: tandem.agent.accountId };
  itsm.setFaults({ down: true });
  const made = await tandem.rest(asAgent, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Login loops' } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const { key } = made.body as { key: string };
  await tandem.emulator.settle();
  const release = await holdSyncLock(key);
  const base = incident({ short_description: 'Login loops' });
  const record = { ...base, jiraIssueKey: key };
  const busy = await send(event('record.created', record));
  assert.equal(busy.status, 202, JSON.stringify(busy.body));
  assert.equal(tandem.emulator.kvs.entries().kv[recordIndexKey('stackflow', 'incidents', String(base.id))], undefined, 'not linked while the delivery runs');
  await release();
  // The tool stays out of reach, so nothing but the queued event can link the issue.
  await tandem.emulator.advance(30_000);
  const linked = recordIndexSchema.parse(tandem.emulator.kvs.entries().kv[recordIndexKey('stackflow', 'incidents', String(base.id))]);
  assert.deepEqual({ issueId: linked.issueId, issueKey: linked.issueKey }, { issueId: tandem.jira.getIssue(key)?.id, issueKey: key }, 'linked once the delivery is done');
  itsm.setFaults({});
});

test("a record.created that Jira rate-limits after the issue was made still moves the status and writes the issue's key back to the record", async () => {
  // The new issue is made and linked; then Jira answers 429 to its first transition.
  const refusal = jiraRefusesOnce((path) => path.endsWith('/transitions'), 2);
  try {
    const made = itsm.createRecord('incidents', { short_description: 'Queue backs up', priority: 'P2', state: 'in_progress' });
    const record = { module: 'incidents', id: made.id, number: made.number, url: itsm.recordUrl('incidents', made.id), fields: { short_description: made.short_description, priority: made.priority, state: made.state } };
    const answer = await send(event('record.created', record));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.equal(refusal.refused(), 1);
    await tandem.emulator.advance(60_000);
    const issue = tandem.jira.listIssues().find((i) => i.summary === 'Queue backs up');
    assert.ok(issue, 'one issue made');
    assert.equal(tandem.jira.listIssues().filter((i) => i.summary === 'Queue backs up').length, 1);
    assert.equal(issue.statusName, 'In Progress', 'the status the retry found owed is moved');
    assert.equal(itsm.record('incidents', made.id)?.jira_issue_key, issue.key, "the issue's key is written back to the record");
  } finally {
    refusal.restore();
  }
});

test('a tool comment on a record whose record.created waits for Jira is queued, and lands on the issue once it is made', async () => {
  const made = itsm.createRecord('incidents', { short_description: 'Cache misses spike', priority: 'P2' });
  const record = { module: 'incidents', id: made.id, number: made.number, url: itsm.recordUrl('incidents', made.id), fields: { short_description: made.short_description, priority: made.priority, state: 'new' } };
  tandem.jira.rateLimit.set({ kind: '429', retryAfterSeconds: 2 });
  const queued = await send(event('record.created', record));
  tandem.jira.rateLimit.clear();
  assert.equal(queued.status, 202, JSON.stringify(queued.body));
  const comment = await send(event('comment.created', { module: record.module, id: record.id }, { comment: { id: 'early-note', author: { name: 'Nia Ops' }, body: 'Flushed the cache' } }));
  assert.equal(comment.status, 202, JSON.stringify(comment.body));
  await tandem.emulator.advance(60_000);
  const issues = tandem.jira.listIssues().filter((i) => i.summary === 'Cache misses spike');
  assert.equal(issues.length, 1);
  const comments = tandem.jira.getIssue(issues[0]?.key ?? '')?.comments ?? [];
  assert.equal(comments.length, 1, 'the note became one Jira comment');
});

test('a tool comment for an issue deleted in Jira is a visible skip, and the record gets the delete behaviour', async () => {
  const made = itsm.createRecord('incidents', { short_description: 'Printer on fire', priority: 'P2' });
  const record = { module: 'incidents', id: made.id, number: made.number, url: itsm.recordUrl('incidents', made.id), fields: { short_description: made.short_description, priority: made.priority, state: made.state } };
  const linked = await send(event('record.created', record));
  assert.equal(linked.status, 200, JSON.stringify(linked.body));
  await tandem.emulator.settle();
  const key = String(linked.body.issueKey);
  tandem.emulator.holdProductEvents();
  const removed = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'DELETE', `/rest/api/3/issue/${key}`);
  assert.ok(removed.status < 300, JSON.stringify(removed.body));
  const answer = await send(event('comment.created', record, { comment: { id: 'note-on-gone', author: { name: 'Nia Ops' }, body: 'Still broken' } }));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.status, 'unchanged');
  await tandem.emulator.advance(30_000);
  assert.equal(itsm.record('incidents', made.id)?.state, 'closed', "the connection's delete behaviour (close) applies to the record");
  for (const late of tandem.emulator.releaseProductEvents()) tandem.emulator.deliverProductEvent(late);
  await tandem.emulator.advance(30_000);
});

test('a record.created whose status move Jira refused for now never undoes a status a person set before its retry', async () => {
  const refusal = jiraRefusesOnce((path) => path.endsWith('/transitions'), 2);
  const jira = tandem.jira;
  try {
    const record = incident({ state: 'resolved' });
    const earlier = new Set(jira.listIssues().map((i) => i.key));
    const first = await send(event('record.created', record));
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.equal(refusal.refused(), 1);
    const issue = jira.listIssues().find((i) => !earlier.has(i.key));
    assert.ok(issue, 'the issue was made before Jira refused the move');
    // A person moves the issue on before the event's retry runs.
    const asAgent = { kind: 'user' as const, accountId: tandem.agent.accountId };
    const listed = await tandem.rest(asAgent, 'GET', `/rest/api/3/issue/${issue.key}/transitions`);
    const start = (listed.body as { transitions: Array<{ id: string; to: { name: string } }> }).transitions.find((t) => t.to.name === 'In Progress');
    assert.ok(start);
    const moved = await tandem.rest(asAgent, 'POST', `/rest/api/3/issue/${issue.key}/transitions`, { transition: { id: start.id } });
    assert.equal(moved.status, 204, JSON.stringify(moved.body));
    await tandem.emulator.advance(30_000);
    assert.equal(jira.getIssue(issue.key)?.statusName, 'In Progress', "the person's later move stands");
  } finally {
    refusal.restore();
  }
});

test('a status walk Jira stopped part way is never sent to the tool, and a newer state from the tool applies over it', async () => {
  const jira = tandem.jira;
  const { made, record, key } = await linkedIncident('Queue backlog on worker-4');
  assert.equal(jira.getIssue(key)?.statusName, 'To Do');

  // On hold is Blocked, two transitions away (To Do → In Progress → Blocked): Jira answers the second with 429.
  let transitions = 0;
  const refusal = jiraRefusesOnce((path) => path.endsWith('/transitions') && ++transitions === 2, 20);
  try {
    const onHold = await send(event('record.updated', { ...record, fields: { ...record.fields, state: 'on_hold' } }, {}, new Date(now() - 2_000)));
    assert.equal(onHold.status, 202, JSON.stringify(onHold.body));
    assert.equal(jira.getIssue(key)?.statusName, 'In Progress', 'stopped on the way');
    // A person's edit in Jira meanwhile: its delivery reads the whole issue, In Progress included,
    // and waits for its retry while the tool is down.
    itsm.setFaults({ status: 503 });
    const edited = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'PUT', `/rest/api/3/issue/${key}`, { fields: { summary: 'Queue backlog on worker-4 and worker-5' } });
    assert.equal(edited.status, 204, JSON.stringify(edited.body));
    await tandem.emulator.settle();
    // The tool moves the record back to new before the walk's retry.
    itsm.updateRecord('incidents', made.id, { state: 'new' });
    const current = itsm.record('incidents', made.id);
    assert.ok(current);
    const back = await send(event('record.updated', { ...record, fields: { short_description: current.short_description, priority: current.priority, state: current.state } }));
    assert.ok(back.status < 300, JSON.stringify(back.body));
    itsm.setFaults({});
    await tandem.emulator.advance(60_000);
  } finally {
    refusal.restore();
  }
  assert.equal(jira.getIssue(key)?.statusName, 'To Do', "the tool's last state stands in Jira");
  assert.equal(itsm.record('incidents', made.id)?.short_description, 'Queue backlog on worker-4 and worker-5');
  assert.equal(itsm.record('incidents', made.id)?.state, 'new', 'no status Tandem passed through is sent to the tool');
});

test('a status walk cut short while Tandem’s own send of the status is unanswered: the retry of that send never carries the step on the way', async () => {
  // The tool's change is the newer one, and wins.
  await stackflow.configure((c) => ({ ...c, options: { ...c.options, conflictPolicy: 'newest-wins' } }));
  const jira = tandem.jira;
  const { made, record, key } = await linkedIncident('Nightly export stalls');
  const asAgent = { kind: 'user' as const, accountId: tandem.agent.accountId };

  // A person starts work in Jira; Tandem's send of in_progress gets no answer and the tool never made it.
  itsm.setFaults({ mix: { timeoutBefore: 1 }, timeoutMs: null });
  const listed = await tandem.rest(asAgent, 'GET', `/rest/api/3/issue/${key}/transitions`);
  const start = (listed.body as { transitions: Array<{ id: string; to: { name: string } }> }).transitions.find((t) => t.to.name === 'In Progress');
  assert.ok(start);
  assert.equal((await tandem.rest(asAgent, 'POST', `/rest/api/3/issue/${key}/transitions`, { transition: { id: start.id } })).status, 204);
  await tandem.emulator.settle();
  itsm.setFaults({ status: 503 });

  // Closed in the tool: In Progress → Done → Closed in Jira, and Jira answers the second transition 429.
  let transitions = 0;
  const refusal = jiraRefusesOnce((path) => path.endsWith('/transitions') && ++transitions === 2, 20);
  try {
    itsm.updateRecord('incidents', made.id, { state: 'closed' });
    const after = new Date((jira.getIssue(key)?.updated ?? now()) + 1_000);
    const closed = await send(event('record.updated', { ...record, fields: { ...record.fields, state: 'closed' } }, {}, after));
    assert.equal(closed.status, 202, JSON.stringify(closed.body));
    assert.equal(jira.getIssue(key)?.statusName, 'Done', 'stopped on the way');
    itsm.setFaults({});
    await tandem.emulator.advance(120_000);
  } finally {
    refusal.restore();
  }
  assert.equal(jira.getIssue(key)?.statusName, 'Closed', "the tool's last state reaches Jira");
  assert.equal(itsm.record('incidents', made.id)?.state, 'closed', 'the tool keeps it');
});

test('a record’s create killed after Jira made its issue, before the link was saved: the retry finds that issue once Jira’s search shows it, an edit in Jira meanwhile makes no second record, and both sides end as one pair', async () => {
  stackflow.toolEventsToTandem();
  const before = tandem.emulator.crashes.crashed.length;
  // The web trigger dies at its first storage write after Jira made the issue.
  tandem.emulator.crashes.set({ next: 1, after: 'tool-or-jira-write', functionKey: 'on-inbound' });
  const made = itsm.createRecord('incidents', { short_description: 'Checkout latency doubled', priority: 'P3' });
  await itsm.whenIdle();
  await tandem.emulator.settle();
  tandem.emulator.crashes.clear();
  assert.equal(tandem.emulator.crashes.crashed.length - before, 1, 'the create was killed once');
  const issues = () => tandem.jira.listIssues().filter((i) => i.summary === 'Checkout latency doubled');
  const [issue] = issues();
  assert.ok(issue, 'Jira made the issue before the kill');
  // A person edits it in Jira while its link is not saved: no record is made for it.
  const edited = await tandem.rest(userActor(tandem.agent.accountId), 'PUT', `/rest/api/3/issue/${issue.key}`, { fields: { summary: 'Checkout latency doubled since 09:00' } });
  assert.equal(edited.status, 204);
  await itsm.whenIdle();
  await tandem.emulator.settle();
  assert.equal(itsm.records('incidents').filter((r) => r.short_description.startsWith('Checkout latency doubled')).length, 1, 'no second record while the link is being saved');
  // The tool's retry of the event, and Tandem's own look again, find the issue once search shows it.
  for (let i = 0; i < 40 && (await stored(tandem.emulator, recordIndexKey('stackflow', 'incidents', made.id))) === undefined; i += 1) await tandem.emulator.advance(15_000);
  await tandem.emulator.drain();
  assert.equal(issues().length + tandem.jira.listIssues().filter((i) => i.summary === 'Checkout latency doubled since 09:00').length, 1, 'one issue');
  assert.deepEqual(recordIndexSchema.parse(await stored(tandem.emulator, recordIndexKey('stackflow', 'incidents', made.id))), { issueId: issue.id, issueKey: issue.key, madeBy: itsm.outbox.find((e) => e.type === 'record.created' && e.event.record.id === made.id)?.eventId });
  assert.equal(itsm.records('incidents').filter((r) => r.short_description.startsWith('Checkout latency doubled')).length, 1, 'one record');
  assert.equal(itsm.record('incidents', made.id)?.short_description, 'Checkout latency doubled since 09:00', 'the edit made meanwhile reaches the record');
  assert.equal(itsm.record('incidents', made.id)?.jira_issue_key, issue.key, 'the record gets its issue key');
});

test('a work note’s comment add killed after Jira made the comment: the retries make no second comment, an edit meanwhile reaches that comment, and the note’s delete leaves none', async () => {
  stackflow.toolEventsToTandem();
  const { made, key } = await linkedIncident('Disk full on db-2');
  const comments = () => (tandem.jira.getIssue(key)?.comments ?? []).filter((c) => JSON.stringify(c.body).includes('Nia Ops via'));
  const before = tandem.emulator.crashes.crashed.length;
  // The web trigger dies at its first storage write after Jira made the comment.
  tandem.emulator.crashes.set({ next: 1, after: 'tool-or-jira-write', functionKey: 'on-inbound' });
  const note = itsm.addNote('incidents', made.id, 'Cleared old WAL segments', { name: 'Nia Ops', email: 'nia@example.com' });
  await itsm.whenIdle();
  await tandem.emulator.settle();
  tandem.emulator.crashes.clear();
  assert.equal(tandem.emulator.crashes.crashed.length - before, 1, 'the add was killed once');
  assert.equal(comments().length, 1, 'Jira made the comment before the kill');
  // Edited in the tool before any retry got through.
  itsm.updateNote('incidents', made.id, note.id, 'Cleared old WAL segments; 40% free');
  await itsm.whenIdle();
  const edited = () => comments().some((c) => JSON.stringify(c.body).includes('40% free'));
  for (let i = 0; i < 20 && !edited(); i += 1) await tandem.emulator.advance(15_000);
  await tandem.emulator.drain();
  const [only] = comments();
  assert.equal(comments().length, 1, 'one comment for the note');
  assert.match(JSON.stringify(only?.body), /40% free/, 'the edit reached it');
  itsm.deleteNote('incidents', made.id, note.id);
  await itsm.whenIdle();
  await tandem.emulator.drain();
  assert.equal(comments().length, 0, 'the note’s delete removed its comment');
});

test('a work note’s comment add killed after Jira made the comment, the tool’s retry of that call answered: left alone, the note gets that comment; deleted in the tool before any retry ran, the comment goes', async () => {
  stackflow.toolEventsToTandem();
  const { made, key } = await linkedIncident('Queue depth alarm');
  const comments = () => (tandem.jira.getIssue(key)?.comments ?? []).filter((c) => JSON.stringify(c.body).includes('Nia Ops via'));
  const nia = { name: 'Nia Ops', email: 'nia@example.com' };
  const killedAdd = async (body: string) => {
    const before = tandem.emulator.crashes.crashed.length;
    tandem.emulator.crashes.set({ next: 1, after: 'tool-or-jira-write', functionKey: 'on-inbound' });
    const note = itsm.addNote('incidents', made.id, body, nia);
    // The tool sends the event again at once: the call that died had marked it received.
    await itsm.whenIdle();
    await tandem.emulator.settle();
    tandem.emulator.crashes.clear();
    assert.equal(tandem.emulator.crashes.crashed.length - before, 1, 'the add was killed once');
    return note;
  };
  const kept = await killedAdd('Scaled the consumers to 6');
  assert.equal(comments().length, 1, 'Jira made the comment before the kill');
  // The dead call's hold on the issue runs out; the call the tool sent again is applied once that try is surely over.
  for (let i = 0; i < 20 && readToolNote(await stored(tandem.emulator, toolNoteKey('stackflow', kept.id))) === undefined; i += 1) await tandem.emulator.advance(15_000);
  assert.equal(readToolNote(await stored(tandem.emulator, toolNoteKey('stackflow', kept.id)))?.jiraCommentId, comments()[0]?.id, 'the note knows the comment the dead call made');
  const dropped = await killedAdd('Paused the producer');
  assert.equal(comments().length, 2, 'Jira made the second comment before the kill');
  itsm.deleteNote('incidents', made.id, dropped.id);
  await itsm.whenIdle();
  for (let i = 0; i < 20 && comments().length !== 1; i += 1) await tandem.emulator.advance(15_000);
  await tandem.emulator.drain();
  assert.deepEqual(comments().map((c) => JSON.stringify(c.body).includes('Scaled the consumers')), [true], 'the kept note’s comment, once; the deleted note’s, gone');
  assert.equal(readToolNote(await stored(tandem.emulator, toolNoteKey('stackflow', kept.id)))?.jiraCommentId, comments()[0]?.id, 'the note knows its comment: its edits and delete reach it');
});

test('a record change whose try died after Jira applied it, then put back by a person in Jira: the retry leaves the person’s value, and the tool gets it', async () => {
  stackflow.toolEventsToTandem();
  const { made, key } = await linkedIncident('Slow dashboard loads');
  const priorityOf = () => (tandem.jira.getIssue(key) as { priorityName?: string } | undefined)?.priorityName;
  const before = priorityOf();
  assert.ok(before, 'the issue has a priority');
  const crashed = tandem.emulator.crashes.crashed.length;
  // The web trigger dies at its first storage write after Jira applied the change: its shadow is not saved.
  tandem.emulator.crashes.set({ next: 1, after: 'tool-or-jira-write', functionKey: 'on-inbound' });
  itsm.updateRecord('incidents', made.id, { priority: 'P1' });
  await itsm.whenIdle();
  await tandem.emulator.settle();
  tandem.emulator.crashes.clear();
  assert.equal(tandem.emulator.crashes.crashed.length - crashed, 1, 'the change was killed once');
  assert.notEqual(priorityOf(), before, 'Jira applied it before the kill');
  // A person in Jira puts the priority back, after the tool's change.
  const reverted = await tandem.rest(userActor(tandem.agent.accountId), 'PUT', `/rest/api/3/issue/${key}`, { fields: { priority: { name: before } } });
  assert.equal(reverted.status, 204);
  await tandem.emulator.settle();
  for (let i = 0; i < 20; i += 1) await tandem.emulator.advance(15_000);
  await tandem.emulator.drain();
  assert.equal(priorityOf(), before, 'the person’s later value stands in Jira');
  assert.equal(itsm.record('incidents', made.id)?.priority, 'P3', 'and reaches the tool');
});

/**
 * An incident's summary changed in the tool, whose web trigger call dies at its first storage write
 * after Jira applied it (the shadow is not saved); the lock it left runs out, and a person in the tool
 * changes the summary again, its event (`newer`) still on its way.
 */
async function summaryKilledAfterJira(summary: string, changed: string, changedAgain: string) {
  const { made, record, key } = await linkedIncident(summary);
  const summaryOf = () => tandem.jira.getIssue(key)?.summary;
  const crashed = tandem.emulator.crashes.crashed.length;
  tandem.emulator.crashes.set({ next: 1, after: 'tool-or-jira-write', functionKey: 'on-inbound' });
  itsm.updateRecord('incidents', made.id, { short_description: changed });
  await send(event('record.updated', { ...record, fields: { ...record.fields, short_description: changed } }, {}, new Date(now() - 2_000)));
  await tandem.emulator.settle();
  tandem.emulator.crashes.clear();
  assert.equal(tandem.emulator.crashes.crashed.length - crashed, 1, 'the change was killed once');
  assert.equal(summaryOf(), changed, 'Jira applied it before the kill');
  await tandem.emulator.advance(130_000);
  itsm.updateRecord('incidents', made.id, { short_description: changedAgain });
  return { made, key, summaryOf, newer: event('record.updated', { ...record, fields: { ...record.fields, short_description: changedAgain } }) };
}

test('a tool change whose try died after Jira applied it is not sent back to the tool by a later delivery of the issue: the tool’s newer value stands, and reaches Jira', async () => {
  const { made, key, summaryOf, newer } = await summaryKilledAfterJira('Cache misses spike', 'Cache misses spike on eu-1', 'Cache misses spike on eu-1 and eu-2');
  // Meanwhile a person in Jira changes the priority: that delivery sends the priority alone.
  const edited = await tandem.rest(userActor(tandem.agent.accountId), 'PUT', `/rest/api/3/issue/${key}`, { fields: { priority: { name: 'Highest' } } });
  assert.equal(edited.status, 204);
  await tandem.emulator.settle();
  assert.equal(itsm.record('incidents', made.id)?.short_description, 'Cache misses spike on eu-1 and eu-2', 'the tool’s newer summary is not overwritten');
  const late = await send(newer);
  assert.ok(late.status < 300, JSON.stringify(late.body));
  await tandem.emulator.settle();
  assert.equal(summaryOf(), 'Cache misses spike on eu-1 and eu-2', 'and reaches Jira');
  assert.equal(itsm.record('incidents', made.id)?.short_description, 'Cache misses spike on eu-1 and eu-2');
});

test('the issue key Tandem writes back to a record its create made, whose first write got a 503, reaches the record though a person edited the record before the retry', async () => {
  stackflow.toolEventsToTandem();
  // Tandem's requests to the tool answer 503 until the key's first write has failed.
  itsm.setFaults({ mix: { '503': 1 } });
  const made = itsm.createRecord('incidents', { short_description: 'Printer queue stuck', priority: 'P3' });
  await itsm.whenIdle();
  await tandem.emulator.settle();
  const issue = tandem.jira.listIssues().find((i) => i.summary === 'Printer queue stuck');
  assert.ok(issue, 'the issue was made');
  assert.equal(itsm.record('incidents', made.id)?.jira_issue_key ?? '', '', 'the first write of the key failed');
  itsm.setFaults({});
  // A person edits the record before Tandem's retry; its event reaches Jira.
  itsm.updateRecord('incidents', made.id, { short_description: 'Printer queue stuck on floor 3' });
  await itsm.whenIdle();
  await tandem.emulator.settle();
  await tandem.emulator.advance(60_000);
  await tandem.emulator.drain();
  assert.equal(itsm.record('incidents', made.id)?.jira_issue_key, issue.key, 'the record gets its issue key');
});

test('a tool change whose try died after Jira applied it is not sent back to the tool by a queued delivery of the issue (Sync now): the tool’s newer value stands, and reaches Jira', async () => {
  const { made, key, summaryOf, newer } = await summaryKilledAfterJira('Disk pressure on db-3', 'Disk pressure on db-3 and db-4', 'Disk pressure on the db tier');
  // An admin asks for the pair to be synced now: a queued delivery, with no changelog to go by.
  const asked = (await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey: 'syncIssueNow', payload: { connectionId: 'stackflow', issueKey: key }, accountId: tandem.admin.accountId })) as { ok: boolean };
  assert.equal(asked.ok, true, JSON.stringify(asked));
  await tandem.emulator.settle();
  assert.equal(itsm.record('incidents', made.id)?.short_description, 'Disk pressure on the db tier', 'the tool’s newer summary is not overwritten');
  const late = await send(newer);
  assert.ok(late.status < 300, JSON.stringify(late.body));
  await tandem.emulator.settle();
  assert.equal(summaryOf(), 'Disk pressure on the db tier', 'and reaches Jira');
});

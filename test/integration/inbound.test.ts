// Tool → Jira on real SDKs: signed HTTP requests to the inbound web trigger, applied to the Jira
// simulator through Tandem's own code, with the StackFlow preset's mapping.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ReferenceItsm } from '../../devkit/external/itsm';
import { stored, type TandemOnDevkit } from '../support/devkit';
import {
  activities as activitiesOf,
  createdFromTool,
  incident,
  sendSigned,
  startStackflow,
  toolEvent,
  type Change,
  type InboundAnswer,
  type StackflowOnDevkit,
} from '../support/stackflow';

const SECRET = 'inbound-secret-for-tests-0f3c9a';
const TOKEN = 'itsm-token-inbound';
const jiraWins: Change = (c) => ({ ...c, options: { ...c.options, conflictPolicy: 'jira-wins' } });
let stackflow: StackflowOnDevkit;
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;
let url: string;

before(async () => {
  stackflow = await startStackflow({ token: TOKEN, inboundSecret: SECRET, base: jiraWins });
  ({ tandem, itsm, inboundUrl: url } = stackflow);
});

after(() => stackflow.stop());

beforeEach(() => stackflow.reset());

const send = (body: unknown, options: { secret?: string; target?: string } = {}): Promise<InboundAnswer> => sendSigned(options.target ?? url, options.secret ?? SECRET, body);
const event = (type: string, record: Record<string, unknown>, extra: Record<string, unknown> = {}) => toolEvent(type, record, extra);
const created = (fields: Record<string, unknown> = {}) => createdFromTool(stackflow, SECRET, fields);
const activities = () => activitiesOf(tandem);

/**
 * Jira answers after a real delay, as it does over the network: the emulator's own calls resolve at
 * once, so without it two requests sent together would still run one after the other in Tandem.
 */
async function withJiraLatency<T>(ms: number, run: () => Promise<T>): Promise<T> {
  const jira = tandem.jira;
  const handle = jira.handle.bind(jira);
  jira.handle = async (request) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return handle(request);
  };
  try {
    return await run();
  } finally {
    jira.handle = handle;
  }
}

const jiraWrites = () => [...tandem.emulator.calls.jira.entries()].filter(([op]) => !op.startsWith('GET ')).map(([op, n]) => `${op} ×${n}`);

test('record.created makes one issue in the mapped project with the mapped fields, the link and a remote link', async () => {
  const { record, key } = await created({ assigned_to: 'sam@example.com' });
  const issue = tandem.jira.getIssue(key);
  assert.ok(issue);
  assert.equal(issue.projectKey, 'OPS');
  assert.equal(issue.issueTypeName, 'Bug');
  assert.equal(issue.summary, 'Checkout fails');
  assert.equal(issue.priorityName, 'High');
  assert.equal(issue.assigneeAccountId, tandem.agent.accountId);
  assert.ok(issue.labels.includes('stackflow-sync'));
  assert.equal(issue.statusName, 'To Do');
  assert.match(JSON.stringify(issue.description), /open checkout/);
  assert.equal(issue.remoteLinks.length, 1);
  assert.equal(issue.remoteLinks[0]?.globalId, `tandem:stackflow:incidents:${String(record.id)}`);
  assert.equal(issue.remoteLinks[0]?.object.url, record.url);
  const index = (await stored(tandem.emulator, `record:stackflow:incidents:${String(record.id)}`)) as { madeBy?: unknown };
  assert.deepEqual(index, { issueId: issue.id, issueKey: key, madeBy: index.madeBy });
  assert.equal(typeof index.madeBy, 'string', 'the event that made the issue');
  const state = (await stored(tandem.emulator, `issue:${issue.id}`)) as { links: Record<string, { externalId: string; number: string }> };
  assert.equal(state.links.stackflow?.externalId, record.id);
  assert.equal(state.links.stackflow?.number, record.number);
  // Written as the app: Tandem's own triggers ignore the create, so nothing goes back to the tool.
  assert.ok(tandem.emulator.ignoredEvents.some((e) => e.eventType === 'avi:jira:created:issue'));
});

test('record.updated writes the changed fields in one edit, then moves the status', async () => {
  const { record, key } = await created();
  tandem.emulator.calls.reset();
  const answer = await send(event('record.updated', { ...record, fields: { ...(record.fields as object), short_description: 'Checkout fails for EU cards', priority: 'P1', state: 'in_progress' } }));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(answer.body.applied, ['summary', 'priority', 'status']);
  assert.equal(tandem.emulator.calls.jira.get('PUT /rest/api/3/issue/{issueIdOrKey}'), 1, 'one edit for all fields');
  assert.equal(tandem.emulator.calls.jira.get('GET /rest/api/3/issue/{issueIdOrKey}/transitions'), undefined, 'the transitions came with the issue');
  assert.equal(tandem.emulator.calls.kvs.get('secretGet'), 1, 'the previous secret is not read when the current one matches');
  const issue = tandem.jira.getIssue(key);
  assert.equal(issue?.summary, 'Checkout fails for EU cards');
  assert.equal(issue?.priorityName, 'Highest');
  assert.equal(issue?.statusName, 'In Progress');
});

test('a status whose transition asks for a resolution gets one, through a path of transitions', async () => {
  const { record, key } = await created();
  const resolved = await send(event('record.updated', { ...record, fields: { state: 'resolved' } }));
  assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
  assert.deepEqual(resolved.body.applied, ['status']);
  let issue = tandem.jira.getIssue(key);
  assert.equal(issue?.statusName, 'Done');
  assert.equal(issue?.resolutionName, 'Done');

  const reopened = await send(event('record.updated', { ...record, fields: { state: 'new' } }));
  assert.equal(reopened.status, 200);
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'To Do');
  // To Do → In Progress → Done (resolution) → Closed: three transitions.
  const closed = await send(event('record.updated', { ...record, fields: { state: 'closed' } }));
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  issue = tandem.jira.getIssue(key);
  assert.equal(issue?.statusName, 'Closed');
});

test('a first transition with a screen is read again for its fields before it is taken', async () => {
  const { record, key } = await created({ state: 'in_progress' });
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'In Progress');
  tandem.emulator.calls.reset();
  const resolved = await send(event('record.updated', { ...record, fields: { state: 'resolved' } }));
  assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
  assert.deepEqual(resolved.body.applied, ['status']);
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'Done');
  assert.equal(tandem.jira.getIssue(key)?.resolutionName, 'Done');
  assert.equal(tandem.emulator.calls.jira.get('GET /rest/api/3/issue/{issueIdOrKey}/transitions'), 1);
});

test('a status Jira cannot reach is skipped with the reason; the other fields are kept', async () => {
  tandem.jira.addProject({
    key: 'SUP',
    name: 'Support',
    issueTypes: ['Task'],
    workflow: { statuses: [{ name: 'Open', category: 'new' }, { name: 'Finished', category: 'done' }], transitions: [{ name: 'Finish', from: ['Open'], to: 'Finished', requiresResolution: true }] },
  });
  await stackflow.configure((c) => ({ ...c, projects: [{ ...c.projects[0]!, projectKey: 'SUP', issueType: 'Task' }, ...c.projects] }));
  const { record, key } = await created();
  assert.match(key, /^SUP-/);
  const answer = await send(event('record.updated', { ...record, fields: { short_description: 'Printer on fire', state: 'on_hold' } }));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(answer.body.applied, ['summary']);
  const skipped = answer.body.skipped as Array<{ field: string; reason: string }>;
  assert.equal(skipped[0]?.field, 'status');
  assert.match(skipped[0]?.reason ?? '', /"Open".*"Blocked"/);
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'Open');
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Printer on fire');
  assert.ok((await activities()).some((a) => (a.details as string[]).some((d) => /status: No path/.test(d))), 'the reason is in the activity log');
  // The state was not applied, so the shadow still differs: the same state sent again is tried again.
  const again = await send(event('record.updated', { ...record, fields: { short_description: 'Printer on fire', state: 'on_hold' } }));
  assert.equal((again.body.skipped as unknown[]).length, 1);
});

test('an assignee is found by email even where privacy hides it; an unknown email leaves the issue unassigned', async () => {
  const hidden = tandem.jira.addUser({ displayName: 'Hana Hidden', emailAddress: 'hana@example.com', emailHidden: true });
  const { record, key } = await created();
  const answer = await send(event('record.updated', { ...record, fields: { assigned_to: 'Hana@Example.com' } }));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(tandem.jira.getIssue(key)?.assigneeAccountId, hidden.accountId);
  assert.ok((tandem.emulator.calls.jira.get('GET /rest/api/3/user/email') ?? 0) >= 1, 'the hidden email was read as the app');

  const nobody = await send(event('record.updated', { ...record, fields: { assigned_to: 'nobody@example.com' } }));
  assert.equal(nobody.status, 200);
  assert.equal(tandem.jira.getIssue(key)?.assigneeAccountId, null);
  assert.match(JSON.stringify(nobody.body.notes), /No Jira user has the email/);
  assert.ok((await activities()).some((a) => JSON.stringify(a.details).includes('left unassigned')));
});

test('comments: added with their author, edited and deleted by the tool comment id', async () => {
  const { record, key } = await created();
  const comment = { id: 'note-1', author: { name: 'Nia Ops', email: 'nia@stackflow.example' }, body: 'Restarted the **pods**' };
  const added = await send(event('comment.created', record, { comment }));
  assert.equal(added.status, 200, JSON.stringify(added.body));
  let comments = tandem.jira.getIssue(key)?.comments ?? [];
  assert.equal(comments.length, 1);
  assert.match(JSON.stringify(comments[0]?.body), /Nia Ops via StackFlow:/);
  assert.match(JSON.stringify(comments[0]?.body), /pods/);

  const edited = await send(event('comment.updated', record, { comment: { ...comment, body: 'Restarted the pods twice' } }));
  assert.equal(edited.status, 200);
  comments = tandem.jira.getIssue(key)?.comments ?? [];
  assert.equal(comments.length, 1, 'an edit changes the comment');
  assert.match(JSON.stringify(comments[0]?.body), /twice/);

  const removed = await send(event('comment.deleted', record, { comment: { id: 'note-1' } }));
  assert.equal(removed.status, 200);
  assert.equal(tandem.jira.getIssue(key)?.comments.length, 0);
  // The edit sent before the delete, arriving after it, brings nothing back.
  const late = await send(event('comment.updated', record, { comment: { ...comment, body: 'Restarted the pods three times' } }));
  assert.equal(late.status, 200);
  assert.equal(tandem.jira.getIssue(key)?.comments.length, 0);
});

test('a work note Tandem made from a Jira comment, echoed back by the tool, makes no second comment', async () => {
  const { record, key } = await created();
  const issue = tandem.jira.getIssue(key);
  assert.ok(issue);
  await tandem.emulator.kvs.handle('/api/v1/set', { key: 'tnote:stackflow:wn-from-jira', value: { jiraCommentId: '999', issueId: issue.id, origin: 'jira' } });
  tandem.emulator.calls.reset();
  const answer = await send(event('comment.created', record, { comment: { id: 'wn-from-jira', author: { name: 'Integration User' }, body: 'Sam Agent commented' } }));
  assert.equal(answer.status, 200);
  assert.equal(answer.body.status, 'unchanged');
  assert.deepEqual(jiraWrites(), []);
  assert.equal(tandem.jira.getIssue(key)?.comments.length, 0);
});

test('two created events for one record at once make one issue', async () => {
  const record = incident();
  const before = tandem.jira.listIssues().length;
  const [a, b] = await withJiraLatency(20, () => Promise.all([send(event('record.created', record)), send(event('record.created', record))]));
  assert.ok([200, 202].includes(a.status) && [200, 202].includes(b.status), JSON.stringify([a.body, b.body]));
  assert.equal(tandem.jira.listIssues().length, before + 1);
  const statuses = [a.body.status, b.body.status].sort();
  assert.ok(statuses.includes('created'), JSON.stringify(statuses));
});

test('two comment.created events for one tool comment at once make one Jira comment', async () => {
  const { record, key } = await created();
  // Several comments, each sent twice at once with different event ids, so the race really happens.
  const comments = Array.from({ length: 4 }, (_, i) => ({ id: `race-${i}-${randomUUID().slice(0, 8)}`, author: { name: 'Nia Ops' }, body: `Rolled back deploy ${i}` }));
  const answers = await withJiraLatency(20, () =>
    Promise.all(comments.flatMap((comment) => [send(event('comment.created', record, { comment })), send(event('comment.created', record, { comment }))])),
  );
  for (const answer of answers) assert.ok([200, 202].includes(answer.status), JSON.stringify(answer.body));
  // An event that found the comment being made may have been queued: let it run.
  await tandem.emulator.drain();
  const made = tandem.jira.getIssue(key)?.comments ?? [];
  assert.equal(made.length, comments.length, 'one Jira comment per tool comment');
  for (const [i, comment] of comments.entries()) {
    assert.equal(made.filter((c) => JSON.stringify(c.body).includes(`Rolled back deploy ${i}`)).length, 1, comment.id);
    const note = (await stored(tandem.emulator, `tnote:stackflow:${comment.id}`)) as { jiraCommentId: string } | undefined;
    const ids = new Set(answers.slice(i * 2, i * 2 + 2).map((a) => a.body.jiraCommentId).filter((id) => id !== undefined));
    assert.ok(note && [...ids].every((id) => id === note.jiraCommentId), JSON.stringify({ note, ids: [...ids] }));
  }
  assert.equal(await stored(tandem.emulator, `lock:inbound-comment:stackflow:${comments[0]?.id ?? ''}`), undefined, 'no lock is left behind');
});

test('the echo of Tandem’s own push writes nothing to Jira', async () => {
  itsm.setOutbound({ url, secret: SECRET });
  const createdIssue = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', {
    fields: {
      project: { key: 'OPS' },
      issuetype: { name: 'Bug' },
      summary: 'Payments time out',
      description: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Since 09:00' }] }] },
      priority: { name: 'High' },
      assignee: { accountId: tandem.agent.accountId },
    },
  });
  assert.equal(createdIssue.status, 201);
  const { key } = createdIssue.body as { key: string };
  tandem.emulator.calls.reset();
  await tandem.emulator.settle();
  await itsm.whenIdle();
  await tandem.emulator.settle();
  const incidentRecord = itsm.recordForIssue(key);
  assert.ok(incidentRecord, 'outbound made the incident');
  const echoes = itsm.outbox.filter((e) => e.event.record.id === incidentRecord.id);
  assert.ok(echoes.length >= 1, 'the tool sent its change back');
  assert.ok(echoes.every((e) => e.attempts.some((a) => a.status === 200)), JSON.stringify(echoes.map((e) => e.attempts)));
  const writes = jiraWrites().filter(
    (w) => !w.startsWith('POST /rest/api/3/issue/{issueIdOrKey}/remotelink') && !w.startsWith('PUT /rest/api/3/issue/{issueIdOrKey} ') && !w.startsWith('PUT /rest/api/3/issue/{issueIdOrKey}/properties/'),
  );
  // Outbound's own decorations (remote link, label, the sync state property of the new link) are its business; the echo added no issue and no change.
  assert.deepEqual(writes, []);
  assert.equal(tandem.jira.listIssues().filter((i) => i.summary === 'Payments time out').length, 1);
  const echoAgain = await send(event('record.updated', { module: 'incidents', id: incidentRecord.id, number: incidentRecord.number, fields: { short_description: 'Payments time out', priority: 'P2', state: 'new', description: 'Since 09:00' } }));
  assert.equal(echoAgain.body.status, 'unchanged', JSON.stringify(echoAgain.body));
});

test('a field changed on both sides since the last sync is a conflict: the policy decides and the log says so', async () => {
  const { record, key } = await created();
  itsm.setFaults({ down: true });
  await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'PUT', `/rest/api/3/issue/${key}`, { fields: { summary: 'Jira says this' } });
  await tandem.emulator.settle();
  const answer = await send(event('record.updated', { ...record, fields: { short_description: 'The tool says that', priority: 'P3' } }));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(answer.body.conflicts, [{ field: 'summary', winner: 'jira' }]);
  assert.deepEqual(answer.body.applied, ['priority']);
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Jira says this');
  assert.ok((await activities()).some((a) => a.outcome === 'conflict'));

  await stackflow.configure((c) => ({ ...c, options: { ...c.options, conflictPolicy: 'tool-wins' } }));
  await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'PUT', `/rest/api/3/issue/${key}`, { fields: { summary: 'Jira again' } });
  await tandem.emulator.settle();
  const toolWins = await send(event('record.updated', { ...record, fields: { short_description: 'The tool again' } }));
  assert.deepEqual(toolWins.body.conflicts, [{ field: 'summary', winner: 'tool' }]);
  assert.equal(tandem.jira.getIssue(key)?.summary, 'The tool again');
});

test('record.deleted follows the connection option: end the link, close the issue, or delete it', async () => {
  const first = await created();
  const unlinked = await send(event('record.deleted', { module: 'incidents', id: first.record.id }));
  assert.equal(unlinked.body.status, 'unlinked');
  assert.ok(tandem.jira.getIssue(first.key));
  assert.equal(await stored(tandem.emulator, `record:stackflow:incidents:${String(first.record.id)}`), undefined);

  await stackflow.configure((c) => ({ ...c, inbound: { auth: 'hmac', onToolDelete: 'close', createDefaults: {} } }));
  const second = await created();
  const closed = await send(event('record.deleted', { module: 'incidents', id: second.record.id }));
  assert.equal(closed.body.status, 'closed', JSON.stringify(closed.body));
  assert.equal(tandem.jira.getIssue(second.key)?.statusCategory, 'done');
  assert.equal(tandem.jira.getIssue(second.key)?.resolutionName, 'Done');

  await stackflow.configure((c) => ({ ...c, inbound: { auth: 'hmac', onToolDelete: 'delete', createDefaults: {} } }));
  const third = await created();
  const deleted = await send(event('record.deleted', { module: 'incidents', id: third.record.id }));
  assert.equal(deleted.body.status, 'deleted');
  assert.equal(tandem.jira.getIssue(third.key), undefined);
  const missing = await send(event('record.deleted', { module: 'incidents', id: third.record.id }));
  assert.equal(missing.status, 404);
});

test('the same event id twice applies once', async () => {
  const { record, key } = await created();
  const once = event('record.updated', { ...record, fields: { short_description: 'Once only' } });
  assert.equal((await send(once)).body.status, 'applied');
  await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'PUT', `/rest/api/3/issue/${key}`, { fields: { summary: 'Changed in Jira since' } });
  const twice = await send(once);
  assert.equal(twice.status, 200);
  assert.equal(twice.body.status, 'duplicate');
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Changed in Jira since');
});

test('the same update sent twice at once applies once: the second finds it received once it holds the pair', async () => {
  const { record } = await created();
  await tandem.emulator.settle();
  tandem.emulator.calls.reset();
  const same = event('record.updated', { ...record, fields: { ...(record.fields as object), short_description: 'Sent twice at once', state: 'in_progress' } });
  const answers = await withJiraLatency(20, () => Promise.all([send(same), send(same)]));
  assert.deepEqual(answers.map((a) => a.body.status).sort(), ['applied', 'duplicate'], JSON.stringify(answers.map((a) => a.body)));
  assert.deepEqual(jiraWrites(), ['PUT /rest/api/3/issue/{issueIdOrKey} ×1', 'POST /rest/api/3/issue/{issueIdOrKey}/transitions ×1']);
});

test('a linked record’s field and state change costs at most eight platform calls, marks the event received and frees the pair', async () => {
  const { record, key } = await created();
  await tandem.emulator.settle();
  tandem.emulator.calls.reset();
  const update = event('record.updated', { ...record, fields: { ...(record.fields as object), short_description: 'Eight calls at most', state: 'in_progress' } });
  const answer = await send(update);
  assert.equal(answer.body.status, 'applied', JSON.stringify(answer.body));
  const calls = tandem.emulator.calls;
  const total = calls.total(calls.jira) + calls.total(calls.kvs) + calls.queuePushes;
  assert.ok(total <= 8, `${total} calls: ${JSON.stringify(calls.snapshot())}`);
  const issue = tandem.jira.getIssue(key);
  assert.equal(issue?.summary, 'Eight calls at most');
  assert.equal(issue?.statusName, 'In Progress');
  assert.notEqual(await stored(tandem.emulator, `inbound:stackflow:${String((update as { eventId: string }).eventId)}`), undefined, 'the event is marked received');
  assert.equal((await send(update)).body.status, 'duplicate');
  const id = tandem.jira.getIssue(key)?.id ?? '';
  assert.equal(await stored(tandem.emulator, `lock:sync:stackflow:issue#3a#${id}`), undefined, 'the pair’s sync lock is released');
});

test('when Jira rate-limits Tandem the event is queued (202) with its Retry-After honoured', async () => {
  const { record } = await created();
  const waitingBefore = tandem.emulator.queue.waiting().length;
  tandem.jira.rateLimit.set({ every: 1, retryAfterSeconds: 120 });
  const answer = await send(event('record.updated', { ...record, fields: { short_description: 'Later' } }));
  tandem.jira.rateLimit.clear();
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  assert.equal(answer.body.status, 'queued');
  assert.ok(Number(answer.body.retryInSeconds) >= 120);
  const waiting = tandem.emulator.queue.waiting();
  assert.equal(waiting.length, waitingBefore + 1);
  const queued = JSON.stringify(waiting.at(-1));
  assert.match(queued, /"kind":"inbound"/);
  assert.match(queued, /"attempt":2/);
  assert.match(queued, /Later/);
  assert.doesNotMatch(queued, new RegExp(SECRET));
});

test('sync.requested queues a push of the issue', async () => {
  const { key } = await created();
  const answer = await send({ eventId: randomUUID(), type: 'sync.requested', occurredAt: new Date().toISOString(), jiraIssueKey: key });
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  assert.equal(answer.body.issueKey, key);
  const unknown = await send({ eventId: randomUUID(), type: 'sync.requested', occurredAt: new Date().toISOString(), jiraIssueKey: 'OPS-99999' });
  assert.equal(unknown.status, 404);
});

test('refusals: unknown connection and record, unmapped module, Jira-to-tool only, invalid body', async () => {
  const unknownConnection = await send(event('record.updated', incident()), { target: `${tandem.emulator.webTriggerUrl('tandem-inbound')}/nope` });
  assert.equal(unknownConnection.status, 404);
  assert.equal(unknownConnection.body.error, 'unknown_connection');
  const byQuery = await send(event('record.updated', incident()), { target: `${tandem.emulator.webTriggerUrl('tandem-inbound')}?connection=stackflow` });
  assert.equal(byQuery.status, 404);
  assert.equal(byQuery.body.error, 'unknown_record');
  const unmapped = await send(event('record.created', { ...incident(), module: 'problems' }));
  assert.equal(unmapped.status, 422);
  assert.equal(unmapped.body.error, 'module_not_mapped');
  const oneWay = await send(event('record.created', { ...incident(), module: 'changes' }));
  assert.equal(oneWay.status, 422);
  assert.equal(oneWay.body.error, 'direction_jira_to_tool');
  const invalid = await send(event('record.updated', { ...incident(), fields: 'not an object' }));
  assert.equal(invalid.status, 400);
  assert.deepEqual(invalid.body, { error: 'invalid_body', message: 'record.fields: Must be an object', path: 'record.fields' });
  const health = (await stored(tandem.emulator, 'health:stackflow')) as Record<string, string>;
  assert.ok(health.lastAcceptedAt);
});

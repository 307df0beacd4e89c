// Sync existing, Jira → tool: issues made before the connection are brought to the reference ITSM in
// the background, through the admin resolvers, the bulk queue and the ordinary delivery. The dry
// run's counts are the job's outcome; records that name their issue are linked, never duplicated;
// a job whose invocations die at random points still does every issue once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceItsm } from '../../devkit/external/itsm';
import type { AdminCallName, BulkJobView, BulkPreview } from '../../src/contract/admin';
import { findPreset } from '../../src/mapping';
import { activitySchema, issueStateKey, readIssueState } from '../../src/sync/state';
import { configure, startTandem, stored, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-bulk';
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;

async function call<T>(functionKey: AdminCallName, payload: unknown): Promise<T> {
  const answer = (await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey, payload, accountId: tandem.admin.accountId })) as { ok: boolean; error?: { message: string } };
  assert.ok(answer.ok, `${functionKey}: ${JSON.stringify(answer.error)}`);
  return answer as T;
}

const agent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

async function createIssues(project: string, type: string, count: number, prefix: string, labels: string[] = []): Promise<Array<{ id: string; key: string }>> {
  const made: Array<{ id: string; key: string }> = [];
  for (let i = 1; i <= count; i += 1) {
    const answer = await tandem.rest(agent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: project }, issuetype: { name: type }, summary: `${prefix} ${i}`, labels } });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    made.push(answer.body as { id: string; key: string });
  }
  // Made before the admin looks: Jira's search has them by then.
  await tandem.searchCaughtUp();
  return made;
}

async function linkedRecord(issueId: string): Promise<string | undefined> {
  return readIssueState(await stored(tandem.emulator, issueStateKey(issueId))).links.stackflow?.externalId;
}

/** What Activity says of an issue, its entries' summaries. */
function activityOf(issueKey: string): string[] {
  return Object.entries(tandem.emulator.kvs.entries().kv)
    .filter(([key]) => key.startsWith('activity:'))
    .map(([, value]) => activitySchema.parse(value))
    .filter((a) => a.issueKey === issueKey)
    .map((a) => a.summary);
}

function activitySummaries(): string[] {
  return Object.entries(tandem.emulator.kvs.entries().kv)
    .filter(([key]) => key.startsWith('activity:'))
    .map(([, value]) => activitySchema.parse(value).summary);
}

let ops: Array<{ id: string; key: string }>;
let infra: Array<{ id: string; key: string }>;

before(async () => {
  // Jira, the platform, the app and the tool read one clock, as they read one wall clock in a real
  // site: moved an hour past midnight for a quota reset, it moves the tool's record dates too.
  tandem = await startTandem({ appReadsClock: true });
  itsm = new ReferenceItsm({ token: TOKEN, retryDelaysMs: [0], clock: () => tandem.emulator.clock.now() });
  const url = await itsm.listen();
  // Made before Tandem had a connection: no trigger sends them.
  ops = await createIssues('OPS', 'Bug', 24, 'Legacy bug');
  infra = await createIssues('INFRA', 'Task', 30, 'Old change');
  for (const issue of ops.slice(0, 3)) itsm.createRecord('incidents', { short_description: `Filed by hand for ${issue.key}`, jira_issue_key: issue.key });
  for (const issue of ops.slice(3, 5)) {
    await tandem.transition(agent(), issue.key, 'In Progress');
    await tandem.transition(agent(), issue.key, 'Done');
  }
  await tandem.emulator.drain();
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = { ...preset.build({ name: 'StackFlow', baseUrl: url, id: 'stackflow' }), auth: { kind: 'bearer' as const } };
  await configure(tandem.emulator, { version: 1, connections: [connection] }, { 'connection:stackflow:auth': TOKEN });
});

after(async () => {
  await itsm.close();
  await tandem.stop();
});

/** The tool lists records by last change (then id): records made a tick apart are listed in the order made. */
/** A moment passes on the shared clock: records made either side of it are listed in that order. */
const tick = async () => {
  tandem.emulator.clock.advance(2);
  await Promise.resolve();
};

test('the dry run writes nothing and counts what the job then does: records naming their issue are linked, the rest created', async () => {
  const scope = { kind: 'open', projectKey: 'OPS', issueType: 'Bug' };
  const before = itsm.records('incidents').length;
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference' });
  assert.deepEqual(preview.counts, { create: 19, link: 3, update: 0, skip: 0 });
  assert.deepEqual(preview.samples.link.map((s) => s.issueKey), ops.slice(0, 3).map((i) => i.key));
  assert.ok(preview.points > 22 && preview.jiraRequests > 0 && preview.estimatedSeconds > 0);
  assert.equal(itsm.records('incidents').length, before, 'the dry run made nothing');
  assert.equal(await linkedRecord(ops[0]?.id ?? ''), undefined);

  const { job } = await call<{ job: BulkJobView }>('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference', total: 22 });
  assert.equal(job.status, 'running');
  const again = (await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey: 'startBulkSync', payload: { connectionId: 'stackflow', scope, matchRule: 'reference' }, accountId: tandem.admin.accountId })) as { ok: boolean; error?: { code: string } };
  assert.equal(again.ok, false);
  assert.equal(again.error?.code, 'CONFLICT', 'one job per connection');
  await tandem.emulator.drain();

  const done = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(done?.status, 'done');
  assert.deepEqual(done?.counts, { done: 22, created: 19, linked: 3, updated: 0, skipped: 0, failed: 0 });
  assert.equal(done?.remaining, 0);
  const open = [...ops.slice(0, 3), ...ops.slice(5)];
  for (const issue of open) {
    const records = itsm.records('incidents').filter((r) => r.jira_issue_key === issue.key);
    assert.equal(records.length, 1, `${issue.key} has one record`);
    assert.equal(await linkedRecord(issue.id), records[0]?.id);
  }
  for (const issue of ops.slice(3, 5)) assert.equal(await linkedRecord(issue.id), undefined, `${issue.key} is done, so not in the open issues`);
  const named = ops[0];
  const namer = itsm.records('incidents').find((r) => r.jira_issue_key === named?.key);
  assert.ok(named && namer);
  assert.ok(activityOf(named.key).some((s) => s.startsWith(`Linked ${namer.number} to ${named.key}, which the record names`)), activityOf(named.key).join(' | '));
  const activity = activitySummaries();
  assert.ok(activity.some((s) => s.startsWith(`Sync existing started by ${tandem.admin.accountId}: the open issues of OPS`)));
  assert.ok(activity.some((s) => s === `Sync existing started by ${tandem.admin.accountId} done`));
  assert.deepEqual(tandem.emulator.contractViolations, []);
});

test('a query Jira refuses is reported, and no job starts', async () => {
  const answer = (await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey: 'previewBulkSync', payload: { connectionId: 'stackflow', scope: { kind: 'jql', jql: 'project = NOPE' }, matchRule: 'reference' }, accountId: tandem.admin.accountId })) as {
    ok: boolean;
    error?: { code: string; message: string };
  };
  assert.equal(answer.ok, false);
  assert.equal(answer.error?.code, 'INVALID');
  assert.match(answer.error?.message ?? '', /NOPE/);
});

test('invocations killed at random points: every issue is done once, none twice, none skipped', async () => {
  // Three deaths in the first page's step (each try gets one issue further before it dies), two in the second's:
  // at most four tries of one step die, as Forge retries a dead consumer four times.
  tandem.emulator.crashes.set({ next: 3 });
  await call('startBulkSync', { connectionId: 'stackflow', scope: { kind: 'all', projectKey: 'INFRA', issueType: 'Task' }, matchRule: 'reference', total: 30 });
  let armed = false;
  for (let i = 0; i < 600; i += 1) {
    await tandem.emulator.advance(1000);
    const job = (await stored(tandem.emulator, 'bulk-job:stackflow')) as { status: string; token?: string } | undefined;
    if (!armed && job?.token) {
      tandem.emulator.crashes.set({ next: 2 });
      armed = true;
    }
    if (job?.status !== 'running') break;
  }
  tandem.emulator.crashes.clear();
  await tandem.emulator.drain();
  const kills = tandem.emulator.crashes.crashed.filter((c) => c.functionKey === 'on-bulk-step');
  assert.equal(kills.length, 5, 'the job was killed five times');
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(job?.status, 'done');
  assert.equal(job?.counts.done, 30);
  assert.equal((job?.counts.created ?? 0) + (job?.counts.linked ?? 0), 30);
  assert.equal(job?.counts.failed, 0);
  for (const issue of infra) {
    const records = itsm.records('changes').filter((r) => r.jira_issue_key === issue.key);
    assert.equal(records.length, 1, `${issue.key} has exactly one record`);
    assert.equal(await linkedRecord(issue.id), records[0]?.id, `${issue.key} is linked to it`);
  }
  assert.equal(itsm.records('changes').length, 30);
});

test('a job whose step Forge gave up on is started again by the scheduled trigger, from its checkpoint', async () => {
  // Issues whose events never reached Tandem: only a sync of what exists brings them.
  tandem.emulator.holdProductEvents();
  const unsent = await createIssues('OPS', 'Bug', 12, 'Missed bug', ['missed']);
  tandem.emulator.releaseProductEvents();
  // Every try of the first step dies (Forge retries four times, then drops the event): the chain stops.
  tandem.emulator.crashes.set({ next: 5 });
  await call('startBulkSync', { connectionId: 'stackflow', scope: { kind: 'jql', jql: 'project = OPS AND labels = missed ORDER BY created ASC' }, matchRule: 'reference', total: 12 });
  await tandem.emulator.drain();
  assert.equal(tandem.emulator.queue.failed.length, 1, 'Forge gave up on the step');
  tandem.emulator.crashes.clear();
  const stalled = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(stalled?.status, 'running');
  assert.ok((stalled?.counts.done ?? 0) < 12, 'the job stopped part way');
  assert.equal(tandem.emulator.queue.waiting().length, 0, 'nothing more is queued');
  // A stopped job is one that four sweeps in a row (twenty minutes) find at the same overdue step.
  for (let run = 1; run <= 3; run += 1) {
    assert.equal(await tandem.emulator.runScheduledTrigger('tandem-sweep'), 'ok');
    await tandem.emulator.drain();
    assert.equal((await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job?.counts.done, stalled?.counts.done, `sweep ${run} leaves it`);
  }
  assert.equal(await tandem.emulator.runScheduledTrigger('tandem-sweep'), 'ok');
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(job?.status, 'done');
  assert.equal(job?.counts.done, 12);
  for (const issue of unsent) {
    assert.equal(itsm.records('incidents').filter((r) => r.jira_issue_key === issue.key).length, 1, `${issue.key} has one record`);
    assert.ok(await linkedRecord(issue.id), `${issue.key} is linked`);
  }
});

test("Jira's hourly quota spent mid-job: the job waits for the reset and goes on, failing nothing", async () => {
  tandem.emulator.holdProductEvents();
  const late = await createIssues('OPS', 'Bug', 30, 'Quota bug', ['quota']);
  tandem.emulator.releaseProductEvents();
  await call('startBulkSync', { connectionId: 'stackflow', scope: { kind: 'jql', jql: 'labels = quota ORDER BY created ASC' }, matchRule: 'reference', total: 30 });
  await tandem.emulator.settle();
  // The first page is done; the second waits for the budget's pace when the quota runs out.
  tandem.jira.rateLimit.set({ kind: 'quota', retryAfterSeconds: 1200 });
  await tandem.emulator.advance(5 * 60 * 1000);
  // Read from storage: the admin page's own calls to Jira wait for the quota too.
  const waiting = (await stored(tandem.emulator, 'bulk-job:stackflow')) as { status: string; note?: string; counts: { done: number } };
  assert.equal(waiting.status, 'running');
  assert.match(waiting.note ?? '', /Jira asked Tandem to slow down/);
  assert.ok(waiting.counts.done < 30);
  // The quota resets by itself twenty minutes after it ran out.
  await tandem.emulator.drain();
  assert.equal(tandem.jira.rateLimit.state(), null, 'the quota has reset');
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(job?.status, 'done');
  assert.deepEqual(job?.counts, { done: 30, created: 30, linked: 0, updated: 0, skipped: 0, failed: 0 });
  for (const issue of late) assert.equal(itsm.records('incidents').filter((r) => r.jira_issue_key === issue.key).length, 1, `${issue.key} has one record`);
});

test('pause stops the job after the issue in hand, resume goes on from there, cancel ends it', async () => {
  await call('startBulkSync', { connectionId: 'stackflow', scope: { kind: 'all', projectKey: 'OPS', issueType: 'Bug' }, matchRule: 'reference', total: 66 });
  const paused = (await call<{ job: BulkJobView }>('pauseBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(paused.status, 'running', 'the step in hand finishes first');
  await tandem.emulator.drain();
  assert.equal((await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job?.status, 'paused');
  const resumed = (await call<{ job: BulkJobView }>('resumeBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(resumed.status, 'running');
  await call('cancelBulkSync', { connectionId: 'stackflow' });
  await tandem.emulator.drain();
  const ended = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(ended?.status, 'cancelled');
  const activity = activitySummaries();
  assert.ok(activity.some((s) => s === `Sync existing started by ${tandem.admin.accountId} cancelled by ${tandem.admin.accountId}`), activity.slice(0, 5).join(' | '));
});

test('Sync now for one issue key sends that issue, and links a record that names it instead of making one', async () => {
  tandem.emulator.holdProductEvents();
  const [fresh, named] = await createIssues('OPS', 'Bug', 2, 'Sync now bug');
  tandem.emulator.releaseProductEvents();
  assert.ok(fresh && named);
  const handmade = itsm.createRecord('incidents', { short_description: 'Made by hand', jira_issue_key: named.key });
  const answer = await call<{ issueKey: string; message: string }>('syncIssueNow', { connectionId: 'stackflow', issueKey: fresh.key.toLowerCase() });
  assert.equal(answer.issueKey, fresh.key);
  await call('syncIssueNow', { connectionId: 'stackflow', issueKey: named.key });
  await tandem.emulator.drain();
  assert.equal(itsm.records('incidents').filter((r) => r.jira_issue_key === fresh.key).length, 1);
  assert.equal(await linkedRecord(named.id), handmade.id);
  assert.equal(itsm.records('incidents').filter((r) => r.jira_issue_key === named.key).length, 1);
  const unknown = (await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey: 'syncIssueNow', payload: { connectionId: 'stackflow', issueKey: 'OPS-9999' }, accountId: tandem.admin.accountId })) as { ok: boolean; error?: { code: string; message: string } };
  assert.equal(unknown.error?.code, 'NOT_FOUND');
  assert.match(unknown.error?.message ?? '', /no issue OPS-9999/);
});

test('tool → Jira: a module records that no issue has become issues, linked ones are updated, and the dry run said so', async () => {
  const made = [1, 2, 3, 4, 5, 6].map((n) => itsm.createRecord('incidents', { short_description: `From StackFlow ${n}` }));
  const scope = { kind: 'records', module: 'incidents' };
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference' });
  assert.equal(preview.counts.create, 6);
  const linkedBefore = itsm.records('incidents').length - 6;
  assert.equal(preview.counts.update, linkedBefore);
  const total = preview.counts.create + preview.counts.link + preview.counts.update + preview.counts.skip;
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference', total });
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(job?.status, 'done');
  assert.deepEqual(job?.counts, { done: total, created: 6, linked: 0, updated: linkedBefore, skipped: 0, failed: 0 });
  for (const record of made) {
    const index = (await stored(tandem.emulator, `record:stackflow:incidents:${record.id}`)) as { issueKey: string } | undefined;
    assert.ok(index, `${record.number} is linked`);
    const issue = await tandem.rest(agent(), 'GET', `/rest/api/3/issue/${index.issueKey}`);
    assert.equal((issue.body as { fields: { summary: string } }).fields.summary, record.short_description);
  }
});

test('the summary-and-day rule links a record made by hand the same day, shown in the dry run, and sends the issue to it', async () => {
  tandem.emulator.holdProductEvents();
  const [twin, other] = await createIssues('OPS', 'Bug', 2, 'Printer on fire in room', ['twins']);
  tandem.emulator.releaseProductEvents();
  assert.ok(twin && other);
  // Filed by hand in the tool, without the Jira key: only the summary and the day tie it to the issue.
  const byHand = itsm.createRecord('incidents', { short_description: 'printer on FIRE in room 1' });
  const scope = { kind: 'jql', jql: 'labels = twins ORDER BY created ASC' };
  const byReference = (await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference' })).preview;
  assert.deepEqual(byReference.counts, { create: 2, link: 0, update: 0, skip: 0 });
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'summary-and-day' });
  assert.deepEqual(preview.counts, { create: 1, link: 1, update: 0, skip: 0 });
  assert.deepEqual(preview.samples.link, [{ issueKey: twin.key, detail: `${byHand.number} (same summary and day)` }]);
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'summary-and-day', total: 2 });
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.deepEqual(job?.counts, { done: 2, created: 1, linked: 1, updated: 0, skipped: 0, failed: 0 });
  assert.equal(await linkedRecord(twin.id), byHand.id);
  assert.equal(itsm.record('incidents', byHand.id)?.short_description, 'Printer on fire in room 1', "the issue's summary was sent to the record it was linked to");
  assert.equal(itsm.records('incidents').filter((r) => r.short_description === 'Printer on fire in room 1').length, 1, 'no second record');
  assert.ok(activityOf(twin.key).includes(`Linked ${byHand.number} to ${twin.key}: same summary, created the same day (Sync existing's match rule)`), activityOf(twin.key).join(' | '));
});

test('fifty issues with one the tool refuses: the other 49 go through, the one is on Failures with Retry, the job ends done with 1 failure', async () => {
  tandem.emulator.holdProductEvents();
  const batch = await createIssues('OPS', 'Bug', 50, 'Batch bug', ['batch']);
  const bad = batch[17];
  assert.ok(bad);
  // StackFlow takes at most 160 characters of short description; Jira takes 255.
  const long = `${'An overly long summary '.repeat(9)}`.slice(0, 200);
  assert.equal((await tandem.rest(agent(), 'PUT', `/rest/api/3/issue/${bad.key}`, { fields: { summary: long } })).status, 204);
  tandem.emulator.releaseProductEvents();
  await call('startBulkSync', { connectionId: 'stackflow', scope: { kind: 'jql', jql: 'labels = batch ORDER BY created ASC' }, matchRule: 'reference', total: 50 });
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(job?.status, 'done');
  assert.deepEqual(job?.counts, { done: 50, created: 49, linked: 0, updated: 0, skipped: 0, failed: 1 });
  const failures = await call<{ failures: Array<{ subject: { issueKey: string }; explanation: string }> }>('getFailures', {});
  const listed = failures.failures.filter((f) => f.subject.issueKey === bad.key);
  assert.equal(listed.length, 1, 'the refused issue is on Failures');
  assert.match(listed[0]?.explanation ?? '', /refused the request as malformed \(400\)/);
  for (const issue of batch) if (issue !== bad) assert.ok(await linkedRecord(issue.id), `${issue.key} is linked`);
  assert.ok(activitySummaries().includes(`Sync existing started by ${tandem.admin.accountId} done with 1 failure`));
});

test('tool → Jira, with the deliveries that write the issue key back killed part way: every record becomes one issue, none two', async () => {
  const made = Array.from({ length: 10 }, (_, n) => itsm.createRecord('incidents', { short_description: `Crash-proof incident ${n + 1}` }));
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope: { kind: 'records', module: 'incidents' }, matchRule: 'reference' });
  assert.equal(preview.counts.create, 10);
  const total = preview.counts.create + preview.counts.link + preview.counts.update + preview.counts.skip;
  const before = tandem.emulator.crashes.crashed.length;
  tandem.emulator.crashes.set({ next: 3 });
  await call('startBulkSync', { connectionId: 'stackflow', scope: { kind: 'records', module: 'incidents' }, matchRule: 'reference', total });
  await tandem.emulator.drain();
  tandem.emulator.crashes.clear();
  await tandem.emulator.drain();
  // The job's steps write only to Jira; the deliveries that write each issue's key back to its record are what die here.
  assert.equal(tandem.emulator.crashes.crashed.length - before, 3, 'killed three times');
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(job?.status, 'done');
  assert.equal(job?.counts.done, total);
  await tandem.searchCaughtUp();
  for (const record of made) {
    const index = (await stored(tandem.emulator, `record:stackflow:incidents:${record.id}`)) as { issueKey: string } | undefined;
    assert.ok(index, `${record.number} is linked`);
    const found = await tandem.rest(agent(), 'POST', '/rest/api/3/search/jql', { jql: `summary ~ "${record.short_description}"`, fields: ['summary'] });
    const same = (found.body as { issues: Array<{ fields: { summary: string } }> }).issues.filter((i) => i.fields.summary === record.short_description);
    assert.equal(same.length, 1, `${record.number} became one issue`);
  }
});

test('tool → Jira, the job’s own steps killed part way, each after an issue was made and before its link was saved: every record is done once, none twice, none skipped', async () => {
  const made = Array.from({ length: 30 }, (_, n) => itsm.createRecord('incidents', { short_description: `Step-crash incident ${n + 1}` }));
  const scope = { kind: 'records', module: 'incidents', updatedSince: made[0]?.updated_at ?? new Date(0).toISOString() };
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference' });
  const total = preview.counts.create + preview.counts.link + preview.counts.update + preview.counts.skip;
  const before = tandem.emulator.crashes.crashed.length;
  // Three deaths in the first page's step, two in the second's (Forge retries a dead consumer four times).
  tandem.emulator.crashes.set({ next: 3, after: 'tool-or-jira-write', functionKey: 'on-bulk-step' });
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference', total });
  let armed = false;
  for (let i = 0; i < 600; i += 1) {
    await tandem.emulator.advance(15_000);
    const job = (await stored(tandem.emulator, 'bulk-job:stackflow')) as { status: string; token?: string } | undefined;
    if (!armed && job?.token) {
      tandem.emulator.crashes.set({ next: 2, after: 'tool-or-jira-write', functionKey: 'on-bulk-step' });
      armed = true;
    }
    if (job?.status !== 'running') break;
  }
  tandem.emulator.crashes.clear();
  await tandem.emulator.drain();
  const kills = tandem.emulator.crashes.crashed.slice(before);
  assert.equal(kills.length, 5, 'the job’s steps were killed five times');
  assert.ok(kills.every((k) => k.functionKey === 'on-bulk-step'));
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(job?.status, 'done');
  assert.equal(job?.counts.done, total, 'none skipped, none counted twice');
  const problems: string[] = [];
  await tandem.searchCaughtUp();
  for (const record of made) {
    const index = (await stored(tandem.emulator, `record:stackflow:incidents:${record.id}`)) as { issueKey: string } | undefined;
    const found = await tandem.rest(agent(), 'POST', '/rest/api/3/search/jql', { jql: `summary ~ "${record.short_description}"`, fields: ['summary'] });
    const same = (found.body as { issues: Array<{ fields: { summary: string } }> }).issues.filter((i) => i.fields.summary === record.short_description);
    if (!index || same.length !== 1) problems.push(`${record.number}: linked ${index !== undefined}, ${same.length} issues`);
  }
  assert.deepEqual(problems, [], 'each record linked to one issue, none two');
  assert.equal(job?.counts.failed, 0, 'none failed: each retry found the issue its dead try made');
});

test('tool → Jira, Jira answers 429 to one record’s create: the job waits as Jira says, does that record again and completes, failing none', async () => {
  const made = Array.from({ length: 6 }, (_, n) => itsm.createRecord('incidents', { short_description: `Rate-limited incident ${n + 1}` }));
  const scope = { kind: 'records', module: 'incidents', updatedSince: made[0]?.updated_at ?? new Date(0).toISOString() };
  await tandem.emulator.drain();
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference' });
  const total = preview.counts.create + preview.counts.link + preview.counts.update + preview.counts.skip;
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference', total });
  // The next issue create Jira is asked for is refused once, with Retry-After.
  const creates = () => tandem.emulator.calls.jira.get('POST /rest/api/3/issue') ?? 0;
  const before = creates();
  tandem.jira.rateLimit.set({ kind: '429', every: 1, retryAfterSeconds: 40, reason: 'jira-per-issue-on-write' });
  for (let i = 0; i < 200 && creates() === before; i += 1) await tandem.emulator.advance(200);
  tandem.jira.rateLimit.clear();
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(job?.status, 'done');
  assert.equal(job?.counts.done, total, 'each record counted once');
  assert.equal(job?.counts.failed, 0, 'the refused record waited and went through');
  await tandem.searchCaughtUp();
  for (const record of made) {
    const index = (await stored(tandem.emulator, `record:stackflow:incidents:${record.id}`)) as { issueKey: string } | undefined;
    assert.ok(index, `${record.number} is linked`);
    const found = await tandem.rest(agent(), 'POST', '/rest/api/3/search/jql', { jql: `summary ~ "${record.short_description}"`, fields: ['summary'] });
    assert.equal((found.body as { issues: Array<{ fields: { summary: string } }> }).issues.filter((i) => i.fields.summary === record.short_description).length, 1, `${record.number} became one issue`);
  }
});

test('tool → Jira, the summary-and-day rule: a record filed by hand the same day as an issue is linked to it, shown in the dry run, and the job does what the dry run said', async () => {
  tandem.emulator.holdProductEvents();
  const [twin] = await createIssues('OPS', 'Bug', 1, 'Projector flickers in hall');
  tandem.emulator.releaseProductEvents();
  assert.ok(twin);
  // Filed in the tool without the Jira key: only the summary (spacing and case aside) and the day tie it to the issue.
  const byHand = itsm.createRecord('incidents', { short_description: 'projector  FLICKERS in hall 1' });
  const alone = itsm.createRecord('incidents', { short_description: 'Projector flickers in hall 2' });
  const scope = { kind: 'records', module: 'incidents', updatedSince: byHand.updated_at };
  const byReference = (await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference' })).preview;
  assert.deepEqual(byReference.counts, { create: 2, link: 0, update: 0, skip: 0 });
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'summary-and-day' });
  assert.deepEqual(preview.counts, { create: 1, link: 1, update: 0, skip: 0 });
  assert.deepEqual(preview.samples.link, [{ issueKey: byHand.number, detail: `${twin.key} (same summary and day)` }]);
  assert.deepEqual(preview.samples.create.map((s) => s.issueKey), [alone.number]);
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'summary-and-day', total: 2 });
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.deepEqual(job?.counts, { done: 2, created: 1, linked: 1, updated: 0, skipped: 0, failed: 0 }, 'what the dry run said');
  assert.equal(((await stored(tandem.emulator, `record:stackflow:incidents:${byHand.id}`)) as { issueKey?: string } | undefined)?.issueKey, twin.key);
  assert.equal(itsm.record('incidents', byHand.id)?.jira_issue_key, twin.key, "the issue's key was written back to the record it was linked to");
  await tandem.searchCaughtUp();
  const found = await tandem.rest(agent(), 'POST', '/rest/api/3/search/jql', { jql: 'summary ~ "Projector flickers in hall"', fields: ['summary'] });
  // The record was filed after the issue's last change: by the connection's policy its summary is the newer one.
  const summaries = (found.body as { issues: Array<{ fields: { summary: string } }> }).issues.map((i) => i.fields.summary).sort();
  assert.deepEqual(summaries, ['Projector flickers in hall 2', 'projector  FLICKERS in hall 1'], 'no second issue for the matched record');
  assert.ok(activityOf(twin.key).includes(`Linked ${byHand.number} to ${twin.key}: same summary, created the same day (Sync existing's match rule)`), activityOf(twin.key).join(' | '));
});

test('tool → Jira, 60 records: the job reads each page of the listing once, and Jira’s create screen once a step, not twice a record', async () => {
  const made = Array.from({ length: 60 }, (_, n) => itsm.createRecord('incidents', { short_description: `Counted incident ${n + 1}` }));
  const scope = { kind: 'records', module: 'incidents', updatedSince: made[0]?.updated_at ?? new Date(0).toISOString() };
  const createmeta = () => (tandem.emulator.calls.jira.get('GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes') ?? 0) + (tandem.emulator.calls.jira.get('GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}') ?? 0);
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference' });
  const metaBefore = createmeta();
  const toolBefore = itsm.requests.length;
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference', total: 60 });
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.deepEqual(job?.counts, { done: 60, created: 60, linked: 0, updated: 0, skipped: 0, failed: 0 });
  const steps = ((await stored(tandem.emulator, 'bulk-job:stackflow')) as { step: number }).step;
  const listings = itsm.requests.slice(toolBefore).filter((r) => r.method === 'GET' && /^\/api\/incidents\?/.test(r.path));
  const cursors = listings.map((r) => new URLSearchParams(r.path.slice(r.path.indexOf('?') + 1)).get('cursor') ?? 'first');
  assert.equal(new Set(cursors).size, cursors.length, `no page listed twice: ${cursors.join(', ')}`);
  // 60 records in pages of 25, then the same records again at the end of the listing once their keys are written back.
  assert.ok(listings.length <= 2 * Math.ceil(60 / 25) + 1, `${listings.length} listings`);
  assert.ok(steps <= Math.ceil(60 / 25) + 1, `${steps} steps: pages of records all done are passed over in the step that finds them`);
  // The issue types and the Bug's fields: two reads a step that makes issues.
  assert.ok(createmeta() - metaBefore <= 2 * steps, `${createmeta() - metaBefore} createmeta reads in ${steps} steps`);
  // The dry run's estimate is the job's cost, give or take a fifth.
  const points = job?.points ?? 0;
  assert.ok(Math.abs(preview.points - points) <= points / 5, `the dry run said ${preview.points} points, the job spent ${points}`);
});

test('tool → Jira, two records naming the same issue, a step apart: the first is linked, the second skipped with the record that has it, and the job does what the dry run said', async () => {
  tandem.emulator.holdProductEvents();
  const [named] = await createIssues('OPS', 'Bug', 1, 'Claimed twice bug');
  tandem.emulator.releaseProductEvents();
  assert.ok(named);
  const first = itsm.createRecord('incidents', { short_description: 'Claimed first', jira_issue_key: named.key });
  await tick();
  // More than a step's page between them: the second is done by another invocation than the first.
  const fillers = Array.from({ length: 25 }, (_, n) => itsm.createRecord('incidents', { short_description: `Between the claims ${n + 1}` }));
  await tick();
  const second = itsm.createRecord('incidents', { short_description: 'Claimed second', jira_issue_key: named.key });
  const scope = { kind: 'records', module: 'incidents', updatedSince: first.updated_at };
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference' });
  assert.deepEqual(preview.counts, { create: fillers.length, link: 1, update: 0, skip: 1 });
  assert.deepEqual(preview.samples.link, [{ issueKey: first.number, detail: `${named.key} (names the issue)` }]);
  assert.deepEqual(preview.samples.skip, [{ issueKey: second.number, detail: `${named.key} is already matched by ${first.number}` }]);
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference', total: fillers.length + 2 });
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.ok(((await stored(tandem.emulator, 'bulk-job:stackflow')) as { step: number }).step > 1, 'the job took more than one step');
  assert.equal(job?.status, 'done');
  assert.deepEqual(job?.counts, { done: fillers.length + 2, created: preview.counts.create, linked: preview.counts.link, updated: preview.counts.update, skipped: preview.counts.skip, failed: 0 }, 'what the dry run said');
  assert.equal(await linkedRecord(named.id), first.id);
  assert.equal(await stored(tandem.emulator, `record:stackflow:incidents:${second.id}`), undefined, 'the second record is left for the admin');
  assert.ok(activityOf(named.key).includes(`Linked ${first.number} to ${named.key}, which the record names`), activityOf(named.key).join(' | '));
  assert.ok(activitySummaries().includes(`Sync existing skipped ${second.number}: ${named.key} is already matched by ${first.number}`), 'Activity names the record left for the admin');
});

test('Jira → tool, the summary-and-day rule, two issues matching one record a step apart: the first is linked, the second skipped with the issue that has it, as the dry run said', async () => {
  tandem.emulator.holdProductEvents();
  const [early] = await createIssues('OPS', 'Bug', 1, 'Toner leaks on the floor', ['claims']);
  const fillers = await createIssues('OPS', 'Bug', 25, 'Claims filler', ['claims']);
  const [late] = await createIssues('OPS', 'Bug', 1, 'Toner leaks on the floor', ['claims']);
  tandem.emulator.releaseProductEvents();
  assert.ok(early && late);
  const byHand = itsm.createRecord('incidents', { short_description: 'toner leaks on the FLOOR 1' });
  const scope = { kind: 'jql', jql: 'labels = claims ORDER BY created ASC' };
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'summary-and-day' });
  assert.deepEqual(preview.counts, { create: fillers.length, link: 1, update: 0, skip: 1 });
  assert.deepEqual(preview.samples.skip, [{ issueKey: late.key, detail: `${byHand.number} is already matched by ${early.key}` }]);
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'summary-and-day', total: fillers.length + 2 });
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(job?.status, 'done');
  assert.deepEqual(job?.counts, { done: fillers.length + 2, created: preview.counts.create, linked: preview.counts.link, updated: preview.counts.update, skipped: preview.counts.skip, failed: 0 }, 'what the dry run said');
  assert.equal(await linkedRecord(early.id), byHand.id);
  assert.equal(await linkedRecord(late.id), undefined, 'the second issue is left for the admin');
  assert.deepEqual(activityOf(late.key), [`Sync existing skipped ${late.key}: ${byHand.number} is already matched by ${early.key}`]);
  assert.deepEqual(itsm.records('incidents').filter((r) => r.short_description.toLowerCase() === 'toner leaks on the floor 1').map((r) => r.id), [byHand.id], 'no record made for the second');
});

test('tool → Jira, the summary-and-day rule, two records a step apart matching one issue: the first is linked, the second skipped, as the dry run said', async () => {
  tandem.emulator.holdProductEvents();
  const [issue] = await createIssues('OPS', 'Bug', 1, 'Badge reader beeps all night');
  tandem.emulator.releaseProductEvents();
  assert.ok(issue);
  const first = itsm.createRecord('incidents', { short_description: 'badge reader beeps all night 1' });
  await tick();
  const fillers = Array.from({ length: 25 }, (_, n) => itsm.createRecord('incidents', { short_description: `Matched once filler ${n + 1}` }));
  await tick();
  const second = itsm.createRecord('incidents', { short_description: 'Badge Reader beeps all  night 1' });
  const scope = { kind: 'records', module: 'incidents', updatedSince: first.updated_at };
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'summary-and-day' });
  assert.deepEqual(preview.counts, { create: fillers.length, link: 1, update: 0, skip: 1 });
  assert.deepEqual(preview.samples.skip, [{ issueKey: second.number, detail: `${issue.key} is already matched by ${first.number}` }]);
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'summary-and-day', total: fillers.length + 2 });
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.deepEqual(job?.counts, { done: fillers.length + 2, created: preview.counts.create, linked: preview.counts.link, updated: preview.counts.update, skipped: preview.counts.skip, failed: 0 }, 'what the dry run said');
  assert.equal(((await stored(tandem.emulator, `record:stackflow:incidents:${first.id}`)) as { issueKey?: string } | undefined)?.issueKey, issue.key);
  assert.equal(await stored(tandem.emulator, `record:stackflow:incidents:${second.id}`), undefined, 'the second record is left for the admin, with no issue made for it');
});

test('the job view paces its rate and time left at the budget: after a first step done in a burst, the view counts the wait the budget owes before the next', async () => {
  tandem.emulator.holdProductEvents();
  await createIssues('OPS', 'Bug', 60, 'Paced bug', ['paced']);
  tandem.emulator.releaseProductEvents();
  const budget = 3000;
  await call('startBulkSync', { connectionId: 'stackflow', scope: { kind: 'jql', jql: 'labels = paced ORDER BY created ASC' }, matchRule: 'reference', total: 60, budgetPointsPerHour: budget });
  // The first step runs at once; the next waits on the queue for the points it spent, at the budget.
  await tandem.emulator.settle();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(job?.status, 'running');
  assert.equal(job?.counts.done, 25);
  const pointsPerIssue = (job?.points ?? 0) / 25;
  // What the budget allows: its points an hour, each issue costing what the first ones did.
  const pacedPerMinute = budget / pointsPerIssue / 60;
  const pacedSeconds = (35 * pointsPerIssue * 3600) / budget;
  assert.ok(job?.rate !== undefined && job.rate <= pacedPerMinute * 1.05, `${job?.rate} a minute shown; the budget allows ${pacedPerMinute.toFixed(1)}`);
  assert.ok(job?.etaSeconds !== undefined && job.etaSeconds >= pacedSeconds * 0.95, `${job?.etaSeconds} s left shown; the budget takes ${Math.round(pacedSeconds)} s`);
  await tandem.emulator.drain();
  assert.equal((await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job?.status, 'done');
});

test('tool → Jira, a step killed after the first of two records naming one issue was linked: its retry skips the second, as the dry run said, and fails none', async () => {
  tandem.emulator.holdProductEvents();
  const [named] = await createIssues('OPS', 'Bug', 1, 'Claimed before a crash');
  tandem.emulator.releaseProductEvents();
  assert.ok(named);
  const first = itsm.createRecord('incidents', { short_description: 'Names it first', jira_issue_key: named.key });
  await tick();
  // The step dies at its first storage write after a Jira write: the first record's link brings its
  // newer summary to the issue, and the step dies before its checkpoint is saved.
  itsm.createRecord('incidents', { short_description: 'Made before the crash' });
  await tick();
  const second = itsm.createRecord('incidents', { short_description: 'Names it second', jira_issue_key: named.key });
  const scope = { kind: 'records', module: 'incidents', updatedSince: first.updated_at };
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference' });
  assert.deepEqual(preview.counts, { create: 1, link: 1, update: 0, skip: 1 });
  const before = tandem.emulator.crashes.crashed.length;
  tandem.emulator.crashes.set({ next: 1, after: 'tool-or-jira-write', functionKey: 'on-bulk-step' });
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference', total: 3 });
  await tandem.emulator.drain();
  tandem.emulator.crashes.clear();
  assert.equal(tandem.emulator.crashes.crashed.length - before, 1, 'the step was killed once');
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.deepEqual(job?.counts, { done: 3, created: preview.counts.create, linked: preview.counts.link, updated: preview.counts.update, skipped: preview.counts.skip, failed: 0 }, 'what the dry run said');
  assert.equal(await linkedRecord(named.id), first.id);
  assert.equal(await stored(tandem.emulator, `record:stackflow:incidents:${second.id}`), undefined);
});

test('tool → Jira, a record naming an issue already linked to another record: the dry run and the job skip it, naming that record, and fail nothing', async () => {
  // Made while the connection is on: the live path makes its record and links them.
  const [issue] = await createIssues('OPS', 'Bug', 1, 'Linked before the job');
  await tandem.emulator.drain();
  assert.ok(issue);
  const linkedId = await linkedRecord(issue.id);
  const holder = itsm.records('incidents').find((r) => r.id === linkedId);
  assert.ok(holder, 'the issue is linked to a record before the job');
  const late = itsm.createRecord('incidents', { short_description: 'Filed by hand later, naming a linked issue', jira_issue_key: issue.key });
  const scope = { kind: 'records', module: 'incidents', updatedSince: late.updated_at };
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference' });
  assert.deepEqual(preview.counts, { create: 0, link: 0, update: 0, skip: 1 });
  assert.deepEqual(preview.samples.skip, [{ issueKey: late.number, detail: `${issue.key} is already linked to ${holder.number}` }]);
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference', total: 1 });
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(job?.status, 'done');
  assert.deepEqual(job?.counts, { done: 1, created: preview.counts.create, linked: preview.counts.link, updated: preview.counts.update, skipped: preview.counts.skip, failed: 0 }, 'what the dry run said');
  assert.equal(await linkedRecord(issue.id), holder.id, 'the issue keeps its record');
  assert.equal(await stored(tandem.emulator, `record:stackflow:incidents:${late.id}`), undefined, 'the later record is left for the admin');
  assert.ok(activityOf(issue.key).includes(`Sync existing skipped ${late.number}: ${issue.key} is already linked to ${holder.number}`), activityOf(issue.key).join(' | '));
});

test('tool → Jira, records naming an issue Jira does not have, or one not mapped from the tool: the first becomes a new issue, the second is skipped, as the dry run said', async () => {
  tandem.emulator.holdProductEvents();
  const [change] = await createIssues('INFRA', 'Task', 1, 'A change, mapped to the tool only');
  tandem.emulator.releaseProductEvents();
  assert.ok(change);
  const missing = itsm.createRecord('incidents', { short_description: 'Names an issue long gone', jira_issue_key: 'OPS-99999' });
  await tick();
  const unmapped = itsm.createRecord('incidents', { short_description: 'Names a change', jira_issue_key: change.key });
  const scope = { kind: 'records', module: 'incidents', updatedSince: missing.updated_at };
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference' });
  assert.deepEqual(preview.counts, { create: 1, link: 0, update: 0, skip: 1 });
  assert.deepEqual(preview.samples.create, [{ issueKey: missing.number, detail: 'OPS-99999 is not in Jira, so a new issue is made' }]);
  assert.deepEqual(preview.samples.skip, [{ issueKey: unmapped.number, detail: `${change.key} is not in a project and issue type mapped to incidents from the tool` }]);
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference', total: 2 });
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.equal(job?.status, 'done');
  assert.deepEqual(job?.counts, { done: 2, created: preview.counts.create, linked: preview.counts.link, updated: preview.counts.update, skipped: preview.counts.skip, failed: 0 }, 'what the dry run said');
  const made = (await stored(tandem.emulator, `record:stackflow:incidents:${missing.id}`)) as { issueKey: string } | undefined;
  assert.ok(made && made.issueKey !== 'OPS-99999', 'a new issue is made for the record naming a missing one');
  assert.equal(await stored(tandem.emulator, `record:stackflow:incidents:${unmapped.id}`), undefined, 'the record naming a change is left for the admin');
  assert.equal(await linkedRecord(change.id), undefined);
  assert.ok(activityOf(change.key).includes(`Sync existing skipped ${unmapped.number}: ${change.key} is not in a project and issue type mapped to incidents from the tool`), activityOf(change.key).join(' | '));
});

test('tool → Jira, a record whose Jira issue was deleted (the record closed by it): the dry run and the job skip it with that reason, and bring no issue back', async () => {
  const [gone] = await createIssues('OPS', 'Bug', 1, 'Deleted after it synced');
  assert.ok(gone);
  await tandem.emulator.drain();
  const record = itsm.records('incidents').find((r) => r.jira_issue_key === gone.key);
  assert.ok(record, 'the live sync made its record');
  assert.equal((await tandem.rest(agent(), 'DELETE', `/rest/api/3/issue/${gone.key}`)).status, 204);
  await tandem.emulator.drain();
  assert.equal(itsm.record('incidents', record.id)?.state, 'closed', 'the deletion closed the record');
  const scope = { kind: 'records', module: 'incidents', updatedSince: itsm.record('incidents', record.id)?.updated_at };
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference' });
  assert.deepEqual(preview.counts, { create: 0, link: 0, update: 0, skip: 1 });
  assert.match(preview.samples.skip[0]?.detail ?? '', new RegExp(`Its Jira issue ${gone.key} was deleted`));
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference', total: 1 });
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.deepEqual(job?.counts, { done: 1, created: 0, linked: 0, updated: 0, skipped: 1, failed: 0 }, 'what the dry run said');
  assert.equal(tandem.jira.listIssues().filter((i) => i.summary === 'Deleted after it synced 1').length, 0, 'no issue brought back');
});

test('a record Sync existing matched by summary and day whose link is kept as a failure is linked the same way by the admin’s retry, and Activity says how it was matched', async () => {
  const { forgePorts } = await import('../../src/platform/ports');
  const { inboundFailedKey, keptInboundDelivery, runInboundDelivery } = await import('../../src/sync/inbound');
  // Made before Tandem was connected: no trigger sends it.
  tandem.emulator.holdProductEvents();
  const [issue] = await createIssues('OPS', 'Bug', 1, 'Matched then kept');
  tandem.emulator.releaseProductEvents();
  assert.ok(issue);
  const made = itsm.createRecord('incidents', { short_description: 'Matched then kept 1' });
  const event = { eventId: `bulk-kept-${made.id}`, type: 'record.created' as const, occurredAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), record: { module: 'incidents', id: made.id, url: itsm.recordUrl('incidents', made.id), number: made.number, fields: { short_description: made.short_description }, jiraIssueKey: issue.key } };
  // Jira answers 503 to the last attempt: the event is kept for the admin.
  tandem.jira.rateLimit.set({ kind: '503', every: 1 });
  try {
    await runInboundDelivery(forgePorts, { kind: 'inbound', connectionId: 'stackflow', event, attempt: 8, matchedBy: 'summary-and-day' });
  } finally {
    tandem.jira.rateLimit.clear();
  }
  assert.ok(await stored(tandem.emulator, inboundFailedKey('stackflow', event.eventId)), 'kept for the admin');
  const retry = await keptInboundDelivery(forgePorts, 'stackflow', event.eventId);
  assert.equal(retry?.matchedBy, 'summary-and-day');
  assert.ok(retry);
  await runInboundDelivery(forgePorts, retry);
  assert.equal(await linkedRecord(issue.id), made.id);
  assert.ok(activityOf(issue.key).some((a) => /^Linked .* to .*: /.test(a) && !a.endsWith('which the record names')), activityOf(issue.key).join(' | '));
});

test('tool → Jira, a record naming an issue by the key it had before it moved to another project: the dry run and the job link it to that issue, and the record gets the issue’s key now', async () => {
  tandem.emulator.holdProductEvents();
  const [issue] = await createIssues('INFRA', 'Task', 1, 'Moved to Operations');
  assert.ok(issue);
  const record = itsm.createRecord('incidents', { short_description: 'Filed by hand before the move', jira_issue_key: issue.key });
  // The move comes a moment after the record was filed (within the same millisecond neither is the later).
  await tandem.emulator.advance(1_000);
  const bug = tandem.jira.getProject('OPS')?.issueTypes.find((t) => t.name === 'Bug');
  assert.ok(bug);
  const moved = await tandem.rest(agent(), 'POST', '/rest/api/3/bulk/issues/move', { targetToSourcesMapping: { [`OPS,${bug.id}`]: { issueIdsOrKeys: [issue.key], inferStatusDefaults: true, inferFieldDefaults: true } } });
  assert.equal(moved.status, 201, JSON.stringify(moved.body));
  tandem.emulator.releaseProductEvents();
  const newKey = tandem.jira.getIssue(issue.id)?.key;
  assert.ok(newKey?.startsWith('OPS-'), 'the move gave it an Operations key');
  const scope = { kind: 'records', module: 'incidents', updatedSince: record.updated_at };
  const { preview } = await call<{ preview: BulkPreview }>('previewBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference' });
  assert.deepEqual(preview.counts, { create: 0, link: 1, update: 0, skip: 0 });
  await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference', total: 1 });
  await tandem.emulator.drain();
  const job = (await call<{ job?: BulkJobView }>('getBulkSync', { connectionId: 'stackflow' })).job;
  assert.deepEqual(job?.counts, { done: 1, created: 0, linked: 1, updated: 0, skipped: 0, failed: 0 }, 'what the dry run said');
  assert.equal(await linkedRecord(issue.id), record.id, 'the moved issue is the record’s');
  assert.equal(tandem.jira.listIssues().filter((i) => i.summary === 'Filed by hand before the move').length, 0, 'no second issue');
  assert.equal(itsm.record('incidents', record.id)?.jira_issue_key, newKey, 'the record names the issue as it is now');
  const now = await call<{ issueKey: string }>('syncIssueNow', { connectionId: 'stackflow', issueKey: issue.key });
  assert.equal(now.issueKey, newKey, 'Sync now by the old key finds the issue too');
});

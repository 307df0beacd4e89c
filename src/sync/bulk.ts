// Sync existing: the issues that were there before a connection was made, brought to the tool in
// the background. A job per connection runs on its own queue in checkpointed pages of
// /rest/api/3/search/jql; each issue goes through the ordinary outbound delivery (runDelivery), so
// a bulk sync creates, finds and links records exactly as a live change does. The checkpoint (page
// token, position in the page, counts) is written after every issue, so a restart at any point goes
// on from the issue it was at; the delivery itself finds the record a dead invocation made.
import * as z from 'zod';
import type { BulkClassName, BulkJobView, BulkPreview, BulkSample, BulkScope } from '../contract/admin';
import { recordRestConnector } from '../connectors';
import { findProjectMapping, parseConfig, SAME_SUMMARY_AND_DAY, type BulkItemPlan, type Connection } from '../mapping';
import { countingJira, pageItems, plan, takeClaim, toolRecords, type PageItem } from './bulk-read';
import { issueCandidates, namedIssues, namedKeys, namedReadTally, planRecord, readNamed, recordPage, recordStepPage, unlinkedFacts, type StepPage } from './bulk-records';
import { activityWrite } from './journal';
import { runDelivery } from './outbound';
import { isTransientJiraError, JiraRequestError, type BulkPorts, type BulkStepMessage, type JiraPort, type Ports } from './ports';
import { authSecretKey, CONFIG_KEY, failureKey, failureSchema, failureSubjectKey, issueStateKey, keyPart, readIssueState, recordIndexKey, type Link } from './state';

// ---------------------------------------------------------------- Forge and Jira limits

/**
 * Jira's hourly points quota for an app, shared by all its installations (Tier 1: 65,000), and the
 * share a job spends by default: a modest one, so live syncing and other installs keep theirs. Each
 * request costs 1 point plus 1 for each object it reads; a write costs 1
 * (https://developer.atlassian.com/cloud/jira/platform/rate-limiting/).
 */
export const QUOTA_POINTS_PER_HOUR = 65_000;
export const DEFAULT_BUDGET_POINTS_PER_HOUR = 6_500;
export const MIN_BUDGET_POINTS_PER_HOUR = 100;
/** Issues read a search page, and so handled a step: one invocation stays far inside 900 s. */
export const BULK_PAGE_SIZE = 25;
/** Forge allows 1,000 pushes in one chain (https://developer.atlassian.com/platform/forge/limits-async-events/): a chain ends well before. */
export const CHAIN_LIMIT = 900;
/**
 * Jira points one issue is expected to cost, by what happens to it: a new link reads the issue and its
 * comments and writes the remote link, the label and the sync state property (bench/bulk.ts measures 7).
 */
const POINTS_PER_ITEM: Record<BulkClassName, number> = { create: 7, link: 7, update: 2, skip: 0 };
/** Jira requests one issue is expected to make, the same way. */
const REQUESTS_PER_ITEM: Record<BulkClassName, number> = { create: 5, link: 5, update: 1, skip: 0 };
/**
 * The same for a record (tool → Jira): a new issue is created, read back for its status and given its
 * remote link, and shares its step's two create-screen reads (bench/bulk.ts measures 4.6 points); the
 * listing is the tool's, not Jira's.
 */
const POINTS_PER_RECORD: Record<BulkClassName, number> = { create: 5, link: 7, update: 2, skip: 0 };
const REQUESTS_PER_RECORD: Record<BulkClassName, number> = { create: 3, link: 5, update: 1, skip: 0 };

// ---------------------------------------------------------------- the job in storage

export const bulkScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.enum(['open', 'all']), projectKey: z.string().trim().min(1).max(50), issueType: z.string().trim().min(1).max(255).optional() }),
  z.object({ kind: z.literal('jql'), jql: z.string().trim().min(1, 'Type a JQL query').max(2000) }),
  z.object({ kind: z.literal('records'), module: z.string().trim().min(1).max(64), updatedSince: z.iso.datetime({ offset: true }).optional() }),
]);
export const bulkRequestSchema = z.object({
  connectionId: z.string().min(1).max(64),
  scope: bulkScopeSchema,
  matchRule: z.enum(['reference', 'summary-and-day']).default('reference'),
  budgetPointsPerHour: z.number().int().min(MIN_BUDGET_POINTS_PER_HOUR).max(DEFAULT_BUDGET_POINTS_PER_HOUR).optional(),
});

const countsSchema = z.object({ done: z.number(), created: z.number(), linked: z.number(), updated: z.number(), skipped: z.number(), failed: z.number() });
type Counts = z.infer<typeof countsSchema>;

export const jobSchema = z.object({
  jobId: z.string(),
  connectionId: z.string(),
  scope: bulkScopeSchema,
  matchRule: z.enum(['reference', 'summary-and-day']),
  jql: z.string(),
  status: z.enum(['running', 'paused', 'cancelled', 'done', 'failed']),
  startedBy: z.string(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  budgetPointsPerHour: z.number(),
  total: z.number().optional(),
  /** The step the job waits for; a message for any other is a duplicate or stale, and does nothing. */
  step: z.number().int(),
  /** Checkpoint: the token of the page being worked through (none: the first) and how many of its issues are done. */
  token: z.string().optional(),
  index: z.number().int(),
  counts: countsSchema,
  points: z.number(),
  note: z.string().optional(),
  /** When the step the job waits for is due: a running job whose step is long overdue has lost its chain. */
  dueAt: z.string().optional(),
});
export type Job = z.infer<typeof jobSchema>;

const controlSchema = z.object({ want: z.enum(['run', 'pause', 'cancel']), by: z.string(), at: z.string() });

export const bulkJobKey = (connectionId: string) => `bulk-job:${keyPart(connectionId)}`;
const bulkControlKey = (connectionId: string) => `bulk-control:${keyPart(connectionId)}`;
/** One invocation owns a step: a duplicate delivery of its message finds it taken; the platform's retry of the same event takes over. */
const bulkClaimKey = (jobId: string, step: number) => `bulk-claim:${keyPart(jobId)}:${step}`;
const CLAIM_TTL_SECONDS = 24 * 60 * 60;
/** The message that runs one step of a job. */
export const bulkStepSchema: z.ZodType<BulkStepMessage> = z.object({ type: z.literal('bulk-step'), connectionId: z.string(), jobId: z.string(), step: z.number().int(), chain: z.number().int().min(0) });

export class BulkError extends Error {
  constructor(
    readonly code: 'INVALID' | 'NOT_FOUND' | 'CONFLICT',
    message: string,
  ) {
    super(message);
  }
}

async function readJob(ports: Pick<Ports, 'store'>, connectionId: string): Promise<Job | undefined> {
  const parsed = jobSchema.safeParse(await ports.store.get(bulkJobKey(connectionId)));
  return parsed.success ? parsed.data : undefined;
}

async function connectionOf(ports: Pick<Ports, 'store'>, connectionId: string): Promise<Connection | undefined> {
  const raw = await ports.store.get(CONFIG_KEY);
  const parsed = raw === undefined ? undefined : parseConfig(raw);
  return parsed?.ok ? parsed.config.connections.find((c) => c.id === connectionId) : undefined;
}

// ---------------------------------------------------------------- what a scope reads

/** The JQL a scope searches with, oldest first so pages stay put while the job runs. */
export function scopeJql(connection: Connection, scope: BulkScope): string {
  if (scope.kind === 'jql') return scope.jql;
  if (scope.kind === 'records') {
    if (!connection.projects.some((p) => p.module === scope.module)) throw new BulkError('NOT_FOUND', `${connection.name} maps no project to ${scope.module}`);
    return '';
  }
  const mapping = connection.projects.find((p) => p.projectKey === scope.projectKey.toUpperCase() && p.issueType === (scope.issueType ?? p.issueType));
  if (!mapping) throw new BulkError('NOT_FOUND', `${connection.name} has no project mapping for ${scope.projectKey}`);
  const quote = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;
  const parts = [`project = ${quote(mapping.projectKey)}`];
  if (mapping.issueType !== '*') parts.push(`issuetype = ${quote(mapping.issueType)}`);
  if (scope.kind === 'open') parts.push('statusCategory != Done');
  return `${parts.join(' AND ')} ORDER BY created ASC`;
}


// ---------------------------------------------------------------- dry run

/** What a sync would do, read page by page and written nowhere: counts, samples, the Jira cost and the time at the budget. */
export async function previewBulkSync(ports: Ports, request: z.infer<typeof bulkRequestSchema>): Promise<BulkPreview> {
  const connection = await connectionOf(ports, request.connectionId);
  if (!connection) throw new BulkError('NOT_FOUND', 'There is no such connection.');
  const jql = await checkedJql(ports, connection, request.scope);
  const spent = { requests: 0, points: 0 };
  const counted: Ports = { ...ports, jira: countingJira(ports.jira, spent) };
  const records = (await toolRecords(counted, connection))?.index;
  // Counterparts matched so far, in listing order: the job skips a later item that finds one, and so does the dry run.
  const claimed = new Map<string, string>();
  const counts: Record<BulkClassName, number> = { create: 0, link: 0, update: 0, skip: 0 };
  const samples: Record<BulkClassName, BulkSample[]> = { create: [], link: [], update: [], skip: [] };
  let itemPoints = 0;
  let token: string | undefined;
  const sample = (cls: BulkClassName, label: string, planned: BulkItemPlan) => {
    const detail = planned.counterpart ? `${planned.counterpart.label} (${planned.counterpart.by === 'summary-and-day' ? 'same summary and day' : planned.counterpart.by === 'reference' ? 'names the issue' : 'linked'})` : planned.reason;
    // A create with something to say (the issue it names is not in Jira) is shown before a plain one.
    const plain = detail && cls === 'create' ? samples[cls].findIndex((s) => s.detail === undefined) : -1;
    if (samples[cls].length >= 5 && plain >= 0) samples[cls].splice(plain, 1);
    if (samples[cls].length >= 5) return;
    samples[cls].push({ issueKey: label, ...(detail ? { detail } : {}) });
  };
  if (request.scope.kind === 'records') {
    const scope = request.scope;
    const namedReads = namedReadTally(BULK_PAGE_SIZE);
    do {
      const page = await recordPage(counted, connection, { module: scope.module, limit: 100, ...(token ? { cursor: token } : {}), ...(scope.updatedSince ? { updatedSince: scope.updatedSince } : {}) });
      if (typeof page === 'string') throw new BulkError('INVALID', page);
      const fetched = await readNamed(counted, namedKeys(page.records));
      const named = namedIssues(connection, fetched, fetched.size === 0 ? new Map<string, unknown>() : await ports.store.getMany([...fetched.values()].map((i) => issueStateKey(i.id))));
      const issues = request.matchRule === 'summary-and-day' ? (await issueCandidates(counted, connection, scope.module, unlinkedFacts(page.records))).index : undefined;
      for (const item of page.records) {
        const planned = planRecord(connection, item, named, issues, request.matchRule, claimed);
        takeClaim(claimed, planned, item.record.number ?? item.record.id);
        counts[planned.class] += 1;
        itemPoints += POINTS_PER_RECORD[planned.class];
        sample(planned.class, item.record.number ?? item.record.id, planned);
      }
      namedReads.add(page.records, named);
      token = page.nextCursor;
    } while (token);
    return costOf(counts, samples, itemPoints, request.budgetPointsPerHour, 'records', namedReads.cost());
  }
  do {
    const page = await searchOrRefuse(counted.jira, { jql, fields: ['summary', 'created'], maxResults: 100, ...(token ? { nextPageToken: token } : {}) });
    for (const item of await pageItems(counted, connection, page.issues)) {
      const planned = plan(connection, item, records, request.matchRule, claimed);
      takeClaim(claimed, planned, item.issue.key);
      counts[planned.class] += 1;
      itemPoints += POINTS_PER_ITEM[planned.class];
      sample(planned.class, item.issue.key, planned);
    }
    token = page.nextPageToken;
  } while (token);
  return costOf(counts, samples, itemPoints, request.budgetPointsPerHour, 'issues');
}

/** `reads`: what the job's steps read besides their items (tool → Jira: the issues the records name). */
function costOf(counts: Record<BulkClassName, number>, samples: Record<BulkClassName, BulkSample[]>, itemPoints: number, budgetPointsPerHour: number | undefined, of: 'issues' | 'records', reads = { requests: 0, points: 0 }): BulkPreview {
  const total = counts.create + counts.link + counts.update + counts.skip;
  const pages = Math.max(1, Math.ceil(total / BULK_PAGE_SIZE));
  const perItem = of === 'issues' ? REQUESTS_PER_ITEM : REQUESTS_PER_RECORD;
  const itemRequests = counts.create * perItem.create + counts.link * perItem.link + counts.update * perItem.update;
  // Jira → tool: the job reads the same pages again (in pages of BULK_PAGE_SIZE), then spends its points on the issues.
  // Tool → Jira: the tool is listed, and each step that makes issues reads the create screen twice.
  const points = (of === 'issues' ? pages + total + itemPoints : itemPoints) + reads.points;
  const jiraRequests = (of === 'issues' ? pages : 2 * Math.ceil(counts.create / BULK_PAGE_SIZE)) + itemRequests + reads.requests;
  const budget = budgetPointsPerHour ?? DEFAULT_BUDGET_POINTS_PER_HOUR;
  return { counts, samples, jiraRequests, points, budgetPointsPerHour: budget, estimatedSeconds: Math.ceil((points / budget) * 3600) };
}

async function searchOrRefuse(jira: JiraPort, input: Parameters<JiraPort['searchIssues']>[0]): ReturnType<JiraPort['searchIssues']> {
  try {
    return await jira.searchIssues(input);
  } catch (error) {
    if (error instanceof JiraRequestError && error.status === 400) throw new BulkError('INVALID', `Jira cannot run this query: ${error.message}`);
    throw error;
  }
}

async function checkedJql(ports: Ports, connection: Connection, scope: BulkScope): Promise<string> {
  const jql = scopeJql(connection, scope);
  if (scope.kind === 'jql') {
    const errors = await ports.jira.checkJql(jql);
    if (errors.length > 0) throw new BulkError('INVALID', `Jira cannot run this query: ${errors.join(' ')}`);
  }
  return jql;
}

// ---------------------------------------------------------------- start, pause, resume, cancel

export async function startBulkSync(ports: BulkPorts, request: z.infer<typeof bulkRequestSchema>, accountId: string, total?: number): Promise<BulkJobView> {
  const connection = await connectionOf(ports, request.connectionId);
  if (!connection) throw new BulkError('NOT_FOUND', 'There is no such connection.');
  const existing = await readJob(ports, connection.id);
  if (existing && (existing.status === 'running' || existing.status === 'paused')) throw new BulkError('CONFLICT', `A sync of existing issues is already ${existing.status} on ${connection.name}: cancel it first.`);
  const jql = await checkedJql(ports, connection, request.scope);
  const at = new Date(ports.clock.now()).toISOString();
  const job: Job = {
    jobId: `${connection.id}-${ports.clock.now().toString(36)}`,
    connectionId: connection.id,
    scope: request.scope,
    matchRule: request.matchRule,
    jql,
    status: 'running',
    startedBy: accountId,
    startedAt: at,
    dueAt: at,
    budgetPointsPerHour: request.budgetPointsPerHour ?? DEFAULT_BUDGET_POINTS_PER_HOUR,
    ...(total === undefined ? {} : { total }),
    step: 1,
    index: 0,
    counts: { done: 0, created: 0, linked: 0, updated: 0, skipped: 0, failed: 0 },
    points: 0,
  };
  await ports.store.writeAll([
    { key: bulkJobKey(connection.id), value: job },
    { key: bulkControlKey(connection.id), value: { want: 'run', by: accountId, at } },
    activityWrite(ports, { connectionId: connection.id, direction: 'outbound', outcome: 'synced', summary: `Sync existing started by ${accountId}: ${describeScope(request.scope)}`, details: [`JQL: ${jql}`] }),
  ]);
  await ports.bulkQueue.push({ type: 'bulk-step', connectionId: connection.id, jobId: job.jobId, step: 1, chain: 0 });
  return viewOf(ports, job);
}

function describeScope(scope: BulkScope): string {
  if (scope.kind === 'records') return `the ${scope.module} records${scope.updatedSince ? ` changed since ${scope.updatedSince}` : ''}, into Jira`;
  return scope.kind === 'jql' ? `the issues of ${scope.jql}` : `${scope.kind === 'open' ? 'the open' : 'all the'} issues of ${scope.projectKey}${scope.issueType && scope.issueType !== '*' ? ` (${scope.issueType})` : ''}`;
}

export async function getBulkSync(ports: Ports, connectionId: string): Promise<BulkJobView | undefined> {
  const job = await readJob(ports, connectionId);
  return job ? viewOf(ports, job) : undefined;
}

/** Pause and cancel take effect once the issue in hand is done; resume goes on from the checkpoint. */
export async function controlBulkSync(ports: BulkPorts, connectionId: string, want: 'pause' | 'resume' | 'cancel', accountId: string): Promise<BulkJobView> {
  const job = await readJob(ports, connectionId);
  if (!job || (job.status !== 'running' && job.status !== 'paused')) throw new BulkError('NOT_FOUND', 'No sync of existing issues is running on this connection.');
  const at = new Date(ports.clock.now()).toISOString();
  await ports.store.set(bulkControlKey(connectionId), { want: want === 'resume' ? 'run' : want, by: accountId, at });
  if (job.status === 'paused' && want === 'cancel') return viewOf(ports, await finish(ports, job, 'cancelled', accountId));
  if (job.status === 'paused' && want === 'resume') {
    const next: Job = { ...job, status: 'running', step: job.step + 1, dueAt: at };
    await ports.store.set(bulkJobKey(connectionId), next);
    await ports.bulkQueue.push({ type: 'bulk-step', connectionId, jobId: job.jobId, step: next.step, chain: 0 });
    return viewOf(ports, next);
  }
  return viewOf(ports, job);
}

async function finish(ports: Ports, job: Job, status: 'done' | 'cancelled' | 'failed', by?: string, note?: string): Promise<Job> {
  const ended: Job = { ...job, status, endedAt: new Date(ports.clock.now()).toISOString(), ...(note ? { note } : {}) };
  const { done, created, linked, updated, skipped, failed } = job.counts;
  const how = status === 'done' ? (failed > 0 ? `done with ${failed} failure${failed === 1 ? '' : 's'}` : 'done') : status === 'cancelled' ? `cancelled${by ? ` by ${by}` : ''}` : `failed: ${note ?? ''}`;
  await ports.store.writeAll([
    { key: bulkJobKey(job.connectionId), value: ended },
    activityWrite(ports, {
      connectionId: job.connectionId,
      direction: 'outbound',
      outcome: status === 'failed' ? 'failed' : 'synced',
      summary: `Sync existing started by ${job.startedBy} ${how}`,
      details: [`${done} issues: ${created} created, ${linked} linked, ${updated} updated, ${skipped} skipped, ${failed} failed`],
    }),
  ]);
  return ended;
}

function viewOf(ports: Pick<Ports, 'clock'>, job: Job): BulkJobView {
  // A step does its page in a burst, then the next waits until it is due (the points spent, at the
  // budget; or as long as Jira asked): the work done is counted until then, so the rate is the job's
  // pace and the time left what the budget will take, not the last burst's speed.
  const due = job.status === 'running' && job.dueAt ? Date.parse(job.dueAt) : 0;
  const minutes = ((job.endedAt ? Date.parse(job.endedAt) : Math.max(ports.clock.now(), due)) - Date.parse(job.startedAt)) / 60_000;
  const rate = minutes > 0 && job.counts.done > 0 ? Math.round((job.counts.done / minutes) * 10) / 10 : undefined;
  const remaining = job.total === undefined ? undefined : Math.max(0, job.total - job.counts.done);
  return {
    jobId: job.jobId,
    connectionId: job.connectionId,
    scope: job.scope,
    status: job.status,
    startedBy: job.startedBy,
    startedAt: job.startedAt,
    ...(job.endedAt ? { endedAt: job.endedAt } : {}),
    counts: job.counts,
    ...(job.total === undefined ? {} : { total: job.total }),
    ...(remaining === undefined ? {} : { remaining }),
    ...(rate === undefined ? {} : { rate }),
    ...(rate !== undefined && remaining !== undefined && job.status === 'running' ? { etaSeconds: Math.ceil((remaining / rate) * 60) } : {}),
    budgetPointsPerHour: job.budgetPointsPerHour,
    points: job.points,
    ...(job.note ? { note: job.note } : {}),
  };
}

// ---------------------------------------------------------------- one step

/** Runs one step: the rest of one search page, an issue at a time, each checkpointed; then queues the next step at the budget's pace. */
export async function runBulkStep(ports: BulkPorts, message: BulkStepMessage, eventId: string): Promise<void> {
  let job = await readJob(ports, message.connectionId);
  if (!job || job.jobId !== message.jobId || job.step !== message.step || job.status !== 'running') return;
  const claim = bulkClaimKey(job.jobId, job.step);
  if (!(await ports.store.create(claim, { eventId }, CLAIM_TTL_SECONDS))) {
    // Another delivery of this step runs it; the platform's retry of this very event (its try died) takes over.
    const held = z.object({ eventId: z.string() }).safeParse(await ports.store.get(claim));
    if (!held.success || held.data.eventId !== eventId) return;
  }
  const control = controlSchema.safeParse(await ports.store.get(bulkControlKey(job.connectionId)));
  if (control.success && control.data.want === 'cancel') return void (await finish(ports, job, 'cancelled', control.data.by));
  if (control.success && control.data.want === 'pause') return void (await ports.store.set(bulkJobKey(job.connectionId), { ...job, status: 'paused' }));
  const connection = await connectionOf(ports, job.connectionId);
  if (!connection || !connection.enabled) return void (await finish(ports, job, 'failed', undefined, 'the connection was deleted or turned off'));

  const spent = { requests: 0, points: 0 };
  const counted: Ports = { ...ports, jira: countingJira(ports.jira, spent) };
  const started = ports.clock.now();
  const pointsAtStart = job.points;
  let waitUntil: number | undefined;
  try {
    const page = await stepPage(counted, connection, job);
    if (typeof page === 'string') return void (await finish(ports, job, 'failed', undefined, page));
    if (page.token !== undefined && page.token !== job.token) job = { ...job, token: page.token, index: 0 };
    for (let index = page.resumeAt ?? job.index; index < page.size; index += 1) {
      const outcome = await page.item(index);
      if (outcome.counted === 'again') {
        // Neither counted nor marked: the next step, after the wait, does this item again.
        job = { ...job, points: job.points + spent.points };
        spent.points = 0;
        await ports.store.set(bulkJobKey(job.connectionId), job);
        waitUntil = outcome.waitUntil ?? ports.clock.now() + 30_000;
        break;
      }
      job = { ...job, index: index + 1, counts: counting(job.counts, outcome.counted), points: job.points + spent.points };
      spent.points = 0;
      // The checkpoint and the item's mark in one transaction: a restart finds both or neither.
      await ports.store.writeAll([{ key: bulkJobKey(job.connectionId), value: job }, ...(outcome.writes ?? [])]);
      if (outcome.waitUntil !== undefined) {
        // Jira is rate-limiting: the delivery waits its turn on the queue, and the job slows down with it.
        waitUntil = outcome.waitUntil;
        break;
      }
    }
    if (waitUntil === undefined && job.index >= page.size) {
      if (!page.next) return void (await finish(ports, { ...job, points: job.points + spent.points }, 'done'));
      job = { ...job, token: page.next, index: 0 };
    }
  } catch (error) {
    if (!isTransientJiraError(error)) {
      const detail = error instanceof JiraRequestError ? error.message : 'an unexpected error';
      return void (await finish(ports, job, 'failed', undefined, detail.slice(0, 300)));
    }
    // 429 or 5xx: wait as long as Jira says (a spent hourly quota: until its reset), then go on from the checkpoint.
    waitUntil = ports.clock.now() + Math.max(5, error.retryAfterSeconds ?? 30) * 1000;
  }
  // The points this step spent, spread at the budget's rate: the next step waits out the rest.
  const pace = (job.points + spent.points - pointsAtStart) / (job.budgetPointsPerHour / 3600);
  const elapsed = (ports.clock.now() - started) / 1000;
  const delay = Math.max(0, Math.ceil(Math.max(pace - elapsed, waitUntil === undefined ? 0 : (waitUntil - ports.clock.now()) / 1000)));
  const note = waitUntil === undefined ? undefined : `Jira asked Tandem to slow down; going on at ${new Date(waitUntil).toISOString()}`;
  const { note: _old, ...rest } = job;
  void _old;
  const dueAt = new Date(ports.clock.now() + delay * 1000).toISOString();
  const next: Job = { ...rest, step: job.step + 1, points: job.points + spent.points, dueAt, ...(note ? { note } : {}) };
  await ports.store.set(bulkJobKey(job.connectionId), next);
  if (message.chain + 1 >= CHAIN_LIMIT) return; // Left for the scheduled restart, which starts a new chain.
  await ports.bulkQueue.push({ ...message, step: next.step, chain: message.chain + 1 }, delay);
}

/** The page the checkpoint points at: issues of a search (Jira → tool) or records of a listing (tool → Jira); a string says why it cannot be read. */
async function stepPage(ports: Ports, connection: Connection, job: Job): Promise<StepPage | string> {
  const scope = job.scope;
  if (scope.kind === 'records') {
    return recordStepPage(ports, connection, { jobId: job.jobId, module: scope.module, matchRule: job.matchRule, limit: BULK_PAGE_SIZE, ...(job.token ? { token: job.token } : {}), ...(scope.updatedSince ? { updatedSince: scope.updatedSince } : {}) });
  }
  const page = await ports.jira.searchIssues({ jql: job.jql, fields: ['summary', 'created'], maxResults: BULK_PAGE_SIZE, ...(job.token ? { nextPageToken: job.token } : {}) });
  const items = await pageItems(ports, connection, page.issues);
  const records = job.matchRule === 'summary-and-day' ? await toolRecords(ports, connection, { jobId: job.jobId, issues: items.map((i) => i.issue) }) : undefined;
  const claimed = records?.claimed ?? new Map<string, string>();
  return {
    size: items.length,
    ...(page.nextPageToken ? { next: page.nextPageToken } : {}),
    async item(index) {
      const item = items[index];
      if (!item) return { counted: 'skipped' };
      const planned = plan(connection, item, records?.index, job.matchRule, claimed);
      if (planned.skip === 'claimed') {
        // Left for the admin to link by hand: Activity names the issue and who has its record.
        return { counted: 'skipped', writes: [activityWrite(ports, { connectionId: connection.id, direction: 'outbound', outcome: 'skipped', issueKey: item.issue.key, summary: `Sync existing skipped ${item.issue.key}: ${planned.reason ?? ''}` })] };
      }
      // Claimed in the item's checkpoint, whatever came of it: a link that failed is the admin's to retry, as the dry run counted it.
      const writes = takeClaim(claimed, planned, item.issue.key, job.jobId);
      return { ...(await syncItem(ports, connection, item, planned)), writes };
    },
  };
}

function counting(counts: Counts, outcome: keyof Omit<Counts, 'done'>): Counts {
  return { ...counts, done: counts.done + 1, [outcome]: counts[outcome] + 1 };
}

/** One issue through the ordinary delivery; what it came to, read back from its link and failure. */
async function syncItem(ports: Ports, connection: Connection, item: PageItem, planned: BulkItemPlan): Promise<{ counted: keyof Omit<Counts, 'done'>; waitUntil?: number }> {
  if (planned.class === 'skip') return { counted: 'skipped' };
  const { issue } = item;
  if (planned.class === 'link' && planned.counterpart?.by === 'summary-and-day') await linkByMatch(ports, connection, item, planned.counterpart.id);
  // Without the tool's listing the plan could not see a record that names the issue; the delivery finds and links it, and so is it counted.
  const found = planned.class === 'create' && !item.link ? await namedRecord(ports, connection, item) : false;
  await runDelivery(ports, { kind: 'issue', connectionId: connection.id, issueId: issue.id, issueKey: issue.key, attempt: 1 });
  const failure = failureKey(connection.id, failureSubjectKey({ kind: 'issue', issueId: issue.id, issueKey: issue.key }));
  const kept = failureSchema.safeParse((await ports.store.getMany([failure])).get(failure));
  if (kept.success) {
    const waitUntil = kept.data.status === 429 && kept.data.nextAttemptAt ? Date.parse(kept.data.nextAttemptAt) : undefined;
    return { counted: 'failed', ...(waitUntil === undefined ? {} : { waitUntil }) };
  }
  return { counted: planned.class === 'create' && !found ? 'created' : planned.class === 'update' ? 'updated' : 'linked' };
}

async function namedRecord(ports: Ports, connection: Connection, item: PageItem): Promise<boolean> {
  const mapping = findProjectMapping(connection, { projectKey: item.issue.projectKey, issueTypeName: item.issue.issueTypeName });
  if (!mapping || connection.protocol !== 'record-rest') return false;
  const secret = connection.auth.kind === 'none' ? undefined : await ports.store.getSecret(authSecretKey(connection.id));
  const found = await recordRestConnector(connection, secret, ports.external, { clock: ports.clock }).findRecordByIssueKey({ module: mapping.module, issueKey: item.issue.key });
  return found.ok && found.value !== undefined;
}

/**
 * The admin's match rule found the record: it is linked before the delivery, with nothing synced yet,
 * so the delivery sends every mapped field and adds the remote link. A record linked meanwhile is left alone.
 */
async function linkByMatch(ports: Ports, connection: Connection, item: PageItem, recordId: string): Promise<void> {
  const mapping = findProjectMapping(connection, { projectKey: item.issue.projectKey, issueTypeName: item.issue.issueTypeName });
  if (!mapping || connection.protocol !== 'record-rest') return;
  const index = recordIndexKey(connection.id, mapping.module, recordId);
  const found = await ports.store.getMany([index, issueStateKey(item.issue.id)]);
  if (found.has(index)) return;
  const secret = connection.auth.kind === 'none' ? undefined : await ports.store.getSecret(authSecretKey(connection.id));
  const record = await recordRestConnector(connection, secret, ports.external, { clock: ports.clock }).getRecord({ module: mapping.module, id: recordId });
  if (!record.ok) return;
  const at = new Date(ports.clock.now()).toISOString();
  const state = readIssueState(found.get(issueStateKey(item.issue.id)));
  const label = record.value.number ?? recordId;
  const link: Link = {
    connectionId: connection.id,
    module: mapping.module,
    externalId: recordId,
    url: record.value.url,
    ...(record.value.number ? { number: record.value.number } : {}),
    issueKey: item.issue.key,
    shadow: { fields: {}, updatedAt: at },
    linkedAt: at,
    remoteLinkOwed: true,
  };
  await ports.store.writeAll([
    { key: issueStateKey(item.issue.id), value: { links: { ...state.links, [connection.id]: link } } },
    { key: index, value: { issueId: item.issue.id, issueKey: item.issue.key } },
    activityWrite(ports, { connectionId: connection.id, direction: 'outbound', outcome: 'synced', issueKey: item.issue.key, externalId: recordId, summary: `Linked ${label} to ${item.issue.key}: ${SAME_SUMMARY_AND_DAY}` }),
  ]);
}

// Jira → tool. A Jira change is brought to every connection whose mappings cover the issue: a
// record is created and linked, changed fields are sent (only those that differ from the shadow),
// comments become work notes, a deletion follows the connection's option. Failures are retried
// through the queue or kept for the admin; nothing is dropped silently.
import type { AdfDoc } from '../adf';
import { adfToMarkdown } from '../adf';
import {
  buildJiraWebhookBody,
  mayHaveActed,
  pushJiraWebhook,
  recordRestConnector,
  type DeliveryFailure,
  type JiraWebhookEvent,
  type RecordRestConnector,
  type ToolRecord,
  type WebhookChangeItemInput,
  type WebhookUserInput,
} from '../connectors';
import {
  findProjectMapping,
  fieldMappingsFor,
  hashValue,
  parseConfig,
  planOutbound,
  type Connection,
  type JiraWebhookConnection,
  type ProjectMapping,
  type RecordRestConnection,
  type TandemConfig,
} from '../mapping';
import { MAX_ATTEMPTS, retryDelaySeconds, type Delivery } from './delivery';
import { activityWrite, clearFailureWrite, describeFailure, failureWrites } from './journal';
import { toolNoteDelete, toolNoteWrite } from './notes';
import type { JiraComment, JiraIssue, Ports, StoreWrite } from './ports';
import {
  authSecretKey,
  CONFIG_KEY,
  createLockKey,
  emptyShadow,
  failureSubjectKey,
  signingSecretKey,
  issueStateKey,
  LINK_HISTORY_TTL_SECONDS,
  linkHistoryKey,
  noteKey,
  readIssueState,
  readLinkHistory,
  withLinkEnded,
  recordIndexKey,
  storedNoteSchema,
  syncLockKey,
  type FailureSubject,
  type IssueState,
  type Link,
  type LinkHistory,
  type NoteLink,
  type PendingCreate,
  type PendingNote,
  type StoredNote,
} from './state';

// ---------------------------------------------------------------- inputs

export interface IssuePayload {
  /** Field values the event carried (Forge issue events carry summary, status, assignee, project, issuetype…). */
  fields: Record<string, unknown>;
}

/** One changelog entry as Jira's events carry it; the push passes it on as it came. */
export type ChangelogItem = WebhookChangeItemInput;

export type OutboundChange =
  | { kind: 'issue-created' | 'issue-updated'; issueId: string; issueKey: string; payload: IssuePayload; changelog?: { id: string; items: ChangelogItem[] }; actorAccountId?: string }
  | { kind: 'issue-deleted'; issueId: string; issueKey: string; payload: IssuePayload }
  | { kind: 'comment-saved'; issueId: string; issueKey: string; commentId: string; comment: JiraComment | undefined; payload?: IssuePayload }
  | { kind: 'comment-deleted'; issueId: string; issueKey: string; commentId: string };

/** What an outbound delivery is about (inbound failures have their own kind). */
type OutboundSubject = Exclude<FailureSubject, { kind: 'inbound' }>;

const CREATE_LOCK_SECONDS = 120;
/** Longer than a delivery takes, short enough that a crashed one holds nothing up for long. */
const SYNC_LOCK_SECONDS = 120;
/** When another delivery holds the create lock, look again after this long. */
const LOCKED_RETRY_SECONDS = 15;

interface Run {
  ports: Ports;
  config: TandemConfig;
  state: IssueState;
  history: LinkHistory;
  issueId: string;
  issueKey: string;
}

/** Thrown inside a delivery to hand a failure to the retry rules. */
class DeliveryError extends Error {
  constructor(
    readonly operation: string,
    readonly failure: DeliveryFailure,
    /** What the retry needs to know, written with the failure (so success costs no extra write). */
    readonly keep: StoreWrite[] = [],
  ) {
    super(failure.explanation);
  }
}

// ---------------------------------------------------------------- entry points

/** A Jira event: one batched read of config and links, then each enabled connection in turn. */
export async function syncOutbound(ports: Ports, change: OutboundChange): Promise<void> {
  const run = await loadRun(ports, change.issueId, change.issueKey);
  if (!run) return;
  for (const connection of run.config.connections) {
    if (!connection.enabled || !concerns(run, connection, change)) continue;
    await guarded(run, connection, subjectOf(change), 1, () => syncChange(run, connection, change, 1));
  }
}

/**
 * Whether a record REST connection has anything to do with the change: a link, or an issue the
 * event places in a mapped project and type. When not, the event costs nothing more.
 */
function concerns(run: Run, connection: Connection, change: OutboundChange): boolean {
  if (connection.protocol !== 'record-rest' || run.state.links[connection.id]) return true;
  switch (change.kind) {
    case 'issue-created':
    case 'issue-updated':
      return mappingFor(connection, change.payload.fields) !== undefined;
    case 'comment-saved': {
      // A comment event that does not say where the issue is cannot rule it out.
      const { projectKey, issueTypeName } = projectOf(change.payload?.fields ?? {});
      return projectKey === undefined || issueTypeName === undefined || mappingFor(connection, change.payload?.fields ?? {}) !== undefined;
    }
    case 'issue-deleted':
    case 'comment-deleted':
      return false;
  }
}

/** A queued delivery (a retry, or a retry the admin asked for): re-reads the current state first. */
export async function runDelivery(ports: Ports, delivery: Delivery): Promise<void> {
  const run = await loadRun(ports, delivery.issueId, delivery.issueKey);
  if (!run) return;
  const connection = run.config.connections.find((c) => c.id === delivery.connectionId);
  if (!connection || !connection.enabled) return;
  const subject: OutboundSubject =
    delivery.kind === 'comment'
      ? { kind: 'comment', issueId: delivery.issueId, issueKey: delivery.issueKey, commentId: delivery.commentId }
      : { kind: delivery.kind, issueId: delivery.issueId, issueKey: delivery.issueKey };
  await guarded(run, connection, subject, delivery.attempt, async () => {
    if (delivery.kind === 'deletion') return deleteForConnection(run, connection, delivery.attempt);
    if (delivery.kind === 'comment') {
      if (delivery.deleted) return deleteNote(run, connection, delivery.commentId);
      const comment = await ports.jira.getComment(delivery.issueId, delivery.commentId);
      if (!comment) return deleteNote(run, connection, delivery.commentId);
      return saveNote(run, connection, delivery.commentId, comment, delivery.attempt);
    }
    const issue = await ports.jira.getIssue(delivery.issueId, jiraFieldsOf(connection));
    if (!issue) return;
    run.issueKey = issue.key;
    if (connection.protocol === 'jira-webhook') return pushIssue(run, connection, 'jira:issue_updated', issue, undefined, undefined, delivery.attempt);
    return syncFields(run, connection, issue.fields, delivery.attempt, false);
  });
}

// ---------------------------------------------------------------- loading

async function loadRun(ports: Ports, issueId: string, issueKey: string): Promise<Run | undefined> {
  // The link history is only needed to create a record, but batched here it costs no extra call.
  const found = await ports.store.getMany([CONFIG_KEY, issueStateKey(issueId), linkHistoryKey(issueId)]);
  const raw = found.get(CONFIG_KEY);
  if (raw === undefined) return undefined;
  const parsed = parseConfig(raw);
  if (!parsed.ok) {
    console.error('Tandem could not read its saved configuration', parsed.errors.slice(0, 3));
    return undefined;
  }
  return {
    ports,
    config: parsed.config,
    state: readIssueState(found.get(issueStateKey(issueId))),
    history: readLinkHistory(found.get(linkHistoryKey(issueId))),
    issueId,
    issueKey,
  };
}

function subjectOf(change: OutboundChange): OutboundSubject {
  if (change.kind === 'comment-saved' || change.kind === 'comment-deleted') {
    return { kind: 'comment', issueId: change.issueId, issueKey: change.issueKey, commentId: change.commentId };
  }
  return { kind: change.kind === 'issue-deleted' ? 'deletion' : 'issue', issueId: change.issueId, issueKey: change.issueKey };
}

/** Every Jira field the connection's mappings read, for a full re-read on retry. */
function jiraFieldsOf(connection: Connection): string[] {
  const ids = new Set<string>(['summary', 'description', 'priority', 'labels', 'assignee', 'reporter', 'created', 'updated']);
  for (const projectMapping of connection.projects) for (const m of fieldMappingsFor(connection, projectMapping)) ids.add(m.jira);
  return [...ids];
}

async function syncChange(run: Run, connection: Connection, change: OutboundChange, attempt: number): Promise<void> {
  switch (change.kind) {
    case 'issue-created':
    case 'issue-updated':
      if (connection.protocol === 'jira-webhook') {
        const event = change.kind === 'issue-created' ? 'jira:issue_created' : 'jira:issue_updated';
        return pushIssue(run, connection, event, undefined, change.payload.fields, change.changelog, attempt, change.actorAccountId);
      }
      return syncIssue(run, connection, change.kind === 'issue-created' && attempt === 1);
    case 'issue-deleted':
      if (connection.protocol === 'jira-webhook') return pushIssue(run, connection, 'jira:issue_deleted', undefined, change.payload.fields, undefined, attempt);
      return deleteForConnection(run, connection, attempt);
    case 'comment-saved':
      if (!change.comment) return;
      if (connection.protocol === 'jira-webhook') return pushComment(run, connection, change.commentId, change.comment, attempt);
      return saveNote(run, connection, change.commentId, change.comment, attempt);
    case 'comment-deleted':
      if (connection.protocol === 'jira-webhook') return pushComment(run, connection, change.commentId, undefined, attempt);
      return deleteNote(run, connection, change.commentId);
  }
}

// ---------------------------------------------------------------- failures

/**
 * Runs one connection's part of a change. A failure is retried through the queue while it may
 * pass, and kept for the admin once it cannot; an unexpected error is kept too, never lost.
 */
async function guarded(run: Run, connection: Connection, subject: OutboundSubject, attempt: number, work: () => Promise<void>): Promise<void> {
  const { ports } = run;
  // Record REST deliveries read the current state and send what differs from the shadow; two of one
  // subject at once would both send the same change. (A Jira-webhook push forwards each event as it is.)
  const lock = connection.protocol === 'record-rest' ? syncLockKey(connection.id, failureSubjectKey(subject)) : undefined;
  if (lock && !(await ports.store.create(lock, { at: new Date(ports.clock.now()).toISOString() }, SYNC_LOCK_SECONDS))) {
    // The running delivery may have read Jira before this change: look again once it is done.
    await later(run, connection, subject, attempt, retryDelaySeconds(1, undefined));
    return;
  }
  try {
    await work();
  } catch (error) {
    const { operation, failure, keep } = toDeliveryFailure(error);
    await deliveryFailed(run, connection, subject, operation, failure, attempt, keep);
  } finally {
    if (lock) {
      await ports.store.delete(lock).catch((error: unknown) => {
        // It expires on its own; until then deliveries of this subject wait their turn.
        console.error('Could not release a delivery lock', error instanceof Error ? error.message : error);
      });
    }
  }
}

/** Queues another look at the subject; when the queue refuses, the subject is kept for the admin instead. */
async function later(run: Run, connection: Connection, subject: OutboundSubject, attempt: number, delaySeconds: number): Promise<void> {
  try {
    await run.ports.queue.push(deliveryFor(connection.id, subject, attempt), delaySeconds);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await deliveryFailed(run, connection, subject, 'Queueing a delivery', { retry: 'permanent', reason: 'unexpected-answer', explanation: `Forge's queue refused it: ${message.slice(0, 300)}` }, attempt);
  }
}

function toDeliveryFailure(error: unknown): { operation: string; failure: DeliveryFailure; keep?: StoreWrite[] } {
  if (error instanceof DeliveryError) return { operation: error.operation, failure: error.failure, keep: error.keep };
  const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : undefined;
  const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  const message = error instanceof Error ? error.message : String(error);
  if (status !== undefined && (status === 429 || status >= 500)) {
    return {
      operation: 'Jira request',
      failure: {
        retry: 'transient',
        reason: status === 429 ? 'rate-limited' : 'server-error',
        status,
        ...(typeof retryAfter === 'number' ? { retryAfterSeconds: retryAfter } : {}),
        explanation: status === 429 ? 'Jira is rate-limiting Tandem; it will try again' : 'Jira had a temporary problem',
      },
    };
  }
  return {
    operation: status === undefined ? 'sync' : 'Jira request',
    failure: { retry: 'permanent', reason: 'unexpected-answer', ...(status === undefined ? {} : { status }), explanation: message.slice(0, 500) },
  };
}

async function deliveryFailed(
  run: Run,
  connection: Connection,
  subject: OutboundSubject,
  operation: string,
  failure: DeliveryFailure,
  attempt: number,
  keep: StoreWrite[] = [],
): Promise<void> {
  const { ports } = run;
  const base = { connectionId: connection.id, direction: 'outbound' as const, issueKey: subject.issueKey };
  if (failure.retry === 'transient' && attempt < MAX_ATTEMPTS) {
    const delay = retryDelaySeconds(attempt, failure.retryAfterSeconds);
    try {
      await ports.queue.push(deliveryFor(connection.id, subject, attempt + 1), delay);
      await ports.store.writeAll([
        activityWrite(ports, { ...base, outcome: 'retrying', summary: `${operation} failed; trying again in ${delay} s (attempt ${attempt + 1} of ${MAX_ATTEMPTS})`, details: [describeFailure(failure)] }),
        ...keep,
      ]);
      return;
    } catch (error) {
      // The queue refused the retry: keep the failure instead, so the admin can retry it by hand.
      console.error('Could not queue a retry', error instanceof Error ? error.message : error);
    }
  }
  const writes = await failureWrites(ports, { connectionId: connection.id, subject, operation, failure, attempts: 1 });
  writes.push(activityWrite(ports, { ...base, outcome: 'failed', summary: `${operation} failed`, details: [describeFailure(failure)] }), ...keep);
  await ports.store.writeAll(writes);
}

function deliveryFor(connectionId: string, subject: OutboundSubject, attempt: number): Record<string, unknown> {
  const body: Delivery =
    subject.kind === 'comment'
      ? { kind: 'comment', connectionId, issueId: subject.issueId, issueKey: subject.issueKey, commentId: subject.commentId, deleted: false, attempt }
      : { kind: subject.kind, connectionId, issueId: subject.issueId, issueKey: subject.issueKey, attempt };
  return { type: 'delivery', delivery: body };
}

// ---------------------------------------------------------------- record REST: fields

async function connectorFor(run: Run, connection: RecordRestConnection): Promise<RecordRestConnector> {
  const secret = connection.auth.kind === 'none' ? undefined : await run.ports.store.getSecret(authSecretKey(connection.id));
  return recordRestConnector(connection, secret, run.ports.external);
}

function unwrap<T>(operation: string, result: { ok: true; value: T } | { ok: false; failure: DeliveryFailure }): T {
  if (!result.ok) throw new DeliveryError(operation, result.failure);
  return result.value;
}

function projectOf(fields: Record<string, unknown>): { projectKey: string | undefined; issueTypeName: string | undefined } {
  const project = fields.project as { key?: unknown } | undefined;
  const type = fields.issuetype as { name?: unknown } | undefined;
  return {
    projectKey: typeof project?.key === 'string' ? project.key : undefined,
    issueTypeName: typeof type?.name === 'string' ? type.name : undefined,
  };
}

function statusOf(fields: Record<string, unknown>): { name: string; categoryKey: string } {
  const status = fields.status as { name?: unknown; statusCategory?: { key?: unknown } } | undefined;
  return {
    name: typeof status?.name === 'string' ? status.name : '',
    categoryKey: typeof status?.statusCategory?.key === 'string' ? status.statusCategory.key : 'undefined',
  };
}

/** The mapping that covers this issue for this connection, or undefined (and then no REST call is made). */
function mappingFor(connection: Connection, fields: Record<string, unknown>): ProjectMapping | undefined {
  const { projectKey, issueTypeName } = projectOf(fields);
  if (!projectKey || !issueTypeName) return undefined;
  const mapping = findProjectMapping(connection, { projectKey, issueTypeName });
  return mapping && mapping.direction !== 'tool-to-jira' ? mapping : undefined;
}

/** Emails of the users the mapped fields hold, read as the app when the payload hides them. */
async function emailsFor(run: Run, connection: Connection, projectMapping: ProjectMapping, fields: Record<string, unknown>): Promise<Map<string, string>> {
  const emails = new Map<string, string>();
  for (const m of fieldMappingsFor(connection, projectMapping)) {
    if (m.transform.kind !== 'user-email' || m.direction === 'tool-to-jira') continue;
    const user = fields[m.jira] as { accountId?: unknown; emailAddress?: unknown } | null | undefined;
    if (!user || typeof user.accountId !== 'string' || emails.has(user.accountId)) continue;
    const email = typeof user.emailAddress === 'string' ? user.emailAddress : await run.ports.jira.emailOf(user.accountId);
    if (email) emails.set(user.accountId, email);
  }
  return emails;
}

/**
 * An issue event for a record REST connection. Forge may deliver events late, twice or out of
 * order, so an event only says that something changed: the plan is made from the issue as Jira
 * holds it now (one read, which the fields events leave out needed anyway).
 */
async function syncIssue(run: Run, connection: RecordRestConnection, firstSight: boolean): Promise<void> {
  const issue = await run.ports.jira.getIssue(run.issueId, jiraFieldsOf(connection));
  // Gone since: the deleted event applies the connection's option.
  if (!issue) return;
  run.issueKey = issue.key;
  await syncFields(run, connection, issue.fields, 1, firstSight);
}

/**
 * Brings the record up to date with the issue's current fields: creates (or finds) it when the
 * issue has no link, ends the link when the issue left the mappings. `firstSight` is the inline
 * handling of the created event, the one case where no record can exist yet.
 */
async function syncFields(run: Run, connection: Connection, fields: Record<string, unknown>, attempt: number, firstSight: boolean): Promise<void> {
  if (connection.protocol !== 'record-rest') return;
  const { ports } = run;
  let link = run.state.links[connection.id];
  const projectMapping = mappingFor(connection, fields);
  if (!projectMapping) {
    // Moved out of every mapped project or type: the pair no longer syncs; the record stays.
    if (link) await endLink(run, connection, link, `The issue left the mapped projects and types; its link to ${link.number ?? link.externalId} ended and the record was left as it is`);
    return;
  }
  if (link && link.module !== projectMapping.module) {
    // Moved to a type or project that syncs to another module: a record there takes over.
    const { issueTypeName } = projectOf(fields);
    await endLink(run, connection, link, `The issue became a ${issueTypeName ?? 'type'} that syncs to ${projectMapping.module}; its link to ${link.number ?? link.externalId} in ${link.module} ended and that record was left as it is`);
    link = undefined;
  }
  if (!link && projectMapping.jql) {
    const [matches] = await ports.jira.matchJql(run.issueId, [projectMapping.jql]);
    if (!matches) return;
  }
  const emails = await emailsFor(run, connection, projectMapping, fields);
  const at = new Date(ports.clock.now()).toISOString();
  const planAgainst = (shadow: Link['shadow'] | undefined) =>
    planOutbound({
      connection,
      projectMapping,
      issue: { id: run.issueId, key: run.issueKey, fields, status: statusOf(fields) },
      shadow,
      emailOf: (accountId) => emails.get(accountId),
      at,
    });
  const plan = planAgainst(link?.shadow);
  const skipped = plan.skipped.map((s) => `${s.field}: ${s.reason}`);

  if (!link) {
    await createRecord(run, connection, projectMapping, { plan, planAgainst }, skipped, attempt, !firstSight || attempt > 1);
    return;
  }
  const rekeyed = link.issueKey !== run.issueKey;
  if (Object.keys(plan.fields).length === 0 && !rekeyed) return;
  if (Object.keys(plan.fields).length > 0) {
    const connector = await connectorFor(run, connection);
    unwrap(`Updating ${link.number ?? link.externalId}`, await connector.updateRecord({ module: link.module, id: link.externalId, fields: plan.fields }));
  }
  const next: Link = { ...link, shadow: plan.shadowNext, issueKey: run.issueKey };
  await saveLink(run, connection, next, [
    activityWrite(ports, {
      connectionId: connection.id,
      direction: 'outbound',
      outcome: 'synced',
      issueKey: run.issueKey,
      externalId: link.externalId,
      summary: `Sent ${Object.keys(plan.fields).join(', ') || 'the new issue key'} to ${link.number ?? link.externalId}`,
      details: skipped,
    }),
    ...(rekeyed ? [{ key: recordIndexKey(connection.id, link.module, link.externalId), value: { issueId: run.issueId, issueKey: run.issueKey } }] : []),
  ], { kind: 'issue', issueId: run.issueId, issueKey: run.issueKey });
}

/** How many of an issue's existing comments a new link sends at once; the rest go through the queue. */
const BACKFILL_INLINE = 20;

type OutboundPlan = ReturnType<typeof planOutbound>;

/**
 * Makes the issue's record, or finds the one it already has (a create whose answer came too late,
 * or an issue that comes back into a mapping), and links it. Comments the issue already has are
 * sent too, so a comment made while the record could not be created is not lost.
 */
async function createRecord(
  run: Run,
  connection: RecordRestConnection,
  projectMapping: ProjectMapping,
  plans: { plan: OutboundPlan; planAgainst: (shadow: Link['shadow'] | undefined) => OutboundPlan },
  skipped: string[],
  attempt: number,
  lookFirst: boolean,
): Promise<void> {
  const { ports } = run;
  const lock = createLockKey(connection.id, run.issueId);
  if (!(await ports.store.create(lock, { at: new Date(ports.clock.now()).toISOString() }, CREATE_LOCK_SECONDS))) {
    // Another delivery is creating this record right now; once it has, a later look sends what changed.
    await ports.queue.push(deliveryFor(connection.id, { kind: 'issue', issueId: run.issueId, issueKey: run.issueKey }, attempt), LOCKED_RETRY_SECONDS);
    return;
  }
  const module = projectMapping.module;
  let comments: JiraComment[];
  try {
    // Read while the lock is held: a comment made after this finds the lock, or the link, and waits for it.
    comments = connection.options.syncComments ? await ports.jira.listComments(run.issueId) : [];
    const connector = await connectorFor(run, connection);
    let record: ToolRecord | undefined;
    const owed = run.history.pendingCreates[connection.id];
    // One kept for another module (the issue moved since) is not this create.
    const pending = owed?.module === module ? owed : undefined;
    if (lookFirst) {
      const found = await connector.findRecordByIssueKey({ module, issueKey: run.issueKey });
      // A tool that cannot search only matters when an earlier create may have reached it and was not kept to send again.
      if (!found.ok && (found.failure.retry === 'transient' || (attempt > 1 && !pending))) throw new DeliveryError('Looking for an existing record', found.failure);
      record = found.ok ? found.value : undefined;
    }
    let made = false;
    if (!record && pending) {
      // The tool refuses the kept key with another body: send the create as it was (the tool answers
      // with the record it made then, or makes it now); what changed since follows as an update.
      record = await addRecord(run, connection, connector, pending);
      made = true;
    }
    let shadow = plans.plan.shadowNext;
    let summary: string;
    if (record) {
      // The record holds whatever was sent before: send every mapped field that differs from it now.
      const full = plans.planAgainst(emptyShadow(new Date(ports.clock.now()).toISOString()));
      const found = record;
      const differing = Object.fromEntries(Object.entries(full.fields).filter(([tool, value]) => hashValue(found.fields[tool] ?? null) !== hashValue(value)));
      const label = record.number ?? record.id;
      if (Object.keys(differing).length > 0) unwrap(`Updating ${label}`, await connector.updateRecord({ module, id: record.id, fields: differing }));
      shadow = full.shadowNext;
      const done = made ? `Created ${label} in ${module}` : `Linked ${label} in ${module} again`;
      summary = Object.keys(differing).length > 0 ? `${done} and sent ${Object.keys(differing).join(', ')}` : done;
    } else {
      const fields = plans.plan.fields;
      const body = connection.issueKeyField ? { ...fields, [connection.issueKeyField]: run.issueKey } : fields;
      const idempotencyKey = recordCreateKey(connection.id, module, run.issueId, run.history.ended[connection.id] ?? 0);
      record = await addRecord(run, connection, connector, { module, idempotencyKey, body });
      summary = `Created ${record.number ?? record.id} in ${module}`;
    }
    const link: Link = {
      connectionId: connection.id,
      module,
      externalId: record.id,
      url: record.url,
      ...(record.number ? { number: record.number } : {}),
      issueKey: run.issueKey,
      shadow,
      linkedAt: new Date(ports.clock.now()).toISOString(),
    };
    const notes = await decorateIssue(run, connection, link);
    await saveLink(run, connection, link, [
      ...(owed ? [historyWrite(run, withoutPendingCreate(run.history, connection.id))] : []),
      { key: recordIndexKey(connection.id, module, record.id), value: { issueId: run.issueId, issueKey: run.issueKey } },
      { key: lock, delete: true },
      activityWrite(ports, {
        connectionId: connection.id,
        direction: 'outbound',
        outcome: 'synced',
        issueKey: run.issueKey,
        externalId: record.id,
        summary,
        details: [...skipped, ...notes],
      }),
    ], { kind: 'issue', issueId: run.issueId, issueKey: run.issueKey });
  } catch (error) {
    await ports.store.delete(lock);
    throw error;
  }
  await sendExistingComments(run, connection, comments);
}

/** Creates a record; when the tool may have made it without Tandem hearing so, what was sent is kept with the failure. */
async function addRecord(run: Run, connection: RecordRestConnection, connector: RecordRestConnector, create: PendingCreate): Promise<ToolRecord> {
  const made = await connector.createRecord({ module: create.module, fields: create.body, idempotencyKey: create.idempotencyKey });
  if (made.ok) return made.value;
  const history: LinkHistory = { ...run.history, pendingCreates: { ...run.history.pendingCreates, [connection.id]: create } };
  throw new DeliveryError(`Creating a ${create.module} record`, made.failure, mayHaveActed(made.failure) ? [historyWrite(run, history)] : []);
}

function withoutPendingCreate(history: LinkHistory, connectionId: string): LinkHistory {
  const pendingCreates = { ...history.pendingCreates };
  delete pendingCreates[connectionId];
  return { ...history, pendingCreates };
}

/** The write that stores the issue's link history; it becomes the run's at once, as links do in saveLink. */
function historyWrite(run: Run, history: LinkHistory): StoreWrite {
  run.history = history;
  return { key: linkHistoryKey(run.issueId), value: history, ttlSeconds: LINK_HISTORY_TTL_SECONDS };
}

/**
 * The same for every try of one link, so a retried create makes one record; a link made after an
 * ended one gets another, since the tool may remember the ended link's create (its record perhaps
 * deleted since) and would answer with that record, or refuse a different body. The first link keeps
 * the key Tandem always sent.
 */
function recordCreateKey(connectionId: string, module: string, issueId: string, endedLinks: number): string {
  const key = `tandem-${connectionId}-${module}-${issueId}`;
  return endedLinks === 0 ? key : `${key}-link${endedLinks + 1}`;
}

/** Each comment is its own delivery: one the tool refuses is retried or kept on its own. */
async function sendExistingComments(run: Run, connection: RecordRestConnection, comments: JiraComment[]): Promise<void> {
  for (const [index, comment] of comments.entries()) {
    const subject: OutboundSubject = { kind: 'comment', issueId: run.issueId, issueKey: run.issueKey, commentId: comment.id };
    // A long history would not fit in one invocation's time: the rest go through the queue.
    await guarded(run, connection, subject, 1, () =>
      index < BACKFILL_INLINE ? saveNote(run, connection, comment.id, comment, 1) : run.ports.queue.push(deliveryFor(connection.id, subject, 1)),
    );
  }
}

/** The remote link and label in Jira. Written as the app, so Tandem's own triggers ignore them. */
async function decorateIssue(run: Run, connection: RecordRestConnection, link: Link): Promise<string[]> {
  const notes: string[] = [];
  try {
    await run.ports.jira.upsertRemoteLink(run.issueId, {
      globalId: `tandem:${connection.id}:${link.module}:${link.externalId}`.slice(0, 255),
      url: link.url,
      title: link.number ?? `${connection.name} ${link.module} ${link.externalId}`,
      summary: `${connection.name} · ${link.module}`,
    });
  } catch (error) {
    notes.push(`The link in Jira could not be added: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (connection.options.label) {
    try {
      await run.ports.jira.addLabel(run.issueId, connection.options.label);
    } catch (error) {
      notes.push(`The label ${connection.options.label} could not be added: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return notes;
}

async function saveLink(run: Run, connection: Connection, link: Link, extra: StoreWrite[], subject: OutboundSubject): Promise<void> {
  run.state = { links: { ...run.state.links, [connection.id]: link } };
  await run.ports.store.writeAll([{ key: issueStateKey(run.issueId), value: run.state }, clearFailureWrite(connection.id, subject), ...extra]);
}

async function endLink(run: Run, connection: Connection, link: Link, summary: string): Promise<void> {
  const links = { ...run.state.links };
  delete links[connection.id];
  run.state = { links };
  await run.ports.store.writeAll([
    Object.keys(links).length === 0 ? { key: issueStateKey(run.issueId), delete: true } : { key: issueStateKey(run.issueId), value: run.state },
    historyWrite(run, withLinkEnded(run.history, connection.id)),
    { key: recordIndexKey(connection.id, link.module, link.externalId), delete: true },
    activityWrite(run.ports, { connectionId: connection.id, direction: 'outbound', outcome: 'synced', issueKey: run.issueKey, externalId: link.externalId, summary }),
  ]);
}

// ---------------------------------------------------------------- record REST: deletion

async function deleteForConnection(run: Run, connection: Connection, attempt: number): Promise<void> {
  void attempt;
  if (connection.protocol !== 'record-rest') return;
  const link = run.state.links[connection.id];
  if (!link) return;
  const label = link.number ?? link.externalId;
  const option = connection.options.onJiraDelete;
  if (option === 'nothing') return endLink(run, connection, link, `The issue was deleted; ${label} was left as it is`);
  const connector = await connectorFor(run, connection);
  if (option === 'delete') {
    const result = await connector.deleteRecord({ module: link.module, id: link.externalId });
    // Already gone is what deleting wanted.
    if (!result.ok && result.failure.status !== 404) throw new DeliveryError(`Deleting ${label}`, result.failure);
    return endLink(run, connection, link, `The issue was deleted; ${label} was deleted too`);
  }
  const stateField = connection.projects
    .filter((p) => p.module === link.module)
    .flatMap((p) => fieldMappingsFor(connection, p))
    .find((m) => m.transform.kind === 'status')?.tool;
  if (!stateField) return endLink(run, connection, link, `The issue was deleted; ${label} could not be closed because no field is mapped to Jira's status`);
  unwrap(`Closing ${label}`, await connector.updateRecord({ module: link.module, id: link.externalId, fields: { [stateField]: connection.options.closedState } }));
  return endLink(run, connection, link, `The issue was deleted; ${label} was set to ${connection.options.closedState}`);
}

// ---------------------------------------------------------------- record REST: comments

function noteBody(comment: JiraComment, issueKey: string): string {
  const author = comment.author?.displayName ?? 'Someone';
  return `**${author}** commented on ${issueKey} in Jira:\n\n${adfToMarkdown(comment.body)}`;
}

/**
 * A comment on an issue without a link yet. While its record is being created the comment waits
 * for the link (the create read the comments before this one may have been made); otherwise the
 * create that comes later sends it with the others.
 */
async function linkBeingMade(run: Run, connection: Connection, commentId: string, attempt: number): Promise<Link | undefined> {
  const { ports } = run;
  if ((await ports.store.get(createLockKey(connection.id, run.issueId))) !== undefined) {
    await ports.queue.push(deliveryFor(connection.id, { kind: 'comment', issueId: run.issueId, issueKey: run.issueKey, commentId }, attempt), LOCKED_RETRY_SECONDS);
    return undefined;
  }
  // The create may have finished after this delivery read the links.
  const state = readIssueState(await ports.store.get(issueStateKey(run.issueId)));
  const link = state.links[connection.id];
  if (link) run.state = state;
  return link;
}

/**
 * The comment's note on the link's record, or its create still owed. A note on a record the issue is
 * no longer linked to does not count for this one (`elsewhere`).
 */
async function readNote(run: Run, connection: Connection, commentId: string, link: Link): Promise<{ note?: NoteLink; pending?: PendingNote; elsewhere?: StoredNote }> {
  const parsed = storedNoteSchema.safeParse(await run.ports.store.get(noteKey(connection.id, commentId)));
  if (!parsed.success) return {};
  const stored = parsed.data;
  if (stored.externalId !== undefined && stored.externalId !== link.externalId) return { elsewhere: stored };
  return 'pendingCreate' in stored ? { pending: stored } : { note: stored };
}

function noteCreateKey(connection: Connection, commentId: string, link: Link): string {
  return `tandem-${connection.id}-comment-${commentId}-${link.externalId}`;
}

/** Adds a work note; when the tool may have made it without Tandem hearing so, what was sent is kept with the failure. */
async function addNote(run: Run, connection: Connection, connector: RecordRestConnector, commentId: string, link: Link, body: string, idempotencyKey: string): Promise<string> {
  const made = await connector.addWorkNote({ module: link.module, id: link.externalId, body, idempotencyKey });
  if (made.ok) return made.value.id ?? '';
  const pending: PendingNote = { issueId: run.issueId, externalId: link.externalId, pendingCreate: { idempotencyKey, body } };
  throw new DeliveryError(`Adding a work note to ${link.number ?? link.externalId}`, made.failure, mayHaveActed(made.failure) ? [{ key: noteKey(connection.id, commentId), value: pending }] : []);
}

/**
 * Sends a note create kept after a failure exactly as first sent: the tool answers with the note it
 * made then, or makes it now. Saved at once, so a later failure never sends the create again.
 */
async function finishPendingNote(run: Run, connection: Connection, connector: RecordRestConnector, commentId: string, link: Link, pending: PendingNote): Promise<NoteLink> {
  const { body, idempotencyKey } = pending.pendingCreate;
  const noteId = await addNote(run, connection, connector, commentId, link, body, idempotencyKey);
  const note: NoteLink = { noteId, hash: hashValue(body), issueId: run.issueId, externalId: link.externalId };
  await run.ports.store.writeAll([
    { key: noteKey(connection.id, commentId), value: note },
    ...(noteId !== '' ? [toolNoteWrite(connection.id, noteId, { jiraCommentId: commentId, issueId: run.issueId, origin: 'jira' as const, hash: note.hash })] : []),
    clearFailureWrite(connection.id, { kind: 'comment', issueId: run.issueId, issueKey: run.issueKey, commentId }),
    activityWrite(run.ports, {
      connectionId: connection.id,
      direction: 'outbound',
      outcome: 'synced',
      issueKey: run.issueKey,
      externalId: link.externalId,
      summary: `Added comment ${commentId} to ${link.number ?? link.externalId} as a work note`,
    }),
  ]);
  return note;
}

async function saveNote(run: Run, connection: Connection, commentId: string, comment: JiraComment, attempt: number): Promise<void> {
  if (connection.protocol !== 'record-rest' || !connection.options.syncComments) return;
  const link = run.state.links[connection.id] ?? (await linkBeingMade(run, connection, commentId, attempt));
  if (!link) return;
  const { ports } = run;
  const key = noteKey(connection.id, commentId);
  const { note, pending } = await readNote(run, connection, commentId, link);
  let known = note;
  const body = noteBody(comment, run.issueKey);
  const hash = hashValue(body);
  if (known && known.hash === hash) return;
  // Tandem writes comments only from a tool's notes: sending one back would echo it.
  if (!known && !pending && comment.author && comment.author.accountId === (await ports.jira.appAccountId())) return;
  const connector = await connectorFor(run, connection);
  const label = link.number ?? link.externalId;
  if (pending) {
    // The tool refuses the kept key with another body: finish that create first, then edit.
    known = await finishPendingNote(run, connection, connector, commentId, link, pending);
    if (known.hash === hash) return;
  }
  let noteId: string;
  if (known) {
    unwrap(`Editing a work note on ${label}`, await connector.updateWorkNote({ module: link.module, id: link.externalId, noteId: known.noteId, body }));
    noteId = known.noteId;
  } else {
    noteId = await addNote(run, connection, connector, commentId, link, body, noteCreateKey(connection, commentId, link));
  }
  await ports.store.writeAll([
    { key, value: { noteId, hash, issueId: run.issueId, externalId: link.externalId } },
    // So the tool's echo of this note (a naive tool reports every change) makes no Jira comment.
    ...(noteId !== '' && !known ? [toolNoteWrite(connection.id, noteId, { jiraCommentId: commentId, issueId: run.issueId, origin: 'jira' as const, hash })] : []),
    clearFailureWrite(connection.id, { kind: 'comment', issueId: run.issueId, issueKey: run.issueKey, commentId }),
    activityWrite(ports, {
      connectionId: connection.id,
      direction: 'outbound',
      outcome: 'synced',
      issueKey: run.issueKey,
      externalId: link.externalId,
      summary: known ? `Edited the work note for comment ${commentId} on ${label}` : `Added comment ${commentId} to ${label} as a work note`,
    }),
  ]);
}

async function deleteNote(run: Run, connection: Connection, commentId: string): Promise<void> {
  if (connection.protocol !== 'record-rest' || !connection.options.syncComments) return;
  const link = run.state.links[connection.id];
  if (!link) return;
  const key = noteKey(connection.id, commentId);
  // A note on a record the issue is no longer linked to is left there, like the record.
  const { note, pending, elsewhere } = await readNote(run, connection, commentId, link);
  if (!note && !pending && !elsewhere) return;
  const label = link.number ?? link.externalId;
  let noteId = note?.noteId ?? '';
  const keep: StoreWrite[] = [];
  const connector = pending || noteId !== '' ? await connectorFor(run, connection) : undefined;
  if (pending && connector) {
    // The create may have reached the tool: sent again as it was, it names the note (made then, or now) to delete.
    const made = await connector.addWorkNote({ module: link.module, id: link.externalId, ...pending.pendingCreate });
    // Not found: the record is gone, and its notes with it.
    if (!made.ok && made.failure.status !== 404) throw new DeliveryError(`Adding a work note to ${label} to delete it`, made.failure);
    noteId = made.ok ? (made.value.id ?? '') : '';
    if (noteId !== '') {
      // Should the delete fail, its retry deletes this note instead of sending the create once more.
      const hash = hashValue(pending.pendingCreate.body);
      keep.push(
        { key, value: { noteId, hash, issueId: run.issueId, externalId: link.externalId } satisfies NoteLink },
        toolNoteWrite(connection.id, noteId, { jiraCommentId: commentId, issueId: run.issueId, origin: 'jira', hash }),
      );
    }
  }
  if (noteId !== '' && connector) {
    const result = await connector.deleteWorkNote({ module: link.module, id: link.externalId, noteId });
    if (!result.ok && result.failure.status !== 404) throw new DeliveryError(`Deleting a work note on ${label}`, result.failure, keep);
  }
  const indexed = note?.noteId ?? (elsewhere && !('pendingCreate' in elsewhere) ? elsewhere.noteId : '');
  await run.ports.store.writeAll([
    { key, delete: true },
    ...(indexed !== '' ? [toolNoteDelete(connection.id, indexed)] : []),
    clearFailureWrite(connection.id, { kind: 'comment', issueId: run.issueId, issueKey: run.issueKey, commentId }),
    activityWrite(run.ports, { connectionId: connection.id, direction: 'outbound', outcome: 'synced', issueKey: run.issueKey, externalId: link.externalId, summary: `Deleted the work note for comment ${commentId} on ${label}` }),
  ]);
}

// ---------------------------------------------------------------- Jira-webhook push

function userOf(value: unknown): WebhookUserInput | null {
  const user = value as { accountId?: unknown; displayName?: unknown; emailAddress?: unknown } | null | undefined;
  if (!user || typeof user.accountId !== 'string') return null;
  return {
    accountId: user.accountId,
    ...(typeof user.displayName === 'string' ? { displayName: user.displayName } : {}),
    ...(typeof user.emailAddress === 'string' ? { emailAddress: user.emailAddress } : {}),
  };
}

function named(value: unknown): { id?: string; name: string } | null {
  const v = value as { id?: unknown; name?: unknown } | null | undefined;
  if (!v || typeof v.name !== 'string') return null;
  return { ...(typeof v.id === 'string' ? { id: v.id } : {}), name: v.name };
}

function siteOf(issue: JiraIssue | undefined, fields: Record<string, unknown>): string {
  const self = (issue as { self?: unknown } | undefined)?.self ?? (fields.project as { self?: unknown } | undefined)?.self;
  if (typeof self === 'string') {
    try {
      return new URL(self).origin;
    } catch {
      // fall through
    }
  }
  return 'https://jira.invalid';
}

async function pushIssue(
  run: Run,
  connection: JiraWebhookConnection,
  event: JiraWebhookEvent,
  fresh: JiraIssue | undefined,
  payloadFields: Record<string, unknown> | undefined,
  changelog: { id: string; items: ChangelogItem[] } | undefined,
  attempt: number,
  actorAccountId?: string,
): Promise<void> {
  const { ports } = run;
  let fields = fresh?.fields ?? payloadFields ?? {};
  const projectMapping = mappingFor(connection, fields);
  if (!projectMapping) return;
  if (projectMapping.jql && event !== 'jira:issue_deleted') {
    const [matches] = await ports.jira.matchJql(run.issueId, [projectMapping.jql]);
    if (!matches) return;
  }
  let issue = fresh;
  if (!issue && event !== 'jira:issue_deleted') {
    // The push carries the issue as Jira's webhooks do, so read the fields events leave out.
    issue = await ports.jira.getIssue(run.issueId, jiraFieldsOf(connection));
    if (!issue) return;
    fields = issue.fields;
  }
  await push(run, connection, projectMapping, event, fields, issue, { changelog, attempt, actorAccountId });
}

async function pushComment(run: Run, connection: JiraWebhookConnection, commentId: string, comment: JiraComment | undefined, attempt: number): Promise<void> {
  if (!connection.options.syncComments) return;
  const issue = await run.ports.jira.getIssue(run.issueId, jiraFieldsOf(connection));
  if (!issue) return;
  const projectMapping = mappingFor(connection, issue.fields);
  if (!projectMapping) return;
  if (projectMapping.jql) {
    const [matches] = await run.ports.jira.matchJql(run.issueId, [projectMapping.jql]);
    if (!matches) return;
  }
  const event: JiraWebhookEvent = comment ? 'comment_created' : 'comment_deleted';
  await push(run, connection, projectMapping, event, issue.fields, issue, { attempt, comment: comment ?? { id: commentId, body: { type: 'doc', version: 1, content: [] }, author: undefined } });
}

async function push(
  run: Run,
  connection: JiraWebhookConnection,
  projectMapping: ProjectMapping,
  event: JiraWebhookEvent,
  fields: Record<string, unknown>,
  issue: JiraIssue | undefined,
  extra: { changelog?: { id: string; items: ChangelogItem[] } | undefined; comment?: JiraComment; attempt: number; actorAccountId?: string | undefined },
): Promise<void> {
  const { ports } = run;
  const now = ports.clock.now();
  const iso = (v: unknown) => (typeof v === 'string' ? new Date(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString() : new Date(now).toISOString());
  const project = fields.project as { id?: unknown; key?: unknown; name?: unknown } | undefined;
  const type = fields.issuetype as { id?: unknown; name?: unknown } | undefined;
  const status = fields.status as { id?: unknown; name?: unknown } | undefined;
  const knownFields = new Set(['summary', 'description', 'status', 'priority', 'issuetype', 'project', 'assignee', 'reporter', 'labels', 'created', 'updated', 'duedate', 'resolution', 'resolutiondate']);
  const otherFields = Object.fromEntries(Object.entries(fields).filter(([id]) => !knownFields.has(id)));
  const commentAuthor = extra.comment?.author ? { accountId: extra.comment.author.accountId, displayName: extra.comment.author.displayName } : undefined;
  const body = buildJiraWebhookBody({
    event,
    siteUrl: siteOf(issue, fields),
    timestamp: now,
    // Tools written against Jira's webhooks read descriptions and comments as text.
    textFormat: 'text',
    issue: {
      id: run.issueId,
      key: run.issueKey,
      summary: typeof fields.summary === 'string' ? fields.summary : '',
      description: (fields.description as AdfDoc | null | undefined) ?? null,
      status: { ...(typeof status?.id === 'string' ? { id: status.id } : {}), name: statusOf(fields).name, categoryKey: statusCategoryKey(statusOf(fields).categoryKey) },
      priority: named(fields.priority),
      issueType: { ...(typeof type?.id === 'string' ? { id: type.id } : {}), name: typeof type?.name === 'string' ? type.name : projectMapping.issueType },
      project: {
        ...(typeof project?.id === 'string' ? { id: project.id } : {}),
        key: typeof project?.key === 'string' ? project.key : projectMapping.projectKey,
        name: typeof project?.name === 'string' ? project.name : projectMapping.projectKey,
      },
      assignee: userOf(fields.assignee),
      reporter: userOf(fields.reporter),
      labels: Array.isArray(fields.labels) ? fields.labels.filter((l): l is string => typeof l === 'string') : [],
      created: iso(fields.created),
      updated: iso(fields.updated),
      otherFields,
    },
    ...(extra.actorAccountId ? { user: { accountId: extra.actorAccountId } } : {}),
    ...(extra.changelog ? { changelog: extra.changelog } : {}),
    ...(extra.comment
      ? {
          comment: {
            id: extra.comment.id,
            body: extra.comment.body as AdfDoc,
            author: commentAuthor ?? { accountId: 'unknown' },
            created: new Date(now).toISOString(),
            updated: new Date(now).toISOString(),
          },
        }
      : {}),
  });
  const secrets = {
    ...(connection.auth.kind === 'none' ? {} : { auth: await ports.store.getSecret(authSecretKey(connection.id)) }),
    ...(connection.webhook.sign ? { signing: await ports.store.getSecret(signingSecretKey(connection.id)) } : {}),
  };
  unwrap(`Pushing ${event} for ${run.issueKey}`, await pushJiraWebhook(connection, secrets, ports.external, body, { deliveryId: `${connection.id}-${run.issueId}-${now}` }));
  await ports.store.writeAll([
    clearFailureWrite(connection.id, { kind: 'issue', issueId: run.issueId, issueKey: run.issueKey }),
    activityWrite(ports, {
      connectionId: connection.id,
      direction: 'outbound',
      outcome: 'synced',
      issueKey: run.issueKey,
      summary: `Pushed ${event} for ${run.issueKey}${extra.comment ? ` (comment ${extra.comment.id})` : ''}`,
    }),
  ]);
}

function statusCategoryKey(key: string): 'new' | 'indeterminate' | 'done' | 'undefined' {
  return key === 'new' || key === 'indeterminate' || key === 'done' ? key : 'undefined';
}

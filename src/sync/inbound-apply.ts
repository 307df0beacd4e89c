// Tool → Jira: what an authenticated, parsed inbound event does to Jira. A record's changed fields
// go in one edit, then a status change; a new record becomes an issue under a create lock; a deleted
// record follows the connection's option; comments follow by the tool's comment id. Only fields that
// differ from the link's shadow are written, so an echo of Tandem's own push writes nothing. Jira's
// 429 and 5xx are thrown to the caller, which queues the event; the plan is remade on retry.
import { markdownToAdf, type AdfDoc } from '../adf';
import {
  conflictWinner,
  detectConflicts,
  fieldMappingsFor,
  findProjectMapping,
  hashValue,
  inboundOptionsOf,
  mappingsForModule,
  maxTransitionsOf,
  planInbound,
  planOutbound,
  referenceShadow,
  type Connection,
  type FieldMapping,
  type InboundPlan,
  type ProjectMapping,
  type Shadow,
  type StatusTarget,
} from '../mapping';
import type { CommentEvent, InboundEvent, RecordEvent } from './inbound-event';
import type { InboundAnswer } from './inbound-request';
import { answer, refusal } from './inbound-request';
import { describeTarget, findAccountByEmail, moveToStatus, workflowKey, type MoveResult } from './inbound-status';
import { activityWrite, clearFailureWrite, failureWrites } from './journal';
import { readToolNote, toolNoteDelete, toolNoteKey, toolNoteWrite } from './notes';
import type { JiraIssue, JiraScreenField, Ports, StoreWrite } from './ports';
import {
  createLockKey,
  issueStateKey,
  keyPart,
  LINK_HISTORY_TTL_SECONDS,
  linkHistoryKey,
  readIssueState,
  readLinkHistory,
  recordIndexKey,
  recordIndexSchema,
  withLinkEnded,
  type IssueState,
  type Link,
} from './state';

export interface InboundRun {
  ports: Ports;
  connection: Connection;
  /** Written with the next state change (the health record), or on their own at the end. */
  pending: StoreWrite[];
  /** The attempt of this event (1 when it came over HTTP). */
  attempt: number;
}

/** Another event for the same record is creating its issue (or comment): look again later. */
export class RecordBusy extends Error {
  constructor(message = 'Another event for this record is creating its Jira issue') {
    super(message);
  }
}

export const inboundCreateLockKey = (connectionId: string, module: string, externalId: string) =>
  `lock:inbound-create:${keyPart(connectionId)}:${keyPart(module)}:${keyPart(externalId)}`;
/** Held while a tool comment becomes a Jira comment, so two events for it at once make one. */
export const inboundCommentLockKey = (connectionId: string, toolCommentId: string) => `lock:inbound-comment:${keyPart(connectionId)}:${keyPart(toolCommentId)}`;
const CREATE_LOCK_SECONDS = 120;
/** How long a second event for a record being created waits for the first before it is queued. */
const WAIT_FOR_LINK_MS = 3000;
const WAIT_STEP_MS = 150;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const iso = (run: InboundRun) => new Date(run.ports.clock.now()).toISOString();

async function commit(run: InboundRun, writes: StoreWrite[]): Promise<void> {
  const all = [...writes, ...run.pending.splice(0)];
  // Forge takes at most 25 writes together; the health record can wait for its own write.
  if (all.length > 25) {
    await run.ports.store.writeAll(all.slice(0, 25));
    await run.ports.store.writeAll(all.slice(25));
    return;
  }
  await run.ports.store.writeAll(all);
}

function activity(run: InboundRun, entry: { outcome: 'synced' | 'skipped' | 'conflict' | 'failed' | 'retrying'; summary: string; issueKey?: string; externalId?: string; details?: string[] }): StoreWrite {
  return activityWrite(run.ports, { connectionId: run.connection.id, direction: 'inbound', ...entry });
}

const labelOf = (record: { number?: string | undefined; id: string }) => record.number ?? record.id;

// ---------------------------------------------------------------- entry

export async function applyEvent(run: InboundRun, event: InboundEvent): Promise<InboundAnswer> {
  switch (event.type) {
    case 'sync.requested':
      return requestSync(run, event.jiraIssueKey);
    case 'ping':
      return answer(200, { status: 'ok', message: `Signature verified: Tandem takes events for ${run.connection.name}` });
    case 'record.created':
    case 'record.updated':
      return applyRecord(run, event);
    case 'record.deleted':
      return deleteRecord(run, event);
    case 'comment.created':
    case 'comment.updated':
    case 'comment.deleted':
      return applyComment(run, event);
  }
}

// ---------------------------------------------------------------- links

interface Linked {
  issueId: string;
  issueKey: string;
  state: IssueState;
  link: Link;
}

async function readLinked(run: InboundRun, module: string, externalId: string): Promise<Linked | undefined> {
  const index = recordIndexSchema.safeParse(await run.ports.store.get(recordIndexKey(run.connection.id, module, externalId)));
  if (!index.success) return undefined;
  const state = readIssueState(await run.ports.store.get(issueStateKey(index.data.issueId)));
  const link = state.links[run.connection.id];
  if (!link || link.externalId !== externalId || link.module !== module) return undefined;
  return { issueId: index.data.issueId, issueKey: link.issueKey, state, link };
}

async function waitForLink(run: InboundRun, module: string, externalId: string): Promise<Linked | undefined> {
  for (let waited = 0; waited < WAIT_FOR_LINK_MS; waited += WAIT_STEP_MS) {
    await sleep(WAIT_STEP_MS);
    const linked = await readLinked(run, module, externalId);
    if (linked) return linked;
    if ((await run.ports.store.get(inboundCreateLockKey(run.connection.id, module, externalId))) === undefined) return readLinked(run, module, externalId);
  }
  return undefined;
}

/** 422 when the module is not mapped, or only Jira to the tool. */
function checkModule(connection: Connection, module: string): InboundAnswer | undefined {
  const all = mappingsForModule(connection, module);
  if (all.length === 0) return refusal(422, 'module_not_mapped', `The module ${module} is not mapped in the connection ${connection.name}`, 'record.module');
  if (all.every((m) => m.direction === 'jira-to-tool')) {
    return refusal(422, 'direction_jira_to_tool', `The module ${module} is mapped Jira to tool only, so Tandem does not change Jira from it`, 'record.module');
  }
  return undefined;
}

function projectOf(issue: JiraIssue): { projectKey: string; issueTypeName: string } | undefined {
  const project = issue.fields.project as { key?: unknown } | undefined;
  const type = issue.fields.issuetype as { name?: unknown } | undefined;
  return typeof project?.key === 'string' && typeof type?.name === 'string' ? { projectKey: project.key, issueTypeName: type.name } : undefined;
}

function statusOf(issue: JiraIssue): { name: string; categoryKey: string } {
  const status = issue.fields.status as { name?: unknown; statusCategory?: { key?: unknown } } | undefined;
  return {
    name: typeof status?.name === 'string' ? status.name : '',
    categoryKey: typeof status?.statusCategory?.key === 'string' ? status.statusCategory.key : 'undefined',
  };
}

/** Where the workflow Tandem has seen for the issue's project and type is kept. */
function workflowOf(issue: JiraIssue): string | undefined {
  const project = issue.fields.project as { key?: unknown } | undefined;
  const type = issue.fields.issuetype as { id?: unknown } | undefined;
  return typeof project?.key === 'string' && typeof type?.id === 'string' ? workflowKey(project.key, type.id) : undefined;
}

/**
 * Moves a linked issue to the status the record's state maps to. What cannot be reached is kept as a
 * failure the admin can retry (the record's state alone); reaching it resolves such a failure.
 */
async function moveStatus(
  run: InboundRun,
  input: { issue: JiraIssue; target: StatusTarget; values: Record<string, unknown>; record: { module: string; id: string; number?: string | undefined; fields: Record<string, unknown> }; occurredAt: string; mappings: readonly FieldMapping[] },
): Promise<MoveResult & { writes: StoreWrite[] }> {
  const { ports, connection } = run;
  const { issue, target, record } = input;
  const options = inboundOptionsOf(connection);
  const moved = await moveToStatus({
    jira: ports.jira,
    store: ports.store,
    issueId: issue.id,
    workflow: workflowOf(issue),
    start: statusOf(issue),
    target,
    screen: { resolution: options.resolution, values: input.values },
    listed: issue.transitions,
    maxSteps: maxTransitionsOf(connection),
  });
  const writes: StoreWrite[] = moved.remember ? [moved.remember] : [];
  const toolField = toolFieldOf(input.mappings, 'status');
  const subject = {
    kind: 'status' as const,
    issueId: issue.id,
    issueKey: issue.key,
    module: record.module,
    recordId: record.id,
    fields: toolField === undefined ? {} : { [toolField]: record.fields[toolField] },
    occurredAt: input.occurredAt,
  };
  if (moved.ok) {
    writes.push(clearFailureWrite(connection.id, subject));
    return { ...moved, writes };
  }
  writes.push(
    ...(await failureWrites(ports, {
      connectionId: connection.id,
      subject,
      operation: `Moving ${issue.key} to ${describeTarget(target)} for ${labelOf(record)}`,
      failure: { retry: 'permanent', reason: 'unexpected-answer', explanation: moved.reason },
      attempts: 1,
    })),
  );
  return { ...moved, writes };
}

function jiraFieldsOf(connection: Connection, projectMapping?: ProjectMapping): string[] {
  const ids = new Set<string>(['summary', 'updated', 'labels']);
  const mappings = projectMapping ? [projectMapping] : connection.projects;
  for (const p of mappings) for (const m of fieldMappingsFor(connection, p)) if (m.jira !== 'status') ids.add(m.jira);
  return [...ids];
}

/** Tool field of the mapping that writes a Jira field. */
function toolFieldOf(mappings: readonly FieldMapping[], jiraField: string): string | undefined {
  return mappings.find((m) => m.jira === jiraField && m.direction !== 'jira-to-tool')?.tool;
}

function restoreShadow(next: Shadow, previous: Shadow | undefined, toolField: string | undefined): void {
  if (toolField === undefined) return;
  const before = previous?.fields[toolField];
  if (before === undefined) delete next.fields[toolField];
  else next.fields[toolField] = before;
}

// ---------------------------------------------------------------- sync.requested

async function requestSync(run: InboundRun, issueKey: string): Promise<InboundAnswer> {
  const issue = await run.ports.jira.getIssue(issueKey, ['summary']);
  if (!issue) return refusal(404, 'unknown_issue', `There is no issue ${issueKey} that Tandem can see`, 'jiraIssueKey');
  const where = projectOf(issue);
  const mapping = where ? findProjectMapping(run.connection, where) : undefined;
  if (!mapping) return refusal(422, 'issue_not_mapped', `${issue.key} is in no project and issue type this connection maps`, 'jiraIssueKey');
  if (mapping.direction === 'tool-to-jira') return refusal(422, 'direction_tool_to_jira', `${issue.key} is mapped tool to Jira only, so Tandem does not send it`, 'jiraIssueKey');
  await run.ports.queue.push({ type: 'delivery', delivery: { kind: 'issue', connectionId: run.connection.id, issueId: issue.id, issueKey: issue.key, attempt: 1 } });
  await commit(run, []);
  return answer(202, { status: 'queued', issueKey: issue.key, message: `${issue.key} will be sent to the tool shortly` });
}

// ---------------------------------------------------------------- records

async function applyRecord(run: InboundRun, event: Extract<RecordEvent, { type: 'record.created' | 'record.updated' }>): Promise<InboundAnswer> {
  const { record } = event;
  const notMapped = checkModule(run.connection, record.module);
  if (notMapped) return notMapped;
  const linked = await readLinked(run, record.module, record.id);
  if (linked) return updateLinked(run, event, linked);
  const lock = inboundCreateLockKey(run.connection.id, record.module, record.id);
  if (event.type === 'record.updated') {
    if ((await run.ports.store.get(lock)) !== undefined) {
      const later = await waitForLink(run, record.module, record.id);
      if (later) return updateLinked(run, event, later);
      throw new RecordBusy();
    }
    return refusal(404, 'unknown_record', `${record.module} record ${record.id} is not linked to a Jira issue; send record.created for it first`, 'record.id');
  }
  if (record.jiraIssueKey) {
    // The record names its issue: usually Tandem made this record from that issue and is saving the link.
    const adopted = await linkNamedIssue(run, record.module, record.id, record.jiraIssueKey, event.record.url, record.number);
    if (adopted && 'status' in adopted) return adopted;
    if (adopted) return updateLinked(run, event, adopted);
  }
  if (!(await run.ports.store.create(lock, { at: iso(run) }, CREATE_LOCK_SECONDS))) {
    const later = await waitForLink(run, record.module, record.id);
    if (later) return updateLinked(run, event, later);
    throw new RecordBusy();
  }
  try {
    // Another event may have finished creating just before the lock was free.
    const again = await readLinked(run, record.module, record.id);
    if (again) return await updateLinked(run, event, again);
    return await createIssue(run, event, lock);
  } finally {
    await run.ports.store.delete(lock);
  }
}

/**
 * A new record that names its Jira issue. While outbound is creating that very record (its create
 * lock is held) this waits for the link; an issue not linked yet is linked with a shadow of Jira's
 * current values, so only what the record changes is written. Undefined: no such issue, create one.
 */
async function linkNamedIssue(run: InboundRun, module: string, externalId: string, issueKey: string, url: string, number: string | undefined): Promise<Linked | InboundAnswer | undefined> {
  const { ports, connection } = run;
  const issue = await ports.jira.getIssue(issueKey, jiraFieldsOf(connection));
  if (!issue) return undefined;
  for (let waited = 0; waited < 10_000; waited += WAIT_STEP_MS) {
    const linked = await readLinked(run, module, externalId);
    if (linked) return linked;
    if ((await ports.store.get(createLockKey(connection.id, issue.id))) === undefined) break;
    await sleep(WAIT_STEP_MS);
  }
  const again = await readLinked(run, module, externalId);
  if (again) return again;
  const state = readIssueState(await ports.store.get(issueStateKey(issue.id)));
  const existing = state.links[connection.id];
  if (existing) return refusal(409, 'already_linked', `${issue.key} is already linked to ${existing.module} record ${existing.externalId}`, 'record.jiraIssueKey');
  const where = projectOf(issue);
  const projectMapping = where ? findProjectMapping(connection, where) : undefined;
  if (!projectMapping || projectMapping.module !== module || projectMapping.direction === 'jira-to-tool') {
    return refusal(422, 'issue_not_mapped', `${issue.key} is not in a project and issue type mapped to ${module} from the tool`, 'record.jiraIssueKey');
  }
  const emails = new Map<string, string>();
  for (const m of fieldMappingsFor(connection, projectMapping)) {
    const user = issue.fields[m.jira] as { accountId?: unknown; emailAddress?: unknown } | null | undefined;
    if (m.transform.kind !== 'user-email' || !user || typeof user.accountId !== 'string') continue;
    const email = typeof user.emailAddress === 'string' ? user.emailAddress : await ports.jira.emailOf(user.accountId).catch(() => undefined);
    if (email) emails.set(user.accountId, email);
  }
  const jiraNow = planOutbound({
    connection,
    projectMapping,
    issue: { id: issue.id, key: issue.key, fields: issue.fields, status: statusOf(issue) },
    shadow: undefined,
    emailOf: (id) => emails.get(id),
    at: iso(run),
  }).shadowNext;
  const link: Link = { connectionId: connection.id, module, externalId, url, ...(number ? { number } : {}), issueKey: issue.key, shadow: jiraNow, linkedAt: iso(run) };
  const nextState: IssueState = { links: { ...state.links, [connection.id]: link } };
  await ports.store.writeAll([
    { key: issueStateKey(issue.id), value: nextState },
    { key: recordIndexKey(connection.id, module, externalId), value: { issueId: issue.id, issueKey: issue.key } },
    activity(run, { outcome: 'synced', issueKey: issue.key, externalId, summary: `Linked ${number ?? externalId} to ${issue.key}, which the record names` }),
  ]);
  return { issueId: issue.id, issueKey: issue.key, state: nextState, link };
}

async function updateLinked(run: InboundRun, event: Extract<RecordEvent, { type: 'record.created' | 'record.updated' }>, linked: Linked): Promise<InboundAnswer> {
  const { ports, connection } = run;
  const { record } = event;
  const issue = await ports.jira.getIssue(linked.issueId, jiraFieldsOf(connection), { transitions: movesStatus(run, record, linked.link.shadow) });
  if (!issue) {
    await endLink(run, linked, `The issue linked to ${labelOf(record)} no longer exists; the link ended`);
    return refusal(404, 'unknown_record', `The Jira issue linked to ${record.module} record ${record.id} no longer exists; the link ended`, 'record.id');
  }
  const where = projectOf(issue);
  const projectMapping = where ? findProjectMapping(connection, where) : undefined;
  if (!projectMapping || projectMapping.module !== record.module) {
    return refusal(422, 'issue_not_mapped', `${issue.key} is no longer in a project and issue type mapped to ${record.module}`, 'record.id');
  }
  if (projectMapping.direction === 'jira-to-tool') {
    return refusal(422, 'direction_jira_to_tool', `${issue.key} is mapped Jira to tool only, so Tandem does not change it from the tool`, 'record.module');
  }
  const fields = record.fields;
  const shadow = linked.link.shadow;
  const mappings = fieldMappingsFor(connection, projectMapping);
  const plan = planInbound({ connection, projectMapping, record: fields, shadow, at: iso(run) });
  const next: Shadow = { fields: { ...plan.shadowNext.fields }, updatedAt: plan.shadowNext.updatedAt };
  const skipped = plan.skipped.map((s) => ({ ...s }));
  const notes: string[] = [];

  // Changed on both sides since the shadow: the connection's policy decides who wins.
  const emails = await emailsForConflicts(run, mappings, issue, fields, shadow);
  const snapshot = { id: issue.id, key: issue.key, fields: issue.fields, status: statusOf(issue) };
  const conflicts = detectConflicts({ connection, projectMapping, issue: snapshot, record: fields, shadow, emailOf: (id) => emails.get(id) });
  let jiraWon = false;
  const conflictNotes: Array<{ field: string; winner: 'jira' | 'tool' }> = [];
  for (const conflict of conflicts) {
    const winner = conflictWinner(connection.options.conflictPolicy, { jiraUpdatedAt: issue.fields.updated, toolUpdatedAt: event.occurredAt });
    conflictNotes.push({ field: conflict.jiraField, winner });
    notes.push(`Conflict on ${conflict.jiraField}: changed in Jira and in the tool; ${winner === 'jira' ? 'Jira' : 'the tool'} wins (${connection.options.conflictPolicy})`);
    if (winner === 'tool') continue;
    jiraWon = true;
    delete plan.jiraFields[conflict.jiraField];
    if (conflict.jiraField === 'status') delete plan.status;
    plan.lookups = plan.lookups.filter((l) => l.jiraField !== conflict.jiraField);
    restoreShadow(next, shadow, conflict.toolField);
  }

  await resolveLookups(run, plan, next, notes);
  // An edit that would set what Jira already holds (e.g. unassigned again) is left out.
  for (const [id, value] of Object.entries(plan.jiraFields)) {
    if (sameAsJira(value, issue.fields[id])) delete plan.jiraFields[id];
  }

  const applied = await editWithFallback(run, linked.issueId, plan.jiraFields, skipped, (id) => restoreShadow(next, shadow, toolFieldOf(mappings, id)));
  const writes: StoreWrite[] = [];
  if (plan.status) {
    const moved = await moveStatus(run, { issue, target: plan.status, values: plan.jiraFields, record, occurredAt: event.occurredAt, mappings });
    writes.push(...moved.writes);
    if (moved.ok && moved.path.length > 0) applied.push('status');
    if (moved.ok && moved.note) notes.push(moved.note);
    if (!moved.ok) {
      skipped.push({ field: 'status', reason: moved.reason });
      restoreShadow(next, shadow, toolFieldOf(mappings, 'status'));
      if (moved.path.length > 0) notes.push(`Moved through ${moved.path.join(', ')} before stopping`);
    }
  }

  const changedShadow = JSON.stringify(next.fields) !== JSON.stringify(shadow.fields);
  const rekeyed = issue.key !== linked.link.issueKey;
  if (changedShadow || rekeyed || record.number !== undefined && record.number !== linked.link.number) {
    const link: Link = { ...linked.link, shadow: changedShadow ? next : shadow, issueKey: issue.key, ...(record.number ? { number: record.number } : {}) };
    writes.push({ key: issueStateKey(linked.issueId), value: { links: { ...linked.state.links, [connection.id]: link } } });
    if (rekeyed) writes.push({ key: recordIndexKey(connection.id, record.module, record.id), value: { issueId: linked.issueId, issueKey: issue.key } });
  }
  const details = [...skipped.map((s) => `${s.field}: ${s.reason}`), ...notes];
  if (applied.length > 0 || conflicts.length > 0 || skipped.length > 0) {
    writes.push(
      activity(run, {
        outcome: conflicts.length > 0 ? 'conflict' : applied.length > 0 ? 'synced' : 'skipped',
        issueKey: issue.key,
        externalId: record.id,
        summary: applied.length > 0 ? `Applied ${applied.join(', ')} from ${labelOf(record)}` : `Nothing applied from ${labelOf(record)}`,
        details,
      }),
    );
  }
  await commit(run, writes);
  // Jira kept its value: send it to the tool, so both sides agree again.
  if (jiraWon) await ports.queue.push({ type: 'delivery', delivery: { kind: 'issue', connectionId: connection.id, issueId: linked.issueId, issueKey: issue.key, attempt: 1 } });
  // Tandem's own edits do not reach its triggers, so other connections linked to this issue hear of them here.
  if (applied.length > 0) await notifyOtherConnections(run, linked.state, linked.issueId, issue.key);
  return answer(200, {
    status: applied.length > 0 ? 'applied' : 'unchanged',
    issueKey: issue.key,
    applied,
    skipped,
    ...(conflictNotes.length > 0 ? { conflicts: conflictNotes } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  });
}

/**
 * Whether the record may move the issue's status, decided before the issue is read (its project
 * mapping is not known yet), so the transitions come with the issue instead of in a request of their own.
 */
function movesStatus(run: InboundRun, record: { module: string; fields: Record<string, unknown> }, shadow: Shadow): boolean {
  const at = iso(run);
  return mappingsForModule(run.connection, record.module).some((projectMapping) => planInbound({ connection: run.connection, projectMapping, record: record.fields, shadow, at }).status !== undefined);
}

/** Empty as empty, or the same user: writing it again would change nothing. */
function sameAsJira(value: unknown, current: unknown): boolean {
  if (value === null) return current === null || current === undefined;
  const wanted = (value as { accountId?: unknown } | null)?.accountId;
  return typeof wanted === 'string' && Object.keys(value as object).length === 1 && (current as { accountId?: unknown } | null)?.accountId === wanted;
}

async function notifyOtherConnections(run: InboundRun, state: IssueState, issueId: string, issueKey: string): Promise<void> {
  for (const connectionId of Object.keys(state.links)) {
    if (connectionId === run.connection.id) continue;
    await run.ports.queue.push({ type: 'delivery', delivery: { kind: 'issue', connectionId, issueId, issueKey, attempt: 1 } });
  }
}

/** Emails of the Jira users in two-way user fields the tool changed, so a conflict compares like with like. */
async function emailsForConflicts(run: InboundRun, mappings: readonly FieldMapping[], issue: JiraIssue, fields: Record<string, unknown>, shadow: Shadow): Promise<Map<string, string>> {
  const emails = new Map<string, string>();
  for (const m of mappings) {
    if (m.transform.kind !== 'user-email' || m.direction !== 'both' || fields[m.tool] === undefined) continue;
    if (shadow.fields[m.tool] === undefined || shadow.fields[m.tool] === hashValue(fields[m.tool])) continue;
    const user = issue.fields[m.jira] as { accountId?: unknown; emailAddress?: unknown } | null | undefined;
    if (!user || typeof user.accountId !== 'string' || emails.has(user.accountId)) continue;
    const email = typeof user.emailAddress === 'string' ? user.emailAddress : await run.ports.jira.emailOf(user.accountId).catch((error: unknown) => {
      if (isTransient(error)) throw error;
      return undefined;
    });
    if (email) emails.set(user.accountId, email);
  }
  return emails;
}

export function isTransient(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && (status === 429 || status >= 500);
}

/** Users by email: no match leaves the field empty and says so; it never fails the event. */
async function resolveLookups(run: InboundRun, plan: InboundPlan, next: Shadow, notes: string[]): Promise<void> {
  for (const lookup of plan.lookups) {
    const found = await findAccountByEmail(run.ports.jira, lookup.lookup.email);
    if (found) {
      plan.jiraFields[lookup.jiraField] = { accountId: found.accountId };
      // The shadow holds the email as Jira spells it, as outbound will read it back.
      next.fields[lookup.toolField] = hashValue(found.email);
      continue;
    }
    plan.jiraFields[lookup.jiraField] = null;
    // The shadow holds "empty", as Jira does now: the next event for this record tries the email again.
    next.fields[lookup.toolField] = hashValue(null);
    notes.push(`No Jira user has the email given for ${lookup.toolField}, so ${lookup.jiraField} is left unassigned`);
  }
  plan.lookups = [];
}

/**
 * One edit for every field; when Jira refuses some of them, the rest go in a second edit and the
 * refused ones are reported. Returns the fields written.
 */
async function editWithFallback(
  run: InboundRun,
  issueId: string,
  fields: Record<string, unknown>,
  skipped: Array<{ field: string; reason: string }>,
  onRefused: (fieldId: string) => void,
): Promise<string[]> {
  let pending = { ...fields };
  for (let round = 0; round < 2 && Object.keys(pending).length > 0; round++) {
    const refused = await run.ports.jira.editIssue(issueId, pending);
    if (!refused) return Object.keys(pending);
    const named = Object.keys(refused.fieldErrors).filter((id) => id in pending);
    const blame = named.length > 0 ? named : Object.keys(pending);
    for (const id of blame) {
      skipped.push({ field: id, reason: `Jira refused the value: ${refused.fieldErrors[id] ?? refused.messages.join('; ') ?? 'no reason given'}`.slice(0, 300) });
      onRefused(id);
      delete pending[id];
    }
    if (named.length === 0) pending = {};
  }
  return [];
}

async function endLink(run: InboundRun, linked: Linked, summary: string, extra: StoreWrite[] = []): Promise<void> {
  const links = { ...linked.state.links };
  delete links[run.connection.id];
  // Counted as outbound counts its own, so a record made for this issue later gets a new Idempotency-Key.
  const history = withLinkEnded(readLinkHistory(await run.ports.store.get(linkHistoryKey(linked.issueId))), run.connection.id);
  await commit(run, [
    Object.keys(links).length === 0 ? { key: issueStateKey(linked.issueId), delete: true } : { key: issueStateKey(linked.issueId), value: { links } },
    { key: linkHistoryKey(linked.issueId), value: history, ttlSeconds: LINK_HISTORY_TTL_SECONDS },
    { key: recordIndexKey(run.connection.id, linked.link.module, linked.link.externalId), delete: true },
    ...extra,
    activity(run, { outcome: 'synced', issueKey: linked.issueKey, externalId: linked.link.externalId, summary }),
  ]);
}

// ---------------------------------------------------------------- create

const SET_BY_CREATE = new Set(['project', 'issuetype', 'reporter']);

async function createIssue(run: InboundRun, event: Extract<RecordEvent, { type: 'record.created' }>, lock: string): Promise<InboundAnswer> {
  const { ports, connection } = run;
  const { record } = event;
  const projectMapping = mappingsForModule(connection, record.module).find((m) => m.direction !== 'jira-to-tool');
  if (!projectMapping) return refusal(422, 'direction_jira_to_tool', `The module ${record.module} is mapped Jira to tool only`, 'record.module');
  const plan = planInbound({ connection, projectMapping, record: record.fields, shadow: undefined, at: iso(run) });
  if (!plan.createIn) return refusal(422, 'not_mappable', plan.skipped.find((s) => s.field === 'issuetype')?.reason ?? 'No issue type for new issues', 'record.module');
  const { projectKey, issueTypeName } = plan.createIn;
  const types = await ports.jira.getCreateIssueTypes(projectKey);
  if (!types) return refusal(422, 'not_mappable', `Jira has no project ${projectKey} that Tandem can create issues in`, 'record.module');
  const type = types.find((t) => t.name.localeCompare(issueTypeName, undefined, { sensitivity: 'accent' }) === 0);
  if (!type) return refusal(422, 'not_mappable', `Tandem cannot create a ${issueTypeName} in ${projectKey}`, 'record.module');
  const screen = await ports.jira.getCreateFields(projectKey, type.id);
  const onScreen = new Map<string, JiraScreenField>(screen.map((f) => [f.fieldId, f]));

  // What the record holds of the issue's reference (nothing yet): the ordinary outbound delivery
  // sees the difference and writes the key (and address) back to the record.
  const reference = projectMapping.direction === 'both' ? referenceShadow(connection, record.fields) : {};
  const next: Shadow = { fields: { ...plan.shadowNext.fields, ...reference }, updatedAt: plan.shadowNext.updatedAt };
  const skipped = plan.skipped.map((s) => ({ ...s }));
  const notes: string[] = [];
  const mappings = fieldMappingsFor(connection, projectMapping);
  await resolveLookups(run, plan, next, notes);
  const defaults = inboundOptionsOf(connection).createDefaults;
  const fields: Record<string, unknown> = {};
  for (const [id, value] of Object.entries({ ...defaults, ...plan.jiraFields })) {
    if (value === null) continue;
    if (!onScreen.has(id)) {
      skipped.push({ field: id, reason: `Not on the create screen of ${issueTypeName} in ${projectKey}` });
      restoreShadow(next, undefined, toolFieldOf(mappings, id));
      continue;
    }
    fields[id] = value;
  }
  const missing = screen.filter((f) => f.required && !f.hasDefaultValue && !SET_BY_CREATE.has(f.fieldId) && fields[f.fieldId] === undefined);
  if (missing.length > 0) {
    const names = missing.map((f) => `${f.name || f.fieldId} (${f.fieldId})`).join(', ');
    return refusal(422, 'required_field_missing', `Jira requires ${names} to create a ${issueTypeName} in ${projectKey}; the record does not fill it and the connection has no default`, `record.fields`);
  }
  let created = await ports.jira.createIssue({ project: { key: projectKey }, issuetype: { id: type.id }, ...fields });
  if (!created.ok) {
    // Leave out what Jira refused unless it is required, and try once more.
    const refused = Object.keys(created.refusal.fieldErrors).filter((id) => id in fields && !onScreen.get(id)?.required);
    if (refused.length === 0 || refused.length < Object.keys(created.refusal.fieldErrors).length) {
      const said = [...Object.entries(created.refusal.fieldErrors).map(([f, m]) => `${f}: ${m}`), ...created.refusal.messages].join('; ').slice(0, 400);
      return refusal(422, 'jira_refused', `Jira refused to create the issue: ${said}`, 'record.fields');
    }
    for (const id of refused) {
      skipped.push({ field: id, reason: `Jira refused the value: ${created.refusal.fieldErrors[id] ?? ''}` });
      restoreShadow(next, undefined, toolFieldOf(mappings, id));
      delete fields[id];
    }
    created = await ports.jira.createIssue({ project: { key: projectKey }, issuetype: { id: type.id }, ...fields });
    if (!created.ok) {
      const said = [...Object.entries(created.refusal.fieldErrors).map(([f, m]) => `${f}: ${m}`), ...created.refusal.messages].join('; ').slice(0, 400);
      return refusal(422, 'jira_refused', `Jira refused to create the issue: ${said}`, 'record.fields');
    }
  }
  const link: Link = {
    connectionId: connection.id,
    module: record.module,
    externalId: record.id,
    url: record.url,
    ...(record.number ? { number: record.number } : {}),
    issueKey: created.key,
    shadow: next,
    linkedAt: iso(run),
  };
  const state: IssueState = { links: { [connection.id]: link } };
  // The link is saved before anything else can fail, so no retry ever creates a second issue.
  await ports.store.writeAll([
    { key: issueStateKey(created.id), value: state },
    { key: recordIndexKey(connection.id, record.module, record.id), value: { issueId: created.id, issueKey: created.key } },
    { key: lock, delete: true },
  ]);
  const applied = Object.keys(fields);
  try {
    await ports.jira.upsertRemoteLink(created.id, {
      globalId: `tandem:${connection.id}:${record.module}:${record.id}`.slice(0, 255),
      url: record.url,
      title: record.number ?? `${connection.name} ${record.module} ${record.id}`,
      summary: `${connection.name} · ${record.module}`,
    });
  } catch (error) {
    if (isTransient(error)) notes.push('The link to the record in Jira could not be added yet (Jira is busy)');
    else notes.push(`The link to the record in Jira could not be added: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`);
  }
  const statusWrites: StoreWrite[] = [];
  if (plan.status) {
    const issue = await ports.jira.getIssue(created.id, ['summary'], { transitions: true });
    const moved = issue
      ? await moveStatus(run, { issue, target: plan.status, values: fields, record, occurredAt: event.occurredAt, mappings })
      : { ok: false as const, path: [], reason: 'The new issue could not be read back', writes: [] };
    statusWrites.push(...moved.writes);
    if (moved.ok && moved.path.length > 0) applied.push('status');
    if (!moved.ok) {
      skipped.push({ field: 'status', reason: moved.reason });
      restoreShadow(next, undefined, toolFieldOf(mappings, 'status'));
    }
  }
  await commit(run, [
    ...statusWrites,
    { key: issueStateKey(created.id), value: { links: { [connection.id]: { ...link, shadow: next } } } },
    activity(run, {
      outcome: 'synced',
      issueKey: created.key,
      externalId: record.id,
      summary: `Created ${created.key} from ${labelOf(record)}`,
      details: [...skipped.map((s) => `${s.field}: ${s.reason}`), ...notes],
    }),
  ]);
  if (Object.keys(reference).length > 0) {
    try {
      await ports.queue.push({ type: 'delivery', delivery: { kind: 'issue', connectionId: connection.id, issueId: created.id, issueKey: created.key, attempt: 1 } });
    } catch (error) {
      // Still owed in the shadow: the next delivery of the issue to the tool writes it.
      console.error('Could not queue writing the issue key back to the record', connection.id, error instanceof Error ? error.message.slice(0, 200) : 'unknown error');
    }
  }
  return answer(200, { status: 'created', issueKey: created.key, applied, skipped, ...(notes.length > 0 ? { notes } : {}) });
}

// ---------------------------------------------------------------- deletion

async function deleteRecord(run: InboundRun, event: Extract<RecordEvent, { type: 'record.deleted' }>): Promise<InboundAnswer> {
  const { record } = event;
  const notMapped = checkModule(run.connection, record.module);
  if (notMapped) return notMapped;
  const linked = await readLinked(run, record.module, record.id);
  if (!linked) return refusal(404, 'unknown_record', `${record.module} record ${record.id} is not linked to a Jira issue`, 'record.id');
  const option = inboundOptionsOf(run.connection).onToolDelete;
  const label = labelOf({ id: record.id, number: record.number ?? linked.link.number });
  if (option === 'delete') {
    await run.ports.jira.deleteIssue(linked.issueId);
    await endLink(run, linked, `${label} was deleted in the tool; ${linked.issueKey} was deleted too`);
    return answer(200, { status: 'deleted', issueKey: linked.issueKey, applied: ['issue deleted'], skipped: [] });
  }
  if (option === 'close') {
    const issue = await run.ports.jira.getIssue(linked.issueId, ['summary'], { transitions: true });
    if (!issue) {
      await endLink(run, linked, `${label} was deleted in the tool; its issue was already gone`);
      return answer(200, { status: 'unlinked', issueKey: linked.issueKey, applied: [], skipped: [] });
    }
    const moved = await moveToStatus({
      jira: run.ports.jira,
      store: run.ports.store,
      issueId: linked.issueId,
      workflow: workflowOf(issue),
      start: statusOf(issue),
      target: { kind: 'status', category: 'done' },
      screen: { resolution: inboundOptionsOf(run.connection).resolution, values: {} },
      listed: issue.transitions,
      maxSteps: maxTransitionsOf(run.connection),
    });
    const skipped = moved.ok ? [] : [{ field: 'status', reason: moved.reason }];
    await endLink(run, linked, `${label} was deleted in the tool; ${moved.ok ? `${issue.key} was moved to done` : `${issue.key} could not be moved to done`} and the link ended`, moved.remember ? [moved.remember] : []);
    return answer(200, { status: 'closed', issueKey: issue.key, applied: moved.ok && moved.path.length > 0 ? ['status'] : [], skipped });
  }
  await endLink(run, linked, `${label} was deleted in the tool; the link to ${linked.issueKey} ended, the issue stays`);
  return answer(200, { status: 'unlinked', issueKey: linked.issueKey, applied: [], skipped: [] });
}

// ---------------------------------------------------------------- comments

/** The Jira comment for a tool comment: who wrote it, through which connection, then the text. */
export function commentDoc(authorName: string | undefined, connectionName: string, markdown: string): AdfDoc {
  const body = markdownToAdf(markdown);
  const by = { type: 'paragraph', content: [{ type: 'text', text: `${authorName ?? 'Someone'} via ${connectionName}:`, marks: [{ type: 'strong' }] }] };
  return { ...body, content: [by, ...(body.content ?? [])] } as AdfDoc;
}

/** `waited`: this event already waited once for another one making the same comment. */
async function applyComment(run: InboundRun, event: CommentEvent, waited = false): Promise<InboundAnswer> {
  const { ports, connection } = run;
  const { record, comment } = event;
  const notMapped = checkModule(connection, record.module);
  if (notMapped) return notMapped;
  if (!connection.options.syncComments) return refusal(422, 'comments_off', `The connection ${connection.name} does not sync comments`, 'comment');
  const linked = await readLinked(run, record.module, record.id);
  if (!linked) return refusal(404, 'unknown_record', `${record.module} record ${record.id} is not linked to a Jira issue`, 'record.id');
  const note = readToolNote(await ports.store.get(toolNoteKey(connection.id, comment.id)));
  if (note?.origin === 'jira') {
    // Tandem made this note from a Jira comment; the tool sent it back.
    return answer(200, { status: 'unchanged', issueKey: linked.issueKey, applied: [], skipped: [{ field: 'comment', reason: `This note mirrors Jira comment ${note.jiraCommentId}; change it in Jira` }] });
  }
  if (event.type === 'comment.deleted') {
    if (!note) return answer(200, { status: 'unchanged', issueKey: linked.issueKey, applied: [], skipped: [{ field: 'comment', reason: 'No Jira comment was made from this comment' }] });
    await ports.jira.deleteComment(note.issueId, note.jiraCommentId);
    await commit(run, [toolNoteDelete(connection.id, comment.id), activity(run, { outcome: 'synced', issueKey: linked.issueKey, externalId: record.id, summary: `Deleted comment ${note.jiraCommentId}, as ${labelOf(record)}'s comment was deleted` })]);
    return answer(200, { status: 'applied', issueKey: linked.issueKey, applied: ['comment deleted'], skipped: [], jiraCommentId: note.jiraCommentId });
  }
  const body = event.comment.body;
  const hash = hashValue([comment.author?.name ?? null, body]);
  if (note && note.hash === hash) return answer(200, { status: 'unchanged', issueKey: linked.issueKey, applied: [], skipped: [], jiraCommentId: note.jiraCommentId });
  const doc = commentDoc(comment.author?.name, connection.name, body);
  if (note && (await ports.jira.updateComment(note.issueId, note.jiraCommentId, doc))) {
    await commit(run, [
      toolNoteWrite(connection.id, comment.id, { jiraCommentId: note.jiraCommentId, issueId: linked.issueId, origin: 'tool', hash }),
      activity(run, { outcome: 'synced', issueKey: linked.issueKey, externalId: record.id, summary: `Edited comment ${note.jiraCommentId} from ${labelOf(record)}` }),
    ]);
    return answer(200, { status: 'applied', issueKey: linked.issueKey, applied: ['comment edited'], skipped: [], jiraCommentId: note.jiraCommentId });
  }

  // A Jira comment is made only under the tool comment's lock: two events for it at once (the tool
  // retrying with a new event id, or sending created and updated together) make one comment.
  const lock = inboundCommentLockKey(connection.id, comment.id);
  if (!(await ports.store.create(lock, { at: iso(run) }, CREATE_LOCK_SECONDS))) {
    const busy = new RecordBusy('Another event for this comment is adding it to Jira');
    if (waited || !(await waitForRelease(run, lock))) throw busy;
    // The other event is done: this one now finds its comment, and edits it only if the text differs.
    return applyComment(run, event, true);
  }
  let released = false;
  try {
    // Another event may have made the comment between the read above and taking the lock.
    const current = readToolNote(await ports.store.get(toolNoteKey(connection.id, comment.id)));
    if (current?.jiraCommentId === note?.jiraCommentId) {
      const jiraCommentId = await ports.jira.addComment(linked.issueId, doc);
      await commit(run, [
        toolNoteWrite(connection.id, comment.id, { jiraCommentId, issueId: linked.issueId, origin: 'tool', hash }),
        { key: lock, delete: true },
        activity(run, { outcome: 'synced', issueKey: linked.issueKey, externalId: record.id, summary: `Added comment ${jiraCommentId} from ${labelOf(record)}` }),
      ]);
      released = true;
      return answer(200, { status: 'applied', issueKey: linked.issueKey, applied: ['comment added'], skipped: [], jiraCommentId });
    }
  } finally {
    if (!released) await ports.store.delete(lock).catch(() => undefined);
  }
  if (waited) throw new RecordBusy('Another event for this comment is adding it to Jira');
  return applyComment(run, event, true);
}

/** Waits a little for another event's lock to go; false when it is still held. */
async function waitForRelease(run: InboundRun, lock: string): Promise<boolean> {
  for (let waited = 0; waited < WAIT_FOR_LINK_MS; waited += WAIT_STEP_MS) {
    await sleep(WAIT_STEP_MS);
    if ((await run.ports.store.get(lock)) === undefined) return true;
  }
  return false;
}

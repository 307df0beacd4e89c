// The record REST protocol: an issue becomes a record in the tool, found again rather than made twice;
// an event only says that the issue changed, so each delivery reads the issue as Jira holds it now and
// sends the mapped fields that differ from the shadow. Comments become work notes (work-notes.ts); a
// deleted issue follows the connection's option.
import { mayHaveActed, type ConnectorResult, type DeliveryFailure, type RecordRestConnector, type ToolRecord } from '../../connectors';
import { fieldMappingsFor, hashValue, issueFieldsFor, planOutbound, type ProjectMapping, type RecordRestConnection } from '../../mapping';
import type { Delivery } from '../delivery';
import { activityWrite, describeFailure, failureWrites, skipLine } from '../journal';
import { recordIntentKey, recordIntentWrite, recordTombstoneWrite } from '../notes';
import type { JiraComment, JiraIssue, StoreWrite } from '../ports';
import { createLockKey, emptyShadow, issueStateKey, readIssueState, recordIndexKey, remoteLinkOf, unlinkedKey, type Link, type PendingCreate } from '../state';
import { guarded } from './guard';
import type { OutboundProtocol } from './protocol';
import { connectorFor, decorateIssue, endLink, historyWrite, saveLink, withoutPendingCreate } from './record-links';
import { coveringMapping, DeliveryError, deliveryFor, mappingFor, passesFilter, subjectOf, unwrap, type OutboundChange, type OutboundSubject, type Run } from './run';
import { deleteNote, LOCKED_RETRY_SECONDS, saveNote } from './work-notes';

const CREATE_LOCK_SECONDS = 120;
/** How many of an issue's existing comments a new link sends at once; the rest go through the queue. */
const BACKFILL_INLINE = 20;

export function recordRestProtocol(connection: RecordRestConnection): OutboundProtocol {
  return {
    oneAtATime: true,
    concerns: (run, change) => concerns(run, connection, change),
    deliveryOf: (_run, change) => deliveryFor(connection.id, subjectOf(change), 1),
    async deliver(run, change, { attempt }) {
      switch (change.kind) {
        case 'issue-created':
        case 'issue-updated':
          return syncIssue(run, connection, { attempt, firstSight: change.kind === 'issue-created' && attempt === 1 });
        case 'issue-deleted':
          return deleteRecord(run, connection, attempt);
        case 'comment-saved':
          if (!change.comment) return;
          return saveNote(run, connection, { commentId: change.commentId, comment: change.comment, attempt });
        case 'comment-deleted':
          return deleteNote(run, connection, change.commentId);
      }
    },
    redeliver: (run, delivery) => redeliver(run, connection, delivery),
  };
}

/** A link, or an issue the event places in a mapped project and type; when neither, the event costs nothing more. */
function concerns(run: Run, connection: RecordRestConnection, change: OutboundChange): boolean {
  if (run.state.links[connection.id]) return true;
  switch (change.kind) {
    case 'issue-created':
    case 'issue-updated':
      return mappingFor(connection, change.payload) !== undefined;
    case 'comment-saved':
      // A comment event that does not say where the issue is cannot rule it out.
      return !change.payload?.project || !change.payload.issueType || mappingFor(connection, change.payload) !== undefined;
    case 'issue-deleted':
      // A record create still owed may have reached the tool: the deletion applies to what it made.
      return run.history.pendingCreates[connection.id] !== undefined;
    case 'comment-deleted':
      return false;
  }
}

async function redeliver(run: Run, connection: RecordRestConnection, delivery: Delivery): Promise<void> {
  switch (delivery.kind) {
    case 'deletion':
      return deleteRecord(run, connection, delivery.attempt);
    case 'comment': {
      if (delivery.deleted) return deleteNote(run, connection, delivery.commentId);
      const comment = await run.ports.jira.getComment(delivery.issueId, delivery.commentId);
      if (!comment) return deleteNote(run, connection, delivery.commentId);
      return saveNote(run, connection, { commentId: delivery.commentId, comment, attempt: delivery.attempt });
    }
    case 'issue':
      return syncIssue(run, connection, { attempt: delivery.attempt, firstSight: false });
  }
}

/**
 * Forge may deliver events late, twice or out of order, so an event only says that something
 * changed: the plan is made from the issue as Jira holds it now (one read, which the fields events
 * leave out needed anyway). `firstSight` is the inline handling of the created event, the one case
 * where no record can exist yet.
 */
async function syncIssue(run: Run, connection: RecordRestConnection, options: { attempt: number; firstSight: boolean }): Promise<void> {
  const issue = await run.ports.jira.getIssue(run.issueId, issueFieldsFor(connection));
  // Gone since: the deleted event applies the connection's option.
  if (!issue) return;
  run.issueKey = issue.key;
  await syncFields(run, connection, { issue, ...options });
}

/** Emails of the users the mapped fields hold, read as the app where privacy settings hide them. */
async function emailsFor(run: Run, connection: RecordRestConnection, projectMapping: ProjectMapping, issue: JiraIssue): Promise<Map<string, string>> {
  const emails = new Map<string, string>();
  for (const m of fieldMappingsFor(connection, projectMapping)) {
    if (m.transform.kind !== 'user-email' || m.direction === 'tool-to-jira') continue;
    const user = issue.users[m.jira];
    if (!user || emails.has(user.accountId)) continue;
    const email = user.emailAddress ?? (await run.ports.jira.emailOf(user.accountId));
    if (email) emails.set(user.accountId, email);
  }
  return emails;
}

/** The records linked on this connection to the issues the parent mappings name (the parent's own link). */
async function parentRecords(run: Run, connection: RecordRestConnection, projectMapping: ProjectMapping, issue: JiraIssue): Promise<Map<string, string>> {
  const records = new Map<string, string>();
  for (const m of fieldMappingsFor(connection, projectMapping)) {
    if (m.transform.kind !== 'parent' || m.direction === 'tool-to-jira') continue;
    const parent = issue.fields[m.jira] as { id?: unknown } | null | undefined;
    if (typeof parent?.id !== 'string' || records.has(parent.id)) continue;
    const link = readIssueState(await run.ports.store.get(issueStateKey(parent.id))).links[connection.id];
    if (link) records.set(parent.id, link.externalId);
  }
  return records;
}

/**
 * Brings the record up to date with the issue's current fields: creates (or finds) it when the
 * issue has no link, ends the link when the issue left the mappings.
 */
async function syncFields(run: Run, connection: RecordRestConnection, current: { issue: JiraIssue; attempt: number; firstSight: boolean }): Promise<void> {
  const { ports } = run;
  const { issue } = current;
  let link = run.state.links[connection.id];
  const projectMapping = coveringMapping(connection, issue);
  if (!projectMapping) {
    // Moved out of every mapped project or type: the pair no longer syncs; the record stays.
    if (link) await endLink(run, connection, link, `The issue left the mapped projects and types; its link to ${link.number ?? link.externalId} ended and the record was left as it is`);
    return;
  }
  if (link && link.module !== projectMapping.module) {
    // Moved to a type or project that syncs to another module: a record there takes over.
    await endLink(run, connection, link, `The issue became a ${issue.issueType?.name ?? 'type'} that syncs to ${projectMapping.module}; its link to ${link.number ?? link.externalId} in ${link.module} ended and that record was left as it is`);
    link = undefined;
  }
  // Records are made only where Jira issues go to the tool; a tool-to-Jira link is kept, and sends nothing.
  if (!link && (projectMapping.direction === 'tool-to-jira' || !(await passesFilter(run, projectMapping)))) return;
  const emails = await emailsFor(run, connection, projectMapping, issue);
  const records = await parentRecords(run, connection, projectMapping, issue);
  const at = new Date(ports.clock.now()).toISOString();
  const planAgainst = (shadow: Link['shadow'] | undefined) =>
    planOutbound({
      connection,
      projectMapping,
      issue: { id: run.issueId, key: run.issueKey, fields: issue.fields, status: issue.status },
      shadow,
      emailOf: (accountId) => emails.get(accountId),
      recordOf: (issueId) => records.get(issueId),
      at,
    });
  const plan = planAgainst(link?.shadow);
  const skipped = plan.skipped.map((s) => skipLine(s, 'outbound'));

  if (!link) {
    // Unlinked by hand: no record is made for the issue again until someone links it to one.
    if ((await ports.store.get(unlinkedKey(connection.id, run.issueId))) !== undefined) return;
    await createRecord(run, connection, { projectMapping, plan, planAgainst, skipped, attempt: current.attempt, lookFirst: !current.firstSight || current.attempt > 1 });
    return;
  }
  // A create still owed though the issue is linked (the tool's event for that record linked it first): owed no more.
  const settled = createDone(run, connection.id);
  if (settled.length > 0) await ports.store.writeAll(settled);
  if (link.remoteLinkOwed) {
    // Owed since the link was made; Jira still busy throws, and the delivery is retried.
    await ports.jira.upsertRemoteLink(run.issueId, remoteLinkOf(connection, link));
    link = { ...link, remoteLinkOwed: false };
    await saveLink(run, connection, link, { writes: [], subject: { kind: 'issue', issueId: run.issueId, issueKey: run.issueKey } });
  }
  const rekeyed = link.issueKey !== run.issueKey;
  if (Object.keys(plan.fields).length === 0 && !rekeyed) {
    // Nothing to send, but a value nothing maps is never silence: the admin sees it and its fix.
    if (skipped.length > 0) await logSkips(run, connection, link, skipped);
    return;
  }
  const label = link.number ?? link.externalId;
  let sent = plan.fields;
  const refused: RefusedField[] = [];
  if (Object.keys(plan.fields).length > 0) {
    const connector = await connectorFor(run, connection);
    sent = await sendAllButRefused(`Updating ${label}`, plan.fields, refused, (fields) => connector.updateRecord({ module: link.module, id: link.externalId, fields }));
  }
  // A refused field keeps its old shadow, so the next change (or the admin's retry) sends it again.
  const shadowNext = refused.length === 0 ? plan.shadowNext : { ...plan.shadowNext, fields: withOldValues(plan.shadowNext.fields, link.shadow.fields, refused) };
  const next: Link = { ...link, shadow: shadowNext, issueKey: run.issueKey };
  const subject = { kind: 'issue' as const, issueId: run.issueId, issueKey: run.issueKey };
  const refusal = refused.length === 0 ? undefined : describeRefusal(connection, projectMapping, label, refused);
  await saveLink(run, connection, next, {
    ...(refusal
      ? {
          failure: await failureWrites(ports, {
            connectionId: connection.id,
            subject,
            operation: `Sending ${refused.map((r) => r.field).join(', ')} to ${label}`,
            failure: refusal,
            attempts: 1,
          }),
        }
      : {}),
    writes: [
      activityWrite(ports, {
        connectionId: connection.id,
        direction: 'outbound',
        outcome: 'synced',
        issueKey: run.issueKey,
        externalId: link.externalId,
        summary: `Sent ${Object.keys(sent).join(', ') || 'the new issue key'} to ${label}`,
        details: [...(refusal ? [describeFailure(refusal)] : []), ...skipped],
      }),
      ...(rekeyed ? [{ key: recordIndexKey(connection.id, link.module, link.externalId), value: { issueId: run.issueId, issueKey: run.issueKey } }] : []),
    ],
    subject,
  });
}

interface RefusedField {
  field: string;
  failure: DeliveryFailure;
}

/**
 * Sends the fields; when the tool refuses the request naming fields of it (400 or 422), sends the
 * rest without them, so one field the tool does not take never blocks the others. Returns what was
 * sent; `refused` collects the fields left out. Any other failure is thrown for the delivery guard.
 */
async function sendAllButRefused<T>(
  operation: string,
  fields: Record<string, unknown>,
  refused: RefusedField[],
  send: (fields: Record<string, unknown>) => Promise<ConnectorResult<T>>,
): Promise<Record<string, unknown>> {
  let body = fields;
  for (;;) {
    const result = await send(body);
    if (result.ok) return body;
    const named = (result.failure.fields ?? []).filter((f) => f in body);
    if (result.failure.retry !== 'permanent' || named.length === 0) {
      // Refused again after leaving fields out: what was refused before is kept with this failure.
      throw new DeliveryError(operation, result.failure);
    }
    refused.push(...named.map((field) => ({ field, failure: result.failure })));
    body = Object.fromEntries(Object.entries(body).filter(([field]) => !named.includes(field)));
    if (Object.keys(body).length === 0) return body;
  }
}

function withOldValues(next: Record<string, string>, old: Record<string, string>, refused: RefusedField[]): Record<string, string> {
  const fields = { ...next };
  for (const { field } of refused) {
    const held = old[field];
    if (held === undefined) delete fields[field];
    else fields[field] = held;
  }
  return fields;
}

/** The tool's refusal of some fields, naming the mapping to fix; the rest went through. */
function describeRefusal(connection: RecordRestConnection, projectMapping: ProjectMapping, label: string, refused: RefusedField[]): DeliveryFailure {
  const mappings = fieldMappingsFor(connection, projectMapping);
  const names = refused.map(({ field }) => {
    const mapping = mappings.find((m) => m.tool === field);
    return mapping ? `${mapping.jira} → ${field}` : field;
  });
  const first = refused[0]?.failure;
  return {
    retry: 'permanent',
    reason: first?.reason ?? 'bad-request',
    ...(first?.status === undefined ? {} : { status: first.status }),
    ...(first?.toolMessage === undefined ? {} : { toolMessage: first.toolMessage }),
    explanation: `${label} refused ${refused.map((r) => r.field).join(', ')}; every other field was sent. Fix the field mapping ${names.join(', ')} on Mappings, then choose Retry`,
  };
}

/** A change with nothing to send because values have no mapping: a visible skip with the value and the fix. */
async function logSkips(run: Run, connection: RecordRestConnection, link: Link, skipped: string[]): Promise<void> {
  await run.ports.store.writeAll([
    activityWrite(run.ports, {
      connectionId: connection.id,
      direction: 'outbound',
      outcome: 'skipped',
      issueKey: run.issueKey,
      externalId: link.externalId,
      summary: `Nothing sent to ${link.number ?? link.externalId}: ${skipped.length === 1 ? 'a value has' : 'values have'} no mapping`,
      details: skipped,
    }),
  ]);
}

type OutboundPlan = ReturnType<typeof planOutbound>;

interface RecordCreate {
  projectMapping: ProjectMapping;
  /** The plan against the link's shadow (none yet), and the same plan against any shadow. */
  plan: OutboundPlan;
  planAgainst: (shadow: Link['shadow'] | undefined) => OutboundPlan;
  /** Fields the plan could not send, for the activity entry. */
  skipped: string[];
  attempt: number;
  /** Look the record up by the issue key before making one (every create but the first look at a created event). */
  lookFirst: boolean;
}

/**
 * Makes the issue's record, or finds the one it already has (a create whose answer came too late,
 * or an issue that comes back into a mapping), and links it. Comments the issue already has are
 * sent too, so a comment made while the record could not be created is not lost.
 */
async function createRecord(run: Run, connection: RecordRestConnection, create: RecordCreate): Promise<void> {
  const { ports } = run;
  const { projectMapping, plan, planAgainst, skipped, attempt, lookFirst } = create;
  const lock = createLockKey(connection.id, run.issueId);
  if (!(await ports.store.create(lock, { at: new Date(ports.clock.now()).toISOString() }, CREATE_LOCK_SECONDS))) {
    // Another delivery is creating this record right now; once it has, a later look sends what changed.
    const delivery = deliveryFor(connection.id, { kind: 'issue', issueId: run.issueId, issueKey: run.issueKey }, attempt);
    await ports.queue.push({ type: 'delivery', delivery }, LOCKED_RETRY_SECONDS);
    run.requeued = true;
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
      record = await addRecord(run, connection, connector, pending, false);
      made = true;
    }
    let shadow = plan.shadowNext;
    let summary: string;
    if (record) {
      // The record holds whatever was sent before: send every mapped field that differs from it now.
      const full = planAgainst(emptyShadow(new Date(ports.clock.now()).toISOString()));
      const found = record;
      const differing = Object.fromEntries(Object.entries(full.fields).filter(([tool, value]) => hashValue(found.fields[tool] ?? null) !== hashValue(value)));
      const label = record.number ?? record.id;
      if (Object.keys(differing).length > 0) unwrap(`Updating ${label}`, await connector.updateRecord({ module, id: record.id, fields: differing }));
      shadow = full.shadowNext;
      const done = made ? `Created ${label} in ${module}` : `Linked ${label} in ${module} again`;
      summary = Object.keys(differing).length > 0 ? `${done} and sent ${Object.keys(differing).join(', ')}` : done;
    } else {
      const fields = plan.fields;
      const body = connection.issueKeyField ? { ...fields, [connection.issueKeyField]: run.issueKey } : fields;
      const idempotencyKey = recordCreateKey(connection.id, module, run.issueId, run.history.ended[connection.id] ?? 0);
      const create: PendingCreate = { module, idempotencyKey, body };
      // Written down before it is sent: should the answer be lost, the retry sends exactly this, and
      // the tool's event for the record it made is known as this issue's (see recordIntentsMatching).
      await ports.store.writeAll([
        historyWrite(run, { ...run.history, pendingCreates: { ...run.history.pendingCreates, [connection.id]: create } }),
        recordIntentWrite(connection.id, module, { issueId: run.issueId, issueKey: run.issueKey, body }),
      ]);
      record = await addRecord(run, connection, connector, create, true);
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
    const { notes, remoteLinkOwed } = await decorateIssue(run, connection, link);
    if (remoteLinkOwed) link.remoteLinkOwed = true;
    await saveLink(run, connection, link, {
      writes: [
        ...createDone(run, connection.id),
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
      ],
      subject: { kind: 'issue', issueId: run.issueId, issueKey: run.issueKey },
    });
  } catch (error) {
    await ports.store.delete(lock);
    throw error;
  }
  // The remote link Jira refused for now: the issue's next delivery adds it.
  if (run.state.links[connection.id]?.remoteLinkOwed) await ports.queue.push({ type: 'delivery', delivery: deliveryFor(connection.id, { kind: 'issue', issueId: run.issueId, issueKey: run.issueKey }, 1) }, LOCKED_RETRY_SECONDS);
  await sendExistingComments(run, connection, comments);
}

/**
 * Creates a record whose create is written down already (owed in the link history, with its intent):
 * when the tool may have made it without Tandem hearing so, it stays owed and the retry sends it again
 * as it was. `first`: a first try, whose refusal the tool surely did not act on owes nothing.
 */
async function addRecord(run: Run, connection: RecordRestConnection, connector: RecordRestConnector, create: PendingCreate, first: boolean): Promise<ToolRecord> {
  const made = await connector.createRecord({ module: create.module, fields: create.body, idempotencyKey: create.idempotencyKey });
  if (made.ok) return made.value;
  throw new DeliveryError(`Creating a ${create.module} record`, made.failure, first && !mayHaveActed(made.failure) ? createDone(run, connection.id) : []);
}

/** The issue's record create is owed no more (made, found, or no longer wanted): its pending create and intent go. */
function createDone(run: Run, connectionId: string): StoreWrite[] {
  const owed = run.history.pendingCreates[connectionId];
  if (!owed) return [];
  return [historyWrite(run, withoutPendingCreate(run.history, connectionId)), { key: recordIntentKey(connectionId, owed.module, run.issueId), delete: true }];
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
    const delivery = deliveryFor(connection.id, subject, 1);
    await guarded(run, { connection, delivery, oneAtATime: true }, () =>
      index < BACKFILL_INLINE
        ? saveNote(run, connection, { commentId: comment.id, comment, attempt: 1 })
        : run.ports.queue.push({ type: 'delivery', delivery }),
    );
  }
}

/**
 * A deleted issue: the link ends, and the record is closed, deleted or left as the connection says.
 * A record closed or deleted is remembered as deleted with its issue, so the tool's late or replayed
 * record.created never makes the issue again.
 */
async function deleteRecord(run: Run, connection: RecordRestConnection, attempt: number): Promise<void> {
  const link = run.state.links[connection.id];
  if (!link) return deleteOwedRecord(run, connection, attempt);
  const done = await applyJiraDelete(run, connection, { module: link.module, id: link.externalId, label: link.number ?? link.externalId });
  // A record left as it is stays the tool's own: its later changes are answered as those of a record linked to nothing.
  const gone = connection.options.onJiraDelete === 'nothing' ? [] : [recordTombstoneWrite(connection.id, link.module, link.externalId)];
  return endLink(run, connection, link, done, gone);
}

/** Closes, deletes or leaves the record as the connection says; what was done, in words. */
async function applyJiraDelete(run: Run, connection: RecordRestConnection, record: { module: string; id: string; label: string }): Promise<string> {
  const { module, id, label } = record;
  const option = connection.options.onJiraDelete;
  if (option === 'nothing') return `The issue was deleted; ${label} was left as it is`;
  const connector = await connectorFor(run, connection);
  if (option === 'delete') {
    const result = await connector.deleteRecord({ module, id });
    // Already gone is what deleting wanted.
    if (!result.ok && result.failure.status !== 404) throw new DeliveryError(`Deleting ${label}`, result.failure);
    return `The issue was deleted; ${label} was deleted too`;
  }
  const stateField = connection.projects
    .filter((p) => p.module === module)
    .flatMap((p) => fieldMappingsFor(connection, p))
    .find((m) => m.transform.kind === 'status')?.tool;
  if (!stateField) return `The issue was deleted; ${label} could not be closed because no field is mapped to Jira's status`;
  unwrap(`Closing ${label}`, await connector.updateRecord({ module, id, fields: { [stateField]: connection.options.closedState } }));
  return `The issue was deleted; ${label} was set to ${connection.options.closedState}`;
}

/**
 * A deleted issue whose record create is still owed: the create may have reached the tool though its
 * answer was lost. The record it made (found by the issue key, or named by the tool when the create
 * is sent again as it was) gets the connection's delete option; none made, none is made. The intent
 * stays, so the tool's late event for such a record is known as Tandem's and makes no issue.
 */
async function deleteOwedRecord(run: Run, connection: RecordRestConnection, attempt: number): Promise<void> {
  const { ports } = run;
  const pending = run.history.pendingCreates[connection.id];
  if (!pending) return;
  if ((await ports.store.get(createLockKey(connection.id, run.issueId))) !== undefined) {
    // The create is being sent right now: once it has its answer, the deletion applies to what it made.
    await ports.queue.push({ type: 'delivery', delivery: deliveryFor(connection.id, { kind: 'deletion', issueId: run.issueId, issueKey: run.issueKey }, attempt) }, LOCKED_RETRY_SECONDS);
    run.requeued = true;
    return;
  }
  const history = withoutPendingCreate(run.history, connection.id);
  const owedNoMore = (summary: string, writes: StoreWrite[] = []) =>
    ports.store.writeAll([
      historyWrite(run, history),
      ...writes,
      activityWrite(ports, { connectionId: connection.id, direction: 'outbound', outcome: 'synced', issueKey: run.issueKey, summary }),
    ]);
  if (connection.options.onJiraDelete === 'nothing') return owedNoMore('The issue was deleted while its record was being created; whatever the tool made is left as it is');
  const connector = await connectorFor(run, connection);
  let record: ToolRecord | undefined;
  const found = await connector.findRecordByIssueKey({ module: pending.module, issueKey: run.issueKey });
  if (!found.ok && found.failure.retry === 'transient') throw new DeliveryError('Looking for the record of a deleted issue', found.failure);
  if (found.ok) {
    record = found.value;
    if (!record) return owedNoMore('The issue was deleted before its record was made; no record was made');
  } else {
    // The tool cannot search: sent again as it was, the create names the record it made (or makes it now, to be closed at once).
    record = await addRecord(run, connection, connector, pending, false);
  }
  const done = await applyJiraDelete(run, connection, { module: pending.module, id: record.id, label: record.number ?? record.id });
  return owedNoMore(done, [recordTombstoneWrite(connection.id, pending.module, record.id)]);
}

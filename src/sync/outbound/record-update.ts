// Record REST updates: the issue's mapped fields that differ from the shadow go to its record; a field
// the tool refuses is kept as a failure of its own while the others are sent.
import { mayHaveActed, recordUpdatedAt, type ConnectorResult, type DeliveryFailure, type RecordRestConnector, type ToolRecord } from '../../connectors';
import { acknowledgedShadow, fieldMappingsFor, hashValue, lastFieldChanges, parseDateValue, planOutbound, unsureShadow, type JiraFieldChange, type OutboundPlan, type ProjectMapping, type RecordRestConnection, type Shadow } from '../../mapping';
import { userEmails } from '../inbound/fields';
import { activityWrite, describeFailure, failureWrites, skipLine } from '../journal';
import type { JiraChangelogEntry, JiraIssue } from '../ports';
import { issueStateKey, readIssueState, recordIndexKey, remoteLinkOf, unlinkedKey, type Link } from '../state';
import { createDone, createRecord, queueExistingComments } from './record-create';
import { connectorFor, endLink, saveLink } from './record-links';
import { SEARCH_CATCH_UP_SECONDS, syncedEntryOf } from '../issue-property';
import { childWaitWrite } from '../hierarchy';
import { LOCKED_RETRY_SECONDS } from './work-notes';
import { coveringMapping, DeliveryError, deliveryFor, passesFilter, unwrap, type Run } from './run';

/** Emails of the users the mapped fields (users and user lists) hold, read as the app where privacy settings hide them. */
function emailsFor(run: Run, connection: RecordRestConnection, projectMapping: ProjectMapping, issue: JiraIssue): Promise<Map<string, string>> {
  return userEmails(run.ports.jira, issue, fieldMappingsFor(connection, projectMapping), (m) => m.direction !== 'tool-to-jira');
}

/** The issue ids the parent mappings that send to the tool name. */
function parentIdsOf(connection: RecordRestConnection, projectMapping: ProjectMapping, issue: JiraIssue): string[] {
  const ids = new Set<string>();
  for (const m of fieldMappingsFor(connection, projectMapping)) {
    if (m.transform.kind !== 'parent' || m.direction === 'tool-to-jira') continue;
    const parent = issue.fields[m.jira] as { id?: unknown } | null | undefined;
    if (typeof parent?.id === 'string') ids.add(parent.id);
  }
  return [...ids];
}

/** The records linked on this connection to the issues the parent mappings name (the parent's own link). */
async function parentRecords(run: Run, parentIds: readonly string[], connectionId: string): Promise<Map<string, string>> {
  const records = new Map<string, string>();
  for (const parentId of parentIds) {
    const link = readIssueState(await run.ports.store.get(issueStateKey(parentId))).links[connectionId];
    if (link) records.set(parentId, link.externalId);
  }
  return records;
}

/**
 * Brings the record up to date with the issue's current fields: creates (or finds) it when the
 * issue has no link, ends the link when the issue left the mappings. `changed`: the Jira fields the
 * triggering update changed (its changelog), when it said; any other field to send (all of them for
 * a queued delivery) is checked against Jira's changelog first (see ownWritesLeftOut).
 */
/**
 * `late`: the delivery brings Jira's change some time after it was made (a retry, a delivery from the
 * queue, an event long on its way): the tool may have changed the same fields since, their events
 * still to come. A field this very event did not change is as late: its change is older than the event.
 */
export async function syncFields(run: Run, connection: RecordRestConnection, current: { issue: JiraIssue; attempt: number; firstSight: boolean; late: boolean; changed?: readonly string[] }): Promise<void> {
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
  const parentIds = parentIdsOf(connection, projectMapping, issue);
  const records = await parentRecords(run, parentIds, connection.id);
  // Sent without a parent that has no record yet: noted, so the parent's link sends this again.
  const waiting = parentIds.filter((id) => !records.has(id)).map((parentId) => childWaitWrite(connection.id, parentId, { issueId: run.issueId, issueKey: run.issueKey }));
  if (waiting.length > 0) await ports.store.writeAll(waiting);
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
  const history = fieldHistory(run, connection.id);
  const plan = link ? await ownWritesLeftOut({ connection, projectMapping, plan: planAgainst(link.shadow), shadow: link.shadow, changed: current.changed ?? [], history }) : planAgainst(undefined);
  const skipped = plan.skipped.map((s) => skipLine(s, 'outbound'));

  if (!link) {
    // Unlinked by hand: no record is made for the issue again until someone links it to one.
    if ((await ports.store.get(unlinkedKey(connection.id, run.issueId))) !== undefined) return;
    if (await awaitLinkBeingSaved(run, connection, issue)) return;
    await createRecord(run, connection, { projectMapping, plan, planAgainst, skipped, attempt: current.attempt, lookFirst: !current.firstSight || current.attempt > 1 });
    return;
  }
  // A create still owed though the issue is linked (the tool's event for that record linked it first): owed no more.
  const settled = createDone(run, connection.id);
  if (settled.length > 0) {
    await ports.store.writeAll(settled);
    // The create would have sent the comments made while it was owed; the link made first did not.
    await queueExistingComments(run, connection);
  }
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
  const refused: RefusedField[] = [];
  const connector = Object.keys(plan.fields).length > 0 ? await connectorFor(run, connection) : undefined;
  const tandemOwns = new Set([connection.issueKeyField, connection.issueUrlField].filter((f) => f !== ''));
  const jiraOf = jiraFieldsOf(connection, projectMapping);
  const changedNow = current.changed ? new Set(current.changed) : undefined;
  const isLate = (field: string) => current.late || (changedNow !== undefined && !changedNow.has(jiraOf.get(field) ?? field));
  const { send: toSend, heldBack, held } = connector
    ? await checkRecordFirst(connector, link, plan.fields, tandemOwns, connection.options.conflictPolicy !== 'jira-wins' ? { policy: connection.options.conflictPolicy, history, jiraOf, isLate } : undefined)
    : { send: plan.fields, heldBack: [], held: [] };
  // Every field left to a person's newer change in the tool: its event brings that to Jira.
  if (heldBack.length === Object.keys(plan.fields).length && !rekeyed) return;
  let sent = toSend;
  let landedAt: string | undefined;
  if (connector && Object.keys(toSend).length > 0) {
    let attempted: Record<string, unknown> = {};
    try {
      const done = await sendAllButRefused(`Updating ${label}`, toSend, refused, (fields) => {
        attempted = fields;
        return connector.updateRecord({ module: link.module, id: link.externalId, fields });
      });
      sent = done.body;
      landedAt = done.answer ? landedTime(done.answer, at) : undefined;
    } catch (error) {
      // No answer, though the tool may have made the change: the fields sent are unsure, so the
      // retry sends them again whatever Jira holds by then, and the tool's event for this very
      // write is known as Tandem's own instead of changing Jira back.
      if (!(error instanceof DeliveryError) || !mayHaveActed(error.failure)) throw error;
      const unsure: Link = { ...link, shadow: unsureShadow(link.shadow, attempted, at) };
      throw new DeliveryError(error.operation, error.failure, [...error.keep, { key: issueStateKey(run.issueId), value: { links: { ...run.state.links, [connection.id]: unsure } } }]);
    }
  }
  // A refused field keeps its old shadow, so the next change (or the admin's retry) sends it again;
  // one held back keeps it whole, unsure included, for the tool's event to settle.
  const kept = refused.length === 0 && heldBack.length === 0 ? plan.shadowNext : keepOld(plan.shadowNext, link.shadow, refused, heldBack);
  // Dated when the values landed in the tool, not when this delivery started: a person's change made in
  // between carries the record as it was before the send, and its late event must not undo the send.
  const shadowNext = landedAt === undefined ? kept : acknowledgedShadow(kept, landedAt, Object.keys(sent));
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
        summary: sentSummary(label, Object.keys(sent), held),
        details: [...(refusal ? [describeFailure(refusal)] : []), ...skipped],
      }),
      ...(rekeyed ? [{ key: recordIndexKey(connection.id, link.module, link.externalId), value: { issueId: run.issueId, issueKey: run.issueKey } }] : []),
    ],
    subject,
    last: true,
  });
}

/**
 * An issue made from a record whose link is not saved yet: the create that made it died before
 * saving it (its retry finds the issue and links it), or is saving it now. No second record is made
 * for it: the delivery looks again a little later, for as long as that retry may take.
 */
async function awaitLinkBeingSaved(run: Run, connection: RecordRestConnection, issue: JiraIssue): Promise<boolean> {
  const entry = syncedEntryOf(issue.properties, connection.id);
  // A link this issue had before (ended since, the issue restored) left the property behind: not a create under way.
  if (!entry || (run.history.ended[connection.id] ?? 0) > 0) return false;
  const since = Date.parse(entry.since);
  if (!Number.isFinite(since) || run.ports.clock.now() - since > LINK_BEING_SAVED_SECONDS * 1000) return false;
  const delivery = deliveryFor(connection.id, { kind: 'issue', issueId: run.issueId, issueKey: run.issueKey }, 1);
  await run.ports.queue.push({ type: 'delivery', delivery }, LOCKED_RETRY_SECONDS);
  run.requeued = true;
  return true;
}

/**
 * A field the update did not change that differs from the shadow was changed earlier without the
 * shadow hearing of it. When Tandem itself wrote it there for this connection (Jira's changelog says,
 * by the app's account and the connection its history metadata names: a tool change whose try died
 * after Jira applied it, before its shadow was saved), it is the tool's value, not a person's: sending
 * it would overwrite a newer value in the tool. It is left out, the shadow as it was, so the tool's
 * own event for its value (or its newer one) decides. Tandem's write for another connection is that
 * tool's change and is sent. One changelog read, only then.
 */
async function ownWritesLeftOut(input: { connection: RecordRestConnection; projectMapping: ProjectMapping; plan: OutboundPlan; shadow: Shadow; changed: readonly string[]; history: FieldHistory }): Promise<OutboundPlan> {
  const { plan, shadow } = input;
  const jiraOf = jiraFieldsOf(input.connection, input.projectMapping);
  const changed = new Set(input.changed);
  const unexplained = Object.keys(plan.fields).filter((tool) => {
    const jira = jiraOf.get(tool);
    return jira !== undefined && !changed.has(jira) && shadow.fields[tool] !== undefined;
  });
  if (unexplained.length === 0) return plan;
  const last = await input.history(unexplained.map((t) => jiraOf.get(t) ?? t));
  const own = unexplained.filter((tool) => last[jiraOf.get(tool) ?? tool]?.own === true);
  if (own.length === 0) return plan;
  const fields = { ...plan.fields };
  const next: Shadow = { ...plan.shadowNext, fields: { ...plan.shadowNext.fields }, changed: { ...plan.shadowNext.changed } };
  for (const tool of own) {
    delete fields[tool];
    const before = shadow.fields[tool];
    if (before !== undefined) next.fields[tool] = before;
    const when = shadow.changed?.[tool];
    if (next.changed) {
      if (when === undefined) delete next.changed[tool];
      else next.changed[tool] = when;
    }
  }
  return { ...plan, fields, shadowNext: next };
}

/** Tool field → the Jira field it is sent from. */
function jiraFieldsOf(connection: RecordRestConnection, projectMapping: ProjectMapping): Map<string, string> {
  return new Map(fieldMappingsFor(connection, projectMapping).map((m) => [m.tool, m.jira]));
}

/** The last change of Jira fields, from the issue's changelog: read once a delivery, only when a rule here needs it. */
type FieldHistory = (jiraFields: readonly string[]) => Promise<Record<string, JiraFieldChange>>;

function fieldHistory(run: Run, connectionId: string): FieldHistory {
  let read: Promise<[JiraChangelogEntry[], string]> | undefined;
  return async (jiraFields) => {
    read ??= Promise.all([run.ports.jira.recentChangelog(run.issueId), run.ports.jira.appAccountId()]);
    const [entries, appAccountId] = await read;
    return lastFieldChanges(entries, jiraFields, { appAccountId, connectionId });
  };
}

/** Longer than an inbound create's retry waits for Jira's search to show the issue it made (SEARCH_CATCH_UP_SECONDS). */
const LINK_BEING_SAVED_SECONDS = 2 * SEARCH_CATCH_UP_SECONDS;

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
): Promise<{ body: Record<string, unknown>; answer?: T }> {
  let body = fields;
  for (;;) {
    const result = await send(body);
    if (result.ok) return { body, answer: result.value };
    const named = (result.failure.fields ?? []).filter((f) => f in body);
    if (result.failure.retry !== 'permanent' || named.length === 0) {
      // Refused again after leaving fields out: what was refused before is kept with this failure.
      throw new DeliveryError(operation, result.failure);
    }
    refused.push(...named.map((field) => ({ field, failure: result.failure })));
    body = Object.fromEntries(Object.entries(body).filter(([field]) => !named.includes(field)));
    if (Object.keys(body).length === 0) return { body };
  }
}

/** The shadow after a send, with the fields refused or held back as they were before it. */
function keepOld(next: Shadow, old: Shadow, refused: RefusedField[], heldBack: readonly string[]): Shadow {
  const fields = withOldValues(next.fields, old.fields, [...refused, ...heldBack.map((field) => ({ field }))]);
  const changed = { ...next.changed };
  const unsure = { ...next.unsure };
  for (const field of heldBack) {
    const before = old.changed?.[field];
    if (before === undefined) delete changed[field];
    else changed[field] = before;
    const doubt = old.unsure?.[field];
    if (doubt !== undefined) unsure[field] = doubt;
  }
  const { unsure: _, ...rest } = next;
  return { ...rest, fields, changed, ...(Object.keys(unsure).length > 0 ? { unsure } : {}) };
}

/**
 * Before sending, the record is read when the send could undo a person's newer change in the tool:
 * - A field sent before without an answer is sent again, unless the tool holds it already, or holds
 *   neither what Tandem sent nor what it held before, or holds what it held before but the record
 *   changed after the send (see settleUnsure).
 * - A late field (`late.isLate`, see syncFields) the tool changed too (it holds neither the shadow's
 *   value nor Jira's) is held back when the record changed after the field's last change in Jira, or
 *   whenever the tool wins conflicts.
 * A field held back is settled by the tool's own event for it (queued, late): its time and the
 * conflict policy decide. One read of the record, only then; a read that fails tries the delivery again.
 * `tandemOwns`: the fields only Tandem writes (the issue key and address): never a person's change to wait for.
 */
async function checkRecordFirst(
  connector: RecordRestConnector,
  link: Link,
  fields: Record<string, unknown>,
  tandemOwns: ReadonlySet<string>,
  late?: { policy: 'tool-wins' | 'newest-wins'; history: FieldHistory; jiraOf: ReadonlyMap<string, string>; isLate: (field: string) => boolean },
): Promise<{ send: Record<string, unknown>; heldBack: string[]; held: string[] }> {
  const unsure = link.shadow.unsure ?? {};
  const lateFields = late ? Object.keys(fields).filter((field) => late.isLate(field) && unsure[field] === undefined && !tandemOwns.has(field) && link.shadow.fields[field] !== undefined) : [];
  if (lateFields.length === 0 && !Object.keys(fields).some((field) => unsure[field] !== undefined)) return { send: fields, heldBack: [], held: [] };
  // Unread, the fields are not sent blind (that could undo a person's newer change): the delivery is tried again.
  const read = { value: unwrap(`Reading ${link.number ?? link.externalId} before sending`, await connector.getRecord({ module: link.module, id: link.externalId })) };
  const send = { ...fields };
  const heldBack: string[] = [];
  const held: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const sentHash = unsure[field];
    if (sentHash === undefined) continue;
    const now = hashValue(read.value.fields[field] ?? null);
    if (now === hashValue(value)) {
      delete send[field];
      held.push(field);
    } else if (!tandemOwns.has(field) && ((now !== sentHash && now !== link.shadow.fields[field]) || (now === link.shadow.fields[field] && changedSince(read.value, link.shadow.changed?.[field]?.at)))) {
      delete send[field];
      heldBack.push(field);
    }
  }
  if (late && lateFields.length > 0) {
    const changedInTool = lateFields.filter((field) => {
      const now = hashValue(read.value.fields[field] ?? null);
      return now !== link.shadow.fields[field] && now !== hashValue(fields[field]);
    });
    const last = changedInTool.length > 0 && late.policy === 'newest-wins' ? await late.history(changedInTool.map((f) => late.jiraOf.get(f) ?? f)) : {};
    for (const field of changedInTool) {
      const jiraAt = last[late.jiraOf.get(field) ?? field]?.at;
      if (late.policy === 'newest-wins' && !changedSince(read.value, jiraAt)) continue;
      delete send[field];
      heldBack.push(field);
    }
  }
  return { send, heldBack, held };
}

function withOldValues(next: Record<string, string>, old: Record<string, string>, refused: ReadonlyArray<{ field: string }>): Record<string, string> {
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

/** True when the record says it changed after `sentAt` (a tool that does not say never did). */
/**
 * When the tool took an update: the record's own change time from its answer, on the tool's clock
 * that dates its events. Undefined when the answer does not say, or says a time before the delivery
 * started (a time of a coarser unit, or another clock): the shadow keeps the delivery's start then.
 */
function landedTime(answer: ToolRecord, started: string): string | undefined {
  const landed = parseDateValue(recordUpdatedAt(answer));
  const start = parseDateValue(started);
  if (landed === undefined || start === undefined || landed.ms <= start.ms) return undefined;
  return new Date(landed.ms).toISOString();
}

function changedSince(record: ToolRecord, sentAt: string | undefined): boolean {
  const updated = parseDateValue(recordUpdatedAt(record));
  const sent = parseDateValue(sentAt);
  return updated !== undefined && sent !== undefined && updated.ms > sent.ms;
}

/** What the activity entry says a delivery did: what it sent, and what the tool held already. */
function sentSummary(label: string, sent: readonly string[], held: readonly string[]): string {
  if (sent.length === 0 && held.length > 0) return `${label} holds ${held.join(', ')} already: the tool took Tandem's earlier send`;
  return `Sent ${sent.join(', ') || 'the new issue key'} to ${label}`;
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

// record.created and record.updated for a linked record: the fields that differ from the shadow go in
// one edit, conflicts settled by the connection's policy, then the status; the link's shadow, the
// activity entry and whatever the status move keeps are saved in one transaction. A record not
// linked yet is linked to the issue it names, or becomes a new issue (record-create).
import { detectConflicts, fieldMappingsFor, findProjectMapping, hashValue, isLater, issueFieldsFor, lastFieldChanges, mappingsForModule, planInbound, planOutbound, settleConflicts, settleUnsure, type FieldMapping, type InboundPlan, type ProjectMapping, type Shadow, type SkippedField } from '../../mapping';
import type { RecordEvent } from '../inbound-event';
import type { InboundAnswer } from '../inbound-request';
import { answer, refusal } from '../inbound-request';
import type { JiraIssue, StoreWrite } from '../ports';
import { failureKey, failureSubjectKey, issueStateKey, recordIndexKey, type IssueState, type Link, type RecordIndex } from '../state';
import { skipLine } from '../journal';
import { publishInboundOutcome } from '../issue-property';
import { fieldFailureWrites, refusedFieldReason, statusSkipReason, type RefusedField } from './field-failures';
import { editWithFallback, emailsForConflicts, resolveLookups, restoreShadow, sameAsJira, toolFieldOf } from './fields';
import { isRecordDeleted, recordIntentsMatching } from '../notes';
import { keysRead, readAheadStore } from '../read-ahead';
import { linkNamedIssue, readLinked, readLinkLocked, readRecordIndex, waitForLink, type Linked } from './links';
import { createIssue } from './record-create';
import { activity, BATCH_KEYS, checkModule, claimDedupe, commit, CREATE_LOCK_SECONDS, dedupeWrites, deliverDeletion, deliverIssue, duplicateAnswer, inboundCreateLockKey, iso, labelOf, RecordBusy, withSyncLock, type InboundRun } from './run';
import { moveStatus } from './status';
import { connectorOf } from '../issue-links';
import { pastLiveHold } from '../sync-lock';
import type { StatusNow } from './status-walk';

type RecordChange = Extract<RecordEvent, { type: 'record.created' | 'record.updated' }>;

export async function applyRecord(run: InboundRun, event: RecordChange): Promise<InboundAnswer> {
  const { record } = event;
  const notMapped = checkModule(run.connection, record.module);
  if (notMapped) return notMapped;
  const { index, deleted } = await readRecordIndex(run, record.module, record.id);
  // Indexed: the record is linked unless its issue's links say otherwise, which are read under the lock.
  if (index) {
    const updated = await updateIndexed(run, event, index);
    if (updated) return updated;
  }
  // Not a linked record's update: the event is marked received before anything is made from it.
  if (!(await claimDedupe(run))) return duplicateAnswer(event.eventId);
  // Deleted in the tool (or its issue in Jira) before this event was applied: it must not bring the
  // record or its issue back. A record linked again since is live.
  if (isRecordDeleted(deleted)) {
    return answer('unchanged', { applied: [], skipped: [{ field: 'record', reason: `${labelOf(record)} was deleted in the tool, or its issue in Jira; this earlier change is not applied` }] });
  }
  const lock = inboundCreateLockKey(run.connection.id, record.module, record.id);
  if (event.type === 'record.updated') {
    const held = await run.ports.store.get(lock);
    if (held !== undefined) {
      const later = await waitForLink(run, record.module, record.id, held);
      if (later) return updateLinked(run, event, later);
      throw new RecordBusy();
    }
    return refusal('unknown_record', `${record.module} record ${record.id} is not linked to a Jira issue; send record.created for it first`, 'record.id');
  }
  // A record Tandem wrote down before creating it (its answer may have been lost) is that issue's, named or not.
  const own = await recordIntentsMatching(run.ports.store, run.connection.id, record.module, record.fields);
  if (own.length > 1) return ownRecord(record, `one of the records Tandem is creating for ${own.map((o) => o.issueKey).join(', ')}; their creates link it`);
  const named = own[0]?.issueId ?? record.jiraIssueKey;
  if (named) {
    // The record names its issue: usually Tandem made this record from that issue and is saving the link.
    const adopted = await linkNamedIssue(
      run,
      { module: record.module, id: record.id, jiraIssueKey: named, url: event.record.url, number: record.number, fields: record.fields, ...(own[0] ? { sent: own[0].fields } : {}) },
      event.occurredAt,
      event.eventId,
    );
    if (adopted && 'link' in adopted) return updateLinked(run, event, adopted);
    // Never a second issue for Tandem's own record: gone since, it stays gone; linked otherwise, its create links it.
    if (own[0]) return ownRecord(record, adopted ? `the record Tandem made for ${own[0].issueKey}; ${typeof adopted.body.message === 'string' ? adopted.body.message : 'it is not linked here'}` : `the record Tandem made for ${own[0].issueKey}, which was deleted in Jira since`);
    if (adopted) return adopted;
  }
  if (!(await run.ports.store.create(lock, { at: iso(run), eventId: event.eventId }, CREATE_LOCK_SECONDS))) {
    // Held by an earlier try of this very event, which died (the platform retries it): its create is found by its intent.
    const held = (await run.ports.store.get(lock)) as { eventId?: unknown } | undefined;
    if (held?.eventId !== event.eventId) {
      const later = await waitForLink(run, record.module, record.id, held);
      if (later) return updateLinked(run, event, later);
      throw new RecordBusy();
    }
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

/** A record Tandem made itself that this event cannot link: nothing is written, and the reason is said. */
function ownRecord(record: RecordChange['record'], reason: string): InboundAnswer {
  return answer('unchanged', { applied: [], skipped: [{ field: 'record', reason: `${labelOf(record)} is ${reason}` }] });
}

/** The change worked out against the issue as Jira holds it now. */
interface PlannedChange {
  plan: InboundPlan;
  /** The shadow once applied; fields that end up unwritten get their old hash back. */
  next: Shadow;
  skipped: SkippedField[];
  notes: string[];
  conflicts: Array<{ field: string; winner: 'jira' | 'tool' }>;
  jiraWon: boolean;
  mappings: readonly FieldMapping[];
  projectMapping: ProjectMapping;
  /** Values Tandem could not find for Jira (a sprint the board lacks): kept as failures of their own. */
  unfound: RefusedField[];
  /** Fields the change would set that Jira holds already (an earlier try of this event may have written them). */
  alreadyInJira: string[];
}

/** A linked record's change, once another path found the link. */
async function updateLinked(run: InboundRun, event: RecordChange, linked: Linked): Promise<InboundAnswer> {
  const updated = await updateIndexed(run, event, { issueId: linked.issueId, issueKey: linked.issueKey });
  return updated ?? refusal('unknown_record', `${event.record.module} record ${event.record.id} is no longer linked to a Jira issue`, 'record.id');
}

/**
 * Applies the change under the issue's sync lock, the one outbound deliveries of the issue hold, so
 * the two directions never work from the same shadow at once and neither overwrites the other's.
 * Everything the change may read of storage is read in one batch once the lock is held (the
 * delivery that held it may have changed any of it); undefined when the issue's links no longer
 * hold the record.
 */
async function updateIndexed(run: InboundRun, event: RecordChange, index: RecordIndex): Promise<InboundAnswer | undefined> {
  return withSyncLock(run, { id: index.issueId, key: index.issueKey }, async () => {
    const keys = keysOfChange(run, index.issueId, event.record);
    const { linked, found } = await readLinkLocked(run, index.issueId, event.record, keys);
    if (!linked) return undefined;
    // The same event, applied by another request while this one waited for the lock.
    if (run.dedupe && !run.dedupe.written && found.has(run.dedupe.key)) return duplicateAnswer(event.eventId);
    const ports = run.ports;
    run.ports = { ...ports, store: readAheadStore(ports.store, keysRead(keys, found)) };
    try {
      return await updateLinkedLocked(run, event, linked);
    } finally {
      run.ports = ports;
    }
  });
}

/**
 * What a change of the record may read besides its link (at most a batch): the event's dedupe marker
 * when it is written with the change, the issue's kept failures (the published state asks whether
 * any is left) and those of the Jira fields the record's fields map to (a field written again resolves its failure).
 */
function keysOfChange(run: InboundRun, issueId: string, record: RecordChange['record']): string[] {
  const { connection } = run;
  const subject = { issueId, issueKey: '', module: record.module, recordId: record.id, fields: {}, occurredAt: '' };
  const keys = [
    ...(run.dedupe && !run.dedupe.written ? [run.dedupe.key] : []),
    failureKey(connection.id, failureSubjectKey({ kind: 'issue', issueId, issueKey: '' })),
    failureKey(connection.id, failureSubjectKey({ ...subject, kind: 'status' })),
  ];
  const fields = new Set<string>();
  for (const projectMapping of mappingsForModule(connection, record.module)) {
    for (const m of fieldMappingsFor(connection, projectMapping)) {
      if (m.direction !== 'jira-to-tool' && m.jira !== 'status' && record.fields[m.tool] !== undefined) fields.add(failureKey(connection.id, failureSubjectKey({ ...subject, kind: 'field', jiraField: m.jira })));
    }
  }
  // The link and the published state come in the same batch.
  return [...keys, ...[...fields].slice(0, Math.max(0, BATCH_KEYS - 2 - keys.length))];
}

async function updateLinkedLocked(run: InboundRun, event: RecordChange, linked: Linked): Promise<InboundAnswer> {
  const read = await readLinkedIssue(run, event.record, linked);
  if (!read.ok) return read.answer;
  const { issue } = read;
  const { event: current, outdated } = await outdatedLeftOut(run, event, linked);
  const change = await planChange(run, current, linked.link.shadow, issue, read.projectMapping);
  if (outdated.length > 0) change.notes.push(`${outdated.join(', ')} left as ${outdated.length === 1 ? 'it is' : 'they are'}: ${labelOf(event.record)} holds a newer value, which its own change brings`);
  const { applied, writes } = await applyChange(run, current, linked, issue, change);
  const { record } = event;
  const details = [...change.skipped.map((s) => skipLine(s, 'inbound')), ...change.notes];
  if (applied.length > 0 || change.conflicts.length > 0 || change.skipped.length > 0) {
    writes.push(
      activity(run, {
        outcome: change.conflicts.length > 0 ? 'conflict' : applied.length > 0 ? 'synced' : 'skipped',
        issueKey: issue.key,
        externalId: record.id,
        summary: applied.length > 0 ? `Applied ${applied.join(', ')} from ${labelOf(record)}` : `Nothing applied from ${labelOf(record)}`,
        details,
      }),
    );
  }
  // Jira kept its value: send it to the tool, so both sides agree again. A record.created for a
  // record already linked may be the retry of a create cut short: what it owed the tool (the issue's
  // key, the remote link) goes with the issue's delivery, which sends only what differs. Queued
  // before the change is saved: a queue that refuses it (Forge's limits) fails the event, whose
  // retry settles the conflict again, instead of saving a shadow nobody will send. The delivery
  // waits for the sync lock this event holds, so it reads the saved shadow.
  if (change.jiraWon || event.type === 'record.created' || linked.link.remoteLinkOwed === true) await deliverIssue(run, run.connection.id, issue);
  // Received: marked in the change's own transaction, with the lock's release.
  await commit(run, [...writes, ...dedupeWrites(run)], { last: true });
  // A status or field Jira refused shows in JQL as the issue's failure; resolving it clears that.
  await publishInboundOutcome(run.ports, linked.issueId, run.connection.id, record.number ?? linked.link.number ?? linked.link.externalId, writes, run.published);
  // Tandem's own edits do not reach its triggers, so other connections linked to this issue hear of
  // them here; a value Jira holds already may be this event's, written by a try that died before
  // telling them (their delivery sends only what differs from their shadow).
  if (applied.length > 0 || change.alreadyInJira.length > 0) await notifyOtherConnections(run, linked.state, issue);
  return answer(applied.length > 0 ? 'applied' : 'unchanged', {
    issueKey: issue.key,
    applied,
    skipped: change.skipped,
    ...(change.conflicts.length > 0 ? { conflicts: change.conflicts } : {}),
    ...(change.notes.length > 0 ? { notes: change.notes } : {}),
  });
}

/**
 * A late event (queued by Tandem, or long on its way) may carry values the record no longer holds: a
 * newer change replaced them, and its event (applied already, or still to come) brings that. Those
 * values are left out, as unchanged, so a late event never brings an older value of a field back,
 * even when the newer event found nothing to change. One read of the record, only for a late event;
 * a read that fails leaves the event as it is.
 */
async function outdatedLeftOut(run: InboundRun, event: RecordChange, linked: Linked): Promise<{ event: RecordChange; outdated: string[] }> {
  const { connection } = run;
  const same = { event, outdated: [] };
  if (connection.protocol !== 'record-rest' || (run.attempt <= 1 && !pastLiveHold(event.occurredAt, run.ports.clock.now()))) return same;
  const connector = await connectorOf(run.ports, connection);
  const read = await connector.getRecord({ module: linked.link.module, id: linked.link.externalId });
  if (!read.ok) return same;
  const now = read.value.fields;
  const outdated = Object.keys(event.record.fields).filter((field) => now[field] !== undefined && hashValue(now[field]) !== hashValue(event.record.fields[field]));
  if (outdated.length === 0) return same;
  const fields = Object.fromEntries(Object.entries(event.record.fields).filter(([field]) => !outdated.includes(field)));
  const record = { ...event.record, fields };
  return { event: event.type === 'record.created' ? { ...event, record: { ...record, url: event.record.url } } : { ...event, record }, outdated };
}

/** The linked issue as Jira holds it, when it still exists and is still mapped to the record's module from the tool. */
async function readLinkedIssue(
  run: InboundRun,
  record: RecordChange['record'],
  linked: Linked,
): Promise<{ ok: true; issue: JiraIssue; projectMapping: ProjectMapping } | { ok: false; answer: InboundAnswer }> {
  const { connection } = run;
  const issue = await run.ports.jira.getIssue(linked.issueId, issueFieldsFor(connection), { transitions: movesStatus(run, record, linked.link.shadow) });
  if (!issue) {
    // Deleted in Jira, its issue-deleted event not handled yet (Forge may deliver it late): the same
    // deletion delivery applies the connection's delete behaviour to the record and ends the link.
    await deliverDeletion(run, connection.id, { id: linked.issueId, key: linked.issueKey });
    await commit(run, [activity(run, { outcome: 'skipped', issueKey: linked.issueKey, externalId: record.id, summary: `The issue linked to ${labelOf(record)} no longer exists; the record gets the connection's delete behaviour` })]);
    return { ok: false, answer: refusal('unknown_record', `The Jira issue linked to ${record.module} record ${record.id} no longer exists; the record gets the connection's delete behaviour`, 'record.id') };
  }
  const projectMapping = issue.project && issue.issueType ? findProjectMapping(connection, { projectKey: issue.project.key, issueTypeName: issue.issueType.name }) : undefined;
  if (!projectMapping || projectMapping.module !== record.module) {
    return { ok: false, answer: refusal('issue_not_mapped', `${issue.key} is no longer in a project and issue type mapped to ${record.module}`, 'record.id') };
  }
  if (projectMapping.direction === 'jira-to-tool') {
    return { ok: false, answer: refusal('direction_jira_to_tool', `${issue.key} is mapped Jira to tool only, so Tandem does not change it from the tool`, 'record.module') };
  }
  return { ok: true, issue, projectMapping };
}

/** The plan against the shadow, conflicts settled, users looked up, and writes of what Jira holds already left out. */
async function planChange(run: InboundRun, event: RecordChange, linkShadow: Shadow, issue: JiraIssue, projectMapping: ProjectMapping): Promise<PlannedChange> {
  const { connection } = run;
  const fields = event.record.fields;
  const mappings = fieldMappingsFor(connection, projectMapping);
  // A field Tandem sent without an answer, which this newer event shows as it was before the send.
  const { shadow, resend } = settleUnsure({ shadow: linkShadow, record: fields, occurredAt: event.occurredAt, mappings });
  const planned = planInbound({ connection, projectMapping, record: fields, shadow, at: iso(run), occurredAt: event.occurredAt });
  // Changed on both sides since the shadow: the connection's policy decides who wins.
  const emails = await emailsForConflicts(run.ports.jira, mappings, issue, fields, shadow);
  // Jira changed after the tool's change: a field it holds as the shadow has may have been changed away and back.
  const jiraLater = isLater(issue.fields.updated, event.occurredAt);
  const compared = detectConflicts({ connection, projectMapping, issue: { id: issue.id, key: issue.key, fields: issue.fields, status: issue.status }, record: fields, shadow, emailOf: (id) => emails.get(id), withJiraAsShadow: jiraLater });
  const toolFields = Object.fromEntries(mappings.filter((m) => m.direction !== 'jira-to-tool').map((m) => [m.jira, m.tool]));
  // Only with a conflict, or a late event (rare): who last changed each of those fields in Jira, and when.
  const jiraChanges = compared.length === 0 ? undefined : lastFieldChanges(await run.ports.jira.recentChangelog(issue.id), compared.map((c) => c.jiraField), { appAccountId: await run.ports.jira.appAccountId(), connectionId: connection.id });
  const found = compared.filter((c) => {
    if (!c.asShadow) return true;
    const last = jiraChanges?.[c.jiraField];
    return last !== undefined && !last.own && isLater(last.at, event.occurredAt);
  });
  const settled = settleConflicts({ policy: connection.options.conflictPolicy, conflicts: found, plan: planned, shadow, shadowNext: planned.shadowNext, jiraUpdatedAt: issue.fields.updated, toolUpdatedAt: event.occurredAt, toolFields, ...(jiraChanges ? { jiraChanges } : {}) });
  const { plan } = settled;
  const next: Shadow = { ...settled.shadowNext, fields: { ...settled.shadowNext.fields }, changed: { ...settled.shadowNext.changed } };
  const notes = [...settled.notes];
  const unfound = await resolveLookups(run, plan, next, notes, { module: event.record.module, id: event.record.id, occurredAt: event.occurredAt, previous: shadow });
  // An edit that would set what Jira already holds (e.g. unassigned again) is left out.
  const alreadyInJira: string[] = [];
  for (const [id, value] of Object.entries(plan.jiraFields)) {
    if (!sameAsJira(value, issue.fields[id])) continue;
    delete plan.jiraFields[id];
    alreadyInJira.push(id);
  }
  const skipped = [...plan.skipped.map((s) => ({ ...s })), ...unfound.map((r) => ({ field: r.jiraField, reason: (r.reason ?? r.message).slice(0, 400) }))];
  return { plan, next, skipped, notes, conflicts: settled.winners, jiraWon: settled.jiraWon || resend, mappings, projectMapping, unfound, alreadyInJira };
}

/** One edit, then the status; returns what was applied and the writes that save it. */
async function applyChange(run: InboundRun, event: RecordChange, linked: Linked, issue: JiraIssue, change: PlannedChange): Promise<{ applied: string[]; writes: StoreWrite[] }> {
  const { connection } = run;
  const { record } = event;
  const { plan, next, skipped, notes, mappings } = change;
  const shadow = linked.link.shadow;
  const refused: RefusedField[] = [...change.unfound];
  const fieldChange = { issue, record, occurredAt: event.occurredAt, mappings };
  const applied = await editWithFallback(run, linked.issueId, plan.jiraFields, skipped, (id, message) => {
    restoreShadow(next, shadow, toolFieldOf(mappings, id));
    refused.push({ jiraField: id, message });
    return refusedFieldReason(fieldChange, id, message);
  });
  const writes: StoreWrite[] = await fieldFailureWrites(run, fieldChange, refused, applied);
  if (plan.status) {
    const trail: { reached?: StatusNow } = {};
    const moved = await moveStatus(run, { issue, target: plan.status, values: plan.jiraFields, record, occurredAt: event.occurredAt, mappings, trail }).catch(async (error: unknown) => {
      if (trail.reached) await saveWalkCutShort(run, { linked, issue, next, event, mappings, projectMapping: change.projectMapping, reached: trail.reached });
      throw error;
    });
    writes.push(...moved.writes);
    if (moved.ok && moved.path.length > 0) applied.push('status');
    if (moved.ok && moved.note) notes.push(moved.note);
    if (!moved.ok) {
      skipped.push({ field: 'status', reason: statusSkipReason(fieldChange, moved.reason) });
      restoreShadow(next, shadow, toolFieldOf(mappings, 'status'));
      if (moved.path.length > 0) notes.push(`Moved through ${moved.path.join(', ')} before stopping`);
    }
  }
  const changedShadow = JSON.stringify(next.fields) !== JSON.stringify(shadow.fields) || JSON.stringify(next.unsure ?? {}) !== JSON.stringify(shadow.unsure ?? {});
  const rekeyed = issue.key !== linked.link.issueKey;
  if (changedShadow || rekeyed || (record.number !== undefined && record.number !== linked.link.number)) {
    const link: Link = { ...linked.link, shadow: changedShadow ? next : shadow, issueKey: issue.key, ...(record.number ? { number: record.number } : {}) };
    writes.push({ key: issueStateKey(linked.issueId), value: { links: { ...linked.state.links, [connection.id]: link } } });
    if (rekeyed) writes.push({ key: recordIndexKey(connection.id, record.module, record.id), value: { issueId: linked.issueId, issueKey: issue.key } });
  }
  return { applied, writes };
}

/**
 * A status walk Jira stopped part way (429, 5xx) leaves the issue in a status Tandem chose on the
 * way, which no person asked for. Saved before the event's retry: the shadow holds that status (in
 * the tool's terms) as changed by this event, so a delivery of the issue does not send it to the
 * tool, a newer tool change is measured against it (and applied even if it names the status the
 * record had before), and the retry walks on from it unless a newer change came first.
 */
async function saveWalkCutShort(
  run: InboundRun,
  cut: { linked: Linked; issue: JiraIssue; next: Shadow; event: RecordChange; mappings: readonly FieldMapping[]; projectMapping: ProjectMapping; reached: StatusNow },
): Promise<void> {
  const { linked, issue, next, event, mappings, projectMapping, reached } = cut;
  const statusField = toolFieldOf(mappings, 'status');
  if (statusField === undefined) return;
  const asTool = planOutbound({
    connection: run.connection,
    projectMapping,
    issue: { id: issue.id, key: issue.key, fields: issue.fields, status: reached },
    shadow: undefined,
    emailOf: () => undefined,
    at: iso(run),
  }).shadowNext.fields[statusField];
  // A status the tool has no state for: a marker no tool value hashes to, so any newer state applies.
  const fields = { ...next.fields, [statusField]: asTool ?? `walking:${reached.name}` };
  // A status Tandem sent without an answer is unsure no more: the tool's newer state replaces it,
  // and sending whatever Jira holds now would send the step on the way.
  const { [statusField]: _, ...unsure } = next.unsure ?? {};
  const { unsure: __, ...rest } = next;
  const shadow: Shadow = { ...rest, fields, changed: { ...next.changed, [statusField]: { side: 'tool', at: event.occurredAt } }, ...(Object.keys(unsure).length > 0 ? { unsure } : {}) };
  const link: Link = { ...linked.link, shadow };
  await run.ports.store.writeAll([{ key: issueStateKey(linked.issueId), value: { links: { ...linked.state.links, [run.connection.id]: link } } }]);
}

/**
 * Whether the record may move the issue's status, decided before the issue is read (its project
 * mapping is not known yet), so the transitions come with the issue instead of in a request of their own.
 */
function movesStatus(run: InboundRun, record: { module: string; fields: Record<string, unknown> }, shadow: Shadow): boolean {
  const at = iso(run);
  return mappingsForModule(run.connection, record.module).some((projectMapping) => planInbound({ connection: run.connection, projectMapping, record: record.fields, shadow, at }).status !== undefined);
}

async function notifyOtherConnections(run: InboundRun, state: IssueState, issue: { id: string; key: string }): Promise<void> {
  for (const connectionId of Object.keys(state.links)) {
    if (connectionId === run.connection.id) continue;
    await deliverIssue(run, connectionId, issue);
  }
}

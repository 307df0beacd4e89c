// Finding the issue a tool record is linked to, waiting for another event that is linking it,
// linking a record to the issue it names, and ending a link.
import { heldPastLiveHold } from '../sync-lock';
import { adoptionShadow, fieldMappingsFor, findProjectMapping, issueFieldsFor, planOutbound, referenceShadow, SAME_SUMMARY_AND_DAY } from '../../mapping';
import type { InboundAnswer } from '../inbound-request';
import { refusal } from '../inbound-request';
import type { StoreWrite } from '../ports';
import {
  createLockKey,
  failureKey,
  failureSubjectKey,
  issueStateKey,
  LINK_HISTORY_TTL_SECONDS,
  linkHistoryKey,
  readIssueState,
  readLinkHistory,
  recordIndexKey,
  recordIndexSchema,
  withLinkEnded,
  type RecordIndex,
  type IssueState,
  type Link,
} from '../state';
import { publishedKey } from '../issue-property';
import { recordTombstoneKey } from '../notes';
import { userEmails } from './fields';
import { activity, commit, deliverIssue, inboundCreateLockKey, iso, WAIT_FOR_LINK_MS, WAIT_STEP_MS, withSyncLock, type InboundRun } from './run';

export interface Linked {
  issueId: string;
  issueKey: string;
  state: IssueState;
  link: Link;
}

/** How long a record naming its issue waits for outbound to finish creating that very record. */
const WAIT_FOR_OUTBOUND_MS = 10_000;

export async function readLinked(run: InboundRun, module: string, externalId: string): Promise<Linked | undefined> {
  return (await readLinkedWith(run, module, externalId)).linked;
}

/** The link, and another key read in the same batch as the record's index. */
export async function readLinkedWith(run: InboundRun, module: string, externalId: string, other?: string): Promise<{ linked: Linked | undefined; other: unknown }> {
  const indexKey = recordIndexKey(run.connection.id, module, externalId);
  const found = other === undefined ? new Map([[indexKey, await run.ports.store.get(indexKey)]]) : await run.ports.store.getMany([indexKey, other]);
  const index = recordIndexSchema.safeParse(found.get(indexKey));
  const value = other === undefined ? undefined : found.get(other);
  if (!index.success) return { linked: undefined, other: value };
  const state = readIssueState(await run.ports.store.get(issueStateKey(index.data.issueId)));
  const link = state.links[run.connection.id];
  if (!link || link.externalId !== externalId || link.module !== module) return { linked: undefined, other: value };
  return { linked: { issueId: index.data.issueId, issueKey: link.issueKey, state, link }, other: value };
}

/**
 * The record's index and tombstone: from the keys read ahead with the configuration when they were,
 * else in one batch.
 */
export async function readRecordIndex(run: InboundRun, module: string, externalId: string): Promise<{ index: RecordIndex | undefined; deleted: unknown }> {
  const keys = [recordIndexKey(run.connection.id, module, externalId), recordTombstoneKey(run.connection.id, module, externalId)];
  const ahead = run.ahead;
  const found = ahead && keys.every((k) => ahead.has(k)) ? ahead : await run.ports.store.getMany(keys);
  const index = recordIndexSchema.safeParse(found.get(keys[0] as string));
  return { index: index.success ? index.data : undefined, deleted: found.get(keys[1] as string) };
}

/**
 * The record's link read under the issue's sync lock, where a delivery may have changed it: the
 * issue's links (and its published sync state) with `extra` keys in the same batch. `linked` is
 * undefined when the issue's links no longer hold the record.
 */
export async function readLinkLocked(
  run: InboundRun,
  issueId: string,
  record: { module: string; id: string },
  extra: readonly string[] = [],
): Promise<{ linked: Linked | undefined; found: Map<string, unknown> }> {
  const found = await run.ports.store.getMany([issueStateKey(issueId), publishedKey(issueId), ...extra]);
  run.published = { value: found.get(publishedKey(issueId)) };
  const state = readIssueState(found.get(issueStateKey(issueId)));
  const link = state.links[run.connection.id];
  if (!link || link.externalId !== record.id || link.module !== record.module) return { linked: undefined, found };
  return { linked: { issueId, issueKey: link.issueKey, state, link }, found };
}

/**
 * The link another event is making now, once it is saved; undefined when that takes too long, or
 * when that event's create lock (`held`, as the caller read it) was taken longer ago than a live try
 * holds one.
 */
export async function waitForLink(run: InboundRun, module: string, externalId: string, held: unknown): Promise<Linked | undefined> {
  const lock = inboundCreateLockKey(run.connection.id, module, externalId);
  let value = held;
  for (let waited = 0; waited < WAIT_FOR_LINK_MS; waited += WAIT_STEP_MS) {
    if (value === undefined) return readLinked(run, module, externalId);
    if (heldPastLiveHold(value, run.ports.clock.now())) return undefined;
    await run.ports.clock.sleep(WAIT_STEP_MS);
    const linked = await readLinked(run, module, externalId);
    if (linked) return linked;
    value = await run.ports.store.get(lock);
  }
  return undefined;
}

/**
 * Waits a little for another event's lock to go; false when it is still held, at once when it was
 * taken longer ago than a live try holds one.
 */
export async function waitForRelease(run: InboundRun, lock: string): Promise<boolean> {
  for (let waited = 0; waited < WAIT_FOR_LINK_MS; waited += WAIT_STEP_MS) {
    const held = await run.ports.store.get(lock);
    if (held === undefined) return true;
    if (heldPastLiveHold(held, run.ports.clock.now())) return false;
    await run.ports.clock.sleep(WAIT_STEP_MS);
  }
  return (await run.ports.store.get(lock)) === undefined;
}

/**
 * A new record that names its Jira issue. While outbound is creating that very record (its create
 * lock is held) this waits for the link; an issue not linked yet is linked with a shadow of Jira's
 * current values, so only what the record changes is written. Undefined: no such issue, create one.
 */
export async function linkNamedIssue(
  run: InboundRun,
  record: {
    module: string;
    id: string;
    jiraIssueKey: string;
    url: string;
    number?: string | undefined;
    fields: Record<string, unknown>;
    /** What Tandem sent when it made the record (its create intent), when Tandem made it. */
    sent?: Readonly<Record<string, string>>;
  },
  occurredAt: string,
  /** The event linking them, kept in the record's index (a Sync existing job knows its own links by it). */
  eventId?: string,
): Promise<Linked | InboundAnswer | undefined> {
  const { ports, connection } = run;
  const { module, id: externalId, number } = record;
  const issue = await ports.jira.getIssue(record.jiraIssueKey, issueFieldsFor(connection));
  if (!issue) return undefined;
  for (let waited = 0; waited < WAIT_FOR_OUTBOUND_MS; waited += WAIT_STEP_MS) {
    const linked = await readLinked(run, module, externalId);
    if (linked) return linked;
    if ((await ports.store.get(createLockKey(connection.id, issue.id))) === undefined) break;
    await ports.clock.sleep(WAIT_STEP_MS);
  }
  // Linked under the pair's sync lock, so a delivery of the issue never works from a link half made.
  return withSyncLock(run, { id: issue.id, key: issue.key }, async () => {
    const again = await readLinked(run, module, externalId);
    if (again) return again;
    const state = readIssueState(await ports.store.get(issueStateKey(issue.id)));
    const existing = state.links[connection.id];
    if (existing) return refusal('already_linked', `${issue.key} is already linked to ${existing.module} record ${existing.externalId}`, 'record.jiraIssueKey');
    const projectMapping = issue.project && issue.issueType ? findProjectMapping(connection, { projectKey: issue.project.key, issueTypeName: issue.issueType.name }) : undefined;
    if (!projectMapping || projectMapping.module !== module || projectMapping.direction === 'jira-to-tool') {
      return refusal('issue_not_mapped', `${issue.key} is not in a project and issue type mapped to ${module} from the tool`, 'record.jiraIssueKey');
    }
    const mappings = fieldMappingsFor(connection, projectMapping);
    const emails = await userEmails(ports.jira, issue, mappings);
    const jiraNow = planOutbound({
      connection,
      projectMapping,
      issue: { id: issue.id, key: issue.key, fields: issue.fields, status: issue.status },
      shadow: undefined,
      emailOf: (id) => emails.get(id),
      at: iso(run),
    }).shadowNext;
    // Merged per field: a record made before Jira's latest change never replaces it.
    const adopted = adoptionShadow({
      policy: connection.options.conflictPolicy,
      jiraShadow: jiraNow,
      record: record.fields,
      twoWay: Object.fromEntries(mappings.filter((m) => m.direction === 'both').map((m) => [m.tool, m.jira])),
      jiraUpdatedAt: issue.fields.updated,
      occurredAt,
      ...(record.sent ? { sent: record.sent } : {}),
    });
    // A record linked by the admin's match rule does not hold the issue's key yet: what it holds goes
    // in the shadow, so the issue's delivery writes the key (and address) back, as for a new issue.
    if (connection.protocol === 'record-rest' && projectMapping.direction === 'both' && record.fields[connection.issueKeyField] !== issue.key) {
      Object.assign(adopted.shadow.fields, referenceShadow(connection, record.fields));
    }
    // The issue shows the record as a remote link: owed, so the issue's delivery to the tool adds it.
    const link: Link = { connectionId: connection.id, module, externalId, url: record.url, ...(number ? { number } : {}), issueKey: issue.key, shadow: adopted.shadow, linkedAt: iso(run), remoteLinkOwed: true };
    const nextState: IssueState = { links: { ...state.links, [connection.id]: link } };
    await ports.store.writeAll([
      { key: issueStateKey(issue.id), value: nextState },
      { key: recordIndexKey(connection.id, module, externalId), value: { issueId: issue.id, issueKey: issue.key, ...(eventId ? { linkedBy: eventId } : {}) } },
      activity(run, { outcome: adopted.notes.length > 0 ? 'conflict' : 'synced', issueKey: issue.key, externalId, summary: `Linked ${number ?? externalId} to ${issue.key}${run.matchedBy === 'summary-and-day' ? `: ${SAME_SUMMARY_AND_DAY}` : ', which the record names'}`, details: adopted.notes }),
    ]);
    // The issue's delivery adds the owed remote link, and brings the tool any newer values Jira kept.
    await deliverIssue(run, connection.id, issue);
    return { issueId: issue.id, issueKey: issue.key, state: nextState, link };
  });
}

/** Ends the connection's link of the issue, with `extra` writes in the same transaction. */
export async function endLink(run: InboundRun, linked: Linked, summary: string, extra: StoreWrite[] = []): Promise<void> {
  const links = { ...linked.state.links };
  delete links[run.connection.id];
  // Counted as outbound counts its own, so a record made for this issue later gets a new Idempotency-Key.
  const history = withLinkEnded(readLinkHistory(await run.ports.store.get(linkHistoryKey(linked.issueId))), run.connection.id);
  await commit(run, [
    Object.keys(links).length === 0 ? { key: issueStateKey(linked.issueId), delete: true } : { key: issueStateKey(linked.issueId), value: { links } },
    { key: linkHistoryKey(linked.issueId), value: history, ttlSeconds: LINK_HISTORY_TTL_SECONDS },
    { key: recordIndexKey(run.connection.id, linked.link.module, linked.link.externalId), delete: true },
    // A status still owed to the issue is owed no more: the record no longer reaches it.
    { key: failureKey(run.connection.id, failureSubjectKey({ kind: 'status', issueId: linked.issueId, issueKey: linked.issueKey, module: linked.link.module, recordId: linked.link.externalId, fields: {}, occurredAt: '' })), delete: true },
    ...extra,
    activity(run, { outcome: 'synced', issueKey: linked.issueKey, externalId: linked.link.externalId, summary }),
  ]);
}

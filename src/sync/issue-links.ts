// Linking an issue to a record by hand ("Link to a record…") and ending a link ("Unlink"), from the
// issue view. A link made by hand starts from a shadow that settles every difference by the
// connection's conflict policy, so the ordinary deliveries carry each winner across; unlinking ends
// the link on both sides (Tandem's link, the issue's remote link, the record's reference to the
// issue) and leaves a marker that keeps outbound from making a new record for the issue.
import { explainToPerson, recordRestConnector, recordUpdatedAt, type RecordRestConnector, type ToolRecord } from '../connectors';
import type { LinkRecordResponse, RecordCandidate, RecordSearchResponse, UnlinkResponse } from '../contract/issue';
import {
  fieldMappingsFor,
  findProjectMapping,
  handLinkPlan,
  handLinkWords,
  hashValue,
  issueFieldsFor,
  parseConfig,
  planOutbound,
  type Connection,
  type HandLinkPlan,
  type ProjectMapping,
  type RecordRestConnection,
} from '../mapping';
import { failure } from './admin-config';
import { EVENT_ID_PATTERN, ID_PATTERN, type InboundEvent } from './inbound-event';
import { userEmails } from './inbound/fields';
import { resendChildren } from './hierarchy';
import { publishSyncState } from './issue-property';
import type { IssueInView } from './issue-view';
import { activityWrite, clearFailureWrite } from './journal';
import { isTransientJiraError, type JiraIssue, type Ports, type StoreWrite } from './ports';
import {
  authSecretKey,
  CONFIG_KEY,
  createLockKey,
  issueStateKey,
  LINK_HISTORY_TTL_SECONDS,
  linkHistoryKey,
  readIssueState,
  readLinkHistory,
  recordIndexKey,
  recordIndexSchema,
  remoteLinkOf,
  syncRequestKey,
  unlinkedKey,
  unlinkedRecordKey,
  withLinkEnded,
  type Link,
} from './state';

/** Pages of the module's records one search reads at most; a narrower search finds the rest. */
export const SEARCH_PAGES = 3;
/** Candidates one search shows at most. */
export const SEARCH_RESULTS = 20;
const LINK_LOCK_SECONDS = 120;

const POLICY_NAMES: Record<string, string> = { 'jira-wins': 'Jira wins', 'tool-wins': 'the tool wins', 'newest-wins': 'the newer change wins' };

type Failed = { ok: false; error: { code: 'FORBIDDEN' | 'INVALID' | 'NOT_FOUND' | 'CONFLICT' | 'BUSY' | 'FAILED'; message: string } };

interface Where {
  connection: RecordRestConnection;
  projectMapping: ProjectMapping;
  connector: RecordRestConnector;
}

/** The connection and the mapping that cover the issue, with the tool's connector; or why there are none. */
async function whereToLink(ports: Pick<Ports, 'store' | 'external' | 'clock'>, issue: IssueInView, connectionId: string): Promise<Where | Failed> {
  const raw = await ports.store.get(CONFIG_KEY);
  const parsed = raw === undefined ? undefined : parseConfig(raw);
  const connection = parsed?.ok ? parsed.config.connections.find((c) => c.id === connectionId) : undefined;
  if (!connection) return failure('NOT_FOUND', 'There is no such connection any more. Reload the page.');
  if (!connection.enabled) return failure('INVALID', `The ${connection.name} connection is switched off; a Jira administrator can switch it on.`);
  if (connection.protocol !== 'record-rest') return failure('INVALID', `${connection.name} receives Jira’s changes as they happen and keeps no records Tandem can link to.`);
  const projectMapping = findProjectMapping(connection, { projectKey: issue.projectKey, issueTypeName: issue.typeName });
  if (!projectMapping) return failure('INVALID', `${connection.name} has no mapping for ${issue.typeName} issues in ${issue.projectKey}; a Jira administrator can add one.`);
  return { connection, projectMapping, connector: await connectorOf(ports, connection) };
}

export async function connectorOf(ports: Pick<Ports, 'store' | 'external' | 'clock'>, connection: RecordRestConnection): Promise<RecordRestConnector> {
  const secret = connection.auth.kind === 'none' ? undefined : await ports.store.getSecret(authSecretKey(connection.id));
  return recordRestConnector(connection, secret, ports.external, { clock: ports.clock });
}

/** The record's title: the tool field Jira's summary maps to, else a field tools commonly call so. */
export function recordTitle(connection: Connection, record: Record<string, unknown>): string | undefined {
  const mapped = connection.projects.flatMap((p) => fieldMappingsFor(connection, p)).find((m) => m.jira === 'summary')?.tool;
  for (const field of [mapped, 'title', 'name', 'summary', 'short_description']) {
    const value = field === undefined ? undefined : record[field];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}

/** The issue as Jira holds it now and its values as a shadow would hold them (what linking compares). */
async function jiraSide(ports: Pick<Ports, 'jira' | 'clock'>, where: Where, issueId: string): Promise<{ issue: JiraIssue; jiraShadow: ReturnType<typeof planOutbound>['shadowNext'] } | undefined> {
  const issue = await ports.jira.getIssue(issueId, issueFieldsFor(where.connection));
  if (!issue) return undefined;
  const emails = await userEmails(ports.jira, issue, fieldMappingsFor(where.connection, where.projectMapping));
  const jiraShadow = planOutbound({
    connection: where.connection,
    // The shadow holds every mapped value whichever way the project syncs: only the comparison is wanted here.
    projectMapping: { ...where.projectMapping, direction: 'both' },
    issue: { id: issue.id, key: issue.key, fields: issue.fields, status: issue.status },
    shadow: undefined,
    emailOf: (id) => emails.get(id),
    at: new Date(ports.clock.now()).toISOString(),
  }).shadowNext;
  return { issue, jiraShadow };
}

function planFor(where: Where, side: { issue: JiraIssue; jiraShadow: HandLinkPlan['shadow'] }, record: ToolRecord): HandLinkPlan {
  return handLinkPlan({
    connection: where.connection,
    projectMapping: where.projectMapping,
    jiraShadow: side.jiraShadow,
    record: record.fields,
    jiraUpdatedAt: side.issue.fields.updated,
    toolUpdatedAt: recordUpdatedAt(record),
  });
}

const policyName = (connection: Connection) => POLICY_NAMES[connection.options.conflictPolicy] ?? connection.options.conflictPolicy;

function matches(connection: Connection, record: ToolRecord, query: string): boolean {
  if (query === '') return true;
  const q = query.toLowerCase();
  return [record.id, record.number, recordTitle(connection, record.fields)].some((v) => typeof v === 'string' && v.toLowerCase().includes(q));
}

/**
 * The module's records whose number, id or title holds the query: the record of that exact id, then
 * up to SEARCH_PAGES pages of the tool's listing. A tool that cannot list is searched by exact id only.
 */
export async function searchRecords(ports: Pick<Ports, 'store' | 'external' | 'clock' | 'jira'>, issue: IssueInView, connectionId: string, query: string): Promise<RecordSearchResponse> {
  const where = await whereToLink(ports, issue, connectionId);
  if ('ok' in where) return where;
  const { connection, projectMapping, connector } = where;
  const module = projectMapping.module;
  const found = new Map<string, ToolRecord>();
  if (ID_PATTERN.test(query)) {
    const exact = await connector.getRecord({ module, id: query });
    if (exact.ok) found.set(exact.value.id, exact.value);
  }
  let more = false;
  let cursor: string | undefined;
  for (let page = 0; page < SEARCH_PAGES && found.size < SEARCH_RESULTS; page++) {
    const listed = await connector.listRecords({ module, ...(cursor ? { cursor } : {}) });
    if (!listed.ok) {
      if (listed.failure.reason === 'bad-config' && page === 0) break;
      return failure('FAILED', `${connection.name} did not list its ${module} records just now: ${explainToPerson(listed.failure)}`);
    }
    for (const record of listed.value.records) if (matches(connection, record, query) && found.size < SEARCH_RESULTS) found.set(record.id, record);
    cursor = listed.value.nextCursor;
    if (!cursor) break;
    if (page === SEARCH_PAGES - 1) more = true;
  }
  const records = [...found.values()];
  const indexed = records.length === 0 ? new Map<string, unknown>() : await ports.store.getMany(records.map((r) => recordIndexKey(connection.id, module, r.id)));
  const side = records.length === 0 ? undefined : await jiraSide(ports, where, issue.id);
  const candidates: RecordCandidate[] = records.map((record) => {
    const linked = recordIndexSchema.safeParse(indexed.get(recordIndexKey(connection.id, module, record.id)));
    const title = recordTitle(connection, record.fields);
    return {
      id: record.id,
      number: record.number ?? record.id,
      title: title ?? '',
      url: record.url,
      ...(linked.success ? { linkedIssueKey: linked.data.issueKey } : {}),
      outcome: side ? handLinkWords(planFor(where, side, record), policyName(connection)) : [],
    };
  });
  return {
    ok: true,
    module,
    records: candidates,
    conflictPolicy: `Where the issue and the record differ, ${policyName(connection)}.`,
    ...(more ? { more } : {}),
  };
}

/**
 * Links the issue to the record: the link starts from a shadow that settles each difference by the
 * policy; the issue's delivery sends what Jira keeps (and the issue's key), and the record's
 * delivery to Jira writes what the tool keeps. Both are ordinary deliveries on the queue.
 */
export async function linkRecord(ports: Ports, issue: IssueInView, connectionId: string, recordId: string, who: string | undefined): Promise<LinkRecordResponse> {
  const where = await whereToLink(ports, issue, connectionId);
  if ('ok' in where) return where;
  const { connection, projectMapping, connector } = where;
  const module = projectMapping.module;
  const state = readIssueState(await ports.store.get(issueStateKey(issue.id)));
  const existing = state.links[connection.id];
  if (existing) return failure('CONFLICT', `${issue.key} is linked to ${existing.number ?? existing.externalId} already; unlink it first.`);
  const other = recordIndexSchema.safeParse(await ports.store.get(recordIndexKey(connection.id, module, recordId)));
  if (other.success) return failure('CONFLICT', `That record is linked to ${other.data.issueKey}; a record is linked to one issue at a time.`);
  const got = await connector.getRecord({ module, id: recordId });
  if (!got.ok) return failure(got.failure.status === 404 ? 'NOT_FOUND' : 'FAILED', `${connection.name} did not give Tandem the record: ${explainToPerson(got.failure)}`);
  const record = got.value;
  const side = await jiraSide(ports, where, issue.id);
  if (!side) return failure('NOT_FOUND', 'The issue is gone from Jira.');
  // Held like a record create: outbound makes no record for the issue while it is being linked.
  const lock = createLockKey(connection.id, issue.id);
  const at = new Date(ports.clock.now()).toISOString();
  if (!(await ports.store.create(lock, { at }, LINK_LOCK_SECONDS))) return failure('BUSY', `Tandem is making a ${module} record for this issue right now. Try again in a minute.`);
  const plan = planFor(where, side, record);
  const label = record.number ?? record.id;
  let link: Link = { connectionId: connection.id, module, externalId: record.id, url: record.url, ...(record.number ? { number: record.number } : {}), issueKey: side.issue.key, shadow: plan.shadow, linkedAt: at };
  const notes = handLinkWords(plan, policyName(connection));
  try {
    try {
      await ports.jira.upsertRemoteLink(issue.id, remoteLinkOf(connection, link));
    } catch (error) {
      // Jira busy: owed, the issue's delivery adds it.
      if (!isTransientJiraError(error)) throw error;
      link = { ...link, remoteLinkOwed: true };
    }
    if (connection.options.label) await ports.jira.addLabel(issue.id, connection.options.label).catch(() => notes.push(`The label ${connection.options.label} could not be added.`));
    await ports.store.writeAll([
      { key: issueStateKey(issue.id), value: { links: { ...state.links, [connection.id]: link } } },
      { key: recordIndexKey(connection.id, module, record.id), value: { issueId: issue.id, issueKey: side.issue.key } },
      { key: unlinkedKey(connection.id, issue.id), delete: true },
      { key: unlinkedRecordKey(connection.id, module, record.id), delete: true },
      { key: lock, delete: true },
      activityWrite(ports, {
        connectionId: connection.id,
        direction: 'outbound',
        outcome: plan.differing.some((f) => f.because === 'policy') ? 'conflict' : 'synced',
        issueKey: side.issue.key,
        externalId: record.id,
        summary: `Linked ${label} to ${side.issue.key} by hand${who ? ` (${who})` : ''}`,
        details: notes,
      }),
    ]);
  } catch (error) {
    await ports.store.delete(lock);
    throw error;
  }
  await ports.queue.push({ type: 'delivery', delivery: { kind: 'issue', connectionId: connection.id, issueId: issue.id, issueKey: side.issue.key, attempt: 1 } });
  await resendChildren(ports, connection, issue.id);
  const toJira = recordChange(connection, projectMapping, record, plan, at);
  if (toJira) await ports.queue.push({ type: 'delivery', delivery: { kind: 'inbound', connectionId: connection.id, event: toJira, attempt: 1 } });
  const title = recordTitle(connection, record.fields);
  return { ok: true, linked: { number: label, url: record.url, ...(title ? { title } : {}) } };
}

/** The record as a change to apply to Jira, carrying the fields the tool keeps; undefined when it keeps none. */
function recordChange(connection: Connection, projectMapping: ProjectMapping, record: ToolRecord, plan: HandLinkPlan, at: string): InboundEvent | undefined {
  const fields: Record<string, unknown> = {};
  for (const f of plan.differing) if (f.winner === 'tool' && record.fields[f.toolField] !== undefined) fields[f.toolField] = record.fields[f.toolField];
  if (Object.keys(fields).length === 0 || !ID_PATTERN.test(record.id)) return undefined;
  const eventId = `tandem-link-${hashValue([connection.id, record.id, at]).slice(0, 24)}`;
  if (!EVENT_ID_PATTERN.test(eventId)) return undefined;
  return { type: 'record.updated', eventId, occurredAt: at, record: { module: projectMapping.module, id: record.id, ...(record.number ? { number: record.number } : {}), fields } };
}

/**
 * Ends the issue's link with the connection without deleting anything: the record stops naming the
 * issue (asked of the tool first: when it refuses, nothing changes), Tandem's link and the issue's
 * remote link go, and a marker keeps outbound from making a new record for the issue.
 */
export async function unlinkRecord(ports: Ports, issue: IssueInView, connectionId: string, who: string | undefined): Promise<UnlinkResponse> {
  const raw = await ports.store.get(CONFIG_KEY);
  const parsed = raw === undefined ? undefined : parseConfig(raw);
  const connection = parsed?.ok ? parsed.config.connections.find((c) => c.id === connectionId) : undefined;
  if (!connection) return failure('NOT_FOUND', 'There is no such connection any more. Reload the page.');
  const found = await ports.store.getMany([issueStateKey(issue.id), linkHistoryKey(issue.id)]);
  const state = readIssueState(found.get(issueStateKey(issue.id)));
  const link = state.links[connection.id];
  if (!link) return failure('NOT_FOUND', `${issue.key} is not linked to ${connection.name}.`);
  const label = link.number ?? link.externalId;
  if (connection.protocol === 'record-rest') {
    const reference: Record<string, null> = {};
    for (const field of [connection.issueKeyField, connection.issueUrlField]) if (field !== '') reference[field] = null;
    if (Object.keys(reference).length > 0) {
      const connector = await connectorOf(ports, connection);
      const cleared = await connector.updateRecord({ module: link.module, id: link.externalId, fields: reference });
      // A record gone from the tool names nothing any more.
      if (!cleared.ok && cleared.failure.status !== 404) {
        return failure('FAILED', `${connection.name} did not take ${issue.key} off ${label}, so nothing was unlinked: ${explainToPerson(cleared.failure)}`);
      }
    }
  }
  const links = { ...state.links };
  delete links[connection.id];
  const at = new Date(ports.clock.now()).toISOString();
  const writes: StoreWrite[] = [
    Object.keys(links).length === 0 ? { key: issueStateKey(issue.id), delete: true } : { key: issueStateKey(issue.id), value: { links } },
    { key: linkHistoryKey(issue.id), value: withLinkEnded(readLinkHistory(found.get(linkHistoryKey(issue.id))), connection.id), ttlSeconds: LINK_HISTORY_TTL_SECONDS },
    { key: recordIndexKey(connection.id, link.module, link.externalId), delete: true },
    { key: unlinkedKey(connection.id, issue.id), value: { at, recordNumber: label } },
    { key: unlinkedRecordKey(connection.id, link.module, link.externalId), value: { at, issueKey: issue.key } },
    { key: syncRequestKey(connection.id, issue.id), delete: true },
    clearFailureWrite(connection.id, { kind: 'issue', issueId: issue.id, issueKey: issue.key }),
    activityWrite(ports, {
      connectionId: connection.id,
      direction: 'outbound',
      outcome: 'synced',
      issueKey: issue.key,
      externalId: link.externalId,
      summary: `Unlinked ${issue.key} from ${label} by hand${who ? ` (${who})` : ''}; both were left as they are`,
    }),
  ];
  await ports.store.writeAll(writes);
  await publishSyncState(ports, issue.id, connection.id, { state: 'unlinked', record: label });
  // The remote link last: the link has ended whatever Jira says; a link left behind is only a pointer.
  await ports.jira.deleteRemoteLink(issue.id, remoteLinkOf(connection, link).globalId).catch(() => undefined);
  return { ok: true, unlinked: true };
}

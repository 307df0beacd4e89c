// The issue's sync as the people working on it see it (the "Tandem" panel): per connection, the
// linked record, the state in words, the last sync each way and the last few sync events; and what
// they may do about it (Sync now, Retry). Who may do what is decided by the caller (the handler),
// which takes the issue from Forge's context, never from the page.
import type { ConnectionSyncView, IssueSyncEvent, IssueViewResponse, NotSyncedReason, PartFailureView, RetryOnIssueResponse, SyncNowResponse } from '../contract/issue';
import { findProjectMapping, parseConfig, type Connection, type TandemConfig } from '../mapping';
import { failure } from './admin-config';
import { readActivity, retryFailures } from './admin-journal';
import type { AdminPorts } from './admin-ports';
import { connectorOf, recordTitle } from './issue-links';
import type { Ports } from './ports';
import {
  CONFIG_KEY,
  FAILURE_PREFIX,
  SYNC_REQUEST_TTL_SECONDS,
  failureKey,
  failureSchema,
  failureSubjectKey,
  issueStateKey,
  keyPart,
  readIssueState,
  syncRequestKey,
  unlinkedKey,
  unlinkedSchema,
  type Activity,
  type Failure,
  type Link,
} from './state';

/** The issue as Forge's context names it. */
export interface IssueInView {
  id: string;
  key: string;
  /** The issue type's name. */
  typeName: string;
  projectKey: string;
}

/** How many of the issue's newest log entries the panel reads (the log is shared by all issues). */
const EVENTS_READ = 20;
const EVENTS_SHOWN = 5;

const POLICY_WORDS: Record<string, string> = {
  'jira-wins': 'Where both sides changed a field, Jira’s value wins.',
  'tool-wins': 'Where both sides changed a field, the tool’s value wins.',
  'newest-wins': 'Where both sides changed a field, the newer change wins.',
};

export const policyWords = (connection: Connection): string => POLICY_WORDS[connection.options.conflictPolicy] ?? '';

interface Loaded {
  config: TandemConfig;
  links: Record<string, Link>;
  failures: Map<string, KeptFailure>;
  /** The status and field failures of the issue, per connection: the rest of the issue synced. */
  parts: Map<string, KeptFailure[]>;
  requests: Map<string, string>;
  /** Connections the issue was unlinked from by hand: when, and from which record. */
  unlinked: Map<string, { at: string; recordNumber: string }>;
}

type KeptFailure = Failure & { id: string; retryRequestedAt?: string };

const issueFailureKey = (connectionId: string, issueId: string): string => failureKey(connectionId, failureSubjectKey({ kind: 'issue', issueId, issueKey: '' }));
const statusFailureKey = (connectionId: string, issueId: string): string => failureKey(connectionId, `status:${issueId}`);
/** Field failures of one issue share this key prefix (`field:<issueId>:<jiraField>`). */
const fieldFailurePrefix = (connectionId: string, issueId: string): string => `${FAILURE_PREFIX}${keyPart(connectionId)}:${keyPart(`field:${issueId}:`)}`;
/** Field failures shown on one issue at most; more are on the admin page's Failures list. */
const FIELD_FAILURES_READ = 20;

function keptFailure(key: string, value: unknown): KeptFailure | undefined {
  const kept = failureSchema.safeParse(value);
  if (!kept.success) return undefined;
  const retryRequestedAt = (value as { retryRequestedAt?: unknown }).retryRequestedAt;
  return { ...kept.data, id: key, ...(typeof retryRequestedAt === 'string' ? { retryRequestedAt } : {}) };
}

async function load(ports: Pick<Ports, 'store'>, issue: IssueInView): Promise<Loaded | undefined> {
  const first = await ports.store.getMany([CONFIG_KEY, issueStateKey(issue.id)]);
  const raw = first.get(CONFIG_KEY);
  if (raw === undefined) return undefined;
  const parsed = parseConfig(raw);
  if (!parsed.ok) return undefined;
  const config = parsed.config;
  const links = readIssueState(first.get(issueStateKey(issue.id))).links;
  const keys = config.connections.flatMap((c) => [issueFailureKey(c.id, issue.id), statusFailureKey(c.id, issue.id), syncRequestKey(c.id, issue.id), ...(links[c.id] ? [] : [unlinkedKey(c.id, issue.id)])]);
  const second = keys.length > 0 ? await ports.store.getMany(keys) : new Map<string, unknown>();
  const failures = new Map<string, KeptFailure>();
  const parts = new Map<string, KeptFailure[]>();
  const requests = new Map<string, string>();
  const unlinked = new Map<string, { at: string; recordNumber: string }>();
  for (const connection of config.connections) {
    const marker = unlinkedSchema.safeParse(second.get(unlinkedKey(connection.id, issue.id)));
    if (marker.success) unlinked.set(connection.id, marker.data);
    const headline = keptFailure(issueFailureKey(connection.id, issue.id), second.get(issueFailureKey(connection.id, issue.id)));
    if (headline) failures.set(connection.id, headline);
    const status = keptFailure(statusFailureKey(connection.id, issue.id), second.get(statusFailureKey(connection.id, issue.id)));
    const fields = await ports.store.list(fieldFailurePrefix(connection.id, issue.id), { limit: FIELD_FAILURES_READ });
    const fieldFailures = fields.entries.map((entry) => keptFailure(entry.key, entry.value)).filter((f): f is KeptFailure => f !== undefined);
    const mine = [...(status ? [status] : []), ...fieldFailures];
    if (mine.length > 0) parts.set(connection.id, mine);
    if (!failures.has(connection.id) && mine.length === 0) {
      // A work note that could not be made is the issue's failure too.
      const notes = await ports.store.list(`${FAILURE_PREFIX}${keyPart(connection.id)}:${keyPart(`comment:${issue.id}:`)}`, { limit: 1 });
      const entry = notes.entries[0];
      const kept = entry && keptFailure(entry.key, entry.value);
      if (kept) failures.set(connection.id, kept);
    }
    const request = second.get(syncRequestKey(connection.id, issue.id)) as { at?: unknown } | undefined;
    if (request && typeof request.at === 'string') requests.set(connection.id, request.at);
  }
  return { config, links, failures, parts, requests, unlinked };
}

function eventOf(entry: Activity): IssueSyncEvent {
  return { at: entry.at, direction: entry.direction, outcome: entry.outcome, summary: entry.summary };
}

async function notSyncedReason(
  ports: Pick<Ports, 'jira'>,
  connection: Connection,
  issue: IssueInView,
): Promise<{ why: NotSyncedReason; words: string; advice?: string; module?: string }> {
  const mapping = findProjectMapping(connection, { projectKey: issue.projectKey, issueTypeName: issue.typeName });
  if (!mapping) {
    return {
      why: 'no-mapping',
      words: `Not synced: ${connection.name} has no mapping for ${issue.typeName} issues in ${issue.projectKey}.`,
      advice: 'A Jira administrator can add one on Tandem’s admin page.',
    };
  }
  if (mapping.direction === 'tool-to-jira') {
    return {
      why: 'one-way-from-tool',
      words: `Not synced: ${connection.name} sends its ${mapping.module} records to Jira, one way; issues made in Jira are not sent.`,
      advice: 'Link the issue to an existing record to sync it.',
      module: mapping.module,
    };
  }
  if (mapping.jql) {
    const [matches] = await ports.jira.matchJql(issue.id, [mapping.jql]);
    if (matches === false) {
      return {
        why: 'excluded-by-jql',
        words: `Not synced: the issue is outside the mapping’s filter (${mapping.jql}).`,
        advice: 'Change the issue so it matches the filter, or link it to a record by hand.',
        module: mapping.module,
      };
    }
  }
  return {
    why: 'not-yet',
    words: `Not synced yet: a ${mapping.module} record is made with the issue’s next change.`,
    advice: 'Press Sync now to make it now.',
    module: mapping.module,
  };
}

function relevant(connection: Connection, issue: IssueInView, linked: boolean): boolean {
  return linked || connection.projects.some((p) => p.projectKey === issue.projectKey.toUpperCase());
}

/** The panel's view of the issue: each connection that has a link for it or a mapping for its project. */
export async function issueSyncView(ports: Pick<Ports, 'store' | 'jira' | 'external' | 'clock'>, issue: IssueInView, canEdit: boolean): Promise<IssueViewResponse> {
  const loaded = await load(ports, issue);
  if (!loaded) return { ok: true, issueKey: issue.key, canEdit, connections: [] };
  const activity = await readActivity(ports, { issueKey: issue.key, limit: EVENTS_READ });
  const entries = activity.ok ? activity.entries : [];
  const titles = await recordTitles(ports, loaded);
  const connections: ConnectionSyncView[] = [];
  for (const connection of loaded.config.connections) {
    const link = loaded.links[connection.id];
    if (!relevant(connection, issue, link !== undefined)) continue;
    const mine = entries.filter((e) => e.connectionId === connection.id);
    const lastToTool = mine.find((e) => e.direction === 'outbound' && e.outcome === 'synced')?.at;
    const lastFromTool = mine.find((e) => e.direction === 'inbound' && e.outcome === 'synced')?.at;
    const kept = loaded.failures.get(connection.id);
    const parts = (loaded.parts.get(connection.id) ?? []).map(partView);
    const requestedAt = loaded.requests.get(connection.id);
    const base = {
      connectionId: connection.id,
      connectionName: connection.name,
      events: mine.slice(0, EVENTS_SHOWN).map(eventOf),
      conflictPolicy: policyWords(connection),
      ...(lastToTool ? { lastToTool } : {}),
      ...(lastFromTool ? { lastFromTool } : {}),
      ...(link ? { record: { module: link.module, number: link.number ?? link.externalId, url: link.url, ...withTitle(titles.get(connection.id)) } } : {}),
      ...(parts.length > 0 ? { partFailures: parts } : {}),
    };
    const partsKept = parts.filter((p) => !p.retrying);
    const mapping = findProjectMapping(connection, { projectKey: issue.projectKey, issueTypeName: issue.typeName });
    const linkable = !link && mapping ? { linkableModule: mapping.module } : {};
    if (!connection.enabled) {
      connections.push({ ...base, state: 'not-synced', why: 'disconnected', words: `Not syncing: the ${connection.name} connection is switched off.`, advice: 'A Jira administrator can switch it on again; nothing is lost meanwhile.' });
    } else if (kept?.nextAttemptAt) {
      connections.push({ ...base, state: 'pending', words: `Pending: ${kept.operation} failed; Tandem tries again by itself. ${kept.explanation}`, nextAttemptAt: kept.nextAttemptAt, ...(kept.toolMessage ? { toolMessage: kept.toolMessage } : {}) });
    } else if (kept && !kept.retryRequestedAt) {
      connections.push({
        ...base,
        state: 'failed',
        words: `Failed: ${kept.operation} — ${kept.explanation}`,
        advice: 'Fix what the message says, then press Retry.',
        failureId: kept.id,
        ...(kept.toolMessage ? { toolMessage: kept.toolMessage } : {}),
      });
    } else if (kept || requestedAt) {
      connections.push({ ...base, state: 'pending', words: kept ? 'Pending: the retry is on its way.' : 'Pending: Sync now is on its way.' });
    } else if (partsKept.length > 0) {
      connections.push({
        ...base,
        state: 'failed',
        words: `Failed in part: ${partsKept.map((p) => p.what).join(', ')} did not sync; every other field did.`,
        advice: 'Fix what each message says, then press its Retry.',
      });
    } else if (parts.length > 0) {
      connections.push({ ...base, state: 'pending', words: `Pending: ${parts.map((p) => p.what).join(', ')} will be tried again.` });
    } else if (link) {
      connections.push({ ...base, state: 'in-sync', words: 'In sync.' });
    } else if (loaded.unlinked.has(connection.id)) {
      const marker = loaded.unlinked.get(connection.id);
      connections.push({
        ...base,
        ...linkable,
        state: 'not-synced',
        why: 'unlinked',
        words: `Not synced: unlinked from ${marker?.recordNumber ?? 'its record'} by hand; Tandem makes no record for it.`,
        advice: 'Link to a record… syncs it again.',
      });
    } else {
      const reason = await notSyncedReason(ports, connection, issue);
      connections.push({ ...base, ...linkable, state: 'not-synced', why: reason.why, words: reason.words, ...(reason.advice ? { advice: reason.advice } : {}) });
    }
  }
  return { ok: true, issueKey: issue.key, canEdit, connections };
}

const withTitle = (title: string | undefined) => (title ? { title } : {});

/** A status or field failure as the panel lists it. */
function partView(kept: KeptFailure): PartFailureView {
  const what = kept.subject.kind === 'field' ? `Field ${kept.subject.jiraField}` : 'Status';
  const retrying = kept.nextAttemptAt !== undefined || kept.retryRequestedAt !== undefined;
  return {
    failureId: kept.id,
    what,
    words: kept.retryRequestedAt && !kept.nextAttemptAt ? 'The retry is on its way.' : kept.explanation,
    retrying,
    ...(kept.nextAttemptAt ? { nextAttemptAt: kept.nextAttemptAt } : {}),
    ...(kept.toolMessage ? { toolMessage: kept.toolMessage } : {}),
  };
}

/**
 * The linked records' titles, read from the tools as the panel opens (a link keeps only the record's
 * number): one read per linked record, side by side; a tool that does not answer leaves the title out.
 */
async function recordTitles(ports: Pick<Ports, 'store' | 'external' | 'clock'>, loaded: Loaded): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  await Promise.all(
    loaded.config.connections.map(async (connection) => {
      const link = loaded.links[connection.id];
      if (!link || !connection.enabled || connection.protocol !== 'record-rest') return;
      const connector = await connectorOf(ports, connection);
      const got = await connector.getRecord({ module: link.module, id: link.externalId }).catch(() => undefined);
      const title = got?.ok ? recordTitle(connection, got.value.fields) : undefined;
      if (title) titles.set(connection.id, title);
    }),
  );
  return titles;
}

/** Queues a fresh delivery of the issue to one connection; the panel shows it pending until it has run. */
export async function requestSync(ports: Pick<Ports, 'store' | 'queue' | 'clock'>, issue: IssueInView, connectionId: string): Promise<SyncNowResponse> {
  const raw = await ports.store.get(CONFIG_KEY);
  const parsed = raw === undefined ? undefined : parseConfig(raw);
  const connection = parsed?.ok ? parsed.config.connections.find((c) => c.id === connectionId) : undefined;
  if (!connection) return failure('NOT_FOUND', 'There is no such connection any more. Reload the panel.');
  if (!connection.enabled) return failure('INVALID', `The ${connection.name} connection is switched off; a Jira administrator can switch it on.`);
  if ((await ports.store.get(unlinkedKey(connection.id, issue.id))) !== undefined) {
    return failure('INVALID', `This issue was unlinked from ${connection.name} by hand, so Tandem makes no record for it. Use Link to a record… to sync it again.`);
  }
  const key = syncRequestKey(connection.id, issue.id);
  // One request at a time: pressing twice queues one delivery.
  if (!(await ports.store.create(key, { at: new Date(ports.clock.now()).toISOString() }, SYNC_REQUEST_TTL_SECONDS))) return { ok: true, queued: true };
  try {
    await ports.queue.push({ type: 'delivery', delivery: { kind: 'issue', connectionId: connection.id, issueId: issue.id, issueKey: issue.key, attempt: 1, syncNow: true } });
  } catch {
    await ports.store.delete(key);
    return failure('BUSY', 'Tandem’s queue did not take the request just now. Try again in a minute.');
  }
  return { ok: true, queued: true };
}

/** Retries the issue's kept failure: only a failure of this issue can be retried from its panel. */
export async function retryIssueFailure(ports: AdminPorts, issue: IssueInView, failureId: string): Promise<RetryOnIssueResponse> {
  const kept = failureSchema.safeParse(failureId.startsWith(FAILURE_PREFIX) ? await ports.store.get(failureId) : undefined);
  if (!kept.success || kept.data.subject.issueId !== issue.id) {
    return failure('NOT_FOUND', 'This failure is gone: it was retried or discarded. Reload the panel.');
  }
  const result = await retryFailures(ports, [failureId]);
  if (!result.ok) return result;
  if (result.retried === 0) return failure('INVALID', result.skipped[0] ?? 'Tandem could not retry this failure.');
  return { ok: true, queued: true };
}

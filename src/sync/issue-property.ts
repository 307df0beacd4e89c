// Each issue's sync state as an issue property Jira indexes for JQL (manifest: jira:entityProperty
// tandem-sync-state), so people can search `tandemState = failed` or `tandemRecord = INC0001001`.
// The property is written only when what it says changes (a connection's state or record), in the
// delivery that changed it: Tandem keeps its own copy of what it last wrote, so a delivery that
// changes nothing costs one storage read and no Jira call.
import * as z from 'zod';
import type { Ports, StoreWrite } from './ports';
import { FAILURE_PREFIX, failureKey, failureSubjectKey, keyPart } from './state';

/** The issue property's key, as manifest.yml's jira:entityProperty module names it. */
export const ISSUE_PROPERTY_KEY = 'tandem-sync';

/** The states JQL searches by (`tandemState`). */
export type PublishedState = 'synced' | 'pending' | 'failed' | 'unlinked';

const entrySchema = z.object({
  connection: z.string(),
  record: z.string().optional(),
  state: z.enum(['synced', 'pending', 'failed', 'unlinked']),
  /** When this connection's state last changed (ISO 8601). */
  since: z.string(),
});
export type PublishedEntry = z.infer<typeof entrySchema>;

/**
 * How long after an issue was made with the property Tandem trusts JQL to find it by the property:
 * search "doesn't provide read-after-write consistency"; "the majority of modifications are shown
 * within seconds", some take minutes (developer.atlassian.com/cloud/jira/platform/search-and-reconcile/).
 */
export const SEARCH_CATCH_UP_SECONDS = 5 * 60;

/** What Tandem last wrote to the property, kept so an unchanged state is not written again. */
export const publishedKey = (issueId: string) => `published:${keyPart(issueId)}`;
const publishedSchema = z.object({ entries: z.array(entrySchema) });

/**
 * The property's value: the indexed arrays (`connections`, `records`, `states`; each element is
 * searchable) and `lastSync`, the latest change; `sync` keeps the pairs together for readers.
 */
export function propertyValue(entries: readonly PublishedEntry[]): Record<string, unknown> {
  const sorted = [...entries].sort((a, b) => a.connection.localeCompare(b.connection));
  const lastSync = sorted.map((e) => e.since).sort().at(-1);
  return {
    connections: sorted.map((e) => e.connection),
    records: sorted.flatMap((e) => (e.record ? [e.record] : [])),
    states: [...new Set(sorted.map((e) => e.state))],
    ...(lastSync ? { lastSync } : {}),
    sync: sorted,
  };
}

/**
 * Records one connection's state of the issue (undefined: the issue does not sync with it) and writes
 * the property when that changes what it says. A Jira refusal is not the delivery's failure: the
 * copy is left as it was, so the next delivery of the issue writes the property again.
 */
export async function publishSyncState(
  ports: Pick<Ports, 'store' | 'jira' | 'clock'>,
  issueId: string,
  connectionId: string,
  next: { state: PublishedState; record?: string | undefined } | undefined,
  /** Changes the property only when the issue is in this state now. */
  options: {
    onlyFrom?: PublishedState;
    /** The stored copy, read already with the delivery's other keys; kept current here. */
    known?: { value: unknown };
    /** Written with the stored copy when it changes (a delivery's lock release); the answer says whether they were. */
    alongside?: StoreWrite[];
  } = {},
): Promise<boolean> {
  const raw = options.known ? options.known.value : await ports.store.get(publishedKey(issueId));
  const parsed = publishedSchema.safeParse(raw);
  const entries = parsed.success ? parsed.data.entries : [];
  const current = entries.find((e) => e.connection === connectionId);
  // Not synced (yet, or any more) says nothing new about an issue someone unlinked by hand.
  if (next === undefined ? current === undefined || current.state === 'unlinked' : current !== undefined && current.state === next.state && current.record === next.record) return false;
  if (options.onlyFrom !== undefined && current?.state !== options.onlyFrom) return false;
  // One direction going through leaves the issue failed while the other's failure is still kept.
  if (next?.state === 'synced' && current?.state === 'failed' && (await hasKeptFailure(ports, connectionId, issueId))) return false;
  const others = entries.filter((e) => e.connection !== connectionId);
  const since = new Date(ports.clock.now()).toISOString();
  const updated = next === undefined ? others : [...others, { connection: connectionId, state: next.state, since, ...(next.record ? { record: next.record } : {}) }];
  try {
    await ports.jira.setIssueProperty(issueId, ISSUE_PROPERTY_KEY, propertyValue(updated));
  } catch (error) {
    console.error('Could not write the issue’s sync state property', error instanceof Error ? error.name : typeof error);
    return false;
  }
  await ports.store.writeAll([{ key: publishedKey(issueId), value: { entries: updated } }, ...(options.alongside ?? [])]);
  if (options.known) options.known.value = { entries: updated };
  return true;
}

/**
 * Whether the issue has a kept failure on the connection: its delivery to the tool, or a status or a
 * field from the tool that Jira refused. Read only when the property would leave "failed".
 */
async function hasKeptFailure(ports: Pick<Ports, 'store'>, connectionId: string, issueId: string): Promise<boolean> {
  const found = await ports.store.getMany([failureKey(connectionId, failureSubjectKey({ kind: 'issue', issueId, issueKey: '' })), failureKey(connectionId, `status:${issueId}`)]);
  if (found.size > 0) return true;
  const fields = await ports.store.list(`${FAILURE_PREFIX}${keyPart(connectionId)}:${keyPart(`field:${issueId}:`)}`, { limit: 1 });
  return fields.entries.length > 0;
}

const isFailure = (write: StoreWrite) => write.key.startsWith(FAILURE_PREFIX);

/**
 * An inbound change's part in the property, from the writes it saved: a status or field Jira refused
 * makes the issue "failed"; a change that resolves such a failure makes a failed issue "synced"
 * again, once nothing else of it is kept. A change that touches no failure costs nothing here.
 */
export async function publishInboundOutcome(
  ports: Pick<Ports, 'store' | 'jira' | 'clock'>,
  issueId: string,
  connectionId: string,
  record: string,
  writes: readonly StoreWrite[],
  /** The stored copy, when it was read with the link. */
  known?: { value: unknown },
): Promise<void> {
  const kept = writes.some((w) => isFailure(w) && !('delete' in w));
  const resolved = writes.some((w) => isFailure(w) && 'delete' in w);
  const options = known ? { known } : {};
  if (kept) await publishSyncState(ports, issueId, connectionId, { state: 'failed', record }, options);
  else if (resolved) await publishSyncState(ports, issueId, connectionId, { state: 'synced', record }, { ...options, onlyFrom: 'failed' });
}

/**
 * The connection's entry in the property as Jira holds it (read with the issue), when it says the
 * issue syncs with a record: set by the create that made the issue from that record, before the
 * link is saved in storage.
 */
export function syncedEntryOf(properties: Readonly<Record<string, unknown>> | undefined, connectionId: string): PublishedEntry | undefined {
  const parsed = z.object({ sync: z.array(z.unknown()) }).safeParse(properties?.[ISSUE_PROPERTY_KEY]);
  if (!parsed.success) return undefined;
  for (const raw of parsed.data.sync) {
    const entry = entrySchema.safeParse(raw);
    if (entry.success && entry.data.connection === connectionId && entry.data.state === 'synced' && entry.data.record !== undefined) return entry.data;
  }
  return undefined;
}

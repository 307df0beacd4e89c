// The activity log and the failures as the admin page pages through and acts on them. A failure is
// listed from its first failed try: retrying while Tandem will try again by itself (with when), kept
// once it will not. A retry queues a fresh delivery that re-reads the issue as it is now: for a kept
// failure a new round of attempts, for a retrying one a single try now (the waiting try goes on).
// The failure stays listed, marked as retrying, until a delivery succeeds (it is cleared) or fails
// again (it is written anew, one attempt more).
import * as z from 'zod';
import type { ActivityEntry, FailureEntry, RetryResponse } from '../contract/admin';
import { failure, readStoredConfig } from './admin-config';
import type { AdminPorts } from './admin-ports';
import type { Ports } from './ports';
import { ACTIVITY_PREFIX, DELIVERED_PREFIX, FAILURE_PREFIX, activitySchema, deliveredSchema, failureSchema, type Failure } from './state';
import type { AnyDelivery } from './delivery';
import { keptInboundDelivery, statusRetryDelivery } from './inbound';

const PAGE = 100;
/** A filtered page reads at most this many entries before handing back a cursor. */
const MAX_SCANNED = 1000;
const MAX_FAILURES = 1000;

/** Where the last page stopped: the store's own cursor, and how many entries of that page were already read. */
const cursorSchema = z.object({ c: z.string().optional(), s: z.number().int().min(0) });
type Cursor = z.infer<typeof cursorSchema>;

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
function decodeCursor(text: string | undefined): Cursor | undefined {
  if (text === undefined) return { s: 0 };
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export interface ActivityQuery {
  connectionId?: string;
  issueKey?: string;
  cursor?: string;
  limit: number;
}

export async function readActivity(
  ports: Pick<Ports, 'store'>,
  query: ActivityQuery,
): Promise<{ ok: true; entries: ActivityEntry[]; cursor?: string } | ReturnType<typeof failure>> {
  let position = decodeCursor(query.cursor);
  if (!position) return failure('INVALID', 'The activity log moved on since this page was loaded. Reload the activity log.');
  const issueKey = query.issueKey?.trim().toUpperCase();
  const entries: ActivityEntry[] = [];
  let scanned = 0;
  for (;;) {
    const page = await ports.store.list(ACTIVITY_PREFIX, { limit: PAGE, ...(position.c ? { cursor: position.c } : {}) });
    for (let i = position.s; i < page.entries.length; i++) {
      const entry = page.entries[i];
      scanned++;
      if (!entry) continue;
      const parsed = activitySchema.safeParse(entry.value);
      if (!parsed.success) continue;
      const value = parsed.data;
      if (query.connectionId && value.connectionId !== query.connectionId) continue;
      if (issueKey && value.issueKey?.toUpperCase() !== issueKey) continue;
      entries.push({ ...value, id: entry.key });
      if (entries.length >= query.limit) {
        const rest = i + 1 < page.entries.length ? { ...(position.c ? { c: position.c } : {}), s: i + 1 } : page.cursor ? { c: page.cursor, s: 0 } : undefined;
        return { ok: true, entries, ...(rest ? { cursor: encodeCursor(rest) } : {}) };
      }
    }
    if (!page.cursor) return { ok: true, entries };
    position = { c: page.cursor, s: 0 };
    // A filter matching little must not read the whole log in one call: hand back where to go on.
    if (scanned >= MAX_SCANNED) return { ok: true, entries, cursor: encodeCursor(position) };
  }
}

const storedFailureSchema = failureSchema.extend({ retryRequestedAt: z.string().optional() });

function entryOf(key: string, value: z.infer<typeof storedFailureSchema>): FailureEntry {
  const { retryRequestedAt, ...failureValue } = value;
  const retrying = retryRequestedAt !== undefined || value.nextAttemptAt !== undefined;
  return { ...failureValue, id: key, state: retrying ? 'retrying' : 'failed', ...(retryRequestedAt ? { retryRequestedAt } : {}) };
}

/** When each connection's deliveries last went through after failing (the lamp's green). */
export async function listDelivered(ports: Pick<Ports, 'store'>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const page = await ports.store.list(DELIVERED_PREFIX, { limit: PAGE });
  for (const entry of page.entries) {
    const parsed = deliveredSchema.safeParse(entry.value);
    if (parsed.success) out[parsed.data.connectionId] = parsed.data.at;
  }
  return out;
}

export async function listFailures(ports: Pick<Ports, 'store'>, connectionId?: string): Promise<FailureEntry[]> {
  const out: FailureEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await ports.store.list(FAILURE_PREFIX, { limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const entry of page.entries) {
      const parsed = storedFailureSchema.safeParse(entry.value);
      if (!parsed.success) continue;
      if (connectionId && parsed.data.connectionId !== connectionId) continue;
      out.push(entryOf(entry.key, parsed.data));
    }
    cursor = page.cursor;
  } while (cursor && out.length < MAX_FAILURES);
  return out.sort((a, b) => b.lastAt.localeCompare(a.lastAt));
}

async function deliveryOf(ports: AdminPorts, kept: Failure): Promise<{ type: 'delivery'; delivery: AnyDelivery } | undefined> {
  const { subject } = kept;
  if (subject.kind === 'inbound') {
    const delivery = await keptInboundDelivery(ports, kept.connectionId, subject.eventId);
    return delivery && { type: 'delivery', delivery };
  }
  if (subject.kind === 'status' || subject.kind === 'field') return { type: 'delivery', delivery: statusRetryDelivery(kept.connectionId, subject) };
  // While Tandem waits to try again by itself, the admin's try is one more, not a new round.
  const base = {
    connectionId: kept.connectionId,
    issueId: subject.issueId,
    issueKey: subject.issueKey,
    ...(kept.nextAttemptAt === undefined ? { attempt: 1, requested: 'retry' as const } : { attempt: kept.attempts + 1, requested: 'now' as const }),
  };
  const delivery: AnyDelivery = subject.kind === 'comment' ? { kind: 'comment', ...base, commentId: subject.commentId, deleted: false } : { kind: subject.kind, ...base };
  return { type: 'delivery', delivery };
}

const isFailureId = (id: string) => id.startsWith(FAILURE_PREFIX);

/** Queues a delivery for each failure; a failure of a disconnected connection is left as it is. */
export async function retryFailures(ports: AdminPorts, ids: readonly string[]): Promise<RetryResponse> {
  const stored = await readStoredConfig(ports);
  if (!stored.ok) return stored;
  const enabled = new Map(stored.view.config.connections.map((c) => [c.id, c.enabled]));
  let retried = 0;
  const skipped: string[] = [];
  for (const id of ids) {
    if (!isFailureId(id)) continue;
    const raw = await ports.store.get(id);
    const parsed = storedFailureSchema.safeParse(raw);
    if (!parsed.success) continue;
    const kept = parsed.data;
    const connectionEnabled = enabled.get(kept.connectionId);
    if (connectionEnabled !== true) {
      skipped.push(
        connectionEnabled === undefined
          ? `${kept.subject.issueKey}: its connection ${kept.connectionId} no longer exists; discard the failure.`
          : `${kept.subject.issueKey}: reconnect ${kept.connectionId} first.`,
      );
      continue;
    }
    const delivery = await deliveryOf(ports, kept);
    if (!delivery) {
      skipped.push(`${kept.subject.issueKey}: the tool's event is no longer kept (30 days); discard the failure.`);
      continue;
    }
    const { retryRequestedAt: _previous, ...rest } = kept;
    // Marked before the push: a delivery that succeeds at once deletes the failure, and must not find it written back after.
    await ports.store.set(id, { ...rest, retryRequestedAt: new Date(ports.clock.now()).toISOString() });
    try {
      await ports.queue.push(delivery);
      retried++;
    } catch {
      await ports.store.set(id, rest);
      skipped.push(`${kept.subject.issueKey}: the delivery queue refused the retry; try again in a minute.`);
    }
  }
  return { ok: true, retried, skipped };
}

export async function retryOneFailure(ports: AdminPorts, id: string): Promise<RetryResponse> {
  if (!isFailureId(id) || (await ports.store.get(id)) === undefined) {
    return failure('NOT_FOUND', 'This failure is gone: it was retried successfully or discarded. Reload the list.');
  }
  const result = await retryFailures(ports, [id]);
  if (result.ok && result.retried === 0 && result.skipped[0]) return failure('INVALID', result.skipped[0]);
  return result;
}

export async function discardFailure(ports: Pick<Ports, 'store'>, id: string): Promise<{ ok: true; discarded: number } | ReturnType<typeof failure>> {
  if (!isFailureId(id)) return failure('NOT_FOUND', 'There is no such failure. Reload the list.');
  const exists = (await ports.store.get(id)) !== undefined;
  if (exists) await ports.store.delete(id);
  return { ok: true, discarded: exists ? 1 : 0 };
}

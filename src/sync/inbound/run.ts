// What every part of applying an inbound event shares: the run (ports, connection, writes waiting
// for the next transaction), the locks that keep two events from making one thing twice, the
// activity entries, and the check that a module may change Jira at all.
import { mappingsForModule, type Connection } from '../../mapping';
import type { InboundAnswer } from '../inbound-request';
import { answer, refusal } from '../inbound-request';
import { activityWrite } from '../journal';
import type { Ports, StoreWrite } from '../ports';
import { failureSubjectKey, keyPart, SYNC_LOCK_SECONDS, syncLockKey } from '../state';
import { heldPastLiveHold, releaseSyncLock, takeSyncLock, type LockHolder } from '../sync-lock';

export interface InboundRun {
  ports: Ports;
  connection: Connection;
  /** Written with the next state change (the health record), or on their own at the end. */
  pending: StoreWrite[];
  /** The attempt of this event (1 when it came over HTTP). */
  attempt: number;
  /** How Sync existing found the issue the event's record names, when by its match rule (see InboundDelivery). */
  matchedBy?: 'summary-and-day';
  /** Who runs this event from the queue, named in the sync locks it takes (see sync-lock.ts). */
  holder?: LockHolder;
  /** The sync lock this event holds, while it holds it; released with the change's transaction when it has one. */
  lock?: { key: string; released: boolean } | undefined;
  /** The linked issue's published sync state as stored, when it was read with the link. */
  published?: { value: unknown };
  /** Keys read ahead with the configuration (the event's dedupe marker, its record's index and tombstone), each with its value or undefined. */
  ahead?: ReadonlyMap<string, unknown>;
  /** The event's dedupe marker when it is written with the change it makes rather than before (see handleInbound). */
  dedupe?: DeferredDedupe;
}

/** A dedupe marker not written yet: a linked record's change writes it in its own transaction. */
export interface DeferredDedupe {
  key: string;
  value: unknown;
  ttlSeconds: number;
  /** Written (or being written) by this run. */
  written: boolean;
}

/** Forge reads at most 25 keys in one batch. */
export const BATCH_KEYS = 25;

/** The marker as a write of the change's transaction, once. */
export function dedupeWrites(run: InboundRun): StoreWrite[] {
  const dedupe = run.dedupe;
  if (!dedupe || dedupe.written) return [];
  dedupe.written = true;
  return [{ key: dedupe.key, value: dedupe.value, ttlSeconds: dedupe.ttlSeconds }];
}

/** Writes the marker now, on a path that makes something before its last transaction: false when the event was received before. */
export async function claimDedupe(run: InboundRun): Promise<boolean> {
  const dedupe = run.dedupe;
  if (!dedupe || dedupe.written) return true;
  const created = await run.ports.store.create(dedupe.key, dedupe.value, dedupe.ttlSeconds);
  if (created) dedupe.written = true;
  return created;
}

export const duplicateAnswer = (eventId: string): InboundAnswer => answer('duplicate', { eventId, message: 'This event was received before; nothing was applied again' });

/** Another event for the same record is creating its issue (or comment): look again later. */
export class RecordBusy extends Error {
  constructor(
    message = 'Another event for this record is creating its Jira issue',
    /** Look again after this long, spending no attempt: the wait is known and not a failure. */
    readonly waitSeconds?: number,
  ) {
    super(message);
  }
}

/** Held while a new record becomes an issue, so two events for it at once make one. */
export const inboundCreateLockKey = (connectionId: string, module: string, externalId: string) =>
  `lock:inbound-create:${keyPart(connectionId)}:${keyPart(module)}:${keyPart(externalId)}`;
/** Held while a tool comment becomes a Jira comment, so two events for it at once make one. */
export const inboundCommentLockKey = (connectionId: string, toolCommentId: string) => `lock:inbound-comment:${keyPart(connectionId)}:${keyPart(toolCommentId)}`;
export const CREATE_LOCK_SECONDS = 120;
/**
 * Written when a record.created is queued (Jira busy): the record's link is still to come, so a
 * comment event for it is queued too instead of refused. Outlives the longest chain of retries.
 */
export const pendingRecordKey = (connectionId: string, module: string, externalId: string) =>
  `pending-record:${keyPart(connectionId)}:${keyPart(module)}:${keyPart(externalId)}`;
export const PENDING_RECORD_SECONDS = 24 * 60 * 60;
/** How long a second event for a record being created waits for the first before it is queued. */
export const WAIT_FOR_LINK_MS = 3000;
export const WAIT_STEP_MS = 150;

export const iso = (run: InboundRun) => new Date(run.ports.clock.now()).toISOString();

/**
 * The writes of a change, with the run's pending ones, in as few transactions as Forge allows. The
 * change's `last` write releases the sync lock the event holds, so the release costs no call.
 */
export async function commit(run: InboundRun, writes: StoreWrite[], options: { last?: boolean } = {}): Promise<void> {
  const release = options.last && run.lock && !run.lock.released ? run.lock : undefined;
  const all = [...writes, ...run.pending.splice(0), ...(release ? [releaseSyncLock(release.key)] : [])];
  if (release) release.released = true;
  // Forge takes at most 25 writes together; the health record can wait for its own write.
  if (all.length > 25) {
    await run.ports.store.writeAll(all.slice(0, 25));
    await run.ports.store.writeAll(all.slice(25));
    return;
  }
  await run.ports.store.writeAll(all);
}

export function activity(
  run: InboundRun,
  entry: { outcome: 'synced' | 'skipped' | 'conflict' | 'failed' | 'retrying'; summary: string; issueKey?: string; externalId?: string; details?: string[] },
): StoreWrite {
  return activityWrite(run.ports, { connectionId: run.connection.id, direction: 'inbound', ...entry });
}

export const labelOf = (record: { number?: string | undefined; id: string }) => record.number ?? record.id;

/** 422 when the module is not mapped, or only Jira to the tool. */
export function checkModule(connection: Connection, module: string): InboundAnswer | undefined {
  const all = mappingsForModule(connection, module);
  if (all.length === 0) return refusal('module_not_mapped', `The module ${module} is not mapped in the connection ${connection.name}`, 'record.module');
  if (all.every((m) => m.direction === 'jira-to-tool')) {
    return refusal('direction_jira_to_tool', `The module ${module} is mapped Jira to tool only, so Tandem does not change Jira from it`, 'record.module');
  }
  return undefined;
}

/** Queues the delivery that brings the issue to the tool of a connection. */
export async function deliverIssue(run: InboundRun, connectionId: string, issue: { id: string; key: string }): Promise<void> {
  await run.ports.queue.push({ type: 'delivery', delivery: { kind: 'issue', connectionId, issueId: issue.id, issueKey: issue.key, attempt: 1 } });
}

/**
 * Queues the delivery a Jira issue-deleted event queues: the issue is gone, so the record gets the
 * connection's delete behaviour (close, delete or leave it) and the link ends there.
 */
export async function deliverDeletion(run: InboundRun, connectionId: string, issue: { id: string; key: string }): Promise<void> {
  await run.ports.queue.push({ type: 'delivery', delivery: { kind: 'deletion', connectionId, issueId: issue.id, issueKey: issue.key, attempt: 1 } });
}

/**
 * Runs `work` under the pair's sync lock, the one outbound deliveries of the issue hold, so an
 * inbound event and a delivery of the same pair never work from the same shadow, link or notes at
 * once. Waits a little for a delivery that holds it, unless it has held it past a live delivery's
 * time; then the event is queued (RecordBusy).
 */
export async function withSyncLock<T>(run: InboundRun, issue: { id: string; key: string }, work: () => Promise<T>): Promise<T> {
  const { ports, connection } = run;
  const lock = syncLockKey(connection.id, failureSubjectKey({ kind: 'issue', issueId: issue.id, issueKey: issue.key }));
  let held = await takeSyncLock(ports, lock, run.holder);
  // A delivery holding it this long is slow or dead: the event is queued without waiting here.
  if (!held && heldPastLiveHold(await ports.store.get(lock), ports.clock.now())) throw new RecordBusy(`A delivery of ${issue.key} to the tool is holding it`);
  for (let waited = 0; !held && waited < WAIT_FOR_LINK_MS; waited += WAIT_STEP_MS) {
    await ports.clock.sleep(WAIT_STEP_MS);
    held = await ports.store.create(lock, { at: iso(run), ...(run.holder ? { holder: run.holder.id } : {}) }, SYNC_LOCK_SECONDS);
  }
  if (!held) throw new RecordBusy(`A delivery of ${issue.key} to the tool is running`);
  const taken = { key: lock, released: false };
  run.lock = taken;
  try {
    return await work();
  } finally {
    run.lock = undefined;
    if (!taken.released) await ports.store.delete(lock).catch(() => undefined);
  }
}

// The delivery guard: one connection's part of a change runs inside it. A subject that must be
// brought to the tool one delivery at a time waits its turn; a failure is retried through the queue
// while it may pass and kept for the admin once it cannot; an unexpected error is kept too, never lost.
import type { DeliveryFailure } from '../../connectors';
import type { Connection } from '../../mapping';
import { busyWaitSeconds, MAX_ATTEMPTS, retryDelaySeconds, type Delivery } from '../delivery';
import { activityWrite, clearFailureWrite, describeFailure, failureWrites } from '../journal';
import { JiraRequestError, type StoreWrite } from '../ports';
import { deliveredKey, failureKey, failureSchema, failureSubjectKey, SYNC_LOCK_SECONDS, syncLockKey } from '../state';
import { releaseSyncLock, takeSyncLock } from '../sync-lock';
import { resendChildren } from '../hierarchy';
import { publishSyncState } from '../issue-property';
import { DeliveryError, subjectOfDelivery, type OutboundSubject, type Run } from './run';

export interface GuardedDelivery {
  connection: Connection;
  /** This try: its subject and attempt, and what a retry must carry (the same delivery, one attempt on). */
  delivery: Delivery;
  /** Whether deliveries of the subject must not overlap (the protocol says). */
  oneAtATime: boolean;
  /** A delivery from the queue: a retry, or one the admin asked for, which may resolve a listed failure. */
  queued?: boolean;
}

export async function guarded(run: Run, guard: GuardedDelivery, work: () => Promise<void>): Promise<void> {
  const { ports } = run;
  const { connection, delivery } = guard;
  const lock = guard.oneAtATime ? syncLockKey(connection.id, failureSubjectKey(lockSubjectOf(delivery))) : undefined;
  if (lock && !(await takeSyncLock(ports, lock, run.holder))) {
    // The running delivery may have read Jira before this change: look again once it is done.
    const waited = (delivery.waited ?? 0) + 1;
    await later(run, { ...guard, delivery: { ...delivery, waited } }, busyWaitSeconds(waited, SYNC_LOCK_SECONDS));
    return;
  }
  const held = lock ? { key: lock, released: false } : undefined;
  run.lock = held;
  try {
    let outcome: DeliveryOutcome = 'ok';
    const linkedBefore = run.state.links[connection.id] !== undefined;
    try {
      await work();
      // A retry that only waits its turn again keeps its failure listed, and the lamp as it is.
    if (guard.queued && !run.keptFailure && !run.requeued) await retryWentThrough(run, connection.id, delivery);
    } catch (error) {
      const { operation, failure, keep } = toDeliveryFailure(error);
      outcome = await deliveryFailed(run, { connection, delivery, operation, failure, keep });
    }
    // The issue's sync state for JQL, written only when it changed; the lock goes with it.
    if (delivery.kind === 'issue') {
      const release = held && !held.released ? held : undefined;
      const wrote = await publishSyncState(ports, run.issueId, connection.id, publishedState(run, connection.id, outcome), {
        known: run.published,
        ...(release ? { alongside: [releaseSyncLock(release.key)] } : {}),
      });
      if (wrote && release) release.released = true;
    }
    // A new link: children synced before it get their parent reference now.
    if (delivery.kind === 'issue' && !linkedBefore && run.state.links[connection.id] !== undefined) {
      await resendChildren(ports, connection, run.issueId).catch((error: unknown) => console.error('Could not re-send the children of a new link', error instanceof Error ? error.name : typeof error));
    }
  } finally {
    run.lock = undefined;
    // Released already when the delivery's last transaction carried it.
    if (held && !held.released) {
      await ports.store.delete(held.key).catch((error: unknown) => {
        // It expires on its own; until then deliveries of this subject wait their turn.
        console.error('Could not release a delivery lock', error instanceof Error ? error.message : error);
      });
    }
  }
}

type DeliveryOutcome = 'ok' | 'retrying' | 'kept';

/**
 * What a delivery locks: a deletion ends the link the issue's deliveries and the tool's events save,
 * so it takes the issue's lock, the one they take; a comment's delivery only its own note.
 */
function lockSubjectOf(delivery: Delivery): OutboundSubject {
  const subject = subjectOfDelivery(delivery);
  return subject.kind === 'deletion' ? { ...subject, kind: 'issue' } : subject;
}

function publishedState(run: Run, connectionId: string, outcome: DeliveryOutcome): Parameters<typeof publishSyncState>[3] {
  const link = run.state.links[connectionId];
  const record = link ? (link.number ?? link.externalId) : undefined;
  if (outcome === 'retrying') return { state: 'pending', record };
  if (outcome === 'kept' || run.keptFailure) return { state: 'failed', record };
  return link ? { state: 'synced', record } : undefined;
}

/**
 * A retry went through: the subject's failure is resolved whatever the protocol did (some paths, a
 * deletion's, write nothing else), and the connection's lamp turns green again.
 */
async function retryWentThrough(run: Run, connectionId: string, delivery: Delivery): Promise<void> {
  const value = { connectionId, at: new Date(run.ports.clock.now()).toISOString() };
  await run.ports.store
    .writeAll([clearFailureWrite(connectionId, subjectOfDelivery(delivery)), { key: deliveredKey(connectionId), value }])
    .catch((error: unknown) => console.error('Could not clear a resolved failure', error instanceof Error ? error.message : error));
}

/** Queues another look at the subject; when the queue refuses, the subject is kept for the admin instead. */
async function later(run: Run, guard: GuardedDelivery, delaySeconds: number): Promise<void> {
  const { connection, delivery } = guard;
  try {
    await run.ports.queue.push({ type: 'delivery', delivery }, delaySeconds);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await deliveryFailed(run, {
      connection,
      delivery,
      operation: 'Queueing a delivery',
      failure: { retry: 'permanent', reason: 'unexpected-answer', explanation: `Forge's queue refused it: ${message.slice(0, 300)}` },
    });
  }
}

function toDeliveryFailure(error: unknown): { operation: string; failure: DeliveryFailure; keep?: StoreWrite[] } {
  if (error instanceof DeliveryError) return { operation: error.operation, failure: error.failure, keep: error.keep };
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof JiraRequestError)) {
    return { operation: 'sync', failure: { retry: 'permanent', reason: 'unexpected-answer', explanation: message.slice(0, 500) } };
  }
  const { status, retryAfterSeconds } = error;
  if (error.transient) {
    return {
      operation: 'Jira request',
      failure: {
        retry: 'transient',
        reason: status === 429 ? 'rate-limited' : 'server-error',
        status,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
        ...(error.quota ? { quota: true } : {}),
        explanation: error.quota
          ? 'Tandem has used its hourly Jira quota; it will go on when the quota resets'
          : status === 429
            ? 'Jira is rate-limiting Tandem; it will try again'
            : 'Jira had a temporary problem',
      },
    };
  }
  return { operation: 'Jira request', failure: { retry: 'permanent', reason: 'unexpected-answer', status, explanation: message.slice(0, 500) } };
}

interface FailedDelivery {
  connection: Connection;
  delivery: Delivery;
  operation: string;
  failure: DeliveryFailure;
  /** Written with the retry or the kept failure. */
  keep?: StoreWrite[] | undefined;
}

/** Whether the failure waits for another try (`retrying`) or is kept for the admin (`kept`). */
async function deliveryFailed(run: Run, failed: FailedDelivery): Promise<'retrying' | 'kept'> {
  const { ports } = run;
  const { connection, delivery, operation, failure, keep = [] } = failed;
  const { attempt } = delivery;
  const subject = subjectOfDelivery(delivery);
  const base = { connectionId: connection.id, direction: 'outbound' as const, issueKey: subject.issueKey };
  const record = { connectionId: connection.id, subject, operation, failure, attempts: 1 };
  if (failure.retry === 'transient' && delivery.requested === 'now') {
    // The admin's extra try failed: the failure says so, and still waits for the try already queued.
    const waiting = await waitingAttempt(run, connection.id, delivery);
    await ports.store.writeAll([
      ...(await failureWrites(ports, { ...record, ...(waiting ? { nextAttemptAt: waiting } : {}) })),
      activityWrite(ports, { ...base, outcome: waiting ? 'retrying' : 'failed', summary: `${operation} failed again when retried now`, details: [describeFailure(failure)] }),
      ...keep,
    ]);
    return waiting ? 'retrying' : 'kept';
  }
  // Waiting for Jira's hourly quota spends no attempt: it ends at the reset, and nothing is lost meanwhile.
  if (failure.retry === 'transient' && (attempt < MAX_ATTEMPTS || failure.quota)) {
    const delay = retryDelaySeconds(attempt, failure.retryAfterSeconds);
    const next = failure.quota ? attempt : attempt + 1;
    try {
      const { waited: _waits, ...retry } = delivery;
      await ports.queue.push({ type: 'delivery', delivery: { ...retry, attempt: next } }, delay);
      const when = failure.quota ? `in ${delay} s, when Jira's quota resets` : `in ${delay} s (attempt ${next} of ${MAX_ATTEMPTS})`;
      // Listed with the failures at once, as retrying: the admin sees the cause and when the next try is.
      const nextAttemptAt = new Date(ports.clock.now() + delay * 1000).toISOString();
      await ports.store.writeAll([
        ...(await failureWrites(ports, { ...record, nextAttemptAt })),
        activityWrite(ports, { ...base, outcome: 'retrying', summary: `${operation} failed; trying again ${when}`, details: [describeFailure(failure)] }),
        ...keep,
      ]);
      return 'retrying';
    } catch (error) {
      // The queue refused the retry: keep the failure instead, so the admin can retry it by hand.
      console.error('Could not queue a retry', error instanceof Error ? error.message : error);
    }
  }
  const writes = await failureWrites(ports, record);
  writes.push(activityWrite(ports, { ...base, outcome: 'failed', summary: `${operation} failed`, details: [describeFailure(failure)] }), ...keep);
  await ports.store.writeAll(writes);
  return 'kept';
}

/** When the try already queued for the subject is due, if one still is. */
async function waitingAttempt(run: Run, connectionId: string, delivery: Delivery): Promise<string | undefined> {
  const kept = failureSchema.safeParse(await run.ports.store.get(failureKey(connectionId, failureSubjectKey(subjectOfDelivery(delivery)))));
  return kept.success ? kept.data.nextAttemptAt : undefined;
}

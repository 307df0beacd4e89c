// Record REST creates: a new link makes the issue's record, or finds the one it already has, with a
// create lock and an idempotency key, so a retried or racing create never makes a second record.
import { mayHaveActed, type RecordRestConnector, type ToolRecord } from '../../connectors';
import { acknowledgedShadow, hashValue, type planOutbound, type ProjectMapping, type RecordRestConnection } from '../../mapping';
import { activityWrite } from '../journal';
import { recordIntentKey, recordIntentWrite } from '../notes';
import type { JiraComment, StoreWrite } from '../ports';
import { createLockKey, emptyShadow, recordIndexKey, type Link, type PendingCreate } from '../state';
import { guarded } from './guard';
import { connectorFor, decorateIssue, historyWrite, saveLink, withoutPendingCreate } from './record-links';
import { takeSyncLock } from '../sync-lock';
import { DeliveryError, deliveryFor, unwrap, type OutboundSubject, type Run } from './run';
import { LOCKED_RETRY_SECONDS, saveNote } from './work-notes';

/** How many of an issue's existing comments a new link sends at once; the rest go through the queue. */
const BACKFILL_INLINE = 20;

type OutboundPlan = ReturnType<typeof planOutbound>;

export interface RecordCreate {
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
export async function createRecord(run: Run, connection: RecordRestConnection, create: RecordCreate): Promise<void> {
  const { ports } = run;
  const { projectMapping, plan, planAgainst, skipped, attempt, lookFirst } = create;
  const lock = createLockKey(connection.id, run.issueId);
  // The platform's retry of a create that died holding the lock takes it over (see sync-lock.ts).
  if (!(await takeSyncLock(ports, lock, run.holder))) {
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
      // Found by the issue key it holds: one Tandem made before (its answer lost) is linked again; any other names the issue itself.
      const done = made ? `Created ${label} in ${module}` : pending ? `Linked ${label} in ${module} again` : `Linked ${label} to ${run.issueKey}, which the record names`;
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
      shadow: acknowledgedShadow(shadow, new Date(ports.clock.now()).toISOString()),
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
export async function addRecord(run: Run, connection: RecordRestConnection, connector: RecordRestConnector, create: PendingCreate, first: boolean): Promise<ToolRecord> {
  const made = await connector.createRecord({ module: create.module, fields: create.body, idempotencyKey: create.idempotencyKey });
  if (made.ok) return made.value;
  throw new DeliveryError(`Creating a record in ${create.module}`, made.failure, first && !mayHaveActed(made.failure) ? createDone(run, connection.id) : []);
}

/** The issue's record create is owed no more (made, found, or no longer wanted): its pending create and intent go. */
export function createDone(run: Run, connectionId: string): StoreWrite[] {
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

/**
 * The issue's comments, each queued as its own delivery: for a link the tool's event made while
 * Tandem's create was owed, whose comments the create would have sent (a comment with its note
 * already is left as it is).
 */
export async function queueExistingComments(run: Run, connection: RecordRestConnection): Promise<void> {
  if (!connection.options.syncComments) return;
  for (const comment of await run.ports.jira.listComments(run.issueId)) {
    const subject: OutboundSubject = { kind: 'comment', issueId: run.issueId, issueKey: run.issueKey, commentId: comment.id };
    await run.ports.queue.push({ type: 'delivery', delivery: deliveryFor(connection.id, subject, 1) });
  }
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

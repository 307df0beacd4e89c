// Jira → tool. A Jira change is brought to every connection whose mappings cover the issue, each
// through its protocol (record REST, or the Jira-webhook push) inside the delivery guard: failures are
// retried through the queue or kept for the admin; nothing is dropped silently.
import type { Connection } from '../../mapping';
import type { Delivery } from '../delivery';
import { commentTombstoneWrite } from '../notes';
import type { Ports } from '../ports';
import type { LockHolder } from '../sync-lock';
import { activityWrite } from '../journal';
import { failureKey, failureSchema, failureSubjectKey, syncRequestKey } from '../state';
import { guarded } from './guard';
import { jiraWebhookProtocol } from './jira-webhook';
import type { OutboundProtocol } from './protocol';
import { recordRestProtocol } from './record-rest';
import { loadRun, subjectOfDelivery, type OutboundChange } from './run';

export type { Changelog, ChangelogItem, IssuePayload, OutboundChange } from './run';
export type { OutboundProtocol } from './protocol';

/** The protocol a connection speaks, chosen once for the connection. */
export function protocolFor(connection: Connection): OutboundProtocol {
  switch (connection.protocol) {
    case 'record-rest':
      return recordRestProtocol(connection);
    case 'jira-webhook':
      return jiraWebhookProtocol(connection);
  }
}

/** A Jira event: one batched read of config and links, then each enabled connection in turn. */
export async function syncOutbound(ports: Ports, change: OutboundChange, holder?: LockHolder): Promise<void> {
  if (onlyACommentChanged(change)) return;
  const run = await loadRun(ports, change.issueId, change.issueKey);
  if (!run) return;
  if (holder) run.holder = holder;
  if (change.kind === 'comment-deleted') {
    // Before any connection: a create of this comment still to come (late, replayed) then sends nothing.
    await ports.store.writeAll([commentTombstoneWrite(change.commentId)]).catch((error: unknown) => {
      console.error('Could not remember a deleted comment', error instanceof Error ? error.message : error);
    });
  }
  for (const connection of run.config.connections) {
    if (!connection.enabled) continue;
    const protocol = protocolFor(connection);
    if (!protocol.concerns(run, change)) continue;
    const delivery = protocol.deliveryOf(run, change);
    await guarded(run, { connection, delivery, oneAtATime: protocol.oneAtATime }, () => protocol.deliver(run, change, delivery));
  }
}

/** A queued delivery (a retry, or one an admin or the tool asked for): re-reads the current state first. */
export async function runDelivery(ports: Ports, delivery: Delivery, holder?: LockHolder): Promise<void> {
  const run = await loadRun(ports, delivery.issueId, delivery.issueKey);
  if (!run) return;
  if (holder) run.holder = holder;
  const connection = run.config.connections.find((c) => c.id === delivery.connectionId);
  if (!connection) return;
  if (!connection.enabled) {
    await stoppedWhileOff(ports, connection, delivery);
  } else {
    const protocol = protocolFor(connection);
    await guarded(run, { connection, delivery, oneAtATime: protocol.oneAtATime, queued: true }, () => protocol.redeliver(run, delivery));
  }
  // Its outcome (synced, retrying or kept) is in the log and failures now; the request is done.
  if (delivery.kind === 'issue' && delivery.syncNow) await ports.store.delete(syncRequestKey(connection.id, delivery.issueId));
}

/**
 * Every comment change (made, edited, deleted) also fires an issue update whose changelog holds only
 * a Comment item. The comment event carries the change itself, so that update costs nothing.
 */
function onlyACommentChanged(change: OutboundChange): boolean {
  return change.kind === 'issue-updated' && change.changelog !== undefined && change.changelog.items.length > 0 && change.changelog.items.every((item) => item.fieldId === 'comment');
}

/**
 * A retry for a connection turned off since: nothing is sent, and its failure no longer says Tandem
 * will try again (no try is coming); it is kept, so Retry brings it once the connection is on again.
 */
async function stoppedWhileOff(ports: Ports, connection: Connection, delivery: Delivery): Promise<void> {
  const key = failureKey(connection.id, failureSubjectKey(subjectOfDelivery(delivery)));
  const kept = failureSchema.safeParse(await ports.store.get(key));
  if (!kept.success || kept.data.nextAttemptAt === undefined) return;
  const { nextAttemptAt: _dropped, ...failure } = kept.data;
  const explanation = `${connection.name} is turned off, so Tandem stopped trying (${failure.explanation.replace(/[.;,\s]+$/, '')}). Turn it on, then choose Retry`;
  await ports.store.writeAll([
    { key, value: { ...failure, explanation, lastAt: new Date(ports.clock.now()).toISOString() } },
    activityWrite(ports, { connectionId: connection.id, direction: 'outbound', outcome: 'failed', issueKey: delivery.issueKey, summary: `Stopped retrying: ${connection.name} is turned off`, details: [explanation] }),
  ]);
}

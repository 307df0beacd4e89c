// The record REST protocol: an issue becomes a record in the tool, found again rather than made twice;
// an event only says that the issue changed, so each delivery reads the issue as Jira holds it now and
// sends the mapped fields that differ from the shadow (record-update.ts). A new link creates or finds
// the record (record-create.ts); comments become work notes (work-notes.ts); a deleted issue follows
// the connection's option (record-delete.ts).
import { issueFieldsFor, type RecordRestConnection } from '../../mapping';
import type { Delivery } from '../delivery';
import { ISSUE_PROPERTY_KEY } from '../issue-property';
import { pastLiveHold } from '../sync-lock';
import type { OutboundProtocol } from './protocol';
import { deleteRecord } from './record-delete';
import { syncFields } from './record-update';
import { deliveryFor, mappingFor, subjectOf, type OutboundChange, type Run } from './run';
import { deleteNote, saveNote } from './work-notes';

export function recordRestProtocol(connection: RecordRestConnection): OutboundProtocol {
  return {
    oneAtATime: true,
    concerns: (run, change) => concerns(run, connection, change),
    deliveryOf: (_run, change) => deliveryFor(connection.id, subjectOf(change), 1),
    async deliver(run, change, { attempt }) {
      switch (change.kind) {
        case 'issue-created':
        case 'issue-updated':
          return syncIssue(run, connection, {
            attempt,
            firstSight: change.kind === 'issue-created' && attempt === 1,
            // The event reaches Tandem long after its change, or this is the platform's retry of it.
            late: attempt > 1 || pastLiveHold(change.payload.fields.updated, run.ports.clock.now()),
            ...(change.kind === 'issue-updated' && change.changelog ? { changed: change.changelog.items.flatMap((i) => [i.fieldId, i.field].filter((f): f is string => typeof f === 'string')) } : {}),
          });
        case 'issue-deleted':
          return deleteRecord(run, connection, attempt);
        case 'comment-saved':
          if (!change.comment) return;
          return saveNote(run, connection, { commentId: change.commentId, comment: change.comment, attempt, last: true });
        case 'comment-deleted':
          return deleteNote(run, connection, change.commentId, { last: true });
      }
    },
    redeliver: (run, delivery) => redeliver(run, connection, delivery),
  };
}

/** A link, or an issue the event places in a mapped project and type; when neither, the event costs nothing more. */
function concerns(run: Run, connection: RecordRestConnection, change: OutboundChange): boolean {
  if (run.state.links[connection.id]) return true;
  switch (change.kind) {
    case 'issue-created':
    case 'issue-updated':
      return mappingFor(connection, change.payload) !== undefined;
    case 'comment-saved':
      // A comment event that does not say where the issue is cannot rule it out.
      return !change.payload?.project || !change.payload.issueType || mappingFor(connection, change.payload) !== undefined;
    case 'issue-deleted':
      // A record create still owed may have reached the tool: the deletion applies to what it made.
      return run.history.pendingCreates[connection.id] !== undefined;
    case 'comment-deleted':
      return false;
  }
}

async function redeliver(run: Run, connection: RecordRestConnection, delivery: Delivery): Promise<void> {
  switch (delivery.kind) {
    case 'deletion':
      return deleteRecord(run, connection, delivery.attempt);
    case 'comment': {
      if (delivery.deleted) return deleteNote(run, connection, delivery.commentId, { last: true });
      const comment = await run.ports.jira.getComment(delivery.issueId, delivery.commentId);
      if (!comment) return deleteNote(run, connection, delivery.commentId, { last: true });
      return saveNote(run, connection, { commentId: delivery.commentId, comment, attempt: delivery.attempt, last: true });
    }
    case 'issue':
      // From the queue: a retry, a wait for a lock, the sweep or Sync now, each after Jira's change.
      return syncIssue(run, connection, { attempt: delivery.attempt, firstSight: false, late: true });
  }
}

/**
 * Forge may deliver events late, twice or out of order, so an event only says that something
 * changed: the plan is made from the issue as Jira holds it now (one read, which the fields events
 * leave out needed anyway). `firstSight` is the inline handling of the created event, the one case
 * where no record can exist yet.
 */
async function syncIssue(run: Run, connection: RecordRestConnection, options: { attempt: number; firstSight: boolean; late: boolean; changed?: string[] }): Promise<void> {
  // Not linked: the sync state Jira holds for the issue tells whether a create from a record made it (see syncFields).
  const linked = run.state.links[connection.id] !== undefined;
  const issue = await run.ports.jira.getIssue(run.issueId, issueFieldsFor(connection), linked ? {} : { properties: [ISSUE_PROPERTY_KEY] });
  // Gone since: the deleted event applies the connection's option.
  if (!issue) return;
  run.issueKey = issue.key;
  await syncFields(run, connection, { issue, ...options });
}

// comment.created, comment.updated and comment.deleted: a Jira comment on the linked issue per tool
// comment id, made under the comment's lock so two events for it at once make one; a note Tandem
// itself made from a Jira comment, sent back by the tool, changes nothing.
import { markdownToAdf, type AdfDoc } from '../../adf';
import { hashValue, isLater } from '../../mapping';
import type { CommentEvent } from '../inbound-event';
import type { InboundAnswer } from '../inbound-request';
import { answer, refusal } from '../inbound-request';
import { COMMENT_INTENT_SECONDS, commentIntentKey, isToolNoteDeleted, namesNote, NOTE_PROPERTY_KEY, noteIntentKey, noteProperty, readCommentIntent, readNoteIntent, readToolNote, toolNoteDelete, toolNoteKey, toolNoteWrite } from '../notes';
import { readLinked, waitForRelease, type Linked } from './links';
import { JiraRequestError } from '../ports';
import { activity, checkModule, commit, CREATE_LOCK_SECONDS, deliverDeletion, inboundCommentLockKey, inboundCreateLockKey, iso, labelOf, pendingRecordKey, RecordBusy, withSyncLock, type InboundRun } from './run';

/** The Jira comment for a tool comment: who wrote it, through which connection, then the text. */
export function commentDoc(authorName: string | undefined, connectionName: string, markdown: string): AdfDoc {
  const body = markdownToAdf(markdown);
  const by = { type: 'paragraph', content: [{ type: 'text', text: `${authorName ?? 'Someone'} via ${connectionName}:`, marks: [{ type: 'strong' }] }] };
  return { ...body, content: [by, ...(body.content ?? [])] };
}

/** `waited`: this event already waited once for another one making the same comment. */
export async function applyComment(run: InboundRun, event: CommentEvent, waited = false): Promise<InboundAnswer> {
  const { connection } = run;
  const { record } = event;
  const notMapped = checkModule(connection, record.module);
  if (notMapped) return notMapped;
  if (!connection.options.syncComments) return refusal('comments_off', `The connection ${connection.name} does not sync comments`, 'comment');
  const found = await readLinked(run, record.module, record.id);
  if (!found) {
    // Its issue is still being made (another event holds its create, or its record.created waits for Jira): queued, applied once linked.
    if (await linkPending(run, record)) throw new RecordBusy(`${labelOf(record)} is still being linked to a Jira issue`);
    return refusal('unknown_record', `${record.module} record ${record.id} is not linked to a Jira issue`, 'record.id');
  }
  return withSyncLock(run, { id: found.issueId, key: found.issueKey }, async () => {
    // Read again under the lock: the delivery that held it may have ended the link.
    const linked = await readLinked(run, record.module, record.id);
    if (!linked) return refusal('unknown_record', `${record.module} record ${record.id} is no longer linked to a Jira issue`, 'record.id');
    return applyCommentLocked(run, event, linked, waited);
  });
}

/** The new Jira comment's id, made with the property naming the note; undefined when the issue no longer exists. */
async function addedComment(run: InboundRun, linked: Linked, doc: AdfDoc, noteId: string): Promise<string | undefined> {
  try {
    return await run.ports.jira.addComment(linked.issueId, doc, [noteProperty(run.connection.id, noteId)]);
  } catch (error) {
    if (error instanceof JiraRequestError && error.status === 404) return undefined;
    throw error;
  }
}

/** How far before its intent a comment an earlier try made may be dated (Jira's clock against the platform's). */
const CLOCK_SKEW_MS = 60_000;

/**
 * The Jira comment an earlier try made for this note, found by the property it was made with among
 * the issue's comments made since that try began (Jira lists comments as they are, with no search lag).
 */
async function commentMadeFor(run: InboundRun, linked: Linked, noteId: string, since: string): Promise<string | undefined> {
  const from = Date.parse(since) - CLOCK_SKEW_MS;
  const recent = (await run.ports.jira.listComments(linked.issueId)).filter((c) => c.created === undefined || !(Date.parse(c.created) < from)).reverse();
  for (const candidate of recent) {
    if (namesNote(await run.ports.jira.getCommentProperty(candidate.id, NOTE_PROPERTY_KEY), run.connection.id, noteId)) return candidate.id;
  }
  return undefined;
}

/** Whether the record's link is still to come: its issue is being made, or its record.created is queued. */
async function linkPending(run: InboundRun, record: CommentEvent['record']): Promise<boolean> {
  const keys = [inboundCreateLockKey(run.connection.id, record.module, record.id), pendingRecordKey(run.connection.id, record.module, record.id)];
  return (await run.ports.store.getMany(keys)).size > 0;
}

/** The comment change, under the pair's sync lock (which every other event and delivery of the pair takes too). */
async function applyCommentLocked(run: InboundRun, event: CommentEvent, linked: Linked, waited: boolean): Promise<InboundAnswer> {
  const { ports, connection } = run;
  const { record, comment } = event;
  const stored = await ports.store.get(toolNoteKey(connection.id, comment.id));
  if (isToolNoteDeleted(stored)) {
    // Deleted on one side already: a create or edit that was queued or reordered behind the delete is over.
    return answer('unchanged', { issueKey: linked.issueKey, applied: [], skipped: [{ field: 'comment', reason: 'This comment was deleted; nothing is applied to it any more' }] });
  }
  const note = readToolNote(stored);
  if (note?.origin === 'jira') {
    // Tandem made this note from a Jira comment; the tool sent it back.
    return answer('unchanged', { issueKey: linked.issueKey, applied: [], skipped: [{ field: 'comment', reason: `This note mirrors Jira comment ${note.jiraCommentId}; change it in Jira` }] });
  }
  if (event.type === 'comment.deleted') {
    if (!note) {
      const lock = inboundCommentLockKey(connection.id, comment.id);
      const intentKey = commentIntentKey(connection.id, comment.id);
      const marks = await ports.store.getMany([lock, intentKey]);
      if (marks.has(lock)) {
        // Another event is adding this comment to Jira right now: delete it once that is done.
        if (waited || !(await waitForRelease(run, lock))) throw new RecordBusy('Another event for this comment is adding it to Jira');
        return applyCommentLocked(run, event, linked, true);
      }
      // A try that died after Jira made the comment left its mark: that comment goes.
      const died = readCommentIntent(marks.get(intentKey));
      const made = died ? await commentMadeFor(run, linked, comment.id, died.at) : undefined;
      if (made !== undefined) {
        await ports.jira.deleteComment(linked.issueId, made);
        await commit(run, [toolNoteDelete(connection.id, comment.id), { key: intentKey, delete: true }, activity(run, { outcome: 'synced', issueKey: linked.issueKey, externalId: record.id, summary: `Deleted comment ${made}, as ${labelOf(record)}'s comment was deleted` })]);
        return answer('applied', { issueKey: linked.issueKey, applied: ['comment deleted'], skipped: [], jiraCommentId: made });
      }
      // Its create may still be queued (behind a 429, or reordered): the tombstone makes that a no-op.
      await commit(run, [toolNoteDelete(connection.id, comment.id), ...(died ? [{ key: intentKey, delete: true as const }] : [])]);
      return answer('unchanged', { issueKey: linked.issueKey, applied: [], skipped: [{ field: 'comment', reason: 'No Jira comment was made from this comment' }] });
    }
    await ports.jira.deleteComment(note.issueId, note.jiraCommentId);
    await commit(run, [toolNoteDelete(connection.id, comment.id), activity(run, { outcome: 'synced', issueKey: linked.issueKey, externalId: record.id, summary: `Deleted comment ${note.jiraCommentId}, as ${labelOf(record)}'s comment was deleted` })]);
    return answer('applied', { issueKey: linked.issueKey, applied: ['comment deleted'], skipped: [], jiraCommentId: note.jiraCommentId });
  }
  const body = event.comment.body;
  if (!note) {
    const intent = readNoteIntent(await ports.store.get(noteIntentKey(connection.id, record.id, body)));
    if (intent) {
      // Tandem sent this very note from a Jira comment and the tool's answer was lost: it is that comment's.
      await commit(run, [
        toolNoteWrite(connection.id, comment.id, { jiraCommentId: intent.jiraCommentId, issueId: intent.issueId, origin: 'jira', hash: hashValue(body) }),
        activity(run, { outcome: 'skipped', issueKey: linked.issueKey, externalId: record.id, summary: `Note ${comment.id} on ${labelOf(record)} is the work note of comment ${intent.jiraCommentId}; no comment added` }),
      ]);
      return answer('unchanged', { issueKey: linked.issueKey, applied: [], skipped: [{ field: 'comment', reason: `This note mirrors Jira comment ${intent.jiraCommentId}; change it in Jira` }] });
    }
  }
  const hash = hashValue([comment.author?.name ?? null, body]);
  if (note && note.hash === hash) return answer('unchanged', { issueKey: linked.issueKey, applied: [], skipped: [], jiraCommentId: note.jiraCommentId });
  if (note && isLater(note.at, event.occurredAt)) {
    // A create or edit queued behind a 429 or reordered: the later text Jira holds stays.
    return answer('unchanged', { issueKey: linked.issueKey, applied: [], skipped: [{ field: 'comment', reason: 'An earlier text of this comment; a later one was applied already' }], jiraCommentId: note.jiraCommentId });
  }
  const doc = commentDoc(comment.author?.name, connection.name, body);
  if (note && (await ports.jira.updateComment(note.issueId, note.jiraCommentId, doc))) {
    await commit(run, [
      toolNoteWrite(connection.id, comment.id, { jiraCommentId: note.jiraCommentId, issueId: linked.issueId, origin: 'tool', hash, at: event.occurredAt }),
      activity(run, { outcome: 'synced', issueKey: linked.issueKey, externalId: record.id, summary: `Edited comment ${note.jiraCommentId} from ${labelOf(record)}` }),
    ]);
    return answer('applied', { issueKey: linked.issueKey, applied: ['comment edited'], skipped: [], jiraCommentId: note.jiraCommentId });
  }

  // A Jira comment is made only under the tool comment's lock: two events for it at once (the tool
  // retrying with a new event id, or sending created and updated together) make one comment.
  const lock = inboundCommentLockKey(connection.id, comment.id);
  if (!(await ports.store.create(lock, { at: iso(run) }, CREATE_LOCK_SECONDS))) {
    const busy = new RecordBusy('Another event for this comment is adding it to Jira');
    if (waited || !(await waitForRelease(run, lock))) throw busy;
    // The other event is done: this one now finds its comment, and edits it only if the text differs.
    return applyCommentLocked(run, event, linked, true);
  }
  let released = false;
  try {
    // Another event may have made the comment between the read above and taking the lock; an earlier
    // try that died after Jira made it left its intent.
    const intentKey = commentIntentKey(connection.id, comment.id);
    const seen = await ports.store.getMany([toolNoteKey(connection.id, comment.id), intentKey]);
    const again = seen.get(toolNoteKey(connection.id, comment.id));
    // Deleted while this event waited for the lock.
    if (isToolNoteDeleted(again)) return answer('unchanged', { issueKey: linked.issueKey, applied: [], skipped: [{ field: 'comment', reason: 'This comment was deleted; nothing is applied to it any more' }] });
    const current = readToolNote(again);
    if (current?.jiraCommentId === note?.jiraCommentId) {
      const died = readCommentIntent(seen.get(intentKey));
      const earlier = died ? await commentMadeFor(run, linked, comment.id, died.at) : undefined;
      if (!died) await ports.store.set(intentKey, { at: iso(run), hash }, COMMENT_INTENT_SECONDS);
      const jiraCommentId = earlier ?? (await addedComment(run, linked, doc, comment.id));
      if (jiraCommentId === undefined) {
        // Deleted in Jira, its issue-deleted event not handled yet: the deletion delivery gives the
        // record the connection's delete behaviour, as for a field change (record-update).
        await deliverDeletion(run, connection.id, { id: linked.issueId, key: linked.issueKey });
        await commit(run, [activity(run, { outcome: 'skipped', issueKey: linked.issueKey, externalId: record.id, summary: `Comment ${comment.id} on ${labelOf(record)} not added: ${linked.issueKey} no longer exists in Jira` })]);
        return answer('unchanged', { issueKey: linked.issueKey, applied: [], skipped: [{ field: 'comment', reason: `${linked.issueKey} no longer exists in Jira; the record gets the connection's delete behaviour` }] });
      }
      // The earlier try's text, when this event brings another (the note was edited since).
      if (earlier !== undefined && died?.hash !== hash) await ports.jira.updateComment(linked.issueId, earlier, doc);
      await commit(run, [
        toolNoteWrite(connection.id, comment.id, { jiraCommentId, issueId: linked.issueId, origin: 'tool', hash, at: event.occurredAt }),
        { key: lock, delete: true },
        { key: intentKey, delete: true },
        activity(run, { outcome: 'synced', issueKey: linked.issueKey, externalId: record.id, summary: `${earlier === undefined ? 'Added' : 'Found'} comment ${jiraCommentId} from ${labelOf(record)}${earlier === undefined ? '' : ', made by an earlier try that stopped part way'}` }),
      ]);
      released = true;
      return answer('applied', { issueKey: linked.issueKey, applied: ['comment added'], skipped: [], jiraCommentId });
    }
  } finally {
    if (!released) await ports.store.delete(lock).catch(() => undefined);
  }
  if (waited) throw new RecordBusy('Another event for this comment is adding it to Jira');
  return applyCommentLocked(run, event, linked, true);
}

// Record REST work notes: a Jira comment becomes a note on the linked record, is edited with the
// comment and deleted with it. A note create is written down (its key and body, and an intent the
// inbound path finds by record and text) before it is sent: should the answer be lost after the tool
// made the note, the tool's event for it makes no second Jira comment, and the retry sends exactly
// that key and body before anything else.
import { adfToMarkdown } from '../../adf';
import { mayHaveActed, type RecordRestConnector } from '../../connectors';
import { hashValue, parseDateValue, type RecordRestConnection } from '../../mapping';
import { activityWrite, clearFailureWrite } from '../journal';
import { commentTombstoneKey, isCommentDeleted, noteIntentWrite, toolNoteDelete, toolNoteWrite } from '../notes';
import { releaseSyncLock } from '../sync-lock';
import type { JiraComment, StoreWrite } from '../ports';
import { createLockKey, issueStateKey, noteKey, readIssueState, storedNoteSchema, type Link, type NoteLink, type PendingNote, type StoredNote } from '../state';
import { connectorFor } from './record-links';
import { DeliveryError, deliveryFor, named, unwrap, type Run } from './run';

/**
 * The comment delivery's sync lock, released with its last transaction (the note saved or deleted).
 * `last` is false where the note is part of a larger delivery (a create sending existing comments).
 */
async function writeLast(run: Run, last: boolean | undefined, writes: StoreWrite[]): Promise<void> {
  const held = last && run.lock && !run.lock.released ? run.lock : undefined;
  await run.ports.store.writeAll([...(held ? [releaseSyncLock(held.key)] : []), ...writes]);
  if (held) held.released = true;
}

/** When another delivery holds the create lock, look again after this long. */
export const LOCKED_RETRY_SECONDS = 15;

/** The note's text: who commented (their name read over REST when the event left it out), and the comment as Markdown. */
async function noteBody(run: Run, comment: JiraComment): Promise<string> {
  const author = comment.author ? (await named(run, comment.author)).displayName : undefined;
  return `**${author ?? 'Someone'}** commented on ${run.issueKey} in Jira:\n\n${adfToMarkdown(comment.body)}`;
}

/**
 * A comment on an issue without a link yet. While its record is being created the comment waits
 * for the link (the create read the comments before this one may have been made); otherwise the
 * create that comes later sends it with the others.
 */
async function linkBeingMade(run: Run, connection: RecordRestConnection, commentId: string, attempt: number): Promise<Link | undefined> {
  const { ports } = run;
  if ((await ports.store.get(createLockKey(connection.id, run.issueId))) !== undefined) {
    const delivery = deliveryFor(connection.id, { kind: 'comment', issueId: run.issueId, issueKey: run.issueKey, commentId }, attempt);
    await ports.queue.push({ type: 'delivery', delivery }, LOCKED_RETRY_SECONDS);
    run.requeued = true;
    return undefined;
  }
  // The create may have finished after this delivery read the links.
  const state = readIssueState(await ports.store.get(issueStateKey(run.issueId)));
  const link = state.links[connection.id];
  if (link) run.state = state;
  return link;
}

/**
 * The comment's note on the link's record, or its create still owed. A note on a record the issue is
 * no longer linked to does not count for this one (`elsewhere`).
 */
async function readNote(
  run: Run,
  connection: RecordRestConnection,
  commentId: string,
  link: Link,
  /** The stored note, when it was read already (with the comment's tombstone). */
  read?: { value: unknown },
): Promise<{ note?: NoteLink; pending?: PendingNote; elsewhere?: StoredNote }> {
  const parsed = storedNoteSchema.safeParse(read ? read.value : await run.ports.store.get(noteKey(connection.id, commentId)));
  if (!parsed.success) return {};
  const stored = parsed.data;
  if (stored.externalId !== undefined && stored.externalId !== link.externalId) return { elsewhere: stored };
  return 'pendingCreate' in stored ? { pending: stored } : { note: stored };
}

/** The comment as Jira changed it before the text the note holds (a late or repeated event's copy). */
function olderThanNote(comment: JiraComment, stored: { commentUpdated?: string | undefined }): boolean {
  const incoming = parseDateValue(comment.updated)?.ms;
  const held = parseDateValue(stored.commentUpdated)?.ms;
  return incoming !== undefined && held !== undefined && incoming < held;
}

/** The comment's change time, kept with its note. */
const updatedOf = (comment: JiraComment) => (comment.updated ? { commentUpdated: comment.updated } : {});

function noteCreateKey(connection: RecordRestConnection, commentId: string, link: Link): string {
  return `tandem-${connection.id}-comment-${commentId}-${link.externalId}`;
}

interface NoteCreate {
  connector: RecordRestConnector;
  commentId: string;
  link: Link;
  body: string;
  idempotencyKey: string;
  /** A first try, whose create was written down just before: a refusal the tool surely did not act on owes nothing. */
  first: boolean;
}

/**
 * Adds a work note whose create is written down already (`noteKey` holds it as owed): when the tool
 * may have made it without Tandem hearing so, it stays owed and the retry sends it again as it was.
 */
async function addNote(run: Run, connection: RecordRestConnection, create: NoteCreate): Promise<string> {
  const { connector, commentId, link, body, idempotencyKey } = create;
  const made = await connector.addWorkNote({ module: link.module, id: link.externalId, body, idempotencyKey });
  if (made.ok) return made.value.id ?? '';
  const owedNoMore = create.first && !mayHaveActed(made.failure) ? [{ key: noteKey(connection.id, commentId), delete: true as const }] : [];
  throw new DeliveryError(`Adding a work note to ${link.number ?? link.externalId}`, made.failure, owedNoMore);
}

/**
 * Writes a note create down before it is sent: owed under the comment's note key, and the intent the
 * inbound path recognises the tool's event by (the record and the text, since the note's id is not
 * known until the tool answers).
 */
async function noteOwed(run: Run, connection: RecordRestConnection, create: { commentId: string; link: Link; body: string; idempotencyKey: string; comment: JiraComment }): Promise<void> {
  const { commentId, link, body, idempotencyKey } = create;
  const pending: PendingNote = { issueId: run.issueId, externalId: link.externalId, pendingCreate: { idempotencyKey, body }, ...updatedOf(create.comment) };
  await run.ports.store.writeAll([
    { key: noteKey(connection.id, commentId), value: pending },
    noteIntentWrite(connection.id, link.externalId, body, { jiraCommentId: commentId, issueId: run.issueId }),
  ]);
}

/**
 * Sends a note create kept after a failure exactly as first sent: the tool answers with the note it
 * made then, or makes it now. Saved at once, so a later failure never sends the create again.
 */
async function finishPendingNote(run: Run, connection: RecordRestConnection, pending: PendingNote, to: { connector: RecordRestConnector; commentId: string; link: Link }): Promise<NoteLink> {
  const { commentId, link } = to;
  const { body, idempotencyKey } = pending.pendingCreate;
  const noteId = await addNote(run, connection, { ...to, body, idempotencyKey, first: false });
  const note: NoteLink = { noteId, hash: hashValue(body), issueId: run.issueId, externalId: link.externalId, ...(pending.commentUpdated ? { commentUpdated: pending.commentUpdated } : {}) };
  await run.ports.store.writeAll([
    { key: noteKey(connection.id, commentId), value: note },
    ...(noteId !== '' ? [toolNoteWrite(connection.id, noteId, { jiraCommentId: commentId, issueId: run.issueId, origin: 'jira' as const, hash: note.hash })] : []),
    clearFailureWrite(connection.id, { kind: 'comment', issueId: run.issueId, issueKey: run.issueKey, commentId }),
    activityWrite(run.ports, {
      connectionId: connection.id,
      direction: 'outbound',
      outcome: 'synced',
      issueKey: run.issueKey,
      externalId: link.externalId,
      summary: `Added comment ${commentId} to ${link.number ?? link.externalId} as a work note`,
    }),
  ]);
  return note;
}

/** Adds or edits the comment's work note on the linked record. */
export async function saveNote(run: Run, connection: RecordRestConnection, saved: { commentId: string; comment: JiraComment; attempt: number; last?: boolean }): Promise<void> {
  if (!connection.options.syncComments) return;
  const { commentId, comment } = saved;
  const { ports } = run;
  const key = noteKey(connection.id, commentId);
  // The comment's tombstone and its note in one read, under the comment's lock.
  const found = await ports.store.getMany([commentTombstoneKey(commentId), key]);
  // Deleted in Jira before this create or edit ran (its event late or replayed): no note for it.
  if (isCommentDeleted(found.get(commentTombstoneKey(commentId)))) return;
  const linked = run.state.links[connection.id];
  const link = linked ?? (await linkBeingMade(run, connection, commentId, saved.attempt));
  if (!link) return;
  // A link made meanwhile may have sent this comment with the record's existing ones: read its note again.
  const { note, pending } = await readNote(run, connection, commentId, link, linked ? { value: found.get(key) } : undefined);
  let known = note;
  // Jira changed the comment since this copy of it: the note holds newer text already.
  if (known && olderThanNote(comment, known)) return;
  // Tandem writes comments only from a tool's notes: sending one back would echo it.
  if (!known && !pending && comment.author && comment.author.accountId === (await ports.jira.appAccountId())) return;
  const body = await noteBody(run, comment);
  const hash = hashValue(body);
  if (known && known.hash === hash) return;
  const connector = await connectorFor(run, connection);
  const label = link.number ?? link.externalId;
  if (pending) {
    // The tool refuses the kept key with another body: finish that create first, then edit.
    known = await finishPendingNote(run, connection, pending, { connector, commentId, link });
    if (known.hash === hash || olderThanNote(comment, known)) return;
  }
  let noteId: string;
  if (known) {
    unwrap(`Editing a work note on ${label}`, await connector.updateWorkNote({ module: link.module, id: link.externalId, noteId: known.noteId, body }));
    noteId = known.noteId;
  } else {
    const idempotencyKey = noteCreateKey(connection, commentId, link);
    await noteOwed(run, connection, { commentId, link, body, idempotencyKey, comment });
    noteId = await addNote(run, connection, { connector, commentId, link, body, idempotencyKey, first: true });
  }
  await writeLast(run, saved.last, [
    { key, value: { noteId, hash, issueId: run.issueId, externalId: link.externalId, ...updatedOf(comment) } satisfies NoteLink },
    // So the tool's echo of this note (a naive tool reports every change) makes no Jira comment.
    ...(noteId !== '' && !known ? [toolNoteWrite(connection.id, noteId, { jiraCommentId: commentId, issueId: run.issueId, origin: 'jira' as const, hash })] : []),
    clearFailureWrite(connection.id, { kind: 'comment', issueId: run.issueId, issueKey: run.issueKey, commentId }),
    activityWrite(ports, {
      connectionId: connection.id,
      direction: 'outbound',
      outcome: 'synced',
      issueKey: run.issueKey,
      externalId: link.externalId,
      summary: known ? `Edited the work note for comment ${commentId} on ${label}` : `Added comment ${commentId} to ${label} as a work note`,
    }),
  ]);
}

/** Deletes the comment's work note (a note create still owed is sent first, so the note it names goes too). */
export async function deleteNote(run: Run, connection: RecordRestConnection, commentId: string, options: { last?: boolean } = {}): Promise<void> {
  if (!connection.options.syncComments) return;
  const link = run.state.links[connection.id];
  if (!link) return;
  const key = noteKey(connection.id, commentId);
  // A note on a record the issue is no longer linked to is left there, like the record.
  const { note, pending, elsewhere } = await readNote(run, connection, commentId, link);
  if (!note && !pending && !elsewhere) return;
  const label = link.number ?? link.externalId;
  let noteId = note?.noteId ?? '';
  const keep: StoreWrite[] = [];
  const connector = pending || noteId !== '' ? await connectorFor(run, connection) : undefined;
  if (pending && connector) {
    // The create may have reached the tool: sent again as it was, it names the note (made then, or now) to delete.
    const made = await connector.addWorkNote({ module: link.module, id: link.externalId, ...pending.pendingCreate });
    // Not found: the record is gone, and its notes with it.
    if (!made.ok && made.failure.status !== 404) throw new DeliveryError(`Adding a work note to ${label} to delete it`, made.failure);
    noteId = made.ok ? (made.value.id ?? '') : '';
    if (noteId !== '') {
      // Should the delete fail, its retry deletes this note instead of sending the create once more.
      const hash = hashValue(pending.pendingCreate.body);
      keep.push(
        { key, value: { noteId, hash, issueId: run.issueId, externalId: link.externalId } satisfies NoteLink },
        toolNoteWrite(connection.id, noteId, { jiraCommentId: commentId, issueId: run.issueId, origin: 'jira', hash }),
      );
    }
  }
  if (noteId !== '' && connector) {
    const result = await connector.deleteWorkNote({ module: link.module, id: link.externalId, noteId });
    if (!result.ok && result.failure.status !== 404) throw new DeliveryError(`Deleting a work note on ${label}`, result.failure, keep);
  }
  const indexed = note?.noteId ?? (elsewhere && !('pendingCreate' in elsewhere) ? elsewhere.noteId : '');
  await writeLast(run, options.last, [
    { key, delete: true },
    ...(indexed !== '' ? [toolNoteDelete(connection.id, indexed)] : []),
    clearFailureWrite(connection.id, { kind: 'comment', issueId: run.issueId, issueKey: run.issueKey, commentId }),
    activityWrite(run.ports, { connectionId: connection.id, direction: 'outbound', outcome: 'synced', issueKey: run.issueKey, externalId: link.externalId, summary: `Deleted the work note for comment ${commentId} on ${label}` }),
  ]);
}

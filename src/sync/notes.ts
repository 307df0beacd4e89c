// Comments and work notes, indexed by the tool's note id. Both directions write here: inbound when a
// tool comment becomes a Jira comment, outbound when a Jira comment becomes a work note. An inbound
// event about a note Tandem itself made from a Jira comment (a naive tool echoes it) finds the entry
// with origin `jira` and makes no second Jira comment. A deleted note leaves a tombstone, so its
// create or edit arriving late (queued behind a 429, reordered) never makes the comment again.
import { z } from 'zod';
import { hashValue } from '../mapping';
import type { StoreWrite } from './ports';
import { keyPart } from './state';

export const toolNoteKey = (connectionId: string, toolNoteId: string) => `tnote:${keyPart(connectionId)}:${keyPart(toolNoteId)}`;

export const toolNoteSchema = z.object({
  jiraCommentId: z.string(),
  issueId: z.string(),
  /** Where the text was written first: `tool` (inbound made the Jira comment) or `jira` (outbound made the note). */
  origin: z.enum(['tool', 'jira']).default('tool'),
  /** hashValue of the Markdown last applied, so a re-sent edit writes nothing. */
  hash: z.string().optional(),
});
export type ToolNote = z.infer<typeof toolNoteSchema>;

const tombstoneSchema = z.object({ deleted: z.literal(true) });

/**
 * How long a deleted note or record is remembered: as long as a kept failure can be retried from the
 * admin page (30 days), far longer than the longest queued retry, so no late create outlives it.
 */
export const TOMBSTONE_TTL_SECONDS = 30 * 24 * 60 * 60;

/** The note as linked; undefined for none and for a deleted one (see isToolNoteDeleted). */
export function readToolNote(raw: unknown): ToolNote | undefined {
  const parsed = toolNoteSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** True when the note was deleted on either side: nothing about it is applied any more. */
export function isToolNoteDeleted(raw: unknown): boolean {
  return tombstoneSchema.safeParse(raw).success;
}

export function toolNoteWrite(connectionId: string, toolNoteId: string, note: ToolNote): StoreWrite {
  return { key: toolNoteKey(connectionId, toolNoteId), value: note };
}

/** The note is gone: its entry becomes a tombstone that outlives any late event about it. */
export function toolNoteDelete(connectionId: string, toolNoteId: string): StoreWrite {
  return { key: toolNoteKey(connectionId, toolNoteId), value: { deleted: true }, ttlSeconds: TOMBSTONE_TTL_SECONDS };
}

// ---------------------------------------------------------------- note create intents

/**
 * A work note outbound is about to add to a record, written before the request: when the answer is
 * lost but the tool made the note, the tool's event for it (same record, same text) is known as
 * Tandem's own and makes no Jira comment. Keyed by the text's hash, since the tool's event names a
 * note id Tandem never heard.
 */
export const noteIntentKey = (connectionId: string, externalId: string, body: string) =>
  `note-intent:${keyPart(connectionId)}:${keyPart(externalId)}:${hashValue(normalBody(body))}`;
export const noteIntentSchema = z.object({ jiraCommentId: z.string(), issueId: z.string() });
export type NoteIntent = z.infer<typeof noteIntentSchema>;

/** Line ends and surrounding space as a tool may store them differently from what was sent. */
function normalBody(body: string): string {
  return body.replace(/\r\n?/g, '\n').trim();
}

export function noteIntentWrite(connectionId: string, externalId: string, body: string, intent: NoteIntent): StoreWrite {
  return { key: noteIntentKey(connectionId, externalId, body), value: intent, ttlSeconds: TOMBSTONE_TTL_SECONDS };
}

export function readNoteIntent(raw: unknown): NoteIntent | undefined {
  const parsed = noteIntentSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

// ---------------------------------------------------------------- deleted records

/** A record deleted in the tool: a record.created or record.updated for it arriving late changes nothing. */
export const recordTombstoneKey = (connectionId: string, module: string, externalId: string) =>
  `record-deleted:${keyPart(connectionId)}:${keyPart(module)}:${keyPart(externalId)}`;

export function recordTombstoneWrite(connectionId: string, module: string, externalId: string): StoreWrite {
  return { key: recordTombstoneKey(connectionId, module, externalId), value: { deleted: true }, ttlSeconds: TOMBSTONE_TTL_SECONDS };
}

export function isRecordDeleted(raw: unknown): boolean {
  return tombstoneSchema.safeParse(raw).success;
}

// Comments and work notes, indexed by the tool's note id. Both directions write here: inbound when a
// tool comment becomes a Jira comment, outbound when a Jira comment becomes a work note. An inbound
// event about a note Tandem itself made from a Jira comment (a naive tool echoes it) finds the entry
// with origin `jira` and makes no second Jira comment. A deleted note leaves a tombstone, so its
// create or edit arriving late (queued behind a 429, reordered) never makes the comment again; a
// deleted Jira comment leaves one too, so its late create never makes the note. Records get the same:
// a create intent written before the request, and a tombstone once deleted.
import * as z from 'zod';
import { hashValue } from '../mapping';
import type { StorePort, StoreWrite } from './ports';
import { keyPart } from './state';

export const toolNoteKey = (connectionId: string, toolNoteId: string) => `tnote:${keyPart(connectionId)}:${keyPart(toolNoteId)}`;

export const toolNoteSchema = z.object({
  jiraCommentId: z.string(),
  issueId: z.string(),
  /** Where the text was written first: `tool` (inbound made the Jira comment) or `jira` (outbound made the note). */
  origin: z.enum(['tool', 'jira']).default('tool'),
  /** hashValue of the Markdown last applied, so a re-sent edit writes nothing. */
  hash: z.string().optional(),
  /** When the tool wrote the text last applied (its event's occurredAt): an event older than that is late. */
  at: z.string().optional(),
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

// ---------------------------------------------------------------- comment create intents

/**
 * A Jira comment inbound is about to add for a tool's note, written before the request and deleted
 * with the note's mapping: a try that died between the two left it, and the next try looks for the
 * comment it may have made (by the comment property naming the note) before adding one.
 */
export const commentIntentKey = (connectionId: string, toolNoteId: string) => `adding-comment:${keyPart(connectionId)}:${keyPart(toolNoteId)}`;
/** `hash`: of the text the try was adding. */
const commentIntentSchema = z.object({ at: z.string(), hash: z.string().optional() });
/** Longer than any retry of the note's events goes on. */
export const COMMENT_INTENT_SECONDS = 24 * 60 * 60;

export function readCommentIntent(raw: unknown): z.infer<typeof commentIntentSchema> | undefined {
  const parsed = commentIntentSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** The comment property Tandem sets on each Jira comment it makes from a tool's note, naming that note. */
export const NOTE_PROPERTY_KEY = 'tandem-note';
const notePropertySchema = z.object({ connection: z.string(), note: z.string() });

export function noteProperty(connectionId: string, toolNoteId: string): { key: string; value: z.infer<typeof notePropertySchema> } {
  return { key: NOTE_PROPERTY_KEY, value: { connection: connectionId, note: toolNoteId } };
}

export function namesNote(raw: unknown, connectionId: string, toolNoteId: string): boolean {
  const parsed = notePropertySchema.safeParse(raw);
  return parsed.success && parsed.data.connection === connectionId && parsed.data.note === toolNoteId;
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

// ---------------------------------------------------------------- deleted Jira comments

/** A comment deleted in Jira: its created event arriving late (reordered, replayed) adds no work note. */
export const commentTombstoneKey = (commentId: string) => `comment-deleted:${keyPart(commentId)}`;

export function commentTombstoneWrite(commentId: string): StoreWrite {
  return { key: commentTombstoneKey(commentId), value: { deleted: true }, ttlSeconds: TOMBSTONE_TTL_SECONDS };
}

export function isCommentDeleted(raw: unknown): boolean {
  return tombstoneSchema.safeParse(raw).success;
}

// ---------------------------------------------------------------- record create intents

/**
 * A record outbound is about to create for an issue, written before the request: when the answer is
 * lost but the tool made the record, the tool's record.created for it (which may not name the issue)
 * is known as Tandem's own by the fields sent, and links that issue instead of making a second one.
 * Listed by connection and module, since the event names a record id Tandem never heard.
 */
const recordIntentPrefix = (connectionId: string, module: string) => `record-intent:${keyPart(connectionId)}:${keyPart(module)}:`;
export const recordIntentKey = (connectionId: string, module: string, issueId: string) => `${recordIntentPrefix(connectionId, module)}${keyPart(issueId)}`;
/** `fields`: each field sent, as its hash. */
export const recordIntentSchema = z.object({ issueId: z.string(), issueKey: z.string(), fields: z.record(z.string(), z.string()) });
export type RecordIntent = z.infer<typeof recordIntentSchema>;
/** More intents than this for one module at once means something else is wrong: the rest are not looked at. */
const MOST_INTENTS_READ = 500;

export function recordIntentWrite(connectionId: string, module: string, intent: { issueId: string; issueKey: string; body: Record<string, unknown> }): StoreWrite {
  const fields = Object.fromEntries(Object.entries(intent.body).map(([field, value]) => [field, hashValue(value ?? null)]));
  const value: RecordIntent = { issueId: intent.issueId, issueKey: intent.issueKey, fields };
  return { key: recordIntentKey(connectionId, module, intent.issueId), value, ttlSeconds: TOMBSTONE_TTL_SECONDS };
}

/**
 * The creates Tandem has written down for the module whose fields the record holds as sent: every
 * field sent that the record carries is equal, and it carries at least one. A tool that stores a
 * value differently from what was sent is not recognised (its record is then treated as the tool's).
 */
export async function recordIntentsMatching(store: StorePort, connectionId: string, module: string, fields: Record<string, unknown>): Promise<RecordIntent[]> {
  const found: RecordIntent[] = [];
  let cursor: string | undefined;
  for (let read = 0; read < MOST_INTENTS_READ; ) {
    const page = await store.list(recordIntentPrefix(connectionId, module), { limit: 100, ...(cursor === undefined ? {} : { cursor }) });
    read += page.entries.length;
    for (const entry of page.entries) {
      const intent = recordIntentSchema.safeParse(entry.value);
      if (!intent.success) continue;
      const sent = Object.entries(intent.data.fields).filter(([field]) => field in fields);
      if (sent.length > 0 && sent.every(([field, hash]) => hashValue(fields[field] ?? null) === hash)) found.push(intent.data);
    }
    cursor = page.cursor;
    if (cursor === undefined || page.entries.length === 0) break;
  }
  return found;
}

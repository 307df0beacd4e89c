// The body of an inbound event, as the tool sends it (docs/inbound-api.md). Checked with zod after
// the signature; docs/inbound-event.schema.json says the same in JSON Schema (a test keeps them in
// step). Limits keep every id short enough to be part of a Forge storage key.
import * as z from 'zod';

export const INBOUND_EVENT_TYPES = [
  'record.created',
  'record.updated',
  'record.deleted',
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'sync.requested',
  'ping',
] as const;
export type InboundEventType = (typeof INBOUND_EVENT_TYPES)[number];

/** The tool's ids: short, and only characters that stay short inside a storage key. */
export const ID_PATTERN = /^[A-Za-z0-9._:@-]{1,80}$/;
export const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;
export const MODULE_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const ISSUE_KEY_PATTERN = /^[A-Z][A-Z0-9_]{1,9}-[1-9][0-9]{0,9}$/;
export const URL_PATTERN = /^https?:\/\/[\x21-\x7e]+$/;
/** ISO 8601 with seconds and an offset, e.g. 2026-11-22T07:02:00Z. */
export const DATE_TIME_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

export const MAX_FIELDS = 100;
export const MAX_FIELD_NAME = 100;
/** Jira's own comment limit. */
export const MAX_COMMENT_BODY = 32_767;
/** Nesting of JSON values anywhere in the body; deeper is refused before any other check. */
export const MAX_DEPTH = 32;

const pattern = (re: RegExp, what: string) => z.string().regex(re, `Must be ${what}`);

const id = pattern(ID_PATTERN, '1 to 80 characters: letters, digits, . _ : @ -');

const recordRef = z.strictObject({
  module: pattern(MODULE_PATTERN, '1 to 64 characters: letters, digits, . _ -'),
  id,
  number: z.string().min(1).max(100).optional(),
  url: z.string().max(2000, 'Must be at most 2000 characters').regex(URL_PATTERN, 'Must be an http(s) URL without spaces').optional(),
  jiraIssueKey: pattern(ISSUE_KEY_PATTERN, 'a Jira issue key such as OPS-12').optional(),
  /** The tool's own field names and values; an absent field is unchanged. */
  fields: z
    .record(z.string().min(1).max(MAX_FIELD_NAME, `Field names must be at most ${MAX_FIELD_NAME} characters`), z.unknown())
    .refine((fields) => Object.keys(fields).length <= MAX_FIELDS, `At most ${MAX_FIELDS} fields`)
    .optional(),
});

const author = z.strictObject({
  name: z.string().min(1).max(255).optional(),
  email: z.string().max(254).optional(),
});

const commentWithBody = z.strictObject({
  id,
  author: author.optional(),
  body: z.string().max(MAX_COMMENT_BODY, `Must be at most ${MAX_COMMENT_BODY} characters`),
});
const commentRef = z.strictObject({ id, author: author.optional(), body: z.string().max(MAX_COMMENT_BODY).optional() });

const base = {
  eventId: pattern(EVENT_ID_PATTERN, '1 to 100 characters: letters, digits, . _ : -'),
  occurredAt: pattern(DATE_TIME_PATTERN, 'an ISO 8601 date and time with an offset, e.g. 2026-11-22T07:02:00Z'),
};

const recordWithFields = recordRef.extend({ fields: recordRef.shape.fields.unwrap() });

export const inboundEventSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ ...base, type: z.literal('record.created'), record: recordWithFields.extend({ url: recordRef.shape.url.unwrap() }) }),
    z.strictObject({ ...base, type: z.literal('record.updated'), record: recordWithFields }),
    z.strictObject({ ...base, type: z.literal('record.deleted'), record: recordRef }),
    z.strictObject({ ...base, type: z.literal('comment.created'), record: recordRef, comment: commentWithBody }),
    z.strictObject({ ...base, type: z.literal('comment.updated'), record: recordRef, comment: commentWithBody }),
    z.strictObject({ ...base, type: z.literal('comment.deleted'), record: recordRef, comment: commentRef }),
    z.strictObject({
      ...base,
      type: z.literal('sync.requested'),
      jiraIssueKey: pattern(ISSUE_KEY_PATTERN, 'a Jira issue key such as OPS-12'),
      record: recordRef.optional(),
    }),
    // A test event: proves the URL, the connection and the signature, and changes nothing.
    z.strictObject({ ...base, type: z.literal('ping') }),
  ],
  { error: () => `Must be one of: ${INBOUND_EVENT_TYPES.join(', ')}` },
);
export type InboundEvent = z.infer<typeof inboundEventSchema>;
export type RecordEvent = Extract<InboundEvent, { type: 'record.created' | 'record.updated' | 'record.deleted' }>;
export type CommentEvent = Extract<InboundEvent, { type: `comment.${string}` }>;

export interface BodyProblem {
  path: string;
  message: string;
}

/**
 * Walks parsed JSON without recursion: refuses nesting deeper than MAX_DEPTH (later steps recurse)
 * and `__proto__` keys (which would reshape objects as they are copied).
 */
export function checkJsonShape(value: unknown): BodyProblem | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item || typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth >= MAX_DEPTH) return { path: item.path, message: `Nested deeper than ${MAX_DEPTH} levels` };
    const entries = Array.isArray(item.value) ? item.value.map((v, i) => [String(i), v] as const) : Object.entries(item.value);
    for (const [key, child] of entries) {
      const path = item.path === '' ? key : `${item.path}.${key}`;
      if (key === '__proto__') return { path, message: 'The key __proto__ is not allowed' };
      stack.push({ value: child, depth: item.depth + 1, path });
    }
  }
  return undefined;
}

/** The body's first problem, named by its path, or the event. */
export function parseInboundEvent(value: unknown): { ok: true; event: InboundEvent } | { ok: false; problem: BodyProblem } {
  const shape = checkJsonShape(value);
  if (shape) return { ok: false, problem: shape };
  const parsed = inboundEventSchema.safeParse(value, { reportInput: true });
  if (parsed.success) return { ok: true, event: parsed.data };
  const issue = parsed.error.issues[0];
  if (!issue) return { ok: false, problem: { path: '', message: 'The body is not a Tandem event' } };
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `Unknown ${issue.keys.length === 1 ? 'key' : 'keys'}: ${issue.keys.slice(0, 5).join(', ')}`.slice(0, 300);
  else if (issue.code === 'invalid_type' && issue.input === undefined) message = 'Required';
  else if (issue.code === 'invalid_type') message = `Must be ${issue.expected === 'object' || issue.expected === 'record' ? 'an object' : issue.expected === 'array' ? 'an array' : `a ${issue.expected}`}`;
  return { ok: false, problem: { path: issue.path.map(String).join('.'), message } };
}

/** What the storage reads of an event are keyed by: its id, the record it is about, and its comment. */
export interface EventKeys {
  eventId: string;
  record?: { module: string; id: string };
  comment?: { id: string };
}

/**
 * The event's id and record, from a body whose signature is not checked yet: used only to read
 * their storage keys in the batch that reads the configuration, never acted on, written or answered
 * before the signature holds. Undefined when the body does not say them in the form they must have.
 */
export function peekEventKeys(json: unknown): EventKeys | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { eventId, record, comment } = json as { eventId?: unknown; record?: unknown; comment?: unknown };
  if (typeof eventId !== 'string' || !EVENT_ID_PATTERN.test(eventId)) return undefined;
  if (typeof record !== 'object' || record === null) return { eventId };
  const { module, id } = record as { module?: unknown; id?: unknown };
  if (typeof module !== 'string' || !MODULE_PATTERN.test(module) || typeof id !== 'string' || !ID_PATTERN.test(id)) return { eventId };
  const commentId = typeof comment === 'object' && comment !== null ? (comment as { id?: unknown }).id : undefined;
  return { eventId, record: { module, id }, ...(typeof commentId === 'string' && ID_PATTERN.test(commentId) ? { comment: { id: commentId } } : {}) };
}

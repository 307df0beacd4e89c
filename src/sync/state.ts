// What Tandem keeps in Forge storage besides the config: links (with their shadows), the reverse
// index from a tool record to its issue, counts of ended links, create locks, kept failures and the
// activity log. Every read is parsed with a schema: storage written by an older version must never
// crash a sync.
import * as z from 'zod';
import type { InboundHealth } from '../contract/admin';
import type { Shadow } from '../mapping';
import type { RemoteLink } from './ports';
import type { FailureSubject } from '../contract/journal';

export { activitySchema, failureSchema, type Activity, type Failure, type FailureSubject } from '../contract/journal';

export const CONFIG_KEY = 'config';

// Secrets live in Forge secret storage under these keys, never in the config.
export const authSecretKey = (connectionId: string) => `connection:${connectionId}:auth`;
export const signingSecretKey = (connectionId: string) => `connection:${connectionId}:signing`;
export const inboundSecretKey = (connectionId: string) => `connection:${connectionId}:inbound`;
/** A push URL that carries the tool's key (an incident tool's integration URL): a secret, like a token. */
export const pushUrlSecretKey = (connectionId: string) => `connection:${connectionId}:push-url`;
export const previousInboundSecretKey = (connectionId: string) => `connection:${connectionId}:inbound-previous`;
/** A retired inbound secret, accepted by nothing: kept a while to tell a tool that still uses it from a stranger. */
export const retiredInboundSecretKey = (connectionId: string) => `connection:${connectionId}:inbound-retired`;

/** Forge keys allow `[a-zA-Z0-9:._\s-#]`; anything else in an id from outside is escaped. */
export function keyPart(value: string): string {
  return value.replace(/[^a-zA-Z0-9._-]/g, (c) => `#${c.codePointAt(0)?.toString(16) ?? '0'}#`);
}

export const issueStateKey = (issueId: string) => `issue:${keyPart(issueId)}`;
/** Written before Tandem asks Jira to make a record's issue, and deleted with the link it saves: a try that died between the two left it. */
export const createIntentKey = (connectionId: string, module: string, externalId: string) => `creating:${keyPart(connectionId)}:${keyPart(module)}:${keyPart(externalId)}`;
export const recordIndexKey = (connectionId: string, module: string, externalId: string) =>
  `record:${keyPart(connectionId)}:${keyPart(module)}:${keyPart(externalId)}`;
export const createLockKey = (connectionId: string, issueId: string) => `lock:create:${keyPart(connectionId)}:${keyPart(issueId)}`;
/** Held while one outbound delivery brings a subject (`failureSubjectKey`) to the tool. */
export const syncLockKey = (connectionId: string, subject: string) => `lock:sync:${keyPart(connectionId)}:${keyPart(subject)}`;
/** How long a sync lock lives: longer than a change takes, short enough that a crashed holder holds nothing up for long. */
export const SYNC_LOCK_SECONDS = 120;
/** A Jira comment's work note in the tool; its own key, so comment and field syncs never overwrite each other. */
export const noteKey = (connectionId: string, commentId: string) => `note:${keyPart(connectionId)}:${keyPart(commentId)}`;
export const noteSchema = z.object({
  noteId: z.string(),
  hash: z.string(),
  issueId: z.string(),
  /** The record the note is on; a note on a record the issue is no longer linked to is not this link's. */
  externalId: z.string().optional(),
  /** When Jira last changed the comment text the note holds: an older text (a late or repeated event) is never sent over it. */
  commentUpdated: z.string().optional(),
});
export type NoteLink = z.infer<typeof noteSchema>;
/**
 * A work note create that failed where the tool may have made the note anyway (no answer in time,
 * connection reset, 5xx): the key and the exact body sent. The tool refuses a key it knows with
 * another body, so the retry sends these again and a later edit of the comment follows as an edit.
 */
export const pendingNoteSchema = z.object({
  issueId: z.string(),
  /** The record the note is being added to. */
  externalId: z.string(),
  pendingCreate: z.object({ idempotencyKey: z.string(), body: z.string() }),
  commentUpdated: z.string().optional(),
});
export type PendingNote = z.infer<typeof pendingNoteSchema>;
/** What a note key holds: the note, or its create still owed. */
export const storedNoteSchema = z.union([noteSchema, pendingNoteSchema]);
export type StoredNote = z.infer<typeof storedNoteSchema>;
export const failureKey = (connectionId: string, subject: string) => `failure:${keyPart(connectionId)}:${keyPart(subject)}`;
export const FAILURE_PREFIX = 'failure:';
/** Someone pressed Sync now for the issue: pending until the queued delivery has run (1 h at most). */
export const syncRequestKey = (connectionId: string, issueId: string) => `sync-request:${keyPart(connectionId)}:${keyPart(issueId)}`;
export const SYNC_REQUEST_TTL_SECONDS = 60 * 60;
/**
 * Someone unlinked the issue from the connection by hand: Tandem makes no record for it again until
 * someone links it to one. Kept without a time limit; the outbound create path checks it.
 */
export const unlinkedKey = (connectionId: string, issueId: string) => `unlinked:${keyPart(connectionId)}:${keyPart(issueId)}`;
export const unlinkedSchema = z.object({ at: z.string(), recordNumber: z.string() });
/**
 * A push connection's last push of an issue: the issue's `updated` as pushed. The reconciliation
 * sweep pushes an issue changed after it (its event lost), since such a tool keeps no record Tandem can read.
 */
export const pushedKey = (connectionId: string, issueId: string) => `pushed:${keyPart(connectionId)}:${keyPart(issueId)}`;
export const PUSHED_PREFIX = 'pushed:';
export const pushedSchema = z.object({ updated: z.string() });
/** The record side of an unlink by hand: the reconciliation sweep never makes an issue of that record. */
export const unlinkedRecordKey = (connectionId: string, module: string, externalId: string) =>
  `unlinked-record:${keyPart(connectionId)}:${keyPart(module)}:${keyPart(externalId)}`;
export const ACTIVITY_PREFIX = 'activity:';

const shadowSchema = z.object({
  fields: z.record(z.string(), z.string()),
  updatedAt: z.string(),
  /** Per tool field, when and from which side its value last changed (absent in shadows written before). */
  changed: z.record(z.string(), z.object({ side: z.enum(['jira', 'tool']), at: z.string() })).optional(),
  /** Per tool field, the hash of a value Tandem sent whose answer never came. */
  unsure: z.record(z.string(), z.string()).optional(),
});

export const linkSchema = z.object({
  connectionId: z.string(),
  module: z.string(),
  externalId: z.string(),
  url: z.string(),
  number: z.string().optional(),
  issueKey: z.string(),
  shadow: shadowSchema,
  linkedAt: z.string(),
  /** The issue's remote link to the record could not be added yet (Jira busy): the next delivery of the issue adds it. */
  remoteLinkOwed: z.boolean().optional(),
});
export type Link = z.infer<typeof linkSchema>;

export const issueStateSchema = z.object({
  links: z.record(z.string(), linkSchema).default(() => ({})),
});
export type IssueState = z.infer<typeof issueStateSchema>;

/**
 * Per issue and connection, what outbound keeps across link attempts. `ended`: how many links have
 * ended; a record create's Idempotency-Key counts them, so a new link never gets the answer a tool
 * remembers for an ended link's create (its record may be deleted since). `pendingCreates`: a record
 * create that failed where the tool may have made the record anyway, as sent, so the retry sends the
 * same body with the same key. Not in `issue:`, which the inbound path rewrites with its links only.
 */
export const linkHistoryKey = (issueId: string) => `link-history:${keyPart(issueId)}`;
export const pendingCreateSchema = z.object({ module: z.string(), idempotencyKey: z.string(), body: z.record(z.string(), z.unknown()) });
export type PendingCreate = z.infer<typeof pendingCreateSchema>;
export const linkHistorySchema = z.object({
  ended: z.record(z.string(), z.number().int().min(0)).default(() => ({})),
  pendingCreates: z.record(z.string(), pendingCreateSchema).default(() => ({})),
});
export type LinkHistory = z.infer<typeof linkHistorySchema>;
/** Far longer than a tool remembers an Idempotency-Key (a day, usually); renewed each time a link ends. */
export const LINK_HISTORY_TTL_SECONDS = 30 * 24 * 60 * 60;

/** The history once one more of the issue's links to a connection has ended, whichever side ended it. */
export function withLinkEnded(history: LinkHistory, connectionId: string): LinkHistory {
  return { ...history, ended: { ...history.ended, [connectionId]: (history.ended[connectionId] ?? 0) + 1 } };
}

export function readLinkHistory(raw: unknown): LinkHistory {
  const parsed = linkHistorySchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : { ended: {}, pendingCreates: {} };
}

export const recordIndexSchema = z.object({
  issueId: z.string(),
  issueKey: z.string(),
  /** The event whose create made the issue from the record (a Sync existing job's own event counts its item as created). */
  madeBy: z.string().optional(),
  /** The event that linked the record to an issue it named or matched (a Sync existing job's own event counts its item as linked). */
  linkedBy: z.string().optional(),
});
export type RecordIndex = z.infer<typeof recordIndexSchema>;

export function readIssueState(raw: unknown): IssueState {
  const parsed = issueStateSchema.safeParse(raw ?? {});
  // A value Tandem cannot read is treated as no links rather than failing every sync of the issue.
  return parsed.success ? parsed.data : { links: {} };
}

/** The remote link that shows a link's record in its Jira issue; its stable globalId makes adding it again an update. */
export function remoteLinkOf(connection: { id: string; name: string }, link: Pick<Link, 'module' | 'externalId' | 'url' | 'number'>): RemoteLink {
  return {
    globalId: `tandem:${connection.id}:${link.module}:${link.externalId}`.slice(0, 255),
    url: link.url,
    title: link.number ?? `${connection.name} ${link.module} ${link.externalId}`,
    summary: `${connection.name} · ${link.module}`,
  };
}

export function emptyShadow(at: string): Shadow {
  return { fields: {}, updatedAt: at };
}

// ---------------------------------------------------------------- failures and activity

export const failureSubjectKey = (subject: FailureSubject): string =>
  subject.kind === 'comment'
    ? `comment:${subject.issueId}:${subject.commentId}`
    : subject.kind === 'inbound'
      ? `inbound:${subject.eventId}`
      : subject.kind === 'field'
        ? `field:${subject.issueId}:${subject.jiraField}`
        : `${subject.kind}:${subject.issueId}`;

/** Newest first in key order: the time is stored inverted. */
export function activityKey(atMs: number, unique: string): string {
  const inverted = (9_999_999_999_999 - atMs).toString().padStart(13, '0');
  return `${ACTIVITY_PREFIX}${inverted}:${keyPart(unique)}`;
}

/** How long the activity log keeps an entry. */
export const ACTIVITY_TTL_SECONDS = 30 * 24 * 60 * 60;

// ---------------------------------------------------------------- inbound health

/**
 * When an outbound delivery of the connection last succeeded after a failure: the lamp turns green
 * again. Written only by a retry that succeeds, so a delivery that goes through first time costs nothing.
 */
export const deliveredKey = (connectionId: string) => `delivered:${keyPart(connectionId)}`;
export const DELIVERED_PREFIX = 'delivered:';
export const deliveredSchema = z.object({ connectionId: z.string(), at: z.string() });

/** The admin page's "webhook connected" lamp for a connection, written by the inbound web trigger. */
export const inboundHealthKey = (connectionId: string) => `health:${keyPart(connectionId)}`;

export function readInboundHealth(raw: unknown): InboundHealth {
  if (typeof raw !== 'object' || raw === null) return {};
  const r = raw as Record<string, unknown>;
  const health: InboundHealth = {};
  if (typeof r.lastAcceptedAt === 'string') health.lastAcceptedAt = r.lastAcceptedAt;
  if (typeof r.lastRefusedAt === 'string') health.lastRefusedAt = r.lastRefusedAt;
  if (typeof r.lastRefusedReason === 'string') health.lastRefusedReason = r.lastRefusedReason;
  return health;
}

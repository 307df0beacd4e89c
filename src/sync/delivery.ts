// Delivery rules: push inline first; a transient failure goes back through the queue with backoff
// and jitter (honouring Retry-After); the retry re-reads the current state instead of replaying a
// stale payload; after the last attempt the failure is kept for the admin. Nothing is dropped.
import * as z from 'zod';
import { inboundEventSchema } from './inbound-event';
import type { Ports, QueueMessage } from './ports';

/** Attempts in all, the inline one included: about half an hour of retries before a failure is kept. */
export const MAX_ATTEMPTS = 8;
/**
 * Delay before attempt n+1 (seconds), before jitter. Most faults pass within seconds (a 503, a reset,
 * a 429 that names its wait), so the first retries come quickly; later ones spread out to Forge's
 * longest queue delay, and the whole stays about as long as a tool's restart or deploy.
 */
const BACKOFF_SECONDS = [2, 5, 15, 60, 300, 900, 900];
/** Forge's longest queue delay. */
export const MAX_DELAY_SECONDS = 900;

/**
 * Seconds before the next attempt: the backoff (at most one queue delay), or longer when the other
 * side said to wait longer (Retry-After, Jira's rate-limit reset), however long that is.
 */
export function retryDelaySeconds(attempt: number, retryAfterSeconds: number | undefined, random: () => number = Math.random): number {
  const base = BACKOFF_SECONDS[Math.min(attempt - 1, BACKOFF_SECONDS.length - 1)] ?? MAX_DELAY_SECONDS;
  const jittered = Math.round(base * (0.7 + 0.6 * random()));
  return Math.max(Math.ceil(retryAfterSeconds ?? 0), Math.min(MAX_DELAY_SECONDS, jittered), 1);
}

/**
 * Seconds before a try that found its subject busy looks again, the `waited`th time: a moment at
 * first (the holder usually finishes within seconds), then twice as long each time, up to the lock's
 * lifetime. A lock its crashed holder left (it lives out its TTL) so costs a handful of queue pushes
 * per waiting delivery, not one every 2 s, and many such waits at once stay inside Forge's 500 pushes
 * a minute.
 */
export function busyWaitSeconds(waited: number, lockSeconds: number, random: () => number = Math.random): number {
  const base = Math.min(2 * 2 ** Math.max(0, waited - 1), lockSeconds);
  return Math.max(1, Math.round(base * (0.7 + 0.6 * random())));
}

/**
 * A queued message whose wait is longer than one queue delay arrives before its time, saying how long
 * is left: it goes back on the queue for that long, and nothing else happens. True when it went back.
 */
export async function stillWaiting(ports: Pick<Ports, 'queue'>, message: QueueMessage): Promise<boolean> {
  if (message.waitLeft === undefined || message.waitLeft <= 0) return false;
  await ports.queue.push({ type: message.type, delivery: message.delivery }, message.waitLeft);
  return true;
}

/** One changelog entry as Jira's events carry it. */
export const changelogSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  items: z.array(
    z.object({
      field: z.string(),
      fieldtype: z.string().optional(),
      fieldId: z.string().optional(),
      from: z.string().nullable().default(null),
      fromString: z.string().nullable().default(null),
      to: z.string().nullable().default(null),
      toString: z.string().nullable().default(null),
    }),
  ),
});
export type Changelog = z.infer<typeof changelogSchema>;

const userRefSchema = z.object({ accountId: z.string(), displayName: z.string().optional(), emailAddress: z.string().optional() });

/** An issue's facts (ports' IssueFacts) as a queued delivery keeps them. */
const issueFactsSchema = z.object({
  fields: z.record(z.string(), z.unknown()),
  project: z.object({ id: z.string().optional(), key: z.string(), name: z.string().optional(), self: z.string().optional() }).optional(),
  issueType: z.object({ id: z.string().optional(), name: z.string(), subtask: z.boolean().optional() }).optional(),
  status: z.object({ id: z.string().optional(), name: z.string(), categoryKey: z.string() }),
  users: z.record(z.string(), userRefSchema),
});

/**
 * A Jira-webhook push forwards an event as it came, so its retries carry what cannot be read again:
 * the event, its identifier (the same on every try), who acted, the changelog, a deleted comment as
 * it was and a deleted issue's last fields. The issue itself is read again.
 */
export const webhookPushSchema = z.object({
  event: z.enum(['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'comment_created', 'comment_updated', 'comment_deleted']),
  /** Sent as X-Atlassian-Webhook-Identifier. */
  webhookId: z.string(),
  /** Epoch ms of the event. */
  timestamp: z.number(),
  actorAccountId: z.string().optional(),
  changelog: changelogSchema.optional(),
  comment: z
    .object({
      id: z.string(),
      body: z.unknown(),
      author: userRefSchema.optional(),
      updateAuthor: userRefSchema.optional(),
      created: z.string().optional(),
      updated: z.string().optional(),
    })
    .optional(),
  /** A deleted issue as its event left it. */
  issue: issueFactsSchema.optional(),
});
export type WebhookPush = z.infer<typeof webhookPushSchema>;

/**
 * A delivery the admin asked for from the Failures list: `retry` of a kept failure (a fresh round of
 * attempts), or `now`, "Retry now" while Tandem waits to try again by itself: that one try queues no
 * retries of its own, since the waiting one goes on.
 */
const requestedByAdmin = {
  requested: z.enum(['retry', 'now']).optional(),
  /** How many times this try has found its subject busy (another delivery's lock) and waited: each wait is longer. */
  waited: z.number().int().min(0).optional(),
};

/** What a queued delivery names: the subject to bring up to date, never the payload itself (a push excepted, see above). */
export const deliverySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('issue'),
    connectionId: z.string(),
    issueId: z.string(),
    issueKey: z.string(),
    attempt: z.number().int().min(1),
    push: webhookPushSchema.optional(),
    ...requestedByAdmin,
    /** Someone pressed Sync now on the issue: once this delivery has run, the issue panel stops showing it pending. */
    syncNow: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('comment'),
    connectionId: z.string(),
    issueId: z.string(),
    issueKey: z.string(),
    commentId: z.string(),
    /** Set when the comment was deleted: the retry deletes the note instead of reading the comment. */
    deleted: z.boolean().default(false),
    attempt: z.number().int().min(1),
    push: webhookPushSchema.optional(),
    ...requestedByAdmin,
  }),
  z.object({
    kind: z.literal('deletion'),
    connectionId: z.string(),
    issueId: z.string(),
    issueKey: z.string(),
    attempt: z.number().int().min(1),
    push: webhookPushSchema.optional(),
    ...requestedByAdmin,
  }),
]);
export type Delivery = z.infer<typeof deliverySchema>;

/**
 * An inbound event Jira could not take yet (rate-limited, 5xx): the event itself, since the tool
 * sent it once and will not send it again. A body too large for one queue message waits in
 * storage in parts (`stash`) instead.
 */
export const inboundDeliverySchema = z.object({
  kind: z.literal('inbound'),
  connectionId: z.string(),
  event: inboundEventSchema.optional(),
  stash: z.object({ key: z.string(), parts: z.number().int().min(1).max(25) }).optional(),
  /** The admin's retry of a kept event: read it from where it is kept (a message holds at most 200 KB). */
  keptEventId: z.string().optional(),
  attempt: z.number().int().min(1),
  /** Sync existing linked the record to the issue it names by the admin's match rule, not by the record's own reference: said so in Activity. */
  matchedBy: z.literal('summary-and-day').optional(),
});
export type InboundDelivery = z.infer<typeof inboundDeliverySchema>;

/** Every delivery the queue carries: the outbound kinds above and inbound. */
export const anyDeliverySchema = z.discriminatedUnion('kind', [...deliverySchema.options, inboundDeliverySchema]);
export type AnyDelivery = z.infer<typeof anyDeliverySchema>;

// What the admin page reads of Tandem's journal: kept failures and activity entries. Stored by
// src/sync, shown by static/admin; the schemas parse what the store holds, the page takes the types.
import * as z from 'zod';

export const failureSchema = z.object({
  connectionId: z.string(),
  /** What to retry: an issue's fields, one comment, or an issue deletion. */
  subject: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('issue'), issueId: z.string(), issueKey: z.string() }),
    z.object({ kind: z.literal('comment'), issueId: z.string(), issueKey: z.string(), commentId: z.string() }),
    z.object({ kind: z.literal('deletion'), issueId: z.string(), issueKey: z.string() }),
    /** A tool event that could not be applied to Jira; the event itself is kept under inbound-failed:. */
    z.object({ kind: z.literal('inbound'), issueId: z.string().default(''), issueKey: z.string(), eventId: z.string() }),
    /**
     * A tool state Jira could not move the issue to (no route, a screen Tandem cannot fill, a refused
     * transition). The retry applies the record's state again, and nothing else of the change.
     */
    z.object({
      kind: z.literal('status'),
      issueId: z.string(),
      issueKey: z.string(),
      module: z.string(),
      recordId: z.string(),
      /** The tool field and value that asked for the status, as the tool sent them. */
      fields: z.record(z.string(), z.unknown()),
      occurredAt: z.string(),
    }),
    /**
     * A tool field Jira refused (400 naming the field) while the rest of the change was applied. The
     * retry applies that field's value from the record again, and nothing else.
     */
    z.object({
      kind: z.literal('field'),
      issueId: z.string(),
      issueKey: z.string(),
      module: z.string(),
      recordId: z.string(),
      /** The Jira field refused. */
      jiraField: z.string(),
      /** The tool field and value that asked for it, as the tool sent them. */
      fields: z.record(z.string(), z.unknown()),
      occurredAt: z.string(),
    }),
  ]),
  operation: z.string(),
  retry: z.enum(['transient', 'permanent']),
  status: z.number().optional(),
  toolMessage: z.string().optional(),
  explanation: z.string(),
  /** Tries that failed so far, automatic and requested alike. */
  attempts: z.number().int().min(1),
  firstAt: z.string(),
  lastAt: z.string(),
  /** Set while Tandem will try again by itself: when. A failure without it waits for the admin. */
  nextAttemptAt: z.string().optional(),
});
export type Failure = z.infer<typeof failureSchema>;
export type FailureSubject = Failure['subject'];

export const activitySchema = z.object({
  at: z.string(),
  connectionId: z.string(),
  direction: z.enum(['outbound', 'inbound']),
  outcome: z.enum(['synced', 'skipped', 'conflict', 'failed', 'retrying']),
  issueKey: z.string().optional(),
  externalId: z.string().optional(),
  summary: z.string(),
  details: z.array(z.string()).default(() => []),
});
export type Activity = z.infer<typeof activitySchema>;


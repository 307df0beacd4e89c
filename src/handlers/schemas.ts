// Schemas of what Forge hands the app's functions. Everything from outside is parsed before use.
import * as z from 'zod';
import { anyDeliverySchema, changelogSchema } from '../sync/delivery';

const issueSchema = z.looseObject({ id: z.string(), key: z.string(), fields: z.record(z.string(), z.unknown()).default(() => ({})) });

export const issueEventSchema = z.object({
  eventType: z.enum(['avi:jira:created:issue', 'avi:jira:updated:issue', 'avi:jira:deleted:issue']),
  issue: issueSchema,
  atlassianId: z.string().optional(),
  changelog: changelogSchema.optional(),
});

/** Product events carry users as their account id; a display name, where one comes, is kept. */
const userSchema = z.looseObject({ accountId: z.string(), displayName: z.string().optional() });

export const commentEventSchema = z.object({
  eventType: z.enum(['avi:jira:commented:issue', 'avi:jira:deleted:comment']),
  issue: issueSchema,
  comment: z.looseObject({
    id: z.string(),
    body: z.unknown().optional(),
    author: userSchema.optional(),
    updateAuthor: userSchema.optional(),
    created: z.string().optional(),
    updated: z.string().optional(),
  }),
  atlassianId: z.string().optional(),
});

export const queueEventSchema = z.object({
  body: z.record(z.string(), z.unknown()),
  queueName: z.string(),
  eventId: z.string(),
  /** Set on the platform's retry of an event whose invocation failed. */
  retryContext: z.looseObject({ retryCount: z.number().optional() }).nullish(),
});

export const deliveryBodySchema = z.object({ type: z.literal('delivery'), delivery: anyDeliverySchema, waitLeft: z.number().int().min(0).optional() });

export const webTriggerRequestSchema = z.object({
  method: z.string(),
  path: z.string(),
  userPath: z.string().optional(),
  headers: z.record(z.string(), z.array(z.string())).default({}),
  queryParameters: z.record(z.string(), z.array(z.string())).default({}),
  body: z.string().optional(),
});

export interface WebTriggerResponse {
  statusCode: number;
  headers: Record<string, string[]>;
  body: string;
}

export function jsonAnswer(statusCode: number, body: unknown): WebTriggerResponse {
  return { statusCode, headers: { 'Content-Type': ['application/json'] }, body: JSON.stringify(body) };
}

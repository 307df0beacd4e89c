// Schemas of what Forge hands the app's functions. Everything from outside is parsed before use.
import { z } from 'zod';
import { anyDeliverySchema } from '../sync/delivery';

const issueSchema = z.object({ id: z.string(), key: z.string(), fields: z.record(z.string(), z.unknown()).default(() => ({})) }).passthrough();

const changelogSchema = z.object({
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

export const issueEventSchema = z.object({
  eventType: z.enum(['avi:jira:created:issue', 'avi:jira:updated:issue', 'avi:jira:deleted:issue']),
  issue: issueSchema,
  atlassianId: z.string().optional(),
  changelog: changelogSchema.optional(),
});

const userSchema = z.object({ accountId: z.string(), displayName: z.string().default('') }).passthrough();

export const commentEventSchema = z.object({
  eventType: z.enum(['avi:jira:commented:issue', 'avi:jira:deleted:comment']),
  issue: issueSchema,
  comment: z.object({ id: z.string(), body: z.unknown().optional(), author: userSchema.optional() }).passthrough(),
  atlassianId: z.string().optional(),
});

export const queueEventSchema = z.object({
  body: z.record(z.string(), z.unknown()),
  queueName: z.string(),
  eventId: z.string(),
});

export const deliveryBodySchema = z.object({ type: z.literal('delivery'), delivery: anyDeliverySchema });

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

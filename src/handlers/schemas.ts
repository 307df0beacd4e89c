// Schemas of what Forge hands the app's functions. Everything from outside is parsed before use.
import { z } from 'zod';

export const issueEventSchema = z.object({
  eventType: z.string(),
  issue: z.object({ id: z.string(), key: z.string() }).passthrough(),
  atlassianId: z.string().optional(),
});

export const commentEventSchema = issueEventSchema.extend({
  comment: z.object({ id: z.string() }).passthrough(),
});

export const queueEventSchema = z.object({
  body: z.record(z.string(), z.unknown()),
  queueName: z.string(),
  eventId: z.string(),
  retryContext: z.object({ retryCount: z.number(), retryReason: z.string(), retryData: z.unknown().optional() }).optional(),
});

export const deliveryBodySchema = z.object({ kind: z.literal('issue-change'), issueId: z.string().min(1) });

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

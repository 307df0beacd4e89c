// What the stand-ins of the seed tools share: a small HTTP server with a request log, sending the
// tool's events to Tandem's web trigger in Tandem's inbound format (signed, or with a Bearer header),
// and the part of Jira's webhook body the tools read. Each stand-in keeps only what its guide says.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { bodyForLog, readBody, redactHeaders, writeAnswer, type Answer } from '../http';
import { signTandemRequest, TANDEM_SIGNATURE_HEADER } from '../signing';

export type { Answer } from '../http';

/** A refusal with the status and message the tool answers. */
export class ToolError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ToolRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: Buffer;
}

export interface LoggedRequest {
  method: string;
  /** Path with the query. */
  path: string;
  headers: Record<string, string>;
  body: unknown;
  status: number;
}

/** The body as JSON, checked with the tool's schema; anything else is the tool's 400. */
export function parseBody<T>(schema: z.ZodType<T>, raw: Buffer): T {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new ToolError(400, 'The body is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ToolError(400, `${issue?.path.map(String).join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** `Authorization: Bearer <secret>`, compared in constant time. */
export function bearerMatches(header: string | undefined, secret: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(secret));
}

/** A small HTTP service on 127.0.0.1; subclasses answer requests in `route`. */
export abstract class ToolServer {
  readonly requests: LoggedRequest[] = [];
  private server: Server | undefined;
  private origin = 'http://127.0.0.1';

  protected abstract route(request: ToolRequest): Answer | Promise<Answer>;

  /** Where the tool lives, e.g. http://127.0.0.1:5123. */
  get baseUrl(): string {
    return this.origin;
  }

  /** On any free port, or on `port` (the sandbox's `--data` keeps the tool where its connection points). */
  listen(port = 0): Promise<string> {
    if (this.server) return Promise.reject(new Error('Already listening'));
    const server = createServer((req, res) => void this.serve(req, res));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        resolve(this.origin);
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    let answer: Answer;
    let raw: Buffer = Buffer.alloc(0);
    try {
      raw = await readBody(req);
      answer = await this.route({ method, path: url.pathname, query: url.searchParams, headers: req.headers, raw });
    } catch (error) {
      answer =
        error instanceof ToolError
          ? { status: error.status, body: { error: error.message } }
          : { status: 500, body: { error: error instanceof Error ? error.message : String(error) } };
    }
    this.requests.push({ method, path: `${url.pathname}${url.search}`, headers: redactHeaders(req.headers), body: bodyForLog(raw), status: answer.status });
    writeAnswer(res, answer);
  }
}

// ---------------------------------------------------------------- events to Tandem

/** Tandem's inbound event (docs/inbound-api.md). */
export interface TandemRecordEvent {
  eventId: string;
  type: 'record.created' | 'record.updated' | 'record.deleted';
  occurredAt: string;
  record: {
    module: string;
    id: string;
    number?: string;
    url?: string;
    jiraIssueKey?: string;
    fields?: Record<string, unknown>;
  };
}

export interface TandemTarget {
  /** The web trigger URL with the connection id. */
  url: string;
  secret: string;
  /** hmac: X-Tandem-Signature; bearer: Authorization: Bearer <secret>. */
  auth: 'hmac' | 'bearer';
}

export interface TandemAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface SentEvent {
  event: TandemRecordEvent;
  answer: TandemAnswer;
}

export function recordEvent(type: TandemRecordEvent['type'], record: TandemRecordEvent['record'], now: number): TandemRecordEvent {
  return { eventId: randomUUID(), type, occurredAt: new Date(now).toISOString(), record };
}

/** Sends one event and returns Tandem's answer; the tools of the guides send each change once. */
export async function sendToTandem(target: TandemTarget, event: TandemRecordEvent, nowMs: number): Promise<TandemAnswer> {
  const body = JSON.stringify(event);
  const auth: Record<string, string> =
    target.auth === 'hmac'
      ? { [TANDEM_SIGNATURE_HEADER]: signTandemRequest(target.secret, body, nowMs / 1000) }
      : { Authorization: `Bearer ${target.secret}` };
  const response = await fetch(target.url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...auth }, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed } };
}

// ---------------------------------------------------------------- Jira webhooks

const jiraUser = z.looseObject({ accountId: z.string().optional(), displayName: z.string().optional(), emailAddress: z.string().optional() });

/** The part of a Jira Cloud webhook body the tools read. */
export const jiraWebhookSchema = z.looseObject({
  timestamp: z.number(),
  webhookEvent: z.enum(['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'comment_created', 'comment_updated', 'comment_deleted']),
  issue_event_type_name: z.string().optional(),
  user: jiraUser.optional(),
  issue: z.looseObject({
    id: z.string(),
    key: z.string().regex(/^[A-Z][A-Z0-9_]+-\d+$/),
    self: z.string().optional(),
    fields: z.looseObject({
      summary: z.string(),
      status: z.looseObject({
        name: z.string(),
        statusCategory: z.looseObject({ key: z.enum(['new', 'indeterminate', 'done', 'undefined']) }).optional(),
      }),
      issuetype: z.looseObject({ name: z.string() }),
      project: z.looseObject({ key: z.string() }),
      priority: z.looseObject({ name: z.string() }).nullish(),
      assignee: jiraUser.nullish(),
      labels: z.array(z.string()).optional(),
    }),
  }),
  changelog: z
    .looseObject({ id: z.string(), items: z.array(z.looseObject({ field: z.string(), fromString: z.string().nullable(), toString: z.string().nullable() })) })
    .optional(),
});
export type JiraWebhook = z.infer<typeof jiraWebhookSchema>;

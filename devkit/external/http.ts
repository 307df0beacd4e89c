// HTTP plumbing for the reference ITSM: reading bodies, JSON answers, header redaction.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ItsmError } from './model';

const MAX_BODY_BYTES = 1024 * 1024;

export interface Answer {
  status: number;
  /** JSON-encoded unless undefined (then no body). */
  body?: unknown;
  headers?: Record<string, string>;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY_BYTES ? reject(new ItsmError(413, 'Request body too large', `At most ${MAX_BODY_BYTES} bytes`)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** The body as JSON when it parses, else as text; undefined when empty. */
export function bodyForLog(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function parseJsonBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  if (text.trim() === '') throw new ItsmError(400, 'Invalid request body', 'The request body is empty; send a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ItsmError(400, 'Invalid request body', `The request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function errorAnswer(error: unknown): Answer {
  if (error instanceof ItsmError) return { status: error.status, body: error.toJSON(), headers: error.headers };
  const detail = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: { message: 'Internal error', detail }, status: 'failure' } };
}

export function writeAnswer(res: ServerResponse, answer: Answer): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.body === undefined || answer.status === 204) {
    res.writeHead(answer.status, headers).end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers }).end(text);
}

export function writeHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(html)) }).end(html);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { Location: location }).end();
}

/** Request headers for the log, the credentials replaced. */
export function redactHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = name === 'authorization' ? text.replace(/^(\S+\s+).*$/s, '$1[redacted]').replace(/^[^\s]+$/, '[redacted]') : text;
  }
  return out;
}


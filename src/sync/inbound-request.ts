// The web trigger request as the inbound use case reads it, and the answers it gives. Pure: which
// connection a request names, whether its size and content type are acceptable, and the JSON of
// every answer (one shape for every refusal, so the caller learns no more than it needs).
import type { InboundHealth } from '../contract/admin';

/** What Forge hands a web trigger function (after the handler's own schema check). */
export interface InboundRequest {
  method: string;
  path: string;
  userPath?: string | undefined;
  headers: Record<string, string[]>;
  queryParameters: Record<string, string[]>;
  body?: string | undefined;
}

export interface InboundAnswer {
  status: number;
  body: Record<string, unknown>;
}

export const MAX_BODY_BYTES = 1024 * 1024;
const CONNECTION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A header's first value, by case-insensitive name. */
export function headerOf(request: Pick<InboundRequest, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, values] of Object.entries(request.headers)) {
    if (key.toLowerCase() === wanted) return values[0];
  }
  return undefined;
}

/** The connection the request names: `…/<connectionId>` after the trigger URL, else `?connection=`. */
export function connectionIdOf(request: Pick<InboundRequest, 'userPath' | 'queryParameters'>): { id: string } | { invalid: string } | undefined {
  const fromPath = (request.userPath ?? '').replace(/^\/+|\/+$/g, '');
  const raw = fromPath !== '' ? fromPath : request.queryParameters.connection?.[0];
  if (raw === undefined || raw === '') return undefined;
  return CONNECTION_ID.test(raw) ? { id: raw } : { invalid: raw };
}

/** application/json, with or without `charset=utf-8`. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => p === '' || /^charset="?utf-8"?$/.test(p));
}

export function answer(status: number, body: Record<string, unknown>): InboundAnswer {
  return { status, body };
}

export function refusal(status: number, error: string, message: string, path?: string): InboundAnswer {
  return { status, body: { error, message, ...(path === undefined ? {} : { path }) } };
}

/** One answer for every authentication failure: which check failed is for the admin's eyes only. */
export const UNAUTHORIZED = refusal(401, 'unauthorized', 'The request is not signed with this connection’s inbound secret, or the signature is more than 5 minutes old');

/** Size and content type, checked before anything is read or looked up. */
export function checkEnvelope(request: InboundRequest): InboundAnswer | undefined {
  if (request.method.toUpperCase() !== 'POST') return refusal(405, 'method_not_allowed', 'Send events with POST');
  const body = request.body ?? '';
  if (body.length > MAX_BODY_BYTES || Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
    return refusal(413, 'body_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  if (!isJsonContentType(headerOf(request, 'content-type'))) {
    return refusal(415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json');
  }
  return undefined;
}

/** JSON.parse with the problem named; the body has already been verified as the tool's. */
export function parseJsonBody(body: string): { ok: true; value: unknown } | { ok: false; answer: InboundAnswer } {
  if (body.trim() === '') return { ok: false, answer: refusal(400, 'invalid_body', 'The body is empty', '') };
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/\s+/g, ' ').slice(0, 200) : 'not JSON';
    return { ok: false, answer: refusal(400, 'invalid_json', `The body is not valid JSON: ${detail}`, '') };
  }
}

// ---------------------------------------------------------------- health

export type { InboundHealth };

/** Within this long, the same outcome is not written to the health record again (refused calls are counted apart: inbound-refusals.ts). */
export const HEALTH_QUIET_MS = 60_000;

/** The health record after this outcome, or undefined when it need not be written. */
export function nextHealth(current: InboundHealth, nowMs: number, outcome: { accepted: true } | { refused: string }): InboundHealth | undefined {
  const at = new Date(nowMs).toISOString();
  const age = (value: string | undefined) => (value === undefined ? Number.POSITIVE_INFINITY : nowMs - Date.parse(value));
  const refusedLast = current.lastRefusedAt !== undefined && (current.lastAcceptedAt === undefined || current.lastRefusedAt > current.lastAcceptedAt);
  if ('accepted' in outcome) {
    if (!refusedLast && age(current.lastAcceptedAt) < HEALTH_QUIET_MS) return undefined;
    return { ...current, lastAcceptedAt: at };
  }
  if (refusedLast && current.lastRefusedReason === outcome.refused && age(current.lastRefusedAt) < HEALTH_QUIET_MS) return undefined;
  return { ...current, lastRefusedAt: at, lastRefusedReason: outcome.refused };
}

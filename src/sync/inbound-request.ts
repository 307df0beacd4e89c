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

/**
 * Every answer's HTTP status, in one place: a site names what happened (a refusal's reason code, or
 * an event's outcome) and never a status. Refusals: 400 the body is malformed, 401 not signed, 404
 * what it names is unknown, 405/413/415 the request's envelope, 409 a conflicting link, 422 well
 * formed but not applicable (including Jira refusing the change), 500 Tandem failed, 503 try again.
 */
export const ANSWER_STATUS = {
  // refusals (the body's `error`)
  bad_request: 400,
  invalid_body: 400,
  invalid_json: 400,
  unauthorized: 401,
  unknown_connection: 404,
  unknown_record: 404,
  unknown_issue: 404,
  method_not_allowed: 405,
  already_linked: 409,
  body_too_large: 413,
  unsupported_media_type: 415,
  connection_disabled: 422,
  module_not_mapped: 422,
  issue_not_mapped: 422,
  direction_jira_to_tool: 422,
  direction_tool_to_jira: 422,
  comments_off: 422,
  not_mappable: 422,
  required_field_missing: 422,
  jira_refused: 422,
  internal_error: 500,
  unavailable: 503,
  // outcomes (the body's `status`)
  ok: 200,
  applied: 200,
  unchanged: 200,
  created: 200,
  deleted: 200,
  closed: 200,
  unlinked: 200,
  duplicate: 200,
  queued: 202,
} as const satisfies Record<string, number>;

type AnswerCode = keyof typeof ANSWER_STATUS;
export type RefusalCode = { [C in AnswerCode]: (typeof ANSWER_STATUS)[C] extends 200 | 202 ? never : C }[AnswerCode];
export type Outcome = Exclude<AnswerCode, RefusalCode>;

/** An event accepted: `status` names the outcome; the rest says what was done. */
export function answer(outcome: Outcome, details: Record<string, unknown> = {}): InboundAnswer {
  return { status: ANSWER_STATUS[outcome], body: { status: outcome, ...details } };
}

export function refusal(code: RefusalCode, message: string, path?: string): InboundAnswer {
  return { status: ANSWER_STATUS[code], body: { error: code, message, ...(path === undefined ? {} : { path }) } };
}

/** A GET naming no connection: what the URL is for. */
export const SERVICE_INFO: InboundAnswer = { status: 200, body: { service: 'tandem', message: 'Add /<connectionId> to this URL to send events for a connection' } };

/** One answer for every authentication failure: which check failed is for the admin's eyes only. */
export const UNAUTHORIZED = refusal('unauthorized', 'The request is not signed with this connection’s inbound secret, or the signature is more than 5 minutes old');

/** Size and content type, checked before anything is read or looked up. */
export function checkEnvelope(request: InboundRequest): InboundAnswer | undefined {
  if (request.method.toUpperCase() !== 'POST') return refusal('method_not_allowed', 'Send events with POST');
  const body = request.body ?? '';
  if (body.length > MAX_BODY_BYTES || Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
    return refusal('body_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  if (!isJsonContentType(headerOf(request, 'content-type'))) {
    return refusal('unsupported_media_type', 'Send the body as JSON with Content-Type: application/json');
  }
  return undefined;
}

/** JSON.parse with the problem named; the body has already been verified as the tool's. */
export function parseJsonBody(body: string): { ok: true; value: unknown } | { ok: false; answer: InboundAnswer } {
  if (body.trim() === '') return { ok: false, answer: refusal('invalid_body', 'The body is empty', '') };
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/\s+/g, ' ').slice(0, 200) : 'not JSON';
    return { ok: false, answer: refusal('invalid_json', `The body is not valid JSON: ${detail}`, '') };
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

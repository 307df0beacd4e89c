// One classification of what came back from an external tool, shared by every connector, the
// delivery retries and the admin page's "Test connection": transient failures are retried by the
// caller, permanent ones are kept and shown to the admin. Secrets never leave this module.
import { ExternalFailure, type ExternalResponse } from '../ports';

/** Why a delivery failed, in terms the admin page and the retry logic both use. */
export type FailureReason =
  | 'network'
  | 'timeout'
  | 'egress-denied'
  | 'rate-limited'
  | 'server-error'
  | 'bad-request'
  | 'token-rejected'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'unprocessable'
  | 'client-error'
  | 'redirect'
  | 'unexpected-answer'
  | 'missing-secret'
  | 'bad-config';

export interface DeliveryFailure {
  /** transient: the caller retries with backoff; permanent: kept as a failure for the admin. */
  retry: 'transient' | 'permanent';
  reason: FailureReason;
  status?: number;
  /** From Retry-After (seconds or HTTP date), when the tool sent one; Jira's reset time otherwise. */
  retryAfterSeconds?: number;
  /** Jira's hourly quota is spent: the retry waits until it resets, however long, and spends no attempt. */
  quota?: boolean;
  /** The tool's own message, trimmed, with secrets redacted. */
  toolMessage?: string;
  /** The fields a refusal names (`error.field`, `errors[].field`, `errors: {field: …}`), so the rest can still be sent. */
  fields?: string[];
  /** Plain words for the admin. */
  explanation: string;
}

export type ConnectorResult<T> = { ok: true; value: T } | { ok: false; failure: DeliveryFailure };

export const ok = <T>(value: T): ConnectorResult<T> => ({ ok: true, value });
export const fail = <T = never>(failure: DeliveryFailure): ConnectorResult<T> => ({ ok: false, failure });

/** Every request to a tool gives up after this long. */
export const REQUEST_TIMEOUT_MS = 10_000;

const TOOL_MESSAGE_MAX = 500;
const REDACTED = '[redacted]';

// ---------------------------------------------------------------- secrets

/**
 * The forms in which a secret could come back from a tool: as sent, inside the Basic header,
 * URL-encoded or JSON-escaped (a tool echoing our request back as text).
 */
export function secretForms(secrets: readonly (string | undefined)[], basicUsername?: string): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret === '') continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(Buffer.from(secret, 'utf8').toString('base64'));
    if (basicUsername !== undefined) forms.add(Buffer.from(`${basicUsername}:${secret}`, 'utf8').toString('base64'));
  }
  forms.delete('');
  // Longest first, so a form containing another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Replaces every secret form with a marker. Repeats until nothing is left, because a replacement
 * next to the surrounding text could in theory spell a secret again; gives up (undefined) if it
 * cannot make the text clean, so the caller drops it instead of showing it.
 */
export function redactSecrets(text: string, forms: readonly string[]): string | undefined {
  let out = text;
  for (let round = 0; round < 5; round++) {
    const dirty = forms.filter((form) => out.includes(form));
    if (dirty.length === 0) return out;
    for (const form of dirty) out = out.split(form).join(REDACTED);
  }
  return forms.some((form) => out.includes(form)) ? undefined : out;
}

// ---------------------------------------------------------------- the tool's message

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

function messageOfItem(item: unknown): string | undefined {
  if (typeof item === 'string') return text(item);
  if (!isRecord(item)) return undefined;
  const message = text(item.message) ?? text(item.msg) ?? text(item.detail) ?? text(item.title);
  const where = text(item.field) ?? text(item.path) ?? (Array.isArray(item.loc) ? item.loc.join('.') : undefined);
  return message && where ? `${where}: ${message}` : message;
}

function messageOfList(list: unknown): string | undefined {
  if (Array.isArray(list)) {
    const parts = list.map(messageOfItem).filter((m): m is string => m !== undefined);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  // { field: ["is required"] } as several frameworks answer a validation error.
  if (isRecord(list)) {
    const parts = Object.entries(list).flatMap(([field, value]) => {
      const message = Array.isArray(value) ? messageOfList(value) : messageOfItem(value);
      return message ? [`${field}: ${message}`] : [];
    });
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  return undefined;
}

function messageOfJson(json: unknown): string | undefined {
  if (typeof json === 'string') return text(json);
  if (Array.isArray(json)) return messageOfList(json);
  if (!isRecord(json)) return undefined;
  const { error } = json;
  if (isRecord(error)) {
    const message = text(error.message) ?? messageOfItem(error);
    const detail = text(error.detail);
    if (message && detail && detail !== message) return `${message}: ${detail}`;
    if (message ?? detail) return message ?? detail;
  }
  return (
    text(json.message) ??
    text(error) ??
    messageOfList(json.errors) ??
    messageOfList(json.errorMessages) ??
    text(json.detail) ??
    messageOfList(json.detail) ??
    text(json.error_description) ??
    text(json.title)
  );
}

function plainText(body: string, contentType: string | undefined): string | undefined {
  const looksHtml = /html/i.test(contentType ?? '') || /^\s*<(!doctype|html|head|body)\b/i.test(body);
  const stripped = looksHtml
    ? body
        .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
        .replace(/<[^>]*>/g, ' ')
    : body;
  return text(stripped);
}

/** The tool's own message from an answer's body: JSON `error`/`message`/`errors[]`/`detail`, else the text. */
export function extractToolMessage(body: string, contentType?: string): string | undefined {
  const trimmed = body.trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) {
    try {
      const message = messageOfJson(JSON.parse(trimmed) as unknown);
      if (message !== undefined) return message;
    } catch {
      // Not JSON after all: the text itself is the message.
    }
  }
  return plainText(trimmed, contentType);
}

function fieldsOfList(list: unknown): string[] {
  if (Array.isArray(list)) return list.flatMap((item) => (isRecord(item) ? [text(item.field) ?? text(item.path)].filter((f): f is string => f !== undefined) : []));
  return isRecord(list) ? Object.keys(list) : [];
}

/** The fields a refusal names, from a JSON body: `error.field`, `errors[].field`/`path`, or `errors: {field: …}` (Jira's shape). */
export function fieldsNamedIn(body: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(body) as unknown;
  } catch {
    return [];
  }
  if (!isRecord(json)) return [];
  const named = [...(isRecord(json.error) && text(json.error.field) ? [text(json.error.field) as string] : []), ...fieldsOfList(json.errors)];
  return [...new Set(named)];
}

/** Whitespace collapsed, at most ~500 characters. Redaction happens before, so a cut never splits a secret into view. */
function trimMessage(message: string): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat.length <= TOOL_MESSAGE_MAX ? flat : `${flat.slice(0, TOOL_MESSAGE_MAX - 1)}…`;
}

// ---------------------------------------------------------------- Retry-After

/** Retry-After as seconds from now: a number of seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // Only a date-like value; Date.parse would otherwise read odd strings such as "1.5" as a year.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

// ---------------------------------------------------------------- classification

/** How a transient failure's explanation ends: the delivery is tried again by the queue. */
const WILL_RETRY = '; Tandem will try again.';
const WILL_RETRY_LATER = '; Tandem will try again later.';
const IT_WILL_RETRY = '; it will try again.';

/**
 * The explanation for a request a person is waiting on (a search or a link from the issue page):
 * nothing tries it again by itself, so a transient failure asks them to, instead of promising a retry.
 */
export function explainToPerson(failure: DeliveryFailure): string {
  for (const promise of [WILL_RETRY_LATER, WILL_RETRY, IT_WILL_RETRY]) {
    if (failure.explanation.endsWith(promise)) return `${failure.explanation.slice(0, -promise.length)}. Try again in a moment.`;
  }
  return failure.explanation;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the tool';
  }
}

interface Classified {
  retry: DeliveryFailure['retry'];
  reason: FailureReason;
  explanation: string;
}

function classifyStatus(status: number, host: string): Classified {
  if (status === 429) return { retry: 'transient', reason: 'rate-limited', explanation: `${host} is limiting requests (429)${WILL_RETRY_LATER}` };
  if (status === 408) return { retry: 'transient', reason: 'timeout', explanation: `${host} timed out handling the request (408)${WILL_RETRY}` };
  if (status >= 500) return { retry: 'transient', reason: 'server-error', explanation: `${host} had an error (${status})${WILL_RETRY}` };
  if (status === 400) return { retry: 'permanent', reason: 'bad-request', explanation: `${host} refused the request as malformed (400): check the connection's field mappings.` };
  if (status === 401) return { retry: 'permanent', reason: 'token-rejected', explanation: `The token was rejected by ${host} (401): replace it in the connection.` };
  if (status === 403) return { retry: 'permanent', reason: 'forbidden', explanation: `The token is not allowed to do this (403): check its role in the tool.` };
  if (status === 404 || status === 410) return { retry: 'permanent', reason: 'not-found', explanation: `The tool has no such record or the URL is wrong (${status}): check the connection's base URL and paths.` };
  if (status === 409) return { retry: 'permanent', reason: 'conflict', explanation: `${host} reported a conflict with the record's current state (409).` };
  if (status === 422) return { retry: 'permanent', reason: 'unprocessable', explanation: `${host} did not accept the values sent (422): check the connection's field mappings.` };
  if (status >= 400) return { retry: 'permanent', reason: 'client-error', explanation: `${host} refused the request (${status}).` };
  if (status >= 300) return { retry: 'permanent', reason: 'redirect', explanation: `${host} answered with a redirect (${status}): check the connection's base URL.` };
  return { retry: 'permanent', reason: 'unexpected-answer', explanation: `${host} gave an answer Tandem did not expect (${status}).` };
}

export interface ClassifyContext {
  url: string;
  /** From secretForms: every form of the secrets sent with the request. */
  secretForms: readonly string[];
  nowMs: number;
}

function cleanExplanation(explanation: string, forms: readonly string[]): string {
  return redactSecrets(explanation, forms) ?? 'The request failed; details were withheld because they contained a secret.';
}

function cleanToolMessage(message: string | undefined, forms: readonly string[]): string | undefined {
  if (message === undefined) return undefined;
  const redacted = redactSecrets(message, forms);
  if (redacted === undefined) return undefined;
  const trimmed = trimMessage(redacted);
  return trimmed === '' ? undefined : trimmed;
}

/** A non-2xx answer as a DeliveryFailure. */
export function classifyResponse(response: ExternalResponse, context: ClassifyContext): DeliveryFailure {
  const { retry, reason, explanation } = classifyStatus(response.status, hostOf(context.url));
  const failure: DeliveryFailure = { retry, reason, status: response.status, explanation: cleanExplanation(explanation, context.secretForms) };
  if (retry === 'transient') {
    const retryAfter = parseRetryAfter(response.headers['retry-after'], context.nowMs);
    if (retryAfter !== undefined) failure.retryAfterSeconds = retryAfter;
  }
  const toolMessage = cleanToolMessage(extractToolMessage(response.body, response.headers['content-type']), context.secretForms);
  if (toolMessage !== undefined) failure.toolMessage = toolMessage;
  if (response.status === 400 || response.status === 422) {
    const fields = fieldsNamedIn(response.body);
    if (fields.length > 0) failure.fields = fields;
  }
  return failure;
}

/** No answer at all: network error, timeout or Forge egress refusal. */
export function classifyExternalFailure(error: ExternalFailure, context: Pick<ClassifyContext, 'url' | 'secretForms'>): DeliveryFailure {
  const host = hostOf(context.url);
  switch (error.kind) {
    case 'egress-denied':
      return {
        retry: 'permanent',
        reason: 'egress-denied',
        // Forge fetch is HTTPS only, so a refused plain-http address says that; else the host is not allowed.
        explanation: cleanExplanation(
          context.url.startsWith('http://')
            ? `Forge lets apps reach tools over HTTPS only: change ${host} to an address that starts with https://.`
            : `Tandem's Forge permissions do not allow requests to ${host}.`,
          context.secretForms,
        ),
      };
    case 'timeout':
      return {
        retry: 'transient',
        reason: 'timeout',
        explanation: cleanExplanation(`${host} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s${WILL_RETRY}`, context.secretForms),
      };
    case 'network': {
      const detail = cleanToolMessage(error.message, context.secretForms);
      const failure: DeliveryFailure = {
        retry: 'transient',
        reason: 'network',
        explanation: cleanExplanation(`Tandem could not reach ${host}${IT_WILL_RETRY}`, context.secretForms),
      };
      if (detail !== undefined) failure.toolMessage = detail;
      return failure;
    }
  }
}

/**
 * A failure after which the tool may still have done what was asked: no answer in time, a dropped
 * connection, a 5xx. A retry of a create must then send exactly what was sent, with the same key.
 */
export function mayHaveActed(failure: DeliveryFailure): boolean {
  return failure.reason === 'timeout' || failure.reason === 'network' || failure.reason === 'server-error';
}

/** Anything a port threw: an ExternalFailure is classified; any other error is treated as a network error. */
export function classifyThrown(error: unknown, context: Pick<ClassifyContext, 'url' | 'secretForms'>): DeliveryFailure {
  if (error instanceof ExternalFailure) return classifyExternalFailure(error, context);
  return classifyExternalFailure(new ExternalFailure('network', error instanceof Error ? error.message : String(error)), context);
}

// ---------------------------------------------------------------- Test connection

export type ConnectionVerdict = 'ok' | 'token-rejected' | 'forbidden' | 'wrong-url' | 'unreachable' | 'host-not-allowed' | 'missing-secret' | 'tool-error' | 'not-testable';

export interface ConnectionExplanation {
  verdict: ConnectionVerdict;
  /** One sentence for the admin page. */
  message: string;
}

/** What a failure (or its absence) means for "Test connection". */
export function explainFailure(failure: DeliveryFailure | undefined): ConnectionExplanation {
  if (failure === undefined) return { verdict: 'ok', message: 'Connected: the tool answered the test request.' };
  switch (failure.reason) {
    case 'token-rejected':
      return { verdict: 'token-rejected', message: 'The token was rejected: replace it in the connection.' };
    case 'forbidden':
      return { verdict: 'forbidden', message: 'The token is not allowed to do this: check its role in the tool.' };
    case 'not-found':
    case 'redirect':
      return { verdict: 'wrong-url', message: 'The tool has no such address: check the base URL and paths of the connection.' };
    case 'network':
    case 'timeout':
      return { verdict: 'unreachable', message: 'The tool could not be reached or did not answer in time: check the base URL, or try again later.' };
    case 'egress-denied':
      return { verdict: 'host-not-allowed', message: failure.explanation };
    case 'missing-secret':
      return { verdict: 'missing-secret', message: failure.explanation };
    default:
      return { verdict: 'tool-error', message: failure.explanation };
  }
}

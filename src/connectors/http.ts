// The one way a connector sends a request: auth headers from the connection and the caller's
// secret, the 10 s limit, and every answer or error turned into a ConnectorResult. Secrets are
// only ever placed in request headers; everything that comes back is redacted against them.
import type { Auth } from '../mapping';
import type { ClockPort, ExternalPort, ExternalRequest, ExternalResponse } from '../ports';
import { classifyResponse, classifyThrown, fail, ok, REQUEST_TIMEOUT_MS, secretForms, type ConnectorResult, type DeliveryFailure } from './outcome';

/** Headers carrying the connection's credentials, or a failure when a secret is needed but missing. */
export function authHeaders(auth: Auth, secret: string | undefined): ConnectorResult<Record<string, string>> {
  if (auth.kind === 'none') return ok({});
  if (secret === undefined || secret === '') {
    return fail({
      retry: 'permanent',
      reason: 'missing-secret',
      explanation: 'No token is saved for this connection: add it in the connection settings.',
    });
  }
  switch (auth.kind) {
    case 'bearer':
      return ok({ Authorization: `Bearer ${secret}` });
    case 'basic':
      return ok({ Authorization: `Basic ${Buffer.from(`${auth.username}:${secret}`, 'utf8').toString('base64')}` });
    case 'header':
      return ok({ [auth.headerName]: secret });
  }
}

export interface SendInput {
  port: ExternalPort;
  auth: Auth;
  /** The auth secret (token, password or header value). */
  secret: string | undefined;
  /** Other secrets in play (e.g. a webhook signing secret), redacted from answers too. */
  otherSecrets?: readonly (string | undefined)[];
  method: ExternalRequest['method'];
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Reads a Retry-After date against the platform's clock. */
  clock: Pick<ClockPort, 'now'>;
}

/** Sends one request; a 2xx answer is `ok`, anything else a classified DeliveryFailure. */
export async function sendToTool(input: SendInput): Promise<ConnectorResult<ExternalResponse>> {
  const credentials = authHeaders(input.auth, input.secret);
  if (!credentials.ok) return credentials;
  const forms = secretForms([input.secret, ...(input.otherSecrets ?? [])], input.auth.kind === 'basic' ? input.auth.username : undefined);
  const request: ExternalRequest = {
    method: input.method,
    url: input.url,
    headers: {
      Accept: 'application/json',
      ...(input.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...input.headers,
      ...credentials.value,
    },
    timeoutMs: REQUEST_TIMEOUT_MS,
  };
  if (input.body !== undefined) request.body = input.body;

  let response: ExternalResponse;
  try {
    response = await input.port.send(request);
  } catch (error) {
    return fail(classifyThrown(error, { url: input.url, secretForms: forms }));
  }
  if (response.status >= 200 && response.status < 300) return ok(response);
  return fail(classifyResponse(response, { url: input.url, secretForms: forms, nowMs: input.clock.now() }));
}

/** A 2xx answer Tandem could not read: permanent, since repeating the request would not change it. */
export function unexpectedAnswer(url: string, what: string): DeliveryFailure {
  let host = 'the tool';
  try {
    host = new URL(url).host;
  } catch {
    // keep the generic name
  }
  return { retry: 'permanent', reason: 'unexpected-answer', explanation: `${host} answered, but ${what}.` };
}

/** Base URL and path joined without doubling or losing the slash; the base URL may carry a path prefix (e.g. /prod). */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

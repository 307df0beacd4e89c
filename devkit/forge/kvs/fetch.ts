// Turns @forge/kvs's `__forge_fetch__({type:'kvs'}, path, init)` into a KvsService call and back
// into the WHATWG Response the client reads: status, JSON body (none on 204), content headers.
import type { KvsService } from './service';

export interface KvsFetchInit {
  method?: string;
  body?: unknown;
  headers?: unknown;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

let traceCounter = 0;

export function kvsFetchHandler(service: KvsService): (path: string, init?: KvsFetchInit) => Promise<Response> {
  return async (path, init) => {
    const route = path.split('?')[0] ?? path;
    const method = (init?.method ?? 'GET').toUpperCase();
    if (method !== 'POST') return respond(405, { code: 'METHOD_NOT_ALLOWED', message: `KVS operations are POST requests, got ${method}` });
    const text = bodyText(init?.body);
    if (text === undefined) return respond(400, { code: 'BAD_REQUEST', message: 'Provided request body is invalid' });
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return respond(400, { code: 'BAD_REQUEST', message: 'Provided request body is invalid' });
      }
    }
    const result = await service.handle(route, body);
    return respond(result.status, result.body);
  };
}

/** The request body as text; undefined when it has a form the client never sends. */
function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return undefined;
}

function respond(status: number, body: unknown): Response {
  // The client reads the trace id from x-b3-traceid / x-trace-id into its error details.
  const headers = new Headers({ 'x-trace-id': `devkit-kvs-${++traceCounter}` });
  const statusText = STATUS_TEXT[status] ?? '';
  // A 204 (and any answer without a body) must carry no body at all: the client treats empty text as "no result".
  if (body === undefined || status === 204) return new Response(null, { status, statusText, headers });
  const text = JSON.stringify(body);
  headers.set('content-type', 'application/json');
  headers.set('content-length', String(Buffer.byteLength(text, 'utf8')));
  return new Response(text, { status, statusText, headers });
}

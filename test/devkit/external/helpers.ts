// Shared set-up for the reference ITSM's tests: a running service, a request helper and a tiny
// server standing in for Tandem's web trigger.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { ReferenceItsm, type ReferenceItsmOptions } from '../../../devkit/external/itsm';

export const TOKEN = 'test-token-123';

export interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export interface Running {
  itsm: ReferenceItsm;
  base: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
}

/** A listening service on port 0, closed when the test file ends. */
export async function start(options: Partial<ReferenceItsmOptions> = {}): Promise<Running> {
  const itsm = new ReferenceItsm({ token: TOKEN, retryDelaysMs: [0, 0], ...options });
  const base = await itsm.listen();
  after(() => itsm.close());
  const call: Running['call'] = async (method, path, body, headers = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  return { itsm, base, call };
}

/** Reads a nested value of a JSON body: `at(body, 'error', 'field')`. */
export function at(value: unknown, ...path: Array<string | number>): unknown {
  let current = value;
  for (const step of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

export function str(value: unknown, ...path: Array<string | number>): string {
  const found = at(value, ...path);
  if (typeof found !== 'string') throw new Error(`expected a string at ${path.join('.')}, got ${JSON.stringify(found)}`);
  return found;
}

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Statuses to answer with, in turn; 200 once they run out. */
  statuses: number[];
}

/** Tandem's web trigger, played by a server that records what arrives. */
export async function receiver(): Promise<Receiver> {
  const state: Receiver = { url: '', received: [], statuses: [] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = state.statuses.shift() ?? 200;
      state.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x/webtrigger/conn-1`;
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return state;
}

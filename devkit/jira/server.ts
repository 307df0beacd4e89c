// The Jira simulator over HTTP, for clients that speak to Jira Cloud's REST API themselves (a Jira
// client library, curl): Basic auth as a site user, as Jira Cloud takes API tokens, and optionally
// one Bearer token that acts as the app, as Forge's asApp() does.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JiraSimulator } from './simulator';
import type { JiraActor } from './types';

export interface JiraExchange {
  method: string;
  /** Path with query string, as the client sent it. */
  path: string;
  /** Parsed JSON, or the raw text when it is not JSON; undefined without a body. */
  requestBody: unknown;
  status: number;
  responseBody: unknown;
}

export interface ServeJiraOptions {
  /** `Authorization: Bearer <appToken>` acts as the app. */
  appToken?: string;
  /** Called with every request and its answer, in order. */
  onExchange?: (exchange: JiraExchange) => void;
}

export interface JiraServer {
  /** e.g. `http://127.0.0.1:41234` (the site's REST API is under /rest/api/3). */
  url: string;
  close(): Promise<void>;
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parsed(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function serveJira(jira: JiraSimulator, options: ServeJiraOptions = {}): Promise<JiraServer> {
  const server = createServer((req, res) => {
    void (async () => {
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const body = await readText(req);
      const authorization = req.headers.authorization;
      const actor: JiraActor | null =
        options.appToken !== undefined && authorization === `Bearer ${options.appToken}` ? { kind: 'app' } : jira.authenticate(authorization);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      const answer = actor
        ? await jira.handle({ method, path, headers, ...(body === '' ? {} : { body }), actor })
        : {
            status: 401,
            headers: { 'content-type': 'application/json;charset=UTF-8' },
            body: JSON.stringify({ errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} }),
          };
      options.onExchange?.({ method, path, requestBody: parsed(body), status: answer.status, responseBody: parsed(answer.body) });
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify({ errorMessages: [error instanceof Error ? error.message : String(error)], errors: {} }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

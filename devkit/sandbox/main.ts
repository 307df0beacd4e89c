// `npm start`: Tandem installed on the emulated Forge platform, on a simulated Jira site seeded with
// the OPS and INFRA projects, served on one port. State lives in memory; `--data <file>` keeps
// Tandem's storage between runs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { RealClock } from '../forge/clock';
import { ForgeEmulator } from '../forge/emulator';
import { JiraSimulator } from '../jira/simulator';
import type { JiraActor } from '../jira/types';

const APP_ACCOUNT_ID = '557058:tandem-app-account';

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
}

/** PORT=0 asks for any free port (tests start several sandboxes). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

async function main(): Promise<void> {
  const requested = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(requested) || requested < 0 || requested > 65535) throw new Error(`PORT must be a port number, not ${process.env.PORT}`);
  const port = requested === 0 ? await freePort() : requested;
  const dataFile = argValue('--data');
  const base = `http://127.0.0.1:${port}`;

  const jira = new JiraSimulator({ appAccountId: APP_ACCOUNT_ID, baseUrl: `${base}/jira` });
  const admin = jira.addUser({ displayName: 'Ada Admin', emailAddress: 'ada@example.com', admin: true });
  jira.addUser({ displayName: 'Sam Agent', emailAddress: 'sam@example.com' });
  jira.addUser({ displayName: 'Riley Private', emailAddress: 'riley@example.com', emailHidden: true });
  jira.addProject({ key: 'OPS', name: 'Operations', issueTypes: ['Bug', 'Task'] });
  jira.addProject({ key: 'INFRA', name: 'Infrastructure', issueTypes: ['Task'] });

  const emulator = await ForgeEmulator.start({
    jira,
    appAccountId: APP_ACCOUNT_ID,
    clock: new RealClock(),
    port,
    host: '127.0.0.1',
    publicBaseUrl: base,
    defaultPageAccountId: admin.accountId,
    ...(dataFile ? { kvsFile: resolve(dataFile) } : {}),
  });

  const info = {
    jiraBaseUrl: `${base}/jira`,
    adminUrl: `${base}/admin`,
    webTriggerUrl: emulator.webTriggerUrl('tandem-inbound'),
    demoAdmin: { accountId: admin.accountId, email: 'ada@example.com' },
  };

  emulator.addRoute(async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (url.pathname.startsWith('/jira/rest/')) {
      // Basic auth as a seeded user (any token, as Jira Cloud API tokens go); without auth, the demo admin.
      const header = req.headers.authorization;
      const actor: JiraActor | null = header ? jira.authenticate(header) : { kind: 'user', accountId: admin.accountId };
      if (!actor) {
        send(res, 401, 'application/json', JSON.stringify({ errorMessages: ['Basic authentication failed: unknown user'], errors: {} }));
        return true;
      }
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      const answer = await jira.handle({
        method: req.method ?? 'GET',
        path: `${url.pathname.slice('/jira'.length)}${url.search}`,
        headers,
        ...(body === '' ? {} : { body }),
        actor,
      });
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      return true;
    }
    if (url.pathname === '/admin') {
      res.writeHead(302, { location: emulator.pageUrl('tandem-admin', url.searchParams.get('accountId') ?? admin.accountId) });
      res.end();
      return true;
    }
    if (url.pathname === '/__sandbox/info') {
      send(res, 200, 'application/json', JSON.stringify(info, null, 2));
      return true;
    }
    if (url.pathname === '/') {
      send(
        res,
        200,
        'text/html; charset=utf-8',
        `<!doctype html><meta charset="utf-8"><title>Tandem sandbox</title>
<body style="font-family: system-ui, sans-serif; max-width: 720px; margin: 2rem auto; line-height: 1.5">
<h1>Tandem sandbox</h1>
<p>Tandem running on an emulated Forge platform and a simulated Jira site.</p>
<ul>
<li><a href="/admin">Admin page</a>, as Jira shows it to ${admin.displayName}</li>
<li>Jira REST API: <code>${info.jiraBaseUrl}/rest/api/3/…</code> (Basic auth as a seeded user's email, or none for the demo admin)</li>
<li>Inbound web trigger: <code>${info.webTriggerUrl}</code></li>
<li><a href="/__sandbox/info">/__sandbox/info</a> (JSON)</li>
</ul></body>`,
      );
      return true;
    }
    return false;
  });

  console.log(`Tandem sandbox on ${base}`);
  console.log(`  admin page     ${info.adminUrl}`);
  console.log(`  Jira REST      ${info.jiraBaseUrl}/rest/api/3/`);
  console.log(`  web trigger    ${info.webTriggerUrl}`);
  console.log(`  info (JSON)    ${base}/__sandbox/info`);
  if (dataFile) console.log(`  storage file   ${resolve(dataFile)}`);
  console.log('Ctrl-C stops it.');

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the sandbox…');
    void emulator.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

// The sandbox: Tandem installed on the emulated Forge platform, a simulated Jira site and the
// reference ITSM (StackFlow), all on one port, connected both ways through the StackFlow preset the
// way an admin would connect them: through the admin page's own resolver calls.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { deserialize, serialize } from 'node:v8';
import { z } from 'zod';
import type { AddConnectionResponse, ActivityResponse, ConfigSavedResponse, GetConfigResponse, GetInboundResponse, InboundSecretResponse, SetConnectionSecretResponse } from '../../src/contract/admin';
import { type PlatformClock, RealClock } from '../forge/clock';
import { ForgeEmulator } from '../forge/emulator';
import type { KvsSnapshot } from '../forge/kvs/service';
import { ReferenceItsm, type ItsmStoreDump } from '../external/itsm';
import { CraftioStandIn, type CraftioDump } from '../external/tools/craftio';
import { rateLimitControlRoute } from '../jira/rate-limits';
import { JiraSimulator, type JiraStoreDump } from '../jira/simulator';
import type { JiraActor } from '../jira/types';
import { PlatformFaults } from './faults';
import { homePage } from './home';
import { readBody, sendJson } from './http';
import { SandboxJiraPages } from './jira-pages';

export const SANDBOX_ITSM_TOKEN = 'sandbox-token';
/** The API token of the sandbox's Craft.io stand-in (the product tool), pasted on the admin page to connect it. */
export const SANDBOX_CRAFTIO_TOKEN = 'sandbox-craftio-token';
/** The PROD board's sprints and the PROD releases, which the product tool's workspace shares. */
const PRODUCT_SPRINTS = ['Sprint 1', 'Sprint 2'];
const PRODUCT_RELEASES = ['Q3 2026', 'Q4 2026'];
const APP_ACCOUNT_ID = '557058:tandem-app-account';
const ADMIN_MODULE = 'tandem-admin';
const PRESET_ID = 'stackflow-itsm';
const CONNECTION_NAME = 'StackFlow';
const DATA_VERSION = 1;
const SAVE_EVERY_MS = 1000;

export interface SandboxOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Keeps Jira, StackFlow and Tandem's storage in this file between runs. */
  dataFile?: string;
  /**
   * Issues and records made before Tandem is connected (`npm start -- --existing N`): N OPS bugs in
   * Jira, and N/2 incidents in StackFlow, a third of them naming a bug by its key. Nothing syncs them
   * until a Sync existing job does. Ignored when state comes from a data file.
   */
  existing?: number;
  /** The time of Jira, StackFlow and the platform; real by default. A virtual clock lets a script skip waits (queue retries) it would otherwise sit through. */
  clock?: PlatformClock;
}

export interface SandboxInfo {
  baseUrl: string;
  jiraBaseUrl: string;
  itsmBaseUrl: string;
  itsmToken: string;
  /** The product tool's stand-in (Craft.io): not connected at start; connect it from the admin page with its preset. */
  craftioBaseUrl: string;
  craftioToken: string;
  adminUrl: string;
  /** How many unsynced issues the sandbox started with (`--existing`). */
  existing: number;
  /** Where StackFlow sends its events: the web trigger, with the connection in the path. */
  webTriggerUrl: string;
  connectionId: string;
  inboundSecret: string;
  demoAdmin: { accountId: string; email: string };
}

interface SandboxData {
  version: number;
  kvs: KvsSnapshot;
  jira: JiraStoreDump;
  itsm: ItsmStoreDump;
  connectionId: string;
  inboundSecret: string;
  /** The product tool: its items, its port (its connection's address) and where it sends changes. Absent in older files. */
  craftio?: { dump: CraftioDump; port: number; webhook?: { url: string; secret: string } };
}

export interface Sandbox {
  info: SandboxInfo;
  jira: JiraSimulator;
  itsm: ReferenceItsm;
  emulator: ForgeEmulator;
  /** Product events late, twice or out of order, and crashes between a tool write and a storage write (also at /__sandbox/faults). */
  faults: PlatformFaults;
  /** The product tool's stand-in (Craft.io). */
  craftio: CraftioStandIn;
  stop(): Promise<void>;
}

const SWEEP_TRIGGER = 'tandem-sweep';
const craftioWebhookSchema = z.object({ url: z.url({ protocol: /^https?$/ }), secret: z.string().min(1) });

/** PORT=0 asks for any free port (tests start several sandboxes). */
function freePort(host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

function readData(file: string): SandboxData | undefined {
  if (!existsSync(file)) return undefined;
  const data = deserialize(readFileSync(file)) as Partial<SandboxData> | undefined;
  if (data?.version !== DATA_VERSION || !data.kvs || !data.jira || !data.itsm || !data.connectionId || !data.inboundSecret) {
    throw new Error(`${file} is not a sandbox data file of this version; move it away to start afresh.`);
  }
  return data as SandboxData;
}

function seedJira(jira: JiraSimulator): void {
  jira.addUser({ displayName: 'Ada Admin', emailAddress: 'ada@example.com', admin: true });
  // Sam's email matches StackFlow's agent, so assignees travel both ways.
  jira.addUser({ displayName: 'Sam Agent', emailAddress: 'sam.agent@stackflow.example' });
  jira.addUser({ displayName: 'Riley Private', emailAddress: 'riley@example.com', emailHidden: true });
  // Both use the simulator's default workflow: To Do → In Progress ⇄ Blocked → Done (needs a resolution) → Closed.
  jira.addProject({ key: 'OPS', name: 'Operations', issueTypes: ['Bug', 'Task'] });
  jira.addProject({ key: 'INFRA', name: 'Infrastructure', issueTypes: ['Task'] });
  // The product tool's project: epics and stories (a hierarchy), releases, a scrum board with sprints.
  jira.addProject({ key: 'PROD', name: 'Product', issueTypes: ['Epic', 'Story', 'Bug', 'Sub-task'], versions: PRODUCT_RELEASES });
  jira.addCustomField({ name: 'Sprint', schemaType: 'sprint' });
  const board = jira.addBoard({ projectKey: 'PROD', name: 'PROD board' });
  jira.addSprint({ boardId: board.id, name: PRODUCT_SPRINTS[0] ?? 'Sprint 1', state: 'active' });
  jira.addSprint({ boardId: board.id, name: PRODUCT_SPRINTS[1] ?? 'Sprint 2' });
}

/**
 * What a team had before installing Tandem: made before the platform listens to Jira's events and
 * before StackFlow sends its own, so nothing of it syncs until a Sync existing job runs.
 */
async function seedExisting(jira: JiraSimulator, itsm: ReferenceItsm, count: number): Promise<void> {
  const sam = jira.findUserByEmail('sam.agent@stackflow.example');
  if (!sam) throw new Error('The sandbox site has no agent (sam.agent@stackflow.example)');
  const keys: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    const made = await jira.rest({ kind: 'user', accountId: sam.accountId }, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: `Existing bug ${i}` } });
    if (made.status !== 201) throw new Error(`Seeding existing issues: Jira answered ${made.status}`);
    keys.push((made.body as { key: string }).key);
  }
  for (let i = 1; i <= Math.floor(count / 2); i += 1) {
    // Every third incident was filed by hand for a bug, and says which: a sync links it, never copies it.
    const named = i % 3 === 0 ? keys[i - 1] : undefined;
    itsm.createRecord('incidents', { short_description: named ? `Existing bug ${i}` : `Existing incident ${i}`, ...(named ? { jira_issue_key: named } : {}) });
  }
}

/** The resolver's answer when it succeeded; its message otherwise, so a broken start says why. */
function expectOk<T extends { ok: boolean }>(call: string, answer: unknown): Extract<T, { ok: true }> {
  const value = answer as T & { error?: { message?: string } };
  if (!value.ok) throw new Error(`Setting up the sandbox: ${call} failed: ${value.error?.message ?? 'no message'}`);
  return value as Extract<T, { ok: true }>;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port === 0 ? await freePort(host) : options.port;
  const base = `http://${host}:${port}`;
  const saved = options.dataFile ? readData(options.dataFile) : undefined;

  const clock = options.clock ?? new RealClock();
  const now = (): number => clock.now();
  const jira = new JiraSimulator({ appAccountId: APP_ACCOUNT_ID, baseUrl: `${base}/jira`, clock: now });
  if (saved) jira.load(saved.jira);
  else seedJira(jira);
  const admin = jira.findUserByEmail('ada@example.com');
  if (!admin) throw new Error('The sandbox site has no admin (ada@example.com)');

  const itsm = new ReferenceItsm({ token: SANDBOX_ITSM_TOKEN, basePath: '/itsm', publicUrl: `${base}/itsm`, clock: now });
  if (saved) itsm.load(saved.itsm);
  const existing = saved ? 0 : Math.max(0, Math.floor(options.existing ?? 0));
  if (existing > 0) await seedExisting(jira, itsm, existing);
  // The product tool on its own loopback port; its items live as long as the sandbox runs.
  const craftio = new CraftioStandIn({ token: SANDBOX_CRAFTIO_TOKEN, clock: now, sprints: PRODUCT_SPRINTS, releases: PRODUCT_RELEASES });
  if (saved?.craftio) {
    craftio.load(saved.craftio.dump);
    const webhook = saved.craftio.webhook;
    // The inbound URL's path is the web trigger's; its origin is this run's (PORT may differ).
    if (webhook) craftio.tandem = { url: new URL(`${new URL(webhook.url).pathname}${new URL(webhook.url).search}`, base).toString(), secret: webhook.secret, auth: 'hmac' };
  }
  // Back where a connection made in an earlier run points, when that port is still free.
  await craftio.listen(saved?.craftio?.port).catch(async (error: unknown) => {
    console.warn(`The product tool cannot have port ${saved?.craftio?.port ?? 0} again (${error instanceof Error ? error.message : 'unknown error'}); its connection's address must be changed to the new one`);
    await craftio.close();
    await craftio.listen();
  });

  const emulator = await ForgeEmulator.start({
    jira,
    appAccountId: APP_ACCOUNT_ID,
    clock,
    // Tandem, Jira and StackFlow read one clock, as in Forge, even when a chaos run moves it on.
    appReadsClock: true,
    port,
    host,
    publicBaseUrl: base,
    // StackFlow answers plain http on this machine: the one exemption from Forge's HTTPS-only egress.
    plainHttpLoopback: true,
    defaultPageAccountId: admin.accountId,
  });
  if (saved) emulator.kvs.restore(saved.kvs);

  const asAdmin = async <T extends { ok: boolean }>(functionKey: string, payload: Record<string, unknown>): Promise<Extract<T, { ok: true }>> =>
    expectOk<T>(functionKey, await emulator.invokeResolver({ moduleKey: ADMIN_MODULE, functionKey, payload, accountId: admin.accountId }));

  // Connect StackFlow as an admin does on the admin page: add it from its preset, paste its API
  // token, generate the inbound secret. A restart from a data file finds all of it stored.
  let connectionId = saved?.connectionId;
  let inboundSecret = saved?.inboundSecret;
  if (!connectionId || !inboundSecret) {
    const config = await asAdmin<GetConfigResponse>('getConfig', {});
    const added = await asAdmin<AddConnectionResponse>('addConnection', { revision: config.revision, presetId: PRESET_ID, name: CONNECTION_NAME, url: `${base}/itsm` });
    connectionId = added.connectionId;
    await asAdmin<SetConnectionSecretResponse>('setConnectionSecret', { connectionId, kind: 'auth', secret: SANDBOX_ITSM_TOKEN });
    inboundSecret = randomBytes(36).toString('base64url');
    await asAdmin<InboundSecretResponse>('setInboundSecret', { connectionId, secret: inboundSecret });
  }
  else await moveConnection(asAdmin, connectionId, `${base}/itsm`);
  const inbound = await asAdmin<GetInboundResponse>('getInbound', { connectionId });
  const webTriggerUrl = inbound.connections[0]?.url;
  if (!webTriggerUrl) throw new Error('Setting up the sandbox: the connection has no inbound URL');
  itsm.setOutbound({ url: webTriggerUrl, secret: inboundSecret });
  const faults = new PlatformFaults(emulator, clock);

  const info: SandboxInfo = {
    baseUrl: base,
    jiraBaseUrl: `${base}/jira`,
    itsmBaseUrl: `${base}/itsm`,
    itsmToken: SANDBOX_ITSM_TOKEN,
    craftioBaseUrl: craftio.baseUrl,
    craftioToken: SANDBOX_CRAFTIO_TOKEN,
    adminUrl: `${base}/admin`,
    existing,
    webTriggerUrl,
    connectionId,
    inboundSecret,
    demoAdmin: { accountId: admin.accountId, email: 'ada@example.com' },
  };

  // Jira's 429s and 503s on and off, as StackFlow's faults are at /itsm/__control/faults.
  const jiraControl = rateLimitControlRoute(jira.rateLimit, '/jira/__control/faults');
  const jiraPages = new SandboxJiraPages(
    (method, path, body) => jira.rest({ kind: 'user', accountId: admin.accountId }, method, path, body),
    () => jira.listUsers(),
    (issueKey) => emulator.issueModules(issueKey, admin.accountId),
  );
  emulator.addRoute(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    if (await jiraControl(req, res)) return true;
    if (url.pathname.startsWith('/jira/rest/')) {
      await serveJiraRest(req, res, url, jira, admin.accountId);
      return true;
    }
    if (await jiraPages.handle(req, res)) return true;
    if (await itsm.handle(req, res)) return true;
    if (url.pathname === '/admin') {
      res.writeHead(302, { location: emulator.pageUrl(ADMIN_MODULE, url.searchParams.get('accountId') ?? admin.accountId) });
      res.end();
      return true;
    }
    if (url.pathname === '/__sandbox/info') {
      sendJson(res, 200, info);
      return true;
    }
    if (url.pathname === '/__sandbox/faults') {
      await serveFaults(req, res, faults);
      return true;
    }
    if (url.pathname === '/__sandbox/craftio/webhook' && req.method === 'POST') {
      // Craft.io's side of connecting: the admin pastes Tandem's inbound URL and secret into its Jira integration settings.
      const text = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(text || '{}');
      } catch {
        body = undefined;
      }
      const parsed = craftioWebhookSchema.safeParse(body);
      if (!parsed.success) {
        sendJson(res, 400, { error: parsed.error.issues[0]?.message ?? 'Send {url, secret}' });
        return true;
      }
      craftio.tandem = { url: parsed.data.url, secret: parsed.data.secret, auth: 'hmac' };
      sendJson(res, 200, { connected: true });
      return true;
    }
    if (url.pathname === '/__sandbox/sweep' && req.method === 'POST') {
      // The reconciliation sweep's scheduled trigger, now rather than at its next five minutes.
      sendJson(res, 200, { outcome: await emulator.runScheduledTrigger(SWEEP_TRIGGER) });
      return true;
    }
    if (url.pathname === '/__sandbox/activity') {
      // Each entry names its connection, so a push to another tool is not shown as StackFlow's.
      const answer = await asAdmin<ActivityResponse>('getActivity', { limit: 30 });
      const { config } = await asAdmin<GetConfigResponse>('getConfig', {});
      const names = new Map(config.connections.map((c) => [c.id, c.name]));
      sendJson(res, 200, { entries: answer.entries.map((e) => ({ ...e, tool: names.get(e.connectionId) ?? e.connectionId })) });
      return true;
    }
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(homePage(info));
      return true;
    }
    return false;
  });

  // Saves only what changed, at most once a second, and once more on stop.
  let lastSaved: Buffer | undefined;
  const save = (): void => {
    if (!options.dataFile || !connectionId || !inboundSecret) return;
    const webhook = craftio.tandem ? { url: craftio.tandem.url, secret: craftio.tandem.secret } : undefined;
    const craftioData = { dump: craftio.dump(), port: Number(new URL(craftio.baseUrl).port), ...(webhook ? { webhook } : {}) };
    const data: SandboxData = { version: DATA_VERSION, kvs: emulator.kvs.snapshot(), jira: jira.dump(), itsm: itsm.dump(), connectionId, inboundSecret, craftio: craftioData };
    const bytes = serialize(data);
    if (lastSaved?.equals(bytes)) return;
    const temporary = `${options.dataFile}.tmp`;
    writeFileSync(temporary, bytes);
    renameSync(temporary, options.dataFile);
    lastSaved = bytes;
  };
  save();
  const saver = options.dataFile ? setInterval(save, SAVE_EVERY_MS) : undefined;

  // Forge runs the sweep's scheduled trigger every five minutes; the sandbox does too.
  const sweeper = setInterval(() => void emulator.runScheduledTrigger(SWEEP_TRIGGER).catch(() => undefined), 5 * 60 * 1000);
  sweeper.unref();

  return {
    info,
    jira,
    itsm,
    emulator,
    faults,
    craftio,
    async stop() {
      clearInterval(sweeper);
      await craftio.close();
      if (saver) clearInterval(saver);
      faults.clear();
      await itsm.close();
      save();
      await emulator.stop();
    },
  };
}

/** GET shows the platform faults, POST replaces them (see faults.ts), DELETE switches them off. */
async function serveFaults(req: IncomingMessage, res: ServerResponse, faults: PlatformFaults): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'GET') return sendJson(res, 200, { faults: faults.settings });
  if (method === 'DELETE') {
    faults.clear();
    return sendJson(res, 200, { faults: faults.settings });
  }
  if (method !== 'POST') return sendJson(res, 405, { error: 'Use GET, POST or DELETE' });
  let input: unknown;
  try {
    input = JSON.parse(await readBody(req)) as unknown;
  } catch {
    return sendJson(res, 400, { error: 'The body is not JSON' });
  }
  try {
    sendJson(res, 200, { faults: faults.set(input) });
  } catch (error) {
    const issue = error instanceof z.ZodError ? error.issues[0] : undefined;
    sendJson(res, 400, { error: issue ? `${issue.path.map(String).join('.') || 'body'}: ${issue.message}` : String(error) });
  }
}

/** A restart on another port moves StackFlow with it: the admin edits the connection's URL. */
async function moveConnection(
  asAdmin: <T extends { ok: boolean }>(functionKey: string, payload: Record<string, unknown>) => Promise<Extract<T, { ok: true }>>,
  connectionId: string,
  url: string,
): Promise<void> {
  const { config, revision } = await asAdmin<GetConfigResponse>('getConfig', {});
  const connection = config.connections.find((c) => c.id === connectionId);
  if (!connection || connection.baseUrl === url) return;
  const moved = { ...config, connections: config.connections.map((c) => (c.id === connectionId ? { ...c, baseUrl: url } : c)) };
  await asAdmin<ConfigSavedResponse>('saveConfig', { config: moved, revision });
}

/** Jira's REST API over HTTP: Basic auth as a seeded user (any token, as Cloud API tokens go), or the demo admin. */
async function serveJiraRest(req: IncomingMessage, res: ServerResponse, url: URL, jira: JiraSimulator, adminAccountId: string): Promise<void> {
  const header = req.headers.authorization;
  const actor: JiraActor | null = header ? jira.authenticate(header) : { kind: 'user', accountId: adminAccountId };
  if (!actor) {
    sendJson(res, 401, { errorMessages: ['Basic authentication failed: unknown user'], errors: {} });
    return;
  }
  const body = await readBody(req);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
  const answer = await jira.handle({ method: req.method ?? 'GET', path: `${url.pathname.slice('/jira'.length)}${url.search}`, headers, ...(body === '' ? {} : { body }), actor });
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

// An offline Forge platform: runs the app's real code, with the real @forge/* packages, against the
// Jira simulator, an in-memory KVS, a queue with Forge's retry rules and an HTTP server for web
// triggers and Custom UI pages. See docs/architecture.md, "devkit".
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import type { JiraSimulator } from '../jira/simulator';
import type { JiraActor, ProductEvent } from '../jira/types';
import { createOpenApiChecker, type OpenApiChecker } from '../jira/contract/openapi';
import { checkAdf } from '../jira/contract/adf';
import { PlatformCalls, type InvocationRecord } from './calls';
import { createCustomUiHost } from './custom-ui/host';
import { type PlatformClock, VirtualClock, wallNow } from './clock';
import { CRASH_RETRY_REASON, CrashControl, isKvsWrite } from './crash';
import { egressAllows, egressDeniedError } from './egress';
import { KvsService } from './kvs/service';
import { kvsFetchHandler } from './kvs/fetch';
import { ASYNC_DEFAULT_TIMEOUT_SECONDS, loadAppModel, WEB_TRIGGER_TIMEOUT_SECONDS, type AppModel } from './manifest';
import { LONG_RUNNING_MAX_EVENT_KB, QueueService, type ConsumerOutcome, type QueueEvent } from './queue';
import {
  createMetrics,
  currentInvocation,
  installPlatformGlobals,
  releasePlatformGlobals,
  runInInvocation,
  type ForgeTarget,
  type InvocationRuntime,
  type PlatformHooks,
} from './runtime';
import type { PageContext, ResolverCall } from './types';

export interface EmulatorOptions {
  jira: JiraSimulator;
  /** The app's Jira account: events it causes are what `filter.ignoreSelf` drops. */
  appAccountId: string;
  appDir?: string;
  /** Virtual by default, so tests move time instead of waiting. */
  clock?: PlatformClock;
  /**
   * The app reads `clock` as Date.now() inside its invocations, as a Forge function reads the wall
   * clock Jira and the tool share (the sandbox and its chaos runs). Off by default: tests that move a
   * virtual clock sign their tool requests with the wall clock.
   */
  appReadsClock?: boolean;
  port?: number;
  host?: string;
  /** Base of the URLs handed out (web triggers, pages); defaults to the server's own address. */
  publicBaseUrl?: string;
  /** Keep the app's storage in this file between runs. */
  kvsFile?: string;
  /** Replaces the manifest's `permissions.external.fetch.backend` list (to test a refusal). */
  egress?: string[];
  /**
   * The one exemption from Forge's HTTPS-only egress: plain `http://` to a loopback host (the sandbox's
   * and the tests' local tools). Off by default; only whoever starts the emulator can switch it on, and
   * the app sees it as `http://` loopback entries in its backend permissions.
   */
  plainHttpLoopback?: boolean;
  /** The Jira user a Custom UI page is shown to when its URL names none. */
  defaultPageAccountId?: string;
  /** Check every Jira request and response against Atlassian's OpenAPI description (default on). */
  contractChecks?: boolean;
  /** By default `stop()` fails when any contract check failed, so no test can pass on a request real Jira would refuse. */
  allowContractViolations?: boolean;
  site?: { cloudId: string; siteUrl: string };
}

export interface ContractViolation {
  where: 'request' | 'response' | 'adf';
  operation: string;
  message: string;
}

export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

type RawOutcome = { kind: 'returned'; value: unknown } | { kind: 'threw'; error: unknown } | { kind: 'timeout' } | { kind: 'crashed'; kvsPath: string };

/** What fault injection needs to know of a running invocation. */
interface RunningInvocation {
  functionKey: string;
  moduleKey: string;
  /** It sent a request that may have changed the external tool. */
  toolWrote: boolean;
  /** A Jira write (not a search or match by POST): with `after: 'tool-or-jira-write'`, where a crash may follow. */
  jiraWrote: boolean;
  /** Its first storage write after a tool write was weighed for a crash already. */
  weighed: boolean;
  crash: (kvsPath: string) => void;
  /** Its last platform or egress call, for the report of an invocation that does not end. */
  lastCall?: string;
}

/**
 * Real time after which a test's invocation (virtual clock) is reported as not ending: Forge lets a
 * consumer run 900 s, and a test waiting that long only shows a timeout, not what the app waits for.
 */
const STUCK_REPORT_MS = 60_000;

const webTriggerResultSchema = z.strictObject({
  statusCode: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.array(z.string())).optional(),
  body: z.string().optional(),
  statusText: z.string().optional(),
});

const retrySignalSchema = z.object({
  _retry: z.literal(true),
  retryOptions: z.looseObject({ retryAfter: z.number().optional(), retryReason: z.string().optional(), retryData: z.unknown().optional() }).optional(),
});

/** Forge's web trigger payload limit. */
const WEB_TRIGGER_MAX_BYTES = 5 * 1024 * 1024;
const REPO_ROOT = join(__dirname, '..', '..');

export class ForgeEmulator {
  readonly app: AppModel;
  readonly clock: PlatformClock;
  readonly kvs: KvsService;
  readonly calls = new PlatformCalls();
  readonly invocations: InvocationRecord[] = [];
  readonly contractViolations: ContractViolation[] = [];
  /** The theme Jira shows pages in; a page that enabled theming picks it up on its next load. */
  pageColorMode: 'light' | 'dark' = 'light';
  /** Product events a trigger's `ignoreSelf` filter dropped. */
  readonly ignoredEvents: ProductEvent[] = [];
  readonly site: { cloudId: string; siteUrl: string };
  readonly queue: QueueService;
  /** Trigger invocations run through the same retry rules as queue events. */
  readonly triggerRuns: QueueService;
  /** Fault injection: invocations that die between a tool write and their next storage write. */
  readonly crashes = new CrashControl();

  private readonly jira: JiraSimulator;
  private readonly appAccountId: string;
  private readonly egress: string[];
  private readonly checker: OpenApiChecker | undefined;
  private readonly kvsFetch: ReturnType<typeof kvsFetchHandler>;
  private readonly routes: HttpRoute[] = [];
  private readonly hooks: PlatformHooks;
  private readonly environmentId = 'e0000000-0000-4000-8000-000000000001';
  private readonly installationId = 'i0000000-0000-4000-8000-000000000001';
  private exports: Record<string, unknown> = {};
  private server: Server | undefined;
  private baseUrl = '';
  private unsubscribe: (() => void) | undefined;
  private heldEvents: ProductEvent[] | undefined;
  private readonly running = new Map<string, RunningInvocation>();
  /** The app's request deadlines (AbortSignal.timeout inside an invocation), by signal. */
  private readonly deadlines = new WeakMap<AbortSignal, () => void>();
  /** Egress requests under a deadline whose answer has not come yet. */
  private readonly awaitingAnswer = new Set<{ method: string; url: string; signal: AbortSignal }>();

  private constructor(private readonly options: EmulatorOptions) {
    const appDir = options.appDir ?? REPO_ROOT;
    this.app = loadAppModel(appDir);
    this.clock = options.clock ?? new VirtualClock();
    this.jira = options.jira;
    // Installing the app is when Jira learns which of its issue properties to index for JQL.
    this.jira.indexEntityProperties(this.app.issuePropertyIndexes);
    this.appAccountId = options.appAccountId;
    this.egress = options.egress ?? this.app.egress;
    this.site = options.site ?? { cloudId: 'c0ffee00-0000-4000-8000-00000000cafe', siteUrl: 'https://tandem-sandbox.atlassian.net' };
    this.checker = options.contractChecks === false ? undefined : createOpenApiChecker();
    this.kvs = new KvsService({
      clock: () => this.clock.now(),
      ...(options.kvsFile ? { file: options.kvsFile } : {}),
      onOperation: (op) => this.calls.count(this.calls.kvs, op.kind),
    });
    this.kvsFetch = kvsFetchHandler(this.kvs);
    this.queue = new QueueService(
      this.clock,
      (q) => this.app.consumers.has(q),
      (event) => this.deliverToConsumer(event),
      (q) => {
        const consumer = this.app.consumers.get(q);
        const timeout = consumer ? this.app.functions.get(consumer.functionKey)?.timeoutSeconds : undefined;
        return timeout !== undefined && timeout > ASYNC_DEFAULT_TIMEOUT_SECONDS ? LONG_RUNNING_MAX_EVENT_KB : undefined;
      },
    );
    this.triggerRuns = new QueueService(
      this.clock,
      (key) => this.app.triggers.some((t) => t.key === key),
      (event) => this.deliverToTrigger(event),
    );
    this.hooks = {
      forgeFetch: (target, path, init) => this.forgeFetch(target, path, init),
      egressFetch: (input, init, original) => this.egressFetch(input, init, original),
      now: options.appReadsClock ? () => this.clock.now() : wallNow,
      timeoutSignal: (ms) => this.deadline(ms),
    };
  }

  /** Starts the platform with the app in `appDir` (default: this repository) installed. */
  static async start(options: EmulatorOptions): Promise<ForgeEmulator> {
    const emulator = new ForgeEmulator(options);
    installPlatformGlobals(emulator.hooks);
    try {
      emulator.loadApp(options.appDir ?? REPO_ROOT);
      await emulator.listen(options.port ?? 0, options.host ?? '127.0.0.1', options.publicBaseUrl);
    } catch (error) {
      releasePlatformGlobals(emulator.hooks);
      throw error;
    }
    emulator.unsubscribe = emulator.jira.onEvent((event) => emulator.onProductEvent(event));
    emulator.addRoute(
      createCustomUiHost({
        resources: Object.fromEntries(emulator.app.resources),
        modules: Object.fromEntries([...emulator.app.pages].map(([key, page]) => [key, { resource: page.resourceKey, title: page.title }])),
        contentPermissions: emulator.app.content,
        invokeResolver: (call) => emulator.invokeResolver(call),
        context: (moduleKey, accountId, issueKey) => emulator.pageContext(moduleKey, accountId, issueKey),
        defaultAccountId: options.defaultPageAccountId ?? options.appAccountId,
      }),
    );
    return emulator;
  }

  get url(): string {
    return this.baseUrl;
  }

  /**
   * What `webTrigger.getUrl(moduleKey)` returns inside the app: the current `…/public/<id>` form. The
   * older `…/x1/<id>` form of the same trigger is served too, as Forge still accepts it (and @forge/api
   * parses both): https://developer.atlassian.com/platform/forge/rest/v2/api-group-forge-webtriggers/
   */
  webTriggerUrl(moduleKey: string, form: 'public' | 'x1' = 'public'): string {
    if (!this.app.webTriggers.has(moduleKey)) throw new Error(`No web trigger ${moduleKey} in the manifest`);
    return `${this.baseUrl}/${form}/${this.webTriggerId(moduleKey)}`;
  }

  /** Where a person or a browser sees a Custom UI page as Jira frames it (an issue module: on the issue). */
  pageUrl(moduleKey: string, accountId: string, issueKey?: string): string {
    const issue = issueKey ? `&issueKey=${encodeURIComponent(issueKey)}` : '';
    return `${this.baseUrl}/forge/page/${encodeURIComponent(moduleKey)}?accountId=${encodeURIComponent(accountId)}${issue}`;
  }

  /**
   * Where Jira's issue view shows the app's issue modules for this user, as relative URLs on this
   * server: each jira:issueContext panel framed in the issue's sidebar, and each jira:issueAction
   * under the issue's "more" menu (opened as a dialog page).
   */
  issueModules(issueKey: string, accountId: string): { panels: Array<{ key: string; title: string; frameUrl: string }>; actions: Array<{ key: string; title: string; pageUrl: string }> } {
    const query = `?accountId=${encodeURIComponent(accountId)}&issueKey=${encodeURIComponent(issueKey)}`;
    const panels: Array<{ key: string; title: string; frameUrl: string }> = [];
    const actions: Array<{ key: string; title: string; pageUrl: string }> = [];
    for (const [key, page] of this.app.pages) {
      if (page.type === 'jira:issueContext') panels.push({ key, title: page.title, frameUrl: `/forge/ui/${encodeURIComponent(key)}/${encodeURIComponent(page.resourceKey)}/${query}` });
      if (page.type === 'jira:issueAction') actions.push({ key, title: page.title, pageUrl: `/forge/page/${encodeURIComponent(key)}${query}` });
    }
    return { panels, actions };
  }

  /** Mounts another handler on the emulator's HTTP server (Custom UI host, sandbox pages). */
  addRoute(route: HttpRoute): void {
    this.routes.push(route);
  }

  /** Resolves once no trigger, consumer or web trigger work is running or due now. */
  async settle(): Promise<void> {
    for (let i = 0; i < 1000; i += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      this.queue.schedule();
      this.triggerRuns.schedule();
      if (!this.queue.busy && !this.triggerRuns.busy) {
        await new Promise((resolve) => setImmediate(resolve));
        if (!this.queue.busy && !this.triggerRuns.busy) return;
      }
      await Promise.all([this.queue.whenIdle(), this.triggerRuns.whenIdle()]);
    }
    throw new Error('The emulator did not settle: work keeps scheduling more work');
  }

  /** Moves virtual time forward, running every delivery that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    for (;;) {
      await this.settle();
      const next = [...this.queue.waiting(), ...this.triggerRuns.waiting()].map((w) => w.dueAt).filter((t) => t <= target);
      if (next.length === 0) break;
      const step = Math.max(0, Math.min(...next) - this.clock.now());
      this.clock.advance(step);
      this.queue.schedule();
      this.triggerRuns.schedule();
    }
    const rest = target - this.clock.now();
    if (rest > 0) this.clock.advance(rest);
    await this.settle();
  }

  /** Runs queued work until none is left, moving virtual time as needed (at most `limitMs`). */
  async drain(limitMs = 4 * 60 * 60 * 1000): Promise<void> {
    const deadline = this.clock.now() + limitMs;
    const started = { wall: wallNow(), virtual: this.clock.now() };
    let reported = started.wall;
    await this.settle();
    for (;;) {
      const waiting = [...this.queue.waiting(), ...this.triggerRuns.waiting()];
      const first = waiting[0];
      if (!first) return;
      const soonest = Math.min(...waiting.map((w) => w.dueAt));
      if (soonest > deadline) throw new Error('Queued work is still waiting after the drain limit');
      if (wallNow() - reported >= STUCK_REPORT_MS) {
        // Work that keeps queueing more work: say what, since the test only ends when its timeout does.
        reported = wallNow();
        const kinds = waiting.slice(0, 5).map((w) => JSON.stringify(w.event).slice(0, 200));
        console.error(`devkit: drain has run ${Math.round((reported - started.wall) / 1000)} s of real time over ${Math.round((this.clock.now() - started.virtual) / 1000)} s of virtual time; ${waiting.length} waiting, e.g. ${kinds.join(' | ')}`);
      }
      await this.advance(Math.max(0, soonest - this.clock.now()));
    }
  }

  /** What a Custom UI page's `invoke` does: runs the module's resolver as the given user. */
  async invokeResolver(call: ResolverCall): Promise<unknown> {
    const page = this.app.pages.get(call.moduleKey);
    if (!page?.resolverFunctionKey) throw new Error(`Module ${call.moduleKey} has no resolver`);
    const context = this.pageContext(call.moduleKey, call.accountId, call.issueKey);
    const request = { call: { functionKey: call.functionKey, payload: call.payload, jobId: undefined }, context };
    const backend = { principal: { accountId: call.accountId }, installContext: this.installContext(), license: undefined, installation: undefined };
    const outcome = await this.invoke(page.resolverFunctionKey, call.moduleKey, 'resolver', [request, backend], call.accountId);
    if (outcome.kind === 'returned') return outcome.value;
    if (outcome.kind === 'timeout') throw new Error('The resolver timed out');
    if (outcome.kind === 'crashed') throw new Error('The resolver crashed');
    throw outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
  }

  /**
   * The context `view.getContext()` gives a page of this module, and its resolver gets. An issue's
   * modules (jira:issueContext, jira:issueAction) are shown on one issue, and only to someone who can
   * browse it; their extension names the issue and its project:
   * `{type, issue: {id, key, type, typeId}, project: {id, key, type}}`
   * (https://developer.atlassian.com/platform/forge/manifest-reference/modules/jira-issue-context/,
   * https://developer.atlassian.com/platform/forge/manifest-reference/modules/jira-issue-action/,
   * https://developer.atlassian.com/platform/forge/apis-reference/ui-api-bridge/view/#getcontext).
   */
  pageContext(moduleKey: string, accountId: string, issueKey?: string): PageContext {
    const type = this.app.pages.get(moduleKey)?.type ?? 'jira:adminPage';
    return {
      accountId,
      cloudId: this.site.cloudId,
      siteUrl: this.site.siteUrl,
      localId: `${moduleKey}-local`,
      locale: 'en-US',
      timezone: 'UTC',
      moduleKey,
      environmentId: this.environmentId,
      environmentType: 'DEVELOPMENT',
      extension: type === 'jira:adminPage' ? { type } : { type, ...this.issueExtension(moduleKey, accountId, issueKey) },
      theme: { colorMode: this.pageColorMode },
    };
  }

  private issueExtension(moduleKey: string, accountId: string, issueKey: string | undefined): Record<string, unknown> {
    if (!issueKey) throw new Error(`Module ${moduleKey} is shown on an issue: open it with the issue's key`);
    const issue = this.jira.getIssue(issueKey);
    const project = issue ? this.jira.getProject(issue.projectKey) : undefined;
    const user = this.jira.getUser(accountId);
    if (!issue || !project || !user || user.projectAccess?.[project.key] === 'none') {
      throw new Error(`Jira shows no issue ${issueKey} to ${accountId}`);
    }
    const typeId = project.issueTypes.find((t) => t.name === issue.issueTypeName)?.id ?? '';
    return {
      issue: { id: issue.id, key: issue.key, type: issue.issueTypeName, typeId },
      project: { id: project.id, key: project.key, type: 'software' },
    };
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.queue.stop();
    this.triggerRuns.stop();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    releasePlatformGlobals(this.hooks);
    if (this.contractViolations.length > 0 && !this.options.allowContractViolations) {
      const list = this.contractViolations.map((v) => `  ${v.where} ${v.operation}: ${v.message}`).join('\n');
      throw new Error(`Jira traffic that would not fit real Jira Cloud (Atlassian's OpenAPI description / ADF schema):\n${list}`);
    }
  }

  // ---- loading and serving ------------------------------------------------------------------

  private loadApp(appDir: string): void {
    // Required, not imported: the globals above must be in place before the SDKs load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded: unknown = require(join(appDir, 'src', 'index.ts'));
    if (typeof loaded !== 'object' || loaded === null) throw new Error('src/index.ts exports nothing');
    this.exports = loaded as Record<string, unknown>;
    for (const fn of this.app.functions.values()) {
      if (typeof this.exports[fn.exportName] !== 'function') {
        throw new Error(`manifest.yml names index.${fn.exportName} for function ${fn.key}, but src/index.ts does not export it as a function`);
      }
    }
  }

  private listen(port: number, host: string, publicBaseUrl: string | undefined): Promise<void> {
    const server = createServer((req, res) => {
      void this.serve(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: error instanceof Error ? error.message : 'Internal error' }));
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const address = server.address() as AddressInfo;
        this.baseUrl = publicBaseUrl ?? `http://${host}:${address.port}`;
        resolve();
      });
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const match = /^\/(?:x1|public)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (match) return this.serveWebTrigger(req, res, url, match[1] ?? '', match[2] ?? '');
    for (const route of this.routes) if (await route(req, res)) return;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `Nothing at ${url.pathname}` }));
  }

  private webTriggerId(moduleKey: string): string {
    // Stable per app, site and trigger, as Forge's URLs are, so a tool keeps working across restarts.
    return createHash('sha256').update(`${this.app.appId}|${this.site.cloudId}|${moduleKey}`).digest('hex').slice(0, 32);
  }

  private async serveWebTrigger(req: IncomingMessage, res: ServerResponse, url: URL, id: string, userPath: string): Promise<void> {
    const entry = [...this.app.webTriggers.entries()].find(([key]) => this.webTriggerId(key) === id);
    if (!entry) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Web trigger not found' }));
      return;
    }
    const [moduleKey, trigger] = entry;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > WEB_TRIGGER_MAX_BYTES) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Payload too large' }));
        req.destroy();
        return;
      }
      chunks.push(buffer);
    }
    // Header names reach the function in the caller's case, each with its values as an array
    // (https://developer.atlassian.com/platform/forge/runtime-reference/web-trigger/).
    const headers: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] ?? '';
      (headers[name] ??= []).push(req.rawHeaders[i + 1] ?? '');
    }
    const queryParameters: Record<string, string[]> = {};
    for (const [name, value] of url.searchParams) (queryParameters[name] ??= []).push(value);
    const request = {
      method: req.method ?? 'GET',
      path: url.pathname,
      userPath,
      headers,
      queryParameters,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    const outcome = await this.invoke(trigger.functionKey, moduleKey, 'webtrigger', [request, { installContext: this.installContext() }], undefined, WEB_TRIGGER_TIMEOUT_SECONDS);
    if (!trigger.dynamic) {
      res.writeHead(outcome.kind === 'returned' ? 204 : 500).end();
      return;
    }
    if (outcome.kind === 'timeout') {
      res.writeHead(504, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Function timed out' }));
      return;
    }
    const parsed = outcome.kind === 'returned' ? webTriggerResultSchema.safeParse(outcome.value) : undefined;
    if (!parsed?.success) {
      // Forge answers 500 for a thrown error or a result that is not a web trigger response.
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Internal server error' }));
      return;
    }
    const result = parsed.data;
    const outHeaders: Array<[string, string]> = [];
    for (const [name, values] of Object.entries(result.headers ?? {})) for (const value of values) outHeaders.push([name, value]);
    res.writeHead(result.statusCode, result.statusText ?? '', outHeaders);
    res.end(result.body ?? '');
  }

  // ---- invocations ----------------------------------------------------------------------------

  private installContext(): string {
    return `ari:cloud:jira::site/${this.site.cloudId}`;
  }

  private async invoke(
    functionKey: string,
    moduleKey: string,
    kind: InvocationRecord['kind'],
    args: unknown[],
    accountId: string | undefined,
    timeoutSeconds?: number,
  ): Promise<RawOutcome> {
    const fn = this.app.functions.get(functionKey);
    if (!fn) throw new Error(`No function ${functionKey} in the manifest`);
    const handler = this.exports[fn.exportName];
    if (typeof handler !== 'function') throw new Error(`src/index.ts does not export ${fn.exportName}`);
    const limitMs = (timeoutSeconds ?? fn.timeoutSeconds) * 1000;
    const invocationId = randomUUID();
    const started = wallNow();
    const startedOnPlatform = this.clock.now();
    const runtime: InvocationRuntime = {
      appContext: {
        appId: this.app.appId,
        appVersion: '1.0.0',
        environmentId: this.environmentId,
        environmentType: 'DEVELOPMENT',
        invocationId,
        installationId: this.installationId,
        moduleKey,
        license: undefined,
        permissions: { scopes: this.app.scopes, external: { fetch: { backend: this.reportedEgress() } } },
      },
      contextAri: this.installContext(),
      aaid: accountId,
      metrics: createMetrics(),
      tracing: { traceId: invocationId.replace(/-/g, '').slice(0, 16), spanId: invocationId.replace(/-/g, '').slice(16, 32) },
      proxy: { token: 'devkit', url: this.baseUrl },
      lambdaContext: { getRemainingTimeInMillis: () => Math.max(0, limitMs - (wallNow() - started)) },
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<RawOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timeout' }), limitMs);
    });
    const stuck = this.clock.virtual
      ? setInterval(() => {
          const invocation = this.running.get(invocationId);
          const awaiting = [...this.awaitingAnswer].map((a) => `${a.method} ${a.url}`);
          console.error(
            `devkit: ${functionKey} (${moduleKey}) has run ${Math.round((wallNow() - started) / 1000)} s of real time; its last call: ${invocation?.lastCall ?? 'none'}; requests awaiting an answer: ${awaiting.join(', ') || 'none'}`,
          );
        }, STUCK_REPORT_MS)
      : undefined;
    stuck?.unref();
    const crashed = new Promise<RawOutcome>((resolve) => {
      this.running.set(invocationId, { functionKey, moduleKey, toolWrote: false, jiraWrote: false, weighed: false, crash: (kvsPath) => resolve({ kind: 'crashed', kvsPath }) });
    });
    const run = runInInvocation({ runtime, hooks: this.hooks }, async (): Promise<RawOutcome> => {
      try {
        return { kind: 'returned', value: await (handler as (...a: unknown[]) => unknown)(...args) };
      } catch (error) {
        return { kind: 'threw', error };
      }
    });
    const outcome = await Promise.race([run, timeout, crashed]);
    clearTimeout(timer);
    clearInterval(stuck);
    this.running.delete(invocationId);
    const retry = (outcome.kind === 'returned' || outcome.kind === 'threw') && retrySignalSchema.safeParse(outcome.kind === 'returned' ? outcome.value : outcome.error).success;
    this.invocations.push({
      invocationId,
      moduleKey,
      functionKey,
      kind,
      startedAt: started,
      at: startedOnPlatform,
      durationMs: wallNow() - started,
      outcome: outcome.kind === 'timeout' ? 'timeout' : retry ? 'retry' : outcome.kind === 'threw' || outcome.kind === 'crashed' ? 'error' : 'ok',
      ...(outcome.kind === 'threw' && !retry ? { error: describe(outcome.error) } : {}),
      ...(outcome.kind === 'crashed' ? { error: `${CRASH_RETRY_REASON}: crashed (fault injection) before ${outcome.kvsPath}` } : {}),
    });
    return outcome;
  }

  private toConsumerOutcome(outcome: RawOutcome): ConsumerOutcome {
    if (outcome.kind === 'timeout') return { kind: 'retry', retryAfterSeconds: 1, retryReason: 'FUNCTION_TIME_OUT' };
    if (outcome.kind === 'crashed') return { kind: 'retry', retryAfterSeconds: 1, retryReason: CRASH_RETRY_REASON };
    const signal = retrySignalSchema.safeParse(outcome.kind === 'returned' ? outcome.value : outcome.error);
    if (signal.success) {
      const options = signal.data.retryOptions;
      return {
        kind: 'retry',
        retryAfterSeconds: options?.retryAfter ?? 1,
        retryReason: options?.retryReason ?? 'FUNCTION_RETRY_REQUEST',
        ...(options?.retryData === undefined ? {} : { retryData: options.retryData }),
      };
    }
    if (outcome.kind === 'threw') return { kind: 'failed', reason: describe(outcome.error) };
    return { kind: 'done' };
  }

  private async deliverToConsumer(event: QueueEvent): Promise<ConsumerOutcome> {
    const consumer = this.app.consumers.get(event.queueName);
    if (!consumer) return { kind: 'failed', reason: `No consumer for queue ${event.queueName}` };
    const payload = { ...event, ...(event.retryContext ? {} : { retryContext: undefined }) };
    const raw = await this.invoke(consumer.functionKey, consumer.key, 'consumer', [payload, { installContext: this.installContext() }], undefined);
    const outcome = this.toConsumerOutcome(raw);
    // A consumer that throws is retried as one that asks for it, its event carrying `retryContext`
    // (https://developer.atlassian.com/platform/forge/limits-async-events/). Forge does not document
    // the reason it gives; the devkit says FUNCTION_PLATFORM_UNKNOWN_ERROR.
    if (outcome.kind === 'failed' && raw.kind === 'threw') return { kind: 'retry', retryAfterSeconds: 1, retryReason: 'FUNCTION_PLATFORM_UNKNOWN_ERROR' };
    return outcome;
  }

  private async deliverToTrigger(event: QueueEvent): Promise<ConsumerOutcome> {
    const trigger = this.app.triggers.find((t) => t.key === event.queueName);
    if (!trigger) return { kind: 'failed', reason: `No trigger ${event.queueName}` };
    const payload = { ...event.body, ...(event.retryContext ? { retryContext: event.retryContext } : {}) };
    return this.toConsumerOutcome(await this.invoke(trigger.functionKey, trigger.key, 'trigger', [payload, { installContext: this.installContext() }], undefined));
  }

  /**
   * Runs a scheduled trigger once, as Forge does on its interval: without a user, with `{context}`;
   * its return value is ignored and an error is not retried
   * (https://developer.atlassian.com/platform/forge/manifest-reference/modules/scheduled-trigger/).
   * Then the queue work it started runs as far as `settle` takes it.
   */
  async runScheduledTrigger(key: string): Promise<'ok' | 'error' | 'timeout'> {
    const trigger = this.app.scheduledTriggers.get(key);
    if (!trigger) throw new Error(`No scheduled trigger ${key} in the manifest`);
    const outcome = await this.invoke(trigger.functionKey, key, 'trigger', [{ context: { cloudId: this.site.cloudId, moduleKey: key } }, { installContext: this.installContext() }], undefined);
    return outcome.kind === 'timeout' ? 'timeout' : outcome.kind === 'returned' ? 'ok' : 'error';
  }

  /** Keeps Jira's product events from the triggers until released, so a test can deliver them late or out of order. */
  holdProductEvents(): void {
    this.heldEvents ??= [];
  }

  /** Stops holding and hands back the held events, undelivered, in the order Jira emitted them. */
  releaseProductEvents(): ProductEvent[] {
    const held = this.heldEvents ?? [];
    this.heldEvents = undefined;
    return held;
  }

  /** Hands one product event to the triggers subscribed to it, as when Jira emits it (ignoreSelf applies). */
  deliverProductEvent(event: ProductEvent): void {
    for (const trigger of this.app.triggers) {
      if (!trigger.events.includes(event.eventType)) continue;
      if (trigger.ignoreSelf && event.causedByApp) {
        this.ignoredEvents.push(event);
        continue;
      }
      this.triggerRuns.enqueue(trigger.key, event.payload);
    }
  }

  /**
   * Loses this share (0..1) of Jira's product events before any trigger sees them, drawn from
   * `random` (seed it, so a run repeats): Forge delivers events at least once, and events are lost
   * when an app is down or a deploy is under way. 0 stops it.
   */
  dropProductEvents(share: number, random: () => number = Math.random): void {
    this.dropping = share > 0 ? { share, random } : undefined;
  }

  /** Product events lost to dropProductEvents. */
  readonly droppedEvents: ProductEvent[] = [];
  private dropping: { share: number; random: () => number } | undefined;

  private onProductEvent(event: ProductEvent): void {
    if (this.dropping && this.dropping.random() < this.dropping.share) this.droppedEvents.push(event);
    else if (this.heldEvents) this.heldEvents.push(event);
    else this.deliverProductEvent(event);
  }

  private noteCall(call: string): void {
    const invocation = this.running.get(currentInvocation()?.runtime.appContext.invocationId ?? '');
    if (invocation) invocation.lastCall = `${call} at ${new Date(wallNow()).toISOString()}`;
  }

  /** True when this storage write is where the current invocation dies (see crash.ts); it then never returns. */
  private crashHere(kvsPath: string): boolean {
    const invocation = this.running.get(currentInvocation()?.runtime.appContext.invocationId ?? '');
    if (!invocation || invocation.weighed || !this.crashes.weighs(invocation.functionKey, { tool: invocation.toolWrote, jira: invocation.jiraWrote })) return false;
    invocation.weighed = true;
    if (!this.crashes.shouldCrash()) return false;
    this.crashes.crashed.push({ functionKey: invocation.functionKey, moduleKey: invocation.moduleKey, kvsPath, at: this.clock.now() });
    invocation.crash(kvsPath);
    return true;
  }

  // ---- platform calls -------------------------------------------------------------------------

  private async forgeFetch(target: ForgeTarget, path: string, init: RequestInit | undefined): Promise<Response> {
    this.noteCall(`${target.type}${target.remote ? `/${target.remote}` : ''} ${(init?.method ?? 'GET').toUpperCase()} ${path}`);
    if (target.type === 'kvs') {
      if (isKvsWrite(path) && this.crashHere(path)) return new Promise<Response>(() => undefined);
      return this.kvsFetch(path, init);
    }
    if (target.type === 'fpp' && target.remote === 'jira') return this.jiraFetch(target, path, init);
    if (target.type === 'fpp' && target.remote === 'stargate') return this.stargateFetch(path, init);
    return jsonResponse(400, { message: `The devkit does not emulate ${target.type}/${target.remote ?? ''} calls` }, { 'forge-proxy-error': 'PROXY_ERR' });
  }

  private async jiraFetch(target: ForgeTarget, path: string, init: RequestInit | undefined): Promise<Response> {
    let actor: JiraActor = { kind: 'app' };
    if (target.provider === 'user') {
      // `api.asUser()` acts as the user who invoked the function; `api.asUser(accountId)` puts the id in
      // the target, which is user impersonation: refused unless a scope declares `allowImpersonation`,
      // which an app cannot do today.
      // https://developer.atlassian.com/platform/forge/apis-reference/fetch-api-product.requestjira/
      if (target.accountId !== undefined && !this.app.impersonation) {
        return jsonResponse(
          403,
          { message: 'api.asUser(accountId) is user impersonation, which the app has not declared; use api.asUser() to act as the invoking user' },
          { 'forge-proxy-error': 'IMPERSONATION_NOT_ALLOWED' },
        );
      }
      const accountId = target.accountId ?? currentInvocation()?.runtime.aaid;
      if (!accountId) return jsonResponse(401, { message: 'No user to act as' }, { 'forge-proxy-error': 'NEEDS_AUTHENTICATION_ERR' });
      actor = { kind: 'user', accountId };
    }
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = lowerCaseHeaders(init?.headers);
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const template = this.checker?.operationTemplate(method, path) ?? path.split('?')[0] ?? path;
    this.calls.count(this.calls.jira, `${method} ${template}`);
    const invocation = this.running.get(currentInvocation()?.runtime.appContext.invocationId ?? '');
    if (invocation && method !== 'GET' && method !== 'HEAD' && !JIRA_READS_BY_POST.has(template)) invocation.jiraWrote = true;
    const parsedBody = parseJson(body);
    if (this.checker) {
      for (const p of this.checker.checkRequest({ method, path, ...(parsedBody === undefined ? {} : { body: parsedBody }) })) this.contractViolations.push(p);
      for (const doc of findAdfDocuments(parsedBody)) {
        for (const message of checkAdf(doc.value)) this.contractViolations.push({ where: 'adf', operation: `${method} ${template}`, message: `${doc.path}: ${message}` });
      }
    }
    const response = await this.jira.handle({ method, path, headers, ...(body === undefined ? {} : { body }), actor });
    if (this.checker) {
      const responseBody = parseJson(response.body);
      for (const p of this.checker.checkResponse({ method, path, status: response.status, ...(responseBody === undefined ? {} : { body: responseBody }) })) {
        this.contractViolations.push(p);
      }
    }
    const noBody = response.status === 204 || response.status === 304 || response.body === '';
    return new Response(noBody ? null : response.body, { status: response.status, headers: response.headers });
  }

  private async stargateFetch(path: string, init: RequestInit | undefined): Promise<Response> {
    const body = parseJson(typeof init?.body === 'string' ? init.body : undefined);
    if (path.startsWith('/webhook/queue/publish/')) {
      const answer = this.queue.push(body);
      if (answer.status === 201) {
        this.calls.queuePushes += 1;
        this.calls.queueEvents += Array.isArray((body as { payload?: unknown[] } | undefined)?.payload) ? ((body as { payload: unknown[] }).payload.length) : 0;
      }
      return jsonResponse(answer.status, answer.body);
    }
    if (path === '/graphql') {
      const request = z.object({ query: z.string(), variables: z.record(z.string(), z.unknown()).optional() }).safeParse(body);
      if (request.success && request.data.query.includes('createWebTriggerUrl')) {
        const input = z.object({ input: z.object({ triggerKey: z.string() }) }).safeParse(request.data.variables);
        if (!input.success || !this.app.webTriggers.has(input.data.input.triggerKey)) {
          return jsonResponse(200, { data: null, errors: [{ message: 'Web trigger not found in the manifest' }] });
        }
        return jsonResponse(200, { data: { createWebTriggerUrl: { url: this.webTriggerUrl(input.data.input.triggerKey) } } });
      }
      if (request.success && request.data.query.includes('deleteWebTriggerUrl')) {
        return jsonResponse(200, { data: { deleteWebTriggerUrl: { success: true } } });
      }
    }
    return jsonResponse(404, { message: `The devkit does not emulate ${path}` });
  }

  /** The backend permissions the app reads (`getAppContext().permissions`): the manifest's, plus the loopback exemption when on. */
  private reportedEgress(): string[] {
    return this.options.plainHttpLoopback ? [...this.egress, ...LOOPBACK_HOSTS.map((host) => `http://${host}`)] : this.egress;
  }

  private async egressFetch(input: string | URL | Request, init: RequestInit | undefined, original: typeof fetch): Promise<Response> {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    this.calls.count(this.calls.egress, `${method} ${url.host}`);
    // Forge fetch is HTTPS only; a plain http:// request gets a 400 that says nothing more
    // (https://developer.atlassian.com/platform/forge/function-reference/nodejs-runtime/,
    // https://jira.atlassian.com/browse/ECO-876).
    if (url.protocol !== 'https:' && !(this.options.plainHttpLoopback && url.protocol === 'http:' && isLoopback(url))) {
      return new Response('Bad Request', { status: 400, headers: { 'content-type': 'text/plain' } });
    }
    if (!egressAllows(this.egress, url)) throw egressDeniedError(url.href);
    this.noteCall(`egress ${method} ${url.href}`);
    const invocation = this.running.get(currentInvocation()?.runtime.appContext.invocationId ?? '');
    if (invocation && method !== 'GET' && method !== 'HEAD') invocation.toolWrote = true;
    const signal = init?.signal;
    if (!signal || !this.deadlines.has(signal)) return original(input, init);
    const awaiting = { method, url: url.href, signal };
    this.awaitingAnswer.add(awaiting);
    try {
      return await original(input, init);
    } finally {
      this.awaitingAnswer.delete(awaiting);
    }
  }

  /** A deadline as `AbortSignal.timeout` makes it (aborted with a TimeoutError), which passEgressDeadlines can end early. */
  private deadline(ms: number): AbortSignal {
    const controller = new AbortController();
    const pass = () => {
      clearTimeout(timer);
      if (!controller.signal.aborted) controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    };
    const timer = setTimeout(pass, ms);
    timer.unref();
    this.deadlines.set(controller.signal, pass);
    return controller.signal;
  }

  /**
   * The tool holds its answer to this request past any time limit (a timeout fault): the app's
   * deadline on it passes now, as it would once its seconds ran out, so a test need not wait them.
   * The app sees exactly what it sees at the deadline: its request aborted by its own time limit.
   */
  passEgressDeadlines(request: { method: string; url: string }): number {
    let passed = 0;
    for (const awaiting of this.awaitingAnswer) {
      if (awaiting.method !== request.method.toUpperCase() || awaiting.url !== request.url) continue;
      this.deadlines.get(awaiting.signal)?.();
      passed += 1;
    }
    return passed;
  }
}

/** Jira operations that read by POST: they write nothing a crash could leave behind. */
const JIRA_READS_BY_POST = new Set(['/rest/api/3/search/jql', '/rest/api/3/jql/match', '/rest/api/3/issue/bulkfetch', '/rest/api/3/jql/parse']);

/** Loopback hosts: the only ones the sandbox's plain-http exemption reaches. */
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.includes(url.hostname.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function lowerCaseHeaders(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

/** Every ADF document inside a request body, wherever the app put one (description, comment, custom fields). */
function findAdfDocuments(value: unknown, path = 'body'): Array<{ path: string; value: unknown }> {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if (record.type === 'doc' && 'content' in record) return [{ path, value }];
  const found: Array<{ path: string; value: unknown }> = [];
  for (const [key, child] of Object.entries(record)) found.push(...findAdfDocuments(child, `${path}.${key}`));
  return found;
}

// The globals the real @forge/* packages read: `__forge_runtime__` (per invocation, through
// AsyncLocalStorage so concurrent invocations keep their own context), `__forge_fetch__` (every
// platform call) and the global `fetch` that @forge/api captures for egress.
import { AsyncLocalStorage } from 'node:async_hooks';
import { wallNow } from './clock';

export interface InvocationRuntime {
  appContext: {
    appId: string;
    appVersion: string;
    environmentId: string;
    environmentType: 'DEVELOPMENT' | 'STAGING' | 'PRODUCTION';
    invocationId: string;
    installationId: string;
    moduleKey: string;
    license: undefined;
    permissions: { scopes: string[]; external: Record<string, unknown> };
  };
  contextAri: string;
  aaid: string | undefined;
  metrics: ReturnType<typeof noMetrics>;
  tracing: { traceId: string; spanId: string };
  proxy: { token: string; url: string };
  lambdaContext: { getRemainingTimeInMillis: () => number };
}

export interface ForgeTarget {
  type: string;
  provider?: string;
  remote?: string;
  accountId?: string;
}

export interface PlatformHooks {
  /** Every call the SDKs make to the platform (`__forge_fetch__`). */
  forgeFetch(target: ForgeTarget, path: string, init: RequestInit | undefined): Promise<Response>;
  /** A global `fetch` made inside an invocation: egress to the external tool. */
  egressFetch(input: string | URL | Request, init: RequestInit | undefined, original: typeof fetch): Promise<Response>;
  /** The platform's time, which the app reads as Date.now() inside an invocation. */
  now(): number;
  /** `AbortSignal.timeout(ms)` made inside an invocation: a deadline the emulator can see (and pass early). */
  timeoutSignal(ms: number): AbortSignal;
}

export interface InvocationScope {
  runtime: InvocationRuntime;
  hooks: PlatformHooks;
}

const storage = new AsyncLocalStorage<InvocationScope>();
let installedHooks: PlatformHooks | undefined;
let globalsInstalled = false;

function noMetrics() {
  const counter = { incr: () => undefined, decr: () => undefined };
  const timing = { measure: () => ({ stop: () => undefined }) };
  return { counter: () => counter, timing: () => timing, gauge: () => ({ set: () => undefined }) };
}

/** Outside any invocation (e.g. while src/index.ts is loading) the SDKs still need a runtime to read. */
const loadTimeRuntime: InvocationRuntime = {
  appContext: {
    appId: 'loading',
    appVersion: '0.0.0',
    environmentId: 'loading',
    environmentType: 'DEVELOPMENT',
    invocationId: 'loading',
    installationId: 'loading',
    moduleKey: 'loading',
    license: undefined,
    permissions: { scopes: [], external: {} },
  },
  contextAri: 'ari:cloud:jira::site/loading',
  aaid: undefined,
  metrics: noMetrics(),
  tracing: { traceId: '0', spanId: '0' },
  proxy: { token: 'devkit', url: 'http://devkit.invalid' },
  lambdaContext: { getRemainingTimeInMillis: () => 0 },
};

export function createMetrics(): InvocationRuntime['metrics'] {
  return noMetrics();
}

export function currentInvocation(): InvocationScope | undefined {
  return storage.getStore();
}

export function runInInvocation<T>(scope: InvocationScope, fn: () => Promise<T>): Promise<T> {
  return storage.run(scope, fn);
}

/**
 * Installs the platform globals once per process. Must run before @forge/kvs or @forge/api is first
 * required: kvs picks its client, and api captures `fetch`, when they load.
 */
export function installPlatformGlobals(hooks: PlatformHooks): void {
  if (installedHooks && installedHooks !== hooks) {
    throw new Error('A Forge emulator is already running in this process; stop it before starting another');
  }
  installedHooks = hooks;
  if (globalsInstalled) return;
  globalsInstalled = true;
  const g = globalThis as Record<string, unknown>;
  Object.defineProperty(g, '__forge_runtime__', {
    configurable: true,
    get: () => storage.getStore()?.runtime ?? loadTimeRuntime,
  });
  g.__forge_fetch__ = (target: ForgeTarget, path: string, init?: RequestInit) => {
    const scope = storage.getStore();
    const active = scope?.hooks ?? installedHooks;
    if (!active) return Promise.reject(new Error('No Forge emulator is running'));
    return active.forgeFetch(target, path, init);
  };
  const original = globalThis.fetch.bind(globalThis);
  const platformFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const scope = storage.getStore();
    // Test code and devkit servers fetch freely; only the app's own code is held to the egress rules.
    if (!scope) return original(input, init);
    return scope.hooks.egressFetch(input, init, original);
  };
  globalThis.fetch = platformFetch as typeof fetch;
  // Jira, the tool and a Forge function read one wall clock: inside an invocation the app reads the
  // platform's time (when the emulator says so), so its timestamps (a shadow's change times, a
  // retry's due time) compare with Jira's `updated` and the tool's `occurredAt` as they would in Forge.
  const appNow = (): number => storage.getStore()?.hooks.now() ?? wallNow();
  Date.now = Object.assign(appNow, { wall: wallNow });
  // The app's time limits on its own requests: the emulator keeps them, so a tool known to hold its
  // answer past any limit lets the limit pass at once instead of in real seconds (see passEgressDeadlines).
  const timeout = AbortSignal.timeout.bind(AbortSignal);
  AbortSignal.timeout = (ms: number): AbortSignal => storage.getStore()?.hooks.timeoutSignal(ms) ?? timeout(ms);
}

/** Lets a new emulator take over the globals after the previous one stopped. */
export function releasePlatformGlobals(hooks: PlatformHooks): void {
  if (installedHooks === hooks) installedHooks = undefined;
}

export function activePlatformHooks(): PlatformHooks | undefined {
  return installedHooks;
}

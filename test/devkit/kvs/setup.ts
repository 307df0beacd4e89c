// Installs the minimal Forge runtime globals @forge/kvs reads, routes its `__forge_fetch__` to a
// KvsService, and only then loads the real client (it picks its fetch client when it loads).
import { KvsService, type KvsServiceOptions } from '../../../devkit/forge/kvs/service';
import { kvsFetchHandler } from '../../../devkit/forge/kvs/fetch';

/** Virtual time for TTLs: tests move it with `advance`. */
let now = Date.UTC(2026, 10, 1, 12, 0, 0);
export const clock = (): number => now;
export function advance(ms: number): void {
  now += ms;
}

let service = new KvsService({ clock });
let handler = kvsFetchHandler(service);

/** The service the client currently talks to. */
export function currentService(): KvsService {
  return service;
}

/** Points the client at a fresh service (built with the shared clock unless the options give one). */
export function useService(options: KvsServiceOptions = {}): KvsService {
  service = new KvsService({ clock, ...options });
  handler = kvsFetchHandler(service);
  return service;
}

function noMetrics() {
  const counter = { incr: () => undefined, decr: () => undefined };
  const timing = { measure: () => ({ stop: () => undefined }) };
  return { counter: () => counter, timing: () => timing, gauge: () => ({ set: () => undefined }) };
}

Object.assign(globalThis, {
  // No `kvs.url`: the client then calls __forge_fetch__ with the {type:'kvs', provider:'app', remote:'kvs'} target.
  __forge_runtime__: {
    proxy: { token: 't' },
    tracing: { traceId: 'a', spanId: 'b' },
    metrics: noMetrics(),
    appContext: {
      appId: 'test-app',
      appVersion: '1.0.0',
      environmentId: 'test-env',
      environmentType: 'DEVELOPMENT',
      invocationId: 'test-invocation',
      installationId: 'test-installation',
      moduleKey: 'test-module',
      license: undefined,
      permissions: { scopes: ['storage:app'], external: {} },
    },
  },
  __forge_fetch__: async (target: { type?: string }, path: string, init?: RequestInit): Promise<Response> => {
    if (target.type !== 'kvs') throw new Error(`unexpected platform call ${JSON.stringify(target)} ${path}`);
    return handler(path, init);
  },
});

// Loaded after the globals on purpose: a static import would be hoisted above them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const forgeKvs = require('@forge/kvs') as typeof import('@forge/kvs');
export const { kvs, WhereConditions, FilterConditions, Filter, ForgeKvsAPIError, Sort, MetadataField } = forgeKvs;

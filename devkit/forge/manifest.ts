// Reads manifest.yml into the few facts the emulator wires modules with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const key = z.string().min(1);
const filterSchema = z.looseObject({ ignoreSelf: z.boolean().optional(), expression: z.string().optional() });

const pageModule = z.looseObject({ key, title: z.string().optional(), resource: key, resolver: z.object({ function: key }).optional() });

/** The Custom UI modules the emulator hosts; an issue's modules are shown on one issue. */
export type PageModuleType = 'jira:adminPage' | 'jira:issueContext' | 'jira:issueAction';
const PAGE_MODULE_TYPES: readonly PageModuleType[] = ['jira:adminPage', 'jira:issueContext', 'jira:issueAction'];

const manifestSchema = z.object({
  modules: z.looseObject({
    trigger: z
      .array(z.looseObject({ key, function: key, events: z.array(z.string()).min(1), filter: filterSchema.optional() }))
      .default([]),
    webtrigger: z
      .array(
        z.looseObject({ key, function: key, response: z.looseObject({ type: z.enum(['dynamic', 'static']) }).optional() }),
      )
      .default([]),
    consumer: z.array(z.looseObject({ key, queue: key, function: key })).default([]),
    // At most 5 a app (https://developer.atlassian.com/platform/forge/platform-quotas-and-limits/).
    scheduledTrigger: z.array(z.looseObject({ key, function: key, interval: z.enum(['fiveMinute', 'hour', 'day', 'week']) })).max(5).default([]),
    'jira:adminPage': z.array(pageModule).default([]),
    'jira:issueContext': z.array(pageModule).default([]),
    'jira:issueAction': z.array(pageModule).default([]),
    'jira:entityProperty': z
      .array(
        z.looseObject({
          key,
          entityType: z.enum(['issue', 'project', 'user']).default('issue'),
          propertyKey: key,
          values: z.array(z.looseObject({ path: key, type: z.enum(['number', 'string', 'text', 'user', 'date']), searchAlias: z.string().regex(/^[a-zA-Z0-9._-]+$/).optional() })),
        }),
      )
      .default([]),
    function: z.array(z.object({ key, handler: z.string().regex(/^[\w-]+\.\w+$/), timeoutSeconds: z.number().optional() })).default([]),
  }),
  resources: z.array(z.object({ key, path: z.string() })).default([]),
  permissions: z.looseObject({
    // Scopes are a list, or (a form Forge's schema marks "not yet supported") a map of scope to
    // options, where `allowImpersonation` is what lets `api.asUser(accountId)` act as another user.
    scopes: z.union([z.array(z.string()), z.record(z.string(), z.strictObject({ allowImpersonation: z.boolean().optional() }))]).default([]),
    content: z.looseObject({ scripts: z.array(z.string()).optional(), styles: z.array(z.string()).optional() }).optional(),
    external: z
      .looseObject({ fetch: z.looseObject({ backend: z.array(z.union([z.string(), z.looseObject({ address: z.string() })])).default([]) }).optional() })
      .optional(),
  }).default({ scopes: [] }),
  app: z.looseObject({ id: z.string() }),
});

export interface FunctionModel {
  key: string;
  /** Name of the export of src/index.ts. */
  exportName: string;
  timeoutSeconds: number;
}

export interface AppModel {
  appId: string;
  functions: Map<string, FunctionModel>;
  triggers: Array<{ key: string; functionKey: string; events: string[]; ignoreSelf: boolean }>;
  webTriggers: Map<string, { functionKey: string; dynamic: boolean }>;
  consumers: Map<string /* queue */, { key: string; functionKey: string }>;
  /** Scheduled triggers by key; a test runs one when it wants (see ForgeEmulator.runScheduledTrigger). */
  scheduledTriggers: Map<string, { functionKey: string; interval: 'fiveMinute' | 'hour' | 'day' | 'week' }>;
  pages: Map<string, { type: PageModuleType; resourceKey: string; title: string; resolverFunctionKey: string | undefined }>;
  resources: Map<string, string>;
  scopes: string[];
  /**
   * Whether a scope declares `allowImpersonation`: only then may `api.asUser(accountId)` act as a user
   * other than the invoking one. An app cannot declare it today.
   * https://developer.atlassian.com/platform/forge/apis-reference/fetch-api-product.requestjira/
   */
  impersonation: boolean;
  egress: string[];
  /** Issue property values the app's jira:entityProperty modules ask Jira to index for JQL. */
  issuePropertyIndexes: Array<{ propertyKey: string; path: string; type: 'number' | 'string' | 'text' | 'user' | 'date'; searchAlias?: string }>;
  /** `permissions.content`: what a Custom UI page's CSP allows beyond its own files. */
  content: { scripts: string[]; styles: string[] };
}

/**
 * Forge's runtime limits (https://developer.atlassian.com/platform/forge/limits-invocation/): 25 s for
 * ordinary functions; a function referenced only by consumers (or scheduled triggers) gets 55 s by
 * default and up to 900 s with `timeoutSeconds`; web triggers 55 s.
 */
export const DEFAULT_TIMEOUT_SECONDS = 25;
export const ASYNC_DEFAULT_TIMEOUT_SECONDS = 55;
export const WEB_TRIGGER_TIMEOUT_SECONDS = 55;

export function loadAppModel(appDir: string): AppModel {
  const raw: unknown = parse(readFileSync(join(appDir, 'manifest.yml'), 'utf8'));
  const manifest = manifestSchema.parse(raw);
  const modules = manifest.modules;
  const functions = new Map<string, FunctionModel>();
  // Consumers and scheduled triggers get the asynchronous default (55 s), up to 900 s with timeoutSeconds.
  const consumerFunctions = new Set([...modules.consumer.map((c) => c.function), ...modules.scheduledTrigger.map((t) => t.function)]);
  const otherFunctions = new Set([
    ...modules.trigger.map((t) => t.function),
    ...modules.webtrigger.map((w) => w.function),
    ...PAGE_MODULE_TYPES.flatMap((type) => modules[type].flatMap((p) => (p.resolver ? [p.resolver.function] : []))),
  ]);
  for (const f of modules.function) {
    const [file, exportName] = f.handler.split('.') as [string, string];
    if (file !== 'index') throw new Error(`Function ${f.key}: the emulator loads handlers from src/index.ts only, not ${file}`);
    const asyncOnly = consumerFunctions.has(f.key) && !otherFunctions.has(f.key);
    functions.set(f.key, { key: f.key, exportName, timeoutSeconds: f.timeoutSeconds ?? (asyncOnly ? ASYNC_DEFAULT_TIMEOUT_SECONDS : DEFAULT_TIMEOUT_SECONDS) });
  }
  return {
    appId: manifest.app.id,
    functions,
    triggers: modules.trigger.map((t) => ({ key: t.key, functionKey: t.function, events: t.events, ignoreSelf: t.filter?.ignoreSelf === true })),
    webTriggers: new Map(modules.webtrigger.map((w) => [w.key, { functionKey: w.function, dynamic: w.response?.type === 'dynamic' }])),
    consumers: new Map(modules.consumer.map((c) => [c.queue, { key: c.key, functionKey: c.function }])),
    scheduledTriggers: new Map(modules.scheduledTrigger.map((t) => [t.key, { functionKey: t.function, interval: t.interval }])),
    pages: new Map(
      PAGE_MODULE_TYPES.flatMap((type) =>
        modules[type].map((p) => [p.key, { type, resourceKey: p.resource, title: p.title ?? p.key, resolverFunctionKey: p.resolver?.function }] as const),
      ),
    ),
    resources: new Map(manifest.resources.map((r) => [r.key, join(appDir, r.path)])),
    scopes: Array.isArray(manifest.permissions.scopes) ? manifest.permissions.scopes : Object.keys(manifest.permissions.scopes),
    impersonation: !Array.isArray(manifest.permissions.scopes) && Object.values(manifest.permissions.scopes).some((o) => o.allowImpersonation === true),
    issuePropertyIndexes: modules['jira:entityProperty']
      .filter((m) => m.entityType === 'issue')
      .flatMap((m) => m.values.map((v) => ({ propertyKey: m.propertyKey, path: v.path, type: v.type, ...(v.searchAlias ? { searchAlias: v.searchAlias } : {}) }))),
    content: { scripts: manifest.permissions.content?.scripts ?? [], styles: manifest.permissions.content?.styles ?? [] },
    egress: (manifest.permissions.external?.fetch?.backend ?? []).map((e) => (typeof e === 'string' ? e : e.address)),
  };
}

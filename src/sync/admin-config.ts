// The configuration as the admin page reads and changes it. Every change is one write of the one
// `config` key (never half a configuration), guarded by a revision so two admins do not silently
// overwrite each other, and checked like any saved configuration plus Jira's field types.
import * as z from 'zod';
import { placeOfField, type AdminError, type AdminResult, type ConfigView, type FieldError, type PresetSummary } from '../contract/admin';
import {
  CONFIG_VERSION,
  checkFieldMapping,
  connectionIdFrom,
  findPreset,
  isMaskedPushUrl,
  maskPushUrl,
  parseConfig,
  pushUrlCarriesKey,
  toolFieldTypeErrors,
  presets,
  type Connection,
  type ConnectionInput,
  type FieldMapping,
  type TandemConfig,
} from '../mapping';
import { checkJiraBoards } from './admin-boards';
import type { AdminPorts } from './admin-ports';
import type { EgressPort, Ports } from './ports';
import { CONFIG_KEY, pushUrlSecretKey } from './state';
import { checkAgainstTools } from './tool-description';

/** Held while one save checks the revision and writes, so a second save waits its turn. */
const SAVE_LOCK_KEY = 'lock:config-save';
const SAVE_LOCK_SECONDS = 20;

/** Kept beside the configuration in the same value; parseConfig ignores these keys. */
const savedMetaSchema = z.object({
  revision: z.number().int().min(0).catch(0),
  savedAt: z.string().optional().catch(undefined),
  savedBy: z.string().optional().catch(undefined),
});

export const EMPTY_CONFIG: TandemConfig = { version: CONFIG_VERSION, connections: [] };

export type Outcome<T extends object> = AdminResult<T>;
export const failure = (code: AdminError['code'], message: string, fieldErrors?: FieldError[]): { ok: false; error: AdminError } => ({
  ok: false,
  error: { code, message, ...(fieldErrors && fieldErrors.length > 0 ? { fieldErrors } : {}) },
});

export type StoredConfig = { ok: true; view: ConfigView } | { ok: false; error: AdminError };

/** The saved configuration, or the empty one before the first save. */
export async function readStoredConfig(ports: Pick<Ports, 'store'>): Promise<StoredConfig> {
  const raw = await ports.store.get(CONFIG_KEY);
  if (raw === undefined) return { ok: true, view: { config: EMPTY_CONFIG, revision: 0 } };
  const meta = savedMetaSchema.safeParse(raw);
  const parsed = parseConfig(raw);
  if (!parsed.ok) {
    return failure('FAILED', 'The saved configuration cannot be read. Import a configuration exported earlier to replace it.', parsed.errors);
  }
  const { revision, savedAt, savedBy } = meta.success ? meta.data : { revision: 0, savedAt: undefined, savedBy: undefined };
  return { ok: true, view: { config: parsed.config, revision, ...(savedAt ? { savedAt } : {}), ...(savedBy ? { savedBy } : {}) } };
}

export function presetSummaries(): PresetSummary[] {
  return [
    ...presets.map((preset): PresetSummary => ({ id: preset.id, name: preset.name, description: preset.description, needs: preset.needs ?? 'base-url', listing: preset.listing, describes: preset.describes, describing: preset.describing, ...(preset.toolFieldTypes ? { toolFieldTypes: preset.toolFieldTypes } : {}) })),
    {
      id: BLANK_RECORD_REST,
      name: 'Blank REST connection',
      description: 'A tool with a REST API for its records: you map projects and fields yourself.',
      needs: 'base-url',
      listing: 'Lists records at `GET /api/{module}` with `limit`, `cursor` and `updated_since`, reading on by the answer\'s `next_cursor` (change the path where your tool lists elsewhere, or clear it if it cannot).',
      describes: true,
      describing: 'Asks the tool to describe itself (`GET /api/describe`); when it cannot, module, field and state names are typed in.',
    },
    {
      id: BLANK_PUSH,
      name: 'Blank push connection',
      description: 'A tool that takes Jira-style webhook events at one URL: Tandem pushes each change there.',
      needs: 'push-url',
      listing: 'Cannot list: the tool only receives pushes, so there is nothing to sync from it into Jira.',
      describes: false,
      describing: 'Cannot describe itself: the tool only receives pushes; type the module and field names.',
    },
  ];
}

const BLANK_RECORD_REST = 'blank-record-rest';
const BLANK_PUSH = 'blank-push';

// ---------------------------------------------------------------- the save itself

export type ConfigChange = (current: TandemConfig) => ChangeResult | Promise<ChangeResult>;
type ChangeResult = { ok: true; next: unknown; warnings?: string[] } | { ok: false; error: AdminError };

export type SaveOutcome = Outcome<ConfigView & { warnings: string[] }>;

/**
 * Applies `change` to the saved configuration if it is still at `revision`, checks the result and
 * writes it as one value. Secret dates are the backend's to set: they are carried over from what
 * is saved, whatever the page sent.
 */
export async function commitConfig(
  ports: AdminPorts,
  input: {
    /** `current`: the change does not depend on what the admin saw (a secret's date). */
    revision: number | 'current';
    accountId: string;
    change: ConfigChange;
    /** Only the backend's own changes set secret dates. */
    setsSecretDates?: boolean;
    /**
     * Whether the mappings are checked against Jira (projects, issue types, JQL, field types). A change
     * that leaves every mapping as it was (a rename, a disconnect, a secret's date) is never held up by
     * Jira having changed since.
     */
    checkJira?: boolean;
  },
): Promise<SaveOutcome> {
  const locked = await ports.store.create(SAVE_LOCK_KEY, { by: input.accountId }, SAVE_LOCK_SECONDS);
  if (!locked) return failure('BUSY', 'Another administrator is saving Tandem’s configuration right now. Try again in a few seconds.');
  try {
    const stored = await readStoredConfig(ports);
    // An unreadable saved configuration may still be replaced whole (an import); nothing else can apply.
    const current = stored.ok ? stored.view : { config: EMPTY_CONFIG, revision: await rawRevision(ports) };
    if (input.revision !== 'current' && current.revision !== input.revision) {
      const by = stored.ok && stored.view.savedAt ? ` (saved ${stored.view.savedAt})` : '';
      return failure('CONFLICT', `Someone else changed the configuration since you opened it${by}. Reload to see their changes, then make yours again.`);
    }
    const changed = await input.change(current.config);
    if (!changed.ok) return changed;
    const parsed = parseConfig(changed.next);
    if (!parsed.ok) return failure('INVALID', describeErrors(parsed.errors), parsed.errors);
    const config = input.setsSecretDates ? parsed.config : keepSecretDates(parsed.config, current.config);
    const unreachable = [...toolFieldTypeErrors(config.connections), ...unreachableAddresses(ports.external, config), ...editedMaskedPushUrls(config, current.config)];
    const checked = input.checkJira === false ? { errors: [], warnings: [] } : await checkAgainstJira(ports, config);
    const errors = [...unreachable, ...checked.errors];
    if (errors.length > 0) return failure('INVALID', describeErrors(errors), errors);
    const savedAt = new Date(ports.clock.now()).toISOString();
    const secured = await securePushUrls(ports, config, savedAt);
    const revision = current.revision + 1;
    await ports.store.set(CONFIG_KEY, { ...secured, revision, savedAt, savedBy: input.accountId });
    return { ok: true, config: secured, revision, savedAt, savedBy: input.accountId, warnings: [...(changed.warnings ?? []), ...checked.warnings] };
  } finally {
    await ports.store.delete(SAVE_LOCK_KEY);
  }
}

/**
 * A push URL that carries a key goes to secret storage, and the configuration keeps it masked; only
 * after every check passed, so a refused save stores nothing.
 */
async function securePushUrls(ports: AdminPorts, config: TandemConfig, at: string): Promise<TandemConfig> {
  const connections = await Promise.all(
    config.connections.map(async (connection) => {
      if (connection.protocol !== 'jira-webhook' || !pushUrlCarriesKey(connection.webhook.pushUrl)) return connection;
      await ports.store.setSecret(pushUrlSecretKey(connection.id), connection.webhook.pushUrl);
      return { ...connection, webhook: { ...connection.webhook, pushUrl: maskPushUrl(connection.webhook.pushUrl), pushUrlSetAt: at } };
    }),
  );
  return { ...config, connections };
}

/** A masked push URL stands for the one in secret storage: editing around the mask would send elsewhere with the old key. */
function editedMaskedPushUrls(config: TandemConfig, saved: TandemConfig): FieldError[] {
  const errors: FieldError[] = [];
  config.connections.forEach((connection, c) => {
    if (connection.protocol !== 'jira-webhook' || !isMaskedPushUrl(connection.webhook.pushUrl)) return;
    const before = saved.connections.find((s) => s.id === connection.id);
    if (before?.protocol === 'jira-webhook' && before.webhook.pushUrl !== connection.webhook.pushUrl) {
      errors.push({ path: `connections.${c}.webhook.pushUrl`, message: 'The push URL’s key is kept secret: paste the whole new push URL to replace it' });
    }
  });
  return errors;
}

/** The tool addresses the platform could never reach (Forge fetch is HTTPS only), as the fields to fix. */
function unreachableAddresses(egress: EgressPort, config: TandemConfig): FieldError[] {
  const errors: FieldError[] = [];
  config.connections.forEach((connection, c) => {
    const addresses: Array<[string, string | undefined]> = [['baseUrl', connection.baseUrl]];
    if (connection.protocol === 'jira-webhook') addresses.push(['webhook.pushUrl', connection.webhook.pushUrl]);
    for (const [field, address] of addresses) {
      const refusal = address === undefined ? undefined : egress.addressRefusal(address);
      if (refusal) errors.push({ path: `connections.${c}.${field}`, message: refusal });
    }
  });
  return errors;
}

async function rawRevision(ports: Pick<Ports, 'store'>): Promise<number> {
  const meta = savedMetaSchema.safeParse(await ports.store.get(CONFIG_KEY));
  return meta.success ? meta.data.revision : 0;
}

/** Every problem, each with where it is, so the admin never has to save again to find the next one. */
export function describeErrors(errors: readonly FieldError[]): string {
  if (errors.length === 0) return 'The configuration was not saved: it is not valid. Fix the marked fields and save again.';
  const listed = errors.map((error) => `${error.path ? `${placeOfField(error.path)}: ` : ''}${error.message.replace(/\.$/, '')}`);
  const what = errors.length === 1 ? 'one problem' : `${errors.length} problems`;
  return `The configuration was not saved (${what}): ${listed.join('; ')}. Fix the marked fields and save again.`;
}

function keepSecretDates(next: TandemConfig, saved: TandemConfig): TandemConfig {
  const savedById = new Map(saved.connections.map((c) => [c.id, c]));
  return {
    ...next,
    connections: next.connections.map((connection) => {
      const before = savedById.get(connection.id);
      const auth = withSecretDate(connection.auth, before && before.auth.kind !== 'none' ? before.auth.secretSetAt : undefined);
      if (connection.protocol !== 'jira-webhook') return { ...connection, auth };
      const signedAt = before?.protocol === 'jira-webhook' ? before.webhook.signingSecretSetAt : undefined;
      // The secret push URL's date stays only while the page sends back the masked URL it was shown.
      const pushUrlSetAt = before?.protocol === 'jira-webhook' && before.webhook.pushUrl === connection.webhook.pushUrl ? before.webhook.pushUrlSetAt : undefined;
      const { signingSecretSetAt: _ignored, pushUrlSetAt: _alsoIgnored, ...webhook } = connection.webhook;
      return { ...connection, auth, webhook: { ...webhook, ...(signedAt ? { signingSecretSetAt: signedAt } : {}), ...(pushUrlSetAt ? { pushUrlSetAt } : {}) } };
    }),
  };
}

function withSecretDate(auth: Connection['auth'], secretSetAt: string | undefined): Connection['auth'] {
  if (auth.kind === 'none') return auth;
  const { secretSetAt: _ignored, ...rest } = auth;
  return secretSetAt ? { ...rest, secretSetAt } : rest;
}

export interface JiraCheck {
  errors: FieldError[];
  warnings: string[];
}

/** What Jira (and each tool that describes itself) must agree with before a configuration is saved: projects and issue types, JQL filters, field types, the tool's modules, fields and states. */
async function checkAgainstJira(ports: AdminPorts, config: TandemConfig): Promise<JiraCheck> {
  const checks = await Promise.all([
    checkJiraProjects(ports, config),
    checkJqlFilters(ports, config),
    checkJiraBoards(ports, config),
    // The field types a tool describes narrow the transforms, as a preset's table does.
    checkAgainstTools(ports, config).then(async (tools) => {
      const fields = await checkJiraFields(ports, config, tools.fieldTypes);
      return { errors: [...tools.errors, ...fields.errors], warnings: [...tools.warnings, ...fields.warnings] };
    }),
  ]);
  return { errors: checks.flatMap((c) => c.errors), warnings: checks.flatMap((c) => c.warnings) };
}

const sameName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/** Every project mapping's project, issue type and type for new issues must exist in this Jira. */
async function checkJiraProjects(ports: AdminPorts, config: TandemConfig): Promise<JiraCheck> {
  const keys = [...new Set(config.connections.flatMap((c) => c.projects.map((p) => p.projectKey)))];
  if (keys.length === 0) return { errors: [], warnings: [] };
  let types: Map<string, Array<{ name: string }> | undefined>;
  try {
    types = new Map(await Promise.all(keys.map(async (key) => [key, await ports.meta.issueTypes(key)] as const)));
  } catch {
    return { errors: [], warnings: ['Jira did not list its projects just now, so project keys and issue types were not checked.'] };
  }
  const errors: FieldError[] = [];
  config.connections.forEach((connection, c) => {
    connection.projects.forEach((project, p) => {
      const at = `connections.${c}.projects.${p}`;
      const known = types.get(project.projectKey);
      if (!known) {
        errors.push({ path: `${at}.projectKey`, message: `Jira has no project ${project.projectKey}, or Tandem cannot see it: pick one from the list` });
        return;
      }
      const names = known.map((t) => t.name).join(', ');
      const hasType = (name: string) => known.some((t) => sameName(t.name, name));
      if (project.issueType !== '*' && !hasType(project.issueType)) {
        errors.push({ path: `${at}.issueType`, message: `${project.projectKey} has no issue type ${project.issueType} (it has ${names})` });
      }
      if (project.defaultIssueType !== undefined && !hasType(project.defaultIssueType)) {
        errors.push({ path: `${at}.defaultIssueType`, message: `${project.projectKey} has no issue type ${project.defaultIssueType} (it has ${names})` });
      }
    });
  });
  return { errors, warnings: [] };
}

/** Every JQL filter goes through Jira's own parser, so a filter Jira would refuse never silently stops a mapping. */
async function checkJqlFilters(ports: AdminPorts, config: TandemConfig): Promise<JiraCheck> {
  const filters: Array<{ path: string; jql: string }> = [];
  config.connections.forEach((connection, c) => {
    connection.projects.forEach((project, p) => {
      if (project.jql) filters.push({ path: `connections.${c}.projects.${p}.jql`, jql: project.jql });
    });
  });
  if (filters.length === 0) return { errors: [], warnings: [] };
  let verdicts: Awaited<ReturnType<AdminPorts['meta']['parseJql']>>;
  try {
    verdicts = await ports.meta.parseJql(filters.map((f) => f.jql));
  } catch {
    return { errors: [], warnings: ['Jira did not check the JQL filters just now; check them in Jira’s issue search.'] };
  }
  const errors: FieldError[] = [];
  filters.forEach((filter, index) => {
    const verdict = verdicts[index];
    // A value the site does not have (a warning from the parser) makes every search of the filter fail too.
    const problems = [...(verdict?.errors ?? []), ...(verdict?.warnings ?? [])];
    if (problems.length > 0) errors.push({ path: filter.path, message: `Jira refuses this JQL: ${problems.join(' ')}` });
  });
  return { errors, warnings: [] };
}

/** Every field mapping's Jira field must exist and be able to carry what the transform produces. */
async function checkJiraFields(ports: AdminPorts, config: TandemConfig, described: ReadonlyArray<Record<string, string> | undefined>): Promise<JiraCheck> {
  // Each mapping must fit the tool field's type as well as the Jira field's: as the tool describes
  // it, or as the connection carries it for a tool that cannot describe itself (a preset's table).
  const sets: Array<{ at: string; fields: readonly FieldMapping[]; toolTypes: Readonly<Record<string, string>> }> = [];
  config.connections.forEach((connection, c) => {
    const toolTypes = { ...described[c], ...connection.toolFieldTypes };
    sets.push({ at: `connections.${c}.fields`, fields: connection.fields, toolTypes });
    connection.projects.forEach((project, p) => {
      if (project.fields) sets.push({ at: `connections.${c}.projects.${p}.fields`, fields: project.fields, toolTypes });
    });
  });
  if (sets.every((set) => set.fields.length === 0)) return { errors: [], warnings: [] };
  let jiraFields: Awaited<ReturnType<AdminPorts['meta']['fields']>>;
  try {
    jiraFields = await ports.meta.fields();
  } catch {
    // Jira being slow must not stop an admin from saving; the sync reports a bad field when it meets it.
    return { errors: [], warnings: ['Jira did not list its fields just now, so the field types were not checked.'] };
  }
  const byId = new Map(jiraFields.map((field) => [field.id, field]));
  const errors: FieldError[] = [];
  for (const set of sets) {
    set.fields.forEach((mapping, index) => {
      const path = `${set.at}.${index}.jira`;
      const field = byId.get(mapping.jira);
      if (!field) {
        errors.push({ path, message: `Jira has no field ${mapping.jira}: pick one from the list` });
        return;
      }
      const check = checkFieldMapping(mapping, field, set.toolTypes[mapping.tool]);
      if (!check.ok) errors.push({ path, message: check.message });
    });
  }
  return { errors, warnings: [] };
}

// ---------------------------------------------------------------- connection changes

function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base.slice(0, 60)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** A new connection from a preset or a blank one; its id comes from its name and never changes. */
export function buildConnection(
  presetId: string,
  name: string,
  url: string,
  taken: ReadonlySet<string>,
): { ok: true; connection: ConnectionInput } | { ok: false; error: AdminError } {
  const id = uniqueId(connectionIdFrom(name, 'connection'), taken);
  const urlError = z.url({ protocol: /^https?$/ }).safeParse(url.trim()).success ? undefined : 'A web address starting with https://';
  if (name.trim() === '') return failure('INVALID', 'Give the connection a name.', [{ path: 'name', message: 'Required' }]);
  if (urlError) return failure('INVALID', 'Enter the tool’s web address.', [{ path: 'url', message: urlError }]);
  const preset = findPreset(presetId);
  if (preset) {
    try {
      return { ok: true, connection: preset.build({ name: name.trim(), baseUrl: url.trim(), id }) };
    } catch {
      return failure('INVALID', 'The preset could not use these values: check the name and the address.');
    }
  }
  if (presetId === BLANK_RECORD_REST) {
    return { ok: true, connection: { id, name: name.trim(), protocol: 'record-rest', baseUrl: url.trim(), auth: { kind: 'bearer' } } };
  }
  if (presetId === BLANK_PUSH) {
    return { ok: true, connection: { id, name: name.trim(), protocol: 'jira-webhook', webhook: { pushUrl: url.trim(), sign: true } } };
  }
  return failure('NOT_FOUND', `There is no preset ${presetId}. Reload the page to see the presets Tandem has.`);
}

/**
 * Adds a connection. A preset's project mappings name the projects and issue types its tool's guide
 * uses; those this Jira does not have are left out (the answer's warnings say which), so what is
 * saved always fits the site and the admin adds their own under Mappings.
 */
export function addConnectionChange(ports: AdminPorts, presetId: string, name: string, url: string, onId: (id: string) => void): ConfigChange {
  return async (current) => {
    const built = buildConnection(presetId, name, url, new Set(current.connections.map((c) => c.id)));
    if (!built.ok) return built;
    onId(built.connection.id);
    const fitted = await fitPresetProjects(ports, built.connection);
    const found = await findSiteFields(ports, presetId, fitted.connection);
    return { ok: true, next: { ...current, connections: [...current.connections, found.connection] }, warnings: [...fitted.warnings, ...found.warnings] };
  };
}

/** A preset's mappings onto fields whose id differs per site, found by name and schema on this one. */
async function findSiteFields(ports: AdminPorts, presetId: string, connection: ConnectionInput): Promise<{ connection: ConnectionInput; warnings: string[] }> {
  const wanted = findPreset(presetId)?.siteFields ?? [];
  if (wanted.length === 0) return { connection, warnings: [] };
  let fields: Awaited<ReturnType<AdminPorts['meta']['fields']>>;
  try {
    fields = await ports.meta.fields();
  } catch {
    return { connection, warnings: [`Jira did not list its fields just now, so ${wanted.map((w) => w.what).join(' and ')} were not mapped: map them on Mappings.`] };
  }
  const warnings: string[] = [];
  const mapped: FieldMapping[] = [];
  for (const field of wanted) {
    const id = field.find(fields);
    if (id === undefined) warnings.push(`This site has no ${field.what} field Tandem knows by name and type, so ${field.mapping.tool} is not mapped: map it on Mappings.`);
    else mapped.push({ ...field.mapping, jira: id });
  }
  return { connection: { ...connection, fields: [...(connection.fields ?? []), ...mapped] }, warnings };
}

async function fitPresetProjects(ports: AdminPorts, connection: ConnectionInput): Promise<{ connection: ConnectionInput; warnings: string[] }> {
  const projects = connection.projects ?? [];
  const keys = [...new Set(projects.map((p) => p.projectKey.trim().toUpperCase()))];
  if (keys.length === 0) return { connection, warnings: [] };
  let types: Map<string, Array<{ name: string }> | undefined>;
  try {
    types = new Map(await Promise.all(keys.map(async (key) => [key, await ports.meta.issueTypes(key)] as const)));
  } catch {
    // The save's own check says Jira could not be asked; nothing is left out on a guess.
    return { connection, warnings: [] };
  }
  const warnings: string[] = [];
  const kept = projects.filter((project) => {
    const key = project.projectKey.trim().toUpperCase();
    const known = types.get(key);
    const type = project.issueType ?? '*';
    const what = `${key} ${type === '*' ? 'any issue type' : type} → ${project.module}`;
    if (!known) {
      warnings.push(`The preset’s mapping ${what} was left out: Jira has no project ${key}. Map your own projects under Mappings.`);
      return false;
    }
    const missing = [type, project.defaultIssueType].find((t) => t !== undefined && t !== '*' && !known.some((k) => sameName(k.name, t)));
    if (missing !== undefined) {
      warnings.push(`The preset’s mapping ${what} was left out: ${key} has no issue type ${missing}. Map your own issue types under Mappings.`);
      return false;
    }
    return true;
  });
  return { connection: { ...connection, projects: kept }, warnings };
}

export function connectionChange(connectionId: string, edit: (connection: Connection) => Connection): ConfigChange {
  return (current) => {
    const index = current.connections.findIndex((c) => c.id === connectionId);
    const connection = current.connections[index];
    if (!connection) return failure('NOT_FOUND', `There is no connection ${connectionId} any more. Reload the page.`);
    const connections = [...current.connections];
    connections[index] = edit(connection);
    return { ok: true, next: { ...current, connections } };
  };
}

// ---------------------------------------------------------------- export and import

/** The configuration to copy to another site: no secrets, and no dates of secrets that will not be there. */
export function exportableConfig(config: TandemConfig): TandemConfig {
  return {
    ...config,
    connections: config.connections.map((connection) => {
      const auth = withSecretDate(connection.auth, undefined);
      if (connection.protocol !== 'jira-webhook') return { ...connection, auth };
      // A push URL's key is a secret: masked (already, or here for one saved before it was kept secret).
      const { signingSecretSetAt: _ignored, pushUrlSetAt: _alsoIgnored, ...webhook } = connection.webhook;
      return { ...connection, auth, webhook: { ...webhook, pushUrl: maskPushUrl(webhook.pushUrl) } };
    }),
  };
}

export function importChange(json: string): ConfigChange {
  return () => {
    let raw: unknown;
    try {
      raw = JSON.parse(json) as unknown;
    } catch {
      return failure('INVALID', 'The file is not JSON. Choose a file exported from Tandem’s admin page.');
    }
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      // A revision in an exported file belongs to the site it came from.
      const { revision: _r, savedAt: _a, savedBy: _b, ...rest } = raw as Record<string, unknown>;
      return { ok: true, next: rest };
    }
    return { ok: true, next: raw };
  };
}

/** The connection as parsed, for use cases that need one by id. */
export async function findConnection(ports: Pick<Ports, 'store'>, connectionId: string): Promise<{ ok: true; connection: Connection; view: ConfigView } | { ok: false; error: AdminError }> {
  const stored = await readStoredConfig(ports);
  if (!stored.ok) return stored;
  const connection = stored.view.config.connections.find((c) => c.id === connectionId);
  if (!connection) return failure('NOT_FOUND', `There is no connection ${connectionId}. Save the connection first, or reload the page.`);
  return { ok: true, connection, view: stored.view };
}


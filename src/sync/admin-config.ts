// The configuration as the admin page reads and changes it. Every change is one write of the one
// `config` key (never half a configuration), guarded by a revision so two admins do not silently
// overwrite each other, and checked like any saved configuration plus Jira's field types.
import { z } from 'zod';
import type { AdminError, AdminResult, ConfigView, FieldError, PresetSummary } from '../contract/admin';
import {
  CONFIG_VERSION,
  checkFieldMapping,
  connectionIdFrom,
  findPreset,
  parseConfig,
  presets,
  type Connection,
  type ConnectionInput,
  type FieldMapping,
  type TandemConfig,
} from '../mapping';
import type { AdminPorts } from './admin-ports';
import type { EgressPort, Ports } from './ports';
import { CONFIG_KEY } from './state';

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
    ...presets.map((preset): PresetSummary => ({ id: preset.id, name: preset.name, description: preset.description, needs: preset.needs ?? 'base-url' })),
    {
      id: BLANK_RECORD_REST,
      name: 'Blank REST connection',
      description: 'A tool with a REST API for its records: you map projects and fields yourself.',
      needs: 'base-url',
    },
    {
      id: BLANK_PUSH,
      name: 'Blank push connection',
      description: 'A tool that takes Jira-style webhook events at one URL: Tandem pushes each change there.',
      needs: 'push-url',
    },
  ];
}

const BLANK_RECORD_REST = 'blank-record-rest';
const BLANK_PUSH = 'blank-push';

// ---------------------------------------------------------------- the save itself

export type ConfigChange = (current: TandemConfig) => { ok: true; next: unknown } | { ok: false; error: AdminError };

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
    const changed = input.change(current.config);
    if (!changed.ok) return changed;
    const parsed = parseConfig(changed.next);
    if (!parsed.ok) return failure('INVALID', describeErrors(parsed.errors), parsed.errors);
    const config = input.setsSecretDates ? parsed.config : keepSecretDates(parsed.config, current.config);
    const unreachable = unreachableAddresses(ports.external, config);
    if (unreachable.length > 0) return failure('INVALID', describeErrors(unreachable), unreachable);
    const checked = await checkJiraFields(ports, config);
    if (checked.errors.length > 0) return failure('INVALID', describeErrors(checked.errors), checked.errors);
    const savedAt = new Date(ports.clock.now()).toISOString();
    const revision = current.revision + 1;
    await ports.store.set(CONFIG_KEY, { ...config, revision, savedAt, savedBy: input.accountId });
    return { ok: true, config, revision, savedAt, savedBy: input.accountId, warnings: checked.warnings };
  } finally {
    await ports.store.delete(SAVE_LOCK_KEY);
  }
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

function describeErrors(errors: readonly FieldError[]): string {
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `The configuration was not saved: ${first ? first.message : 'it is not valid'}${more}. Fix the marked fields and save again.`;
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
      const { signingSecretSetAt: _ignored, ...webhook } = connection.webhook;
      return { ...connection, auth, webhook: signedAt ? { ...webhook, signingSecretSetAt: signedAt } : webhook };
    }),
  };
}

function withSecretDate(auth: Connection['auth'], secretSetAt: string | undefined): Connection['auth'] {
  if (auth.kind === 'none') return auth;
  const { secretSetAt: _ignored, ...rest } = auth;
  return secretSetAt ? { ...rest, secretSetAt } : rest;
}

/** Every field mapping's Jira field must exist and be able to carry what the transform produces. */
async function checkJiraFields(ports: AdminPorts, config: TandemConfig): Promise<{ errors: FieldError[]; warnings: string[] }> {
  const sets: Array<{ at: string; fields: readonly FieldMapping[] }> = [];
  config.connections.forEach((connection, c) => {
    sets.push({ at: `connections.${c}.fields`, fields: connection.fields });
    connection.projects.forEach((project, p) => {
      if (project.fields) sets.push({ at: `connections.${c}.projects.${p}.fields`, fields: project.fields });
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
      const check = checkFieldMapping(mapping, field);
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

export function addConnectionChange(presetId: string, name: string, url: string, onId: (id: string) => void): ConfigChange {
  return (current) => {
    const built = buildConnection(presetId, name, url, new Set(current.connections.map((c) => c.id)));
    if (!built.ok) return built;
    onId(built.connection.id);
    return { ok: true, next: { ...current, connections: [...current.connections, built.connection] } };
  };
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
      const { signingSecretSetAt: _ignored, ...webhook } = connection.webhook;
      return { ...connection, auth, webhook };
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


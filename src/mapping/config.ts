// Reading a stored or submitted configuration: upgrade older versions, check the shape with zod,
// then the rules that span several entries (unique ids, one writer per Jira field…). Every error
// carries the dotted path of the field it belongs to, so the admin page can show it in place.
import * as z from 'zod';
import {
  CONFIG_VERSION,
  configSchema,
  type Connection,
  type FieldMapping,
  type ProjectMapping,
  type RecordRestConnection,
  type RestPaths,
  type TandemConfig,
} from './schema';

export interface ConfigError {
  /** Dotted path, e.g. `connections.0.projects.1.module`; empty for the whole configuration. */
  path: string;
  message: string;
}

export type ParseConfigResult = { ok: true; config: TandemConfig } | { ok: false; errors: ConfigError[] };
export type MigrateConfigResult = { ok: true; raw: unknown; from: number } | { ok: false; errors: ConfigError[] };

// ---------------------------------------------------------------- migration

type RawObject = Record<string, unknown>;
type Migration = (raw: RawObject) => RawObject;

const isObject = (value: unknown): value is RawObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const V0_DIRECTIONS: Record<string, string> = {
  bidirectional: 'both',
  jira_to_tool: 'jira-to-tool',
  tool_to_jira: 'tool-to-jira',
};

/**
 * Version 0 held a single connection, with its project mappings at the top level:
 * `{ version: 0, connection: {id?, name, url, tokenSetAt?}, projectMappings: [{project, issueType?, module,
 * sync_direction, fixed?}], fieldMappings?, syncComments? }`.
 * Anything unexpected is carried over as it is, so the v1 schema reports it at its v1 path.
 */
function v0ToV1(raw: RawObject): RawObject {
  const connection = isObject(raw.connection) ? raw.connection : {};
  const mappings = Array.isArray(raw.projectMappings) ? raw.projectMappings : [];
  const tokenSetAt = connection.tokenSetAt;
  return {
    version: 1,
    connections: [
      {
        id: connection.id ?? 'default',
        name: connection.name,
        protocol: 'record-rest',
        baseUrl: connection.url,
        auth: typeof tokenSetAt === 'string' ? { kind: 'bearer', secretSetAt: tokenSetAt } : { kind: 'none' },
        ...(raw.syncComments === undefined ? {} : { options: { syncComments: raw.syncComments } }),
        projects: mappings.map((mapping: unknown) => {
          if (!isObject(mapping)) return mapping;
          const direction = mapping.sync_direction;
          return {
            projectKey: mapping.project,
            issueType: mapping.issueType ?? '*',
            module: mapping.module,
            direction: typeof direction === 'string' ? (V0_DIRECTIONS[direction] ?? direction) : undefined,
            fixedValues: mapping.fixed ?? {},
          };
        }),
        fields: raw.fieldMappings ?? [],
      },
    ],
  };
}

/** From version N to N+1. */
const migrations: Record<number, Migration> = { 0: v0ToV1 };

function versionOf(raw: RawObject): number | undefined {
  if (raw.version !== undefined) return typeof raw.version === 'number' ? raw.version : Number.NaN;
  // Version 0 was sometimes saved without a number; its top-level project mappings give it away.
  if ('projectMappings' in raw || 'connection' in raw) return 0;
  return undefined;
}

/** Upgrades an older configuration to the current version's shape (not yet checked). */
export function migrateConfig(raw: unknown): MigrateConfigResult {
  if (!isObject(raw)) return { ok: false, errors: [{ path: '', message: 'The configuration must be an object' }] };
  const from = versionOf(raw);
  if (from === undefined) return { ok: true, raw, from: CONFIG_VERSION };
  if (!Number.isInteger(from) || from < 0) {
    return { ok: false, errors: [{ path: 'version', message: 'The version must be a whole number' }] };
  }
  if (from > CONFIG_VERSION) {
    return {
      ok: false,
      errors: [{ path: 'version', message: `This configuration was saved by a newer Tandem (version ${from}); this one reads up to version ${CONFIG_VERSION}` }],
    };
  }
  let current = raw;
  for (let version = from; version < CONFIG_VERSION; version++) {
    const step = migrations[version];
    if (!step) return { ok: false, errors: [{ path: 'version', message: `No upgrade from version ${version}` }] };
    current = step(current);
  }
  return { ok: true, raw: current, from };
}

// ---------------------------------------------------------------- parsing

const requiredWhenMissing = (issue: { code: string; input?: unknown }): string | undefined =>
  (issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined ? 'Required' : undefined;

function toConfigErrors(error: z.ZodError): ConfigError[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
      message = `Choose one of: ${issue.options.join(', ')}`;
    }
    return { path: issue.path.map(String).join('.'), message };
  });
}

/** Migrates, checks the shape, fills defaults, then checks the rules spanning several entries. */
export function parseConfig(raw: unknown): ParseConfigResult {
  const migrated = migrateConfig(raw);
  if (!migrated.ok) return migrated;
  const parsed = configSchema.safeParse(migrated.raw, { error: requiredWhenMissing });
  if (!parsed.success) return { ok: false, errors: toConfigErrors(parsed.error) };
  const errors = crossCheckConfig(parsed.data);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: parsed.data };
}

// ---------------------------------------------------------------- cross-checks

const sameName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

const writesTool = (direction: FieldMapping['direction']) => direction !== 'tool-to-jira';
const writesJira = (direction: FieldMapping['direction']) => direction !== 'jira-to-tool';

function checkFieldSet(fields: readonly FieldMapping[], at: string, errors: ConfigError[]): void {
  const toolFields = new Map<string, number>();
  const jiraWriters = new Map<string, number>();
  fields.forEach((field, index) => {
    const path = `${at}.${index}`;
    // The shadow is keyed by tool field, so one tool field may belong to one mapping only.
    const toolOwner = toolFields.get(field.tool);
    if (toolOwner !== undefined) {
      errors.push({ path: `${path}.tool`, message: `The tool field ${field.tool} is already mapped (mapping ${toolOwner + 1})` });
    } else toolFields.set(field.tool, index);

    if (writesJira(field.direction)) {
      const writer = jiraWriters.get(field.jira);
      if (writer !== undefined) {
        errors.push({
          path: `${path}.jira`,
          message: `Mapping ${writer + 1} already writes the Jira field ${field.jira} from the tool; only one mapping may`,
        });
      } else jiraWriters.set(field.jira, index);
    }

    const isStatusField = field.jira === 'status';
    if (field.transform.kind === 'status' && !isStatusField) {
      errors.push({ path: `${path}.transform.kind`, message: 'The status transform maps the Jira field status only' });
    }
    if (isStatusField && field.transform.kind !== 'status') {
      errors.push({ path: `${path}.transform.kind`, message: 'Jira status changes by transition: use the status transform' });
    }
  });
}

function checkProjects(connection: Connection, at: string, errors: ConfigError[]): void {
  const seen = new Map<string, number>();
  connection.projects.forEach((project, index) => {
    const path = `${at}.projects.${index}`;
    const key = `${project.projectKey}\u0000${project.issueType.toLowerCase()}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const what = project.issueType === '*' ? 'any issue type' : `issue type ${project.issueType}`;
      errors.push({ path: `${path}.issueType`, message: `${project.projectKey} with ${what} is already mapped (project mapping ${earlier + 1})` });
    } else seen.set(key, index);

    if (project.direction !== 'jira-to-tool' && jiraIssueTypeForCreate(project) === undefined) {
      errors.push({
        path: `${path}.defaultIssueType`,
        message: 'Choose the issue type of Jira issues created from the tool (this mapping covers any type)',
      });
    }
    if (project.issueType !== '*' && project.ignoredIssueTypes.some((type) => sameName(type, project.issueType))) {
      errors.push({ path: `${path}.ignoredIssueTypes`, message: `The mapping is for ${project.issueType}, so it cannot also ignore it` });
    }
    if (project.fields) checkFieldSet(project.fields, `${path}.fields`, errors);
    checkFixedValues(fieldMappingsFor(connection, project), project.fixedValues, `${path}.fixedValues`, errors);
  });
}

// A fixed value and a mapped field both writing one tool field would fight on every create.
function checkFixedValues(fields: readonly FieldMapping[], fixedValues: Record<string, unknown>, at: string, errors: ConfigError[]): void {
  for (const key of Object.keys(fixedValues)) {
    const field = fields.find((f) => f.tool === key && writesTool(f.direction));
    if (field) errors.push({ path: `${at}.${key}`, message: `${key} is already sent from a mapped Jira field (${field.jira})` });
  }
}

/** The rules that one entry alone cannot check. Empty when the configuration is consistent. */
export function crossCheckConfig(config: TandemConfig): ConfigError[] {
  const errors: ConfigError[] = [];
  const ids = new Map<string, number>();
  config.connections.forEach((connection, index) => {
    const at = `connections.${index}`;
    const earlier = ids.get(connection.id);
    if (earlier !== undefined) {
      errors.push({ path: `${at}.id`, message: `Connection ${earlier + 1} already uses the id ${connection.id}` });
    } else ids.set(connection.id, index);
    checkFieldSet(connection.fields, `${at}.fields`, errors);
    checkProjects(connection, at, errors);
  });
  return errors;
}

// ---------------------------------------------------------------- helpers on a parsed configuration

/** The field mappings that apply to a project mapping: its own, or else the connection's. */
export function fieldMappingsFor(connection: Connection, projectMapping: ProjectMapping): readonly FieldMapping[] {
  return projectMapping.fields ?? connection.fields;
}

/**
 * The Jira fields to read of an issue for this connection: every field its mappings use, with the
 * standard fields both directions and the Jira-webhook push need.
 */
export function issueFieldsFor(connection: Connection): string[] {
  const ids = new Set<string>(['summary', 'description', 'priority', 'labels', 'assignee', 'reporter', 'created', 'updated']);
  for (const projectMapping of connection.projects) for (const m of fieldMappingsFor(connection, projectMapping)) ids.add(m.jira);
  return [...ids];
}

/** The Jira issue type for issues created from the tool's records under this mapping. */
export function jiraIssueTypeForCreate(projectMapping: ProjectMapping): string | undefined {
  return projectMapping.defaultIssueType ?? (projectMapping.issueType === '*' ? undefined : projectMapping.issueType);
}

/** The REST operations for one module: the connection's paths with the module's own overrides. */
export function restPathsFor(connection: RecordRestConnection, module: string): RestPaths {
  const overrides = connection.modulePaths[module];
  return overrides ? { ...connection.paths, ...stripUndefined(overrides) } : connection.paths;
}

function stripUndefined(paths: { [K in keyof RestPaths]?: RestPaths[K] | undefined }): Partial<RestPaths> {
  const out: Partial<RestPaths> = {};
  for (const [key, value] of Object.entries(paths)) if (value !== undefined) Object.assign(out, { [key]: value });
  return out;
}

export interface RestRequestLine {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
}

/**
 * Splits `PATCH /api/{module}/{id}` and fills its placeholders. Values are URL-encoded, so an id
 * from the tool can never change the shape of the path. A placeholder without a value is an error.
 */
export function fillRestPath(template: string, values: Record<string, string>): RestRequestLine {
  const space = template.indexOf(' ');
  const method = template.slice(0, space) as RestRequestLine['method'];
  const path = template.slice(space + 1).replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No value for {${name}} in ${template}`);
    return encodeURIComponent(value);
  });
  return { method, path };
}

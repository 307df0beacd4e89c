// The versioned configuration of Tandem: connections to external tools, which Jira projects and
// issue types map to which of the tool's modules, and how each field travels. Checked with zod at
// the border (admin saves, store reads); defaults are filled here so the rest of the code never
// has to guess.
import * as z from 'zod';
import { DEFAULT_MAX_TRANSITIONS, MAX_TRANSITIONS_LIMIT } from './status-route';
import { isKnownToolType, toolFieldNameKey, toolTypeVocabulary } from './tool-types';

export const CONFIG_VERSION = 1;

// ---------------------------------------------------------------- shared pieces

const nonEmpty = z.string().trim().min(1, 'Required');

export const directionSchema = z.enum(['both', 'jira-to-tool', 'tool-to-jira']);
export type Direction = z.infer<typeof directionSchema>;

export const statusCategorySchema = z.enum(['new', 'indeterminate', 'done']);
export type StatusCategory = z.infer<typeof statusCategorySchema>;

// ---------------------------------------------------------------- transforms

const valuePair = z.object({ tool: nonEmpty, jira: nonEmpty });

export const DEFAULT_PRIORITY_TABLE: ReadonlyArray<{ tool: string; jira: string }> = [
  { tool: 'P1', jira: 'Highest' },
  { tool: 'P2', jira: 'High' },
  { tool: 'P3', jira: 'Medium' },
  { tool: 'P4', jira: 'Low' },
];

export const transformSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text') }),
  z.object({ kind: z.literal('adf-markdown') }),
  z.object({ kind: z.literal('adf-plain') }),
  z.object({ kind: z.literal('user-email') }),
  z.object({
    kind: z.literal('priority'),
    // Read top to bottom, first match wins in each direction, so several rows may share a side
    // (e.g. Urgent → Highest and P1 → Highest).
    table: z.array(valuePair).default(() => DEFAULT_PRIORITY_TABLE.map((row) => ({ ...row }))),
  }),
  z.object({
    kind: z.literal('status'),
    /** Jira status names (any of) → tool state. */
    toTool: z.array(z.object({ jira: z.array(nonEmpty).min(1, 'Name at least one Jira status'), tool: nonEmpty })).default([]),
    /** When no name matches: the status category decides. */
    categoryToTool: z
      .object({ new: nonEmpty.optional(), indeterminate: nonEmpty.optional(), done: nonEmpty.optional() })
      .prefault({}),
    /** Tool state → the Jira status to transition to; the category is the fallback when that status is not reachable. */
    toJira: z.array(z.object({ tool: nonEmpty, jira: nonEmpty.optional(), category: statusCategorySchema })).default([]),
  }),
  z.object({
    kind: z.literal('labels'),
    /** How the tool holds labels: a JSON array, or one comma-separated string. */
    format: z.enum(['array', 'comma']).default('array'),
  }),
  z.object({ kind: z.literal('number') }),
  z.object({
    kind: z.literal('date'),
    /** Jira's side: a date (`duedate`, YYYY-MM-DD) or a date-time field. */
    jiraType: z.enum(['date', 'datetime']).default('date'),
    /** The tool's side; when absent, the same as jiraType (ISO 8601). */
    toolFormat: z.enum(['date', 'datetime', 'epoch-ms']).optional(),
  }),
  z.object({
    kind: z.literal('option'),
    table: z.array(valuePair).default([]),
    /** A value missing from the table: skip it, or send the same text to the other side. */
    unmatched: z.enum(['skip', 'same']).default('skip'),
    /** The Jira choice for a tool value missing from the table (wins over `unmatched`). */
    defaultJira: nonEmpty.optional(),
    /** The tool value for a Jira choice missing from the table (wins over `unmatched`). */
    defaultTool: nonEmpty.optional(),
  }),
  z.object({
    kind: z.literal('names'),
    /** Versions or components by name: the tool holds a list, or a single name (the first). */
    format: z.enum(['list', 'single']).default('list'),
  }),
  z.object({
    kind: z.literal('checkbox'),
    /** The Jira checkbox option that stands for the tool's true. */
    option: nonEmpty,
  }),
  z.object({
    kind: z.literal('cascading'),
    /** How the tool writes a parent and child choice in one value: `EMEA / DE`. */
    separator: z.string().min(1).default(' / '),
  }),
  z.object({ kind: z.literal('users-email') }),
  /** Jira's Sprint field ⇄ the tool's sprint, by name among the open sprints of the mapping's board. */
  z.object({ kind: z.literal('sprint') }),
  /** Jira's parent ⇄ the record's parent reference (the parent's record id), through the links. */
  z.object({ kind: z.literal('parent') }),
  z.object({ kind: z.literal('url') }),
  z.object({
    kind: z.literal('team'),
    /** The tool's team name ⇄ the Atlassian team id the Team field holds. */
    table: z.array(valuePair).default([]),
  }),
]);
export type Transform = z.infer<typeof transformSchema>;
export type TransformKind = Transform['kind'];
export type TransformOf<K extends TransformKind> = Extract<Transform, { kind: K }>;

// ---------------------------------------------------------------- field mappings

export const fieldMappingSchema = z.object({
  /** Jira field id: `summary`, `description`, `priority`, `assignee`, `labels`, `status`, `duedate`, `customfield_10050`… */
  jira: nonEmpty,
  /** The tool's field name, e.g. `short_description`. */
  tool: nonEmpty,
  direction: directionSchema.default('both'),
  transform: transformSchema.prefault({ kind: 'text' }),
});
export type FieldMapping = z.infer<typeof fieldMappingSchema>;

// ---------------------------------------------------------------- project mappings

const fixedValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const projectMappingSchema = z.object({
  projectKey: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z][A-Z0-9_]+$/, 'A Jira project key: capital letters and digits, starting with a letter (e.g. OPS)'),
  /** An issue type name, or `*` for any type of the project. */
  issueType: nonEmpty.default('*'),
  /** The tool's module, e.g. `incidents`. */
  module: nonEmpty,
  direction: directionSchema.default('both'),
  /** Sent to the tool when a record is created, e.g. assignment_group. */
  fixedValues: z.record(z.string(), fixedValue).default(() => ({})),
  /** Only issues matching this JQL sync (evaluated by the sync layer). */
  jql: z.string().trim().optional(),
  /** Issue types this mapping skips (meaningful with `*`). */
  ignoredIssueTypes: z.array(nonEmpty).default(() => []),
  /** The Jira issue type of issues created from the tool's records; defaults to issueType when that is not `*`. */
  defaultIssueType: nonEmpty.optional(),
  /** The Jira board whose sprints the tool's sprint names are found among (Jira Software). */
  board: z.number().int().positive().optional(),
  /** Field mappings for this project mapping only; when absent, the connection's apply. */
  fields: z.array(fieldMappingSchema).optional(),
});
export type ProjectMapping = z.infer<typeof projectMappingSchema>;

// ---------------------------------------------------------------- connections

const secretSetAt = z.string().optional();

export const authSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bearer'), secretSetAt }),
  z.object({ kind: z.literal('basic'), username: nonEmpty, secretSetAt }),
  z.object({
    kind: z.literal('header'),
    headerName: nonEmpty.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'A header name: letters, digits and dashes'),
    secretSetAt,
  }),
  z.object({ kind: z.literal('none') }),
]);
export type Auth = z.infer<typeof authSchema>;

const restPath = z
  .string()
  .trim()
  .regex(/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/, 'A method and a path, e.g. POST /api/{module}');

export const DEFAULT_REST_PATHS = {
  createRecord: 'POST /api/{module}',
  updateRecord: 'PATCH /api/{module}/{id}',
  getRecord: 'GET /api/{module}/{id}',
  deleteRecord: 'DELETE /api/{module}/{id}',
  addNote: 'POST /api/{module}/{id}/work_notes',
  updateNote: 'PATCH /api/{module}/{id}/work_notes/{noteId}',
  deleteNote: 'DELETE /api/{module}/{id}/work_notes/{noteId}',
  findByIssueKey: 'GET /api/{module}?jira_issue_key={key}',
  /**
   * A page of the module's records; Tandem adds `limit`, `cursor` (the previous page's `next_cursor`)
   * and `updated_since` as query parameters. null: the tool cannot list its records.
   */
  listRecords: 'GET /api/{module}',
  /**
   * The tool's modules, each module's fields with their types, and its states (optional in the
   * contract). null: the tool cannot describe itself, so modules, fields and states are typed in.
   */
  describe: 'GET /api/describe',
} as const;
export type RestOperation = keyof typeof DEFAULT_REST_PATHS;

export const restPathsSchema = z.object({
  createRecord: restPath.default(DEFAULT_REST_PATHS.createRecord),
  updateRecord: restPath.default(DEFAULT_REST_PATHS.updateRecord),
  getRecord: restPath.default(DEFAULT_REST_PATHS.getRecord),
  deleteRecord: restPath.default(DEFAULT_REST_PATHS.deleteRecord),
  addNote: restPath.default(DEFAULT_REST_PATHS.addNote),
  updateNote: restPath.default(DEFAULT_REST_PATHS.updateNote),
  deleteNote: restPath.default(DEFAULT_REST_PATHS.deleteNote),
  findByIssueKey: restPath.default(DEFAULT_REST_PATHS.findByIssueKey),
  listRecords: restPath.nullable().default(DEFAULT_REST_PATHS.listRecords),
  describe: restPath.nullable().default(DEFAULT_REST_PATHS.describe),
});
export type RestPaths = z.infer<typeof restPathsSchema>;

/** A module's overrides: no defaults here, or they would hide the connection's own paths. */
export const restPathOverridesSchema = z.object({
  createRecord: restPath.optional(),
  updateRecord: restPath.optional(),
  getRecord: restPath.optional(),
  deleteRecord: restPath.optional(),
  addNote: restPath.optional(),
  updateNote: restPath.optional(),
  deleteNote: restPath.optional(),
  findByIssueKey: restPath.optional(),
  listRecords: restPath.nullable().optional(),
});

/** The sweep interval an admin may choose: the scheduled trigger runs every five minutes; a day at most, so nothing missed waits longer. */
export const SWEEP_MINUTES_LEAST = 5;
export const SWEEP_MINUTES_MOST = 24 * 60;

export const connectionOptionsSchema = z.object({
  /** Jira comments ⇄ the tool's work notes. */
  syncComments: z.boolean().default(true),
  /** Added to every synced issue; empty means no label. Jira labels cannot hold spaces. */
  label: z
    .string()
    .trim()
    .regex(/^\S*$/, 'A Jira label cannot contain spaces')
    .max(255)
    .default(''),
  /** What deleting a linked Jira issue does to the record. */
  onJiraDelete: z.enum(['delete', 'close', 'nothing']).default('nothing'),
  /** The state a record is set to when onJiraDelete is `close`. */
  closedState: nonEmpty.default('closed'),
  conflictPolicy: z.enum(['jira-wins', 'tool-wins', 'newest-wins']).default('jira-wins'),
  /** Minutes between reconciliation sweeps (hourly when absent); the scheduled trigger runs every five. */
  sweepMinutes: z
    .number()
    .int('A whole number of minutes')
    .min(SWEEP_MINUTES_LEAST, 'A sweep runs at most every 5 minutes')
    .max(SWEEP_MINUTES_MOST, 'A sweep runs at least once a day (1,440 minutes)')
    .optional(),
});
export type ConnectionOptions = z.infer<typeof connectionOptionsSchema>;
export type ConflictPolicy = ConnectionOptions['conflictPolicy'];

/**
 * How the tool reaches Tandem (the inbound web trigger). Optional: a connection without it uses the
 * defaults below (read them with inboundOptionsOf). The secrets themselves live in Forge secret
 * storage, never here.
 */
export const inboundOptionsSchema = z.object({
  /** hmac: X-Tandem-Signature over the raw body; bearer: a fixed Authorization header, for tools that cannot sign. */
  auth: z.enum(['hmac', 'bearer']).default('hmac'),
  /** What a record.deleted event does to the linked issue: delete it, move it to done, or only end the link. */
  onToolDelete: z.enum(['delete', 'close', 'nothing']).default('nothing'),
  /** The resolution set when a transition asks for one; else "Done" when Jira offers it, else Jira's first. */
  resolution: nonEmpty.max(255).optional(),
  /** The most transitions one status change may take, each step counted (see maxTransitionsOf for the default). */
  maxTransitions: z
    .number()
    .int('A whole number of transitions')
    .min(1, 'At least 1 transition')
    .max(MAX_TRANSITIONS_LIMIT, `At most ${MAX_TRANSITIONS_LIMIT} transitions`)
    .optional(),
  /** Jira field id → raw REST value, for fields Jira requires on create that no mapping fills. */
  createDefaults: z.record(z.string(), z.unknown()).default(() => ({})),
});
export type InboundOptions = z.infer<typeof inboundOptionsSchema>;

/** How many transitions one status change from the tool may take on this connection. */
export function maxTransitionsOf(connection: { inbound?: InboundOptions | undefined }): number {
  return connection.inbound?.maxTransitions ?? DEFAULT_MAX_TRANSITIONS;
}

/** A connection's inbound options with every default filled. */
export function inboundOptionsOf(connection: { inbound?: InboundOptions | undefined }): InboundOptions {
  return connection.inbound ?? inboundOptionsSchema.parse({});
}

/**
 * A connection's table of its tool's field types, as the admin saves it: each name once (whatever
 * its case), and each type one the fit check knows, so a word it would ignore never silently
 * switches the check off. Checked at save only: a configuration stored before these checks still
 * reads, and keeps syncing, with the check ignoring a word it does not know as it did then.
 */
export function toolFieldTypeErrors(connections: ReadonlyArray<{ toolFieldTypes?: Record<string, string> | undefined }>): Array<{ path: string; message: string }> {
  const errors: Array<{ path: string; message: string }> = [];
  connections.forEach((connection, c) => {
    const table = connection.toolFieldTypes;
    if (!table) return;
    const at = `connections.${c}.toolFieldTypes`;
    const seen = new Map<string, string>();
    const words = toolTypeVocabulary(table);
    for (const [name, type] of Object.entries(table)) {
      if (name.trim() === '') {
        errors.push({ path: at, message: 'Name the tool field: a field without a name cannot be mapped' });
        continue;
      }
      if (name !== name.trim() || name.length > 200) {
        errors.push({ path: `${at}.${name}`, message: `The field name “${name}” must be at most 200 characters, with no space before or after it` });
      }
      const twin = seen.get(toolFieldNameKey(name));
      if (twin !== undefined) errors.push({ path: `${at}.${name}`, message: `The tool field ${name.trim()} is listed twice (also as ${twin}): keep one` });
      else seen.set(toolFieldNameKey(name), name);
      if (type.trim() === '') errors.push({ path: `${at}.${name}`, message: `Pick the type of the tool field ${name.trim()}: one of ${words.join(', ')}` });
      else if (!isKnownToolType(type)) errors.push({ path: `${at}.${name}`, message: `Tandem knows no field type “${type}” (tool field ${name.trim()}): use one of ${words.join(', ')}` });
    }
  });
  return errors;
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'A web address starting with https://' });

const connectionBase = z.object({
  /** Stable id: keys the secret, links and shadows in storage, so it never changes once saved. */
  id: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'Letters, digits, - and _ only (at most 64)'),
  name: nonEmpty.max(100),
  /** Off: nothing syncs, but links and shadows are kept so reconnecting resumes. */
  enabled: z.boolean().default(true),
  auth: authSchema.prefault({ kind: 'none' }),
  options: connectionOptionsSchema.prefault({}),
  projects: z.array(projectMappingSchema).default(() => []),
  /** Field mappings of every project mapping that does not bring its own. */
  fields: z.array(fieldMappingSchema).default(() => []),
  /** The inbound web trigger's options for this connection (see inboundOptionsOf for the defaults). */
  inbound: inboundOptionsSchema.optional(),
  /**
   * Tool field → its type in the tool's own words, for a tool that cannot describe itself (a preset's
   * table): the fit check offers and saves only the transforms that carry that type.
   */
  toolFieldTypes: z.record(z.string().max(200), z.string().trim().max(60)).optional(),
});

export const recordRestConnectionSchema = connectionBase.extend({
  protocol: z.literal('record-rest'),
  baseUrl: httpUrl,
  paths: restPathsSchema.prefault({}),
  /** Per module, the operations whose path differs from `paths`. */
  modulePaths: z.record(z.string(), restPathOverridesSchema).default(() => ({})),
  /**
   * The record field that holds the Jira issue key: sent on create so the tool can find the record by
   * key, written back to a record Tandem made an issue from, and again when the key changes; empty: never sent.
   */
  issueKeyField: z.string().trim().max(100).default('jira_issue_key'),
  /** The record field that holds the issue's address in Jira, written with the key; empty (the default): not sent. */
  issueUrlField: z.string().trim().max(100).default(''),
});

export const jiraWebhookConnectionSchema = connectionBase.extend({
  protocol: z.literal('jira-webhook'),
  /** Where the tool's records can be opened; optional for push-only tools. */
  baseUrl: httpUrl.optional(),
  webhook: z.object({
    pushUrl: httpUrl,
    /** Sign each push with X-Hub-Signature (HMAC of the body with the connection's signing secret). */
    sign: z.boolean().default(false),
    signingSecretSetAt: z.string().optional(),
    /** Set when the push URL carries a key: the real URL is in secret storage and `pushUrl` is its masked form. */
    pushUrlSetAt: z.string().optional(),
  }),
});

export const connectionSchema = z.discriminatedUnion('protocol', [recordRestConnectionSchema, jiraWebhookConnectionSchema]);
export type Connection = z.infer<typeof connectionSchema>;
export type ConnectionInput = z.input<typeof connectionSchema>;
export type RecordRestConnection = z.infer<typeof recordRestConnectionSchema>;
export type JiraWebhookConnection = z.infer<typeof jiraWebhookConnectionSchema>;

export const configSchema = z.object({
  version: z.literal(CONFIG_VERSION),
  connections: z.array(connectionSchema).default(() => []),
});
export type TandemConfig = z.infer<typeof configSchema>;
export type TandemConfigInput = z.input<typeof configSchema>;

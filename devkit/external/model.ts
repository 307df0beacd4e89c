// The reference ITSM's data model: modules, record and work-note shapes, and the zod schemas that
// validate writes the way a real tool does (400 naming the offending field).
import { z } from 'zod';

export const MODULES = ['incidents', 'changes'] as const;
export type ItsmModule = (typeof MODULES)[number];
export const NUMBER_PREFIX: Record<ItsmModule, string> = { incidents: 'INC', changes: 'CHG' };

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const STATES = ['new', 'in_progress', 'on_hold', 'resolved', 'closed'] as const;
export type State = (typeof STATES)[number];

export function isModule(value: string): value is ItsmModule {
  return (MODULES as readonly string[]).includes(value);
}

export interface ItsmRecord {
  id: string;
  number: string;
  short_description: string;
  /** Markdown. */
  description: string;
  priority: Priority;
  state: State;
  assigned_to: string | null;
  assignment_group: string | null;
  category: string | null;
  jira_issue_key: string | null;
  /** Where the Jira issue opens, written by the integration with the key. */
  jira_issue_url: string | null;
  created_at: string;
  updated_at: string;
}

export interface NoteAuthor {
  name: string;
  email: string | null;
}

export interface WorkNote {
  id: string;
  /** Markdown. */
  body: string;
  author: NoteAuthor;
  created_at: string;
  updated_at: string;
}

export const READ_ONLY_FIELDS = ['id', 'number', 'created_at', 'updated_at'] as const;

/**
 * `GET /api/describe`: the record REST contract's optional description of the tool, its modules,
 * each module's fields with their types (the same as the write schemas below accept) and its states.
 */
export function describeItsm(): { modules: Array<{ name: string; label: string; stateField: string; states: string[]; fields: Array<Record<string, unknown>> }> } {
  const fields: Array<Record<string, unknown>> = [
    { name: 'id', type: 'string', readOnly: true },
    { name: 'number', type: 'string', readOnly: true },
    { name: 'short_description', type: 'string', label: 'Short description', required: true },
    { name: 'description', type: 'markdown', label: 'Description' },
    { name: 'priority', type: 'option', label: 'Priority', options: [...PRIORITIES] },
    { name: 'state', type: 'option', label: 'State', options: [...STATES] },
    { name: 'assigned_to', type: 'user', label: 'Assigned to (email)' },
    { name: 'assignment_group', type: 'string', label: 'Assignment group' },
    { name: 'category', type: 'string', label: 'Category' },
    { name: 'jira_issue_key', type: 'string', label: 'Jira issue key' },
    { name: 'jira_issue_url', type: 'url', label: 'Jira issue URL' },
    { name: 'created_at', type: 'datetime', readOnly: true },
    { name: 'updated_at', type: 'datetime', readOnly: true },
  ];
  const label: Record<ItsmModule, string> = { incidents: 'Incidents', changes: 'Changes' };
  return { modules: MODULES.map((name) => ({ name, label: label[name], stateField: 'state', states: [...STATES], fields })) };
}

/** Answered as `{error: {message, detail, field?}, status: "failure"}`. */
export class ItsmError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toJSON(): { error: { message: string; detail?: string; field?: string }; status: 'failure' } {
    const error: { message: string; detail?: string; field?: string } = { message: this.message };
    if (this.detail !== undefined) error.detail = this.detail;
    if (this.field !== undefined) error.field = this.field;
    return { error, status: 'failure' };
  }
}

const shown = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

const text = (max: number) =>
  z
    .string({ error: (iss) => (iss.input === undefined ? 'is required' : `must be a string (got ${shown(iss.input)})`) })
    .max(max, `must be at most ${max} characters`);
const optionalText = (max: number) => text(max).trim().nullable();

const recordFields = {
  short_description: text(160).trim().min(1, 'must not be empty'),
  description: text(100_000),
  priority: z.enum(PRIORITIES, { error: (iss) => `must be one of ${PRIORITIES.join(', ')} (got ${shown(iss.input)})` }),
  state: z.enum(STATES, { error: (iss) => `must be one of ${STATES.join(', ')} (got ${shown(iss.input)})` }),
  assigned_to: z.email({ error: (iss) => `must be an email address or null (got ${shown(iss.input)})` }).nullable(),
  assignment_group: optionalText(80),
  category: optionalText(80),
  jira_issue_key: z
    .string({ error: (iss) => `must be a Jira issue key such as OPS-12, or null (got ${shown(iss.input)})` })
    .regex(/^[A-Z][A-Z0-9_]*-[1-9][0-9]*$/, 'must be a Jira issue key such as OPS-12, or null')
    .nullable(),
  jira_issue_url: z.url({ protocol: /^https?$/, error: (iss) => `must be an http(s) URL or null (got ${shown(iss.input)})` }).max(2000, 'must be at most 2000 characters').nullable(),
};

export const recordCreateSchema = z.strictObject({
  ...recordFields,
  description: recordFields.description.default(''),
  priority: recordFields.priority.default('P3'),
  state: recordFields.state.default('new'),
  assigned_to: recordFields.assigned_to.default(null),
  assignment_group: recordFields.assignment_group.default(null),
  category: recordFields.category.default(null),
  jira_issue_key: recordFields.jira_issue_key.default(null),
  jira_issue_url: recordFields.jira_issue_url.default(null),
});
export type RecordCreate = z.output<typeof recordCreateSchema>;

export const recordPatchSchema = z.strictObject(recordFields).partial();
export type RecordPatch = z.output<typeof recordPatchSchema>;

const authorSchema = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
  // Tandem names the author the way Jira does.
  displayName: z.string().trim().min(1).max(120).optional(),
  email: z.email('must be an email address or null').nullable().optional(),
});

export const noteCreateSchema = z.strictObject({
  body: text(100_000).min(1, 'must not be empty'),
  author: authorSchema.optional(),
});
export type NoteCreate = z.output<typeof noteCreateSchema>;

export const notePatchSchema = z.strictObject({ body: text(100_000).min(1, 'must not be empty') });

/** Checks a JSON value with a schema; the first problem becomes a 400 naming its field. */
export function parseWrite<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ItsmError(400, 'Invalid request body', 'The request body must be a JSON object');
  }
  const readOnly = READ_ONLY_FIELDS.find((f) => f in value);
  if (readOnly !== undefined) {
    throw new ItsmError(400, `Field '${readOnly}' is read-only`, `${readOnly} is set by StackFlow and cannot be written`, readOnly);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue === undefined) throw new ItsmError(400, 'Invalid request body');
  if (issue.code === 'unrecognized_keys') {
    const field = issue.keys[0] ?? '?';
    throw new ItsmError(400, `Unknown field '${field}'`, `'${field}' is not a field of this record`, field);
  }
  const field = issue.path.map(String).join('.');
  if (issue.message === 'is required') {
    throw new ItsmError(400, `Missing required field '${field}'`, `${field} is required`, field);
  }
  throw new ItsmError(400, `Invalid value for field '${field}'`, `${field} ${issue.message}`, field);
}

// One field's value, carried from Jira to the tool and back. Pure and synchronous: anything that
// needs the outside world (finding a Jira user by email, moving an issue through its workflow)
// comes back as an intent the sync layer carries out. A value that cannot be carried is skipped
// with a reason the activity log can show, never silently dropped and never a failed sync.
import { adfToMarkdown, adfToPlainText, markdownToAdf } from '../adf';
import type { FieldMapping, StatusCategory, TransformOf } from './schema';

export interface SkipResult {
  kind: 'skip';
  reason: string;
}
export interface ErrorResult {
  kind: 'error';
  reason: string;
}
export interface ValueResult {
  kind: 'value';
  value: unknown;
}
/** Find the Jira user with this email; none found means unassigned plus a note, not a failure. */
export interface UserByEmailLookup {
  kind: 'user-by-email';
  email: string;
}
/** Find the Jira users with these emails; an email without a match is left out with a note. */
export interface UsersByEmailLookup {
  kind: 'users-by-email';
  emails: string[];
}
/** Find the Jira issue linked to this record of the connection (a parent reference). */
export interface IssueOfRecordLookup {
  kind: 'issue-of-record';
  recordId: string;
}
/** Find the open sprint of this name on the mapping's board; none means a kept failure naming it. */
export interface SprintByNameLookup {
  kind: 'sprint-by-name';
  name: string;
  /** Filled from the project mapping by the plan. */
  boardId?: number;
}
export type Lookup = UserByEmailLookup | UsersByEmailLookup | IssueOfRecordLookup | SprintByNameLookup;
/** Jira status is moved by transition: to this status by name when reachable, else into this category. */
export interface StatusTarget {
  kind: 'status';
  name?: string;
  category: StatusCategory;
}

export type ToolValueResult = ValueResult | SkipResult | ErrorResult;
export type JiraValueResult = ValueResult | Lookup | StatusTarget | SkipResult | ErrorResult;

export interface ToolValueContext {
  /** The email of a Jira account, when the app can see it. */
  emailOf(accountId: string): string | undefined;
  /** The record id linked to a Jira issue on this connection (read by the sync layer beforehand). */
  recordOf?(issueId: string): string | undefined;
}

const value = (v: unknown): ValueResult => ({ kind: 'value', value: v });
const skip = (reason: string): SkipResult => ({ kind: 'skip', reason });
const fail = (reason: string): ErrorResult => ({ kind: 'error', reason });

// ---------------------------------------------------------------- names for messages

const SYSTEM_FIELD_NAMES: Record<string, string> = {
  summary: 'Summary',
  description: 'Description',
  environment: 'Environment',
  priority: 'Priority',
  assignee: 'Assignee',
  reporter: 'Reporter',
  labels: 'Labels',
  status: 'Status',
  duedate: 'Due date',
  components: 'Components',
  fixVersions: 'Fix versions',
  versions: 'Affects versions',
  resolution: 'Resolution',
  issuetype: 'Issue type',
  project: 'Project',
  created: 'Created',
  updated: 'Updated',
  resolutiondate: 'Resolved',
  creator: 'Creator',
  timeestimate: 'Remaining estimate',
  timeoriginalestimate: 'Original estimate',
};

/** How a Jira field is called in messages: its name from Jira when known, else a system name, else its id. */
export function jiraFieldLabel(fieldId: string, name?: string): string {
  return name ?? SYSTEM_FIELD_NAMES[fieldId] ?? fieldId;
}

const quote = (v: unknown): string => (typeof v === 'string' ? `"${v.length > 60 ? v.slice(0, 57) + '...' : v}"` : String(v));

// ---------------------------------------------------------------- small readers of raw Jira values

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const isAdfDoc = (v: unknown): boolean => isRecord(v) && v.type === 'doc';
const isEmpty = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
const norm = (s: string): string => s.trim().toLowerCase();

/** The text of a named thing: a string, or an object's `name` / `value` (priority, option, status…). */
function nameOf(v: unknown, key: 'name' | 'value'): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (isRecord(v) && typeof v[key] === 'string') return v[key];
  return undefined;
}

// Lookup tables are compiled once per transform object: planning runs for every event, the
// configuration changes rarely.
const compiled = new WeakMap<object, unknown>();
function compile<T>(owner: object, build: () => T): T {
  let table = compiled.get(owner) as T | undefined;
  if (table === undefined) {
    table = build();
    compiled.set(owner, table);
  }
  return table;
}

/** First row wins in each direction, compared without case. */
function pairTables(rows: ReadonlyArray<{ tool: string; jira: string }>) {
  const toTool = new Map<string, string>();
  const toJira = new Map<string, string>();
  for (const row of rows) {
    if (!toTool.has(norm(row.jira))) toTool.set(norm(row.jira), row.tool);
    if (!toJira.has(norm(row.tool))) toJira.set(norm(row.tool), row.jira);
  }
  return { toTool, toJira };
}

// ---------------------------------------------------------------- plain text → ADF

type AdfInline = { type: 'text'; text: string } | { type: 'hardBreak' };

/** Plain text as ADF: blank lines separate paragraphs, single newlines become hard breaks. */
export function plainTextToAdf(text: string): { type: 'doc'; version: 1; content: Array<{ type: 'paragraph'; content: AdfInline[] }> } {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((block) => block.replace(/^\n+|\n+$/g, ''))
    .filter((block) => block.trim() !== '');
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((block) => {
      const content: AdfInline[] = [];
      block.split('\n').forEach((line, index) => {
        if (index > 0) content.push({ type: 'hardBreak' });
        if (line !== '') content.push({ type: 'text', text: line });
      });
      return { type: 'paragraph', content };
    }),
  };
}

// ---------------------------------------------------------------- dates

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

interface ParsedDate {
  /** The calendar date as written (in the writer's own zone). */
  date: string;
  /** The instant, in milliseconds since the epoch (midnight UTC for a date alone). */
  ms: number;
}

function validDate(date: string): boolean {
  const m = DATE_ONLY.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Reads `2026-11-22`, `2026-11-22T07:02:00.000+0000` (Jira), ISO 8601 with any offset, or epoch milliseconds. */
export function parseDateValue(v: unknown): ParsedDate | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    const iso = new Date(v).toISOString();
    return { date: iso.slice(0, 10), ms: v };
  }
  if (typeof v !== 'string') return undefined;
  const text = v.trim();
  if (DATE_ONLY.test(text)) return validDate(text) ? { date: text, ms: Date.parse(`${text}T00:00:00.000Z`) } : undefined;
  const m = DATE_TIME.exec(text);
  if (!m || !validDate(m[1] as string)) return undefined;
  const [, date, hh, mm, ss = '00', frac = '0', zone] = m;
  let offset = 'Z';
  if (zone && zone.toUpperCase() !== 'Z') offset = zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const millis = frac.padEnd(3, '0').slice(0, 3);
  const ms = Date.parse(`${date}T${hh}:${mm}:${ss}.${millis}${offset}`);
  return Number.isNaN(ms) ? undefined : { date: date as string, ms };
}

/** Jira's date-time format: `2026-11-22T07:02:00.000+0000`. */
export function formatJiraDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

// ---------------------------------------------------------------- Jira → tool

/** The tool's value for a Jira field's value (raw Jira REST shape). */
export function toToolValue(mapping: FieldMapping, jiraValue: unknown, ctx?: ToolValueContext): ToolValueResult {
  const label = jiraFieldLabel(mapping.jira);
  const t = mapping.transform;
  switch (t.kind) {
    case 'text':
      if (jiraValue === null || jiraValue === undefined) return value(null);
      if (typeof jiraValue === 'string') return value(jiraValue);
      if (typeof jiraValue === 'number' || typeof jiraValue === 'boolean') return value(String(jiraValue));
      if (isAdfDoc(jiraValue)) return value(adfToPlainText(jiraValue));
      return fail(`${label} does not hold text`);
    case 'adf-markdown':
    case 'adf-plain':
      if (jiraValue === null || jiraValue === undefined) return value('');
      if (typeof jiraValue === 'string') return value(jiraValue);
      if (isAdfDoc(jiraValue)) return value(t.kind === 'adf-markdown' ? adfToMarkdown(jiraValue) : adfToPlainText(jiraValue));
      return fail(`${label} does not hold rich text`);
    case 'user-email':
      return userToTool(label, jiraValue, ctx);
    case 'priority': {
      if (jiraValue === null || jiraValue === undefined) return value(null);
      const name = nameOf(jiraValue, 'name');
      if (name === undefined) return fail(`${label} does not hold a priority`);
      const tool = compile(t, () => pairTables(t.table)).toTool.get(norm(name));
      return tool === undefined ? skip(`Jira priority ${quote(name)} has no row in the priority table`) : value(tool);
    }
    case 'status':
      return statusToTool(t, jiraValue);
    case 'labels': {
      if (jiraValue !== null && jiraValue !== undefined && !Array.isArray(jiraValue)) return fail(`${label} does not hold labels`);
      const labels = Array.isArray(jiraValue) ? jiraValue.filter((l): l is string => typeof l === 'string') : [];
      return value(t.format === 'comma' ? labels.join(',') : labels);
    }
    case 'number':
      if (jiraValue === null || jiraValue === undefined) return value(null);
      if (typeof jiraValue === 'number' && Number.isFinite(jiraValue)) return value(jiraValue);
      if (typeof jiraValue === 'string' && jiraValue.trim() !== '' && Number.isFinite(Number(jiraValue))) return value(Number(jiraValue));
      return fail(`${label} holds ${quote(jiraValue)}, which is not a number`);
    case 'date': {
      if (isEmpty(jiraValue)) return value(null);
      const parsed = parseDateValue(jiraValue);
      if (!parsed) return fail(`${label} holds ${quote(jiraValue)}, which is not a date`);
      const format = t.toolFormat ?? t.jiraType;
      if (format === 'date') return value(parsed.date);
      if (format === 'epoch-ms') return value(parsed.ms);
      return value(new Date(parsed.ms).toISOString());
    }
    case 'option':
      return optionToTool(t, label, jiraValue);
    case 'names': {
      if (jiraValue !== null && jiraValue !== undefined && !Array.isArray(jiraValue)) return fail(`${label} does not hold a list of versions or components`);
      const names = (Array.isArray(jiraValue) ? jiraValue : []).map((item) => nameOf(item, 'name')).filter((n): n is string => n !== undefined);
      return value(t.format === 'single' ? (names[0] ?? null) : names);
    }
    case 'checkbox': {
      if (jiraValue === null || jiraValue === undefined) return value(false);
      if (!Array.isArray(jiraValue)) return fail(`${label} does not hold checkboxes`);
      return value(jiraValue.some((item) => norm(nameOf(item, 'value') ?? '') === norm(t.option)));
    }
    case 'cascading': {
      if (jiraValue === null || jiraValue === undefined) return value(null);
      const parent = nameOf(jiraValue, 'value');
      if (parent === undefined || !isRecord(jiraValue)) return fail(`${label} does not hold a cascading choice`);
      const child = nameOf(jiraValue.child, 'value');
      return value(child === undefined ? parent : `${parent}${t.separator}${child}`);
    }
    case 'users-email': {
      if (jiraValue === null || jiraValue === undefined) return value([]);
      if (!Array.isArray(jiraValue)) return fail(`${label} does not hold a list of users`);
      const emails: string[] = [];
      for (const user of jiraValue) {
        const one = userToTool(label, user, ctx);
        if (one.kind !== 'value') return one;
        if (typeof one.value === 'string' && !emails.includes(one.value)) emails.push(one.value);
      }
      return value(emails);
    }
    case 'url':
      if (isEmpty(jiraValue)) return value(null);
      return typeof jiraValue === 'string' && isWebAddress(jiraValue) ? value(jiraValue.trim()) : skip(`${label} holds ${quote(jiraValue)}, which is not a web address`);
    case 'sprint': {
      // The issue's open sprint (active before future); closed sprints are its history.
      if (jiraValue === null || jiraValue === undefined) return value(null);
      if (!Array.isArray(jiraValue)) return fail(`${label} does not hold sprints`);
      const open = jiraValue.filter((s): s is Raw => isRecord(s) && typeof s.name === 'string' && s.state !== 'closed');
      const chosen = open.find((s) => s.state === 'active') ?? open[0];
      return value(chosen ? chosen.name : null);
    }
    case 'parent': {
      if (jiraValue === null || jiraValue === undefined) return value(null);
      if (!isRecord(jiraValue) || typeof jiraValue.id !== 'string') return fail(`${label} does not hold an issue`);
      const record = ctx?.recordOf?.(jiraValue.id);
      const key = typeof jiraValue.key === 'string' ? jiraValue.key : jiraValue.id;
      return record === undefined ? skip(`The parent ${key} has no record in the tool (not synced yet, or in a project this connection does not map); the parent is sent once it has one`) : value(record);
    }
    case 'team': {
      if (jiraValue === null || jiraValue === undefined) return value(null);
      const id = isRecord(jiraValue) && typeof jiraValue.id === 'string' ? jiraValue.id : typeof jiraValue === 'string' ? jiraValue : undefined;
      if (id === undefined) return fail(`${label} does not hold a team`);
      const tool = compile(t, () => pairTables(t.table)).toTool.get(norm(id));
      const name = isRecord(jiraValue) && typeof jiraValue.name === 'string' ? jiraValue.name : id;
      return tool === undefined ? skip(`Jira team ${quote(name)} has no row in the team table`) : value(tool);
    }
  }
}

function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function userToTool(label: string, jiraValue: unknown, ctx: ToolValueContext | undefined): ToolValueResult {
  if (jiraValue === null || jiraValue === undefined) return value(null);
  const user = isRecord(jiraValue) ? jiraValue : undefined;
  const accountId = typeof jiraValue === 'string' ? jiraValue : typeof user?.accountId === 'string' ? user.accountId : undefined;
  if (accountId === undefined) return fail(`${label} does not hold a user`);
  const email = ctx?.emailOf(accountId) ?? (typeof user?.emailAddress === 'string' && user.emailAddress !== '' ? user.emailAddress : undefined);
  if (email !== undefined) return value(email);
  const who = typeof user?.displayName === 'string' ? `${user.displayName} (${accountId})` : accountId;
  return skip(`The email of ${who} is not visible to Tandem, so ${label} is not sent`);
}

function statusTables(t: TransformOf<'status'>) {
  return compile(t, () => {
    const toTool = new Map<string, string>();
    for (const row of t.toTool) for (const name of row.jira) if (!toTool.has(norm(name))) toTool.set(norm(name), row.tool);
    const toJira = new Map<string, { name?: string; category: StatusCategory }>();
    for (const row of t.toJira) {
      if (!toJira.has(norm(row.tool))) toJira.set(norm(row.tool), row.jira === undefined ? { category: row.category } : { name: row.jira, category: row.category });
    }
    return { toTool, toJira };
  });
}

/** Accepts the snapshot's `{name, categoryKey}` or Jira's raw `{name, statusCategory: {key}}`. */
function statusToTool(t: TransformOf<'status'>, jiraValue: unknown): ToolValueResult {
  if (!isRecord(jiraValue)) return fail('Status does not hold a status');
  const name = typeof jiraValue.name === 'string' ? jiraValue.name : undefined;
  const category =
    typeof jiraValue.categoryKey === 'string'
      ? jiraValue.categoryKey
      : isRecord(jiraValue.statusCategory) && typeof jiraValue.statusCategory.key === 'string'
        ? jiraValue.statusCategory.key
        : undefined;
  const byName = name === undefined ? undefined : statusTables(t).toTool.get(norm(name));
  if (byName !== undefined) return value(byName);
  const byCategory = category === 'new' || category === 'indeterminate' || category === 'done' ? t.categoryToTool[category] : undefined;
  if (byCategory !== undefined) return value(byCategory);
  return skip(`Jira status ${quote(name ?? '?')} (category ${category ?? 'unknown'}) has no tool state in the status table`);
}

function optionToTool(t: TransformOf<'option'>, label: string, jiraValue: unknown): ToolValueResult {
  if (jiraValue === null || jiraValue === undefined) return value(null);
  const table = compile(t, () => pairTables(t.table)).toTool;
  const one = (item: unknown): string | SkipResult | ErrorResult => {
    const name = nameOf(item, 'value');
    if (name === undefined) return fail(`${label} does not hold a choice`);
    const mapped = table.get(norm(name));
    if (mapped !== undefined) return mapped;
    if (t.defaultTool !== undefined) return t.defaultTool;
    return t.unmatched === 'same' ? name : skip(`${label} choice ${quote(name)} has no row in the option table`);
  };
  if (!Array.isArray(jiraValue)) {
    const r = one(jiraValue);
    return typeof r === 'string' ? value(r) : r;
  }
  const out: string[] = [];
  for (const item of jiraValue) {
    const r = one(item);
    if (typeof r !== 'string') return r;
    out.push(r);
  }
  return value(out);
}

// ---------------------------------------------------------------- tool → Jira

const SUMMARY_MAX = 255;

/** The Jira value (raw REST shape for an edit), lookup or transition for a tool field's value. */
export function toJiraValue(mapping: FieldMapping, toolValue: unknown): JiraValueResult {
  const label = jiraFieldLabel(mapping.jira);
  const from = `the tool's ${mapping.tool}`;
  const t = mapping.transform;
  switch (t.kind) {
    case 'text': {
      if (toolValue === null || toolValue === undefined) {
        return mapping.jira === 'summary' ? skip(`${from} is empty, and a Jira summary cannot be`) : value(null);
      }
      if (typeof toolValue !== 'string' && typeof toolValue !== 'number' && typeof toolValue !== 'boolean') {
        return fail(`${from} does not hold text`);
      }
      const text = String(toolValue);
      if (mapping.jira !== 'summary') return value(text);
      // Jira refuses a summary with line breaks or over 255 characters.
      const line = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
      if (line === '') return skip(`${from} is empty, and a Jira summary cannot be`);
      return value(line.length > SUMMARY_MAX ? line.slice(0, SUMMARY_MAX - 1) + '…' : line);
    }
    case 'adf-markdown':
    case 'adf-plain':
      if (isEmpty(toolValue)) return value(null);
      if (typeof toolValue !== 'string') return fail(`${from} does not hold text`);
      return value(t.kind === 'adf-markdown' ? markdownToAdf(toolValue) : plainTextToAdf(toolValue));
    case 'user-email': {
      if (isEmpty(toolValue)) return value(null);
      const email = typeof toolValue === 'string' ? toolValue.trim() : isRecord(toolValue) ? nameOfEmail(toolValue) : undefined;
      if (email === undefined || !/^[^\s@]+@[^\s@]+$/.test(email)) return skip(`${from} holds ${quote(email ?? toolValue)}, which is not an email address`);
      return { kind: 'user-by-email', email };
    }
    case 'priority': {
      if (isEmpty(toolValue)) return skip(`${from} is empty; ${label} is left as it is`);
      const name = nameOf(toolValue, 'name');
      if (name === undefined) return fail(`${from} does not hold a priority`);
      const jira = compile(t, () => pairTables(t.table)).toJira.get(norm(name));
      return jira === undefined ? skip(`The tool's priority ${quote(name)} has no row in the priority table`) : value({ name: jira });
    }
    case 'status': {
      const state = nameOf(toolValue, 'name');
      if (state === undefined || state.trim() === '') return skip(`${from} holds no state`);
      const target = statusTables(t).toJira.get(norm(state));
      if (target === undefined) return skip(`The tool's state ${quote(state)} has no Jira status in the status table`);
      return { kind: 'status', ...target };
    }
    case 'labels': {
      if (isEmpty(toolValue)) return value([]);
      const items = typeof toolValue === 'string' ? toolValue.split(',') : Array.isArray(toolValue) ? toolValue : undefined;
      if (items === undefined) return fail(`${from} does not hold labels`);
      const labels: string[] = [];
      for (const item of items) {
        if (typeof item !== 'string' && typeof item !== 'number') continue;
        // Jira labels cannot contain spaces.
        const cleaned = String(item).trim().replace(/\s+/g, '-');
        if (cleaned !== '' && !labels.includes(cleaned)) labels.push(cleaned);
      }
      return value(labels);
    }
    case 'number': {
      if (isEmpty(toolValue)) return value(null);
      const n = typeof toolValue === 'number' ? toolValue : typeof toolValue === 'string' ? Number(toolValue.trim()) : Number.NaN;
      return Number.isFinite(n) ? value(n) : fail(`${from} holds ${quote(toolValue)}, which is not a number`);
    }
    case 'date': {
      if (isEmpty(toolValue)) return value(null);
      const parsed = parseDateValue(toolValue);
      if (!parsed) return fail(`${from} holds ${quote(toolValue)}, which is not a date`);
      return value(t.jiraType === 'date' ? parsed.date : formatJiraDateTime(parsed.ms));
    }
    case 'option': {
      if (isEmpty(toolValue)) return value(null);
      const table = compile(t, () => pairTables(t.table)).toJira;
      const one = (item: unknown): { value: string } | SkipResult | ErrorResult => {
        const name = nameOf(item, 'value');
        if (name === undefined) return fail(`${from} does not hold a choice`);
        const mapped = table.get(norm(name));
        if (mapped !== undefined) return { value: mapped };
        if (t.defaultJira !== undefined) return { value: t.defaultJira };
        return t.unmatched === 'same' ? { value: name } : skip(`The tool's choice ${quote(name)} has no row in the option table`);
      };
      if (!Array.isArray(toolValue)) {
        const r = one(toolValue);
        return 'kind' in r ? r : value(r);
      }
      const out: Array<{ value: string }> = [];
      for (const item of toolValue) {
        const r = one(item);
        if ('kind' in r) return r;
        if (!out.some((o) => o.value === r.value)) out.push(r);
      }
      return value(out);
    }
    case 'names': {
      if (isEmpty(toolValue)) return value([]);
      const items = Array.isArray(toolValue) ? toolValue : [toolValue];
      const names: string[] = [];
      for (const item of items) {
        const name = nameOf(item, 'name');
        if (name === undefined) return fail(`${from} does not hold names`);
        if (name.trim() !== '' && !names.includes(name.trim())) names.push(name.trim());
      }
      // Jira finds each by name in the issue's project, and refuses a name it does not have.
      return value(names.map((name) => ({ name })));
    }
    case 'checkbox': {
      if (toolValue === null || toolValue === undefined) return value([]);
      if (typeof toolValue !== 'boolean') return fail(`${from} holds ${quote(toolValue)}, which is not true or false`);
      return value(toolValue ? [{ value: t.option }] : []);
    }
    case 'cascading': {
      if (isEmpty(toolValue)) return value(null);
      if (typeof toolValue !== 'string') return fail(`${from} does not hold a choice`);
      const at = toolValue.indexOf(t.separator);
      if (at < 0) return value({ value: toolValue.trim() });
      return value({ value: toolValue.slice(0, at).trim(), child: { value: toolValue.slice(at + t.separator.length).trim() } });
    }
    case 'users-email': {
      if (isEmpty(toolValue)) return value([]);
      const items = Array.isArray(toolValue) ? toolValue : typeof toolValue === 'string' ? toolValue.split(',') : undefined;
      if (items === undefined) return fail(`${from} does not hold a list of emails`);
      const emails: string[] = [];
      for (const item of items) {
        const email = typeof item === 'string' ? item.trim() : isRecord(item) ? nameOfEmail(item) : undefined;
        if (email === undefined || !/^[^\s@]+@[^\s@]+$/.test(email)) return skip(`${from} holds ${quote(email ?? item)}, which is not an email address`);
        if (!emails.some((e) => norm(e) === norm(email))) emails.push(email);
      }
      return emails.length === 0 ? value([]) : { kind: 'users-by-email', emails };
    }
    case 'url':
      if (isEmpty(toolValue)) return value(null);
      return typeof toolValue === 'string' && isWebAddress(toolValue) ? value(toolValue.trim()) : skip(`${from} holds ${quote(toolValue)}, which is not a web address`);
    case 'sprint': {
      if (isEmpty(toolValue)) return value(null);
      const name = nameOf(toolValue, 'name');
      if (name === undefined) return fail(`${from} does not hold a sprint name`);
      return { kind: 'sprint-by-name', name: name.trim() };
    }
    case 'parent': {
      if (isEmpty(toolValue)) return value(null);
      const recordId = nameOf(toolValue, 'name') ?? (isRecord(toolValue) && typeof toolValue.id === 'string' ? toolValue.id : undefined);
      if (recordId === undefined) return fail(`${from} does not hold a record reference`);
      return { kind: 'issue-of-record', recordId: recordId.trim() };
    }
    case 'team': {
      if (isEmpty(toolValue)) return value(null);
      const name = nameOf(toolValue, 'name');
      if (name === undefined) return fail(`${from} does not hold a team`);
      const id = compile(t, () => pairTables(t.table)).toJira.get(norm(name));
      return id === undefined ? skip(`The tool's team ${quote(name)} has no row in the team table`) : value(id);
    }
  }
}

function nameOfEmail(v: Raw): string | undefined {
  const email = v.email ?? v.emailAddress;
  return typeof email === 'string' ? email.trim() : undefined;
}

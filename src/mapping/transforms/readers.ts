// Shared by both directions: how fields are named in messages, small readers of raw values, and
// the lookup tables compiled from a transform's rows.
import type { StatusCategory, TransformOf } from '../schema';

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

export const quote = (v: unknown): string => (typeof v === 'string' ? `"${v.length > 60 ? v.slice(0, 57) + '...' : v}"` : String(v));

// ---------------------------------------------------------------- small readers of raw Jira values

export type Raw = Record<string, unknown>;
export const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isAdfDoc = (v: unknown): boolean => isRecord(v) && v.type === 'doc';
export const isEmpty = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
export const norm = (s: string): string => s.trim().toLowerCase();

/** The text of a named thing: a string, or an object's `name` / `value` (priority, option, status…). */
export function nameOf(v: unknown, key: 'name' | 'value'): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (isRecord(v) && typeof v[key] === 'string') return v[key];
  return undefined;
}

// Lookup tables are compiled once per transform object: planning runs for every event, the
// configuration changes rarely.
const compiled = new WeakMap<object, unknown>();
export function compile<T>(owner: object, build: () => T): T {
  let table = compiled.get(owner) as T | undefined;
  if (table === undefined) {
    table = build();
    compiled.set(owner, table);
  }
  return table;
}

/** First row wins in each direction, compared without case. */
export function pairTables(rows: ReadonlyArray<{ tool: string; jira: string }>) {
  const toTool = new Map<string, string>();
  const toJira = new Map<string, string>();
  for (const row of rows) {
    if (!toTool.has(norm(row.jira))) toTool.set(norm(row.jira), row.tool);
    if (!toJira.has(norm(row.tool))) toJira.set(norm(row.tool), row.jira);
  }
  return { toTool, toJira };
}

export function statusTables(t: TransformOf<'status'>) {
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


export function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

export function nameOfEmail(v: Raw): string | undefined {
  const email = v.email ?? v.emailAddress;
  return typeof email === 'string' ? email.trim() : undefined;
}

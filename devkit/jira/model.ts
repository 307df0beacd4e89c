// What the Jira simulator stores, the defaults a fresh Jira Cloud site comes with, and small pure
// helpers (Jira's date format, ADF checks and plain-text extraction).

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface UserRecord {
  accountId: string;
  displayName: string;
  emailAddress?: string;
  /** The user's profile hides the email: responses omit it; only the app may read it via /user/email. */
  emailHidden: boolean;
  admin: boolean;
  active: boolean;
  accountType: 'atlassian' | 'app';
  timeZone: string;
  /**
   * Per project key, less than the full access a site user has by default (permission schemes give
   * it through roles): `browse` sees the project's issues but may not edit them; `none` sees nothing.
   */
  projectAccess?: Record<string, 'browse' | 'none'>;
}

export interface StatusRecord {
  id: string;
  name: string;
  category: StatusCategoryKey;
  /** The team-managed project whose workflow the status belongs to; absent for the site's shared statuses (see IssueTypeRecord.projectId). */
  projectId?: string;
}

export interface TransitionRecord {
  id: string;
  name: string;
  /** Status ids the transition is available from; null means a global transition (from any status). */
  from: string[] | null;
  to: string;
  /** Its screen asks for a resolution, and the resolution is required. */
  requiresResolution: boolean;
}

/** A project's workflow, by status names. */
export interface WorkflowSpec {
  statuses: Array<{ name: string; category: StatusCategoryKey }>;
  /** Status new issues start in; the first status when absent. */
  initial?: string;
  transitions: Array<{ name: string; from: string[] | '*'; to: string; requiresResolution?: boolean }>;
}

export interface IssueTypeRecord {
  id: string;
  name: string;
  description: string;
  subtask: boolean;
  /**
   * Jira Cloud's issue type hierarchy: sub-tasks -1, standard types 0, epics 1. An issue's parent
   * is one level above it (support.atlassian.com/jira-cloud-administration/docs/configure-the-issue-type-hierarchy/).
   */
  hierarchyLevel: number;
  /**
   * The team-managed project the type belongs to; absent for the site's shared (company-managed)
   * types. Team-managed projects scope their issue types to themselves, so two projects' "Story"
   * are two types (developer.atlassian.com/blog/2018/09/jira-cloud-next-gen-projects-and-connect-apps/),
   * answered with `scope: {type: 'PROJECT', project: {id}}`
   * (developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-types/).
   */
  projectId?: string;
}

/** A project's version (a release), named in `fixVersions` and `versions`. */
export interface VersionRecord {
  id: string;
  name: string;
  released: boolean;
  archived: boolean;
  /** YYYY-MM-DD */
  releaseDate?: string;
}

export interface ComponentRecord {
  id: string;
  name: string;
}

/** A Jira Software board on one project; scrum boards hold sprints. */
export interface BoardRecord {
  id: number;
  name: string;
  type: 'scrum' | 'kanban';
  projectId: string;
}

export interface SprintRecord {
  id: number;
  name: string;
  state: 'future' | 'active' | 'closed';
  /** The board the sprint was made on (`originBoardId`). */
  boardId: number;
  goal: string;
  startDate?: number;
  endDate?: number;
}

/** An Atlassian team, as the Team field names one. */
export interface TeamRecord {
  id: string;
  name: string;
}

export interface ProjectRecord {
  id: string;
  key: string;
  name: string;
  issueTypeIds: string[];
  statusIds: string[];
  initialStatusId: string;
  transitions: TransitionRecord[];
  nextNumber: number;
  /** The project lead's accountId (every Jira project has one). */
  leadId: string;
  /** Company-managed (classic) or team-managed (next-gen); both hold parents in the `parent` field. */
  style: 'classic' | 'next-gen';
  versions: VersionRecord[];
  components: ComponentRecord[];
}

export type CustomFieldType =
  | 'string'
  | 'textarea'
  | 'number'
  | 'date'
  | 'datetime'
  | 'option'
  | 'array-option'
  | 'array-string'
  | 'user'
  | 'url'
  | 'checkbox'
  | 'cascading'
  | 'array-user'
  | 'sprint'
  | 'story-points'
  | 'team';

export interface OptionRecord {
  id: string;
  value: string;
  /** The second level of a cascading select. */
  children?: Array<{ id: string; value: string }>;
}

export interface CustomFieldRecord {
  id: string;
  numericId: number;
  name: string;
  type: CustomFieldType;
  required: boolean;
  options: OptionRecord[];
}

export type AdfDoc = Record<string, unknown> & { type: 'doc' };

export interface CommentRecord {
  id: string;
  authorId: string;
  updateAuthorId: string;
  body: AdfDoc;
  created: number;
  updated: number;
  visibility?: { type: 'group' | 'role'; value: string; identifier?: string | null };
  /** Comment properties by key: set with the comment (`properties` on create) or one by one. */
  properties: Map<string, unknown>;
}

export interface RemoteLinkRecord {
  id: number;
  globalId?: string;
  application?: Record<string, unknown>;
  relationship?: string;
  object: Record<string, unknown>;
}

/** One field change as Jira writes it in a changelog (and in `avi:jira:updated:issue` events). */
export interface ChangelogItem {
  field: string;
  fieldtype: 'jira' | 'custom';
  fieldId: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

/** One change to an issue: who made it, when, and what it changed (Jira's `Changelog`). */
export interface ChangelogRecord {
  id: string;
  authorId: string;
  created: number;
  items: ChangelogItem[];
  /** What the writer sent as `historyMetadata` with the edit or transition, served back with the entry. */
  historyMetadata?: Record<string, unknown>;
}

export interface IssueRecord {
  id: string;
  key: string;
  projectId: string;
  issueTypeId: string;
  summary: string;
  description: AdfDoc | null;
  statusId: string;
  statusCategoryChanged: number;
  priorityId: string | null;
  labels: string[];
  assigneeId: string | null;
  reporterId: string | null;
  creatorId: string;
  created: number;
  updated: number;
  resolutionId: string | null;
  resolutionDate: number | null;
  duedate: string | null;
  /** The parent issue's id (an epic's child, a sub-task's issue), or null. */
  parentId: string | null;
  fixVersionIds: string[];
  componentIds: string[];
  /** Custom field id → stored value: string, number (datetime as epoch ms), ADF, option id(s), string[]. */
  custom: Map<string, unknown>;
  comments: CommentRecord[];
  remoteLinks: RemoteLinkRecord[];
  properties: Map<string, unknown>;
  /** The issue's history, oldest first: every field change made since it was created. */
  changelog: ChangelogRecord[];
  /** Recent write times, for Jira's per-issue write limit. */
  writes: number[];
  /** Keys the issue had before it moved to another project, oldest first: they still find it (Get issue, Bulk fetch). */
  formerKeys?: string[];
}

export interface NamedRecord {
  id: string;
  name: string;
  description: string;
}

export const STATUS_CATEGORIES: Record<StatusCategoryKey, { id: number; key: StatusCategoryKey; name: string; colorName: string }> = {
  new: { id: 2, key: 'new', name: 'To Do', colorName: 'blue-gray' },
  indeterminate: { id: 4, key: 'indeterminate', name: 'In Progress', colorName: 'yellow' },
  done: { id: 3, key: 'done', name: 'Done', colorName: 'green' },
};

export const DEFAULT_PRIORITIES: Array<NamedRecord & { statusColor: string }> = [
  { id: '1', name: 'Highest', description: 'This problem will block progress.', statusColor: '#d04437' },
  { id: '2', name: 'High', description: 'Serious problem that could block progress.', statusColor: '#f15C75' },
  { id: '3', name: 'Medium', description: 'Has the potential to affect progress.', statusColor: '#f79232' },
  { id: '4', name: 'Low', description: 'Minor problem or easily worked around.', statusColor: '#707070' },
  { id: '5', name: 'Lowest', description: 'Trivial problem with little or no impact on progress.', statusColor: '#999999' },
];
export const DEFAULT_PRIORITY_ID = '3';

export const DEFAULT_RESOLUTIONS: NamedRecord[] = [
  { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' },
  { id: '10001', name: "Won't Do", description: 'This issue won\'t be actioned.' },
  { id: '10002', name: 'Duplicate', description: 'The problem is a duplicate of an existing issue.' },
];

/** To Do → In Progress ⇄ Blocked → Done → Closed, with ways back; entering Done asks for a resolution. */
export function defaultWorkflow(): WorkflowSpec {
  return {
    statuses: [
      { name: 'To Do', category: 'new' },
      { name: 'In Progress', category: 'indeterminate' },
      { name: 'Blocked', category: 'indeterminate' },
      { name: 'Done', category: 'done' },
      { name: 'Closed', category: 'done' },
    ],
    initial: 'To Do',
    transitions: [
      { name: 'Start Progress', from: ['To Do'], to: 'In Progress' },
      { name: 'Block', from: ['In Progress'], to: 'Blocked' },
      { name: 'Unblock', from: ['Blocked'], to: 'In Progress' },
      { name: 'Done', from: ['In Progress', 'Blocked'], to: 'Done', requiresResolution: true },
      { name: 'Close', from: ['Done'], to: 'Closed' },
      { name: 'Stop Progress', from: ['In Progress', 'Blocked'], to: 'To Do' },
      { name: 'Reopen', from: ['Done', 'Closed'], to: 'To Do' },
    ],
  };
}

/** Jira's timestamp format: `2026-11-22T07:02:00.000+0000` (the simulator's site runs in UTC). */
export function jiraDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

export function isAdfDoc(value: unknown): value is AdfDoc {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return v.type === 'doc' && v.version === 1 && Array.isArray(v.content);
}

const BLOCK_NODES = new Set(['paragraph', 'heading', 'codeBlock', 'blockquote', 'listItem', 'rule', 'panel', 'tableRow', 'mediaSingle']);

/** Plain text of an ADF document, as Jira puts it in changelogs: blocks on their own lines. */
export function adfToText(doc: unknown): string {
  const lines: string[] = [];
  let current = '';
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const n = node as { type?: unknown; text?: unknown; attrs?: Record<string, unknown>; content?: unknown };
    if (n.type === 'text' && typeof n.text === 'string') current += n.text;
    else if (n.type === 'hardBreak') current += '\n';
    else if ((n.type === 'mention' || n.type === 'emoji') && n.attrs) {
      const text = n.attrs.text ?? n.attrs.shortName;
      if (typeof text === 'string') current += text;
    } else if (n.type === 'inlineCard' && n.attrs && typeof n.attrs.url === 'string') current += n.attrs.url;
    if (Array.isArray(n.content)) for (const child of n.content) walk(child);
    if (typeof n.type === 'string' && BLOCK_NODES.has(n.type)) {
      if (current !== '') lines.push(current);
      current = '';
    }
  };
  walk(doc);
  if (current !== '') lines.push(current);
  return lines.join('\n');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

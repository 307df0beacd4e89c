// StackFlow's Jira webhook receiver, as its integration guide describes: an issue created in a mapped
// project becomes a record; status, priority, summary, description and assignee follow the guide's
// tables; comments become work notes. Issue deletion deletes the linked record.
import { z } from 'zod';
import { ItsmError, type ItsmModule, type NoteAuthor, type Priority, type RecordPatch, type State } from './model';
import type { ItsmStore } from './store';

/** One row of the guide's project mapping table. */
export interface ProjectMapping {
  jira_project_key: string;
  /** When set, only issues of this type are mapped. */
  jira_issue_type?: string;
  stackflow_module: ItsmModule;
  stackflow_assignment_group?: string;
  stackflow_category?: string;
  sync_direction?: 'bidirectional' | 'jira_to_stackflow';
}

/** The guide's example mapping. */
export const DEFAULT_PROJECT_MAPPING: readonly ProjectMapping[] = [
  {
    jira_project_key: 'OPS',
    jira_issue_type: 'Bug',
    stackflow_module: 'incidents',
    stackflow_assignment_group: 'Platform Engineering',
    stackflow_category: 'software',
    sync_direction: 'bidirectional',
  },
  { jira_project_key: 'INFRA', jira_issue_type: 'Task', stackflow_module: 'changes', sync_direction: 'jira_to_stackflow' },
];

// The guide's status table, Jira side → StackFlow state (matched case-insensitively).
const STATUS_TO_STATE: Record<string, State> = {
  'to do': 'new',
  open: 'new',
  'in progress': 'in_progress',
  blocked: 'on_hold',
  'on hold': 'on_hold',
  done: 'resolved',
  resolved: 'resolved',
  closed: 'closed',
};
// Statuses outside the table fall back on Jira's status category.
const CATEGORY_TO_STATE: Record<string, State> = { new: 'new', indeterminate: 'in_progress', done: 'resolved' };
const PRIORITY_TO_P: Record<string, Priority> = { highest: 'P1', high: 'P2', medium: 'P3', low: 'P4', lowest: 'P4' };

const id = z.union([z.string(), z.number()]).transform(String);
const user = z.looseObject({ displayName: z.string().optional(), emailAddress: z.string().optional(), accountId: z.string().optional() });
const named = z.looseObject({ name: z.string() });

const webhookSchema = z.looseObject({
  webhookEvent: z.string(),
  timestamp: z.number().optional(),
  user: user.nullish(),
  issue: z.looseObject({
    id: id.optional(),
    key: z.string().min(1),
    fields: z
      .looseObject({
        summary: z.string().optional(),
        description: z.unknown().optional(),
        status: z.looseObject({ name: z.string(), statusCategory: z.looseObject({ key: z.string().optional() }).optional() }).nullish(),
        priority: named.nullish(),
        assignee: user.nullish(),
        issuetype: named.nullish(),
        project: z.looseObject({ key: z.string() }).nullish(),
      })
      .optional(),
  }),
  changelog: z.looseObject({ items: z.array(z.looseObject({ field: z.string() })) }).nullish(),
  comment: z
    .looseObject({ id, body: z.unknown(), author: user.nullish(), updateAuthor: user.nullish() })
    .nullish(),
});
export type JiraWebhookBody = z.infer<typeof webhookSchema>;

export interface WebhookOutcome {
  action: 'created' | 'updated' | 'unchanged' | 'deleted' | 'note_created' | 'note_updated' | 'note_deleted' | 'ignored';
  module?: ItsmModule;
  id?: string;
  number?: string;
  noteId?: string;
  reason?: string;
}

export interface WebhookSettings {
  mapping: readonly ProjectMapping[];
  syncComments: boolean;
}

export function parseJiraWebhook(value: unknown): JiraWebhookBody {
  const parsed = webhookSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  throw new ItsmError(400, 'Invalid Jira webhook body', `${field || 'body'}: ${issue?.message ?? 'unreadable'}`, field || undefined);
}

// ---------------------------------------------------------------- ADF to Markdown

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const children = (node: Node): Node[] => (Array.isArray(node.content) ? node.content.filter(isNode) : []);

function inline(node: Node): string {
  if (node.type === 'text' && typeof node.text === 'string') {
    let out = node.text;
    for (const mark of Array.isArray(node.marks) ? node.marks.filter(isNode) : []) {
      if (mark.type === 'strong') out = `**${out}**`;
      else if (mark.type === 'em') out = `_${out}_`;
      else if (mark.type === 'code') out = `\`${out}\``;
      else if (mark.type === 'strike') out = `~~${out}~~`;
      else if (mark.type === 'link' && isNode(mark.attrs) && typeof mark.attrs.href === 'string') out = `[${out}](${mark.attrs.href})`;
    }
    return out;
  }
  if (node.type === 'hardBreak') return '\n';
  const attrs = isNode(node.attrs) ? node.attrs : {};
  if (node.type === 'mention') return typeof attrs.text === 'string' ? attrs.text : '@someone';
  if (node.type === 'emoji') return typeof attrs.text === 'string' ? attrs.text : typeof attrs.shortName === 'string' ? attrs.shortName : '';
  if (node.type === 'inlineCard') return typeof attrs.url === 'string' ? attrs.url : '';
  return children(node).map(inline).join('');
}

function block(node: Node): string {
  const attrs = isNode(node.attrs) ? node.attrs : {};
  switch (node.type) {
    case 'heading':
      return `${'#'.repeat(typeof attrs.level === 'number' ? Math.min(Math.max(attrs.level, 1), 6) : 1)} ${inline(node)}`;
    case 'codeBlock':
      return `\`\`\`${typeof attrs.language === 'string' ? attrs.language : ''}\n${children(node).map(inline).join('')}\n\`\`\``;
    case 'bulletList':
      return children(node).map((item) => `- ${blocks(item).replace(/\n/g, '\n  ')}`).join('\n');
    case 'orderedList':
      return children(node).map((item, i) => `${i + 1}. ${blocks(item).replace(/\n/g, '\n   ')}`).join('\n');
    case 'blockquote':
      return blocks(node).split('\n').map((line) => `> ${line}`).join('\n');
    case 'rule':
      return '---';
    case 'paragraph':
      return inline(node);
    default:
      return children(node).some((c) => c.type === 'text') ? inline(node) : blocks(node);
  }
}

function blocks(node: Node): string {
  return children(node).map(block).filter((b) => b !== '').join('\n\n');
}

/** Jira rich text (ADF, or the plain text older payloads carry) as Markdown. */
export function jiraTextToMarkdown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!isNode(value)) return '';
  return value.type === 'doc' ? blocks(value) : block(value);
}

// ---------------------------------------------------------------- applying events

function mappingFor(body: JiraWebhookBody, mapping: readonly ProjectMapping[]): ProjectMapping | undefined {
  const project = body.issue.fields?.project?.key ?? body.issue.key.replace(/-\d+$/, '');
  const type = body.issue.fields?.issuetype?.name;
  const candidates = mapping.filter((m) => m.jira_project_key.toUpperCase() === project.toUpperCase());
  return candidates.find((m) => m.jira_issue_type === undefined || type === undefined || m.jira_issue_type.toLowerCase() === type.toLowerCase());
}

const validEmail = (value: string | undefined): string | null => (value !== undefined && z.email().safeParse(value).success ? value : null);

/** The record fields the issue snapshot carries (fields absent from the payload are left alone). */
function fieldsOf(body: JiraWebhookBody): RecordPatch {
  const fields = body.issue.fields ?? {};
  const patch: RecordPatch = {};
  if (fields.summary !== undefined && fields.summary.trim() !== '') patch.short_description = fields.summary.trim().slice(0, 160);
  if ('description' in fields) patch.description = fields.description == null ? '' : jiraTextToMarkdown(fields.description);
  if (fields.status) {
    const state = STATUS_TO_STATE[fields.status.name.toLowerCase()] ?? CATEGORY_TO_STATE[fields.status.statusCategory?.key ?? ''];
    if (state) patch.state = state;
  }
  if (fields.priority) {
    const priority = PRIORITY_TO_P[fields.priority.name.toLowerCase()];
    if (priority) patch.priority = priority;
  }
  // Matched by email; unmatched (or hidden) defaults to unassigned.
  if ('assignee' in fields) patch.assigned_to = validEmail(fields.assignee?.emailAddress ?? undefined);
  return patch;
}

function authorOf(value: JiraWebhookBody['user']): NoteAuthor {
  return { name: value?.displayName ?? 'Jira user', email: validEmail(value?.emailAddress ?? undefined) };
}

function upsertRecord(store: ItsmStore, body: JiraWebhookBody, settings: WebhookSettings): WebhookOutcome {
  const existing = store.findByIssueKey(body.issue.key);
  const patch = fieldsOf(body);
  if (existing) {
    const { record, changed } = store.update(existing.module, existing.record.id, patch);
    return { action: changed.length > 0 ? 'updated' : 'unchanged', module: existing.module, id: record.id, number: record.number };
  }
  const map = mappingFor(body, settings.mapping);
  if (!map) return { action: 'ignored', reason: `No project mapping for ${body.issue.key}` };
  const record = store.create(map.stackflow_module, {
    short_description: patch.short_description ?? body.issue.key,
    description: patch.description ?? '',
    priority: patch.priority ?? 'P3',
    state: patch.state ?? 'new',
    assigned_to: patch.assigned_to ?? null,
    assignment_group: map.stackflow_assignment_group ?? null,
    category: map.stackflow_category ?? null,
    jira_issue_key: body.issue.key,
    jira_issue_url: null,
  });
  return { action: 'created', module: map.stackflow_module, id: record.id, number: record.number };
}

function applyComment(store: ItsmStore, body: JiraWebhookBody, settings: WebhookSettings): WebhookOutcome {
  const comment = body.comment;
  if (!comment) throw new ItsmError(400, 'Invalid Jira webhook body', `${body.webhookEvent} needs a comment`, 'comment');
  if (!settings.syncComments) return { action: 'ignored', reason: 'Comment sync is off' };
  const linked = store.findByIssueKey(body.issue.key);
  if (!linked) return { action: 'ignored', reason: `No record is linked to ${body.issue.key}` };
  const { module } = linked;
  const recordId = linked.record.id;
  const existing = store.noteForJiraComment(module, recordId, comment.id);
  const text = jiraTextToMarkdown(comment.body);
  const base = { module, id: recordId, number: linked.record.number };
  if (body.webhookEvent === 'comment_deleted') {
    if (!existing) return { ...base, action: 'ignored', reason: `No work note for comment ${comment.id}` };
    store.deleteNote(module, recordId, existing.id);
    return { ...base, action: 'note_deleted', noteId: existing.id };
  }
  if (existing) {
    if (text.trim() === '') return { ...base, action: 'ignored', reason: 'Empty comment' };
    store.updateNote(module, recordId, existing.id, text);
    return { ...base, action: 'note_updated', noteId: existing.id };
  }
  if (text.trim() === '') return { ...base, action: 'ignored', reason: 'Empty comment' };
  const note = store.addNote(module, recordId, text, authorOf(comment.author), comment.id);
  return { ...base, action: 'note_created', noteId: note.id };
}

export function applyJiraWebhook(store: ItsmStore, body: JiraWebhookBody, settings: WebhookSettings): WebhookOutcome {
  switch (body.webhookEvent) {
    case 'jira:issue_created':
      return upsertRecord(store, body, settings);
    case 'jira:issue_updated': {
      const outcome = upsertRecord(store, body, settings);
      // An issue update may carry the comment that caused it; the comment_created event may follow, so dedupe by id.
      if (body.comment && outcome.action !== 'ignored') {
        const linked = store.findByIssueKey(body.issue.key);
        if (linked && !store.noteForJiraComment(linked.module, linked.record.id, body.comment.id)) {
          applyComment(store, { ...body, webhookEvent: 'comment_created' }, settings);
        }
      }
      return outcome;
    }
    case 'jira:issue_deleted': {
      const linked = store.findByIssueKey(body.issue.key);
      if (!linked) return { action: 'ignored', reason: `No record is linked to ${body.issue.key}` };
      store.delete(linked.module, linked.record.id);
      return { action: 'deleted', module: linked.module, id: linked.record.id, number: linked.record.number };
    }
    case 'comment_created':
    case 'comment_updated':
    case 'comment_deleted':
      return applyComment(store, body, settings);
    default:
      return { action: 'ignored', reason: `Event ${body.webhookEvent} is not handled` };
  }
}

// The Jira-webhook body for an event about an issue as Jira's REST API returns it: the standard
// fields in Jira's shapes (an empty one as Jira leaves it: null, or an empty list), every other field
// passed as it is; an issue_created carries the changelog of the values the issue was made with, and
// comment events carry the few issue fields Jira puts in them. Pure, so the push path and tests share it.
import { adfToPlainText, type AdfDoc } from '../adf';
import type { IssueFacts, JiraComment, JiraUserRef } from '../ports';
import {
  buildJiraWebhookBody,
  type JiraWebhookBody,
  type JiraWebhookEvent,
  type StatusCategoryKey,
  type WebhookChangeItemInput,
  type WebhookUserInput,
} from './jira-webhook';

export interface JiraWebhookEventInput {
  event: JiraWebhookEvent;
  issue: IssueFacts & { id: string; key: string };
  /** Where the issue is mapped, for fields that leave project or type out. */
  mapped: { projectKey: string; issueType: string };
  /** Epoch ms of the event. */
  timestamp: number;
  /** Who made the change, with their display name (issue events). */
  user?: JiraUserRef | undefined;
  /** What changed (issue updates); an issue_created without one gets the values it was made with. */
  changelog?: { id: string; items: WebhookChangeItemInput[] } | undefined;
  /** Comment events: the comment with its authors named; for a deletion, the comment as it was. */
  comment?: JiraComment | undefined;
}

// Fields the webhook body writes in Jira's own shapes; every other field is passed on as it came.
const SHAPED_FIELDS = new Set([
  'summary',
  'description',
  'status',
  'priority',
  'issuetype',
  'project',
  'assignee',
  'reporter',
  'creator',
  'labels',
  'created',
  'updated',
  'duedate',
  'resolution',
  'resolutiondate',
  'environment',
]);

/** Standard fields Jira sends on every issue event, as an issue without a value holds them. */
const EMPTY_STANDARD_FIELDS: Readonly<Record<string, unknown>> = {
  statuscategorychangedate: null,
  lastViewed: null,
  components: [],
  fixVersions: [],
  versions: [],
  issuelinks: [],
  subtasks: [],
  attachment: [],
  security: null,
  timetracking: {},
  timespent: null,
  timeestimate: null,
  timeoriginalestimate: null,
  aggregatetimespent: null,
  aggregatetimeestimate: null,
  aggregatetimeoriginalestimate: null,
  workratio: -1,
  progress: { progress: 0, total: 0 },
  aggregateprogress: { progress: 0, total: 0 },
};

type Named = { id?: string; name: string } | null;

function named(value: unknown): Named {
  const v = value as { id?: unknown; name?: unknown } | null | undefined;
  if (!v || typeof v.name !== 'string') return null;
  return { ...(typeof v.id === 'string' ? { id: v.id } : {}), name: v.name };
}

function userInput(user: JiraUserRef | undefined): WebhookUserInput | null {
  if (!user) return null;
  return { accountId: user.accountId, ...(user.displayName ? { displayName: user.displayName } : {}), ...(user.emailAddress ? { emailAddress: user.emailAddress } : {}) };
}

/** The Jira site the issue is on, from a `self` link Jira put in the fields. */
function siteOf(issue: IssueFacts): string {
  const self = issue.project?.self;
  if (self !== undefined) {
    try {
      return new URL(self).origin;
    } catch {
      // fall through
    }
  }
  return 'https://jira.invalid';
}

function statusCategoryKey(key: string): StatusCategoryKey {
  return key === 'new' || key === 'indeterminate' || key === 'done' ? key : 'undefined';
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * The changelog Jira sends with jira:issue_created: one item per value the issue was made with,
 * each from nothing to that value.
 */
function createdChangelog(id: string, issue: IssueFacts): { id: string; items: WebhookChangeItemInput[] } {
  const { fields, users } = issue;
  const items: WebhookChangeItemInput[] = [];
  const add = (field: string, fieldId: string, to: string | null, toString: string | null) =>
    items.push({ field, fieldtype: 'jira', fieldId, from: null, fromString: null, to, toString });
  for (const role of ['assignee', 'reporter'] as const) {
    const user = users[role];
    if (user) add(role, role, user.accountId, user.displayName ?? null);
  }
  if (fields.description && typeof fields.description === 'object') add('description', 'description', null, adfToPlainText(fields.description));
  const priority = named(fields.priority);
  if (priority) add('priority', 'priority', priority.id ?? null, priority.name);
  if (issue.status.name !== '') add('Status', 'status', issue.status.id ?? null, issue.status.name);
  if (typeof fields.summary === 'string') add('summary', 'summary', null, fields.summary);
  const labels = Array.isArray(fields.labels) ? fields.labels.filter((l): l is string => typeof l === 'string') : [];
  if (labels.length > 0) add('labels', 'labels', null, labels.join(' '));
  const due = stringOrNull(fields.duedate);
  if (due !== null) add('duedate', 'duedate', due, due);
  // Jira lists the items by field name.
  items.sort((a, b) => a.field.toLowerCase().localeCompare(b.field.toLowerCase()));
  return { id, items };
}

/** The body Jira Cloud would send for this event about this issue; pure. */
export function jiraWebhookBodyFor(input: JiraWebhookEventInput): JiraWebhookBody {
  const { issue, comment } = input;
  const { fields } = issue;
  const nowIso = new Date(input.timestamp).toISOString();
  const iso = (v: unknown) => (typeof v === 'string' ? new Date(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString() : nowIso);
  const isoOrNull = (v: unknown) => (typeof v === 'string' && v !== '' ? iso(v) : null);
  const passed = Object.fromEntries(Object.entries(fields).filter(([id]) => !SHAPED_FIELDS.has(id)));
  const resolution = named(fields.resolution);
  const resolutionDescription = (fields.resolution as { description?: unknown } | null | undefined)?.description;
  return buildJiraWebhookBody({
    event: input.event,
    siteUrl: siteOf(issue),
    timestamp: input.timestamp,
    // Tools written against Jira's webhooks read descriptions and comments as text.
    textFormat: 'text',
    issue: {
      id: issue.id,
      key: issue.key,
      summary: typeof fields.summary === 'string' ? fields.summary : '',
      description: (fields.description as AdfDoc | null | undefined) ?? null,
      status: { ...(issue.status.id !== undefined ? { id: issue.status.id } : {}), name: issue.status.name, categoryKey: statusCategoryKey(issue.status.categoryKey) },
      priority: named(fields.priority),
      issueType: {
        ...(issue.issueType?.id !== undefined ? { id: issue.issueType.id } : {}),
        name: issue.issueType?.name ?? input.mapped.issueType,
        ...(issue.issueType?.subtask !== undefined ? { subtask: issue.issueType.subtask } : {}),
      },
      project: {
        ...(issue.project?.id !== undefined ? { id: issue.project.id } : {}),
        key: issue.project?.key ?? input.mapped.projectKey,
        name: issue.project?.name ?? issue.project?.key ?? input.mapped.projectKey,
      },
      assignee: userInput(issue.users.assignee),
      reporter: userInput(issue.users.reporter),
      creator: userInput(issue.users.creator),
      labels: Array.isArray(fields.labels) ? fields.labels.filter((l): l is string => typeof l === 'string') : [],
      created: iso(fields.created),
      updated: iso(fields.updated),
      duedate: stringOrNull(fields.duedate),
      resolution: resolution && { ...resolution, ...(typeof resolutionDescription === 'string' ? { description: resolutionDescription } : {}) },
      resolutiondate: isoOrNull(fields.resolutiondate),
      environment: fields.environment && typeof fields.environment === 'object' ? (fields.environment as AdfDoc) : null,
      otherFields: { ...EMPTY_STANDARD_FIELDS, ...passed },
    },
    ...(input.user ? { user: userInput(input.user) ?? { accountId: input.user.accountId } } : {}),
    ...(input.changelog ? { changelog: input.changelog } : input.event === 'jira:issue_created' ? { changelog: createdChangelog(issue.id, issue) } : {}),
    ...(comment
      ? {
          comment: {
            id: comment.id,
            body: (comment.body as AdfDoc | undefined) ?? { type: 'doc', version: 1, content: [] },
            author: userInput(comment.author) ?? { accountId: 'unknown' },
            ...(comment.updateAuthor ? { updateAuthor: userInput(comment.updateAuthor) ?? { accountId: comment.updateAuthor.accountId } } : {}),
            created: comment.created ? iso(comment.created) : nowIso,
            updated: comment.updated ? iso(comment.updated) : comment.created ? iso(comment.created) : nowIso,
          },
        }
      : {}),
  });
}

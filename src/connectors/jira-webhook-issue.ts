// The Jira-webhook body for an issue as Jira's REST API returns it: the standard fields in Jira's
// shapes, every other field passed as it is. Pure, so the push path and tests share it.
import type { AdfDoc } from '../adf';
import { buildJiraWebhookBody, type JiraWebhookBody, type JiraWebhookEvent, type StatusCategoryKey, type WebhookChangeItemInput, type WebhookUserInput } from './jira-webhook';

export interface WebhookIssueSource {
  id: string;
  key: string;
  /** Raw field values by Jira field id. */
  fields: Record<string, unknown>;
}

export interface WebhookCommentSource {
  id: string;
  /** ADF. */
  body: unknown;
  author: { accountId: string; displayName: string } | undefined;
}

export interface JiraWebhookEventInput {
  event: JiraWebhookEvent;
  issue: WebhookIssueSource;
  /** Where the issue is mapped, for a payload that leaves project or type out. */
  mapped: { projectKey: string; issueType: string };
  /** Epoch ms. */
  timestamp: number;
  /** The account that made the change, when the event named one. */
  actorAccountId?: string | undefined;
  changelog?: { id: string; items: WebhookChangeItemInput[] } | undefined;
  comment?: WebhookCommentSource | undefined;
}

// Fields the webhook body writes in Jira's own shapes; every other field is passed on as it came.
const STANDARD_FIELDS = new Set(['summary', 'description', 'status', 'priority', 'issuetype', 'project', 'assignee', 'reporter', 'labels', 'created', 'updated', 'duedate', 'resolution', 'resolutiondate']);

function userOf(value: unknown): WebhookUserInput | null {
  const user = value as { accountId?: unknown; displayName?: unknown; emailAddress?: unknown } | null | undefined;
  if (!user || typeof user.accountId !== 'string') return null;
  return {
    accountId: user.accountId,
    ...(typeof user.displayName === 'string' ? { displayName: user.displayName } : {}),
    ...(typeof user.emailAddress === 'string' ? { emailAddress: user.emailAddress } : {}),
  };
}

function named(value: unknown): { id?: string; name: string } | null {
  const v = value as { id?: unknown; name?: unknown } | null | undefined;
  if (!v || typeof v.name !== 'string') return null;
  return { ...(typeof v.id === 'string' ? { id: v.id } : {}), name: v.name };
}

/** The Jira site the issue is on, from a `self` link Jira put in the fields. */
function siteOf(fields: Record<string, unknown>): string {
  const self = (fields.project as { self?: unknown } | undefined)?.self;
  if (typeof self === 'string') {
    try {
      return new URL(self).origin;
    } catch {
      // fall through
    }
  }
  return 'https://jira.invalid';
}

function statusCategoryKey(key: unknown): StatusCategoryKey {
  return key === 'new' || key === 'indeterminate' || key === 'done' ? key : 'undefined';
}

/** The body Jira Cloud would send for this event about this issue; pure. */
export function jiraWebhookBodyFor(input: JiraWebhookEventInput): JiraWebhookBody {
  const { fields } = input.issue;
  const nowIso = new Date(input.timestamp).toISOString();
  const iso = (v: unknown) => (typeof v === 'string' ? new Date(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString() : nowIso);
  const project = fields.project as { id?: unknown; key?: unknown; name?: unknown } | undefined;
  const type = fields.issuetype as { id?: unknown; name?: unknown } | undefined;
  const status = fields.status as { id?: unknown; name?: unknown; statusCategory?: { key?: unknown } } | undefined;
  const otherFields = Object.fromEntries(Object.entries(fields).filter(([id]) => !STANDARD_FIELDS.has(id)));
  const { comment } = input;
  return buildJiraWebhookBody({
    event: input.event,
    siteUrl: siteOf(fields),
    timestamp: input.timestamp,
    // Tools written against Jira's webhooks read descriptions and comments as text.
    textFormat: 'text',
    issue: {
      id: input.issue.id,
      key: input.issue.key,
      summary: typeof fields.summary === 'string' ? fields.summary : '',
      description: (fields.description as AdfDoc | null | undefined) ?? null,
      status: {
        ...(typeof status?.id === 'string' ? { id: status.id } : {}),
        name: typeof status?.name === 'string' ? status.name : '',
        categoryKey: statusCategoryKey(status?.statusCategory?.key),
      },
      priority: named(fields.priority),
      issueType: { ...(typeof type?.id === 'string' ? { id: type.id } : {}), name: typeof type?.name === 'string' ? type.name : input.mapped.issueType },
      project: {
        ...(typeof project?.id === 'string' ? { id: project.id } : {}),
        key: typeof project?.key === 'string' ? project.key : input.mapped.projectKey,
        name: typeof project?.name === 'string' ? project.name : input.mapped.projectKey,
      },
      assignee: userOf(fields.assignee),
      reporter: userOf(fields.reporter),
      labels: Array.isArray(fields.labels) ? fields.labels.filter((l): l is string => typeof l === 'string') : [],
      created: iso(fields.created),
      updated: iso(fields.updated),
      otherFields,
    },
    ...(input.actorAccountId ? { user: { accountId: input.actorAccountId } } : {}),
    ...(input.changelog ? { changelog: input.changelog } : {}),
    ...(comment
      ? {
          comment: {
            id: comment.id,
            body: comment.body as AdfDoc,
            author: comment.author ? { accountId: comment.author.accountId, displayName: comment.author.displayName } : { accountId: 'unknown' },
            created: nowIso,
            updated: nowIso,
          },
        }
      : {}),
  });
}

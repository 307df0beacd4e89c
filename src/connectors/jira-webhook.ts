// The Jira-webhook-compatible push: tools that already take Jira Cloud webhooks (an incident
// tool's change events, a feedback tool's status sync) get exactly what Jira would send them,
// signed the way Jira signs webhooks. The body builder is pure, so tests and benchmarks use it alone.
import { createHmac } from 'node:crypto';
import { adfToPlainText, type AdfDoc } from '../adf';
import { isMaskedPushUrl, type JiraWebhookConnection } from '../mapping';
import type { ClockPort, ExternalPort } from '../ports';
import { sendToTool } from './http';
import { ok, type ConnectorResult } from './outcome';

export type JiraWebhookEvent =
  | 'jira:issue_created'
  | 'jira:issue_updated'
  | 'jira:issue_deleted'
  | 'comment_created'
  | 'comment_updated'
  | 'comment_deleted';

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done' | 'undefined';

export interface WebhookUserInput {
  accountId: string;
  displayName?: string;
  /** Only when Jira lets the app read it. */
  emailAddress?: string;
  active?: boolean;
  timeZone?: string;
}

export interface WebhookIssueInput {
  id: string;
  key: string;
  summary: string;
  /** The description as Jira holds it (ADF), or null. */
  description?: AdfDoc | null;
  status: { id?: string; name: string; categoryKey: StatusCategoryKey };
  priority?: { id?: string; name: string } | null;
  issueType: { id?: string; name: string; subtask?: boolean };
  project: { id?: string; key: string; name: string };
  assignee?: WebhookUserInput | null;
  reporter?: WebhookUserInput | null;
  creator?: WebhookUserInput | null;
  labels?: string[];
  /** ISO 8601; written in Jira's own form (2024-01-15T10:30:00.000+0000). */
  created: string;
  updated: string;
  duedate?: string | null;
  resolution?: { id?: string; name: string; description?: string } | null;
  resolutiondate?: string | null;
  /** ADF, or null. */
  environment?: AdfDoc | null;
  /** Any other fields by Jira field id (e.g. customfield_10050), passed as they are. */
  otherFields?: Record<string, unknown>;
}

export interface WebhookChangeItemInput {
  field: string;
  fieldtype?: string | undefined;
  fieldId?: string | undefined;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export interface WebhookCommentInput {
  id: string;
  body: AdfDoc;
  author: WebhookUserInput;
  updateAuthor?: WebhookUserInput;
  /** ISO 8601. */
  created: string;
  updated: string;
}

export interface JiraWebhookInput {
  event: JiraWebhookEvent;
  /** The Jira site, e.g. https://acme.atlassian.net; used for the `self` links. */
  siteUrl: string;
  issue: WebhookIssueInput;
  /** Who made the change (issue events). */
  user?: WebhookUserInput;
  /** Issue updates: what changed. */
  changelog?: { id: string; items: WebhookChangeItemInput[] };
  /** Comment events, and issue updates that carry a comment. */
  comment?: WebhookCommentInput;
  /** Epoch ms. */
  timestamp: number;
  /** Overrides the `issue_event_type_name` Tandem derives from the event and changelog. */
  issueEventTypeName?: string;
  /**
   * Rich text as ADF (Jira's document format) or as plain text (what tools written against the
   * older REST representation expect). Default ADF.
   */
  textFormat?: 'adf' | 'text';
}

// ---------------------------------------------------------------- Jira's shapes

export interface JiraWebhookUser {
  self: string;
  accountId: string;
  displayName: string;
  emailAddress?: string;
  active: boolean;
  timeZone?: string;
  accountType: 'atlassian';
}

export interface JiraWebhookChangeItem {
  field: string;
  fieldtype: string;
  fieldId?: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export interface JiraWebhookComment {
  self: string;
  id: string;
  author: JiraWebhookUser;
  body: AdfDoc | string;
  updateAuthor: JiraWebhookUser;
  created: string;
  updated: string;
  jsdPublic: boolean;
}

export interface JiraWebhookIssue {
  id: string;
  self: string;
  key: string;
  fields: Record<string, unknown> & {
    summary: string;
    status: {
      self: string;
      id: string;
      name: string;
      statusCategory: { self: string; id: number; key: StatusCategoryKey; colorName: string; name: string };
    };
    issuetype: { self: string; id: string; name: string; subtask: boolean };
    project: { self: string; id: string; key: string; name: string };
    /** Absent from comment events, which carry only a few of the issue's fields. */
    labels?: string[];
    created?: string;
    updated?: string;
  };
}

export interface JiraWebhookBody {
  timestamp: number;
  webhookEvent: JiraWebhookEvent;
  issue_event_type_name?: string;
  user?: JiraWebhookUser;
  issue: JiraWebhookIssue;
  changelog?: { id: string; items: JiraWebhookChangeItem[] };
  comment?: JiraWebhookComment;
}

/** The issue fields Jira puts in a comment event. */
const COMMENT_EVENT_FIELDS = new Set(['summary', 'status', 'priority', 'assignee', 'issuetype', 'project']);

// Jira's fixed status categories, as its REST API describes them.
const STATUS_CATEGORIES: Record<StatusCategoryKey, { id: number; colorName: string; name: string }> = {
  undefined: { id: 1, colorName: 'medium-gray', name: 'No Category' },
  new: { id: 2, colorName: 'blue-gray', name: 'To Do' },
  done: { id: 3, colorName: 'green', name: 'Done' },
  indeterminate: { id: 4, colorName: 'yellow', name: 'In Progress' },
};

/** Jira writes times as 2024-01-15T10:30:00.000+0000; anything unreadable is passed as given. */
export function jiraTimestamp(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function buildUser(api: string, user: WebhookUserInput): JiraWebhookUser {
  const out: JiraWebhookUser = {
    self: `${api}/user?accountId=${encodeURIComponent(user.accountId)}`,
    accountId: user.accountId,
    displayName: user.displayName ?? user.accountId,
    active: user.active ?? true,
    accountType: 'atlassian',
  };
  if (user.emailAddress !== undefined) out.emailAddress = user.emailAddress;
  if (user.timeZone !== undefined) out.timeZone = user.timeZone;
  return out;
}

/** Jira names the kind of change for issue events; comment events carry no such name. */
function eventTypeName(input: JiraWebhookInput): string | undefined {
  if (input.issueEventTypeName !== undefined) return input.issueEventTypeName;
  switch (input.event) {
    case 'jira:issue_created':
      return 'issue_created';
    case 'jira:issue_deleted':
      return 'issue_deleted';
    case 'jira:issue_updated': {
      const fields = new Set((input.changelog?.items ?? []).map((item) => item.field));
      if (fields.size === 0 && input.comment) return 'issue_commented';
      if (fields.size === 1 && fields.has('assignee')) return 'issue_assigned';
      // Jira reports a workflow transition as a generic event.
      if (fields.has('status')) return 'issue_generic';
      return 'issue_updated';
    }
    default:
      return undefined;
  }
}

/** The body Jira Cloud would send for this event; pure. */
export function buildJiraWebhookBody(input: JiraWebhookInput): JiraWebhookBody {
  const site = input.siteUrl.replace(/\/+$/, '');
  const api = `${site}/rest/api/2`;
  const text = (doc: AdfDoc): AdfDoc | string => (input.textFormat === 'text' ? adfToPlainText(doc) : doc);
  const { issue } = input;
  const category = STATUS_CATEGORIES[issue.status.categoryKey];
  const statusId = issue.status.id ?? '';
  const issueTypeId = issue.issueType.id ?? '';
  const projectId = issue.project.id ?? '';

  const fields: JiraWebhookIssue['fields'] = {
    ...issue.otherFields,
    summary: issue.summary,
    description: issue.description ? text(issue.description) : null,
    status: {
      self: `${api}/status/${statusId}`,
      id: statusId,
      name: issue.status.name,
      statusCategory: {
        self: `${api}/statuscategory/${category.id}`,
        id: category.id,
        key: issue.status.categoryKey,
        colorName: category.colorName,
        name: category.name,
      },
    },
    priority: issue.priority ? { self: `${api}/priority/${issue.priority.id ?? ''}`, id: issue.priority.id ?? '', name: issue.priority.name } : null,
    issuetype: { self: `${api}/issuetype/${issueTypeId}`, id: issueTypeId, name: issue.issueType.name, subtask: issue.issueType.subtask ?? false },
    project: { self: `${api}/project/${projectId}`, id: projectId, key: issue.project.key, name: issue.project.name },
    assignee: issue.assignee ? buildUser(api, issue.assignee) : null,
    reporter: issue.reporter ? buildUser(api, issue.reporter) : null,
    creator: issue.creator ? buildUser(api, issue.creator) : null,
    labels: issue.labels ?? [],
    created: jiraTimestamp(issue.created),
    updated: jiraTimestamp(issue.updated),
    duedate: issue.duedate ?? null,
    resolution: issue.resolution
      ? {
          self: `${api}/resolution/${issue.resolution.id ?? ''}`,
          id: issue.resolution.id ?? '',
          ...(issue.resolution.description !== undefined ? { description: issue.resolution.description } : {}),
          name: issue.resolution.name,
        }
      : null,
    resolutiondate: issue.resolutiondate ? jiraTimestamp(issue.resolutiondate) : null,
    environment: issue.environment ? text(issue.environment) : null,
  };
  const isCommentEvent = input.event.startsWith('comment_');
  if (isCommentEvent) {
    // Jira's comment events carry only these of the issue's fields.
    for (const id of Object.keys(fields)) if (!COMMENT_EVENT_FIELDS.has(id)) delete fields[id];
  }

  const body: JiraWebhookBody = {
    timestamp: input.timestamp,
    webhookEvent: input.event,
    issue: { id: issue.id, self: `${api}/issue/${issue.id}`, key: issue.key, fields },
  };
  const typeName = eventTypeName(input);
  if (typeName !== undefined) body.issue_event_type_name = typeName;
  if (input.user && !isCommentEvent) body.user = buildUser(api, input.user);
  // Jira sends what changed with an update, and the values the issue was made with on a create.
  if (input.changelog && (input.event === 'jira:issue_updated' || input.event === 'jira:issue_created')) {
    body.changelog = {
      id: input.changelog.id,
      items: input.changelog.items.map((item) => {
        const out: JiraWebhookChangeItem = {
          field: item.field,
          fieldtype: item.fieldtype ?? (item.field.startsWith('customfield_') ? 'custom' : 'jira'),
          from: item.from,
          fromString: item.fromString,
          to: item.to,
          toString: item.toString,
        };
        const fieldId = item.fieldId ?? (item.field.startsWith('customfield_') ? undefined : item.field);
        if (fieldId !== undefined) out.fieldId = fieldId;
        return out;
      }),
    };
  }
  if (input.comment) {
    const c = input.comment;
    body.comment = {
      self: `${api}/issue/${issue.id}/comment/${c.id}`,
      id: c.id,
      author: buildUser(api, c.author),
      body: text(c.body),
      updateAuthor: buildUser(api, c.updateAuthor ?? c.author),
      created: jiraTimestamp(c.created),
      updated: jiraTimestamp(c.updated),
      jsdPublic: true,
    };
  }
  return body;
}

// ---------------------------------------------------------------- signing and sending

/** `sha256=<hex HMAC-SHA256(secret, raw body)>`, as Jira signs webhooks in X-Hub-Signature. */
export function signWebhookBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

export interface WebhookSecrets {
  /** For the connection's auth (e.g. `Authorization: Bearer <token>`). */
  auth?: string | undefined;
  /** Signs the body when the connection says `sign`. */
  signing?: string | undefined;
  /** The push URL itself, when it carries a key and the configuration holds it masked. */
  pushUrl?: string | undefined;
}

export interface PushResult {
  status: number;
}

/**
 * POSTs one event to the tool's push URL. `deliveryId`, when given, travels as
 * X-Atlassian-Webhook-Identifier (as Jira sends it), so a tool can drop a repeated delivery.
 */
export async function pushJiraWebhook(
  connection: JiraWebhookConnection,
  secrets: WebhookSecrets,
  port: ExternalPort,
  body: JiraWebhookBody,
  options: { deliveryId?: string; clock: Pick<ClockPort, 'now'> },
): Promise<ConnectorResult<PushResult>> {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = {};
  if (connection.webhook.sign) {
    if (secrets.signing === undefined || secrets.signing === '') {
      return {
        ok: false,
        failure: {
          retry: 'permanent',
          reason: 'missing-secret',
          explanation: 'This connection signs its pushes, but no signing secret is saved: add it in the connection settings.',
        },
      };
    }
    headers['X-Hub-Signature'] = signWebhookBody(secrets.signing, raw);
  }
  if (options.deliveryId !== undefined) headers['X-Atlassian-Webhook-Identifier'] = options.deliveryId;
  const masked = isMaskedPushUrl(connection.webhook.pushUrl);
  const url = masked ? secrets.pushUrl : connection.webhook.pushUrl;
  if (url === undefined || url === '') {
    return {
      ok: false,
      failure: {
        retry: 'permanent',
        reason: 'missing-secret',
        explanation: 'This connection’s push URL is kept secret and is not set on this site: paste it with Replace push URL on the connection.',
      },
    };
  }
  const sent = await sendToTool({
    port,
    auth: connection.auth,
    secret: secrets.auth,
    otherSecrets: [secrets.signing, ...(masked ? [url, ...new URL(url).searchParams.values()] : [])],
    method: 'POST',
    url,
    headers,
    body: raw,
    clock: options.clock,
  });
  return sent.ok ? ok({ status: sent.value.status }) : sent;
}

// A stand-in of Flashduty's Jira integration (seed guide 002) for Tandem's conformance tests: Jira
// issue webhooks (created, updated, deleted) at the integration's push URL, authorised by the
// integration key in the URL, become change events; the status comes from issue.fields.status.name
// through Flashduty's own table. It sends nothing back: the integration is one way.
import { ToolError, ToolServer, jiraWebhookSchema, parseBody, type Answer, type ToolRequest } from './common';

export type FlashdutyStatus = 'planned' | 'ready' | 'processing' | 'canceled' | 'done';

// The guide's status mapping, by Jira status name (any case).
const STATUS_TABLE: Record<string, FlashdutyStatus> = {
  planned: 'planned',
  'to do': 'planned',
  ready: 'ready',
  processing: 'processing',
  open: 'processing',
  reopen: 'processing',
  'in progress': 'processing',
  canceled: 'canceled',
  aborted: 'canceled',
  done: 'done',
  resolved: 'done',
  closed: 'done',
};

export const PUSH_PATH = '/event/push/change/jira';

export interface ChangeEvent {
  /** The Jira webhook event, e.g. jira:issue_updated. */
  event: string;
  issueKey: string;
  title: string;
  /** The Jira status name as pushed. */
  jiraStatus: string;
  /** Null when the name is not in the table. */
  status: FlashdutyStatus | null;
  labels: string[];
  at: number;
}

export class FlashdutyStandIn extends ToolServer {
  readonly changes: ChangeEvent[] = [];

  constructor(private readonly integrationKey: string) {
    super();
  }

  /** The push URL the integration shows after saving. */
  get pushUrl(): string {
    return `${this.baseUrl}${PUSH_PATH}?integration_key=${encodeURIComponent(this.integrationKey)}`;
  }

  changesFor(issueKey: string): ChangeEvent[] {
    return this.changes.filter((c) => c.issueKey === issueKey);
  }

  protected route(request: ToolRequest): Answer {
    if (request.path !== PUSH_PATH) throw new ToolError(404, 'Not found');
    if (request.method !== 'POST') throw new ToolError(405, 'Send webhooks with POST');
    if (request.query.get('integration_key') !== this.integrationKey) throw new ToolError(401, 'Unknown integration key');
    const body = parseBody(jiraWebhookSchema, request.raw);
    if (!body.webhookEvent.startsWith('jira:issue_')) return { status: 200, body: { result: 'ignored' } };
    const { fields } = body.issue;
    const change: ChangeEvent = {
      event: body.webhookEvent,
      issueKey: body.issue.key,
      title: `${body.issue.key} ${fields.summary}`,
      jiraStatus: fields.status.name,
      status: STATUS_TABLE[fields.status.name.trim().toLowerCase()] ?? null,
      labels: fields.labels ?? [],
      at: body.timestamp,
    };
    this.changes.push(change);
    return { status: 200, body: { result: 'accepted', status: change.status } };
  }
}

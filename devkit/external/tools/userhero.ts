// A stand-in of UserHero's Jira sync adapter (seed guide 003) for Tandem's conformance tests. A
// workflow item is pushed to Jira (to Tandem's inbound URL, with the Bearer secret) and keeps the
// issue key Tandem answers as its external reference; its status changes go the same way. Jira's
// issue-updated webhooks come to /api/webhooks/jira with `Authorization: Bearer <JIRA_WEBHOOK_SECRET>`
// and set the item's status by status category first, then by status name. Changes that came from
// Jira are not sent back.
import { ToolError, ToolServer, bearerMatches, jiraWebhookSchema, parseBody, recordEvent, sendToTandem, type Answer, type TandemAnswer, type TandemTarget, type ToolRequest } from './common';

/** The Issues workflow's statuses, as UserHero's sync code names them. */
export const USERHERO_STATUSES = ['open', 'in-progress', 'resolved', 'closed'] as const;
export type UserHeroStatus = (typeof USERHERO_STATUSES)[number];
export type UserHeroPriority = 'Low' | 'Medium' | 'High' | 'Urgent';

// "Status is mapped first by Jira status category (To Do → open, In Progress → in-progress,
// Done → resolved), then by status name as a fallback."
const BY_CATEGORY: Record<string, UserHeroStatus> = { new: 'open', indeterminate: 'in-progress', done: 'resolved' };

export const WEBHOOK_PATH = '/api/webhooks/jira';
export const WORKFLOW = 'issues';

export interface WorkflowItem {
  id: string;
  number: string;
  title: string;
  /** Markdown. */
  description: string;
  status: UserHeroStatus;
  priority: UserHeroPriority;
  /** The Jira issue the item was pushed to. */
  externalReference?: { issueKey: string };
}

export interface UserHeroOptions {
  /** JIRA_WEBHOOK_SECRET: Jira's webhooks must carry it as a Bearer token. */
  webhookSecret: string;
  /** Epoch ms, for the events' occurredAt; pass the platform's clock in tests. */
  clock?: () => number;
}

export function statusFromJira(status: { name: string; statusCategory?: { key: string } | undefined }): UserHeroStatus | undefined {
  const byCategory = status.statusCategory ? BY_CATEGORY[status.statusCategory.key] : undefined;
  if (byCategory) return byCategory;
  const slug = status.name.trim().toLowerCase().replace(/\s+/g, '-');
  return USERHERO_STATUSES.find((s) => s === slug);
}

export class UserHeroStandIn extends ToolServer {
  /** Where items are pushed: Tandem's inbound URL for the connection, and the Bearer secret. */
  tandem: TandemTarget | undefined;
  private readonly items = new Map<string, WorkflowItem>();
  private readonly clock: () => number;
  private counter = 0;

  constructor(private readonly options: UserHeroOptions) {
    super();
    this.clock = options.clock ?? Date.now;
  }

  item(id: string): WorkflowItem | undefined {
    const item = this.items.get(id);
    return item && { ...item };
  }

  itemUrl(id: string): string {
    return `${this.baseUrl}/items/${encodeURIComponent(id)}`;
  }

  /** Someone adds an item to the Issues workflow. */
  createItem(input: { title: string; description?: string; priority?: UserHeroPriority; status?: UserHeroStatus }): WorkflowItem {
    this.counter += 1;
    const item: WorkflowItem = {
      id: `wi_${this.counter.toString(36)}${Math.random().toString(36).slice(2, 8)}`,
      number: `UH-${this.counter}`,
      title: input.title,
      description: input.description ?? '',
      status: input.status ?? 'open',
      priority: input.priority ?? 'Medium',
    };
    this.items.set(item.id, item);
    return { ...item };
  }

  /** "Push to Jira": the item becomes a Jira issue; the answer's issue key is kept as the external reference. */
  async pushToJira(id: string): Promise<TandemAnswer> {
    const item = this.require(id);
    const event = recordEvent(
      'record.created',
      {
        module: WORKFLOW,
        id: item.id,
        number: item.number,
        url: this.itemUrl(item.id),
        fields: { title: item.title, description: item.description, status: item.status, priority: item.priority },
      },
      this.clock(),
    );
    const answer = await sendToTandem(this.target(), event, this.clock());
    if (answer.status === 200 && typeof answer.body.issueKey === 'string') item.externalReference = { issueKey: answer.body.issueKey };
    return answer;
  }

  /** Someone changes the item's status; a pushed item tells Jira. */
  async setStatus(id: string, status: UserHeroStatus): Promise<TandemAnswer | undefined> {
    const item = this.require(id);
    item.status = status;
    if (!item.externalReference) return undefined;
    const event = recordEvent('record.updated', { module: WORKFLOW, id: item.id, number: item.number, fields: { status } }, this.clock());
    return sendToTandem(this.target(), event, this.clock());
  }

  private target(): TandemTarget {
    if (!this.tandem) throw new Error('No Jira adapter is connected: set `tandem` first');
    return this.tandem;
  }

  private require(id: string): WorkflowItem {
    const item = this.items.get(id);
    if (!item) throw new Error(`No item ${id}`);
    return item;
  }

  protected route(request: ToolRequest): Answer {
    if (request.path === WEBHOOK_PATH) return this.webhook(request);
    const item = /^\/items\/([^/]+)$/.exec(request.path);
    if (item?.[1] && request.method === 'GET') {
      const found = this.items.get(decodeURIComponent(item[1]));
      if (!found) throw new ToolError(404, 'No such item');
      return { status: 200, body: found };
    }
    throw new ToolError(404, 'Not found');
  }

  private webhook(request: ToolRequest): Answer {
    if (request.method !== 'POST') throw new ToolError(405, 'Send webhooks with POST');
    const header = request.headers.authorization;
    if (!bearerMatches(typeof header === 'string' ? header : undefined, this.options.webhookSecret)) throw new ToolError(401, 'unauthorized');
    const body = parseBody(jiraWebhookSchema, request.raw);
    // The guide's webhook subscribes to "Issue → updated" only.
    if (body.webhookEvent !== 'jira:issue_updated') return { status: 200, body: { result: 'ignored' } };
    const item = [...this.items.values()].find((i) => i.externalReference?.issueKey === body.issue.key);
    if (!item) return { status: 200, body: { result: 'ignored', reason: 'no item references this issue' } };
    const status = statusFromJira(body.issue.fields.status);
    if (status === undefined || status === item.status) return { status: 200, body: { result: 'unchanged' } };
    item.status = status;
    return { status: 200, body: { result: 'updated', status } };
  }
}

// A stand-in of a Sentry-style error tracker (seed guide 004) for Tandem's conformance tests. Its
// issues come from captured errors, never from Jira; from an issue, a person creates a Jira issue or
// links an existing one, and resolves or unresolves it; each of those goes to Tandem's inbound URL,
// signed. Tandem reaches it through the issues API (`Authorization: Bearer <token>`): the status
// (resolved ⇄ Done) and the assignee by email, matched to a member as the guide's inbound assignee
// sync does (no member with that email: unassigned).
import { z } from 'zod';
import { ToolError, ToolServer, bearerMatches, parseBody, recordEvent, sendToTandem, type Answer, type TandemAnswer, type TandemTarget, type ToolRequest } from './common';

export type TrackerStatus = 'unresolved' | 'resolved' | 'ignored';
export type TrackerLevel = 'fatal' | 'error' | 'warning' | 'info';

export interface TrackerIssue {
  id: string;
  /** e.g. BACKEND-3; shown in Jira as the link's title. */
  shortId: string;
  title: string;
  culprit: string;
  level: TrackerLevel;
  status: TrackerStatus;
  /** A member's email, or null. */
  assignedTo: string | null;
  permalink: string;
  jira_issue_key?: string;
}

export interface SentryOptions {
  token: string;
  /** Emails of the organisation's members, who can be assigned. */
  members: string[];
  /** Epoch ms, for the events' occurredAt and signatures; pass the platform's clock in tests. */
  clock?: () => number;
  /** The project slug in short ids. */
  project?: string;
}

const issueUpdateSchema = z.strictObject({
  status: z.enum(['unresolved', 'resolved', 'ignored']).optional(),
  assignedTo: z.string().trim().min(1).nullable().optional(),
  jira_issue_key: z.string().optional(),
});

const ISSUE_PATH = /^\/api\/0\/issues\/([^/]+)\/$/;
const LIST_PATH = '/api/0/issues/';

export class SentryStandIn extends ToolServer {
  /** Where the tracker's Jira actions go: Tandem's inbound URL for the connection and its secret. */
  tandem: TandemTarget | undefined;
  private readonly issues = new Map<string, TrackerIssue>();
  private readonly clock: () => number;
  private counter = 0;

  constructor(private readonly options: SentryOptions) {
    super();
    this.clock = options.clock ?? Date.now;
  }

  issue(id: string): TrackerIssue | undefined {
    const found = this.issues.get(id);
    return found && { ...found };
  }

  /** An error comes in and groups into a new issue. */
  captureError(input: { title: string; culprit: string; level?: TrackerLevel }): TrackerIssue {
    this.counter += 1;
    const id = String(4_000_000 + this.counter);
    const issue: TrackerIssue = {
      id,
      shortId: `${(this.options.project ?? 'backend').toUpperCase()}-${this.counter}`,
      title: input.title,
      culprit: input.culprit,
      level: input.level ?? 'error',
      status: 'unresolved',
      assignedTo: null,
      permalink: `${this.baseUrl}/organizations/acme/issues/${id}/`,
    };
    this.issues.set(id, issue);
    return { ...issue };
  }

  /** "Create Jira issue" on the issue's page. */
  async createJiraIssue(id: string): Promise<TandemAnswer> {
    const issue = this.require(id);
    const description = `**${issue.level}** in \`${issue.culprit}\`\n\n[${issue.shortId} in Sentry](${issue.permalink})`;
    const answer = await this.send('record.created', issue, { fields: { title: issue.title, description, status: issue.status } });
    if (answer.status === 200 && typeof answer.body.issueKey === 'string') issue.jira_issue_key = answer.body.issueKey;
    return answer;
  }

  /** "Link Jira issue": the existing issue is linked as it is, so no field is sent. */
  async linkJiraIssue(id: string, issueKey: string): Promise<TandemAnswer> {
    const issue = this.require(id);
    const answer = await this.send('record.created', issue, { jiraIssueKey: issueKey, fields: {} });
    if (answer.status === 200) issue.jira_issue_key = issueKey;
    return answer;
  }

  resolve(id: string): Promise<TandemAnswer | undefined> {
    return this.setStatus(id, 'resolved');
  }

  unresolve(id: string): Promise<TandemAnswer | undefined> {
    return this.setStatus(id, 'unresolved');
  }

  private async setStatus(id: string, status: TrackerStatus): Promise<TandemAnswer | undefined> {
    const issue = this.require(id);
    issue.status = status;
    if (issue.jira_issue_key === undefined) return undefined;
    return this.send('record.updated', issue, { fields: { status } });
  }

  private send(type: 'record.created' | 'record.updated', issue: TrackerIssue, extra: { jiraIssueKey?: string; fields: Record<string, unknown> }): Promise<TandemAnswer> {
    if (!this.tandem) throw new Error('No Jira integration is set up: set `tandem` first');
    const record = { module: 'issues', id: issue.id, number: issue.shortId, url: issue.permalink, ...extra };
    return sendToTandem(this.tandem, recordEvent(type, record, this.clock()), this.clock());
  }

  private require(id: string): TrackerIssue {
    const issue = this.issues.get(id);
    if (!issue) throw new Error(`No issue ${id}`);
    return issue;
  }

  // ---------------------------------------------------------------- the issues API

  protected route(request: ToolRequest): Answer {
    const header = request.headers.authorization;
    if (!bearerMatches(typeof header === 'string' ? header : undefined, this.options.token)) throw new ToolError(401, 'Invalid token');
    if (request.path === LIST_PATH) {
      if (request.method === 'GET') {
        const key = request.query.get('jira_issue_key');
        return { status: 200, body: [...this.issues.values()].filter((i) => key === null || i.jira_issue_key === key) };
      }
      // Issues come from captured errors; nothing creates one through the API.
      throw new ToolError(405, 'Issues are created from events, not through the API');
    }
    const match = ISSUE_PATH.exec(request.path);
    const issue = match?.[1] ? this.issues.get(decodeURIComponent(match[1])) : undefined;
    if (!issue) throw new ToolError(404, 'The requested resource does not exist');
    if (request.method === 'GET') return { status: 200, body: issue };
    if (request.method !== 'PUT') throw new ToolError(405, 'Use GET or PUT');
    const update = parseBody(issueUpdateSchema, request.raw);
    if (update.status !== undefined) issue.status = update.status;
    if (update.jira_issue_key !== undefined) issue.jira_issue_key = update.jira_issue_key;
    if (update.assignedTo !== undefined) {
      const wanted = update.assignedTo?.toLowerCase();
      issue.assignedTo = wanted === undefined ? null : (this.options.members.find((m) => m.toLowerCase() === wanted) ?? null);
    }
    return { status: 200, body: issue };
  }
}

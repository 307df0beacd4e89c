// What one outbound delivery works with: the config, the issue's links and link history (read in one
// batch), what it is about, and the failure it hands to the delivery guard. Shared by every protocol.
import { findProjectMapping, fieldMappingsFor, parseConfig, type Connection, type ProjectMapping, type TandemConfig } from '../../mapping';
import type { DeliveryFailure } from '../../connectors';
import type { Delivery } from '../delivery';
import type { JiraComment, Ports, StoreWrite } from '../ports';
import { CONFIG_KEY, issueStateKey, linkHistoryKey, readIssueState, readLinkHistory, type FailureSubject, type IssueState, type LinkHistory } from '../state';

/** One changelog entry as Jira's events carry it; the push passes it on as it came. */
export interface ChangelogItem {
  field: string;
  fieldtype?: string;
  fieldId?: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export interface Changelog {
  id: string;
  items: ChangelogItem[];
}

export interface IssuePayload {
  /** Field values the event carried (Forge issue events carry summary, status, assignee, project, issuetype…). */
  fields: Record<string, unknown>;
}

export type OutboundChange =
  | { kind: 'issue-created' | 'issue-updated'; issueId: string; issueKey: string; payload: IssuePayload; changelog?: Changelog; actorAccountId?: string }
  | { kind: 'issue-deleted'; issueId: string; issueKey: string; payload: IssuePayload }
  | { kind: 'comment-saved'; issueId: string; issueKey: string; commentId: string; comment: JiraComment | undefined; payload?: IssuePayload }
  | { kind: 'comment-deleted'; issueId: string; issueKey: string; commentId: string };

/** What an outbound delivery is about: an issue's fields, one comment, or an issue deletion. */
export type OutboundSubject = Extract<FailureSubject, { kind: 'issue' | 'comment' | 'deletion' }>;

export interface Run {
  ports: Ports;
  config: TandemConfig;
  state: IssueState;
  history: LinkHistory;
  issueId: string;
  issueKey: string;
}

/** Thrown inside a delivery to hand a failure to the retry rules. */
export class DeliveryError extends Error {
  constructor(
    readonly operation: string,
    readonly failure: DeliveryFailure,
    /** What the retry needs to know, written with the failure (so success costs no extra write). */
    readonly keep: StoreWrite[] = [],
  ) {
    super(failure.explanation);
  }
}

/** The value of a connector's answer, or its failure thrown for the delivery guard. */
export function unwrap<T>(operation: string, result: { ok: true; value: T } | { ok: false; failure: DeliveryFailure }): T {
  if (!result.ok) throw new DeliveryError(operation, result.failure);
  return result.value;
}

/** One batched read of config, links and link history; undefined when Tandem has no (readable) config. */
export async function loadRun(ports: Ports, issueId: string, issueKey: string): Promise<Run | undefined> {
  // The link history is only needed to create a record, but batched here it costs no extra call.
  const found = await ports.store.getMany([CONFIG_KEY, issueStateKey(issueId), linkHistoryKey(issueId)]);
  const raw = found.get(CONFIG_KEY);
  if (raw === undefined) return undefined;
  const parsed = parseConfig(raw);
  if (!parsed.ok) {
    console.error('Tandem could not read its saved configuration', parsed.errors.slice(0, 3));
    return undefined;
  }
  return {
    ports,
    config: parsed.config,
    state: readIssueState(found.get(issueStateKey(issueId))),
    history: readLinkHistory(found.get(linkHistoryKey(issueId))),
    issueId,
    issueKey,
  };
}

export function subjectOf(change: OutboundChange): OutboundSubject {
  if (change.kind === 'comment-saved' || change.kind === 'comment-deleted') {
    return { kind: 'comment', issueId: change.issueId, issueKey: change.issueKey, commentId: change.commentId };
  }
  return { kind: change.kind === 'issue-deleted' ? 'deletion' : 'issue', issueId: change.issueId, issueKey: change.issueKey };
}

export function subjectOfDelivery(delivery: Delivery): OutboundSubject {
  return delivery.kind === 'comment'
    ? { kind: 'comment', issueId: delivery.issueId, issueKey: delivery.issueKey, commentId: delivery.commentId }
    : { kind: delivery.kind, issueId: delivery.issueId, issueKey: delivery.issueKey };
}

/** The queued delivery that looks at the subject again. */
export function deliveryFor(connectionId: string, subject: OutboundSubject, attempt: number): Delivery {
  return subject.kind === 'comment'
    ? { kind: 'comment', connectionId, issueId: subject.issueId, issueKey: subject.issueKey, commentId: subject.commentId, deleted: false, attempt }
    : { kind: subject.kind, connectionId, issueId: subject.issueId, issueKey: subject.issueKey, attempt };
}

/** Every Jira field the connection's mappings read, for a full read of the issue. */
export function jiraFieldsOf(connection: Connection): string[] {
  const ids = new Set<string>(['summary', 'description', 'priority', 'labels', 'assignee', 'reporter', 'created', 'updated']);
  for (const projectMapping of connection.projects) for (const m of fieldMappingsFor(connection, projectMapping)) ids.add(m.jira);
  return [...ids];
}

export function projectOf(fields: Record<string, unknown>): { projectKey: string | undefined; issueTypeName: string | undefined } {
  const project = fields.project as { key?: unknown } | undefined;
  const type = fields.issuetype as { name?: unknown } | undefined;
  return {
    projectKey: typeof project?.key === 'string' ? project.key : undefined,
    issueTypeName: typeof type?.name === 'string' ? type.name : undefined,
  };
}

export function statusOf(fields: Record<string, unknown>): { name: string; categoryKey: string } {
  const status = fields.status as { name?: unknown; statusCategory?: { key?: unknown } } | undefined;
  return {
    name: typeof status?.name === 'string' ? status.name : '',
    categoryKey: typeof status?.statusCategory?.key === 'string' ? status.statusCategory.key : 'undefined',
  };
}

/** The mapping that covers this issue for this connection, or undefined (and then no tool request is made). */
export function mappingFor(connection: Connection, fields: Record<string, unknown>): ProjectMapping | undefined {
  const { projectKey, issueTypeName } = projectOf(fields);
  if (!projectKey || !issueTypeName) return undefined;
  const mapping = findProjectMapping(connection, { projectKey, issueTypeName });
  return mapping && mapping.direction !== 'tool-to-jira' ? mapping : undefined;
}

/** True when the project mapping has no JQL filter, or the issue matches it. */
export async function passesFilter(run: Run, projectMapping: ProjectMapping): Promise<boolean> {
  if (!projectMapping.jql) return true;
  const [matches] = await run.ports.jira.matchJql(run.issueId, [projectMapping.jql]);
  return matches === true;
}

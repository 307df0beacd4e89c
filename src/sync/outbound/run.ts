// What one outbound delivery works with: the config, the issue's links and link history (read in one
// batch), what it is about, and the failure it hands to the delivery guard. Shared by every protocol.
import { findProjectMapping, parseConfig, type Connection, type ProjectMapping, type TandemConfig } from '../../mapping';
import type { DeliveryFailure } from '../../connectors';
import type { Changelog, Delivery } from '../delivery';
import { commentTombstoneKey, isCommentDeleted } from '../notes';
import type { IssueFacts, JiraComment, JiraUser, JiraUserRef, Ports, StoreWrite } from '../ports';
import { publishedKey } from '../issue-property';
import type { LockHolder } from '../sync-lock';
import { CONFIG_KEY, issueStateKey, linkHistoryKey, readIssueState, readLinkHistory, type FailureSubject, type IssueState, type LinkHistory } from '../state';

export type { Changelog } from '../delivery';
export type ChangelogItem = Changelog['items'][number];

/** What the event carried of the issue (Forge issue events carry summary, status, assignee, project, issuetype…). */
export type IssuePayload = IssueFacts;

export type OutboundChange =
  | { kind: 'issue-created' | 'issue-updated'; issueId: string; issueKey: string; payload: IssuePayload; changelog?: Changelog; actorAccountId?: string }
  | { kind: 'issue-deleted'; issueId: string; issueKey: string; payload: IssuePayload; actorAccountId?: string }
  | { kind: 'comment-saved'; issueId: string; issueKey: string; commentId: string; comment: JiraComment | undefined; edited?: boolean; payload?: IssuePayload }
  | { kind: 'comment-deleted'; issueId: string; issueKey: string; commentId: string; comment?: JiraComment; payload?: IssuePayload };

/** What an outbound delivery is about: an issue's fields, one comment, or an issue deletion. */
export type OutboundSubject = Extract<FailureSubject, { kind: 'issue' | 'comment' | 'deletion' }>;

export interface Run {
  ports: Ports;
  config: TandemConfig;
  state: IssueState;
  history: LinkHistory;
  issueId: string;
  issueKey: string;
  /** Users read over REST during this delivery, by account id: each is read once. */
  users: Map<string, Promise<JiraUser | undefined>>;
  /** Set when the delivery went through but kept a failure for its subject (a field the tool refused): nothing may clear it. */
  keptFailure?: boolean;
  /** Set when the delivery only queued itself again (another delivery was creating the record): nothing went through yet. */
  requeued?: boolean;
  /** Who runs this delivery, named in the sync locks it takes (see sync-lock.ts). */
  holder?: LockHolder;
  /** The sync lock this delivery holds, while it holds it; released with its last transaction when it has one. */
  lock?: { key: string; released: boolean } | undefined;
  /** The issue's published sync state as stored (read with the config and links). */
  published: { value: unknown };
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
  const found = await ports.store.getMany([CONFIG_KEY, issueStateKey(issueId), linkHistoryKey(issueId), publishedKey(issueId)]);
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
    users: new Map(),
    published: { value: found.get(publishedKey(issueId)) },
  };
}

/**
 * The user with their display name. Product events carry users as account ids only, so a name
 * missing is read over REST, once per delivery however often the user appears.
 */
export async function named(run: Run, user: JiraUserRef): Promise<JiraUserRef> {
  if (user.displayName) return user;
  let read = run.users.get(user.accountId);
  if (!read) {
    read = run.ports.jira.getUser(user.accountId);
    run.users.set(user.accountId, read);
  }
  const found = await read;
  if (!found || found.displayName === '') return user;
  const emailAddress = user.emailAddress ?? found.emailAddress;
  return { accountId: user.accountId, displayName: found.displayName, ...(emailAddress === undefined ? {} : { emailAddress }) };
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

/**
 * The mapping that covers this issue for this connection, whichever way it syncs: an issue linked
 * through a tool-to-Jira mapping stays linked when it changes in Jira, it just sends nothing.
 */
export function coveringMapping(connection: Connection, issue: Pick<IssueFacts, 'project' | 'issueType'>): ProjectMapping | undefined {
  if (!issue.project || !issue.issueType) return undefined;
  return findProjectMapping(connection, { projectKey: issue.project.key, issueTypeName: issue.issueType.name });
}

/** The mapping that brings this issue to the tool, or undefined (and then no tool request is made). */
export function mappingFor(connection: Connection, issue: Pick<IssueFacts, 'project' | 'issueType'>): ProjectMapping | undefined {
  const mapping = coveringMapping(connection, issue);
  return mapping && mapping.direction !== 'tool-to-jira' ? mapping : undefined;
}

/** True when the project mapping has no JQL filter, or the issue matches it. */
export async function passesFilter(run: Run, projectMapping: ProjectMapping): Promise<boolean> {
  if (!projectMapping.jql) return true;
  const [matches] = await run.ports.jira.matchJql(run.issueId, [projectMapping.jql]);
  return matches === true;
}

/** True when the comment was deleted in Jira: its create or edit arriving late sends nothing. */
export async function commentDeleted(run: Run, commentId: string): Promise<boolean> {
  return isCommentDeleted(await run.ports.store.get(commentTombstoneKey(commentId)));
}

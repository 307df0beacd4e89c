// Request and response shapes of the issue view's resolver calls (the "Tandem" panel and the
// issue actions), shared by the backend (src/handlers/issue) and the page (static/issue). Types only.
import type { AdminError } from './admin';

export type IssueResult<T extends object = object> = ({ ok: true } & T) | { ok: false; error: AdminError };

/**
 * The issue's sync state with one connection, in the words the panel shows:
 * - `in-sync`: linked, nothing owed;
 * - `pending`: a sync is on its way (asked for with Sync now, or a retry after a passing failure);
 * - `failed`: kept after its last attempt: the tool's message and what to do;
 * - `not-synced`: not linked, with the reason (`why`).
 */
export type SyncStateName = 'in-sync' | 'pending' | 'failed' | 'not-synced';

export type NotSyncedReason = 'no-mapping' | 'excluded-by-jql' | 'one-way-from-tool' | 'not-yet' | 'disconnected' | 'unlinked';

export interface IssueSyncEvent {
  at: string;
  direction: 'outbound' | 'inbound';
  outcome: 'synced' | 'skipped' | 'conflict' | 'failed' | 'retrying';
  summary: string;
}

export interface PartFailureView {
  /** The id a Retry names. */
  failureId: string;
  /** What did not sync: `Status`, or `Field priority`. */
  what: string;
  /** Why, with the mapping to fix or what to do. */
  words: string;
  toolMessage?: string;
  /** Tandem tries again by itself (when), or a retry was asked for and is on its way. */
  nextAttemptAt?: string;
  retrying: boolean;
}

export interface ConnectionSyncView {
  connectionId: string;
  connectionName: string;
  state: SyncStateName;
  /** The state in a sentence (with the next attempt, the tool's message, or why it is not synced). */
  words: string;
  /** What the person can do about it, when there is something. */
  advice?: string;
  why?: NotSyncedReason;
  record?: { module: string; number: string; title?: string; url: string };
  /** ISO times of the last sync each way, where there was one. */
  lastToTool?: string;
  lastFromTool?: string;
  /** When pending: the next attempt, where known. */
  nextAttemptAt?: string;
  /** When failed: the tool's own message. */
  toolMessage?: string;
  /** The id a Retry names (a kept failure). */
  failureId?: string;
  /**
   * The status or single fields that did not sync while the rest of the issue did, each with its own
   * Retry (a field Jira or the tool refused, a status Jira could not reach).
   */
  partFailures?: PartFailureView[];
  /** Newest first, at most five. */
  events: IssueSyncEvent[];
  /** The modules a record can be linked from (by "Link to a record…"), when the issue is mapped. */
  linkableModule?: string;
  conflictPolicy: string;
}

export interface IssueViewResponseBody {
  issueKey: string;
  /** Whether the viewer may Sync now, Retry, Link and Unlink (Jira's Edit Issues permission). */
  canEdit: boolean;
  connections: ConnectionSyncView[];
}
export type IssueViewResponse = IssueResult<IssueViewResponseBody>;

export interface ConnectionOnIssueRequest {
  connectionId: string;
}
export type SyncNowResponse = IssueResult<{ queued: true }>;
export interface RetryOnIssueRequest {
  failureId: string;
}
export type RetryOnIssueResponse = IssueResult<{ queued: true }>;

export interface RecordSearchRequest {
  connectionId: string;
  query: string;
}
export interface RecordCandidate {
  id: string;
  number: string;
  title: string;
  url: string;
  /** The Jira issue it is linked to already, if any: such a record cannot be picked. */
  linkedIssueKey?: string;
  /** What linking it does: one line per field the two hold differently, saying which value wins and why. */
  outcome: string[];
}
export type RecordSearchResponse = IssueResult<{
  module: string;
  records: RecordCandidate[];
  /** The conflict policy in words, shown before the link is made. */
  conflictPolicy: string;
  /** Set when the search stopped before reading every record: a narrower search finds more. */
  more?: boolean;
}>;

export interface LinkRecordRequest {
  connectionId: string;
  recordId: string;
}
export type LinkRecordResponse = IssueResult<{ linked: { number: string; url: string; title?: string } }>;
export type UnlinkResponse = IssueResult<{ unlinked: true }>;

export interface IssueCalls {
  getIssueSync: { request: Record<string, never>; response: IssueViewResponse };
  syncNow: { request: ConnectionOnIssueRequest; response: SyncNowResponse };
  retrySync: { request: RetryOnIssueRequest; response: RetryOnIssueResponse };
  searchRecords: { request: RecordSearchRequest; response: RecordSearchResponse };
  linkRecord: { request: LinkRecordRequest; response: LinkRecordResponse };
  unlinkRecord: { request: ConnectionOnIssueRequest; response: UnlinkResponse };
}
export type IssueCallName = keyof IssueCalls;

// Every answer may be a refusal with its code, as on the admin page: the page decides by the code.
type EveryIssueAnswerMayFail = { [K in IssueCallName]: { ok: false; error: AdminError } extends IssueCalls[K]['response'] ? true : false }[IssueCallName];
const everyIssueAnswerMayFail: EveryIssueAnswerMayFail = true;
void everyIssueAnswerMayFail;

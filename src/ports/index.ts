// What Tandem needs from the world: Jira, the store, the queue, a tool's HTTP endpoint, the clock.
// src/platform implements these with the Forge SDKs; tests hand in the same implementations
// running on the devkit, or plain in-memory ones. Imports nothing of Tandem: every layer may use it.

export interface IssueSummary {
  id: string;
  key: string;
  summary: string;
  statusName: string;
}

/** A user as a Jira field holds one (assignee, reporter, a user custom field). */
export interface JiraUserRef {
  accountId: string;
  /** Absent where Jira sent only the account id (product events). */
  displayName?: string | undefined;
  /** Absent where the user's privacy settings hide it. */
  emailAddress?: string | undefined;
}

/**
 * What Tandem reads of any issue, parsed once where the issue enters (src/platform: REST answers
 * and product events alike): where it is, its status, and the users its fields hold.
 */
export interface IssueFacts {
  /** Raw field values by field id. */
  fields: Record<string, unknown>;
  /** Absent when the fields leave it out (a comment event may). */
  project?: { id?: string | undefined; key: string; name?: string | undefined; self?: string | undefined } | undefined;
  issueType?: { id?: string | undefined; name: string; subtask?: boolean | undefined } | undefined;
  /** `name` is empty and `categoryKey` 'undefined' when the fields leave the status out. */
  status: { id?: string | undefined; name: string; categoryKey: string };
  /** Users by the id of the field holding them; an empty user field is absent. */
  users: Record<string, JiraUserRef>;
}

/** An issue as Jira's REST API returns it. */
export interface JiraIssue extends IssueFacts {
  id: string;
  key: string;
  /** The transitions from its status, when asked for with the issue (their screens unread). */
  transitions?: JiraTransition[];
  /** The issue properties asked for with the issue, by key (one the issue lacks is left out). */
  properties?: Record<string, unknown>;
}

export interface JiraComment {
  id: string;
  /** ADF. */
  body: unknown;
  author?: JiraUserRef | undefined;
  updateAuthor?: JiraUserRef | undefined;
  /** ISO 8601, as Jira wrote them. */
  created?: string | undefined;
  updated?: string | undefined;
}

/** Jira answered with a status Tandem did not expect (thrown by the Jira port). */
export class JiraRequestError extends Error {
  constructor(
    readonly status: number,
    readonly operation: string,
    detail: string,
    /** How long Jira said to wait (Retry-After, or until X-RateLimit-Reset); may be longer than a queue delay. */
    readonly retryAfterSeconds?: number,
    /** An hourly quota refusal (RateLimit-Reason `jira-quota-…`): it lasts until the reset, however long. */
    readonly quota = false,
  ) {
    super(`Jira answered ${status} to ${operation}: ${detail}`);
    this.name = 'JiraRequestError';
  }

  /** Jira is rate-limiting (429) or had a server problem (5xx): the same request may pass later. */
  get transient(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** True for a Jira failure that may pass when tried again later. */
export function isTransientJiraError(error: unknown): error is JiraRequestError {
  return error instanceof JiraRequestError && error.transient;
}

export interface RemoteLink {
  /** Stable, so posting again updates the link instead of adding a second one (≤ 255 characters). */
  globalId: string;
  url: string;
  title: string;
  summary?: string;
}

/** What Jira said when it refused a write with 400: messages per field id, and general ones. */
export interface JiraRefusal {
  status: number;
  fieldErrors: Record<string, string>;
  messages: string[];
}

/** A transition offered from the issue's current status, with its screen's fields. */
export interface JiraTransition {
  id: string;
  name: string;
  to: { id: string; name: string; categoryKey: string };
  fields: Record<string, JiraScreenField>;
  /** Listed with the issue: Jira left out the fields of its screen, so they must be read before it is taken. */
  screenUnread?: boolean;
}

/** A field of a create or transition screen. */
export interface JiraScreenField {
  fieldId: string;
  name: string;
  required: boolean;
  hasDefaultValue: boolean;
  /** Choices Jira offers (resolutions, options, priorities…), as Jira returns them. */
  allowedValues: Array<{ id?: string | undefined; name?: string | undefined; value?: string | undefined }>;
}

export interface JiraUser {
  accountId: string;
  displayName: string;
  /** Absent where the user's privacy settings hide it. */
  emailAddress?: string | undefined;
  active: boolean;
  accountType?: string | undefined;
  timeZone?: string | undefined;
}

/** One page of a JQL search: the issues with the fields asked for, and the token of the next page. */
export interface JiraIssuePage {
  issues: JiraIssue[];
  /** Absent on the last page. Opaque: kept in a checkpoint and handed back to read on from there. */
  nextPageToken?: string;
}

/** The `cause.type` of the history metadata Tandem's edits and transitions carry; `cause.id` names the connection. */
export const TANDEM_CHANGE_CAUSE = 'tandem-connection';

/** The history metadata of Tandem's writes for a connection, which Jira keeps with the change. */
export function tandemChangeMetadata(connectionId: string): { type: string; cause: { type: string; id: string } } {
  return { type: 'tandem:sync', cause: { type: TANDEM_CHANGE_CAUSE, id: connectionId } };
}

/** One change of an issue: when, by whom, and the fields it changed. */
export interface JiraChangelogEntry {
  created: string;
  author?: { accountId?: string | undefined } | undefined;
  items: Array<{ fieldId?: string | undefined; field?: string | undefined }>;
  /** What the writer said of the change: Tandem names the connection it wrote for (see TANDEM_CHANGE_CAUSE). */
  historyMetadata?: { cause?: { id?: string | undefined; type?: string | undefined } | undefined } | undefined;
}

export interface JiraPort {
  getIssueSummary(issueIdOrKey: string): Promise<IssueSummary | undefined>;
  /** True when the user who invoked this function (Forge's principal) is a Jira administrator, asked as that user. */
  invokingUserIsAdmin(): Promise<boolean>;
  /** What the invoking user may do with the issue (Browse Projects, Edit Issues), asked as that user. */
  invokingUserOnIssue(issueId: string): Promise<{ browse: boolean; edit: boolean }>;
  /**
   * The issue with the given fields (status, project and issuetype always), or undefined when it is
   * gone; with `transitions`, also the transitions from its status, and with `properties`, those
   * issue properties, in the same request.
   */
  getIssue(issueIdOrKey: string, fields: readonly string[], options?: { transitions?: boolean; properties?: readonly string[] }): Promise<JiraIssue | undefined>;
  /**
   * One page of the issues a JQL query finds (`POST /rest/api/3/search/jql`), each with the given
   * fields (status, project and issuetype always), read in that one request. Start without a token;
   * hand back the page's `nextPageToken` for the next. A JQL Jira refuses throws (400).
   */
  searchIssues(input: { jql: string; fields: readonly string[]; nextPageToken?: string; maxResults?: number }): Promise<JiraIssuePage>;
  /**
   * The issues of up to 100 ids or keys, each with the given fields (status, project and issuetype
   * always), in one request (`POST /rest/api/3/issue/bulkfetch`). One Jira cannot return (no such
   * issue, or one the app cannot see) is left out; the others come back all the same.
   */
  getIssues(issueIdsOrKeys: readonly string[], fields: readonly string[]): Promise<JiraIssue[]>;
  /** Which of the JQL filters the issue matches (one request for all of them). */
  matchJql(issueId: string, jqls: readonly string[]): Promise<boolean[]>;
  /** Which of these issues (ids) the JQL matches: one request for a page of them; a JQL Jira refuses throws (400). */
  issuesMatching(issueIds: readonly string[], jql: string): Promise<Set<string>>;
  /** What Jira's parser says is wrong with a JQL query (`POST /rest/api/3/jql/parse`, strict), values the site lacks included: empty when it is fine. */
  checkJql(jql: string): Promise<string[]>;
  upsertRemoteLink(issueIdOrKey: string, link: RemoteLink): Promise<void>;
  /** Sets an issue property (JSON, at most 32,768 characters); as the app, so it changes nothing a trigger sees. */
  setIssueProperty(issueIdOrKey: string, propertyKey: string, value: unknown): Promise<void>;
  /** Removes the remote link with this globalId; false when the issue had none. */
  deleteRemoteLink(issueIdOrKey: string, globalId: string): Promise<boolean>;
  addLabel(issueIdOrKey: string, label: string): Promise<void>;
  /** The user (display name, and email where privacy settings show it), or undefined when Jira knows none. */
  getUser(accountId: string): Promise<JiraUser | undefined>;
  /** The user's email, read as the app where privacy settings hide it; undefined when Jira has none. */
  emailOf(accountId: string): Promise<string | undefined>;
  getComment(issueIdOrKey: string, commentId: string): Promise<JiraComment | undefined>;
  /** Every comment on the issue, oldest first; empty when the issue is gone. */
  listComments(issueIdOrKey: string): Promise<JiraComment[]>;
  /** The issue's latest changelog entries (up to 100; who changed which fields when), oldest first; empty when the issue is gone. */
  recentChangelog(issueIdOrKey: string): Promise<JiraChangelogEntry[]>;
  /** The account Tandem acts as in Jira (its comments came from a tool, so they are never sent back). */
  appAccountId(): Promise<string>;
  /**
   * One edit of many fields; a 400 comes back as the refusal (Jira then changed nothing).
   * `connectionId`: the connection the edit is made for, kept in the change's history.
   */
  editIssue(issueIdOrKey: string, fields: Record<string, unknown>, connectionId: string): Promise<JiraRefusal | undefined>;
  /** The transitions from the issue's current status, with their screen fields. */
  getTransitions(issueIdOrKey: string): Promise<JiraTransition[]>;
  /**
   * Another issue of the project and type in the given status, whose transitions show what
   * the status offers without moving any issue; undefined when the search finds none.
   */
  findIssueInStatus(input: { projectKey: string; issueTypeName: string; status: { id: string; name: string }; notIssueId: string }): Promise<string | undefined>;
  /** `connectionId`: as for editIssue. */
  transitionIssue(issueIdOrKey: string, transitionId: string, fields: Record<string, unknown>, connectionId: string): Promise<JiraRefusal | undefined>;
  /** `properties`: issue properties set with the create, in the same request. */
  createIssue(fields: Record<string, unknown>, properties?: ReadonlyArray<{ key: string; value: unknown }>): Promise<{ ok: true; id: string; key: string } | { ok: false; refusal: JiraRefusal }>;
  /** The issue types one can create in the project, or undefined when the project is unknown. */
  getCreateIssueTypes(projectIdOrKey: string): Promise<Array<{ id: string; name: string; subtask: boolean }> | undefined>;
  /** The create screen's fields for the project and issue type. */
  getCreateFields(projectIdOrKey: string, issueTypeId: string): Promise<JiraScreenField[]>;
  /** False when the issue was already gone. */
  deleteIssue(issueIdOrKey: string): Promise<boolean>;
  /** Users matching a query (an email finds its user even where the email is hidden). */
  searchUsers(query: string): Promise<JiraUser[]>;
  /** The board's open sprints (active and future), or undefined when the board is unknown. */
  openSprints(boardId: number): Promise<Array<{ id: number; name: string; state: string }> | undefined>;
  /** Adds an ADF comment as the app, with comment properties set in the same request; returns its id. */
  addComment(issueIdOrKey: string, body: unknown, properties?: ReadonlyArray<{ key: string; value: unknown }>): Promise<string>;
  /** A comment property's value; undefined when the comment or the property is gone. */
  getCommentProperty(commentId: string, propertyKey: string): Promise<unknown>;
  /** False when the comment is gone. */
  updateComment(issueIdOrKey: string, commentId: string, body: unknown): Promise<boolean>;
  /** False when the comment was already gone. */
  deleteComment(issueIdOrKey: string, commentId: string): Promise<boolean>;
}

export interface StoreEntry {
  key: string;
  value: unknown;
}

export type StoreWrite = { key: string; value: unknown; ttlSeconds?: number } | { key: string; delete: true };

/** Forge storage as the use cases see it. Values are JSON; what they mean is parsed by the caller. */
export interface StorePort {
  get(key: string): Promise<unknown>;
  /** Reads many keys in as few calls as the platform allows; missing keys are absent from the map. */
  getMany(keys: readonly string[]): Promise<Map<string, unknown>>;
  set(key: string, value: unknown, ttlSeconds?: number): Promise<void>;
  /** Atomic create: false when the key already exists. Locks and dedupe markers use it. */
  create(key: string, value: unknown, ttlSeconds: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Keys beginning with `prefix`, in pages of at most `limit` (≤ 100). */
  list(prefix: string, options?: { cursor?: string; limit?: number }): Promise<{ entries: StoreEntry[]; cursor?: string }>;
  /** All of these writes or none (at most 25). */
  writeAll(writes: readonly StoreWrite[]): Promise<void>;
  getSecret(key: string): Promise<string | undefined>;
  setSecret(key: string, value: string): Promise<void>;
  deleteSecret(key: string): Promise<void>;
}

/** What Tandem puts on its delivery queue: one delivery, outbound or inbound. */
export type QueueMessage<D = unknown> = {
  type: 'delivery';
  delivery: D;
  /** Seconds still to wait when this message arrives: a wait longer than one queue delay is a chain of them. */
  waitLeft?: number | undefined;
};

export interface QueuePort<D = unknown> {
  /** Queues the message to arrive after `delayInSeconds`, however long (the platform chains Forge's ≤ 900 s delays). */
  push(message: QueueMessage<D>, delayInSeconds?: number): Promise<void>;
}

/** One HTTP exchange with an external tool. */
export interface ExternalRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Give up after this long; Tandem's deliveries use 10 s. */
  timeoutMs: number;
}

export interface ExternalResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
}

/** Why no HTTP answer came back. */
export type ExternalFailureKind = 'network' | 'timeout' | 'egress-denied';

export class ExternalFailure extends Error {
  constructor(
    readonly kind: ExternalFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'ExternalFailure';
  }
}

export interface ExternalPort {
  /** Resolves with any HTTP answer (including 4xx/5xx); rejects only with an ExternalFailure. */
  send(request: ExternalRequest): Promise<ExternalResponse>;
}

/** The platform's egress: the requests, and which tool addresses it can reach at all. */
export interface EgressPort extends ExternalPort {
  /** Why the platform cannot reach this tool address (Forge fetch is HTTPS only), or undefined when it can. */
  addressRefusal(url: string): string | undefined;
}

export interface ClockPort {
  now(): number;
  /** Resolves after about this long. */
  sleep(ms: number): Promise<void>;
}

// What the use cases need from the world. src/platform implements these with the Forge SDKs;
// tests hand in the same implementations running on the devkit, or plain in-memory ones.

export interface IssueSummary {
  id: string;
  key: string;
  summary: string;
  statusName: string;
}

/** An issue as Jira's REST API returns it: raw field values by field id. */
export interface JiraIssue {
  id: string;
  key: string;
  fields: Record<string, unknown>;
}

export interface JiraComment {
  id: string;
  /** ADF. */
  body: unknown;
  author: { accountId: string; displayName: string } | undefined;
}

export interface RemoteLink {
  /** Stable, so posting again updates the link instead of adding a second one (≤ 255 characters). */
  globalId: string;
  url: string;
  title: string;
  summary?: string;
}

export interface JiraPort {
  getIssueSummary(issueIdOrKey: string): Promise<IssueSummary | undefined>;
  /** True when the given user is a Jira administrator (asked as that user). */
  isAdmin(accountId: string): Promise<boolean>;
  /** The issue with the given fields (status, project and issuetype always), or undefined when it is gone. */
  getIssue(issueIdOrKey: string, fields: readonly string[]): Promise<JiraIssue | undefined>;
  /** Which of the JQL filters the issue matches (one request for all of them). */
  matchJql(issueId: string, jqls: readonly string[]): Promise<boolean[]>;
  upsertRemoteLink(issueIdOrKey: string, link: RemoteLink): Promise<void>;
  addLabel(issueIdOrKey: string, label: string): Promise<void>;
  /** The user's email, read as the app where privacy settings hide it; undefined when Jira has none. */
  emailOf(accountId: string): Promise<string | undefined>;
  getComment(issueIdOrKey: string, commentId: string): Promise<JiraComment | undefined>;
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

export interface QueuePort {
  push(body: Record<string, unknown>, delayInSeconds?: number): Promise<void>;
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

export interface ClockPort {
  now(): number;
}

export interface Ports {
  jira: JiraPort;
  store: StorePort;
  queue: QueuePort;
  clock: ClockPort;
  external: ExternalPort;
}

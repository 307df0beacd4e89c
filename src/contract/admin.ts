// Request and response shapes of the admin page's resolver calls, shared by the backend
// (src/handlers/admin) and the page (static/admin/src/api). One definition, no copies.
// Types only (plus a few tiny helpers), so the page's bundle carries no schema code.
import type { Activity, Failure } from './journal';
import type { ConfigError } from '../mapping/config';
import type { Connection, FieldMapping, TandemConfig, TandemConfigInput, TransformKind } from '../mapping/schema';
import type { ToolDescription, ToolField, ToolModule } from '../mapping/tool-description';

export type { Connection, FieldMapping, TandemConfig, TandemConfigInput, ToolDescription, ToolField, ToolModule };
// The page offers a new tool field's type in the words the save accepts (tool-types imports nothing).
export { toolFieldNameKey, toolTypeVocabulary } from '../mapping/tool-types';

/** What "Test connection" found (the connectors' verdicts; src/handlers/admin checks the two stay equal). */
export type ConnectionVerdict = 'ok' | 'token-rejected' | 'forbidden' | 'wrong-url' | 'unreachable' | 'host-not-allowed' | 'missing-secret' | 'tool-error' | 'not-testable';
export type { ProjectMapping, Transform, TransformKind, Direction, StatusCategory, Auth, ConnectionOptions, InboundOptions } from '../mapping/schema';

export interface Overview {
  appVersion: string;
  connections: number;
  /** Who is signed in: the name Jira shows for them (absent when Jira did not say). */
  viewer: { accountId: string; displayName?: string };
}

/**
 * Every call answers `{ok: false, error}` when it did not do what was asked: the code says what
 * kind of refusal it is (FORBIDDEN: the caller is not a Jira admin, nothing happened), so the page
 * decides by the code, never by reading the words.
 */
export type AdminErrorCode = 'FORBIDDEN' | 'INVALID' | 'NOT_FOUND' | 'CONFLICT' | 'BUSY' | 'FAILED';

export type FieldError = ConfigError;

export interface AdminError {
  code: AdminErrorCode;
  /** Plain words for the admin, saying what to do next. */
  message: string;
  /** Dotted paths into the configuration (`connections.0.projects.1.module`), for errors shown next to a field. */
  fieldErrors?: FieldError[];
}

export interface AdminFailure {
  ok: false;
  error: AdminError;
}
export type AdminResult<T extends object = object> = ({ ok: true } & T) | AdminFailure;

export type OverviewResponse = AdminResult<Overview>;

// ---------------------------------------------------------------- configuration

export interface PresetSummary {
  id: string;
  name: string;
  description: string;
  /** What the admin must type in to start from this preset. */
  needs: 'base-url' | 'push-url';
  /** How the tool lists its records for a sync of what exists, or why it cannot. */
  listing: string;
  /** Whether the tool describes itself (modules, fields, states picked from lists), and in words. */
  describes: boolean;
  describing: string;
  /** The table of the tool's field types the preset brings (a tool that cannot describe itself). */
  toolFieldTypes?: Readonly<Record<string, string>>;
}

/** The saved configuration as the page edits it. `revision` guards against two admins overwriting each other. */
export interface ConfigView {
  config: TandemConfig;
  revision: number;
  savedAt?: string;
  savedBy?: string;
}

export type GetConfigResponse = AdminResult<ConfigView & { presets: PresetSummary[] }>;

export interface SaveConfigRequest {
  config: TandemConfigInput;
  /** The revision the admin started from. */
  revision: number;
}
export type ConfigSavedResponse = AdminResult<ConfigView & { warnings: string[] }>;

export interface AddConnectionRequest {
  revision: number;
  presetId: string;
  name: string;
  /** The tool's address (record REST presets) or where pushes go (push presets). */
  url: string;
}
export type AddConnectionResponse = AdminResult<ConfigView & { warnings: string[]; connectionId: string }>;

export interface RenameConnectionRequest {
  revision: number;
  connectionId: string;
  name: string;
}

export interface SetConnectionEnabledRequest {
  revision: number;
  connectionId: string;
  enabled: boolean;
}

// ---------------------------------------------------------------- secrets and testing

export interface SetConnectionSecretRequest {
  connectionId: string;
  /** auth: the token the tool gave; signing: the secret pushes are signed with; push-url: a push URL that may carry the tool's key. */
  kind: 'auth' | 'signing' | 'push-url';
  secret: string;
}
export type SetConnectionSecretResponse = AdminResult<ConfigView & { secretSetAt: string }>;

export interface ConnectionRequest {
  connectionId: string;
}

export type TestConnectionResponse = AdminResult<{
  verdict: ConnectionVerdict;
  message: string;
  status?: number | undefined;
  toolMessage?: string | undefined;
  testedAt: string;
}>;

export type ConnectionTest = Omit<Extract<TestConnectionResponse, { ok: true }>, 'ok'>;
/** The last test of each connection, by connection id, kept across reloads. */
export type ConnectionTestsResponse = AdminResult<{ tests: Record<string, ConnectionTest> }>;

export interface DeleteConnectionRequest {
  revision: number;
  connectionId: string;
}
/** What went with the connection; the tool's records and the Jira issues stay. */
export type DeleteConnectionResponse = AdminResult<ConfigView & { removed: { links: number; failures: number } }>;

// ---------------------------------------------------------------- inbound

export interface InboundHealth {
  lastAcceptedAt?: string;
  lastRefusedAt?: string;
  lastRefusedReason?: string;
}

/** The "webhook connected" lamp: accepted last, refused last, or nothing heard yet. */
export type InboundLamp = 'connected' | 'refusing' | 'waiting';

export interface InboundView {
  connectionId: string;
  /** Where the tool sends its events for this connection. */
  url: string;
  secretSetAt?: string;
  /** Set while the secret before the last rotation is still accepted. */
  previousSecretSetAt?: string;
  /** While the previous secret is accepted: how many calls were signed with it in the last 24 hours. */
  previousSecretCalls24h?: number;
  health: InboundHealth;
  lamp: InboundLamp;
}

export type GetInboundResponse = AdminResult<{ connections: InboundView[] }>;

export interface SetInboundSecretRequest {
  connectionId: string;
  /** Generated in the admin's browser and shown there once; the backend only stores it. */
  secret: string;
}
export type InboundSecretResponse = AdminResult<{ inbound: InboundView }>;

// ---------------------------------------------------------------- Jira metadata for pickers

export interface JiraProjectInfo {
  id: string;
  key: string;
  name: string;
}
export interface JiraIssueTypeInfo {
  id: string;
  name: string;
  subtask: boolean;
}
export interface JiraStatusInfo {
  id: string;
  name: string;
  category: 'new' | 'indeterminate' | 'done';
}
export interface JiraPriorityInfo {
  id: string;
  name: string;
}
export interface JiraFieldSchemaInfo {
  type: string;
  items?: string | undefined;
  system?: string | undefined;
  custom?: string | undefined;
}
export interface JiraFieldMeta {
  id: string;
  name: string;
  custom: boolean;
  schema?: JiraFieldSchemaInfo | undefined;
}

export type JiraProjectsResponse = AdminResult<{ projects: JiraProjectInfo[] }>;
/** A Jira Software board (Agile REST API): scrum boards have sprints, kanban boards none. */
export interface JiraBoardInfo {
  id: number;
  name: string;
  type: string;
  /** The project the board is located in, when Jira says. */
  projectKey?: string;
}
export type JiraBoardsResponse = AdminResult<{ projectKey: string; boards: JiraBoardInfo[] }>;
export interface ProjectRequest {
  projectKey: string;
}
export type JiraProjectMetaResponse = AdminResult<{ projectKey: string; issueTypes: JiraIssueTypeInfo[]; statuses: JiraStatusInfo[] }>;
export type JiraPrioritiesResponse = AdminResult<{ priorities: JiraPriorityInfo[] }>;
export type JiraFieldsResponse = AdminResult<{ fields: JiraFieldMeta[] }>;
/** What the connection's tool says about itself; `cannot` says why there is no description (names are then typed in). */
export type ToolDescriptionResponse = AdminResult<{ description?: ToolDescription; cannot?: string }>;

export interface CheckFieldMappingRequest {
  mapping: { jira: string; tool: string; direction?: FieldMapping['direction']; transform?: { kind: string } & Record<string, unknown> };
  /** The tool field's type as the tool describes it (`number`, `option`, …); narrows the transforms. */
  toolType?: string;
}
/** A transform and whether it can carry the Jira field; when not, why. */
export interface TransformFitInfo {
  kind: TransformKind;
  ok: boolean;
  reason?: string;
}
/**
 * `fits: false` comes with the sentence explaining why the Jira field cannot carry the tool field;
 * `transforms`, when Jira has the field, says which transforms fit it (the page offers those) and why each other one does not.
 */
export type CheckFieldMappingResponse = AdminResult<{ fits: boolean; message?: string; transforms?: TransformFitInfo[] }>;

// ---------------------------------------------------------------- activity and failures

export interface ActivityRequest {
  connectionId?: string;
  issueKey?: string;
  cursor?: string;
  limit?: number;
}
export type ActivityEntry = Activity & { id: string };
export type ActivityResponse = AdminResult<{ entries: ActivityEntry[]; cursor?: string }>;

export interface FailuresRequest {
  connectionId?: string;
}
export type FailureEntry = Failure & {
  /** Stable handle for retry and discard. */
  id: string;
  /** retrying: Tandem tries again by itself (at `nextAttemptAt`) or the admin asked it to; failed: kept until the admin acts. */
  state: 'failed' | 'retrying';
  retryRequestedAt?: string;
};
export type FailuresResponse = AdminResult<{
  failures: FailureEntry[];
  /** By connection id: when a delivery last went through after failing. */
  delivered: Record<string, string>;
}>;

export interface FailureRequest {
  id: string;
}
export type RetryResponse = AdminResult<{ retried: number; skipped: string[] }>;
export type DiscardResponse = AdminResult<{ discarded: number }>;

/** One hour of calls the inbound web trigger refused for a connection (or naming none): when, how many, why. */
export interface RefusedCalls {
  id: string;
  /** Absent when the calls named no configured connection. */
  connectionId?: string | undefined;
  /** The connection id such a call named, when it was a well-formed one. */
  namedConnection?: string | undefined;
  firstAt: string;
  lastAt: string;
  count: number;
  /** Tandem stopped counting this hour at `count`: at least that many. */
  capped: boolean;
  /** Tandem's words for why, most frequent first. */
  reasons: Array<{ reason: string; count: number }>;
}
export interface RefusedCallsRequest {
  connectionId?: string;
}
export type RefusedCallsResponse = AdminResult<{ calls: RefusedCalls[]; last24h: number }>;

/** A connection's last reconciliation sweep: when, what it compared and queued, whether it finished. */
export interface SweepView {
  connectionId: string;
  startedAt: string;
  finishedAt?: string | undefined;
  issuesCompared: number;
  recordsCompared: number;
  /** Pairs that differed and were queued as deliveries. */
  queued: number;
  /** False while a sweep that stopped at its limits goes on at the next run. */
  finished: boolean;
  note?: string | undefined;
}
export type SweepsResponse = AdminResult<{ sweeps: SweepView[] }>;

// ---------------------------------------------------------------- export and import

export type ExportConfigResponse = AdminResult<{ fileName: string; json: string }>;
export interface ImportConfigRequest {
  json: string;
  revision: number;
}

// ---------------------------------------------------------------- sync existing (bulk)

/**
 * What a sync of what already exists covers. Jira → tool: one project mapping's open issues or all
 * its issues, or the issues a JQL query finds. Tool → Jira: a module's records.
 */
export type BulkScope =
  | { kind: 'open' | 'all'; projectKey: string; issueType?: string | undefined }
  | { kind: 'jql'; jql: string }
  /** Tool → Jira: a module's records, those changed since a date (ISO 8601) when given. */
  | { kind: 'records'; module: string; updatedSince?: string | undefined };
export type BulkMatchRule = 'reference' | 'summary-and-day';
export type BulkClassName = 'create' | 'link' | 'update' | 'skip';

export interface BulkRequest {
  connectionId: string;
  scope: BulkScope;
  matchRule: BulkMatchRule;
  /** Jira rate-limit points an hour the job may spend; at most the default. */
  budgetPointsPerHour?: number;
}

export interface BulkSample {
  issueKey: string;
  /** The counterpart, or why it is skipped. */
  detail?: string;
}

export interface BulkPreview {
  counts: Record<BulkClassName, number>;
  samples: Record<BulkClassName, BulkSample[]>;
  /** Jira requests and rate-limit points the sync will cost (an estimate; the dry run's own are counted in). */
  jiraRequests: number;
  points: number;
  budgetPointsPerHour: number;
  estimatedSeconds: number;
}

export type BulkStatus = 'running' | 'paused' | 'cancelled' | 'done' | 'failed';

export interface BulkJobView {
  jobId: string;
  connectionId: string;
  scope: BulkScope;
  status: BulkStatus;
  startedBy: string;
  startedAt: string;
  endedAt?: string;
  counts: { done: number; created: number; linked: number; updated: number; skipped: number; failed: number };
  /** From the dry run; absent when unknown. */
  total?: number;
  remaining?: number;
  /** Items a minute so far. */
  rate?: number;
  etaSeconds?: number;
  budgetPointsPerHour: number;
  points: number;
  /** Why the job waits (Jira's rate limit), or why it failed. */
  note?: string;
}

/** Every resolver call the page makes: its payload and what comes back. */
export interface AdminCalls {
  getOverview: { request: Record<string, never>; response: OverviewResponse };
  getConfig: { request: Record<string, never>; response: GetConfigResponse };
  saveConfig: { request: SaveConfigRequest; response: ConfigSavedResponse };
  addConnection: { request: AddConnectionRequest; response: AddConnectionResponse };
  renameConnection: { request: RenameConnectionRequest; response: ConfigSavedResponse };
  setConnectionEnabled: { request: SetConnectionEnabledRequest; response: ConfigSavedResponse };
  setConnectionSecret: { request: SetConnectionSecretRequest; response: SetConnectionSecretResponse };
  testConnection: { request: ConnectionRequest; response: TestConnectionResponse };
  getConnectionTests: { request: Record<string, never>; response: ConnectionTestsResponse };
  deleteConnection: { request: DeleteConnectionRequest; response: DeleteConnectionResponse };
  getInbound: { request: Partial<ConnectionRequest>; response: GetInboundResponse };
  setInboundSecret: { request: SetInboundSecretRequest; response: InboundSecretResponse };
  retirePreviousInboundSecret: { request: ConnectionRequest; response: InboundSecretResponse };
  getJiraProjects: { request: Record<string, never>; response: JiraProjectsResponse };
  getJiraProjectMeta: { request: ProjectRequest; response: JiraProjectMetaResponse };
  getJiraBoards: { request: ProjectRequest; response: JiraBoardsResponse };
  getJiraPriorities: { request: Record<string, never>; response: JiraPrioritiesResponse };
  getJiraFields: { request: Record<string, never>; response: JiraFieldsResponse };
  checkFieldMapping: { request: CheckFieldMappingRequest; response: CheckFieldMappingResponse };
  getToolDescription: { request: ConnectionRequest; response: ToolDescriptionResponse };
  getActivity: { request: ActivityRequest; response: ActivityResponse };
  getFailures: { request: FailuresRequest; response: FailuresResponse };
  getRefusedCalls: { request: RefusedCallsRequest; response: RefusedCallsResponse };
  getSweeps: { request: Record<string, never>; response: SweepsResponse };
  retryFailure: { request: FailureRequest; response: RetryResponse };
  retryAllFailures: { request: FailuresRequest; response: RetryResponse };
  discardFailure: { request: FailureRequest; response: DiscardResponse };
  exportConfig: { request: Record<string, never>; response: ExportConfigResponse };
  importConfig: { request: ImportConfigRequest; response: ConfigSavedResponse };
  previewBulkSync: { request: BulkRequest; response: AdminResult<{ preview: BulkPreview }> };
  startBulkSync: { request: BulkRequest & { total?: number }; response: AdminResult<{ job: BulkJobView }> };
  getBulkSync: { request: ConnectionRequest; response: AdminResult<{ job?: BulkJobView }> };
  pauseBulkSync: { request: ConnectionRequest; response: AdminResult<{ job: BulkJobView }> };
  resumeBulkSync: { request: ConnectionRequest; response: AdminResult<{ job: BulkJobView }> };
  cancelBulkSync: { request: ConnectionRequest; response: AdminResult<{ job: BulkJobView }> };
  syncIssueNow: { request: { connectionId: string; issueKey: string }; response: AdminResult<{ issueKey: string; message: string }> };
}
export type AdminCallName = keyof AdminCalls;

// Every answer may be a refusal with its code: the page handles all calls the same way.
type EveryAnswerMayFail = { [K in AdminCallName]: AdminFailure extends AdminCalls[K]['response'] ? true : false }[AdminCallName];
const everyAnswerMayFail: EveryAnswerMayFail = true;
void everyAnswerMayFail;

/** The lamp of an inbound health record. */
export function inboundLamp(health: InboundHealth): InboundLamp {
  if (health.lastRefusedAt && (!health.lastAcceptedAt || health.lastRefusedAt > health.lastAcceptedAt)) return 'refusing';
  return health.lastAcceptedAt ? 'connected' : 'waiting';
}

/** `connections.0.projects.1.jql` → `connection 1, project mapping 2, JQL filter`: the words the page uses. */
export function placeOfField(path: string): string {
  const words: Record<string, string> = {
    connections: 'connection',
    projects: 'project mapping',
    fields: 'field mapping',
    projectKey: 'project',
    issueType: 'issue type',
    defaultIssueType: 'issue type for new issues',
    module: 'module',
    jql: 'JQL filter',
    jira: 'Jira field',
    tool: 'tool field',
    baseUrl: 'base URL',
    pushUrl: 'push URL',
    webhook: '',
    toolFieldTypes: 'tool field types',
  };
  const parts = path.split('.');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const next = parts[i + 1];
    const word = words[part];
    if (word !== undefined && next !== undefined && /^\d+$/.test(next)) {
      out.push(`${word} ${Number(next) + 1}`);
      i++;
    } else if (word !== undefined) {
      if (word !== '') out.push(word);
    } else out.push(part);
  }
  return out.join(', ');
}

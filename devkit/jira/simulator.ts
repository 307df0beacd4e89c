// An in-memory Jira Cloud site answering the REST API v3 subset Tandem uses, emitting the Forge
// product events each change causes, with Jira's error shapes, permissions and rate limits.
import type { JqlPropertyIndex } from './jql-types';
import type { Caller, Route, RouteContext } from './context';
import { customFieldDef } from './fields';
import { errorResponse, json, JiraError } from './http';
import {
  defaultWorkflow,
  type CustomFieldType,
  type IssueRecord,
  type StatusCategoryKey,
  type UserRecord,
  type WorkflowSpec,
} from './model';
import { agileRoutes } from './routes/agile';
import { changelogRoutes } from './routes/changelog';
import { commentRoutes } from './routes/comments';
import { issueRoutes } from './routes/issues';
import { bulkMoveRoutes } from './routes/bulk-move';
import { metaRoutes } from './routes/meta';
import { propertyAndLinkRoutes } from './routes/properties';
import { searchRoutes } from './routes/search';
import { userRoutes } from './routes/users';
import { RateLimitControl, rateLimited } from './rate-limits';
import { JiraStore, type JiraStoreDump } from './store';
import type { JiraActor, JiraHttpRequest, JiraHttpResponse, ProductEvent, ProductEventListener } from './types';

export type { WorkflowSpec, CustomFieldType } from './model';
export { defaultWorkflow } from './model';
export type { JiraStoreDump } from './store';
export type { RateLimitSettings } from './rate-limits';

export interface JiraSimulatorOptions {
  appAccountId?: string;
  clock?: () => number;
  baseUrl?: string;
  /** How long a write takes to show in /search/jql (default DEFAULT_SEARCH_LAG_MS; 0: at once). */
  searchLagMs?: number;
}

export interface AddUserInput {
  accountId?: string;
  displayName: string;
  emailAddress?: string;
  emailHidden?: boolean;
  admin?: boolean;
  active?: boolean;
  timeZone?: string;
  /** Projects where the user has less than full access (see UserRecord.projectAccess). */
  projectAccess?: Record<string, 'browse' | 'none'>;
}

export interface AddProjectInput {
  key: string;
  name: string;
  /** Issue type names; default Task and Bug. */
  issueTypes?: string[];
  workflow?: WorkflowSpec;
  /** accountId of the project lead; the first site admin (else the first person) when absent. */
  lead?: string;
  /** Company-managed (classic, the default) or team-managed (next-gen). */
  style?: 'classic' | 'next-gen';
  /**
   * Levels above Epic (Jira Premium and Enterprise): issue type name → level, 2 and up, e.g.
   * `{Initiative: 2}` (support.atlassian.com/jira-software-cloud/docs/configure-custom-hierarchy-levels-in-advanced-roadmaps/).
   */
  levels?: Record<string, number>;
  /** Version (release) names, unreleased. */
  versions?: string[];
  components?: string[];
}

export interface AddSprintInput {
  boardId: number;
  name: string;
  state?: 'future' | 'active' | 'closed';
  goal?: string;
}

export interface AddCustomFieldInput {
  name: string;
  schemaType: CustomFieldType;
  /** Option values for select, multi select and checkbox fields; with children for cascading selects. */
  options?: Array<string | { value: string; children: string[] }>;
  /** Required on every create screen (createmeta says so, and POST /issue enforces it). */
  required?: boolean;
}

export interface ProjectInfo {
  id: string;
  key: string;
  name: string;
  issueTypes: Array<{ id: string; name: string }>;
  statuses: Array<{ id: string; name: string; category: StatusCategoryKey }>;
  transitions: Array<{ id: string; name: string; from: string[] | null; to: string; requiresResolution: boolean }>;
}

export interface CustomFieldInfo {
  id: string;
  name: string;
  schemaType: CustomFieldType;
  options: Array<{ id: string; value: string }>;
}

/** An issue as stored, for test assertions (a copy: changing it changes nothing). */
export interface IssueSnapshot {
  id: string;
  key: string;
  projectKey: string;
  issueTypeName: string;
  summary: string;
  description: unknown;
  statusId: string;
  statusName: string;
  statusCategory: StatusCategoryKey;
  priorityName: string | null;
  labels: string[];
  assigneeAccountId: string | null;
  reporterAccountId: string | null;
  creatorAccountId: string;
  created: number;
  updated: number;
  resolutionName: string | null;
  duedate: string | null;
  /** The parent issue's key. */
  parentKey: string | null;
  fixVersions: string[];
  components: string[];
  /** Custom field id → stored value (option ids for option fields, epoch ms for datetimes, ADF for textareas). */
  customFields: Record<string, unknown>;
  comments: Array<{ id: string; authorAccountId: string; updateAuthorAccountId: string; body: unknown; created: number; updated: number; visibility?: unknown }>;
  remoteLinks: Array<{ id: number; globalId?: string; relationship?: string; application?: unknown; object: Record<string, unknown> }>;
  properties: Record<string, unknown>;
}

const API_PREFIX = '/rest/api/3';
const PER_ISSUE_WINDOWS = [
  { ms: 2_000, max: 20 },
  { ms: 30_000, max: 100 },
];

/** Jira Software's Agile REST API, served beside the platform API. */
const AGILE_PREFIX = '/rest/agile/1.0';

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

function compile(route: Route, prefix: string): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { ...route, path: prefix + route.path, regex: new RegExp(`^${prefix.replace(/[.]/g, '\\.')}${source}/?$`), names };
}

// Literal paths before templated ones, so `/project/search` is not read as a project key.
const ROUTES: CompiledRoute[] = [
  ...[...issueRoutes, ...bulkMoveRoutes, ...changelogRoutes, ...commentRoutes, ...propertyAndLinkRoutes, ...userRoutes, ...metaRoutes, ...searchRoutes].map((route) => compile(route, API_PREFIX)),
  ...agileRoutes.map((route) => compile(route, AGILE_PREFIX)),
].sort((a, b) => a.names.length - b.names.length);

/** Every operation the simulator serves, as `{ method, path }` with the full `/rest/api/3/…` or `/rest/agile/1.0/…` template. */
export function servedOperations(): Array<{ method: Route['method']; path: string }> {
  return ROUTES.map((route) => ({ method: route.method, path: route.path }));
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class JiraSimulator {
  readonly appAccountId: string;
  readonly rateLimit: RateLimitControl;
  private readonly store: JiraStore;
  private readonly listeners = new Set<ProductEventListener>();

  constructor(options: JiraSimulatorOptions = {}) {
    this.appAccountId = options.appAccountId ?? '712020:tandem-app-0000-4000-8000-000000000000';
    this.rateLimit = new RateLimitControl(options.clock ?? (() => Date.now()));
    this.store = new JiraStore({
      appAccountId: this.appAccountId,
      clock: options.clock ?? (() => Date.now()),
      baseUrl: (options.baseUrl ?? 'https://tandem-sandbox.atlassian.net').replace(/\/$/, ''),
      ...(options.searchLagMs === undefined ? {} : { searchLagMs: options.searchLagMs }),
    });
    this.store.users.set(this.appAccountId, {
      accountId: this.appAccountId,
      displayName: 'Tandem',
      emailHidden: false,
      admin: false,
      active: true,
      accountType: 'app',
      timeZone: 'UTC',
    });
  }

  /** How long a write takes to show in /search/jql from now on (0: at once). */
  setSearchLag(ms: number): void {
    this.store.searchIndex.setLag(ms);
  }

  get searchLagMs(): number {
    return this.store.searchIndex.lag;
  }

  // ---- seeding -------------------------------------------------------------------------------

  /**
   * What an app's jira:entityProperty modules ask Jira to index when it is installed: from then on
   * JQL searches each value by its alias. At most 30 values across an app's modules
   * (https://developer.atlassian.com/platform/forge/manifest-reference/modules/jira-entity-property/).
   */
  indexEntityProperties(indexes: readonly JqlPropertyIndex[]): void {
    if (indexes.length > 30) throw new Error(`An app may index at most 30 entity property values; this one asks for ${indexes.length}`);
    this.store.propertyIndexes = indexes.map((i) => ({ ...i }));
  }

  addUser(input: AddUserInput): UserRecord {
    const accountId = input.accountId ?? `712020:${String(this.store.next('user')).padStart(8, '0')}-0000-4000-8000-000000000000`;
    if (this.store.users.has(accountId)) throw new Error(`A user with accountId ${accountId} exists`);
    if (input.emailAddress !== undefined && this.store.findUserByEmail(input.emailAddress)) throw new Error(`A user with email ${input.emailAddress} exists`);
    const user: UserRecord = {
      accountId,
      displayName: input.displayName,
      ...(input.emailAddress !== undefined ? { emailAddress: input.emailAddress } : {}),
      emailHidden: input.emailHidden ?? false,
      admin: input.admin ?? false,
      active: input.active ?? true,
      accountType: 'atlassian',
      timeZone: input.timeZone ?? 'UTC',
      ...(input.projectAccess ? { projectAccess: { ...input.projectAccess } } : {}),
    };
    this.store.users.set(accountId, user);
    return { ...user };
  }

  /** Gives a user less than full access to a project, or (`full`) gives it back. */
  setProjectAccess(accountId: string, projectKey: string, access: 'full' | 'browse' | 'none'): void {
    const user = this.store.users.get(accountId);
    if (!user) throw new Error(`No user ${accountId}`);
    const rest = Object.fromEntries(Object.entries(user.projectAccess ?? {}).filter(([key]) => key !== projectKey));
    user.projectAccess = access === 'full' ? rest : { ...rest, [projectKey]: access };
  }

  addProject(input: AddProjectInput): ProjectInfo {
    const { store } = this;
    if (!/^[A-Z][A-Z0-9_]{1,9}$/.test(input.key)) throw new Error(`Invalid project key ${input.key}`);
    if (store.findProject(input.key)) throw new Error(`Project ${input.key} exists`);
    const workflow = input.workflow ?? defaultWorkflow();
    const style = input.style ?? 'classic';
    const projectId = String(store.next('project'));
    // Team-managed projects scope their statuses, like their issue types, to themselves.
    const scoped = style === 'next-gen' ? { projectId } : {};
    const statusIds = new Map<string, string>();
    for (const spec of workflow.statuses) {
      let status = style === 'classic' ? [...store.statuses.values()].find((s) => s.name === spec.name && s.projectId === undefined) : undefined;
      if (!status) {
        status = { id: String(store.next('status')), name: spec.name, category: spec.category, ...scoped };
        store.statuses.set(status.id, status);
      }
      statusIds.set(spec.name, status.id);
    }
    const statusId = (name: string): string => {
      const id = statusIds.get(name);
      if (id === undefined) throw new Error(`Workflow of ${input.key} names an unknown status ${name}`);
      return id;
    };
    const issueTypeIds = (input.issueTypes ?? ['Task', 'Bug']).map((name) => {
      // A company-managed project shares the site's types by name; a team-managed one has its own.
      const type = style === 'classic' ? [...store.issueTypes.values()].find((t) => t.name === name && t.projectId === undefined) : undefined;
      if (!type) {
        // Epics sit above standard types and sub-tasks below them, as on a fresh Jira Software site.
        const subtask = /^sub-?task$/i.test(name);
        const above = input.levels?.[name];
        if (above !== undefined && (!Number.isInteger(above) || above < 2)) throw new Error(`Levels above Epic start at 2, not ${above} (${name})`);
        const hierarchyLevel = above ?? (subtask ? -1 : name === 'Epic' ? 1 : 0);
        const created = { id: String(store.next('issueType')), name, description: `A ${name.toLowerCase()}.`, subtask, hierarchyLevel, ...scoped };
        store.issueTypes.set(created.id, created);
        return created.id;
      }
      return type.id;
    });
    const firstStatus = workflow.statuses[0];
    if (!firstStatus) throw new Error(`Workflow of ${input.key} has no statuses`);
    const project = {
      id: projectId,
      key: input.key,
      name: input.name,
      issueTypeIds,
      statusIds: [...statusIds.values()],
      initialStatusId: statusId(workflow.initial ?? firstStatus.name),
      transitions: workflow.transitions.map((t, i) => ({
        // Jira numbers workflow transitions 11, 21, 31, …
        id: String((i + 1) * 10 + 1),
        name: t.name,
        from: t.from === '*' ? null : t.from.map(statusId),
        to: statusId(t.to),
        requiresResolution: t.requiresResolution ?? false,
      })),
      nextNumber: 1,
      leadId: input.lead ?? store.defaultLeadId(),
      style,
      versions: (input.versions ?? []).map((name) => ({ id: String(store.next('version')), name, released: false, archived: false })),
      components: (input.components ?? []).map((name) => ({ id: String(store.next('component')), name })),
    };
    if (!store.users.has(project.leadId)) throw new Error(`No user ${project.leadId} to lead ${input.key}`);
    store.projects.set(project.id, project);
    return this.projectInfo(project.id);
  }

  private projectInfo(projectId: string): ProjectInfo {
    const project = this.store.projects.get(projectId);
    if (!project) throw new Error(`No project ${projectId}`);
    return {
      id: project.id,
      key: project.key,
      name: project.name,
      issueTypes: project.issueTypeIds.map((id) => ({ id, name: this.store.issueType(id).name })),
      statuses: project.statusIds.map((id) => ({ ...this.store.status(id) })),
      transitions: project.transitions.map((t) => ({ ...t, from: t.from === null ? null : [...t.from] })),
    };
  }

  getProject(idOrKey: string): ProjectInfo | undefined {
    const project = this.store.findProject(idOrKey);
    return project ? this.projectInfo(project.id) : undefined;
  }

  addCustomField(input: AddCustomFieldInput): CustomFieldInfo {
    const numericId = this.store.next('field');
    const field = {
      id: `customfield_${numericId}`,
      numericId,
      name: input.name,
      type: input.schemaType,
      required: input.required ?? false,
      options: (input.options ?? []).map((option) =>
        typeof option === 'string'
          ? { id: String(this.store.next('option')), value: option }
          : { id: String(this.store.next('option')), value: option.value, children: option.children.map((value) => ({ id: String(this.store.next('option')), value })) },
      ),
    };
    customFieldDef(field);
    this.store.customFields.set(field.id, field);
    return { id: field.id, name: field.name, schemaType: field.type, options: field.options.map((o) => ({ ...o })) };
  }

  /** A scrum board on the project (Jira Software). */
  addBoard(input: { projectKey: string; name: string; type?: 'scrum' | 'kanban' }): { id: number; name: string } {
    const project = this.store.findProject(input.projectKey);
    if (!project) throw new Error(`No project ${input.projectKey}`);
    const board = { id: this.store.next('board'), name: input.name, type: input.type ?? 'scrum', projectId: project.id };
    this.store.boards.set(board.id, board);
    return { id: board.id, name: board.name };
  }

  addSprint(input: AddSprintInput): { id: number; name: string } {
    if (!this.store.boards.has(input.boardId)) throw new Error(`No board ${input.boardId}`);
    const sprint = { id: this.store.next('sprint'), name: input.name, state: input.state ?? 'future', boardId: input.boardId, goal: input.goal ?? '' };
    this.store.sprints.set(sprint.id, sprint);
    return { id: sprint.id, name: sprint.name };
  }

  /** An Atlassian team the Team field can name. */
  addTeam(name: string): { id: string; name: string } {
    const n = this.store.teams.size + 1;
    const team = { id: `36885b3c-1bf0-4f85-a357-${String(n).padStart(12, '0')}`, name };
    this.store.teams.set(team.id, team);
    return { ...team };
  }

  addVersion(projectKey: string, name: string): { id: string; name: string } {
    const project = this.store.findProject(projectKey);
    if (!project) throw new Error(`No project ${projectKey}`);
    const version = { id: String(this.store.next('version')), name, released: false, archived: false };
    project.versions.push(version);
    return { id: version.id, name };
  }

  addComponent(projectKey: string, name: string): { id: string; name: string } {
    const project = this.store.findProject(projectKey);
    if (!project) throw new Error(`No project ${projectKey}`);
    const component = { id: String(this.store.next('component')), name };
    project.components.push(component);
    return { ...component };
  }

  // ---- reading state directly (assertions) ---------------------------------------------------

  /** The site's people (not the app), as a user picker lists them. */
  listUsers(): Array<{ accountId: string; displayName: string }> {
    return [...this.store.users.values()].filter((u) => u.active && u.accountId !== this.appAccountId).map((u) => ({ accountId: u.accountId, displayName: u.displayName }));
  }

  findUserByEmail(email: string): { accountId: string; displayName: string } | undefined {
    const user = this.store.findUserByEmail(email);
    return user && { accountId: user.accountId, displayName: user.displayName };
  }

  /** The whole site, for the sandbox's data file. */
  dump(): JiraStoreDump {
    return this.store.dump();
  }

  /** Replaces the whole site with a dump; no events are sent for it. */
  load(dump: JiraStoreDump): void {
    this.store.load(dump);
  }

  getIssue(idOrKey: string): IssueSnapshot | undefined {
    const issue = this.store.findIssue(idOrKey);
    return issue ? this.snapshot(issue) : undefined;
  }

  listIssues(): IssueSnapshot[] {
    return [...this.store.issues.values()].map((issue) => this.snapshot(issue));
  }

  getUser(accountId: string): UserRecord | undefined {
    const user = this.store.users.get(accountId);
    return user ? { ...user } : undefined;
  }

  private snapshot(issue: IssueRecord): IssueSnapshot {
    const { store } = this;
    const status = store.status(issue.statusId);
    return structuredClone({
      id: issue.id,
      key: issue.key,
      projectKey: store.projectOf(issue).key,
      issueTypeName: store.issueType(issue.issueTypeId).name,
      summary: issue.summary,
      description: issue.description,
      statusId: status.id,
      statusName: status.name,
      statusCategory: status.category,
      priorityName: store.priorities.find((p) => p.id === issue.priorityId)?.name ?? null,
      labels: issue.labels,
      assigneeAccountId: issue.assigneeId,
      reporterAccountId: issue.reporterId,
      creatorAccountId: issue.creatorId,
      created: issue.created,
      updated: issue.updated,
      resolutionName: store.resolutions.find((r) => r.id === issue.resolutionId)?.name ?? null,
      duedate: issue.duedate,
      parentKey: issue.parentId === null ? null : (store.issues.get(issue.parentId)?.key ?? null),
      fixVersions: issue.fixVersionIds.map((id) => store.projectOf(issue).versions.find((v) => v.id === id)?.name ?? id),
      components: issue.componentIds.map((id) => store.projectOf(issue).components.find((c) => c.id === id)?.name ?? id),
      customFields: Object.fromEntries(issue.custom),
      comments: issue.comments.map((c) => ({
        id: c.id,
        authorAccountId: c.authorId,
        updateAuthorAccountId: c.updateAuthorId,
        body: c.body,
        created: c.created,
        updated: c.updated,
        ...(c.visibility ? { visibility: c.visibility } : {}),
      })),
      remoteLinks: issue.remoteLinks,
      properties: Object.fromEntries(issue.properties),
    });
  }

  // ---- auth and events -----------------------------------------------------------------------

  /**
   * Reads an `Authorization` header as Jira Cloud does for API tokens: Basic `email:token` (any
   * token). No header is an anonymous caller; unknown or malformed credentials give null (answer 401).
   */
  authenticate(authorizationHeader: string | undefined): JiraActor | null {
    if (authorizationHeader === undefined || authorizationHeader.trim() === '') return { kind: 'anonymous' };
    const match = /^Basic\s+(\S+)$/i.exec(authorizationHeader.trim());
    if (!match?.[1]) return null;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return null;
    const user = this.store.findUserByEmail(decoded.slice(0, colon));
    return user && user.active ? { kind: 'user', accountId: user.accountId } : null;
  }

  onEvent(listener: ProductEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private deliver(events: ProductEvent[]): void {
    for (const event of events) {
      for (const listener of [...this.listeners]) {
        try {
          listener(event);
        } catch (error) {
          // A listener's failure must not undo or hide a change Jira has already made.
          console.error(`Jira simulator: a ${event.eventType} listener threw:`, error);
        }
      }
    }
  }

  // ---- REST ----------------------------------------------------------------------------------

  /** A JSON call as someone, the way a script or a test calls Jira's REST API. */
  async rest(actor: JiraActor, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const answer = await this.handle({
      method,
      path,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      actor,
    });
    return { status: answer.status, body: answer.body === '' ? undefined : (JSON.parse(answer.body) as unknown) };
  }

  async handle(request: JiraHttpRequest): Promise<JiraHttpResponse> {
    const url = new URL(request.path, 'http://jira.invalid');
    const method = request.method.toUpperCase();
    const path = url.pathname;
    if (!path.startsWith(`${API_PREFIX}/`) && !path.startsWith(`${AGILE_PREFIX}/`)) return errorResponse(new JiraError(404, [`No API resource at ${path}`]));

    const limited = this.rateLimit.check();
    if (limited) return errorResponse(limited);

    const caller = this.resolveCaller(request.actor);
    if (!caller) {
      return errorResponse(new JiraError(401, ['You are not authenticated. Authentication required to perform this operation.']));
    }

    let params: Record<string, string> | undefined;
    let route: CompiledRoute | undefined;
    let pathKnown = false;
    for (const candidate of ROUTES) {
      const match = candidate.regex.exec(path);
      if (!match) continue;
      pathKnown = true;
      if (candidate.method !== method) continue;
      route = candidate;
      params = Object.fromEntries(candidate.names.map((name, i) => [name, safeDecode(match[i + 1] ?? '')]));
      break;
    }
    if (!route || !params) {
      return pathKnown
        ? errorResponse(new JiraError(405, [`Method ${method} is not allowed on ${path}`]))
        : errorResponse(new JiraError(404, [`No API resource at ${path}`]));
    }

    const pending: ProductEvent[] = [];
    const ctx: RouteContext = {
      store: this.store,
      caller,
      params,
      query: url.searchParams,
      body: request.body,
      emit: (eventType, payload) => pending.push({ eventType, payload: { ...payload, eventType }, causedByApp: caller.isApp }),
      noteWrite: (issue) => this.noteWrite(issue),
    };
    let response: JiraHttpResponse;
    try {
      response = route.handler(ctx);
    } catch (error) {
      if (error instanceof JiraError) return errorResponse(error);
      console.error(`Jira simulator: ${method} ${path} failed:`, error);
      return json(500, { errorMessages: [`Internal server error: ${error instanceof Error ? error.message : String(error)}`], errors: {} });
    }
    this.deliver(pending);
    return response;
  }

  private resolveCaller(actor: JiraActor): Caller | undefined {
    if (actor.kind === 'anonymous') return undefined;
    const accountId = actor.kind === 'app' ? this.appAccountId : actor.accountId;
    const user = this.store.users.get(accountId);
    if (!user || !user.active) return undefined;
    return { accountId, isApp: actor.kind === 'app', user, admin: user.admin };
  }

  private noteWrite(issue: IssueRecord): void {
    if (!this.rateLimit.perIssueWrites) return;
    const now = this.store.now();
    const longest = Math.max(...PER_ISSUE_WINDOWS.map((w) => w.ms));
    issue.writes = issue.writes.filter((t) => t > now - longest);
    for (const window of PER_ISSUE_WINDOWS) {
      const inWindow = issue.writes.filter((t) => t > now - window.ms);
      const oldest = inWindow[0];
      if (inWindow.length >= window.max && oldest !== undefined) {
        throw rateLimited(Math.max(1, Math.ceil((oldest + window.ms - now) / 1000)), 'jira-per-issue-on-write', now);
      }
    }
    issue.writes.push(now);
  }
}

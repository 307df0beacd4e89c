// The simulator's state (site configuration and issues) and the JSON forms Jira gives its entities.
import type { JqlPropertyIndex } from './jql-types';
import { ISSUE_NOT_FOUND, notFound } from './http';
import { DEFAULT_SEARCH_LAG_MS, SearchIndex } from './search-index';
import {
  DEFAULT_PRIORITIES,
  DEFAULT_RESOLUTIONS,
  STATUS_CATEGORIES,
  type BoardRecord,
  type ComponentRecord,
  type CustomFieldRecord,
  type IssueRecord,
  type IssueTypeRecord,
  type NamedRecord,
  type ProjectRecord,
  type SprintRecord,
  type StatusRecord,
  type TeamRecord,
  type TransitionRecord,
  type UserRecord,
  type VersionRecord,
} from './model';

export interface StoreOptions {
  appAccountId: string;
  clock: () => number;
  baseUrl: string;
  /** How long a write takes to reach /search/jql (see search-index.ts). */
  searchLagMs?: number;
}

type Sequence = 'task' | 'issue' | 'comment' | 'link' | 'project' | 'issueType' | 'status' | 'field' | 'option' | 'changelog' | 'user' | 'version' | 'component' | 'board' | 'sprint';

export interface JiraStoreDump {
  users: Map<string, UserRecord>;
  projects: Map<string, ProjectRecord>;
  issueTypes: Map<string, IssueTypeRecord>;
  statuses: Map<string, StatusRecord>;
  priorities: Array<NamedRecord & { statusColor: string }>;
  resolutions: NamedRecord[];
  customFields: Map<string, CustomFieldRecord>;
  issues: Map<string, IssueRecord>;
  boards?: Map<number, BoardRecord>;
  sprints?: Map<number, SprintRecord>;
  teams?: Map<string, TeamRecord>;
  sequences: Record<Sequence, number>;
}

export class JiraStore {
  readonly users = new Map<string, UserRecord>();
  readonly projects = new Map<string, ProjectRecord>();
  readonly issueTypes = new Map<string, IssueTypeRecord>();
  readonly statuses = new Map<string, StatusRecord>();
  readonly priorities: Array<NamedRecord & { statusColor: string }> = DEFAULT_PRIORITIES.map((p) => ({ ...p }));
  readonly resolutions: NamedRecord[] = DEFAULT_RESOLUTIONS.map((r) => ({ ...r }));
  readonly customFields = new Map<string, CustomFieldRecord>();
  readonly issues = new Map<string, IssueRecord>();
  readonly boards = new Map<number, BoardRecord>();
  readonly sprints = new Map<number, SprintRecord>();
  readonly teams = new Map<string, TeamRecord>();
  /** The entity property values installed apps asked Jira to index (their jira:entityProperty modules). */
  propertyIndexes: JqlPropertyIndex[] = [];
  /** Bulk operations submitted (a move), by task id: read through GET /bulk/queue/{taskId}. */
  readonly bulkTasks = new Map<string, Record<string, unknown>>();
  private readonly sequences: Record<Sequence, number> = {
    task: 10000,
    issue: 10000,
    comment: 10000,
    link: 10000,
    project: 10000,
    issueType: 10001,
    status: 10000,
    field: 10050,
    option: 10100,
    changelog: 10000,
    user: 1,
    version: 10000,
    component: 10000,
    board: 1,
    sprint: 1,
  };

  /** What /search/jql sees of the issues, trailing their writes. */
  readonly searchIndex: SearchIndex;

  constructor(readonly options: StoreOptions) {
    this.searchIndex = new SearchIndex(options.searchLagMs ?? DEFAULT_SEARCH_LAG_MS);
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  now(): number {
    return this.options.clock();
  }

  next(sequence: Sequence): number {
    const value = this.sequences[sequence];
    this.sequences[sequence] = value + 1;
    return value;
  }

  /** Everything the site holds, for the sandbox's data file (structured-clone safe: Maps stay Maps). */
  dump(): JiraStoreDump {
    return structuredClone({
      users: this.users,
      projects: this.projects,
      issueTypes: this.issueTypes,
      statuses: this.statuses,
      priorities: this.priorities,
      resolutions: this.resolutions,
      customFields: this.customFields,
      issues: this.issues,
      boards: this.boards,
      sprints: this.sprints,
      teams: this.teams,
      sequences: this.sequences,
    });
  }

  load(dump: JiraStoreDump): void {
    this.searchIndex.clear();
    const copy = structuredClone(dump);
    for (const name of ['users', 'projects', 'issueTypes', 'statuses', 'customFields', 'issues'] as const) {
      const target = this[name] as Map<string, unknown>;
      target.clear();
      for (const [key, value] of copy[name] as Map<string, unknown>) target.set(key, value);
    }
    // Sites saved before projects had a lead, or issues a history, get the defaults.
    for (const project of this.projects.values()) {
      if (typeof (project as { leadId?: unknown }).leadId !== 'string') project.leadId = this.defaultLeadId();
      project.style ??= 'classic';
      project.versions ??= [];
      project.components ??= [];
    }
    for (const issue of this.issues.values()) {
      if (!Array.isArray((issue as { changelog?: unknown }).changelog)) issue.changelog = [];
      issue.parentId ??= null;
      issue.fixVersionIds ??= [];
      issue.componentIds ??= [];
      for (const comment of issue.comments) comment.properties ??= new Map();
    }
    for (const type of this.issueTypes.values()) type.hierarchyLevel ??= type.subtask ? -1 : 0;
    for (const name of ['boards', 'sprints', 'teams'] as const) {
      const target = this[name] as Map<unknown, unknown>;
      target.clear();
      for (const [key, value] of (copy[name] ?? new Map()) as Map<unknown, unknown>) target.set(key, value);
    }
    this.priorities.splice(0, this.priorities.length, ...copy.priorities);
    this.resolutions.splice(0, this.resolutions.length, ...copy.resolutions);
    Object.assign(this.sequences, copy.sequences);
  }

  // ---- look-ups ------------------------------------------------------------------------------

  /** `moved`: a key the issue had before a move finds it too, where Jira says it checks for moved issues (Get issue, Bulk fetch). */
  findIssue(idOrKey: string, options: { moved?: boolean } = {}): IssueRecord | undefined {
    if (/^\d+$/.test(idOrKey)) return this.issues.get(idOrKey);
    const key = idOrKey.toUpperCase();
    for (const issue of this.issues.values()) if (issue.key === key) return issue;
    if (options.moved) for (const issue of this.issues.values()) if (issue.formerKeys?.includes(key)) return issue;
    return undefined;
  }

  requireIssue(idOrKey: string): IssueRecord {
    const issue = this.findIssue(idOrKey);
    if (!issue) throw notFound(ISSUE_NOT_FOUND);
    return issue;
  }

  findProject(idOrKey: string): ProjectRecord | undefined {
    const byId = this.projects.get(idOrKey);
    if (byId) return byId;
    const key = idOrKey.toUpperCase();
    for (const project of this.projects.values()) if (project.key === key) return project;
    return undefined;
  }

  projectOf(issue: IssueRecord): ProjectRecord {
    const project = this.projects.get(issue.projectId);
    if (!project) throw new Error(`Issue ${issue.key} has no project`);
    return project;
  }

  status(id: string): StatusRecord {
    const status = this.statuses.get(id);
    if (!status) throw new Error(`Unknown status ${id}`);
    return status;
  }

  issueType(id: string): IssueTypeRecord {
    const type = this.issueTypes.get(id);
    if (!type) throw new Error(`Unknown issue type ${id}`);
    return type;
  }

  /** Who leads a project nobody was named for: the first site admin, else the first person, else the app. */
  defaultLeadId(): string {
    const people = [...this.users.values()].filter((u) => u.active && u.accountType === 'atlassian');
    return (people.find((u) => u.admin) ?? people[0])?.accountId ?? this.options.appAccountId;
  }

  findUserByEmail(email: string): UserRecord | undefined {
    const wanted = email.toLowerCase();
    for (const user of this.users.values()) if (user.emailAddress?.toLowerCase() === wanted) return user;
    return undefined;
  }

  /** Transitions a user can take from the issue's current status (never to the status it is in). */
  availableTransitions(issue: IssueRecord): TransitionRecord[] {
    return this.projectOf(issue).transitions.filter(
      (t) => t.to !== issue.statusId && (t.from === null || t.from.includes(issue.statusId)),
    );
  }

  // ---- JSON forms ----------------------------------------------------------------------------

  userJson(user: UserRecord): Record<string, unknown> {
    const size = (px: number): string => `${this.baseUrl}/secure/useravatar?size=${px}&ownerId=${encodeURIComponent(user.accountId)}`;
    return {
      self: `${this.baseUrl}/rest/api/3/user?accountId=${encodeURIComponent(user.accountId)}`,
      accountId: user.accountId,
      ...(user.emailAddress !== undefined && !user.emailHidden ? { emailAddress: user.emailAddress } : {}),
      avatarUrls: { '48x48': size(48), '24x24': size(24), '16x16': size(16), '32x32': size(32) },
      displayName: user.displayName,
      active: user.active,
      timeZone: user.timeZone,
      accountType: user.accountType,
    };
  }

  userJsonById(accountId: string | null): Record<string, unknown> | null {
    if (accountId === null) return null;
    const user = this.users.get(accountId);
    return user ? this.userJson(user) : null;
  }

  statusJson(id: string): Record<string, unknown> {
    const status = this.status(id);
    return {
      self: `${this.baseUrl}/rest/api/3/status/${status.id}`,
      description: '',
      iconUrl: `${this.baseUrl}/images/icons/statuses/generic.png`,
      name: status.name,
      id: status.id,
      statusCategory: this.statusCategoryJson(status.category),
      ...(status.projectId === undefined ? {} : { scope: { type: 'PROJECT', project: { id: status.projectId } } }),
    };
  }

  statusCategoryJson(key: keyof typeof STATUS_CATEGORIES): Record<string, unknown> {
    const category = STATUS_CATEGORIES[key];
    return { self: `${this.baseUrl}/rest/api/3/statuscategory/${category.id}`, ...category };
  }

  issueTypeJson(id: string): Record<string, unknown> {
    const type = this.issueType(id);
    return {
      self: `${this.baseUrl}/rest/api/3/issuetype/${type.id}`,
      id: type.id,
      description: type.description,
      iconUrl: `${this.baseUrl}/rest/api/2/universal_avatar/view/type/issuetype/avatar/${type.id}?size=medium`,
      name: type.name,
      subtask: type.subtask,
      avatarId: Number(type.id),
      hierarchyLevel: type.hierarchyLevel,
      ...(type.projectId === undefined ? {} : { scope: { type: 'PROJECT', project: { id: type.projectId } } }),
    };
  }

  projectJson(project: ProjectRecord, detailed = false): Record<string, unknown> {
    const avatar = (px: number): string => `${this.baseUrl}/rest/api/3/universal_avatar/view/type/project/avatar/10400?size=${px}`;
    const base = {
      self: `${this.baseUrl}/rest/api/3/project/${project.id}`,
      id: project.id,
      key: project.key,
      name: project.name,
      projectTypeKey: 'software',
      // Team-managed projects are the "simplified" ones.
      simplified: project.style === 'next-gen',
      avatarUrls: { '48x48': avatar(48), '24x24': avatar(24), '16x16': avatar(16), '32x32': avatar(32) },
    };
    if (!detailed) return base;
    const lead = this.userJsonById(project.leadId);
    return {
      expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
      ...base,
      description: '',
      // The description, issue types and lead come with every GET /project/{projectIdOrKey}.
      // developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/#api-rest-api-3-project-projectidorkey-get
      ...(lead ? { lead } : {}),
      issueTypes: project.issueTypeIds.map((id) => this.issueTypeJson(id)),
      assigneeType: 'UNASSIGNED',
      style: project.style,
      isPrivate: false,
      properties: {},
    };
  }

  priorityJson(id: string): Record<string, unknown> | null {
    const priority = this.priorities.find((p) => p.id === id);
    if (!priority) return null;
    return {
      self: `${this.baseUrl}/rest/api/3/priority/${priority.id}`,
      iconUrl: `${this.baseUrl}/images/icons/priorities/${priority.name.toLowerCase()}.svg`,
      name: priority.name,
      id: priority.id,
    };
  }

  resolutionJson(id: string): Record<string, unknown> | null {
    const resolution = this.resolutions.find((r) => r.id === id);
    if (!resolution) return null;
    return { self: `${this.baseUrl}/rest/api/3/resolution/${resolution.id}`, id: resolution.id, description: resolution.description, name: resolution.name };
  }

  versionJson(project: ProjectRecord, version: VersionRecord): Record<string, unknown> {
    return {
      self: `${this.baseUrl}/rest/api/3/version/${version.id}`,
      id: version.id,
      name: version.name,
      archived: version.archived,
      released: version.released,
      ...(version.releaseDate ? { releaseDate: version.releaseDate } : {}),
      projectId: Number(project.id),
    };
  }

  componentJson(component: ComponentRecord): Record<string, unknown> {
    return { self: `${this.baseUrl}/rest/api/3/component/${component.id}`, id: component.id, name: component.name };
  }

  /** A sprint as the Sprint field and the Agile REST API give it (dates in ISO 8601). */
  sprintJson(sprint: SprintRecord): Record<string, unknown> {
    return {
      id: sprint.id,
      self: `${this.baseUrl}/rest/agile/1.0/sprint/${sprint.id}`,
      state: sprint.state,
      name: sprint.name,
      ...(sprint.startDate !== undefined ? { startDate: new Date(sprint.startDate).toISOString() } : {}),
      ...(sprint.endDate !== undefined ? { endDate: new Date(sprint.endDate).toISOString() } : {}),
      originBoardId: sprint.boardId,
      goal: sprint.goal,
    };
  }

  optionJson(field: CustomFieldRecord, optionId: string): Record<string, unknown> | null {
    const option = field.options.find((o) => o.id === optionId);
    if (!option) return null;
    return { self: `${this.baseUrl}/rest/api/3/customFieldOption/${option.id}`, value: option.value, id: option.id };
  }
}

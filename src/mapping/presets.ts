// Ready-made connections an admin starts from and then adjusts. Each preset's tables follow the
// tool's own integration guide, so a new connection behaves the way that tool's users expect.
import { connectionSchema, type Connection, type ConnectionInput, type FieldMapping } from './schema';

export interface PresetInput {
  name: string;
  baseUrl: string;
  /** Defaults to a slug of the name. */
  id?: string;
}

export interface Preset {
  id: string;
  name: string;
  description: string;
  /** What the admin types in as `baseUrl`: the tool's address (the default), or the push URL the tool shows. */
  needs?: 'base-url' | 'push-url';
  /** How the tool lists its records for a sync of what exists (tool → Jira), or why it cannot. */
  listing: string;
  /** Whether the tool answers the record REST contract's `describe` (modules, fields with types, states). */
  describes: boolean;
  /** What the admin page says about it: where the lists come from, or why names are typed in. */
  describing: string;
  /** The tool's field types the preset puts on the connection, when the tool cannot describe them. */
  toolFieldTypes?: Readonly<Record<string, string>>;
  build(input: PresetInput): Connection;
  /**
   * Field mappings onto Jira fields whose id differs per site (Jira Software's and Atlassian's own
   * custom fields): found by name and schema in the site's GET /rest/api/3/field when the
   * connection is added, and left out, said so, when the site has none.
   */
  siteFields?: readonly SiteField[];
}

/** An entry of GET /rest/api/3/field, as much as finding a field by name and schema reads. */
export type SiteFieldInfo = { id?: string | undefined; name?: string | undefined; schema?: { type: string; custom?: string | undefined } | undefined };

export interface SiteField {
  /** What the admin reads: "Story points". */
  what: string;
  find(fields: readonly SiteFieldInfo[]): string | undefined;
  mapping: Omit<FieldMapping, 'jira'>;
}

/** A connection id from a name: `StackFlow (prod)` → `stackflow-prod`. */
export function connectionIdFrom(name: string, fallback: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug === '' ? fallback : slug;
}

const stackflowItsm: Preset = {
  id: 'stackflow-itsm',
  name: 'StackFlow ITSM',
  description:
    'OPS bugs ⇄ StackFlow incidents and INFRA tasks → changes; summary, description, priority (P1–P4), assignee by email and status, work notes as comments.',
  listing:
    'Lists incidents and changes 100 at a time, oldest change first, by cursor (`GET /api/{module}?limit=&cursor=&updated_since=`, the answer\'s `next_cursor`).',
  describes: true,
  describing:
    'Describes itself (`GET /api/describe`): modules, fields and states are picked from StackFlow’s own lists and checked at save.',
  build(input) {
    const connection: ConnectionInput = {
      id: input.id ?? connectionIdFrom(input.name, 'stackflow'),
      name: input.name,
      protocol: 'record-rest',
      baseUrl: input.baseUrl,
      auth: { kind: 'bearer' },
      // The incident's external reference: the Jira key it is searched by, and where the issue opens.
      issueKeyField: 'jira_issue_key',
      issueUrlField: 'jira_issue_url',
      options: {
        syncComments: true,
        label: 'stackflow-sync',
        onJiraDelete: 'close',
        closedState: 'closed',
        conflictPolicy: 'newest-wins',
      },
      projects: [
        {
          projectKey: 'OPS',
          issueType: 'Bug',
          module: 'incidents',
          direction: 'both',
          fixedValues: { assignment_group: 'Platform Engineering', category: 'software' },
        },
        { projectKey: 'INFRA', issueType: 'Task', module: 'changes', direction: 'jira-to-tool' },
      ],
      fields: [
        { jira: 'summary', tool: 'short_description', direction: 'both', transform: { kind: 'text' } },
        { jira: 'description', tool: 'description', direction: 'both', transform: { kind: 'adf-markdown' } },
        {
          jira: 'priority',
          tool: 'priority',
          direction: 'both',
          transform: {
            kind: 'priority',
            table: [
              { tool: 'P1', jira: 'Highest' },
              { tool: 'P2', jira: 'High' },
              { tool: 'P3', jira: 'Medium' },
              { tool: 'P4', jira: 'Low' },
            ],
          },
        },
        { jira: 'assignee', tool: 'assigned_to', direction: 'both', transform: { kind: 'user-email' } },
        {
          jira: 'status',
          tool: 'state',
          direction: 'both',
          transform: {
            kind: 'status',
            toTool: [
              { jira: ['To Do', 'Open'], tool: 'new' },
              { jira: ['In Progress'], tool: 'in_progress' },
              { jira: ['Blocked', 'On Hold'], tool: 'on_hold' },
              { jira: ['Done', 'Resolved'], tool: 'resolved' },
              { jira: ['Closed'], tool: 'closed' },
            ],
            categoryToTool: { new: 'new', indeterminate: 'in_progress', done: 'resolved' },
            toJira: [
              { tool: 'new', jira: 'To Do', category: 'new' },
              { tool: 'in_progress', jira: 'In Progress', category: 'indeterminate' },
              { tool: 'on_hold', jira: 'Blocked', category: 'indeterminate' },
              { tool: 'resolved', jira: 'Done', category: 'done' },
              { tool: 'closed', jira: 'Closed', category: 'done' },
            ],
          },
        },
      ],
    };
    // Parsing fills every default, so the preset is exactly what a saved configuration reads back as.
    return connectionSchema.parse(connection);
  },
};

/** The push URL under a base URL that may carry a path prefix. */
function under(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/**
 * Craft.io's fields and their types, in the words of Craft.io's field types ("text, single select,
 * numeric, etc." in its guide): the item's own fields, the primary fields (Components, Story points,
 * Releases/quarters, Jira teams, sprint and parent item) and the default fields (Objective, Key
 * result, Value, Effort). Craft.io's API cannot describe its fields, so the preset carries them and
 * the fit check holds each mapping to the guide's rule that both sides hold the same type. A
 * workspace's own custom fields are added to the connection's table as the admin creates them.
 */
export const craftioFieldTypes: Readonly<Record<string, string>> = {
  title: 'Text',
  description: 'Paragraph',
  status: 'Status',
  tags: 'Labels',
  owner: 'User',
  due_date: 'Date',
  parent_id: 'Parent item',
  sprint: 'Sprint',
  release: 'Release',
  components: 'Multi select',
  story_points: 'Numeric',
  team: 'Team',
  objective: 'Text',
  key_result: 'Paragraph',
  value: 'Numeric',
  effort: 'Numeric',
};

// Craft.io's guide: primary item types sync both ways, a primary type set to Ignore never syncs,
// secondary Jira types sync one way (Jira → Craft.io), and mapped fields must hold the same type
// (checkFieldMapping says so before a save). Craft.io's item types are the modules; a Craft.io type
// left out of the mapping (e.g. initiatives) is its Ignore, and Jira types in ignoredIssueTypes are
// skipped by the secondary mapping. The "webhook connected" lamp is the connection's inbound health.
const craftioProduct: Preset = {
  id: 'craftio-product',
  name: 'Craft.io product items',
  description:
    'PROD epics ⇄ Craft.io epics and stories ⇄ features; other PROD types → Craft.io items one way, sub-tasks ignored; title, description, status, labels, owner by email, due date, release (fix version) and components; story points, Team and custom fields once mapped. Craft.io sends its changes to the inbound URL (the webhook lamp).',
  listing:
    'Lists each item type\'s items (`GET /api/{module}`, the whole workspace in one answer per type; a `next_cursor` is followed when there is one).',
  describes: false,
  describing:
    'Cannot describe itself: Craft.io’s API has no description of its item types, so type module, field and state names as its guide gives them.',
  toolFieldTypes: craftioFieldTypes,
  build(input) {
    const connection: ConnectionInput = {
      id: input.id ?? connectionIdFrom(input.name, 'craftio'),
      name: input.name,
      protocol: 'record-rest',
      baseUrl: input.baseUrl,
      // Craft.io has no description of its item types: names are typed in, and the types of its
      // fields come from the preset's table.
      paths: { describe: null },
      toolFieldTypes: { ...craftioFieldTypes },
      auth: { kind: 'bearer' },
      options: {
        // The guide names no notes or comments on items.
        syncComments: false,
        label: 'craftio-sync',
        // Items are the product backlog; deleting a Jira issue leaves the item.
        onJiraDelete: 'nothing',
        conflictPolicy: 'newest-wins',
      },
      inbound: { auth: 'hmac', onToolDelete: 'nothing' },
      projects: [
        // Primary types: both ways.
        { projectKey: 'PROD', issueType: 'Epic', module: 'epics', direction: 'both' },
        { projectKey: 'PROD', issueType: 'Story', module: 'features', direction: 'both' },
        // Secondary types: Jira → Craft.io only; sub-tasks are set to Ignore.
        { projectKey: 'PROD', issueType: '*', module: 'items', direction: 'jira-to-tool', ignoredIssueTypes: ['Sub-task', 'Subtask'] },
      ],
      fields: [
        { jira: 'summary', tool: 'title', direction: 'both', transform: { kind: 'text' } },
        { jira: 'description', tool: 'description', direction: 'both', transform: { kind: 'adf-markdown' } },
        {
          jira: 'status',
          tool: 'status',
          direction: 'both',
          transform: {
            kind: 'status',
            toTool: [
              { jira: ['To Do', 'Open', 'Backlog'], tool: 'backlog' },
              { jira: ['In Progress', 'In Review', 'Blocked'], tool: 'in_progress' },
              { jira: ['Done', 'Closed', 'Resolved'], tool: 'done' },
            ],
            categoryToTool: { new: 'backlog', indeterminate: 'in_progress', done: 'done' },
            toJira: [
              { tool: 'backlog', jira: 'To Do', category: 'new' },
              { tool: 'in_progress', jira: 'In Progress', category: 'indeterminate' },
              { tool: 'done', jira: 'Done', category: 'done' },
            ],
          },
        },
        { jira: 'labels', tool: 'tags', direction: 'both', transform: { kind: 'labels', format: 'array' } },
        { jira: 'assignee', tool: 'owner', direction: 'both', transform: { kind: 'user-email' } },
        { jira: 'duedate', tool: 'due_date', direction: 'both', transform: { kind: 'date', jiraType: 'date' } },
        // Primary fields: Releases/quarters by name (one per item) and Jira Components. Story points
        // and Team live in custom fields whose ids differ per site: storyPointsField and
        // fieldByNameAndSchema find them for the mapping.
        // Hierarchical links: the issue's parent (an epic, or any level above) ⇄ the item's parent item.
        { jira: 'parent', tool: 'parent_id', direction: 'both', transform: { kind: 'parent' } },
        { jira: 'fixVersions', tool: 'release', direction: 'both', transform: { kind: 'names', format: 'single' } },
        { jira: 'components', tool: 'components', direction: 'both', transform: { kind: 'names', format: 'list' } },
      ],
    };
    return connectionSchema.parse(connection);
  },
  // The guide's primary fields whose Jira ids differ per site. Team needs its table of teams, so the
  // admin maps it on Mappings; the Sprint field needs the board chosen there too.
  siteFields: [
    { what: 'Story points', find: (fields) => storyPointsField(fields), mapping: { tool: 'story_points', direction: 'both', transform: { kind: 'number' } } },
    { what: 'Sprint', find: (fields) => sprintField(fields), mapping: { tool: 'sprint', direction: 'both', transform: { kind: 'sprint' } } },
  ],
};

/** A Jira field (an entry of GET /rest/api/3/field) by one of its names and what it holds. */
export function fieldByNameAndSchema(
  fields: readonly SiteFieldInfo[],
  names: readonly string[],
  accepts: (schema: { type: string; custom?: string | undefined }) => boolean,
): string | undefined {
  const wanted = names.map((n) => n.toLowerCase());
  return fields.find((f) => f.id !== undefined && f.name !== undefined && wanted.includes(f.name.toLowerCase()) && f.schema !== undefined && accepts(f.schema))?.id;
}

/**
 * The story points field of a site: "Story Points" (company-managed, a number field) or "Story
 * point estimate" (team-managed, Jira Software's own type); its id differs per site.
 */
export function storyPointsField(fields: readonly SiteFieldInfo[]): string | undefined {
  return fieldByNameAndSchema(fields, ['Story point estimate', 'Story Points'], (schema) => schema.type === 'number');
}

/** Jira Software's Sprint field of a site (Jira Software's own type; its id differs per site). */
export function sprintField(fields: readonly SiteFieldInfo[]): string | undefined {
  return fieldByNameAndSchema(fields, ['Sprint'], (schema) => schema.custom === 'com.pyxis.greenhopper.jira:gh-sprint');
}

// Flashduty's guide: a Jira webhook to the integration's push URL (issue created, updated,
// deleted), optionally narrowed by JQL; Flashduty reads issue.fields.status.name and applies its own
// status table on its side, so Tandem pushes the issue as Jira would and maps no fields. One way.
const flashdutyChanges: Preset = {
  id: 'flashduty-changes',
  name: 'Flashduty change events',
  description:
    'OPS issues labelled "change" → Flashduty change events through the push URL (paste it as the address), as Jira webhooks; Flashduty maps the status name itself (to do → planned, in progress → processing, done → done, canceled → canceled).',
  needs: 'push-url',
  listing:
    'Cannot list: Flashduty only receives Jira\'s pushes, so there is nothing to sync from it into Jira.',
  describes: false,
  describing:
    'Cannot describe itself: Flashduty only receives Jira’s pushes; type the names its guide gives.',
  build(input) {
    const connection: ConnectionInput = {
      id: input.id ?? connectionIdFrom(input.name, 'flashduty'),
      name: input.name,
      protocol: 'jira-webhook',
      // The push URL carries Flashduty's integration key; there is no other credential.
      auth: { kind: 'none' },
      webhook: { pushUrl: input.baseUrl, sign: false },
      options: {
        // The guide subscribes to issue created, updated and deleted only.
        syncComments: false,
        label: '',
        onJiraDelete: 'nothing',
        conflictPolicy: 'jira-wins',
      },
      projects: [{ projectKey: 'OPS', issueType: '*', module: 'changes', direction: 'jira-to-tool', jql: 'project = OPS AND labels = change' }],
      fields: [],
    };
    return connectionSchema.parse(connection);
  },
};

// UserHero's guide: one workflow ⇄ one Jira project. Items pushed from UserHero create Jira issues
// (of the project's default type) with a link back; Jira sends issue webhooks to UserHero with a
// Bearer header, and UserHero maps the status by category, then by name. Status changes in UserHero
// move the Jira issue to a status of the mapped category.
const userheroFeedback: Preset = {
  id: 'userhero-feedback',
  name: 'UserHero feedback',
  description:
    'UserHero Issues workflow ⇄ FEEDBACK: pushed items become Tasks with a link back (title, description, priority Urgent → Highest…, status); Jira webhooks to UserHero with a Bearer header; status by category both ways.',
  listing:
    'Cannot list: UserHero only receives Jira\'s pushes, so there is nothing to sync from it into Jira.',
  describes: false,
  describing:
    'Cannot describe itself: UserHero only receives Jira’s pushes; type the names its guide gives.',
  build(input) {
    const connection: ConnectionInput = {
      id: input.id ?? connectionIdFrom(input.name, 'userhero'),
      name: input.name,
      protocol: 'jira-webhook',
      baseUrl: input.baseUrl,
      // `Authorization: Bearer <JIRA_WEBHOOK_SECRET>` on every push.
      auth: { kind: 'bearer' },
      webhook: { pushUrl: under(input.baseUrl, '/api/webhooks/jira'), sign: false },
      options: {
        syncComments: false,
        label: 'userhero',
        onJiraDelete: 'nothing',
        // Tandem keeps no shadow of what it pushes, so the latest change decides.
        conflictPolicy: 'newest-wins',
      },
      // UserHero sends a fixed Bearer header, not a signature.
      inbound: { auth: 'bearer', onToolDelete: 'nothing' },
      projects: [{ projectKey: 'FEEDBACK', issueType: '*', defaultIssueType: 'Task', module: 'issues', direction: 'both' }],
      fields: [
        { jira: 'summary', tool: 'title', direction: 'tool-to-jira', transform: { kind: 'text' } },
        { jira: 'description', tool: 'description', direction: 'tool-to-jira', transform: { kind: 'adf-markdown' } },
        {
          jira: 'priority',
          tool: 'priority',
          direction: 'tool-to-jira',
          transform: {
            kind: 'priority',
            table: [
              { tool: 'Urgent', jira: 'Highest' },
              { tool: 'High', jira: 'High' },
              { tool: 'Medium', jira: 'Medium' },
              { tool: 'Low', jira: 'Low' },
            ],
          },
        },
        {
          jira: 'status',
          tool: 'status',
          direction: 'both',
          transform: {
            kind: 'status',
            // Only names of the category they belong to, so name-first reads as category-first.
            toTool: [
              { jira: ['Open', 'New', 'Backlog', 'To Do'], tool: 'open' },
              { jira: ['In Progress', 'In Review', 'In Development'], tool: 'in-progress' },
              { jira: ['Done', 'Completed', 'Resolved', 'Closed'], tool: 'resolved' },
            ],
            categoryToTool: { new: 'open', indeterminate: 'in-progress', done: 'resolved' },
            // Categories only: any status of the category will do, as the guide's mapping says.
            toJira: [
              { tool: 'open', category: 'new' },
              { tool: 'in-progress', category: 'indeterminate' },
              { tool: 'resolved', category: 'done' },
              { tool: 'closed', category: 'done' },
            ],
          },
        },
      ],
    };
    return connectionSchema.parse(connection);
  },
};

// The error tracker's guide (Sentry's Jira integration): an issue is created in Jira from the
// tracker, or linked to an existing one; Jira assignee changes reach the tracker by email; resolving
// moves the Jira issue to Done and back. The JQL keeps new Jira bugs from becoming tracker issues
// (errors come from the tracker): only issues Tandem created from it (labelled) or linked sync.
const sentryErrors: Preset = {
  id: 'sentry-errors',
  name: 'Sentry errors',
  description:
    'Sentry issues → OPS bugs (create, or link an existing bug) with a link back; Jira assignee → Sentry by email; resolved ⇄ Done, unresolved ⇄ To Do.',
  listing:
    'Lists issues by Sentry\'s cursor (`GET /api/0/{module}/?cursor=`, the `Link` header\'s `rel="next"` with `results="true"`).',
  describes: false,
  describing:
    'Cannot describe itself: Sentry’s API has no description of its issue fields, so type field and state names as its guide gives them.',
  build(input) {
    const connection: ConnectionInput = {
      id: input.id ?? connectionIdFrom(input.name, 'sentry'),
      name: input.name,
      protocol: 'record-rest',
      baseUrl: input.baseUrl,
      auth: { kind: 'bearer' },
      paths: {
        createRecord: 'POST /api/0/{module}/',
        updateRecord: 'PUT /api/0/{module}/{id}/',
        getRecord: 'GET /api/0/{module}/{id}/',
        deleteRecord: 'DELETE /api/0/{module}/{id}/',
        findByIssueKey: 'GET /api/0/{module}/?jira_issue_key={key}',
        listRecords: 'GET /api/0/{module}/',
        describe: null,
      },
      // The tracker keeps the key Tandem answers when it creates or links the Jira issue, and its
      // issues are never created through the API: nothing to write back.
      issueKeyField: '',
      options: {
        syncComments: false,
        label: 'sentry',
        onJiraDelete: 'nothing',
        conflictPolicy: 'newest-wins',
      },
      inbound: { auth: 'hmac', onToolDelete: 'nothing' },
      projects: [{ projectKey: 'OPS', issueType: 'Bug', module: 'issues', direction: 'both', jql: 'labels = sentry' }],
      fields: [
        { jira: 'summary', tool: 'title', direction: 'tool-to-jira', transform: { kind: 'text' } },
        { jira: 'description', tool: 'description', direction: 'tool-to-jira', transform: { kind: 'adf-markdown' } },
        // The guide's inbound assignee sync: Jira's assignee, matched to a tracker member by email.
        { jira: 'assignee', tool: 'assignedTo', direction: 'jira-to-tool', transform: { kind: 'user-email' } },
        {
          jira: 'status',
          tool: 'status',
          direction: 'both',
          transform: {
            kind: 'status',
            toTool: [{ jira: ['Done', 'Closed', 'Resolved'], tool: 'resolved' }],
            categoryToTool: { new: 'unresolved', indeterminate: 'unresolved', done: 'resolved' },
            toJira: [
              { tool: 'resolved', jira: 'Done', category: 'done' },
              { tool: 'unresolved', jira: 'To Do', category: 'new' },
            ],
          },
        },
      ],
    };
    return connectionSchema.parse(connection);
  },
};

export const presets: Preset[] = [stackflowItsm, craftioProduct, flashdutyChanges, userheroFeedback, sentryErrors];

export function findPreset(id: string): Preset | undefined {
  return presets.find((preset) => preset.id === id);
}

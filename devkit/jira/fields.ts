// Issue fields: the catalog (/field, names, schema), how each value is shown, how input is read
// (create, edit, transition screens) and how a change is written in a changelog.
import {
  adfToText,
  escapeHtml,
  isAdfDoc,
  jiraDate,
  type CustomFieldRecord,
  type ChangelogItem,
  type CustomFieldType,
  type IssueRecord,
  type ProjectRecord,
} from './model';
import type { JiraStore } from './store';

export interface FieldDef {
  id: string;
  name: string;
  custom: boolean;
  schema: Record<string, unknown> & { type: string };
  clauseNames: string[];
  /** Shown on the create and edit screens (so it can be set through `fields`/`update`). */
  editable: boolean;
  operations: string[];
  customField?: CustomFieldRecord;
}

const SYSTEM_FIELDS: Array<Omit<FieldDef, 'custom'>> = [
  { id: 'summary', name: 'Summary', schema: { type: 'string', system: 'summary' }, clauseNames: ['summary'], editable: true, operations: ['set'] },
  { id: 'description', name: 'Description', schema: { type: 'string', system: 'description' }, clauseNames: ['description'], editable: true, operations: ['set'] },
  { id: 'issuetype', name: 'Issue Type', schema: { type: 'issuetype', system: 'issuetype' }, clauseNames: ['issuetype', 'type'], editable: false, operations: [] },
  { id: 'project', name: 'Project', schema: { type: 'project', system: 'project' }, clauseNames: ['project'], editable: false, operations: ['set'] },
  { id: 'status', name: 'Status', schema: { type: 'status', system: 'status' }, clauseNames: ['status'], editable: false, operations: [] },
  { id: 'priority', name: 'Priority', schema: { type: 'priority', system: 'priority' }, clauseNames: ['priority'], editable: true, operations: ['set'] },
  { id: 'labels', name: 'Labels', schema: { type: 'array', items: 'string', system: 'labels' }, clauseNames: ['labels'], editable: true, operations: ['add', 'set', 'remove'] },
  { id: 'assignee', name: 'Assignee', schema: { type: 'user', system: 'assignee' }, clauseNames: ['assignee'], editable: true, operations: ['set'] },
  { id: 'reporter', name: 'Reporter', schema: { type: 'user', system: 'reporter' }, clauseNames: ['reporter'], editable: true, operations: ['set'] },
  { id: 'creator', name: 'Creator', schema: { type: 'user', system: 'creator' }, clauseNames: ['creator'], editable: false, operations: [] },
  { id: 'created', name: 'Created', schema: { type: 'datetime', system: 'created' }, clauseNames: ['created', 'createdDate'], editable: false, operations: [] },
  { id: 'updated', name: 'Updated', schema: { type: 'datetime', system: 'updated' }, clauseNames: ['updated', 'updatedDate'], editable: false, operations: [] },
  { id: 'resolution', name: 'Resolution', schema: { type: 'resolution', system: 'resolution' }, clauseNames: ['resolution'], editable: false, operations: ['set'] },
  { id: 'resolutiondate', name: 'Resolved', schema: { type: 'datetime', system: 'resolutiondate' }, clauseNames: ['resolutiondate', 'resolved'], editable: false, operations: [] },
  { id: 'duedate', name: 'Due date', schema: { type: 'date', system: 'duedate' }, clauseNames: ['due', 'duedate'], editable: true, operations: ['set'] },
  // The one parent field of company-managed and team-managed projects alike, since Epic Link and
  // Parent Link left the REST API (developer.atlassian.com/cloud/jira/platform/changelog/#CHANGE-1252).
  { id: 'parent', name: 'Parent', schema: { type: 'issuelink', system: 'parent' }, clauseNames: ['parent'], editable: true, operations: ['set'] },
  // Versions and components belong to the issue's project and are named by id or name
  // (developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post).
  { id: 'fixVersions', name: 'Fix versions', schema: { type: 'array', items: 'version', system: 'fixVersions' }, clauseNames: ['fixVersion'], editable: true, operations: ['set', 'add', 'remove'] },
  { id: 'components', name: 'Components', schema: { type: 'array', items: 'component', system: 'components' }, clauseNames: ['component'], editable: true, operations: ['add', 'set', 'remove'] },
];

const CUSTOM = 'com.atlassian.jira.plugin.system.customfieldtypes:';

// Field type keys as GET /rest/api/3/field gives them in schema.custom. Jira Software's Sprint and
// team-managed Story point estimate fields and the Team field carry their own plugin's key
// (developer.atlassian.com/platform/teams/components/team-field-in-jira-rest-api).
const CUSTOM_SCHEMA: Record<CustomFieldType, { type: string; items?: string; custom: string; operations: string[] }> = {
  string: { type: 'string', custom: 'textfield', operations: ['set'] },
  textarea: { type: 'string', custom: 'textarea', operations: ['set'] },
  url: { type: 'string', custom: 'url', operations: ['set'] },
  number: { type: 'number', custom: 'float', operations: ['set'] },
  date: { type: 'date', custom: 'datepicker', operations: ['set'] },
  datetime: { type: 'datetime', custom: 'datetime', operations: ['set'] },
  option: { type: 'option', custom: 'select', operations: ['set'] },
  'array-option': { type: 'array', items: 'option', custom: 'multiselect', operations: ['add', 'set', 'remove'] },
  'array-string': { type: 'array', items: 'string', custom: 'labels', operations: ['add', 'set', 'remove'] },
  user: { type: 'user', custom: 'userpicker', operations: ['set'] },
  checkbox: { type: 'array', items: 'option', custom: 'multicheckboxes', operations: ['add', 'set', 'remove'] },
  cascading: { type: 'option-with-child', custom: 'cascadingselect', operations: ['set'] },
  'array-user': { type: 'array', items: 'user', custom: 'multiuserpicker', operations: ['add', 'set', 'remove'] },
  sprint: { type: 'array', items: 'json', custom: 'com.pyxis.greenhopper.jira:gh-sprint', operations: ['set'] },
  'story-points': { type: 'number', custom: 'com.pyxis.greenhopper.jira:jsw-story-points', operations: ['set'] },
  team: { type: 'team', custom: 'com.atlassian.teams:rm-teams-custom-field-team', operations: ['set'] },
};

const customKey = (custom: string): string => (custom.includes(':') ? custom : `${CUSTOM}${custom}`);

export function customFieldDef(field: CustomFieldRecord): FieldDef {
  const shape = CUSTOM_SCHEMA[field.type];
  return {
    id: field.id,
    name: field.name,
    custom: true,
    schema: {
      type: shape.type,
      ...(shape.items ? { items: shape.items } : {}),
      custom: customKey(shape.custom),
      customId: field.numericId,
    },
    clauseNames: [`cf[${field.numericId}]`, field.name],
    editable: true,
    operations: shape.operations,
    customField: field,
  };
}

export function fieldCatalog(store: JiraStore): FieldDef[] {
  return [...SYSTEM_FIELDS.map((f) => ({ ...f, custom: false })), ...[...store.customFields.values()].map(customFieldDef)];
}

export function fieldDef(store: JiraStore, id: string): FieldDef | undefined {
  return fieldCatalog(store).find((f) => f.id === id);
}

export function fieldDetailsJson(def: FieldDef): Record<string, unknown> {
  return {
    id: def.id,
    key: def.id,
    name: def.name,
    custom: def.custom,
    orderable: def.editable,
    navigable: true,
    searchable: true,
    clauseNames: def.clauseNames,
    schema: def.schema,
  };
}

/**
 * Which fields a `fields` parameter asks for: a comma list of ids, `*all`, `*navigable`, `-id` to
 * leave one out; only exclusions start from the default. Every field here is navigable.
 */
export function selectFields(store: JiraStore, tokens: string[] | undefined, fallback: 'all' | 'none'): Set<string> {
  const all = fieldCatalog(store).map((f) => f.id);
  const selected = new Set<string>();
  const list = tokens ?? [];
  const positive = list.filter((t) => !t.startsWith('-'));
  if (list.length === 0 || positive.length === 0) {
    if (fallback === 'all' || (list.length > 0 && positive.length === 0)) for (const id of all) selected.add(id);
  }
  for (const token of positive) {
    if (token === '*all' || token === '*navigable') for (const id of all) selected.add(id);
    else if (all.includes(token)) selected.add(token);
  }
  for (const token of list) if (token.startsWith('-')) selected.delete(token.slice(1));
  return selected;
}

/** A field's value in an issue's `fields`. */
export function fieldValue(store: JiraStore, issue: IssueRecord, id: string): unknown {
  switch (id) {
    case 'summary':
      return issue.summary;
    case 'description':
      return issue.description;
    case 'issuetype':
      return store.issueTypeJson(issue.issueTypeId);
    case 'project':
      return store.projectJson(store.projectOf(issue));
    case 'status':
      return store.statusJson(issue.statusId);
    case 'priority':
      return issue.priorityId === null ? null : store.priorityJson(issue.priorityId);
    case 'labels':
      return [...issue.labels];
    case 'assignee':
      return store.userJsonById(issue.assigneeId);
    case 'reporter':
      return store.userJsonById(issue.reporterId);
    case 'creator':
      return store.userJsonById(issue.creatorId);
    case 'created':
      return jiraDate(issue.created);
    case 'updated':
      return jiraDate(issue.updated);
    case 'resolution':
      return issue.resolutionId === null ? null : store.resolutionJson(issue.resolutionId);
    case 'resolutiondate':
      return issue.resolutionDate === null ? null : jiraDate(issue.resolutionDate);
    case 'duedate':
      return issue.duedate;
    case 'parent':
      return issue.parentId === null ? undefined : parentJson(store, issue.parentId);
    case 'fixVersions': {
      const project = store.projectOf(issue);
      return issue.fixVersionIds.flatMap((vid) => project.versions.filter((v) => v.id === vid).map((v) => store.versionJson(project, v)));
    }
    case 'components': {
      const project = store.projectOf(issue);
      return issue.componentIds.flatMap((cid) => project.components.filter((c) => c.id === cid).map((c) => store.componentJson(c)));
    }
    default: {
      const field = store.customFields.get(id);
      if (!field) return undefined;
      return customValueJson(store, field, issue.custom.get(id));
    }
  }
}

/** The parent as an issue's `fields.parent` gives it: id, key and a few of its fields. */
function parentJson(store: JiraStore, parentId: string): Record<string, unknown> | undefined {
  const parent = store.issues.get(parentId);
  if (!parent) return undefined;
  return {
    id: parent.id,
    key: parent.key,
    self: `${store.baseUrl}/rest/api/3/issue/${parent.id}`,
    fields: {
      summary: parent.summary,
      status: store.statusJson(parent.statusId),
      priority: parent.priorityId === null ? null : store.priorityJson(parent.priorityId),
      issuetype: store.issueTypeJson(parent.issueTypeId),
    },
  };
}

function cascadingJson(store: JiraStore, field: CustomFieldRecord, stored: unknown): unknown {
  if (!Array.isArray(stored)) return null;
  const [parentId, childId] = stored as string[];
  const option = field.options.find((o) => o.id === parentId);
  if (!option) return null;
  const child = option.children?.find((c) => c.id === childId);
  return {
    self: `${store.baseUrl}/rest/api/3/customFieldOption/${option.id}`,
    value: option.value,
    id: option.id,
    ...(child ? { child: { self: `${store.baseUrl}/rest/api/3/customFieldOption/${child.id}`, value: child.value, id: child.id } } : {}),
  };
}

function customValueJson(store: JiraStore, field: CustomFieldRecord, stored: unknown): unknown {
  if (stored === undefined || stored === null) return null;
  switch (field.type) {
    case 'checkbox':
      return Array.isArray(stored) ? stored.map((id) => store.optionJson(field, String(id))).filter((o) => o !== null) : null;
    case 'cascading':
      return cascadingJson(store, field, stored);
    case 'array-user':
      return Array.isArray(stored) ? stored.map((id) => store.userJsonById(String(id))).filter((u) => u !== null) : null;
    case 'sprint':
      return Array.isArray(stored) ? stored.flatMap((id) => { const sprint = store.sprints.get(Number(id)); return sprint ? [{ ...store.sprintJson(sprint), boardId: sprint.boardId }] : []; }) : null;
    case 'team': {
      const team = typeof stored === 'string' ? store.teams.get(stored) : undefined;
      return team ? { id: team.id, name: team.name, avatarUrl: '', isVisible: true, isVerified: false, title: team.name, isShared: true } : null;
    }
    case 'datetime':
      return typeof stored === 'number' ? jiraDate(stored) : null;
    case 'option':
      return typeof stored === 'string' ? store.optionJson(field, stored) : null;
    case 'array-option':
      return Array.isArray(stored) ? stored.map((id) => store.optionJson(field, String(id))).filter((o) => o !== null) : null;
    case 'user':
      return typeof stored === 'string' ? store.userJsonById(stored) : null;
    case 'array-string':
      return Array.isArray(stored) ? [...(stored as string[])] : null;
    default:
      return stored;
  }
}

/** `renderedFields` values: HTML for text fields, the display form for dates, null otherwise. */
export function renderedValue(store: JiraStore, issue: IssueRecord, id: string): unknown {
  const def = fieldDef(store, id);
  if (id === 'description' || def?.customField?.type === 'textarea') {
    const doc = id === 'description' ? issue.description : issue.custom.get(id);
    if (!isAdfDoc(doc)) return null;
    return adfToText(doc)
      .split('\n')
      .map((line) => `<p>${escapeHtml(line)}</p>`)
      .join('');
  }
  const value = fieldValue(store, issue, id);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

// ---- reading input -----------------------------------------------------------------------------

/** A field value refused as Jira refuses it: 400 with `errors[fieldId]`. */
export class FieldInputError extends Error {}

const ADF_REQUIRED = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';

function userRef(store: JiraStore, raw: unknown): string | null {
  if (raw === null) return null;
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    const ref = raw as { accountId?: unknown; id?: unknown };
    if (ref.accountId === null || ref.accountId === '-1') return null;
    const accountId = typeof ref.accountId === 'string' ? ref.accountId : typeof ref.id === 'string' ? ref.id : undefined;
    if (accountId !== undefined) {
      const user = store.users.get(accountId);
      if (user && user.active) return user.accountId;
      throw new FieldInputError(`Specified user does not exist or you do not have required permissions`);
    }
  }
  throw new FieldInputError('expected an object with accountId');
}

function isDate(raw: unknown): raw is string {
  return typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(Date.parse(`${raw}T00:00:00Z`));
}

function optionRef(field: CustomFieldRecord, raw: unknown): string {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const ref = raw as { id?: unknown; value?: unknown };
    const found =
      typeof ref.id === 'string' ? field.options.find((o) => o.id === ref.id) : typeof ref.value === 'string' ? field.options.find((o) => o.value === ref.value) : undefined;
    if (found) return found.id;
    const shown = typeof ref.id === 'string' ? `id '${ref.id}'` : typeof ref.value === 'string' ? `'${ref.value}'` : 'value';
    throw new FieldInputError(`Option ${shown} is not valid`);
  }
  throw new FieldInputError(`Specify a valid 'id' or 'name' for ${field.name}`);
}

function namedRef(raw: unknown): { id?: string; name?: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const ref = raw as { id?: unknown; name?: unknown };
  return {
    ...(typeof ref.id === 'string' || typeof ref.id === 'number' ? { id: String(ref.id) } : {}),
    ...(typeof ref.name === 'string' ? { name: ref.name } : {}),
  };
}

/** A version or component of the project, by id or name; Jira says which one it could not find. */
function projectItemRef(items: Array<{ id: string; name: string }>, what: 'Version' | 'Component', raw: unknown): string {
  const ref = namedRef(raw);
  const found = ref.id !== undefined ? items.find((i) => i.id === ref.id) : ref.name !== undefined ? items.find((i) => i.name === ref.name) : undefined;
  if (found) return found.id;
  if (ref.id !== undefined) throw new FieldInputError(`${what} id '${ref.id}' is not valid`);
  if (ref.name !== undefined) throw new FieldInputError(`${what} name '${ref.name}' is not valid`);
  throw new FieldInputError(`Specify a valid '${what.toLowerCase()}' id or name`);
}

function requireProjectFor(project: ProjectRecord | undefined, id: string): ProjectRecord {
  if (!project) throw new FieldInputError(`Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`);
  return project;
}

/** Reads a `fields.<id>` (or `set`) value into what the store keeps; throws FieldInputError. */
export function readFieldInput(store: JiraStore, def: FieldDef, raw: unknown, project?: ProjectRecord): unknown {
  switch (def.id) {
    case 'parent': {
      // The hierarchy (one level above) is checked once the issue's type is known: checkParent.
      if (raw === null) return null;
      const ref = namedRef(raw);
      const key = typeof raw === 'object' && raw !== null && typeof (raw as { key?: unknown }).key === 'string' ? (raw as { key: string }).key : undefined;
      const parent = ref.id !== undefined ? store.issues.get(ref.id) : key !== undefined ? store.findIssue(key) : undefined;
      if (ref.id === undefined && key === undefined) throw new FieldInputError("Specify a valid 'id' or 'key' for the parent");
      if (!parent) throw new FieldInputError('Could not find issue by id or key.');
      return parent.id;
    }
    case 'fixVersions': {
      const versions = requireProjectFor(project, def.id).versions;
      if (raw === null) return [];
      if (!Array.isArray(raw)) throw new FieldInputError('Operation value must be an array');
      return [...new Set(raw.map((r) => projectItemRef(versions, 'Version', r)))];
    }
    case 'components': {
      const components = requireProjectFor(project, def.id).components;
      if (raw === null) return [];
      if (!Array.isArray(raw)) throw new FieldInputError('Operation value must be an array');
      return [...new Set(raw.map((r) => projectItemRef(components, 'Component', r)))];
    }
    case 'summary': {
      if (typeof raw !== 'string' || raw.trim() === '') throw new FieldInputError('You must specify a summary of the issue.');
      if (raw.length > 255) throw new FieldInputError('Summary must be less than 255 characters.');
      if (/[\r\n]/.test(raw)) throw new FieldInputError('The summary is invalid because it contains newline characters.');
      return raw;
    }
    case 'description':
      if (raw === null) return null;
      if (!isAdfDoc(raw)) throw new FieldInputError(ADF_REQUIRED);
      return structuredClone(raw);
    case 'priority': {
      if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
        const ref = raw as { id?: unknown; name?: unknown };
        const found = store.priorities.find((p) => (typeof ref.id === 'string' && p.id === ref.id) || (typeof ref.name === 'string' && p.name === ref.name));
        if (found) return found.id;
      }
      throw new FieldInputError("Specify a valid 'id' or 'name' for Priority");
    }
    case 'labels':
      return readLabels(raw);
    case 'assignee':
    case 'reporter':
      return userRef(store, raw);
    case 'duedate':
      if (raw === null || raw === '') return null;
      if (!isDate(raw)) throw new FieldInputError(`Error parsing date string: ${String(raw)}`);
      return raw;
    default:
      break;
  }
  const field = def.customField;
  if (!field) throw new FieldInputError(`Field '${def.id}' cannot be set. It is not on the appropriate screen, or unknown.`);
  if (raw === null) return null;
  switch (field.type) {
    case 'string':
    case 'url':
      if (typeof raw !== 'string') throw new FieldInputError(`Operation value must be a string`);
      if (field.type === 'string' && raw.length > 255) throw new FieldInputError(`${field.name}: The entered text is too long. It exceeds the allowed limit of 255 characters.`);
      return raw === '' ? null : raw;
    case 'textarea':
      if (!isAdfDoc(raw)) throw new FieldInputError(ADF_REQUIRED);
      return structuredClone(raw);
    case 'number':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new FieldInputError(`Operation value must be a number`);
      return raw;
    case 'date':
      if (!isDate(raw)) throw new FieldInputError(`Error parsing date string: ${String(raw)}`);
      return raw;
    case 'datetime': {
      const ms = typeof raw === 'string' ? Date.parse(raw.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : NaN;
      if (Number.isNaN(ms)) throw new FieldInputError(`Error parsing date string: ${String(raw)}`);
      return ms;
    }
    case 'option':
      return optionRef(field, raw);
    case 'array-option':
      if (!Array.isArray(raw)) throw new FieldInputError(`Operation value must be an array`);
      return [...new Set(raw.map((r) => optionRef(field, r)))];
    case 'array-string':
      return readLabels(raw);
    case 'user':
      return userRef(store, raw);
    case 'checkbox':
      if (!Array.isArray(raw)) throw new FieldInputError(`Operation value must be an array`);
      return [...new Set(raw.map((r) => optionRef(field, r)))];
    case 'cascading':
      return cascadingRef(field, raw);
    case 'array-user':
      if (!Array.isArray(raw)) throw new FieldInputError(`Operation value must be an array`);
      return [...new Set(raw.map((r) => userRef(store, r)).filter((id): id is string => id !== null))];
    case 'story-points':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new FieldInputError(`Operation value must be a number`);
      return raw;
    case 'sprint':
      return [sprintRef(store, raw)];
    case 'team': {
      if (typeof raw !== 'string' || !store.teams.has(raw)) throw new FieldInputError(`Team id '${typeof raw === 'string' ? raw : JSON.stringify(raw)}' is not valid`);
      return raw;
    }
  }
}

/**
 * The Sprint field is set by one sprint's id (a number); the issue moves to it from its open
 * sprint, and a closed sprint cannot take issues
 * (developer.atlassian.com/cloud/jira/software/rest/api-group-sprint/#api-rest-agile-1-0-sprint-sprintid-issue-post).
 */
function sprintRef(store: JiraStore, raw: unknown): number {
  const id = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;
  if (id === undefined) throw new FieldInputError('Number value expected as the Sprint id.');
  const sprint = store.sprints.get(id);
  if (!sprint) throw new FieldInputError(`Sprint with id ${id} does not exist.`);
  if (sprint.state === 'closed') throw new FieldInputError(`Issue can be assigned only active or future sprints.`);
  return id;
}

/** `{value, child: {value}}` or the same by id: the parent option and one of its children. */
function cascadingRef(field: CustomFieldRecord, raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FieldInputError(`Specify a valid 'id' or 'name' for ${field.name}`);
  const ref = raw as { id?: unknown; value?: unknown; child?: unknown };
  const parent = field.options.find((o) => (typeof ref.id === 'string' && o.id === ref.id) || (typeof ref.value === 'string' && o.value === ref.value));
  if (!parent) throw new FieldInputError(`Option value '${typeof ref.value === 'string' ? ref.value : String(ref.id)}' is not valid`);
  if (ref.child === undefined || ref.child === null) return [parent.id];
  const childRef = ref.child as { id?: unknown; value?: unknown };
  const child = parent.children?.find((c) => (typeof childRef.id === 'string' && c.id === childRef.id) || (typeof childRef.value === 'string' && c.value === childRef.value));
  if (!child) throw new FieldInputError(`Option value '${typeof childRef.value === 'string' ? childRef.value : String(childRef.id)}' is not valid for parent option '${parent.value}'`);
  return [parent.id, child.id];
}

/**
 * The parent must sit one level above the issue in the hierarchy (epic above standard types,
 * standard types above sub-tasks), and a sub-task's parent is in its own project; a sub-task
 * cannot be without one. Returns Jira's message, or undefined when the parent fits.
 */
export function checkParent(store: JiraStore, issue: { id?: string; issueTypeId: string; projectId: string }, parentId: string | null | undefined): string | undefined {
  const type = store.issueType(issue.issueTypeId);
  if (parentId === null || parentId === undefined) return type.subtask ? 'Sub-task issues must have a parent.' : undefined;
  const parent = store.issues.get(parentId);
  if (!parent) return 'Could not find issue by id or key.';
  if (parent.id === issue.id) return 'An issue cannot be its own parent.';
  if (store.issueType(parent.issueTypeId).hierarchyLevel !== type.hierarchyLevel + 1) return 'Given parent issue does not belong to appropriate hierarchy.';
  if (type.subtask && parent.projectId !== issue.projectId) return 'A sub-task and its parent must be in the same project.';
  return undefined;
}

function readLabels(raw: unknown): string[] {
  if (raw === null) return [];
  if (!Array.isArray(raw)) throw new FieldInputError('Operation value must be an array of strings');
  const labels = raw.map((label) => {
    if (typeof label !== 'string') throw new FieldInputError('Operation value must be an array of strings');
    if (/\s/.test(label)) throw new FieldInputError(`The label '${label}' contains spaces which is invalid.`);
    if (label.length > 255) throw new FieldInputError('The label is too long. It exceeds the allowed limit of 255 characters.');
    return label;
  });
  return [...new Set(labels)].sort();
}

/** Applies an `update` add/remove to a multi-value field's current stored value. */
export function applyListOperation(store: JiraStore, def: FieldDef, current: unknown, op: 'add' | 'remove', raw: unknown, project?: ProjectRecord): unknown {
  const list = Array.isArray(current) ? [...(current as string[])] : [];
  const kind = def.customField?.type;
  const sorted = def.id === 'labels' || kind === 'array-string';
  const item = sorted ? readLabels([raw])[0] : (readFieldInput(store, def, [raw], project) as string[])[0];
  if (item === undefined) return list;
  const next = op === 'add' ? (list.includes(item) ? list : [...list, item]) : list.filter((v) => v !== item);
  return sorted ? next.sort() : next;
}

export function storedValue(issue: IssueRecord, id: string): unknown {
  switch (id) {
    case 'summary':
      return issue.summary;
    case 'description':
      return issue.description;
    case 'priority':
      return issue.priorityId;
    case 'labels':
      return issue.labels;
    case 'assignee':
      return issue.assigneeId;
    case 'reporter':
      return issue.reporterId;
    case 'duedate':
      return issue.duedate;
    case 'parent':
      return issue.parentId;
    case 'fixVersions':
      return issue.fixVersionIds;
    case 'components':
      return issue.componentIds;
    case 'status':
      return issue.statusId;
    case 'resolution':
      return issue.resolutionId;
    default:
      return issue.custom.get(id) ?? null;
  }
}

export function storeValue(issue: IssueRecord, id: string, value: unknown): void {
  switch (id) {
    case 'summary':
      issue.summary = String(value);
      return;
    case 'description':
      issue.description = value as IssueRecord['description'];
      return;
    case 'priority':
      issue.priorityId = value as string | null;
      return;
    case 'labels':
      issue.labels = value as string[];
      return;
    case 'assignee':
      issue.assigneeId = value as string | null;
      return;
    case 'reporter':
      issue.reporterId = value as string | null;
      return;
    case 'duedate':
      issue.duedate = value as string | null;
      return;
    case 'parent':
      issue.parentId = value as string | null;
      return;
    case 'fixVersions':
      issue.fixVersionIds = value as string[];
      return;
    case 'components':
      issue.componentIds = value as string[];
      return;
    default:
      if (value === null || (Array.isArray(value) && value.length === 0)) issue.custom.delete(id);
      else issue.custom.set(id, value);
  }
}

// ---- changelog ---------------------------------------------------------------------------------

export type { ChangelogItem } from './model';

export function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => (v === undefined || (Array.isArray(v) && v.length === 0) ? null : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/** How a stored value reads in a changelog: `[from|to, fromString|toString]`. */
function changeStrings(store: JiraStore, id: string, value: unknown): [string | null, string | null] {
  if (value === null || value === undefined) return [null, null];
  switch (id) {
    case 'summary':
      return [null, String(value)];
    case 'description':
      return [null, adfToText(value)];
    case 'status':
      return [String(value), store.statuses.get(String(value))?.name ?? null];
    case 'issuetype':
      return [String(value), store.issueTypes.get(String(value))?.name ?? null];
    case 'priority':
      return [String(value), store.priorities.find((p) => p.id === value)?.name ?? null];
    case 'resolution':
      return [String(value), store.resolutions.find((r) => r.id === value)?.name ?? null];
    case 'assignee':
    case 'reporter':
      return [String(value), store.users.get(String(value))?.displayName ?? null];
    case 'labels':
      return [null, (value as string[]).join(' ')];
    case 'duedate':
      return [String(value), `${String(value)} 00:00:00.0`];
    case 'parent':
      return [String(value), store.issues.get(String(value))?.key ?? null];
    case 'fixVersions':
    case 'components': {
      const ids = value as string[];
      if (ids.length === 0) return [null, null];
      const all = [...store.projects.values()].flatMap((p) => (id === 'fixVersions' ? p.versions : p.components));
      return [ids.join(', '), ids.map((v) => all.find((x) => x.id === v)?.name ?? v).join(', ')];
    }
    default:
      break;
  }
  const field = store.customFields.get(id);
  if (!field) return [null, JSON.stringify(value)];
  switch (field.type) {
    case 'textarea':
      return [null, adfToText(value)];
    case 'number':
    case 'string':
    case 'url':
      return [null, String(value)];
    case 'date':
      return [String(value), String(value)];
    case 'datetime':
      return [null, jiraDate(Number(value))];
    case 'option':
      return [String(value), field.options.find((o) => o.id === value)?.value ?? null];
    case 'array-option': {
      const ids = value as string[];
      return [ids.join(', '), ids.map((id) => field.options.find((o) => o.id === id)?.value ?? id).join(', ')];
    }
    case 'array-string':
      return [null, (value as string[]).join(', ')];
    case 'user':
    case 'team':
      return [String(value), field.type === 'team' ? (store.teams.get(String(value))?.name ?? null) : (store.users.get(String(value))?.displayName ?? null)];
    case 'checkbox': {
      const ids = value as string[];
      return [ids.join(', '), ids.map((o) => field.options.find((x) => x.id === o)?.value ?? o).join(', ')];
    }
    case 'cascading': {
      const [p, c] = value as string[];
      const parent = field.options.find((o) => o.id === p);
      const child = parent?.children?.find((o) => o.id === c);
      return [(value as string[]).join(','), [parent?.value, child?.value].filter((v) => v !== undefined).join(' - ')];
    }
    case 'array-user':
      return [(value as string[]).join(', '), (value as string[]).map((u) => store.users.get(u)?.displayName ?? u).join(', ')];
    case 'sprint':
      return [(value as number[]).join(','), (value as number[]).map((sid) => store.sprints.get(Number(sid))?.name ?? String(sid)).join(',')];
    case 'story-points':
      return [null, String(value)];
  }
}

export function changelogItem(store: JiraStore, id: string, before: unknown, after: unknown): ChangelogItem {
  const field = store.customFields.get(id);
  const [from, fromString] = changeStrings(store, id, before);
  const [to, toString] = changeStrings(store, id, after);
  // Jira names a parent change IssueParentAssociation in changelogs.
  const name = field ? field.name : id === 'parent' ? 'IssueParentAssociation' : id === 'fixVersions' ? 'Fix Version' : id === 'components' ? 'Component' : id;
  return { field: name, fieldtype: field ? 'custom' : 'jira', fieldId: id, from, fromString, to, toString };
}

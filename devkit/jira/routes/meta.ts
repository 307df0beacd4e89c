// Site configuration: priorities, statuses, projects, issue types, fields, resolutions, createmeta.
import type { Route, RouteContext } from '../context';
import { fieldCatalog, fieldDetailsJson, type FieldDef } from '../fields';
import { badRequest, intParam, json, notFound } from '../http';
import { DEFAULT_PRIORITY_ID, type ProjectRecord, type StatusCategoryKey } from '../model';
import type { JiraStore } from '../store';

function page<T>(ctx: RouteContext, items: T[], defaultMax: number): { startAt: number; maxResults: number; total: number; isLast: boolean; slice: T[] } {
  const startAt = intParam(ctx.query, 'startAt', 0);
  const maxResults = Math.max(1, Math.min(intParam(ctx.query, 'maxResults', defaultMax), defaultMax));
  const slice = items.slice(startAt, startAt + maxResults);
  return { startAt, maxResults, total: items.length, isLast: startAt + slice.length >= items.length, slice };
}

function requireProject(store: JiraStore, idOrKey: string): ProjectRecord {
  const project = store.findProject(idOrKey);
  if (!project) throw notFound(`No project could be found with key '${idOrKey}'.`);
  return project;
}

function priorityFull(store: JiraStore, id: string): Record<string, unknown> {
  const priority = store.priorities.find((p) => p.id === id);
  return { ...store.priorityJson(id), statusColor: priority?.statusColor, description: priority?.description, isDefault: id === DEFAULT_PRIORITY_ID };
}

function listPriorities(ctx: RouteContext) {
  return json(200, ctx.store.priorities.map((p) => priorityFull(ctx.store, p.id)));
}

function searchPriorities(ctx: RouteContext) {
  const ids = ctx.query.getAll('id');
  const name = ctx.query.get('priorityName')?.toLowerCase();
  const matching = ctx.store.priorities.filter((p) => (ids.length === 0 || ids.includes(p.id)) && (name === undefined || p.name.toLowerCase().includes(name)));
  const p = page(ctx, matching, 50);
  return json(200, {
    self: `${ctx.store.baseUrl}/rest/api/3/priority/search?maxResults=${p.maxResults}&startAt=${p.startAt}`,
    maxResults: p.maxResults,
    startAt: p.startAt,
    total: p.total,
    isLast: p.isLast,
    values: p.slice.map((priority) => priorityFull(ctx.store, priority.id)),
  });
}

function listStatuses(ctx: RouteContext) {
  return json(200, [...ctx.store.statuses.keys()].map((id) => ctx.store.statusJson(id)));
}

const CATEGORY_NAMES: Record<StatusCategoryKey, 'TODO' | 'IN_PROGRESS' | 'DONE'> = { new: 'TODO', indeterminate: 'IN_PROGRESS', done: 'DONE' };

function searchStatuses(ctx: RouteContext) {
  const projectId = ctx.query.get('projectId');
  const project = projectId === null ? undefined : requireProject(ctx.store, projectId);
  const text = ctx.query.get('searchString')?.toLowerCase();
  const category = ctx.query.get('statusCategory');
  const matching = [...ctx.store.statuses.values()].filter(
    (s) =>
      (!project || project.statusIds.includes(s.id)) &&
      (text === undefined || s.name.toLowerCase().includes(text)) &&
      (category === null || CATEGORY_NAMES[s.category] === category),
  );
  const p = page(ctx, matching, 200);
  return json(200, {
    self: `${ctx.store.baseUrl}/rest/api/3/statuses/search?startAt=${p.startAt}&maxResults=${p.maxResults}`,
    maxResults: p.maxResults,
    startAt: p.startAt,
    total: p.total,
    isLast: p.isLast,
    values: p.slice.map((s) => ({ id: s.id, name: s.name, statusCategory: CATEGORY_NAMES[s.category], scope: { type: 'GLOBAL' }, description: '' })),
  });
}

function projectStatuses(ctx: RouteContext) {
  const project = requireProject(ctx.store, ctx.params.projectIdOrKey ?? '');
  return json(
    200,
    project.issueTypeIds.map((id) => {
      const type = ctx.store.issueType(id);
      return {
        self: `${ctx.store.baseUrl}/rest/api/3/issueType/${type.id}`,
        id: type.id,
        name: type.name,
        subtask: type.subtask,
        statuses: project.statusIds.map((s) => ctx.store.statusJson(s)),
      };
    }),
  );
}

function searchProjects(ctx: RouteContext) {
  const keys = ctx.query.getAll('keys').flatMap((k) => k.split(','));
  const ids = ctx.query.getAll('id');
  const query = ctx.query.get('query')?.toLowerCase();
  const matching = [...ctx.store.projects.values()]
    .filter(
      (p) =>
        (keys.length === 0 || keys.includes(p.key)) &&
        (ids.length === 0 || ids.includes(p.id)) &&
        (query === undefined || p.key.toLowerCase().includes(query) || p.name.toLowerCase().includes(query)),
    )
    .sort((a, b) => a.key.localeCompare(b.key));
  const p = page(ctx, matching, 50);
  const expand = (ctx.query.get('expand') ?? '').split(',');
  return json(200, {
    self: `${ctx.store.baseUrl}/rest/api/3/project/search?maxResults=${p.maxResults}&startAt=${p.startAt}`,
    ...(p.isLast ? {} : { nextPage: `${ctx.store.baseUrl}/rest/api/3/project/search?maxResults=${p.maxResults}&startAt=${p.startAt + p.maxResults}` }),
    maxResults: p.maxResults,
    startAt: p.startAt,
    total: p.total,
    isLast: p.isLast,
    values: p.slice.map((project) => {
      const base = ctx.store.projectJson(project);
      const lead = expand.includes('lead') ? ctx.store.userJsonById(project.leadId) : null;
      return {
        ...base,
        ...(expand.includes('issueTypes') ? { issueTypes: project.issueTypeIds.map((id) => ctx.store.issueTypeJson(id)) } : {}),
        ...(lead ? { lead } : {}),
      };
    }),
  });
}

function getProject(ctx: RouteContext) {
  return json(200, ctx.store.projectJson(requireProject(ctx.store, ctx.params.projectIdOrKey ?? ''), true));
}

function projectIssueTypes(ctx: RouteContext) {
  const projectId = ctx.query.get('projectId');
  if (projectId === null || projectId === '') throw badRequest(['The projectId query parameter is required.']);
  const project = ctx.store.projects.get(projectId);
  if (!project) throw notFound(`No project could be found with id '${projectId}'.`);
  return json(200, project.issueTypeIds.map((id) => ctx.store.issueTypeJson(id)));
}

function listFields(ctx: RouteContext) {
  return json(200, fieldCatalog(ctx.store).map(fieldDetailsJson));
}

function listResolutions(ctx: RouteContext) {
  return json(200, ctx.store.resolutions.map((r) => ctx.store.resolutionJson(r.id)));
}

function createMetaTypes(ctx: RouteContext) {
  const project = requireProject(ctx.store, ctx.params.projectIdOrKey ?? '');
  const p = page(ctx, project.issueTypeIds, 50);
  return json(200, {
    maxResults: p.maxResults,
    startAt: p.startAt,
    total: p.total,
    issueTypes: p.slice.map((id) => ctx.store.issueTypeJson(id)),
  });
}

/** What the create screen offers for one issue type, as createmeta describes it. */
export function createMetaFields(store: JiraStore, project: ProjectRecord, issueTypeId: string): Array<Record<string, unknown>> {
  const entry = (def: FieldDef, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    required: false,
    schema: def.schema,
    name: def.name,
    key: def.id,
    fieldId: def.id,
    hasDefaultValue: false,
    operations: def.operations,
    ...extra,
  });
  const out: Array<Record<string, unknown>> = [];
  for (const def of fieldCatalog(store)) {
    switch (def.id) {
      case 'summary':
        out.push(entry(def, { required: true }));
        break;
      case 'issuetype':
        out.push(entry(def, { required: true, allowedValues: [store.issueTypeJson(issueTypeId)] }));
        break;
      case 'project':
        out.push(entry(def, { required: true, allowedValues: [store.projectJson(project)] }));
        break;
      case 'priority':
        out.push(entry(def, { allowedValues: store.priorities.map((p) => store.priorityJson(p.id)), hasDefaultValue: true, defaultValue: store.priorityJson(DEFAULT_PRIORITY_ID) }));
        break;
      case 'labels':
        out.push(entry(def, { autoCompleteUrl: `${store.baseUrl}/rest/api/1.0/labels/suggest?query=` }));
        break;
      case 'assignee':
      case 'reporter':
        out.push(entry(def, { autoCompleteUrl: `${store.baseUrl}/rest/api/3/user/search?query=`, hasDefaultValue: def.id === 'reporter' }));
        break;
      case 'description':
      case 'duedate':
        out.push(entry(def));
        break;
      case 'parent': {
        // Offered when a type one level up exists on the site (an epic above a story, a story above a sub-task).
        const level = store.issueType(issueTypeId).hierarchyLevel;
        if ([...store.issueTypes.values()].some((t) => t.hierarchyLevel === level + 1)) out.push(entry(def, { required: store.issueType(issueTypeId).subtask }));
        break;
      }
      case 'fixVersions':
        out.push(entry(def, { allowedValues: project.versions.filter((v) => !v.archived).map((v) => store.versionJson(project, v)) }));
        break;
      case 'components':
        out.push(entry(def, { allowedValues: project.components.map((c) => store.componentJson(c)) }));
        break;
      default: {
        const field = def.customField;
        if (!field) break;
        const options = field.options.map((o) => ({
          ...store.optionJson(field, o.id),
          ...(o.children ? { children: o.children.map((c) => ({ self: `${store.baseUrl}/rest/api/3/customFieldOption/${c.id}`, value: c.value, id: c.id })) } : {}),
        }));
        const withOptions = field.type === 'option' || field.type === 'array-option' || field.type === 'checkbox' || field.type === 'cascading';
        out.push(entry(def, { required: field.required, ...(withOptions ? { allowedValues: options } : {}) }));
      }
    }
  }
  return out;
}

/**
 * Get edit issue metadata: the fields the edit screen offers the issue, keyed by id, with what
 * each accepts (schema, operations, allowed values); project and issue type are not edited here.
 * developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-editmeta-get
 */
function editMeta(ctx: RouteContext) {
  const { store } = ctx;
  const issue = store.requireIssue(ctx.params.issueIdOrKey ?? '');
  const fields = createMetaFields(store, store.projectOf(issue), issue.issueTypeId).filter((f) => f.fieldId !== 'project' && f.fieldId !== 'issuetype');
  return json(200, { fields: Object.fromEntries(fields.map(({ fieldId, hasDefaultValue: _d, defaultValue: _v, ...rest }) => [String(fieldId), rest])) });
}

function createMetaFieldsRoute(ctx: RouteContext) {
  const project = requireProject(ctx.store, ctx.params.projectIdOrKey ?? '');
  const issueTypeId = ctx.params.issueTypeId ?? '';
  if (!project.issueTypeIds.includes(issueTypeId)) throw badRequest([`The issue type with id '${issueTypeId}' does not exist or is not valid for this project.`]);
  const p = page(ctx, createMetaFields(ctx.store, project, issueTypeId), 50);
  return json(200, { maxResults: p.maxResults, startAt: p.startAt, total: p.total, fields: p.slice });
}

/**
 * Get all issue types for user: every issue type of the projects the caller can browse (all of
 * them here, as every user browses every project).
 * developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-types/#api-rest-api-3-issuetype-get
 */
function listIssueTypes(ctx: RouteContext) {
  const used = new Set([...ctx.store.projects.values()].flatMap((p) => p.issueTypeIds));
  return json(200, [...ctx.store.issueTypes.keys()].filter((id) => used.has(id)).map((id) => ctx.store.issueTypeJson(id)));
}

/**
 * Get create issue metadata (deprecated in favour of the two createmeta/{project}/issuetypes
 * operations, CHANGE-1304, but still in Atlassian's description): projects filtered by
 * projectIds/projectKeys, their issue types filtered by issuetypeIds/issuetypeNames, and with
 * `expand=projects.issuetypes.fields` each type's create screen. Unknown projects or types are
 * left out, never an error.
 * developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-createmeta-get
 */
function legacyCreateMeta(ctx: RouteContext) {
  const { store } = ctx;
  const many = (name: string): string[] => ctx.query.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  const projectIds = many('projectIds');
  const projectKeys = many('projectKeys');
  const typeIds = many('issuetypeIds');
  const typeNames = many('issuetypeNames');
  const withFields = (ctx.query.get('expand') ?? '').split(',').map((e) => e.trim()).includes('projects.issuetypes.fields');
  const projects = [...store.projects.values()].filter(
    (p) => (projectIds.length === 0 && projectKeys.length === 0) || projectIds.includes(p.id) || projectKeys.includes(p.key),
  );
  return json(200, {
    expand: 'projects',
    projects: projects.map((project) => {
      const { self, id, key, name, avatarUrls } = store.projectJson(project);
      const types = project.issueTypeIds.filter(
        (typeId) => (typeIds.length === 0 && typeNames.length === 0) || typeIds.includes(typeId) || typeNames.includes(store.issueType(typeId).name),
      );
      return {
        expand: 'issuetypes',
        self,
        id,
        key,
        name,
        avatarUrls,
        issuetypes: types.map((typeId) => ({
          ...store.issueTypeJson(typeId),
          expand: 'fields',
          ...(withFields
            ? {
                fields: Object.fromEntries(
                  createMetaFields(store, project, typeId).map(({ fieldId, ...rest }) => [String(fieldId), rest]),
                ),
              }
            : {}),
        })),
      };
    }),
  });
}

export const metaRoutes: Route[] = [
  { method: 'GET', path: '/priority', handler: listPriorities },
  { method: 'GET', path: '/priority/search', handler: searchPriorities },
  { method: 'GET', path: '/status', handler: listStatuses },
  { method: 'GET', path: '/statuses/search', handler: searchStatuses },
  { method: 'GET', path: '/project/search', handler: searchProjects },
  { method: 'GET', path: '/project/{projectIdOrKey}', handler: getProject },
  { method: 'GET', path: '/project/{projectIdOrKey}/statuses', handler: projectStatuses },
  { method: 'GET', path: '/issuetype', handler: listIssueTypes },
  { method: 'GET', path: '/issuetype/project', handler: projectIssueTypes },
  { method: 'GET', path: '/field', handler: listFields },
  { method: 'GET', path: '/resolution', handler: listResolutions },
  { method: 'GET', path: '/issue/createmeta', handler: legacyCreateMeta },
  { method: 'GET', path: '/issue/createmeta/{projectIdOrKey}/issuetypes', handler: createMetaTypes },
  { method: 'GET', path: '/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}', handler: createMetaFieldsRoute },
  { method: 'GET', path: '/issue/{issueIdOrKey}/editmeta', handler: editMeta },
];

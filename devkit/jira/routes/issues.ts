// Issues: get, create, edit, delete, and workflow transitions.
import { z } from 'zod';
import type { Route, RouteContext } from '../context';
import {
  applyListOperation,
  changelogItem,
  checkParent,
  fieldDef,
  FieldInputError,
  readFieldInput,
  sameValue,
  selectFields,
  storedValue,
  storeValue,
  type ChangelogItem,
} from '../fields';
import { badRequest, fieldErrors, json, listParam, noContent, parseBody } from '../http';
import { DEFAULT_PRIORITY_ID, type IssueRecord, type ProjectRecord } from '../model';
import { emitUpdate, issueEventPayload } from '../events';
import { issueJson, transitionJson } from '../render';
import type { JiraStore } from '../store';
import { addComment, commentBodySchema } from './comments';
import { checkPropertyValue } from './properties';

const updateOps = z.record(z.string(), z.array(z.record(z.string(), z.unknown())));
// What the writer says of a change (HistoryMetadata in the API description: strings, participants,
// string-valued extraData), kept with the changelog entry the edit or transition writes and listed
// with it (Changelog.historyMetadata). The contract check holds the request to that schema.
const historyMetadataSchema = z.record(z.string(), z.unknown());
const issueBodySchema = z.looseObject({
  fields: z.record(z.string(), z.unknown()).optional(),
  update: updateOps.optional(),
  properties: z.array(z.object({ key: z.string(), value: z.unknown() })).optional(),
  historyMetadata: historyMetadataSchema.optional(),
});
const transitionBodySchema = z.looseObject({
  transition: z.looseObject({ id: z.union([z.string(), z.number()]).optional() }).optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
  update: updateOps.optional(),
  historyMetadata: historyMetadataSchema.optional(),
});

const cannotSet = (id: string): string => `Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`;

/** The ids in `fields` plus the ops in `update`, read into stored values; every problem is reported at once. */
function readChanges(
  store: JiraStore,
  issue: IssueRecord | undefined,
  fields: Record<string, unknown>,
  update: Record<string, Array<Record<string, unknown>>>,
  errors: Record<string, string>,
  project: ProjectRecord | undefined,
): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const [id, raw] of Object.entries(fields)) {
    const def = fieldDef(store, id);
    if (!def || !def.editable) {
      errors[id] = cannotSet(id);
      continue;
    }
    try {
      values.set(id, readFieldInput(store, def, raw, project));
    } catch (error) {
      if (!(error instanceof FieldInputError)) throw error;
      errors[id] = error.message;
    }
  }
  for (const [id, ops] of Object.entries(update)) {
    const def = fieldDef(store, id);
    if (!def || !def.editable) {
      errors[id] = cannotSet(id);
      continue;
    }
    if (values.has(id) && id in fields) {
      errors[id] = `Field '${id}' cannot be set in both 'fields' and 'update'.`;
      continue;
    }
    let current: unknown = issue ? storedValue(issue, id) : null;
    try {
      for (const op of ops) {
        for (const [name, raw] of Object.entries(op)) {
          if (!def.operations.includes(name)) throw new FieldInputError(`Field '${id}' does not support operation '${name}'. Supported operation(s) are: '${def.operations.join(',')}'`);
          current = name === 'set' ? readFieldInput(store, def, raw, project) : applyListOperation(store, def, current, name as 'add' | 'remove', raw, project);
        }
      }
      values.set(id, current);
    } catch (error) {
      if (!(error instanceof FieldInputError)) throw error;
      errors[id] = error.message;
    }
  }
  return values;
}

function getIssue(ctx: RouteContext) {
  // "If the identifier doesn't match an issue, a case-insensitive search and check for moved issues is performed."
  const issue = ctx.store.findIssue(ctx.params.issueIdOrKey ?? '', { moved: true }) ?? ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  const fields = selectFields(ctx.store, listParam(ctx.query, 'fields'), 'all');
  const expand = new Set(listParam(ctx.query, 'expand') ?? []);
  const wanted = listParam(ctx.query, 'properties');
  const rendered = issueJson(ctx.store, issue, fields, expand);
  return json(200, wanted === undefined ? rendered : { ...rendered, properties: selectProperties(issue.properties, wanted) });
}

/**
 * The issue properties `properties` names: keys, `*all`, and keys after a minus left out (GET issue,
 * Jira REST v3's OpenAPI description of the parameter). Values as stored.
 */
function selectProperties(stored: ReadonlyMap<string, unknown>, wanted: readonly string[]): Record<string, unknown> {
  const all = wanted.includes('*all');
  const excluded = new Set(wanted.filter((w) => w.startsWith('-')).map((w) => w.slice(1)));
  const named = new Set(wanted.filter((w) => w !== '*all' && !w.startsWith('-')));
  const selected: Record<string, unknown> = {};
  for (const [key, value] of stored) {
    if ((all || named.has(key)) && !excluded.has(key)) selected[key] = structuredClone(value);
  }
  return selected;
}

function refOf(raw: unknown): { id?: string; key?: string; name?: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const r = raw as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
  const out: { id?: string; key?: string; name?: string } = {};
  const id = str(r.id);
  const key = str(r.key);
  const name = str(r.name);
  if (id !== undefined) out.id = id;
  if (key !== undefined) out.key = key;
  if (name !== undefined) out.name = name;
  return out;
}

function createIssue(ctx: RouteContext) {
  const { store, caller } = ctx;
  const body = parseBody(ctx.body, issueBodySchema);
  const { project: rawProject, issuetype: rawType, ...rest } = body.fields ?? {};
  const errors: Record<string, string> = {};

  const projectRef = refOf(rawProject);
  const projectIdOrKey = projectRef.id ?? projectRef.key;
  const project = projectIdOrKey === undefined ? undefined : store.findProject(projectIdOrKey);
  if (!project) errors.project = 'Specify a valid project ID or key';

  const typeRef = refOf(rawType);
  let issueTypeId: string | undefined;
  if (typeRef.id === undefined && typeRef.name === undefined) errors.issuetype = 'Specify an issue type';
  else if (project) {
    issueTypeId = project.issueTypeIds.find((id) => id === typeRef.id || store.issueType(id).name === typeRef.name);
    if (issueTypeId === undefined) errors.issuetype = 'Specify a valid issue type';
  }

  const values = readChanges(store, undefined, rest, body.update ?? {}, errors, project);
  if (project && issueTypeId !== undefined && errors.parent === undefined) {
    const problem = checkParent(store, { issueTypeId, projectId: project.id }, values.get('parent') as string | null | undefined);
    if (problem) errors.parent = problem;
  }
  if (!values.has('summary') && errors.summary === undefined) errors.summary = 'You must specify a summary of the issue.';
  for (const field of store.customFields.values()) {
    if (field.required && errors[field.id] === undefined && sameValue(values.get(field.id) ?? null, null)) errors[field.id] = `${field.name} is required.`;
  }
  for (const property of body.properties ?? []) {
    const problem = checkPropertyValue(property.key, property.value);
    if (problem) errors.properties = problem;
  }
  if (Object.keys(errors).length > 0 || !project || issueTypeId === undefined) throw fieldErrors(errors);

  const now = store.now();
  const id = String(store.next('issue'));
  const issue: IssueRecord = {
    id,
    key: `${project.key}-${project.nextNumber}`,
    projectId: project.id,
    issueTypeId,
    summary: '',
    description: null,
    statusId: project.initialStatusId,
    statusCategoryChanged: now,
    priorityId: DEFAULT_PRIORITY_ID,
    labels: [],
    assigneeId: null,
    reporterId: caller.accountId,
    creatorId: caller.accountId,
    created: now,
    updated: now,
    resolutionId: null,
    resolutionDate: null,
    duedate: null,
    parentId: null,
    fixVersionIds: [],
    componentIds: [],
    custom: new Map(),
    comments: [],
    remoteLinks: [],
    properties: new Map((body.properties ?? []).map((p) => [p.key, structuredClone(p.value)])),
    changelog: [],
    writes: [],
  };
  for (const [fieldId, value] of values) storeValue(issue, fieldId, value);
  if (issue.priorityId === null) issue.priorityId = DEFAULT_PRIORITY_ID;
  project.nextNumber += 1;
  store.issues.set(id, issue);
  ctx.emit('avi:jira:created:issue', issueEventPayload(ctx, 'avi:jira:created:issue', issue));
  return json(201, { id, key: issue.key, self: `${store.baseUrl}/rest/api/3/issue/${id}` });
}

/**
 * A new issue type for an edit: one of the project's types, and of the same kind (standard or
 * sub-task), since all of a project's types share its workflow here and need no migration.
 */
function readIssueType(store: JiraStore, issue: IssueRecord, raw: unknown, errors: Record<string, string>): string | undefined {
  const ref = refOf(raw);
  const current = store.issueType(issue.issueTypeId);
  const found = store.projectOf(issue).issueTypeIds.find((id) => id === ref.id || (ref.id === undefined && store.issueType(id).name === ref.name));
  if (found === undefined || store.issueType(found).subtask !== current.subtask) {
    errors.issuetype = 'The issue type selected is invalid.';
    return undefined;
  }
  return found;
}

function editIssue(ctx: RouteContext) {
  const { store } = ctx;
  const issue = store.requireIssue(ctx.params.issueIdOrKey ?? '');
  ctx.noteWrite(issue);
  const body = parseBody(ctx.body, issueBodySchema);
  const errors: Record<string, string> = {};
  // The issue type is changed through `fields` only; Jira keeps it out of the edit screen's other fields.
  const { issuetype: rawType, ...fields } = body.fields ?? {};
  const issueTypeId = rawType === undefined ? undefined : readIssueType(store, issue, rawType, errors);
  const values = readChanges(store, issue, fields, body.update ?? {}, errors, store.projectOf(issue));
  if ((values.has('parent') || issueTypeId !== undefined) && errors.parent === undefined) {
    const problem = checkParent(store, { id: issue.id, issueTypeId: issueTypeId ?? issue.issueTypeId, projectId: issue.projectId }, values.has('parent') ? (values.get('parent') as string | null) : issue.parentId);
    if (problem) errors.parent = problem;
  }
  for (const property of body.properties ?? []) {
    const problem = checkPropertyValue(property.key, property.value);
    if (problem) errors.properties = problem;
  }
  for (const [id, value] of values) {
    const field = store.customFields.get(id);
    if (field?.required && sameValue(value, null)) errors[id] = `${field.name} is required.`;
  }
  if (values.has('priority') && values.get('priority') === null) errors.priority = "Specify a valid 'id' or 'name' for Priority";
  if (Object.keys(errors).length > 0) throw fieldErrors(errors);

  const items: ChangelogItem[] = [];
  if (issueTypeId !== undefined && issueTypeId !== issue.issueTypeId) {
    items.push(changelogItem(store, 'issuetype', issue.issueTypeId, issueTypeId));
    issue.issueTypeId = issueTypeId;
  }
  for (const [id, value] of values) {
    const before = storedValue(issue, id);
    if (sameValue(before, value)) continue;
    items.push(changelogItem(store, id, before, value));
    storeValue(issue, id, value);
  }
  for (const property of body.properties ?? []) issue.properties.set(property.key, structuredClone(property.value));
  if ((body.properties ?? []).length > 0) store.searchIndex.wrote(issue.id, store.now());
  if (items.length > 0) {
    issue.updated = store.now();
    emitUpdate(ctx, issue, items, body.historyMetadata);
  }
  if (ctx.query.get('returnIssue') === 'true') {
    return json(200, issueJson(store, issue, selectFields(store, undefined, 'all'), new Set(listParam(ctx.query, 'expand') ?? [])));
  }
  return noContent();
}

function deleteIssue(ctx: RouteContext) {
  const issue = ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  ctx.noteWrite(issue);
  const payload = issueEventPayload(ctx, 'avi:jira:deleted:issue', issue);
  ctx.store.issues.delete(issue.id);
  ctx.emit('avi:jira:deleted:issue', payload);
  return noContent();
}

function getTransitions(ctx: RouteContext) {
  const issue = ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  const withFields = (listParam(ctx.query, 'expand') ?? []).includes('transitions.fields');
  const only = ctx.query.get('transitionId');
  const transitions = ctx.store.availableTransitions(issue).filter((t) => only === null || t.id === only);
  return json(200, { expand: 'transitions', transitions: transitions.map((t) => transitionJson(ctx.store, t, withFields)) });
}

function doTransition(ctx: RouteContext) {
  const { store } = ctx;
  const issue = store.requireIssue(ctx.params.issueIdOrKey ?? '');
  ctx.noteWrite(issue);
  const body = parseBody(ctx.body, transitionBodySchema);
  const transitionId = body.transition?.id;
  if (transitionId === undefined) throw badRequest(["Missing 'transition' identifier"]);
  const transition = store.availableTransitions(issue).find((t) => t.id === String(transitionId));
  if (!transition) throw badRequest([`Transition id '${String(transitionId)}' is not valid for this issue.`]);

  const errors: Record<string, string> = {};
  let resolutionId: string | null | undefined;
  for (const [id, raw] of Object.entries(body.fields ?? {})) {
    if (id !== 'resolution' || !transition.requiresResolution) {
      errors[id] = cannotSet(id);
      continue;
    }
    const ref = refOf(raw);
    const found = store.resolutions.find((r) => r.id === ref.id || r.name === ref.name);
    if (found) resolutionId = found.id;
    else errors.resolution = "Specify a valid 'id' or 'name' for Resolution";
  }
  let comment: z.infer<typeof commentBodySchema> | undefined;
  for (const [id, ops] of Object.entries(body.update ?? {})) {
    const add = id === 'comment' && ops.length === 1 ? ops[0]?.add : undefined;
    const parsed = add === undefined ? undefined : commentBodySchema.safeParse(add);
    if (parsed?.success) comment = parsed.data;
    else errors[id] = id === 'comment' ? 'Comment body must be an Atlassian Document' : cannotSet(id);
  }
  if (transition.requiresResolution && resolutionId === undefined && errors.resolution === undefined) errors.resolution = 'Resolution is required.';
  if (Object.keys(errors).length > 0) throw fieldErrors(errors);

  const now = store.now();
  const target = store.status(transition.to);
  const before = { status: issue.statusId, resolution: issue.resolutionId, category: store.status(issue.statusId).category };
  if (target.category !== 'done') resolutionId = null;
  issue.statusId = target.id;
  if (target.category !== before.category) issue.statusCategoryChanged = now;
  const items: ChangelogItem[] = [];
  if (resolutionId !== undefined && resolutionId !== before.resolution) {
    items.push(changelogItem(store, 'resolution', before.resolution, resolutionId));
    issue.resolutionId = resolutionId;
    issue.resolutionDate = resolutionId === null ? null : now;
  }
  items.push(changelogItem(store, 'status', before.status, target.id));
  issue.updated = now;
  emitUpdate(ctx, issue, items, body.historyMetadata);
  if (comment) addComment(ctx, issue, comment);
  return noContent();
}

/**
 * Assign issue: `accountId` names the user, null unassigns, "-1" gives the project's default
 * assignee (unassigned here, as a project's `assigneeType` is UNASSIGNED); 204 on success.
 * developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-assignee-put
 */
const assigneeBodySchema = z.looseObject({ accountId: z.string().nullable().optional() });

function assignIssue(ctx: RouteContext) {
  const { store } = ctx;
  const issue = store.requireIssue(ctx.params.issueIdOrKey ?? '');
  ctx.noteWrite(issue);
  const body = parseBody(ctx.body, assigneeBodySchema);
  if (body.accountId === undefined) throw badRequest(['accountId must be provided.']);
  const def = fieldDef(store, 'assignee');
  if (!def) throw new Error('The assignee field is missing from the catalog');
  let assigneeId: string | null;
  try {
    assigneeId = body.accountId === null ? null : (readFieldInput(store, def, { accountId: body.accountId }) as string | null);
  } catch (error) {
    if (!(error instanceof FieldInputError)) throw error;
    throw fieldErrors({ assignee: error.message });
  }
  if (assigneeId !== issue.assigneeId) {
    const items = [changelogItem(store, 'assignee', issue.assigneeId, assigneeId)];
    issue.assigneeId = assigneeId;
    issue.updated = store.now();
    emitUpdate(ctx, issue, items);
  }
  return noContent();
}

export const issueRoutes: Route[] = [
  { method: 'POST', path: '/issue', handler: createIssue },
  { method: 'GET', path: '/issue/{issueIdOrKey}', handler: getIssue },
  { method: 'PUT', path: '/issue/{issueIdOrKey}', handler: editIssue },
  { method: 'DELETE', path: '/issue/{issueIdOrKey}', handler: deleteIssue },
  { method: 'PUT', path: '/issue/{issueIdOrKey}/assignee', handler: assignIssue },
  { method: 'GET', path: '/issue/{issueIdOrKey}/transitions', handler: getTransitions },
  { method: 'POST', path: '/issue/{issueIdOrKey}/transitions', handler: doTransition },
];

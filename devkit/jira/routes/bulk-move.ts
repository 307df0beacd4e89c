// Moving issues to another project or issue type, as Jira Cloud's bulk move does:
// - POST /bulk/issues/move: `targetToSourcesMapping` keyed `<project ID or key>,<issueType ID>[,<parent>]`,
//   at most 1,000 issues; a moved issue takes the next key of its new project, its status where the
//   target workflow has it, else the `targetStatus` mapping, else (inferStatusDefaults) the
//   project's initial status; 201 with a task id
//   developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-bulk-operations/#api-rest-api-3-bulk-issues-move-post
// - GET /bulk/queue/{taskId}: the task's progress
//   developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-bulk-operations/#api-rest-api-3-bulk-queue-taskid-get
// - the old key still finds the issue: Get issue and Bulk fetch issues "check for moved issues" when
//   an identifier matches no issue (store.findIssue with `moved`)
//   developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-get
// Where it departs from Jira on purpose: the task runs to the end before the answer (Jira runs it in
// the background, so a client must read the queue until COMPLETE, as the tests do); Move issues and
// Global bulk change permissions are not modelled, as no other write here checks permissions.
import { z } from 'zod';
import type { Route, RouteContext } from '../context';
import { emitUpdate } from '../events';
import { changelogItem } from '../fields';
import { JiraError, json, parseBody } from '../http';
import type { ChangelogItem, IssueRecord } from '../model';

const MAX_ISSUES = 1000;

const mappingSchema = z.looseObject({
  issueIdsOrKeys: z.array(z.string()).optional(),
  inferStatusDefaults: z.boolean().optional(),
  inferFieldDefaults: z.boolean().optional(),
  inferClassificationDefaults: z.boolean().optional(),
  inferSubtaskTypeDefault: z.boolean().optional(),
  targetStatus: z.array(z.looseObject({ statuses: z.record(z.string(), z.array(z.string())) })).optional(),
  targetMandatoryFields: z.array(z.unknown()).optional(),
  targetClassification: z.array(z.unknown()).optional(),
});
const moveSchema = z.looseObject({
  sendBulkNotification: z.boolean().nullable().optional(),
  targetToSourcesMapping: z.record(z.string(), mappingSchema),
});

/** The bulk operations answer refusals as `{errors: [{message}]}` (BulkOperationErrorResponse), not Jira's usual shape. */
class BulkRefusal extends Error {}
const invalid = (message: string) => new BulkRefusal(message);
const refusal = (message: string) => json(400, { errors: [{ message }] });

function moveIssues(ctx: RouteContext) {
  try {
    return planAndMove(ctx);
  } catch (error) {
    if (error instanceof BulkRefusal) return refusal(error.message);
    if (error instanceof JiraError && error.status === 400) return refusal(error.message);
    throw error;
  }
}

function planAndMove(ctx: RouteContext) {
  const { store } = ctx;
  const body = parseBody(ctx.body, moveSchema);
  const planned: Array<{ issue: IssueRecord; projectId: string; issueTypeId: string; statusId: string }> = [];
  for (const [target, mapping] of Object.entries(body.targetToSourcesMapping)) {
    const [projectRef = '', issueTypeId = '', parent] = target.split(',').map((part) => part.trim());
    const project = store.findProject(projectRef);
    if (!project) throw invalid(`The project ${projectRef} in the target mapping ${target} is not valid`);
    if (!project.issueTypeIds.includes(issueTypeId)) throw invalid(`The issue type ${issueTypeId} in the target mapping ${target} is not valid for project ${project.key}`);
    if (store.issueType(issueTypeId).subtask && parent === undefined) throw invalid(`The target mapping ${target} moves to a subtask type and must name the parent`);
    const statusFor = new Map<string, string>();
    for (const entry of mapping.targetStatus ?? []) for (const [to, froms] of Object.entries(entry.statuses)) for (const from of froms) statusFor.set(from, to);
    for (const ref of mapping.issueIdsOrKeys ?? []) {
      const issue = store.findIssue(ref, { moved: true });
      if (!issue) throw invalid('Some of the issues in the issueIdsOrKeys are not valid');
      const statusId = project.statusIds.includes(issue.statusId) ? issue.statusId : (statusFor.get(issue.statusId) ?? (mapping.inferStatusDefaults ? project.initialStatusId : undefined));
      if (statusId === undefined || !project.statusIds.includes(statusId)) {
        throw invalid(`No target status for ${issue.key} (status ${store.status(issue.statusId).name}) in project ${project.key}; give targetStatus or inferStatusDefaults`);
      }
      planned.push({ issue, projectId: project.id, issueTypeId, statusId });
    }
  }
  if (planned.length === 0) throw invalid('Some of the issues in the issueIdsOrKeys are not valid');
  if (planned.length > MAX_ISSUES) throw invalid(`You can't move more than ${MAX_ISSUES} issues at once`);
  const created = store.now();
  for (const move of planned) moveOne(ctx, move);
  const taskId = String(store.next('task'));
  store.bulkTasks.set(taskId, {
    taskId,
    status: 'COMPLETE',
    progressPercent: 100,
    submittedBy: { accountId: ctx.caller.accountId },
    created,
    started: created,
    updated: store.now(),
    processedAccessibleIssues: planned.map((m) => Number(m.issue.id)),
    invalidOrInaccessibleIssueCount: 0,
    totalIssueCount: planned.length,
  });
  return json(201, { taskId });
}

/** One issue moved: a new key in another project (the old one kept to find it by), type and status as planned. */
function moveOne(ctx: RouteContext, move: { issue: IssueRecord; projectId: string; issueTypeId: string; statusId: string }): void {
  const { store } = ctx;
  const { issue } = move;
  const items: ChangelogItem[] = [];
  if (move.projectId !== issue.projectId) {
    const from = store.projectOf(issue);
    const to = store.projects.get(move.projectId);
    if (!to) return;
    const key = `${to.key}-${to.nextNumber}`;
    to.nextNumber += 1;
    items.push({ field: 'project', fieldtype: 'jira', fieldId: 'project', from: from.id, fromString: from.name, to: to.id, toString: to.name });
    items.push({ field: 'Key', fieldtype: 'jira', fieldId: 'key', from: null, fromString: issue.key, to: null, toString: key });
    issue.formerKeys = [...(issue.formerKeys ?? []), issue.key];
    issue.key = key;
    issue.projectId = to.id;
  }
  if (move.issueTypeId !== issue.issueTypeId) {
    items.push(changelogItem(store, 'issuetype', issue.issueTypeId, move.issueTypeId));
    issue.issueTypeId = move.issueTypeId;
  }
  if (move.statusId !== issue.statusId) {
    items.push(changelogItem(store, 'status', issue.statusId, move.statusId));
    if (store.status(move.statusId).category !== store.status(issue.statusId).category) issue.statusCategoryChanged = store.now();
    issue.statusId = move.statusId;
  }
  if (items.length === 0) return;
  issue.updated = store.now();
  store.searchIndex.wrote(issue.id, issue.updated);
  emitUpdate(ctx, issue, items);
}

function bulkTask(ctx: RouteContext) {
  const task = ctx.store.bulkTasks.get(ctx.params.taskId ?? '');
  if (!task) return refusal('The task associated with this taskId is not a bulk operation task');
  return json(200, task);
}

export const bulkMoveRoutes: Route[] = [
  { method: 'POST', path: '/bulk/issues/move', handler: moveIssues },
  { method: 'GET', path: '/bulk/queue/{taskId}', handler: bulkTask },
];

// Issue comments: ADF bodies, paged listing, edit and delete by author (or an admin, or the app).
import { z } from 'zod';
import type { Route, RouteContext } from '../context';
import { fieldErrors, forbidden, intParam, json, noContent, notFound, parseBody } from '../http';
import { isAdfDoc, type AdfDoc, type CommentRecord, type IssueRecord } from '../model';
import { commentJson, eventUser } from '../render';
import { emitUpdate, issueEventPayload } from '../events';
import { checkPropertyValue, readPropertyBody } from './properties';

const visibilitySchema = z.looseObject({
  type: z.enum(['group', 'role']),
  value: z.string(),
  identifier: z.string().nullable().optional(),
});

/** Jira's EntityProperty: `key` and `value` both required on create and update. */
const entityPropertySchema = z.object({ key: z.string(), value: z.unknown() });

export const commentBodySchema = z.looseObject({
  body: z.custom<AdfDoc>((v) => isAdfDoc(v), { message: 'Comment body must be an Atlassian Document (see the Atlassian Document Format)' }),
  visibility: visibilitySchema.optional(),
  // "A list of comment properties. Optional on create and update." (Comment, REST v3)
  properties: z.array(entityPropertySchema).optional(),
});

const looseCommentSchema = z.looseObject({ body: z.unknown(), visibility: visibilitySchema.optional(), properties: z.array(entityPropertySchema).optional() });

/** Jira's comment length limit, counted here over the ADF text. */
const MAX_COMMENT_CHARS = 32767;

function readCommentBody(raw: string | undefined): z.infer<typeof commentBodySchema> {
  const parsed = parseBody(raw, looseCommentSchema);
  if (parsed.body === undefined || parsed.body === null) throw fieldErrors({ comment: 'Comment body can not be empty!' });
  if (!isAdfDoc(parsed.body)) throw fieldErrors({ comment: 'Comment body must be an Atlassian Document (see the Atlassian Document Format)' });
  if (JSON.stringify(parsed.body).length > MAX_COMMENT_CHARS * 4) {
    throw fieldErrors({ comment: `The entered text is too long. It exceeds the allowed limit of ${MAX_COMMENT_CHARS.toLocaleString('en-US')} characters.` });
  }
  for (const property of parsed.properties ?? []) {
    const problem = checkPropertyValue(property.key, property.value);
    if (problem) throw fieldErrors({ properties: problem });
  }
  return { ...parsed, body: parsed.body };
}

/**
 * The events of one comment change: `commented` (create and edit alike) or `deleted:comment`, with the
 * comment's users as `{ accountId }` only, and with every change also `avi:jira:updated:issue` carrying
 * a `Comment` changelog item (https://developer.atlassian.com/platform/forge/events-reference/jira/).
 */
function commentEvent(ctx: RouteContext, eventType: string, issue: IssueRecord, comment: CommentRecord, change: 'created' | 'edited' | 'deleted'): void {
  const c = commentJson(ctx.store, issue, comment);
  const payload = issueEventPayload(ctx, eventType, issue, {
    comment: { id: c.id, author: eventUser(comment.authorId), body: c.body, updateAuthor: eventUser(comment.updateAuthorId), created: c.created, updated: c.updated, jsdPublic: c.jsdPublic },
  });
  ctx.emit(eventType, payload);
  emitUpdate(ctx, issue, [
    {
      field: 'Comment',
      fieldtype: 'jira',
      fieldId: 'comment',
      from: change === 'created' ? null : comment.id,
      fromString: null,
      to: change === 'deleted' ? null : comment.id,
      toString: null,
    },
  ]);
}

/** Adds a comment (also used by a transition's `update.comment`); emits `commented`. */
export function addComment(ctx: RouteContext, issue: IssueRecord, input: z.infer<typeof commentBodySchema>): CommentRecord {
  const now = ctx.store.now();
  const comment: CommentRecord = {
    id: String(ctx.store.next('comment')),
    authorId: ctx.caller.accountId,
    updateAuthorId: ctx.caller.accountId,
    body: structuredClone(input.body),
    created: now,
    updated: now,
    properties: new Map((input.properties ?? []).map((p) => [p.key, structuredClone(p.value)])),
    ...(input.visibility ? { visibility: { type: input.visibility.type, value: input.visibility.value, ...(input.visibility.identifier !== undefined ? { identifier: input.visibility.identifier } : {}) } } : {}),
  };
  issue.comments.push(comment);
  issue.updated = now;
  commentEvent(ctx, 'avi:jira:commented:issue', issue, comment, 'created');
  return comment;
}

function findComment(ctx: RouteContext): { issue: IssueRecord; comment: CommentRecord } {
  const issue = ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  const comment = issue.comments.find((c) => c.id === ctx.params.id);
  if (!comment) throw notFound(`Can not find a comment for the id: ${ctx.params.id ?? ''}.`);
  return { issue, comment };
}

function mayChange(ctx: RouteContext, comment: CommentRecord): boolean {
  return ctx.caller.isApp || ctx.caller.admin || comment.authorId === ctx.caller.accountId;
}

function listComments(ctx: RouteContext) {
  const issue = ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  const startAt = intParam(ctx.query, 'startAt', 0);
  const maxResults = Math.min(intParam(ctx.query, 'maxResults', 5000), 5000);
  const order = ctx.query.get('orderBy');
  const sorted = [...issue.comments].sort((a, b) => (a.created - b.created || Number(a.id) - Number(b.id)) * (order === '-created' ? -1 : 1));
  return json(200, {
    startAt,
    maxResults,
    total: sorted.length,
    comments: sorted.slice(startAt, startAt + maxResults).map((c) => commentJson(ctx.store, issue, c)),
  });
}

function createComment(ctx: RouteContext) {
  const issue = ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  ctx.noteWrite(issue);
  const input = readCommentBody(ctx.body);
  const comment = addComment(ctx, issue, input);
  return json(201, commentJson(ctx.store, issue, comment));
}

function getComment(ctx: RouteContext) {
  const { issue, comment } = findComment(ctx);
  return json(200, commentJson(ctx.store, issue, comment));
}

function editComment(ctx: RouteContext) {
  const { issue, comment } = findComment(ctx);
  ctx.noteWrite(issue);
  if (!mayChange(ctx, comment)) throw forbidden('You do not have the permission to edit this comment.');
  const input = readCommentBody(ctx.body);
  const now = ctx.store.now();
  comment.body = structuredClone(input.body);
  comment.updateAuthorId = ctx.caller.accountId;
  comment.updated = now;
  if (input.visibility) comment.visibility = { type: input.visibility.type, value: input.visibility.value };
  for (const property of input.properties ?? []) comment.properties.set(property.key, structuredClone(property.value));
  issue.updated = now;
  // Jira has no comment-updated event: an edit fires `commented` again.
  commentEvent(ctx, 'avi:jira:commented:issue', issue, comment, 'edited');
  return json(200, commentJson(ctx.store, issue, comment));
}

function deleteComment(ctx: RouteContext) {
  const { issue, comment } = findComment(ctx);
  ctx.noteWrite(issue);
  if (!mayChange(ctx, comment)) throw forbidden('You do not have permission to delete this comment.');
  issue.comments = issue.comments.filter((c) => c !== comment);
  issue.updated = ctx.store.now();
  commentEvent(ctx, 'avi:jira:deleted:comment', issue, comment, 'deleted');
  return noContent();
}

// ---- comment properties (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comment-properties/)

/** A comment by id alone, on whichever issue holds it. */
function commentById(ctx: RouteContext): { issue: IssueRecord; comment: CommentRecord } {
  const id = ctx.params.commentId ?? '';
  for (const issue of ctx.store.issues.values()) {
    const comment = issue.comments.find((c) => c.id === id);
    if (comment) return { issue, comment };
  }
  throw notFound(`Can not find a comment for the id: ${id}.`);
}

function commentPropertySelf(ctx: RouteContext, comment: CommentRecord, key: string): string {
  return `${ctx.store.baseUrl}/rest/api/3/comment/${comment.id}/properties/${encodeURIComponent(key)}`;
}

function listCommentProperties(ctx: RouteContext) {
  const { comment } = commentById(ctx);
  return json(200, { keys: [...comment.properties.keys()].map((key) => ({ self: commentPropertySelf(ctx, comment, key), key })) });
}

function getCommentProperty(ctx: RouteContext) {
  const { comment } = commentById(ctx);
  const key = ctx.params.propertyKey ?? '';
  if (!comment.properties.has(key)) throw notFound(`The property with key '${key}' does not exist.`);
  return json(200, { key, value: comment.properties.get(key) });
}

function setCommentProperty(ctx: RouteContext) {
  const { issue, comment } = commentById(ctx);
  ctx.noteWrite(issue);
  // Edit All Comments, or Edit Own Comments for one's own.
  if (!mayChange(ctx, comment)) throw forbidden('You do not have the permission to edit this comment.');
  const key = ctx.params.propertyKey ?? '';
  const value = readPropertyBody(key, ctx.body);
  const existed = comment.properties.has(key);
  comment.properties.set(key, value);
  return { status: existed ? 200 : 201, headers: {}, body: '' };
}

function deleteCommentProperty(ctx: RouteContext) {
  const { issue, comment } = commentById(ctx);
  const key = ctx.params.propertyKey ?? '';
  if (!comment.properties.has(key)) throw notFound(`The property with key '${key}' does not exist.`);
  ctx.noteWrite(issue);
  if (!mayChange(ctx, comment)) throw forbidden('You do not have permission to delete this comment.');
  comment.properties.delete(key);
  return noContent();
}

export const commentRoutes: Route[] = [
  { method: 'GET', path: '/comment/{commentId}/properties', handler: listCommentProperties },
  { method: 'GET', path: '/comment/{commentId}/properties/{propertyKey}', handler: getCommentProperty },
  { method: 'PUT', path: '/comment/{commentId}/properties/{propertyKey}', handler: setCommentProperty },
  { method: 'DELETE', path: '/comment/{commentId}/properties/{propertyKey}', handler: deleteCommentProperty },
  { method: 'GET', path: '/issue/{issueIdOrKey}/comment', handler: listComments },
  { method: 'POST', path: '/issue/{issueIdOrKey}/comment', handler: createComment },
  { method: 'GET', path: '/issue/{issueIdOrKey}/comment/{id}', handler: getComment },
  { method: 'PUT', path: '/issue/{issueIdOrKey}/comment/{id}', handler: editComment },
  { method: 'DELETE', path: '/issue/{issueIdOrKey}/comment/{id}', handler: deleteComment },
];

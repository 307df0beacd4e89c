// Issue properties (JSON values ≤ 32,768 characters) and remote links (upserted by globalId).
import { z } from 'zod';
import type { Route, RouteContext } from '../context';
import { badRequest, fieldErrors, json, noContent, notFound, parseBody } from '../http';
import type { IssueRecord, RemoteLinkRecord } from '../model';

const MAX_PROPERTY_CHARS = 32768;
const MAX_KEY_CHARS = 255;

/** Why a property cannot be stored, or undefined when it can. */
export function checkPropertyValue(key: string, value: unknown): string | undefined {
  if (key.length === 0 || key.length > MAX_KEY_CHARS) return `The property key must be between 1 and ${MAX_KEY_CHARS} characters long.`;
  const text = JSON.stringify(value);
  if (text === undefined) return 'The property value must be a valid, non-empty JSON value.';
  if (text.length > MAX_PROPERTY_CHARS) return `The property value is too long. The maximum length is ${MAX_PROPERTY_CHARS} characters.`;
  return undefined;
}

function listProperties(ctx: RouteContext) {
  const issue = ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  return json(200, {
    keys: [...issue.properties.keys()].map((key) => ({ self: propertySelf(ctx, issue, key), key })),
  });
}

function propertySelf(ctx: RouteContext, issue: IssueRecord, key: string): string {
  return `${ctx.store.baseUrl}/rest/api/3/issue/${issue.id}/properties/${encodeURIComponent(key)}`;
}

function getProperty(ctx: RouteContext) {
  const issue = ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  const key = ctx.params.propertyKey ?? '';
  if (!issue.properties.has(key)) throw notFound(`The property with key '${key}' does not exist.`);
  return json(200, { key, value: issue.properties.get(key) });
}

/** The value of a PUT of an entity property (issue or comment): the body is the value itself. */
export function readPropertyBody(key: string, raw: string | undefined): unknown {
  const text = raw ?? '';
  if (text.trim() === '') throw badRequest(['The property value must be a valid, non-empty JSON value.']);
  // Jira measures the value as sent; re-serialising could shrink it under the limit.
  if (text.length > MAX_PROPERTY_CHARS) throw badRequest([`The property value is too long. The maximum length is ${MAX_PROPERTY_CHARS} characters.`]);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest(['The property value must be a valid, non-empty JSON value.']);
  }
  const problem = checkPropertyValue(key, value);
  if (problem) throw badRequest([problem]);
  return value;
}

function setProperty(ctx: RouteContext) {
  const issue = ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  const key = ctx.params.propertyKey ?? '';
  ctx.noteWrite(issue);
  const value = readPropertyBody(key, ctx.body);
  const existed = issue.properties.has(key);
  issue.properties.set(key, value);
  ctx.store.searchIndex.wrote(issue.id, ctx.store.now());
  return { status: existed ? 200 : 201, headers: {}, body: '' };
}

function deleteProperty(ctx: RouteContext) {
  const issue = ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  const key = ctx.params.propertyKey ?? '';
  if (!issue.properties.has(key)) throw notFound(`The property with key '${key}' does not exist.`);
  ctx.noteWrite(issue);
  issue.properties.delete(key);
  ctx.store.searchIndex.wrote(issue.id, ctx.store.now());
  return noContent();
}

// ---- remote links ------------------------------------------------------------------------------

const remoteLinkSchema = z.looseObject({
  globalId: z.string().max(255, 'The globalId must be 255 characters or fewer.').optional(),
  application: z.looseObject({ type: z.string().optional(), name: z.string().optional() }).optional(),
  relationship: z.string().optional(),
  object: z.looseObject({
    url: z.string({ error: "'url' is required" }).min(1, "'url' is required"),
    title: z.string({ error: "'title' is required" }).min(1, "'title' is required"),
    summary: z.string().optional(),
    icon: z.record(z.string(), z.unknown()).optional(),
    status: z.record(z.string(), z.unknown()).optional(),
  }),
});

function readLink(ctx: RouteContext): z.infer<typeof remoteLinkSchema> {
  try {
    return parseBody(ctx.body, remoteLinkSchema);
  } catch (error) {
    // Jira names the missing part of `object` (url, title) rather than `object` itself.
    const parsed = remoteLinkSchema.safeParse(safeJson(ctx.body));
    if (parsed.success) throw error;
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const name = issue.path[0] === 'object' && issue.path.length > 1 ? String(issue.path[1]) : String(issue.path[0] ?? 'object');
      errors[name] ??= issue.path.length === 1 && issue.path[0] === 'object' ? "'object' is required" : issue.message;
    }
    if (Object.keys(errors).length === 0) throw error;
    throw fieldErrors(errors);
  }
}

function safeJson(body: string | undefined): unknown {
  try {
    return body === undefined ? undefined : JSON.parse(body);
  } catch {
    return undefined;
  }
}

function linkRecord(id: number, input: z.infer<typeof remoteLinkSchema>): RemoteLinkRecord {
  return {
    id,
    ...(input.globalId !== undefined ? { globalId: input.globalId } : {}),
    ...(input.application !== undefined ? { application: structuredClone(input.application) } : {}),
    ...(input.relationship !== undefined ? { relationship: input.relationship } : {}),
    object: structuredClone(input.object),
  };
}

function linkSelf(ctx: RouteContext, issue: IssueRecord, link: RemoteLinkRecord): string {
  return `${ctx.store.baseUrl}/rest/api/3/issue/${issue.id}/remotelink/${link.id}`;
}

function linkJson(ctx: RouteContext, issue: IssueRecord, link: RemoteLinkRecord): Record<string, unknown> {
  return {
    id: link.id,
    self: linkSelf(ctx, issue, link),
    ...(link.globalId !== undefined ? { globalId: link.globalId } : {}),
    application: link.application ?? {},
    ...(link.relationship !== undefined ? { relationship: link.relationship } : {}),
    object: link.object,
  };
}

function findLink(ctx: RouteContext): { issue: IssueRecord; link: RemoteLinkRecord } {
  const issue = ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  const link = issue.remoteLinks.find((l) => String(l.id) === ctx.params.linkId);
  if (!link) throw notFound(`No link with id '${ctx.params.linkId ?? ''}' exists on issue ${issue.key}.`);
  return { issue, link };
}

function listLinks(ctx: RouteContext) {
  const issue = ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  const globalId = ctx.query.get('globalId');
  if (globalId !== null) {
    const link = issue.remoteLinks.find((l) => l.globalId === globalId);
    if (!link) throw notFound(`No remote link with the globalId '${globalId}' exists on issue ${issue.key}.`);
    return json(200, linkJson(ctx, issue, link));
  }
  // Jira answers a list here, although the OpenAPI description names a single RemoteIssueLink.
  return json(200, issue.remoteLinks.map((l) => linkJson(ctx, issue, l)));
}

function createOrUpdateLink(ctx: RouteContext) {
  const issue = ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  ctx.noteWrite(issue);
  const input = readLink(ctx);
  const index = input.globalId === undefined ? -1 : issue.remoteLinks.findIndex((l) => l.globalId === input.globalId);
  const existing = index >= 0 ? issue.remoteLinks[index] : undefined;
  if (existing) {
    const updated = linkRecord(existing.id, input);
    issue.remoteLinks[index] = updated;
    return json(200, { id: updated.id, self: linkSelf(ctx, issue, updated) });
  }
  const link = linkRecord(ctx.store.next('link'), input);
  issue.remoteLinks.push(link);
  return json(201, { id: link.id, self: linkSelf(ctx, issue, link) });
}

function getLink(ctx: RouteContext) {
  const { issue, link } = findLink(ctx);
  return json(200, linkJson(ctx, issue, link));
}

function updateLink(ctx: RouteContext) {
  const { issue, link } = findLink(ctx);
  ctx.noteWrite(issue);
  const input = readLink(ctx);
  if (input.globalId !== undefined && issue.remoteLinks.some((l) => l !== link && l.globalId === input.globalId)) {
    throw badRequest([`A remote link with the globalId '${input.globalId}' already exists on issue ${issue.key}.`]);
  }
  const index = issue.remoteLinks.indexOf(link);
  issue.remoteLinks[index] = linkRecord(link.id, { ...input, globalId: input.globalId ?? link.globalId });
  return noContent();
}

function deleteLinkById(ctx: RouteContext) {
  const { issue, link } = findLink(ctx);
  ctx.noteWrite(issue);
  issue.remoteLinks = issue.remoteLinks.filter((l) => l !== link);
  return noContent();
}

function deleteLinkByGlobalId(ctx: RouteContext) {
  const issue = ctx.store.requireIssue(ctx.params.issueIdOrKey ?? '');
  const globalId = ctx.query.get('globalId');
  if (globalId === null || globalId === '') throw badRequest(['The globalId parameter is required.']);
  const link = issue.remoteLinks.find((l) => l.globalId === globalId);
  if (!link) throw notFound(`No remote link with the globalId '${globalId}' exists on issue ${issue.key}.`);
  ctx.noteWrite(issue);
  issue.remoteLinks = issue.remoteLinks.filter((l) => l !== link);
  return noContent();
}

export const propertyAndLinkRoutes: Route[] = [
  { method: 'GET', path: '/issue/{issueIdOrKey}/properties', handler: listProperties },
  { method: 'GET', path: '/issue/{issueIdOrKey}/properties/{propertyKey}', handler: getProperty },
  { method: 'PUT', path: '/issue/{issueIdOrKey}/properties/{propertyKey}', handler: setProperty },
  { method: 'DELETE', path: '/issue/{issueIdOrKey}/properties/{propertyKey}', handler: deleteProperty },
  { method: 'GET', path: '/issue/{issueIdOrKey}/remotelink', handler: listLinks },
  { method: 'POST', path: '/issue/{issueIdOrKey}/remotelink', handler: createOrUpdateLink },
  { method: 'DELETE', path: '/issue/{issueIdOrKey}/remotelink', handler: deleteLinkByGlobalId },
  { method: 'GET', path: '/issue/{issueIdOrKey}/remotelink/{linkId}', handler: getLink },
  { method: 'PUT', path: '/issue/{issueIdOrKey}/remotelink/{linkId}', handler: updateLink },
  { method: 'DELETE', path: '/issue/{issueIdOrKey}/remotelink/{linkId}', handler: deleteLinkById },
];

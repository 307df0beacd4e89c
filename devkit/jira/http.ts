// Jira's HTTP conventions for the simulator: the error shape, JSON responses, body parsing with zod.
import type { z } from 'zod';
import type { JiraHttpResponse } from './types';

/** Thrown by a route to answer with Jira's error shape `{errorMessages, errors}`. */
export class JiraError extends Error {
  constructor(
    readonly status: number,
    readonly errorMessages: string[],
    readonly errors: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(errorMessages[0] ?? Object.values(errors)[0] ?? `HTTP ${status}`);
  }
}

export const badRequest = (messages: string[], errors: Record<string, string> = {}): JiraError => new JiraError(400, messages, errors);
export const fieldErrors = (errors: Record<string, string>): JiraError => new JiraError(400, [], errors);
export const notFound = (message: string): JiraError => new JiraError(404, [message]);
export const forbidden = (message: string): JiraError => new JiraError(403, [message]);

export const ISSUE_NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';

const JSON_TYPE = 'application/json;charset=UTF-8';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): JiraHttpResponse {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

export function noContent(status = 204): JiraHttpResponse {
  return { status, headers: {}, body: '' };
}

export function errorResponse(error: JiraError): JiraHttpResponse {
  return json(error.status, { errorMessages: error.errorMessages, errors: error.errors }, error.headers);
}

/** Parses a JSON request body and checks it with a zod schema; failures become Jira's 400. */
export function parseBody<T extends z.ZodType>(body: string | undefined, schema: T): z.infer<T> {
  let value: unknown;
  if (body === undefined || body.trim() === '') {
    throw badRequest(['No content to map due to end-of-input']);
  }
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw badRequest([`Unexpected character in the request body: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors: Record<string, string> = {};
  const messages: string[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String);
    // Jira names the offending field when the problem is inside `fields`/`update` or a top-level field.
    const field = path[0] === 'fields' || path[0] === 'update' ? path[1] : path[0];
    if (field !== undefined && errors[field] === undefined) errors[field] = issue.message;
    else if (field === undefined) messages.push(issue.message);
  }
  return throwParse(messages, errors);
}

function throwParse(messages: string[], errors: Record<string, string>): never {
  throw badRequest(messages, errors);
}

/** Parses a non-negative integer query parameter, Jira-style (400 on garbage). */
export function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw badRequest([`The value '${raw}' is not valid for the parameter '${name}'.`]);
  return n;
}

/** Query values of a parameter that may repeat and may hold comma lists (`fields`, `expand`). */
export function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const all = query.getAll(name);
  if (all.length === 0) return undefined;
  return all.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

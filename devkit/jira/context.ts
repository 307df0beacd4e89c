// What a simulator route gets: the store, the caller, the parsed request, and ways to emit product
// events (delivered once the request has committed) and to count per-issue writes.
import type { IssueRecord, UserRecord } from './model';
import type { JiraStore } from './store';
import type { JiraHttpResponse } from './types';

export interface Caller {
  accountId: string;
  isApp: boolean;
  user: UserRecord;
  /** Global permission ADMINISTER (the app has every permission). */
  admin: boolean;
}

export interface RouteContext {
  store: JiraStore;
  caller: Caller;
  params: Record<string, string>;
  query: URLSearchParams;
  body: string | undefined;
  /** Queues a product event; the simulator delivers queued events after a successful response. */
  emit(eventType: string, payload: Record<string, unknown>): void;
  /** Counts a write to the issue against Jira's per-issue write limit; throws 429 over it. */
  noteWrite(issue: IssueRecord): void;
}

export type RouteHandler = (ctx: RouteContext) => JiraHttpResponse;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under /rest/api/3 with `{name}` placeholders. */
  path: string;
  handler: RouteHandler;
}

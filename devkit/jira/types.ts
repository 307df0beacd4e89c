// The seam between the Jira Cloud simulator and whoever calls it: the Forge emulator (requests the
// app makes through @forge/api's requestJira), the sandbox's HTTP server (Basic auth as a user) and tests.

/** Who is making a Jira REST call. The app acts as its own account (Forge `asApp`). */
export type JiraActor =
  | { kind: 'app' }
  | { kind: 'user'; accountId: string }
  | { kind: 'anonymous' };

export interface JiraHttpRequest {
  method: string;
  /** Path with query string, e.g. `/rest/api/3/issue/OPS-1?fields=summary`. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body?: string;
  actor: JiraActor;
}

export interface JiraHttpResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Empty string for 204. */
  body: string;
}

/**
 * A Forge product event, as a trigger function receives it (`event` argument), e.g.
 * `{eventType: 'avi:jira:created:issue', issue: {...}, atlassianId: '...'}`.
 */
export interface ProductEvent {
  eventType: string;
  /** The whole event object handed to the trigger function; includes eventType and atlassianId. */
  payload: Record<string, unknown> & { eventType: string; atlassianId?: string };
  /** True when the change was made through the app's own account (what `filter.ignoreSelf` drops). */
  causedByApp: boolean;
}

export type ProductEventListener = (event: ProductEvent) => void;

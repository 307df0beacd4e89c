// The shapes the JQL evaluator (jql.ts) reads; the simulator maps its stored issues onto
// JqlIssueView so the evaluator never depends on how the simulator stores things.

export interface JqlIssueView {
  id: string;
  key: string;
  projectKey: string;
  projectId: string;
  issueTypeName: string;
  statusName: string;
  statusCategoryKey: 'new' | 'indeterminate' | 'done';
  labels: string[];
  assigneeAccountId: string | null;
  reporterAccountId: string | null;
  /** epoch ms */
  created: number;
  /** epoch ms */
  updated: number;
  priorityName: string | null;
  summary: string;
  /** The parent issue (an epic's child, a sub-task's issue), or absent. */
  parentKey?: string | null;
  parentId?: string | null;
  /** Who created the issue (set its first values); for WAS … BY. */
  creatorAccountId?: string;
  /** The issue's changes to fields JQL searches the history of, oldest first, from its changelog. */
  history?: JqlFieldChange[];
  /** The issue's entity properties by key, for the values an app's jira:entityProperty module indexes. */
  properties?: Record<string, unknown>;
}

/**
 * One value an app's `jira:entityProperty` module asks Jira to index: the property, the path into
 * its JSON, the type it is searched as, and the JQL alias it is searched by.
 * https://developer.atlassian.com/platform/forge/manifest-reference/modules/jira-entity-property/
 */
export interface JqlPropertyIndex {
  propertyKey: string;
  path: string;
  type: 'number' | 'string' | 'text' | 'user' | 'date';
  searchAlias?: string;
}

/** One change of a field, in the terms the field is searched by (status and priority names, account ids). */
export interface JqlFieldChange {
  field: 'status' | 'assignee' | 'reporter' | 'priority';
  /** epoch ms */
  at: number;
  byAccountId: string;
  from: string | null;
  to: string | null;
}

export interface JqlContext {
  /** accountId that currentUser() resolves to; absent means an anonymous caller. */
  currentAccountId?: string;
  /** epoch ms; the evaluator never reads the clock itself. */
  now: number;
  /** Offset of the user's time zone from UTC in minutes (e.g. 60 for UTC+1); default 0. */
  timeZoneOffsetMinutes?: number;
}

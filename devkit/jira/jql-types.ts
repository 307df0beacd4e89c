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
}

export interface JqlContext {
  /** accountId that currentUser() resolves to; absent means an anonymous caller. */
  currentAccountId?: string;
  /** epoch ms; the evaluator never reads the clock itself. */
  now: number;
  /** Offset of the user's time zone from UTC in minutes (e.g. 60 for UTC+1); default 0. */
  timeZoneOffsetMinutes?: number;
}

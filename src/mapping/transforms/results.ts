// What carrying one field's value can come to: a value, an intent for the sync layer (a lookup,
// a status transition), or a skip or error with a reason the activity log shows.
import type { StatusCategory } from '../schema';

export interface SkipResult {
  kind: 'skip';
  reason: string;
}
export interface ErrorResult {
  kind: 'error';
  reason: string;
}
export interface ValueResult {
  kind: 'value';
  value: unknown;
}
/** Find the Jira user with this email; none found means unassigned plus a note, not a failure. */
export interface UserByEmailLookup {
  kind: 'user-by-email';
  email: string;
}
/** Find the Jira users with these emails; an email without a match is left out with a note. */
export interface UsersByEmailLookup {
  kind: 'users-by-email';
  emails: string[];
}
/** Find the Jira issue linked to this record of the connection (a parent reference). */
export interface IssueOfRecordLookup {
  kind: 'issue-of-record';
  recordId: string;
}
/** Find the open sprint of this name on the mapping's board; none means a kept failure naming it. */
export interface SprintByNameLookup {
  kind: 'sprint-by-name';
  name: string;
  /** Filled from the project mapping by the plan. */
  boardId?: number;
}
export type Lookup = UserByEmailLookup | UsersByEmailLookup | IssueOfRecordLookup | SprintByNameLookup;
/** Jira status is moved by transition: to this status by name when reachable, else into this category. */
export interface StatusTarget {
  kind: 'status';
  name?: string;
  category: StatusCategory;
}

export type ToolValueResult = ValueResult | SkipResult | ErrorResult;
export type JiraValueResult = ValueResult | Lookup | StatusTarget | SkipResult | ErrorResult;

export interface ToolValueContext {
  /** The email of a Jira account, when the app can see it. */
  emailOf(accountId: string): string | undefined;
  /** The record id linked to a Jira issue on this connection (read by the sync layer beforehand). */
  recordOf?(issueId: string): string | undefined;
}

export const value = (v: unknown): ValueResult => ({ kind: 'value', value: v });
export const skip = (reason: string): SkipResult => ({ kind: 'skip', reason });
export const fail = (reason: string): ErrorResult => ({ kind: 'error', reason });

// One field's value, carried from Jira to the tool and back. Pure and synchronous: anything that
// needs the outside world (finding a Jira user by email, moving an issue through its workflow)
// comes back as an intent the sync layer carries out. A value that cannot be carried is skipped
// with a reason the activity log can show, never silently dropped and never a failed sync.
//
// results.ts names the outcomes; to-tool.ts and to-jira.ts carry a value each way, reading raw
// values with readers.ts; dates.ts and plain-text.ts are the formats both directions share.
export type {
  ErrorResult,
  IssueOfRecordLookup,
  JiraValueResult,
  Lookup,
  SkipResult,
  SprintByNameLookup,
  StatusTarget,
  ToolValueContext,
  ToolValueResult,
  UserByEmailLookup,
  UsersByEmailLookup,
  ValueResult,
} from './results';
export { jiraFieldLabel } from './readers';
export { plainTextToAdf } from './plain-text';
export { formatJiraDateTime, parseDateValue } from './dates';
export { toToolValue } from './to-tool';
export { toJiraValue } from './to-jira';

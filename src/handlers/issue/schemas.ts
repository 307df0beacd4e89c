// What the issue panel and issue actions may send, and where Forge says they are shown. The issue
// comes from the invocation's context (`context.extension`), never from the payload.
import * as z from 'zod';

const connectionId = z.string().trim().min(1).max(64);

export const issuePayloads = {
  getIssueSync: z.looseObject({}),
  syncNow: z.strictObject({ connectionId }),
  retrySync: z.strictObject({ failureId: z.string().min(1).max(500) }),
  searchRecords: z.strictObject({ connectionId, query: z.string().trim().max(200) }),
  linkRecord: z.strictObject({ connectionId, recordId: z.string().trim().min(1).max(255) }),
  unlinkRecord: z.strictObject({ connectionId }),
} as const;

/**
 * The extension context of jira:issueContext and jira:issueAction:
 * `{type, issue: {id, key, type, typeId}, project: {id, key, type}}`
 * (https://developer.atlassian.com/platform/forge/manifest-reference/modules/jira-issue-context/,
 * https://developer.atlassian.com/platform/forge/manifest-reference/modules/jira-issue-action/).
 */
export const issueExtensionSchema = z.object({
  type: z.enum(['jira:issueContext', 'jira:issueAction']),
  issue: z.object({
    id: z.union([z.string(), z.number()]).transform(String),
    key: z.string().min(1),
    type: z.string().default(''),
  }),
  project: z.object({ key: z.string().min(1) }),
});

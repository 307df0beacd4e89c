// What the admin page may send, checked before anything runs. A secret's value is never echoed in
// an error message.
import * as z from 'zod';
import { ISSUE_KEY_PATTERN } from '../../sync/inbound-event';
import { bulkRequestSchema } from '../../sync/bulk';

const connectionId = z.string().trim().min(1).max(64);
const revision = z.number().int().min(0);
const empty = z.object({});

export const payloads = {
  getOverview: empty,
  previewBulkSync: bulkRequestSchema,
  startBulkSync: bulkRequestSchema.extend({ total: z.number().int().min(0).optional() }),
  getBulkSync: z.object({ connectionId }),
  pauseBulkSync: z.object({ connectionId }),
  resumeBulkSync: z.object({ connectionId }),
  cancelBulkSync: z.object({ connectionId }),
  syncIssueNow: z.object({ connectionId, issueKey: z.string().trim().toUpperCase().regex(ISSUE_KEY_PATTERN, 'An issue key such as OPS-12') }),
  getConfig: empty,
  saveConfig: z.object({ config: z.unknown(), revision }),
  addConnection: z.object({ revision, presetId: z.string().min(1).max(64), name: z.string().max(100), url: z.string().max(2000) }),
  renameConnection: z.object({ revision, connectionId, name: z.string().max(100) }),
  setConnectionEnabled: z.object({ revision, connectionId, enabled: z.boolean() }),
  setConnectionSecret: z.object({
    connectionId,
    kind: z.enum(['auth', 'signing', 'push-url']),
    // Pasted tokens often carry a trailing newline; no real token starts or ends with whitespace.
    secret: z.string().trim().min(1, 'Paste the secret').max(4096, 'At most 4096 characters'),
  }),
  testConnection: z.object({ connectionId }),
  getConnectionTests: empty,
  deleteConnection: z.object({ revision, connectionId }),
  getInbound: z.object({ connectionId: connectionId.optional() }),
  setInboundSecret: z.object({
    connectionId,
    secret: z.string().regex(/^[A-Za-z0-9_-]{32,256}$/, 'A generated secret: 32 to 256 letters, digits, - or _'),
  }),
  retirePreviousInboundSecret: z.object({ connectionId }),
  getJiraProjects: empty,
  getJiraProjectMeta: z.object({ projectKey: z.string().trim().toUpperCase().regex(/^[A-Z][A-Z0-9_]{0,99}$/, 'A Jira project key') }),
  getJiraBoards: z.object({ projectKey: z.string().trim().toUpperCase().regex(/^[A-Z][A-Z0-9_]{0,99}$/, 'A Jira project key') }),
  getJiraPriorities: empty,
  getJiraFields: empty,
  checkFieldMapping: z.object({ mapping: z.unknown(), toolType: z.string().trim().min(1).max(60).optional() }),
  getToolDescription: z.object({ connectionId }),
  getActivity: z.object({
    connectionId: connectionId.optional(),
    issueKey: z.string().trim().max(255).optional(),
    cursor: z.string().max(4000).optional(),
    limit: z.number().int().min(1).max(100).default(25),
  }),
  getFailures: z.object({ connectionId: connectionId.optional() }),
  getRefusedCalls: z.object({ connectionId: connectionId.optional() }),
  getSweeps: empty,
  retryFailure: z.object({ id: z.string().min(1).max(500) }),
  retryAllFailures: z.object({ connectionId: connectionId.optional() }),
  discardFailure: z.object({ id: z.string().min(1).max(500) }),
  exportConfig: empty,
  importConfig: z.object({ json: z.string().max(240 * 1024, 'At most 240 KB'), revision }),
} as const;

export type PayloadName = keyof typeof payloads;

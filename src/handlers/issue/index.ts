// The resolver of the "Tandem" issue panel and the issue actions (manifest: issue-resolver). The
// issue is the one Forge shows the page on (the invocation's context); the invoking user must be
// able to browse it to see anything, and to edit it to change anything, both asked of Jira as that
// user (`asUser()`). Errors come back as `{ok: false, error}` so the page can place them.
import type { z } from 'zod';
import type { AdminError } from '../../contract/admin';
import type { IssueCallName, IssueCalls } from '../../contract/issue';
import { forgeAdminPorts } from '../../platform/jira-meta';
import { makeResolver, type ResolverHandler } from '../../platform/resolver';
import { failure } from '../../sync/admin-config';
import type { AdminPorts } from '../../sync/admin-ports';
import { linkRecord, searchRecords, unlinkRecord } from '../../sync/issue-links';
import { issueSyncView, requestSync, retryIssueFailure, type IssueInView } from '../../sync/issue-view';
import { issueExtensionSchema, issuePayloads } from './schemas';

type Run<K extends IssueCallName> = (
  input: z.infer<(typeof issuePayloads)[K]>,
  ctx: { ports: AdminPorts; issue: IssueInView; canEdit: boolean; accountId: string },
) => Promise<IssueCalls[K]['response']>;

/** Which calls change something, and so need Edit Issues; the others need Browse Projects only. */
const CHANGES: Record<IssueCallName, boolean> = {
  getIssueSync: false,
  searchRecords: true,
  syncNow: true,
  retrySync: true,
  linkRecord: true,
  unlinkRecord: true,
};

/** Who linked or unlinked, for the activity log; the account id alone where Jira does not say. */
async function nameOf(ports: AdminPorts, accountId: string): Promise<string> {
  const user = await ports.jira.getUser(accountId).catch(() => undefined);
  return user?.displayName || accountId;
}

const refused = (message: string): { ok: false; error: AdminError } => failure('FORBIDDEN', message);

function call<K extends IssueCallName>(name: K, run: Run<K>, ports: AdminPorts): ResolverHandler {
  return async ({ payload, accountId, extension }) => {
    const where = issueExtensionSchema.safeParse(extension);
    if (!where.success) return failure('INVALID', 'Tandem works on an issue: open it from an issue’s view.');
    const issue: IssueInView = { id: where.data.issue.id, key: where.data.issue.key, typeName: where.data.issue.type, projectKey: where.data.project.key };
    if (!accountId) return refused('Sign in to Jira to see Tandem’s sync.');
    let may: { browse: boolean; edit: boolean };
    try {
      may = await ports.jira.invokingUserOnIssue(issue.id);
    } catch {
      return failure('FAILED', 'Jira did not say just now what you may do with this issue. Try again in a moment.');
    }
    if (!may.browse) return refused('You cannot see this issue in Jira, so Tandem shows nothing about it.');
    if (CHANGES[name] && !may.edit) return refused('Only people who can edit this issue can change how it syncs.');
    const parsed = issuePayloads[name].safeParse(payload ?? {});
    if (!parsed.success) return failure('INVALID', parsed.error.issues[0]?.message ?? 'The request could not be read.');
    try {
      return await run(parsed.data as z.infer<(typeof issuePayloads)[K]>, { ports, issue, canEdit: may.edit, accountId });
    } catch (error) {
      // The name and the call only: a message could quote a request, and a request could hold a secret.
      console.error(`Issue call ${name} failed`, error instanceof Error ? error.name : typeof error);
      return failure('FAILED', 'Tandem could not finish this just now. Try again; if it keeps failing, a Jira administrator can look at Tandem’s activity.');
    }
  };
}

const definitions: { [K in IssueCallName]: Run<K> } = {
  getIssueSync: (_input, { ports, issue, canEdit }) => issueSyncView(ports, issue, canEdit),
  syncNow: ({ connectionId }, { ports, issue }) => requestSync(ports, issue, connectionId),
  retrySync: ({ failureId }, { ports, issue }) => retryIssueFailure(ports, issue, failureId),
  searchRecords: ({ connectionId, query }, { ports, issue }) => searchRecords(ports, issue, connectionId, query),
  linkRecord: async ({ connectionId, recordId }, { ports, issue, accountId }) => linkRecord(ports, issue, connectionId, recordId, await nameOf(ports, accountId)),
  unlinkRecord: async ({ connectionId }, { ports, issue, accountId }) => unlinkRecord(ports, issue, connectionId, await nameOf(ports, accountId)),
};

/** The resolver's calls on the given ports; tests may hand in others. */
export function issueHandlers(ports: AdminPorts = forgeAdminPorts): Record<IssueCallName, ResolverHandler> {
  const out = {} as Record<IssueCallName, ResolverHandler>;
  for (const name of Object.keys(definitions) as IssueCallName[]) {
    out[name] = call(name, definitions[name] as Run<typeof name>, ports);
  }
  return out;
}

export const issueResolver = makeResolver(issueHandlers());

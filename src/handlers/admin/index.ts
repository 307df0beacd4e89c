// The admin page's resolver (manifest: admin-resolver). Every call checks the caller is a Jira admin.
import type { OverviewResponse } from '../../contract/admin';
import { forgePorts } from '../../platform/ports';
import { makeResolver } from '../../platform/resolver';

const APP_VERSION = '0.1.0';

async function requireAdmin(accountId: string | undefined): Promise<string> {
  if (!accountId || !(await forgePorts.jira.isAdmin(accountId))) {
    throw new Error('FORBIDDEN: Only Jira administrators can configure Tandem.');
  }
  return accountId;
}

export const adminResolver = makeResolver({
  async getOverview({ accountId }): Promise<OverviewResponse> {
    const viewer = await requireAdmin(accountId);
    return { appVersion: APP_VERSION, connections: 0, viewer: { accountId: viewer } };
  },
});

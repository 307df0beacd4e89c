// The admin page's resolver (manifest: admin-resolver). Every call checks the caller is a Jira admin.
import Resolver from '@forge/resolver';
import type { OverviewResponse } from '../../contract/admin';
import { forgePorts } from '../../platform/ports';

const APP_VERSION = '0.1.0';

async function requireAdmin(accountId: string | undefined): Promise<string> {
  if (!accountId || !(await forgePorts.jira.isAdmin(accountId))) {
    throw new Error('FORBIDDEN: Only Jira administrators can configure Tandem.');
  }
  return accountId;
}

const resolver = new Resolver();

resolver.define('getOverview', async ({ context }): Promise<OverviewResponse> => {
  const accountId = await requireAdmin((context as { accountId?: string }).accountId);
  return { appVersion: APP_VERSION, connections: 0, viewer: { accountId } };
});

export const adminResolver = resolver.getDefinitions();

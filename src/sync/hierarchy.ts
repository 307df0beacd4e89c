// A child synced before its parent had a record went to the tool without its parent reference (the
// parent transform leaves it out, saying so). When the parent's link arrives, its children are
// queued again, so each sends the parent reference it now has: one search of the parent's children,
// only when a connection that sends parents links an issue for the first time.
import { fieldMappingsFor, type Connection } from '../mapping';
import type { Ports } from './ports';

/** Children one new link re-sends (a page of the search); more are left to their next change or the sweep. */
const MOST_CHILDREN = 100;

/** True when some project mapping of the connection sends Jira's parent to the tool. */
export function sendsParents(connection: Connection): boolean {
  return connection.projects.some((p) => p.direction !== 'tool-to-jira' && fieldMappingsFor(connection, p).some((m) => m.transform.kind === 'parent' && m.direction !== 'tool-to-jira'));
}

/** Queues a delivery of each child of the newly linked issue, so it sends its parent reference now. */
export async function resendChildren(ports: Pick<Ports, 'jira' | 'queue'>, connection: Connection, parentIssueId: string): Promise<number> {
  if (!sendsParents(connection) || !/^\d+$/.test(parentIssueId)) return 0;
  const page = await ports.jira.searchIssues({ jql: `parent = ${parentIssueId}`, fields: [], maxResults: MOST_CHILDREN });
  for (const child of page.issues) {
    await ports.queue.push({ type: 'delivery', delivery: { kind: 'issue', connectionId: connection.id, issueId: child.id, issueKey: child.key, attempt: 1 } });
  }
  return page.issues.length;
}

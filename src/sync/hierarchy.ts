// A child synced before its parent had a record went to the tool without its parent reference (the
// parent transform leaves it out, saying so). When the parent's link arrives, its children are
// queued again, so each sends the parent reference it now has: one search of the parent's children,
// only when a connection that sends parents links an issue for the first time.
// The other way: a record naming a parent record not linked yet waits for it (one key per child
// under the parent's id). When the parent record gets its issue, each waiting child's parent goes
// through the inbound path again, as the change it was, so a newer parent set since wins.
import * as z from 'zod';
import { fieldMappingsFor, type Connection } from '../mapping';
import type { Ports, StoreWrite } from './ports';
import { keyPart } from './state';

/** Children one new link re-sends (a page of the search); more are left to their next change or the sweep. */
const MOST_CHILDREN = 100;

/** True when some project mapping of the connection sends Jira's parent to the tool. */
export function sendsParents(connection: Connection): boolean {
  return connection.projects.some((p) => p.direction !== 'tool-to-jira' && fieldMappingsFor(connection, p).some((m) => m.transform.kind === 'parent' && m.direction !== 'tool-to-jira'));
}

/**
 * Queues a delivery of each child of the newly linked issue, so it sends its parent reference now:
 * the children a search finds, and those noted as sent without it (Jira's search trails its writes,
 * so a child made moments ago may not be found yet).
 */
export async function resendChildren(ports: Pick<Ports, 'jira' | 'queue' | 'store'>, connection: Connection, parentIssueId: string): Promise<number> {
  if (!sendsParents(connection) || !/^\d+$/.test(parentIssueId)) return 0;
  const page = await ports.jira.searchIssues({ jql: `parent = ${parentIssueId}`, fields: [], maxResults: MOST_CHILDREN });
  const noted = await ports.store.list(childWaitPrefix(connection.id, parentIssueId), { limit: MOST_CHILDREN });
  const children = new Map(page.issues.map((child) => [child.id, child.key]));
  for (const entry of noted.entries) {
    const child = childWaitSchema.safeParse(entry.value);
    if (child.success) children.set(child.data.issueId, child.data.issueKey);
  }
  for (const [issueId, issueKey] of children) {
    await ports.queue.push({ type: 'delivery', delivery: { kind: 'issue', connectionId: connection.id, issueId, issueKey, attempt: 1 } });
  }
  // Forge writes at most 25 keys together.
  for (let at = 0; at < noted.entries.length; at += 25) await ports.store.writeAll(noted.entries.slice(at, at + 25).map((entry) => ({ key: entry.key, delete: true as const })));
  return children.size;
}

const childWaitPrefix = (connectionId: string, parentIssueId: string) => `child-wait:${keyPart(connectionId)}:${keyPart(parentIssueId)}:`;
const childWaitSchema = z.object({ issueId: z.string().min(1), issueKey: z.string().min(1) });

/** Notes a child issue sent without its parent's reference (the parent has no record yet), so the parent's link re-sends it. */
export function childWaitWrite(connectionId: string, parentIssueId: string, child: { issueId: string; issueKey: string }): StoreWrite {
  return { key: `${childWaitPrefix(connectionId, parentIssueId)}${keyPart(child.issueId)}`, value: child, ttlSeconds: PARENT_WAIT_TTL_SECONDS };
}

/** Long enough for a late webhook or a Sync existing of the parents; a child still waiting after it keeps its next change. */
export const PARENT_WAIT_TTL_SECONDS = 7 * 24 * 60 * 60;
/** Children given a parent at once when it arrives; more are left to their next change. */
const MOST_WAITING = 100;

const parentWaitPrefix = (connectionId: string, parentRecordId: string) => `parent-wait:${keyPart(connectionId)}:${keyPart(parentRecordId)}:`;

const parentWaitSchema = z.object({
  module: z.string().min(1),
  id: z.string().min(1),
  toolField: z.string().min(1),
  /** When the tool named the parent: the change is applied as of then, so anything newer stands. */
  occurredAt: z.string().min(1),
});
export type ParentWait = z.infer<typeof parentWaitSchema>;

/** Notes that the child record names a parent record that has no issue yet. */
export async function waitForParent(ports: Pick<Ports, 'store'>, connectionId: string, parentRecordId: string, child: ParentWait): Promise<void> {
  await ports.store.set(`${parentWaitPrefix(connectionId, parentRecordId)}${keyPart(child.module)}:${keyPart(child.id)}`, child, PARENT_WAIT_TTL_SECONDS);
}

/**
 * The parent record has its issue now: each child waiting for it is queued as the tool's change of
 * its parent field, at the time the tool made it, so the ordinary inbound path sets the Jira parent
 * (or leaves it, when the field changed since from either side).
 */
export async function releaseWaitingChildren(ports: Pick<Ports, 'store' | 'queue'>, connectionId: string, parentRecordId: string): Promise<number> {
  const { entries } = await ports.store.list(parentWaitPrefix(connectionId, parentRecordId), { limit: MOST_WAITING });
  let released = 0;
  for (const entry of entries) {
    await ports.store.delete(entry.key);
    const wait = parentWaitSchema.safeParse(entry.value);
    if (!wait.success) continue;
    const { module, id, toolField, occurredAt } = wait.data;
    const eventId = `late-parent:${id}:${occurredAt}`.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 100);
    await ports.queue.push({
      type: 'delivery',
      delivery: { kind: 'inbound', connectionId, attempt: 1, event: { eventId, type: 'record.updated', occurredAt, record: { module, id, fields: { [toolField]: parentRecordId } } } },
    });
    released++;
  }
  return released;
}

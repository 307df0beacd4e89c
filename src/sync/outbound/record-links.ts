// Record REST links: the connector with the connection's token, a link saved or ended (with its
// reverse index and the issue's link history), and the remote link and label a new link puts on the issue.
import { recordRestConnector, type RecordRestConnector } from '../../connectors';
import type { Connection, RecordRestConnection } from '../../mapping';
import { activityWrite, clearFailureWrite } from '../journal';
import { isTransientJiraError, type StoreWrite } from '../ports';
import { authSecretKey, remoteLinkOf, issueStateKey, LINK_HISTORY_TTL_SECONDS, linkHistoryKey, recordIndexKey, withLinkEnded, type Link, type LinkHistory } from '../state';
import { releaseSyncLock } from '../sync-lock';
import type { OutboundSubject, Run } from './run';

export async function connectorFor(run: Run, connection: RecordRestConnection): Promise<RecordRestConnector> {
  const secret = connection.auth.kind === 'none' ? undefined : await run.ports.store.getSecret(authSecretKey(connection.id));
  // Retry-After dates are read against the clock port, as all of Tandem's time is.
  return recordRestConnector(connection, secret, run.ports.external, { clock: run.ports.clock });
}

/** The write that stores the issue's link history; it becomes the run's at once, as links do in saveLink. */
export function historyWrite(run: Run, history: LinkHistory): StoreWrite {
  run.history = history;
  return { key: linkHistoryKey(run.issueId), value: history, ttlSeconds: LINK_HISTORY_TTL_SECONDS };
}

export function withoutPendingCreate(history: LinkHistory, connectionId: string): LinkHistory {
  const pendingCreates = { ...history.pendingCreates };
  delete pendingCreates[connectionId];
  return { ...history, pendingCreates };
}

/** Saves the link with the writes that go with it, and resolves the subject's kept failure. */
export async function saveLink(
  run: Run,
  connection: Connection,
  link: Link,
  extra: {
    writes: StoreWrite[];
    subject: OutboundSubject;
    /** Kept instead of resolved: what the tool still refused. */
    failure?: StoreWrite[];
    /** The delivery's last write: the sync lock is released with it. */
    last?: boolean;
  },
): Promise<void> {
  run.state = { links: { ...run.state.links, [connection.id]: link } };
  if (extra.failure) run.keptFailure = true;
  const release = extra.last && run.lock && !run.lock.released ? run.lock : undefined;
  await run.ports.store.writeAll([
    { key: issueStateKey(run.issueId), value: run.state },
    ...(extra.failure ?? [clearFailureWrite(connection.id, extra.subject)]),
    ...extra.writes,
    ...(release ? [releaseSyncLock(release.key)] : []),
  ]);
  if (release) release.released = true;
}

/** Ends the link: the record is left as it is and nothing more is pushed to it. */
export async function endLink(run: Run, connection: Connection, link: Link, summary: string, extra: StoreWrite[] = []): Promise<void> {
  const links = { ...run.state.links };
  delete links[connection.id];
  run.state = { links };
  await run.ports.store.writeAll([
    Object.keys(links).length === 0 ? { key: issueStateKey(run.issueId), delete: true } : { key: issueStateKey(run.issueId), value: run.state },
    historyWrite(run, withLinkEnded(run.history, connection.id)),
    { key: recordIndexKey(connection.id, link.module, link.externalId), delete: true },
    ...extra,
    activityWrite(run.ports, { connectionId: connection.id, direction: 'outbound', outcome: 'synced', issueKey: run.issueKey, externalId: link.externalId, summary }),
  ]);
}

/** The remote link and label in Jira. Written as the app, so Tandem's own triggers ignore them. */
export async function decorateIssue(run: Run, connection: RecordRestConnection, link: Link): Promise<{ notes: string[]; remoteLinkOwed: boolean }> {
  const notes: string[] = [];
  let remoteLinkOwed = false;
  try {
    await run.ports.jira.upsertRemoteLink(run.issueId, remoteLinkOf(connection, link));
  } catch (error) {
    // Jira busy: the link is saved owing it, and the next delivery of the issue adds it.
    remoteLinkOwed = isTransientJiraError(error);
    notes.push(`The link in Jira could not be added${remoteLinkOwed ? ' yet' : ''}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (connection.options.label) {
    try {
      await run.ports.jira.addLabel(run.issueId, connection.options.label);
    } catch (error) {
      notes.push(`The label ${connection.options.label} could not be added: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { notes, remoteLinkOwed };
}

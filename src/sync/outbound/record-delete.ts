// Record REST deletions: a deleted issue ends its link, and its record is closed, deleted or left as
// the connection says, also when the record's create is still owed.
import type { ToolRecord } from '../../connectors';
import { fieldMappingsFor, type RecordRestConnection } from '../../mapping';
import { activityWrite } from '../journal';
import { recordTombstoneWrite } from '../notes';
import type { StoreWrite } from '../ports';
import { createLockKey } from '../state';
import { addRecord } from './record-create';
import { connectorFor, endLink, historyWrite, withoutPendingCreate } from './record-links';
import { DeliveryError, deliveryFor, unwrap, type Run } from './run';
import { LOCKED_RETRY_SECONDS } from './work-notes';

/**
 * A deleted issue: the link ends, and the record is closed, deleted or left as the connection says.
 * A record closed or deleted is remembered as deleted with its issue, so the tool's late or replayed
 * record.created never makes the issue again.
 */
export async function deleteRecord(run: Run, connection: RecordRestConnection, attempt: number): Promise<void> {
  const link = run.state.links[connection.id];
  if (!link) return deleteOwedRecord(run, connection, attempt);
  const done = await applyJiraDelete(run, connection, { module: link.module, id: link.externalId, label: link.number ?? link.externalId });
  // A record left as it is stays the tool's own: its later changes are answered as those of a record linked to nothing.
  const gone = connection.options.onJiraDelete === 'nothing' ? [] : [recordTombstoneWrite(connection.id, link.module, link.externalId)];
  return endLink(run, connection, link, done, gone);
}

/** Closes, deletes or leaves the record as the connection says; what was done, in words. */
async function applyJiraDelete(run: Run, connection: RecordRestConnection, record: { module: string; id: string; label: string }): Promise<string> {
  const { module, id, label } = record;
  const option = connection.options.onJiraDelete;
  if (option === 'nothing') return `The issue was deleted; ${label} was left as it is`;
  const connector = await connectorFor(run, connection);
  if (option === 'delete') {
    const result = await connector.deleteRecord({ module, id });
    // Already gone is what deleting wanted.
    if (!result.ok && result.failure.status !== 404) throw new DeliveryError(`Deleting ${label}`, result.failure);
    return `The issue was deleted; ${label} was deleted too`;
  }
  const stateField = connection.projects
    .filter((p) => p.module === module)
    .flatMap((p) => fieldMappingsFor(connection, p))
    .find((m) => m.transform.kind === 'status')?.tool;
  if (!stateField) return `The issue was deleted; ${label} could not be closed because no field is mapped to Jira's status`;
  unwrap(`Closing ${label}`, await connector.updateRecord({ module, id, fields: { [stateField]: connection.options.closedState } }));
  return `The issue was deleted; ${label} was set to ${connection.options.closedState}`;
}

/**
 * A deleted issue whose record create is still owed: the create may have reached the tool though its
 * answer was lost. The record it made (found by the issue key, or named by the tool when the create
 * is sent again as it was) gets the connection's delete option; none made, none is made. The intent
 * stays, so the tool's late event for such a record is known as Tandem's and makes no issue.
 */
async function deleteOwedRecord(run: Run, connection: RecordRestConnection, attempt: number): Promise<void> {
  const { ports } = run;
  const pending = run.history.pendingCreates[connection.id];
  if (!pending) return;
  if ((await ports.store.get(createLockKey(connection.id, run.issueId))) !== undefined) {
    // The create is being sent right now: once it has its answer, the deletion applies to what it made.
    await ports.queue.push({ type: 'delivery', delivery: deliveryFor(connection.id, { kind: 'deletion', issueId: run.issueId, issueKey: run.issueKey }, attempt) }, LOCKED_RETRY_SECONDS);
    run.requeued = true;
    return;
  }
  const history = withoutPendingCreate(run.history, connection.id);
  const owedNoMore = (summary: string, writes: StoreWrite[] = []) =>
    ports.store.writeAll([
      historyWrite(run, history),
      ...writes,
      activityWrite(ports, { connectionId: connection.id, direction: 'outbound', outcome: 'synced', issueKey: run.issueKey, summary }),
    ]);
  if (connection.options.onJiraDelete === 'nothing') return owedNoMore('The issue was deleted while its record was being created; whatever the tool made is left as it is');
  const connector = await connectorFor(run, connection);
  let record: ToolRecord | undefined;
  const found = await connector.findRecordByIssueKey({ module: pending.module, issueKey: run.issueKey });
  if (!found.ok && found.failure.retry === 'transient') throw new DeliveryError('Looking for the record of a deleted issue', found.failure);
  if (found.ok) {
    record = found.value;
    if (!record) return owedNoMore('The issue was deleted before its record was made; no record was made');
  } else {
    // The tool cannot search: sent again as it was, the create names the record it made (or makes it now, to be closed at once).
    record = await addRecord(run, connection, connector, pending, false);
  }
  const done = await applyJiraDelete(run, connection, { module: pending.module, id: record.id, label: record.number ?? record.id });
  return owedNoMore(done, [recordTombstoneWrite(connection.id, pending.module, record.id)]);
}

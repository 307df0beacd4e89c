// record.deleted: per the connection's option, the linked issue is deleted, moved to a done status,
// or left as it is; the link ends in every case.
import { inboundOptionsOf, maxTransitionsOf } from '../../mapping';
import type { RecordEvent } from '../inbound-event';
import type { InboundAnswer } from '../inbound-request';
import { answer, refusal } from '../inbound-request';
import { recordTombstoneWrite } from '../notes';
import { endLink, readLinked, waitForLink, type Linked } from './links';
import { checkModule, commit, inboundCreateLockKey, labelOf, RecordBusy, withSyncLock, type InboundRun } from './run';
import { peersOf, workflowOf } from './status';
import { moveToStatus } from './status-walk';

export async function deleteRecord(run: InboundRun, event: Extract<RecordEvent, { type: 'record.deleted' }>): Promise<InboundAnswer> {
  const { record } = event;
  const notMapped = checkModule(run.connection, record.module);
  if (notMapped) return notMapped;
  // Remembered first: a create or update of this record still queued (behind a 429, reordered) finds it and does nothing.
  await commit(run, [recordTombstoneWrite(run.connection.id, record.module, record.id)]);
  let linked = await readLinked(run, record.module, record.id);
  const held = linked ? undefined : await run.ports.store.get(inboundCreateLockKey(run.connection.id, record.module, record.id));
  if (!linked && held !== undefined) {
    // Another event is making the record's issue right now: the delete applies to it once it is linked.
    linked = await waitForLink(run, record.module, record.id, held);
    if (!linked) throw new RecordBusy();
  }
  if (!linked) return refusal('unknown_record', `${record.module} record ${record.id} is not linked to a Jira issue`, 'record.id');
  return withSyncLock(run, { id: linked.issueId, key: linked.issueKey }, async () => {
    // Read again under the lock: the delivery that held it may have ended the link.
    const current = await readLinked(run, record.module, record.id);
    if (!current) return refusal('unknown_record', `${record.module} record ${record.id} is no longer linked to a Jira issue`, 'record.id');
    return deleteLinked(run, event, current);
  });
}

/** The connection's option applied to the linked issue, under the pair's sync lock. */
async function deleteLinked(run: InboundRun, event: Extract<RecordEvent, { type: 'record.deleted' }>, linked: Linked): Promise<InboundAnswer> {
  const { record } = event;
  const option = inboundOptionsOf(run.connection).onToolDelete;
  const label = labelOf({ id: record.id, number: record.number ?? linked.link.number });
  if (option === 'delete') {
    await run.ports.jira.deleteIssue(linked.issueId);
    await endLink(run, linked, `${label} was deleted in the tool; ${linked.issueKey} was deleted too`);
    return answer('deleted', { issueKey: linked.issueKey, applied: ['issue deleted'], skipped: [] });
  }
  if (option === 'close') {
    const issue = await run.ports.jira.getIssue(linked.issueId, ['summary'], { transitions: true });
    if (!issue) {
      await endLink(run, linked, `${label} was deleted in the tool; its issue was already gone`);
      return answer('unlinked', { issueKey: linked.issueKey, applied: [], skipped: [] });
    }
    const moved = await moveToStatus({
      jira: run.ports.jira,
      connectionId: run.connection.id,
      store: run.ports.store,
      issueId: linked.issueId,
      workflow: workflowOf(issue),
      start: issue.status,
      target: { kind: 'status', category: 'done' },
      screen: { resolution: inboundOptionsOf(run.connection).resolution, values: {} },
      listed: issue.transitions,
      maxSteps: maxTransitionsOf(run.connection),
      peers: peersOf(run, issue),
    });
    const skipped = moved.ok ? [] : [{ field: 'status', reason: moved.reason }];
    await endLink(run, linked, `${label} was deleted in the tool; ${moved.ok ? `${issue.key} was moved to done` : `${issue.key} could not be moved to done`} and the link ended`, moved.remember ?? []);
    return answer('closed', { issueKey: issue.key, applied: moved.ok && moved.path.length > 0 ? ['status'] : [], skipped });
  }
  await endLink(run, linked, `${label} was deleted in the tool; the link to ${linked.issueKey} ended, the issue stays`);
  return answer('unlinked', { issueKey: linked.issueKey, applied: [], skipped: [] });
}

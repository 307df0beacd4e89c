// The status part of an inbound change: the issue is walked to the status the record's state maps
// to; what Jira cannot reach is kept as a failure the admin can retry (the record's state alone),
// and reaching it later resolves that failure.
import { inboundOptionsOf, maxTransitionsOf, type FieldMapping, type StatusTarget } from '../../mapping';
import { clearFailureWrite, failureWrites } from '../journal';
import type { JiraIssue, JiraTransition, StoreWrite } from '../ports';
import { toolFieldOf } from './fields';
import { labelOf, type InboundRun } from './run';
import { describeTarget, moveToStatus, workflowKey, type MoveResult, type StatusNow } from './status-walk';

/** Where the workflow Tandem has seen for the issue's project and type is kept. */
export function workflowOf(issue: JiraIssue): string | undefined {
  return issue.project && issue.issueType?.id !== undefined ? workflowKey(issue.project.key, issue.issueType.id) : undefined;
}

/** Reads what a status offers from another issue of the same project and type in it. */
export function peersOf(run: InboundRun, issue: JiraIssue): ((status: { id: string; name: string }) => Promise<readonly JiraTransition[] | undefined>) | undefined {
  const projectKey = issue.project?.key;
  const issueTypeName = issue.issueType?.name;
  if (projectKey === undefined || issueTypeName === undefined) return undefined;
  return async (status) => {
    const peer = await run.ports.jira.findIssueInStatus({ projectKey, issueTypeName, status, notIssueId: issue.id });
    return peer === undefined ? undefined : run.ports.jira.getTransitions(peer);
  };
}

export interface StatusChange {
  issue: JiraIssue;
  target: StatusTarget;
  /** This change's values by Jira field id, for transition screens that ask for a mapped field. */
  values: Record<string, unknown>;
  record: { module: string; id: string; number?: string | undefined; fields: Record<string, unknown> };
  occurredAt: string;
  mappings: readonly FieldMapping[];
  /** Where the walk has moved the issue so far (see MoveInput.trail). */
  trail?: { reached?: StatusNow } | undefined;
}

/** Moves the issue; `writes` go with the change's transaction (the workflow seen, the failure kept or resolved). */
export async function moveStatus(run: InboundRun, change: StatusChange): Promise<MoveResult & { writes: StoreWrite[] }> {
  const { ports, connection } = run;
  const { issue, target, record } = change;
  const moved = await moveToStatus({
    jira: ports.jira,
    connectionId: connection.id,
    store: ports.store,
    issueId: issue.id,
    workflow: workflowOf(issue),
    start: issue.status,
    target,
    screen: { resolution: inboundOptionsOf(connection).resolution, values: change.values },
    listed: issue.transitions,
    maxSteps: maxTransitionsOf(connection),
    peers: peersOf(run, issue),
    trail: change.trail,
  });
  const writes: StoreWrite[] = [...(moved.remember ?? [])];
  const toolField = toolFieldOf(change.mappings, 'status');
  const subject = {
    kind: 'status' as const,
    issueId: issue.id,
    issueKey: issue.key,
    module: record.module,
    recordId: record.id,
    fields: toolField === undefined ? {} : { [toolField]: record.fields[toolField] },
    occurredAt: change.occurredAt,
  };
  if (moved.ok) {
    writes.push(clearFailureWrite(connection.id, subject));
    return { ...moved, writes };
  }
  const kept = await failureWrites(ports, {
    connectionId: connection.id,
    subject,
    operation: `Moving ${issue.key} to ${describeTarget(target)} for ${labelOf(record)}`,
    failure: { retry: 'permanent', reason: 'unexpected-answer', explanation: moved.reason },
    attempts: 1,
  });
  return { ...moved, writes: [...writes, ...kept] };
}

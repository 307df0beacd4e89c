// A field Jira refused in an inbound change, while the rest was applied: the skip names the value and
// the mapping to fix, and a failure of its own is kept for it (retried with that value alone); a
// later change that writes the field resolves the failure.
import type { FieldMapping } from '../../mapping';
import { clearFailureWrite, failureWrites } from '../journal';
import type { StoreWrite } from '../ports';
import { failureKey, failureSubjectKey, type FailureSubject } from '../state';
import { toolFieldOf } from './fields';
import { labelOf, type InboundRun } from './run';

export interface RefusedField {
  jiraField: string;
  /** Jira's words for the refusal. */
  message: string;
  /** What the admin reads, when Tandem refused the value itself (a sprint the board lacks) rather than Jira. */
  reason?: string;
}

interface Change {
  issue: { id: string; key: string };
  record: { module: string; id: string; number?: string | undefined; fields: Record<string, unknown> };
  occurredAt: string;
  mappings: readonly FieldMapping[];
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** What the admin reads about a refused field: the value, Jira's words and the mapping to fix. */
export function refusedFieldReason(change: Pick<Change, 'record' | 'mappings'>, jiraField: string, message: string): string {
  const toolField = toolFieldOf(change.mappings, jiraField);
  const value = toolField === undefined ? undefined : change.record.fields[toolField];
  const what = value === undefined ? 'the value' : `the value ${shown(value)}`;
  const mapping = toolField === undefined ? jiraField : `${toolField} → ${jiraField}`;
  return `Jira refused ${what}: ${message.replace(/[.\s]+$/, '')}. Fix the field mapping ${mapping} on Mappings, or the value in the tool; every other field was applied`;
}

function subjectOf(change: Change, jiraField: string): Extract<FailureSubject, { kind: 'field' }> {
  const toolField = toolFieldOf(change.mappings, jiraField);
  return {
    kind: 'field',
    issueId: change.issue.id,
    issueKey: change.issue.key,
    module: change.record.module,
    recordId: change.record.id,
    jiraField,
    fields: toolField === undefined ? {} : { [toolField]: change.record.fields[toolField] },
    occurredAt: change.occurredAt,
  };
}

/** A failure kept for each refused field; the failures of fields written now are resolved. */
export async function fieldFailureWrites(run: InboundRun, change: Change, refused: readonly RefusedField[], written: readonly string[]): Promise<StoreWrite[]> {
  const { ports, connection } = run;
  const writes: StoreWrite[] = [];
  for (const { jiraField, message, reason } of refused) {
    writes.push(
      ...(await failureWrites(ports, {
        connectionId: connection.id,
        subject: subjectOf(change, jiraField),
        operation: `Setting ${jiraField} of ${change.issue.key} from ${labelOf(change.record)}`,
        // Jira's refusal was a 400; a value Tandem refused itself never reached Jira.
        failure: { retry: 'permanent', reason: 'bad-request', ...(reason === undefined ? { status: 400 } : {}), explanation: reason ?? refusedFieldReason(change, jiraField, message) },
        attempts: 1,
      })),
    );
  }
  const resolved = written.filter((f) => !refused.some((r) => r.jiraField === f)).map((f) => subjectOf(change, f));
  if (resolved.length === 0) return writes;
  // Only failures that exist are deleted: one read instead of a write per field of every change.
  const found = await ports.store.getMany(resolved.map((s) => failureKey(connection.id, failureSubjectKey(s))));
  for (const subject of resolved) if (found.has(failureKey(connection.id, failureSubjectKey(subject)))) writes.push(clearFailureWrite(connection.id, subject));
  return writes;
}

/** A status Jira could not reach, as the skip says it: why, the tool's value, and what to do. */
export function statusSkipReason(change: Pick<Change, 'record' | 'mappings'>, reason: string): string {
  const toolField = toolFieldOf(change.mappings, 'status');
  const value = toolField === undefined ? undefined : change.record.fields[toolField];
  const from = value === undefined ? '' : ` (${toolField} ${shown(value)})`;
  return `${reason.replace(/[.\s]+$/, '')}${from}. Fix the status mapping ${toolField ?? ''} → status on Mappings or the Jira workflow, then choose Retry on the failure`.replace('  ', ' ');
}

// What an inbound change does with the fields that changed on both sides since the shadow: the
// connection's policy names a winner per field; a field Jira wins is left out of the change, and its
// shadow keeps what it held, so the next delivery sends Jira's value to the tool.
import { conflictWinner, type FieldConflict, type InboundPlan, type Shadow } from './plan';
import type { ConflictPolicy } from './schema';

export interface ConflictSettlement {
  /** The plan without the fields Jira keeps. */
  plan: InboundPlan;
  /** The shadow once the change is applied: fields Jira keeps hold their previous hash. */
  shadowNext: Shadow;
  /** Per conflicting Jira field, who won. */
  winners: Array<{ field: string; winner: 'jira' | 'tool' }>;
  /** One line per conflict, for the activity log and the answer. */
  notes: string[];
  /** Jira kept at least one value: the tool must be told. */
  jiraWon: boolean;
}

export function settleConflicts(input: {
  policy: ConflictPolicy;
  conflicts: readonly FieldConflict[];
  plan: InboundPlan;
  /** The link's shadow before this change. */
  shadow: Shadow;
  /** The shadow the plan leads to. */
  shadowNext: Shadow;
  jiraUpdatedAt: unknown;
  toolUpdatedAt: unknown;
}): ConflictSettlement {
  const { policy, shadow } = input;
  const plan: InboundPlan = { ...input.plan, jiraFields: { ...input.plan.jiraFields }, lookups: [...input.plan.lookups] };
  const fields = { ...input.shadowNext.fields };
  const winners: ConflictSettlement['winners'] = [];
  const notes: string[] = [];
  let jiraWon = false;
  for (const conflict of input.conflicts) {
    const winner = conflictWinner(policy, { jiraUpdatedAt: input.jiraUpdatedAt, toolUpdatedAt: input.toolUpdatedAt });
    winners.push({ field: conflict.jiraField, winner });
    notes.push(`Conflict on ${conflict.jiraField}: changed in Jira and in the tool; ${winner === 'jira' ? 'Jira' : 'the tool'} wins (${policy})`);
    if (winner === 'tool') continue;
    jiraWon = true;
    delete plan.jiraFields[conflict.jiraField];
    if (conflict.jiraField === 'status') delete plan.status;
    plan.lookups = plan.lookups.filter((l) => l.jiraField !== conflict.jiraField);
    const before = shadow.fields[conflict.toolField];
    if (before === undefined) delete fields[conflict.toolField];
    else fields[conflict.toolField] = before;
  }
  return { plan, shadowNext: { fields, updatedAt: input.shadowNext.updatedAt }, winners, notes, jiraWon };
}

// What an inbound change does with the fields that changed on both sides since the shadow: the
// connection's policy names a winner per field; a field Jira wins is left out of the change, and its
// shadow keeps what it held, so the next delivery sends Jira's value to the tool. Before that, a
// field whose value the shadow knows changed after the event happened (a later tool event applied,
// or Tandem wrote Jira's value to the tool since) is stale: a late or replayed event never
// overwrites the newer value, on either side. Jira's side of a conflict is the field's own last
// change in the changelog when Tandem read it: a value Tandem wrote there itself (a status walk
// cut short) is no person's change, and newest-wins compares that field's change, not the issue's
// `updated`, which counts Tandem's own writes and every other field.
import { conflictWinner, type FieldConflict, type InboundPlan, type Shadow } from './plan';
import type { ConflictPolicy } from './schema';
import { hashValue } from './hash';
import { parseDateValue } from './transforms';
import { TANDEM_CHANGE_CAUSE, type JiraChangelogEntry } from '../ports';

/** A field's last change in Jira: when, and whether Tandem made it for the connection asking. */
export interface JiraFieldChange {
  at: string;
  /**
   * Tandem wrote it for this connection (the app's account, and the change's history names this
   * connection or none): the tool's own value, not a person's change. Tandem's write for another
   * connection is that tool's change, as a person's would be.
   */
  own: boolean;
}

/** One entry of an issue's changelog, as the Jira port reads it. */
export type ChangelogEntry = Readonly<JiraChangelogEntry>;

/** The last change of each of `fieldIds` in the changelog (any order), by Jira field id. */
export function lastFieldChanges(entries: readonly ChangelogEntry[], fieldIds: readonly string[], writer: { appAccountId: string; connectionId: string }): Record<string, JiraFieldChange> {
  const wanted = new Set(fieldIds);
  const last: Record<string, JiraFieldChange & { ms: number }> = {};
  for (const entry of entries) {
    const ms = parseDateValue(entry.created)?.ms;
    if (ms === undefined) continue;
    for (const item of entry.items) {
      const id = item.fieldId ?? item.field;
      if (id === undefined || !wanted.has(id)) continue;
      const held = last[id];
      if (held && held.ms > ms) continue;
      last[id] = { at: entry.created, own: isOwnChange(entry, writer), ms };
    }
  }
  return Object.fromEntries(Object.entries(last).map(([id, { at, own }]) => [id, { at, own }]));
}

/** By the app, and for this connection (a change whose history names no connection predates the naming). */
function isOwnChange(entry: ChangelogEntry, writer: { appAccountId: string; connectionId: string }): boolean {
  if (entry.author?.accountId !== writer.appAccountId) return false;
  const cause = entry.historyMetadata?.cause;
  return cause?.type !== TANDEM_CHANGE_CAUSE || cause.id === writer.connectionId;
}

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
  /** Jira fields left out because the shadow's value is newer than the event. */
  stale: string[];
}

/** True when `time` is after `than` (each a date Jira or a tool writes); false when either is unknown. */
export function isLater(time: unknown, than: unknown): boolean {
  const a = parseDateValue(time);
  const b = parseDateValue(than);
  return a !== undefined && b !== undefined && a.ms > b.ms;
}

/** True when the shadow knows the tool field changed after `occurredAt` (from either side). */
export function isStale(shadow: Shadow, toolField: string, occurredAt: unknown): boolean {
  const last = shadow.changed?.[toolField];
  return last !== undefined && isLater(last.at, occurredAt);
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
  /** When the tool made the change (the event's occurredAt). */
  toolUpdatedAt: unknown;
  /** Jira field → the tool field that writes it, for the stale check; without it nothing is stale. */
  toolFields?: Readonly<Record<string, string>>;
  /** Per conflicting Jira field, its last change in Jira's changelog, when read. */
  jiraChanges?: Readonly<Record<string, JiraFieldChange>>;
}): ConflictSettlement {
  const { policy, shadow } = input;
  const plan: InboundPlan = { ...input.plan, jiraFields: { ...input.plan.jiraFields }, lookups: [...input.plan.lookups] };
  const fields = { ...input.shadowNext.fields };
  const changed = { ...input.shadowNext.changed };
  const winners: ConflictSettlement['winners'] = [];
  const notes: string[] = [];
  const stale: string[] = [];
  let jiraWon = false;
  const holdBack = (jiraField: string, toolField: string) => {
    delete plan.jiraFields[jiraField];
    if (jiraField === 'status') delete plan.status;
    plan.lookups = plan.lookups.filter((l) => l.jiraField !== jiraField);
    const before = shadow.fields[toolField];
    if (before === undefined) delete fields[toolField];
    else fields[toolField] = before;
    const last = shadow.changed?.[toolField];
    if (last === undefined) delete changed[toolField];
    else changed[toolField] = last;
  };
  const unsure = { ...input.shadowNext.unsure };
  const planned = [...Object.keys(plan.jiraFields), ...(plan.status ? ['status'] : []), ...plan.lookups.map((l) => l.jiraField)];
  for (const jiraField of planned) {
    const toolField = input.toolFields?.[jiraField];
    if (toolField === undefined || !isStale(shadow, toolField, input.toolUpdatedAt)) continue;
    stale.push(jiraField);
    const holds = input.shadowNext.fields[toolField];
    holdBack(jiraField, toolField);
    const last = shadow.changed?.[toolField];
    notes.push(`${jiraField} left as it is: this change happened before the value last synced (${last?.side === 'jira' ? 'from Jira' : 'from the tool'} at ${last?.at ?? '?'})`);
    if (shadow.unsure?.[toolField] !== undefined && holds !== undefined) {
      // Tandem sent Jira's newer value without an answer, and the tool reports an older change of its
      // own: the send never landed (or a retry held it back for this event). The tool holds this
      // value, so the next delivery sends Jira's again.
      fields[toolField] = holds;
      delete unsure[toolField];
      jiraWon = true;
    }
  }
  for (const conflict of input.conflicts) {
    if (stale.includes(conflict.jiraField)) continue;
    const jiraChange = input.jiraChanges?.[conflict.jiraField];
    if (jiraChange?.own) {
      // Nobody changed it in Jira: Tandem's own earlier write (a status walk cut short) is replaced.
      notes.push(`${conflict.jiraField}: Jira holds what Tandem wrote there, not a change of its own; the tool's value applies`);
      continue;
    }
    const winner = conflictWinner(policy, { jiraUpdatedAt: jiraChange?.at ?? input.jiraUpdatedAt, toolUpdatedAt: input.toolUpdatedAt });
    winners.push({ field: conflict.jiraField, winner });
    notes.push(`Conflict on ${conflict.jiraField}: changed in Jira and in the tool; ${winner === 'jira' ? 'Jira' : 'the tool'} wins (${policy})`);
    if (winner === 'tool') continue;
    jiraWon = true;
    holdBack(conflict.jiraField, conflict.toolField);
    // The shadow holds what the tool holds, so the delivery sends Jira's value to it: a value the
    // tool still holds is then known as the one this event brought and Jira beat, never a newer
    // change of a person's that a late delivery must leave to its own event. (When the shadow held
    // Jira's value already, the delivery would otherwise send nothing.)
    fields[conflict.toolField] = hashValue(conflict.toolValue);
    changed[conflict.toolField] = { side: 'tool', at: String(input.toolUpdatedAt) };
  }
  return { plan, shadowNext: { fields, updatedAt: input.shadowNext.updatedAt, changed, ...(Object.keys(unsure).length > 0 ? { unsure } : {}) }, winners, notes, jiraWon, stale };
}

/**
 * A record that names an issue Tandem has not linked yet (usually the record Tandem's own create made,
 * whose answer was lost): the shadow the new link starts from. Jira unchanged since the record was
 * made: Jira's values, so the record's differences apply. Jira changed since: each field the two hold
 * differently is a conflict the policy settles; a field Jira keeps gets the record's hash, so the next
 * delivery sends Jira's value to the tool, and the record never replaces the newer issue.
 */
/** What a create leaves out of its body: nothing, an empty text or an empty list. */
function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

export function adoptionShadow(input: {
  policy: ConflictPolicy;
  /** Jira's values as the shadow would hold them (planOutbound of a create). */
  jiraShadow: Shadow;
  record: Record<string, unknown>;
  /** The two-way fields: tool field → Jira field. */
  twoWay: Readonly<Record<string, string>>;
  jiraUpdatedAt: unknown;
  occurredAt: string;
  /** Tool field → hash of the value Tandem sent when it made the record, when Tandem made it. */
  sent?: Readonly<Record<string, string>>;
}): { shadow: Shadow; jiraKept: string[]; notes: string[] } {
  const { jiraShadow, record, occurredAt } = input;
  const fields = { ...jiraShadow.fields };
  const changed: NonNullable<Shadow['changed']> = {};
  const jiraKept: string[] = [];
  const notes: string[] = [];
  const jira = parseDateValue(input.jiraUpdatedAt);
  const event = parseDateValue(occurredAt);
  const jiraChangedSince = jira !== undefined && event !== undefined && jira.ms > event.ms;
  // A value the record holds because Tandem sent it is Jira's as Tandem read it, not the tool's
  // change, however late the record was made: Jira's value now stands and the delivery sends it.
  const sentAsIs = new Set<string>();
  for (const [toolField, jiraField] of Object.entries(input.twoWay)) {
    // A create leaves out what Jira held empty: the record holds the tool's empty default there, no change of the tool's.
    const hash = input.sent?.[toolField] ?? (input.sent && isEmptyValue(record[toolField]) ? hashValue(record[toolField] ?? null) : undefined);
    const held = jiraShadow.fields[toolField];
    if (hash === undefined || held === undefined || hashValue(record[toolField] ?? null) !== hash) continue;
    sentAsIs.add(toolField);
    if (held === hash) continue;
    jiraKept.push(jiraField);
    fields[toolField] = hash;
  }
  if (jiraChangedSince) {
    for (const [toolField, jiraField] of Object.entries(input.twoWay)) {
      if (sentAsIs.has(toolField)) continue;
      const value = record[toolField];
      const held = jiraShadow.fields[toolField];
      if (value === undefined || held === undefined || hashValue(value) === held) continue;
      const winner = conflictWinner(input.policy, { jiraUpdatedAt: input.jiraUpdatedAt, toolUpdatedAt: occurredAt });
      notes.push(`Conflict on ${jiraField}: the record and the issue, changed since it was made, differ; ${winner === 'jira' ? 'Jira' : 'the tool'} wins (${input.policy})`);
      if (winner === 'tool') continue;
      jiraKept.push(jiraField);
      fields[toolField] = hashValue(value);
      changed[toolField] = { side: 'tool', at: occurredAt };
    }
  }
  return { shadow: { fields, updatedAt: jiraShadow.updatedAt, changed }, jiraKept, notes };
}

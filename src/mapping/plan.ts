// The plan of one change, worked out against the link's shadow: which fields to send, which to
// leave alone, and what the shadow becomes once the change is delivered. The shadow holds, per
// tool field, a hash of the value last synced, in the tool's terms on both paths. That makes the
// loop guard: an echo from either side hashes the same, so it changes nothing and writes nothing.
import { fieldMappingsFor, jiraIssueTypeForCreate } from './config';
import { hashValue } from './hash';
import type { ConflictPolicy, Connection, FieldMapping, ProjectMapping } from './schema';
import { parseDateValue, toJiraValue, toToolValue, type JiraValueResult, type Lookup, type StatusTarget, type ToolValueContext } from './transforms';

/** When a field's value last changed in the shadow, and from which side it came. */
export interface FieldChange {
  side: 'jira' | 'tool';
  /** From the tool: the event's occurredAt. From Jira: when Tandem wrote it to the tool. ISO 8601. */
  at: string;
}

export interface Shadow {
  /** Tool field → hashValue of the value last synced (in the tool's terms). */
  fields: Record<string, string>;
  /** When the shadow last changed (ISO 8601). */
  updatedAt: string;
  /** Tool field → its last change; a tool event older than that is stale for the field. */
  changed?: Record<string, FieldChange> | undefined;
  /**
   * Tool field → hash of the value Tandem sent whose answer never came (a timeout, a dropped
   * connection): the tool may hold it or still the old one. Outbound sends the field again whatever
   * Jira holds; the tool reporting that very value is Tandem's own write, never a change for Jira.
   */
  unsure?: Record<string, string> | undefined;
}

/** The shadow after a send whose answer never came: the fields sent are unsure, and changed from Jira then. */
export function unsureShadow(shadow: Shadow, sent: Readonly<Record<string, unknown>>, at: string): Shadow {
  const unsure = { ...shadow.unsure };
  const changed = { ...shadow.changed };
  for (const [field, value] of Object.entries(sent)) {
    unsure[field] = hashValue(value);
    changed[field] = { side: 'jira', at };
  }
  return { ...shadow, changed, unsure };
}

/**
 * What a tool event newer than Tandem's unanswered send tells of it, when the event holds the value
 * a field had before the send (not the one sent). Either the send landed and a person put those
 * fields back, or it never landed and a person changed something else; the reading that needs fewer
 * changes by a person is taken:
 * - landed (the shadow takes the sent value, and the event is that person's change) when nothing
 *   else changed, or when fewer fields were put back than there are sent fields the tool holds as sent;
 * - never landed (`resend`: Jira's value goes to the tool again) when another mapped field changed, or
 *   when more sent fields hold their old value than their sent one (a person setting one field to the
 *   value Tandem was sending explains the event better than one putting back several).
 * Events older than the send, or holding the sent value, are left to the stale check and the plan.
 */
export function settleUnsure(input: { shadow: Shadow; record: Readonly<Record<string, unknown>>; occurredAt: string; mappings: readonly FieldMapping[] }): { shadow: Shadow; resend: boolean } {
  const { shadow, record } = input;
  const unsure = shadow.unsure;
  if (!unsure) return { shadow, resend: false };
  const event = parseDateValue(input.occurredAt);
  const tools = input.mappings.filter(writesJira).map((m) => m.tool);
  const differs = (field: string) => record[field] !== undefined && unsure[field] === undefined && hashValue(record[field]) !== shadow.fields[field];
  // Unsure fields the event is newer than, by what the tool holds: the sent value, or the one before.
  const newer = Object.entries(unsure).filter(([field]) => {
    if (!tools.includes(field) || record[field] === undefined) return false;
    const sentAt = parseDateValue(shadow.changed?.[field]?.at);
    return event !== undefined && sentAt !== undefined && event.ms > sentAt.ms;
  });
  const holdsSent = newer.filter(([field, sentHash]) => hashValue(record[field]) === sentHash).length;
  const putBack = newer.filter(([field, sentHash]) => hashValue(record[field]) !== sentHash && hashValue(record[field]) === shadow.fields[field]);
  const neverLanded = tools.some(differs) || (holdsSent > 0 && putBack.length > holdsSent);
  const fields = { ...shadow.fields };
  const left = { ...unsure };
  let resend = false;
  for (const [field, sentHash] of putBack) {
    delete left[field];
    if (neverLanded) resend = true;
    else fields[field] = sentHash;
  }
  const { unsure: _, ...rest } = shadow;
  return { shadow: { ...rest, fields, ...(Object.keys(left).length > 0 ? { unsure: left } : {}) }, resend };
}

/**
 * The shadow once the tool took Jira's values, their changes dated when it did (`at`): a tool event
 * from before then carries the record as it was (a record.created as the create made it, however
 * late; a person's change to another field, made while Tandem's send was on its way, with the old
 * value of the field sent), so it is older than the values sent and never changes Jira back.
 * `fields`: only these were sent (an update); without it, every change from Jira (a create).
 */
export function acknowledgedShadow(shadow: Shadow, at: string, fields?: readonly string[]): Shadow {
  const sent = (field: string) => fields === undefined || fields.includes(field);
  const changed = Object.fromEntries(Object.entries(shadow.changed ?? {}).map(([field, change]) => [field, change.side === 'jira' && sent(field) ? { side: 'jira' as const, at } : change]));
  return { ...shadow, updatedAt: at, changed };
}

/** The shadow's unsure fields without `done`; undefined when none is left. */
function unsureLeft(unsure: Shadow['unsure'], done: readonly string[]): Shadow['unsure'] {
  if (unsure === undefined) return undefined;
  const left = Object.fromEntries(Object.entries(unsure).filter(([field]) => !done.includes(field)));
  return Object.keys(left).length === 0 ? undefined : left;
}

export interface IssueSnapshot {
  id: string;
  key: string;
  /** Raw Jira REST values by field id. */
  fields: Record<string, unknown>;
  status: { name: string; categoryKey: string };
}

export interface SkippedField {
  field: string;
  reason: string;
}

/** The fields a Jira issue event payload carries; any other field needs a GET of the issue. */
export const EVENT_PAYLOAD_FIELDS: ReadonlySet<string> = new Set(['summary', 'issuetype', 'project', 'status', 'assignee', 'reporter', 'created', 'updated']);

/**
 * Fields Jira leaves out of an issue read when they are empty (an issue without a parent has no
 * `parent`); the event payload never carries them, so requiredJiraFields still reads the issue first.
 */
const OMITTED_WHEN_EMPTY: ReadonlySet<string> = new Set(['parent']);

const writesTool = (m: FieldMapping) => m.direction !== 'tool-to-jira';
const writesJira = (m: FieldMapping) => m.direction !== 'jira-to-tool';

const MISSING = Symbol('missing');

/**
 * A Jira field's raw value from the snapshot. A field the event payload always carries but that is
 * absent was empty (Jira leaves empty fields out of event payloads); any other absent field is unknown.
 */
function readJira(issue: Pick<IssueSnapshot, 'fields' | 'status'>, fieldId: string): unknown {
  if (fieldId === 'status') return issue.status;
  const v = issue.fields[fieldId];
  if (v !== undefined) return v;
  return EVENT_PAYLOAD_FIELDS.has(fieldId) || OMITTED_WHEN_EMPTY.has(fieldId) ? null : MISSING;
}

/** Labels Tandem adds itself are not part of the issue's content, so the tool never sees them. */
function withoutSyncLabel(mapping: FieldMapping, raw: unknown, label: string): unknown {
  if (mapping.jira !== 'labels' || label === '' || !Array.isArray(raw) || !raw.includes(label)) return raw;
  return raw.filter((l) => l !== label);
}

function isoOr(value: unknown, fallback: string): string {
  const parsed = parseDateValue(value);
  return parsed ? new Date(parsed.ms).toISOString() : fallback;
}

const EPOCH = new Date(0).toISOString();

// ---------------------------------------------------------------- outbound

export interface OutboundInput {
  connection: Connection;
  projectMapping: ProjectMapping;
  issue: IssueSnapshot;
  /** Undefined when the issue has no link yet: the plan is a create. */
  shadow: Shadow | undefined;
  emailOf: ToolValueContext['emailOf'];
  /** The record linked to an issue on this connection (a parent's), when the sync layer read it. */
  recordOf?: ToolValueContext['recordOf'];
  /** When the plan is made (ISO 8601), for shadowNext.updatedAt; defaults to the issue's `updated`. */
  at?: string;
}

export interface OutboundPlan {
  create: boolean;
  /** Tool field → value to send. Empty when nothing changed. */
  fields: Record<string, unknown>;
  /** The shadow once this plan is delivered; the very same object as the input shadow when nothing changed. */
  shadowNext: Shadow;
  /** Keyed by tool field. */
  skipped: SkippedField[];
}

/**
 * What to send to the tool for a Jira issue: on create, every mapped field (empty ones left out)
 * plus the project mapping's fixed values; on update, only fields whose value differs from the shadow.
 */
export function planOutbound(input: OutboundInput): OutboundPlan {
  const { connection, projectMapping, issue, shadow } = input;
  const create = shadow === undefined;
  const at = input.at ?? isoOr(issue.fields.updated, shadow?.updatedAt ?? EPOCH);
  if (projectMapping.direction === 'tool-to-jira') {
    return { create: false, fields: {}, shadowNext: shadow ?? { fields: {}, updatedAt: at }, skipped: [] };
  }
  const ctx: ToolValueContext = { emailOf: input.emailOf, ...(input.recordOf ? { recordOf: input.recordOf } : {}) };
  const label = connection.options.label;
  const fields: Record<string, unknown> = create ? { ...projectMapping.fixedValues } : {};
  const skipped: SkippedField[] = [];
  // Copied only on the first change, so an echo costs no allocation.
  let next: Record<string, string> | undefined = create ? {} : undefined;
  const changed: Record<string, FieldChange> = { ...shadow?.changed };

  for (const mapping of fieldMappingsFor(connection, projectMapping)) {
    if (!writesTool(mapping)) continue;
    const raw = readJira(issue, mapping.jira);
    if (raw === MISSING) {
      skipped.push({ field: mapping.tool, reason: `The issue data lacks the Jira field ${mapping.jira}` });
      continue;
    }
    const result = toToolValue(mapping, withoutSyncLabel(mapping, raw, label), ctx);
    if (result.kind !== 'value') {
      skipped.push({ field: mapping.tool, reason: result.reason });
      continue;
    }
    const hash = hashValue(result.value);
    if (!create && shadow.fields[mapping.tool] === hash && shadow.unsure?.[mapping.tool] === undefined) continue;
    if (!(create && (result.value === null || result.value === ''))) fields[mapping.tool] = result.value;
    next ??= { ...shadow?.fields };
    next[mapping.tool] = hash;
    changed[mapping.tool] = { side: 'jira', at };
  }

  // The issue's key and address, in the record fields the connection names. Sent with a create, and
  // after that only when the shadow knows what the record holds and it differs (the key changed with
  // a move, or the record was made in the tool and holds none yet).
  for (const [tool, value] of Object.entries(referenceValues(connection, issue))) {
    const hash = hashValue(value);
    const held = shadow?.fields[tool];
    if (!create && (held === undefined || held === hash)) continue;
    fields[tool] = value;
    next ??= { ...shadow?.fields };
    next[tool] = hash;
    changed[tool] = { side: 'jira', at };
  }

  const unsure = unsureLeft(shadow?.unsure, Object.keys(fields));
  const shadowNext = next === undefined && shadow !== undefined ? shadow : { fields: next ?? {}, updatedAt: at, changed, ...(unsure ? { unsure } : {}) };
  return { create, fields, shadowNext, skipped };
}

/** Where a person opens the issue: the site of its project's REST address, then /browse/<key>. */
export function issueBrowseUrl(issue: Pick<IssueSnapshot, 'key' | 'fields'>): string | undefined {
  const self = (issue.fields.project as { self?: unknown } | null | undefined)?.self;
  if (typeof self !== 'string') return undefined;
  try {
    const site = new URL(self);
    return site.protocol === 'https:' || site.protocol === 'http:' ? `${site.origin}/browse/${encodeURIComponent(issue.key)}` : undefined;
  } catch {
    return undefined;
  }
}

/** The record fields that hold the issue's reference (key, address) on this connection, with their values. */
export function referenceValues(connection: Connection, issue: Pick<IssueSnapshot, 'key' | 'fields'>): Record<string, string> {
  if (connection.protocol !== 'record-rest') return {};
  const values: Record<string, string> = {};
  if (connection.issueKeyField !== '') values[connection.issueKeyField] = issue.key;
  const url = connection.issueUrlField === '' ? undefined : issueBrowseUrl(issue);
  if (url !== undefined) values[connection.issueUrlField] = url;
  return values;
}

/**
 * The record fields of the issue's reference, as the record holds them now (hashes, for the shadow):
 * a record made in the tool holds no key yet, so outbound sees the difference and writes it back.
 */
export function referenceShadow(connection: Connection, record: Record<string, unknown>): Record<string, string> {
  if (connection.protocol !== 'record-rest') return {};
  const held: Record<string, string> = {};
  for (const field of [connection.issueKeyField, connection.issueUrlField]) if (field !== '') held[field] = hashValue(record[field] ?? null);
  return held;
}

/** Jira field ids the outbound plan needs that the issue data lacks (so the sync layer GETs the issue only then). */
export function requiredJiraFields(input: { connection: Connection; projectMapping: ProjectMapping; issue: Pick<IssueSnapshot, 'fields'> }): string[] {
  const needed: string[] = [];
  for (const mapping of fieldMappingsFor(input.connection, input.projectMapping)) {
    if (!writesTool(mapping)) continue;
    const id = mapping.jira;
    if (id === 'status' || EVENT_PAYLOAD_FIELDS.has(id) || input.issue.fields[id] !== undefined || needed.includes(id)) continue;
    needed.push(id);
  }
  return needed;
}

// ---------------------------------------------------------------- inbound

export interface InboundInput {
  connection: Connection;
  projectMapping: ProjectMapping;
  /** The record's fields as the tool sent them; an absent field is unchanged. */
  record: Record<string, unknown>;
  /** Undefined when the record has no link yet: the plan is a create. */
  shadow: Shadow | undefined;
  /** When the plan is made (ISO 8601), for shadowNext.updatedAt. */
  at?: string;
  /** When the tool made the change (the event's occurredAt): each field it writes changed then. */
  occurredAt?: string;
}

export interface InboundLookup {
  jiraField: string;
  toolField: string;
  lookup: Lookup;
}

export interface InboundPlan {
  create: boolean;
  /** On create: where the issue goes. Absent when the mapping names no issue type (see skipped). */
  createIn?: { projectKey: string; issueTypeName: string };
  /** Jira field id → value for an edit (or create). */
  jiraFields: Record<string, unknown>;
  /** A transition to make, when the state changed. */
  status?: StatusTarget;
  /** Values the sync layer resolves first (e.g. a user by email), then sets on jiraField. */
  lookups: InboundLookup[];
  shadowNext: Shadow;
  /** Keyed by Jira field id. */
  skipped: SkippedField[];
}

/**
 * The hash outbound will compute once Jira holds the value: stored in the shadow so the Jira event
 * our own write causes is recognised as an echo even when the round trip normalises the value
 * (Markdown re-rendered, a many-to-one table).
 */
function roundTripHash(mapping: FieldMapping, result: JiraValueResult, toolHash: string): string {
  let back;
  if (result.kind === 'value') back = toToolValue(mapping, result.value);
  else if (result.kind === 'status') back = toToolValue(mapping, { name: result.name, categoryKey: result.category });
  else return toolHash;
  return back.kind === 'value' ? hashValue(back.value) : toolHash;
}

/** What to write to Jira for a tool record: symmetric to planOutbound. */
export function planInbound(input: InboundInput): InboundPlan {
  const { connection, projectMapping, record, shadow } = input;
  const create = shadow === undefined;
  const at = input.at ?? shadow?.updatedAt ?? EPOCH;
  const plan: InboundPlan = { create, jiraFields: {}, lookups: [], shadowNext: shadow ?? { fields: {}, updatedAt: at }, skipped: [] };
  if (projectMapping.direction === 'jira-to-tool') return { ...plan, create: false };
  const label = connection.options.label;
  let next: Record<string, string> | undefined = create ? {} : undefined;
  const changed: Record<string, FieldChange> = { ...shadow?.changed };
  const changedAt = input.occurredAt ?? at;
  const confirmed: string[] = [];

  for (const mapping of fieldMappingsFor(connection, projectMapping)) {
    if (!writesJira(mapping)) continue;
    const toolValue = record[mapping.tool];
    if (toolValue === undefined) continue;
    const toolHash = hashValue(toolValue);
    const previous = shadow?.fields[mapping.tool];
    if (!create && shadow.unsure?.[mapping.tool] === toolHash) {
      // Tandem's own write whose answer was lost, reported back: the tool holds it; Jira is not changed.
      next ??= { ...shadow.fields };
      next[mapping.tool] = toolHash;
      confirmed.push(mapping.tool);
      continue;
    }
    if (!create && toolHash === previous) continue;
    const result = toJiraValue(mapping, toolValue);
    if (result.kind === 'skip' || result.kind === 'error') {
      plan.skipped.push({ field: mapping.jira, reason: result.reason });
      continue;
    }
    const hash = roundTripHash(mapping, result, toolHash);
    // The tool re-sent what Jira already holds, in its own spelling.
    if (!create && hash === previous) continue;
    if (result.kind === 'status') plan.status = result;
    else if (result.kind === 'sprint-by-name') plan.lookups.push({ jiraField: mapping.jira, toolField: mapping.tool, lookup: { ...result, ...(projectMapping.board ? { boardId: projectMapping.board } : {}) } });
    else if (result.kind === 'user-by-email' || result.kind === 'users-by-email' || result.kind === 'issue-of-record') plan.lookups.push({ jiraField: mapping.jira, toolField: mapping.tool, lookup: result });
    else if (!(create && result.value === null)) plan.jiraFields[mapping.jira] = result.value;
    next ??= { ...shadow?.fields };
    next[mapping.tool] = hash;
    changed[mapping.tool] = { side: 'tool', at: changedAt };
    // The tool's own change replaces a value Tandem sent there without an answer (a stale one, or
    // one Jira wins, is settled with the conflicts).
    confirmed.push(mapping.tool);
  }

  if (label !== '') {
    const labels = plan.jiraFields.labels;
    if (Array.isArray(labels) && !labels.includes(label)) plan.jiraFields.labels = [...(labels as unknown[]), label];
    else if (create && labels === undefined) plan.jiraFields.labels = [label];
  }
  if (create) {
    const issueTypeName = jiraIssueTypeForCreate(projectMapping);
    if (issueTypeName === undefined) {
      plan.skipped.push({ field: 'issuetype', reason: `The project mapping for ${projectMapping.projectKey} names no issue type for issues created from the tool` });
    } else plan.createIn = { projectKey: projectMapping.projectKey, issueTypeName };
  }
  const unsure = unsureLeft(shadow?.unsure, confirmed);
  if (next !== undefined) plan.shadowNext = { fields: next, updatedAt: at, changed, ...(unsure ? { unsure } : {}) };
  return plan;
}

// ---------------------------------------------------------------- conflicts

export interface FieldConflict {
  toolField: string;
  jiraField: string;
  /** Jira's value, in the tool's terms. */
  jiraValue: unknown;
  toolValue: unknown;
  /**
   * Jira holds the shadow's value, yet a person set it there after the tool's change (Jira's
   * changelog says): changed away and back, e.g. over a write of Tandem's whose try died before
   * its shadow was saved. Only `withJiraAsShadow` lists these; the caller keeps those the changelog bears out.
   */
  asShadow?: true;
}

/**
 * Fields changed on both sides since the shadow, to different values. Only two-way fields can
 * conflict; without a shadow there is nothing to compare against. `withJiraAsShadow`: also the
 * fields the tool changed where Jira holds the shadow's value (`asShadow`).
 */
export function detectConflicts(input: {
  connection: Connection;
  projectMapping: ProjectMapping;
  issue: IssueSnapshot;
  record: Record<string, unknown>;
  shadow: Shadow | undefined;
  emailOf: ToolValueContext['emailOf'];
  withJiraAsShadow?: boolean;
}): FieldConflict[] {
  const { connection, projectMapping, issue, record, shadow } = input;
  if (!shadow || projectMapping.direction !== 'both') return [];
  const ctx: ToolValueContext = { emailOf: input.emailOf };
  const conflicts: FieldConflict[] = [];
  for (const mapping of fieldMappingsFor(connection, projectMapping)) {
    if (mapping.direction !== 'both') continue;
    const previous = shadow.fields[mapping.tool];
    const toolValue = record[mapping.tool];
    if (previous === undefined || toolValue === undefined) continue;
    const toolHash = hashValue(toolValue);
    if (toolHash === previous || shadow.unsure?.[mapping.tool] === toolHash) continue;
    const raw = readJira(issue, mapping.jira);
    if (raw === MISSING) continue;
    const jira = toToolValue(mapping, withoutSyncLabel(mapping, raw, connection.options.label), ctx);
    if (jira.kind !== 'value') continue;
    const jiraHash = hashValue(jira.value);
    if (jiraHash === previous && input.withJiraAsShadow) conflicts.push({ toolField: mapping.tool, jiraField: mapping.jira, jiraValue: jira.value, toolValue, asShadow: true });
    if (jiraHash === previous || jiraHash === toolHash) continue;
    const toolAsJira = toJiraValue(mapping, toolValue);
    if (toolAsJira.kind !== 'skip' && toolAsJira.kind !== 'error' && roundTripHash(mapping, toolAsJira, toolHash) === jiraHash) continue;
    conflicts.push({ toolField: mapping.tool, jiraField: mapping.jira, jiraValue: jira.value, toolValue });
  }
  return conflicts;
}

/**
 * Which side's value stands in a conflict. Newest-wins compares the issue's `updated` with the
 * record's update time; when either is unknown, or they are equal, Jira wins.
 */
export function conflictWinner(policy: ConflictPolicy, times: { jiraUpdatedAt?: unknown; toolUpdatedAt?: unknown } = {}): 'jira' | 'tool' {
  if (policy === 'jira-wins') return 'jira';
  if (policy === 'tool-wins') return 'tool';
  const jira = parseDateValue(times.jiraUpdatedAt);
  const tool = parseDateValue(times.toolUpdatedAt);
  return jira && tool && tool.ms > jira.ms ? 'tool' : 'jira';
}

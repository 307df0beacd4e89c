// record.created for a record not linked yet: a new issue in the mapped project and type, made from
// the fields the create screen takes (Jira's required fields filled by the record or the connection's
// defaults), linked at once so no retry makes a second one, with a remote link to the record, its
// status, and the issue's key queued for writing back to the record.
import * as z from 'zod';
import { fieldMappingsFor, hashValue, inboundOptionsOf, toToolValue, mappingsForModule, planInbound, referenceShadow, type FieldMapping, type InboundPlan, type Shadow, type SkippedField } from '../../mapping';
import type { RecordEvent } from '../inbound-event';
import type { InboundAnswer } from '../inbound-request';
import { answer, refusal } from '../inbound-request';
import { isTransientJiraError, type JiraRefusal, type JiraScreenField, type StoreWrite } from '../ports';
import { createIntentKey, issueStateKey, recordIndexKey, remoteLinkOf, type Link } from '../state';
import { releaseWaitingChildren } from '../hierarchy';
import { skipLine } from '../journal';
import { ISSUE_PROPERTY_KEY, propertyValue, SEARCH_CATCH_UP_SECONDS, publishedKey, publishInboundOutcome, type PublishedEntry } from '../issue-property';
import { fieldFailureWrites, refusedFieldReason, statusSkipReason, type RefusedField } from './field-failures';
import { refusalText, resolveLookups, restoreShadow, toolFieldOf } from './fields';
import { activity, commit, deliverIssue, iso, labelOf, RecordBusy, type InboundRun } from './run';
import { moveStatus } from './status';

type RecordCreated = Extract<RecordEvent, { type: 'record.created' }>;

/** Fields Jira fills itself when an issue is created. */
const SET_BY_CREATE = new Set(['project', 'issuetype', 'reporter']);

/** What a new issue is made from, and what is left out of it. */
interface CreateDraft {
  plan: InboundPlan;
  projectKey: string;
  issueTypeName: string;
  issueTypeId: string;
  onScreen: Map<string, JiraScreenField>;
  /** Jira field id → value for the create. */
  fields: Record<string, unknown>;
  next: Shadow;
  skipped: SkippedField[];
  notes: string[];
  mappings: readonly FieldMapping[];
  /** Record fields that hold the issue's reference, when they must be written back. */
  reference: Record<string, string>;
  record: RecordCreated['record'];
  /** Fields Jira refused, or values Tandem could not find (a sprint), left out of the create: each kept as a failure of its own. */
  refused: RefusedField[];
}

export async function createIssue(run: InboundRun, event: RecordCreated, lock: string): Promise<InboundAnswer> {
  const { ports, connection } = run;
  const { record } = event;
  const draft = await draftIssue(run, event);
  if ('status' in draft) return draft;
  // Made with its sync state, so a try of this create that died after Jira made the issue (before
  // its link was saved) left an issue the next try finds by it, instead of making a second.
  const intent = createIntentKey(connection.id, record.module, record.id);
  const published: PublishedEntry = { connection: connection.id, record: record.number ?? record.id, state: 'synced', since: iso(run) };
  const died = intentSchema.safeParse(await ports.store.get(intent));
  const earlier = died.success ? await issueMadeFor(run, published) : undefined;
  if (died.success && !earlier) {
    // Jira's search trails its writes ("a few seconds to minutes"): the issue an earlier try made may
    // not be found yet. Until that try is old enough for search to show it, look again later.
    const waitMs = Date.parse(died.data.at) + SEARCH_CATCH_UP_SECONDS * 1000 - ports.clock.now();
    if (waitMs > 0) throw new RecordBusy(`An earlier try to create the issue for ${labelOf(record)} stopped part way; Tandem looks for the issue it may have made before making one`, Math.min(Math.ceil(waitMs / 1000), SEARCH_LOOK_AGAIN_SECONDS));
  }
  if (!earlier) await ports.store.set(intent, { at: iso(run) }, CREATE_INTENT_SECONDS);
  const created = earlier ?? (await createWithFallback(run, draft, [{ key: ISSUE_PROPERTY_KEY, value: propertyValue([published]) }]));
  if (!created.ok) {
    await ports.store.delete(intent).catch(() => undefined);
    return refusal('jira_refused', `Jira refused to create the issue: ${refusalText(created.refusal, 400)}`, 'record.fields');
  }
  const { next, skipped, notes, mappings } = draft;
  const link: Link = {
    connectionId: connection.id,
    module: record.module,
    externalId: record.id,
    url: record.url,
    ...(record.number ? { number: record.number } : {}),
    issueKey: created.key,
    shadow: next,
    linkedAt: iso(run),
  };
  // The link is saved before anything else can fail, so no retry ever creates a second issue. Until
  // the change is done it owes the status and the remote link: a retry of this event (Jira busy, a
  // crash) finds them owed, moves the status and queues the delivery that writes the key back.
  // The status it owes starts from the one Jira made the issue in, so a retry that finds a person
  // moved it since sees a conflict the connection's policy settles, and never simply undoes the move.
  const made = draft.plan.status ? await ports.jira.getIssue(created.id, ['summary'], { transitions: true }) : undefined;
  const owed: Shadow = { fields: { ...next.fields }, updatedAt: next.updatedAt, changed: { ...next.changed } };
  restoreShadow(owed, undefined, toolFieldOf(mappings, 'status'));
  const statusMapping = mappings.find((m) => m.jira === 'status');
  const madeIn = made && statusMapping ? toToolValue(statusMapping, made.status) : undefined;
  if (statusMapping && madeIn?.kind === 'value') owed.fields[statusMapping.tool] = hashValue(madeIn.value);
  await ports.store.writeAll([
    { key: issueStateKey(created.id), value: { links: { [connection.id]: { ...link, shadow: owed, remoteLinkOwed: true } } } },
    { key: recordIndexKey(connection.id, record.module, record.id), value: { issueId: created.id, issueKey: created.key, madeBy: event.eventId } },
    { key: lock, delete: true },
    { key: intent, delete: true },
    // What the issue was made with: the issue's first delivery has no state to write again.
    { key: publishedKey(created.id), value: { entries: [published] } },
  ]);
  const applied = Object.keys(draft.fields);
  const remote = await addRemoteLink(run, created.id, link);
  notes.push(...remote.notes);
  if (remote.owed) link.remoteLinkOwed = true;
  const writes: StoreWrite[] = await fieldFailureWrites(run, { issue: created, record, occurredAt: event.occurredAt, mappings }, draft.refused, []);
  if (draft.plan.status) {
    const issue = made;
    const moved = issue
      ? await moveStatus(run, { issue, target: draft.plan.status, values: draft.fields, record, occurredAt: event.occurredAt, mappings })
      : { ok: false as const, path: [], reason: 'The new issue could not be read back', writes: [] };
    writes.push(...moved.writes);
    if (moved.ok && moved.path.length > 0) applied.push('status');
    if (!moved.ok) {
      skipped.push({ field: 'status', reason: statusSkipReason({ record, mappings }, moved.reason) });
      restoreShadow(next, undefined, toolFieldOf(mappings, 'status'));
    }
  }
  await commit(run, [
    ...writes,
    { key: issueStateKey(created.id), value: { links: { [connection.id]: { ...link, shadow: next } } } },
    activity(run, {
      outcome: 'synced',
      issueKey: created.key,
      externalId: record.id,
      summary: `Created ${created.key} from ${labelOf(record)}`,
      details: [...skipped.map((s) => skipLine(s, 'inbound')), ...notes],
    }),
  ]);
  await publishInboundOutcome(ports, created.id, connection.id, link.number ?? link.externalId, writes);
  // Records that named this one as their parent before it had an issue get it now.
  await releaseWaitingChildren(ports, connection.id, record.id).catch((error: unknown) => console.error('Could not give waiting children their parent', error instanceof Error ? error.name : typeof error));
  if (Object.keys(draft.reference).length > 0 || link.remoteLinkOwed) {
    try {
      await deliverIssue(run, connection.id, created);
    } catch (error) {
      // Still owed in the shadow: the next delivery of the issue to the tool writes it.
      console.error('Could not queue writing the issue key back to the record', connection.id, error instanceof Error ? error.message.slice(0, 200) : 'unknown error');
    }
  }
  return answer('created', { issueKey: created.key, applied, skipped, ...(notes.length > 0 ? { notes } : {}) });
}

/** The project, type and create screen, and the fields that fit on it; a refusal when Jira cannot take the issue. */
async function draftIssue(run: InboundRun, event: RecordCreated): Promise<CreateDraft | InboundAnswer> {
  const { ports, connection } = run;
  const { record } = event;
  const projectMapping = mappingsForModule(connection, record.module).find((m) => m.direction !== 'jira-to-tool');
  if (!projectMapping) return refusal('direction_jira_to_tool', `The module ${record.module} is mapped Jira to tool only`, 'record.module');
  const plan = planInbound({ connection, projectMapping, record: record.fields, shadow: undefined, at: iso(run), occurredAt: event.occurredAt });
  if (!plan.createIn) return refusal('not_mappable', plan.skipped.find((s) => s.field === 'issuetype')?.reason ?? 'No issue type for new issues', 'record.module');
  const { projectKey, issueTypeName } = plan.createIn;
  const types = await ports.jira.getCreateIssueTypes(projectKey);
  if (!types) return refusal('not_mappable', `Jira has no project ${projectKey} that Tandem can create issues in`, 'record.module');
  const type = types.find((t) => t.name.localeCompare(issueTypeName, undefined, { sensitivity: 'accent' }) === 0);
  if (!type) return refusal('not_mappable', `Tandem cannot create a ${issueTypeName} in ${projectKey}`, 'record.module');
  const screen = await ports.jira.getCreateFields(projectKey, type.id);
  const onScreen = new Map<string, JiraScreenField>(screen.map((f) => [f.fieldId, f]));

  // What the record holds of the issue's reference (nothing yet): the ordinary outbound delivery
  // sees the difference and writes the key (and address) back to the record.
  const reference = projectMapping.direction === 'both' ? referenceShadow(connection, record.fields) : {};
  const next: Shadow = { fields: { ...plan.shadowNext.fields, ...reference }, updatedAt: plan.shadowNext.updatedAt, changed: { ...plan.shadowNext.changed } };
  const skipped = plan.skipped.map((s) => ({ ...s }));
  const notes: string[] = [];
  const mappings = fieldMappingsFor(connection, projectMapping);
  const unfound = await resolveLookups(run, plan, next, notes, { module: record.module, id: record.id, occurredAt: event.occurredAt, previous: undefined });
  for (const r of unfound) skipped.push({ field: r.jiraField, reason: (r.reason ?? r.message).slice(0, 400) });
  const fields: Record<string, unknown> = {};
  for (const [id, value] of Object.entries({ ...inboundOptionsOf(connection).createDefaults, ...plan.jiraFields })) {
    if (value === null) continue;
    if (!onScreen.has(id)) {
      skipped.push({ field: id, reason: `Not on the create screen of ${issueTypeName} in ${projectKey}` });
      restoreShadow(next, undefined, toolFieldOf(mappings, id));
      continue;
    }
    fields[id] = value;
  }
  const missing = screen.filter((f) => f.required && !f.hasDefaultValue && !SET_BY_CREATE.has(f.fieldId) && fields[f.fieldId] === undefined);
  if (missing.length > 0) {
    const names = missing.map((f) => `${f.name || f.fieldId} (${f.fieldId})`).join(', ');
    return refusal('required_field_missing', `Jira requires ${names} to create a ${issueTypeName} in ${projectKey}; the record does not fill it and the connection has no default`, `record.fields`);
  }
  return { plan, projectKey, issueTypeName, issueTypeId: type.id, onScreen, fields, next, skipped, notes, mappings, reference, record, refused: unfound };
}

/** Creates the issue; when Jira refuses fields that are not required, they are left out and it is tried once more. */
/** Longer than any retry of the event takes. */
const CREATE_INTENT_SECONDS = 24 * 60 * 60;
const intentSchema = z.object({ at: z.string() });
/** How often it looks meanwhile. */
const SEARCH_LOOK_AGAIN_SECONDS = 30;

/** The issue an earlier try made for the record, found by the sync state it was made with (Jira's search may lag a little). */
async function issueMadeFor(run: InboundRun, entry: PublishedEntry): Promise<{ ok: true; id: string; key: string } | undefined> {
  const quoted = (text: string) => `"${text.replace(/["\\]/g, '\\$&')}"`;
  const page = await run.ports.jira.searchIssues({ jql: `tandemConnection = ${quoted(entry.connection)} AND tandemRecord = ${quoted(entry.record ?? '')}`, fields: ['summary'], maxResults: 1 });
  const found = page.issues[0];
  return found ? { ok: true, id: found.id, key: found.key } : undefined;
}

async function createWithFallback(
  run: InboundRun,
  draft: CreateDraft,
  properties: ReadonlyArray<{ key: string; value: unknown }>,
): Promise<{ ok: true; id: string; key: string } | { ok: false; refusal: JiraRefusal }> {
  const create = () => run.ports.jira.createIssue({ project: { key: draft.projectKey }, issuetype: { id: draft.issueTypeId }, ...draft.fields }, properties);
  const first = await create();
  if (first.ok) return first;
  const refused = Object.keys(first.refusal.fieldErrors).filter((id) => id in draft.fields && !draft.onScreen.get(id)?.required);
  if (refused.length === 0 || refused.length < Object.keys(first.refusal.fieldErrors).length) return first;
  for (const id of refused) {
    const message = (first.refusal.fieldErrors[id] ?? '').slice(0, 200);
    draft.refused.push({ jiraField: id, message });
    draft.skipped.push({ field: id, reason: refusedFieldReason({ record: draft.record, mappings: draft.mappings }, id, message).slice(0, 400) });
    restoreShadow(draft.next, undefined, toolFieldOf(draft.mappings, id));
    delete draft.fields[id];
  }
  return create();
}

/** The record shown in the issue (a remote link with a stable id); a failure is a note, never the event's end. */
async function addRemoteLink(run: InboundRun, issueId: string, link: Link): Promise<{ notes: string[]; owed: boolean }> {
  try {
    await run.ports.jira.upsertRemoteLink(issueId, remoteLinkOf(run.connection, link));
    return { notes: [], owed: false };
  } catch (error) {
    // Owed by the link: the issue's delivery to the tool, queued below, adds it.
    if (isTransientJiraError(error)) return { notes: ['The link to the record in Jira could not be added yet (Jira is busy); it is added with the next delivery'], owed: true };
    return { notes: [`The link to the record in Jira could not be added: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`], owed: false };
  }
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adoptionShadow, hashValue, lastFieldChanges, settleConflicts, type ConflictPolicy, type FieldConflict, type InboundPlan, type Shadow } from '../../../src/mapping';
import { tandemChangeMetadata } from '../../../src/ports';

const AT = '2026-11-22T08:00:00.000Z';
const shadow: Shadow = { fields: { short_description: hashValue('Old title'), state: hashValue('new'), assigned_to: hashValue('ada@example.com') }, updatedAt: AT };

/** The tool changed the title, the state and the assignee; Jira changed them too. */
function plan(): InboundPlan {
  return {
    create: false,
    jiraFields: { summary: 'Title from the tool', priority: { name: 'High' } },
    status: { kind: 'status', name: 'In Progress', category: 'indeterminate' },
    lookups: [{ jiraField: 'assignee', toolField: 'assigned_to', lookup: { kind: 'user-by-email', email: 'bo@example.com' } }],
    shadowNext: { fields: { ...shadow.fields, short_description: hashValue('Title from the tool'), state: hashValue('in_progress'), assigned_to: hashValue('bo@example.com'), priority: hashValue('P2') }, updatedAt: AT },
    skipped: [],
  };
}

const conflict = (jiraField: string, toolField: string): FieldConflict => ({ jiraField, toolField, jiraValue: 'jira', toolValue: 'tool' });
const ALL = [conflict('summary', 'short_description'), conflict('status', 'state'), conflict('assignee', 'assigned_to')];
const JIRA_EARLIER = '2026-11-22T07:00:00.000+0000';
const JIRA_LATER = '2026-11-22T09:00:00.000+0000';
const TOOL_AT = '2026-11-22T08:30:00Z';

const rows: Array<{ title: string; policy: ConflictPolicy; conflicts: FieldConflict[]; jiraUpdatedAt?: string; toolUpdatedAt?: string; winner: 'jira' | 'tool' | 'none'; jiraFields: string[]; status: boolean; lookups: string[] }> = [
  { title: 'no conflict changes nothing', policy: 'jira-wins', conflicts: [], winner: 'none', jiraFields: ['summary', 'priority'], status: true, lookups: ['assignee'] },
  { title: 'Jira wins: every conflicting field stays as Jira has it', policy: 'jira-wins', conflicts: ALL, winner: 'jira', jiraFields: ['priority'], status: false, lookups: [] },
  { title: 'the tool wins: the change applies whole', policy: 'tool-wins', conflicts: ALL, winner: 'tool', jiraFields: ['summary', 'priority'], status: true, lookups: ['assignee'] },
  { title: 'newest wins, the tool changed later', policy: 'newest-wins', conflicts: ALL, jiraUpdatedAt: JIRA_EARLIER, toolUpdatedAt: TOOL_AT, winner: 'tool', jiraFields: ['summary', 'priority'], status: true, lookups: ['assignee'] },
  { title: 'newest wins, Jira changed later', policy: 'newest-wins', conflicts: ALL, jiraUpdatedAt: JIRA_LATER, toolUpdatedAt: TOOL_AT, winner: 'jira', jiraFields: ['priority'], status: false, lookups: [] },
  { title: 'newest wins with a time unknown: Jira', policy: 'newest-wins', conflicts: ALL, toolUpdatedAt: TOOL_AT, winner: 'jira', jiraFields: ['priority'], status: false, lookups: [] },
  { title: 'only the conflicting field is held back', policy: 'jira-wins', conflicts: [conflict('summary', 'short_description')], winner: 'jira', jiraFields: ['priority'], status: true, lookups: ['assignee'] },
];

for (const row of rows) {
  test(`conflicts: ${row.title}`, () => {
    const input = plan();
    const settled = settleConflicts({ policy: row.policy, conflicts: row.conflicts, plan: input, shadow, shadowNext: input.shadowNext, jiraUpdatedAt: row.jiraUpdatedAt, toolUpdatedAt: row.toolUpdatedAt });
    assert.deepEqual(Object.keys(settled.plan.jiraFields), row.jiraFields);
    assert.equal(settled.plan.status !== undefined, row.status);
    assert.deepEqual(settled.plan.lookups.map((l) => l.jiraField), row.lookups);
    assert.equal(settled.jiraWon, row.winner === 'jira');
    assert.deepEqual(settled.winners, row.conflicts.map((c) => ({ field: c.jiraField, winner: row.winner })));
    assert.equal(settled.notes.length, row.conflicts.length);
    for (const c of row.conflicts) {
      // A field Jira keeps holds what the tool holds, so the next delivery sends Jira's value to the tool.
      assert.equal(settled.shadowNext.fields[c.toolField], row.winner === 'jira' ? hashValue(c.toolValue) : input.shadowNext.fields[c.toolField]);
    }
    assert.equal(settled.shadowNext.fields.priority, hashValue('P2'), 'fields without a conflict keep their new hash');
    assert.deepEqual(input, plan(), 'the plan given is left as it was');
  });
}

test('conflicts: a field Jira keeps that the shadow never held holds the tool’s value, so the delivery sends Jira’s', () => {
  const input = plan();
  const settled = settleConflicts({ policy: 'jira-wins', conflicts: [conflict('priority', 'priority')], plan: input, shadow, shadowNext: input.shadowNext, jiraUpdatedAt: undefined, toolUpdatedAt: undefined });
  assert.equal(settled.shadowNext.fields.priority, hashValue('tool'));
  assert.equal('priority' in settled.plan.jiraFields, false);
});

test('conflicts: a field a person put back in Jira after the tool’s change (Jira holds the shadow’s value): Jira keeps it under newest-wins, and the shadow holds the tool’s value so the delivery sends Jira’s', () => {
  const input = plan();
  const putBack: FieldConflict = { jiraField: 'summary', toolField: 'short_description', jiraValue: 'Old title', toolValue: 'Title from the tool', asShadow: true };
  const settled = settleConflicts({ policy: 'newest-wins', conflicts: [putBack], plan: input, shadow, shadowNext: input.shadowNext, jiraUpdatedAt: JIRA_LATER, toolUpdatedAt: TOOL_AT, jiraChanges: { summary: { at: JIRA_LATER, own: false } } });
  assert.equal('summary' in settled.plan.jiraFields, false, 'the person’s later value stands');
  assert.equal(settled.jiraWon, true, 'the tool is told');
  assert.equal(settled.shadowNext.fields.short_description, hashValue('Title from the tool'), 'unlike the shadow, so the delivery sends it');
  assert.deepEqual(settled.shadowNext.changed?.short_description, { side: 'tool', at: TOOL_AT });
  const earlier = settleConflicts({ policy: 'newest-wins', conflicts: [putBack], plan: plan(), shadow, shadowNext: input.shadowNext, jiraUpdatedAt: JIRA_EARLIER, toolUpdatedAt: TOOL_AT, jiraChanges: { summary: { at: JIRA_EARLIER, own: false } } });
  assert.equal(earlier.plan.jiraFields.summary, 'Title from the tool', 'a put-back older than the tool’s change gives way to it');
});

const TOOL_FIELDS = { summary: 'short_description', status: 'state', assignee: 'assigned_to', priority: 'priority' };
const staleRows: Array<{ title: string; side: 'jira' | 'tool'; lastAt: string; occurredAt: string; stale: boolean }> = [
  { title: 'Tandem wrote Jira’s value to the tool after the event: stale', side: 'jira', lastAt: '2026-11-22T08:40:00.000Z', occurredAt: TOOL_AT, stale: true },
  { title: 'a later tool event was applied before this one: stale', side: 'tool', lastAt: '2026-11-22T08:31:00.000Z', occurredAt: TOOL_AT, stale: true },
  { title: 'the event is newer than the last change: it applies', side: 'jira', lastAt: '2026-11-22T08:10:00.000Z', occurredAt: TOOL_AT, stale: false },
  { title: 'the same moment: it applies', side: 'tool', lastAt: '2026-11-22T08:30:00.000Z', occurredAt: TOOL_AT, stale: false },
];

for (const row of staleRows) {
  test(`conflicts, per field: ${row.title}`, () => {
    const input = plan();
    const known: Shadow = { ...shadow, fields: { ...shadow.fields, priority: hashValue('P3') }, changed: { short_description: { side: row.side, at: row.lastAt } } };
    const settled = settleConflicts({ policy: 'tool-wins', conflicts: [], plan: input, shadow: known, shadowNext: input.shadowNext, jiraUpdatedAt: undefined, toolUpdatedAt: row.occurredAt, toolFields: TOOL_FIELDS });
    assert.equal('summary' in settled.plan.jiraFields, !row.stale);
    assert.deepEqual(settled.stale, row.stale ? ['summary'] : []);
    assert.equal(settled.shadowNext.fields.short_description, row.stale ? known.fields.short_description : input.shadowNext.fields.short_description);
    assert.deepEqual(Object.keys(settled.plan.jiraFields).filter((f) => f !== 'summary'), ['priority'], 'fields the shadow knows no later change of apply');
    assert.equal(settled.plan.status !== undefined, true);
  });
}

test('conflicts: the tool reports an older change of a field Tandem sent Jira’s newer value to without an answer: the tool holds that older value, so Jira’s goes to it again', () => {
  const input = plan();
  const sentAt = '2026-11-22T08:40:00.000Z';
  const known: Shadow = { ...shadow, changed: { short_description: { side: 'jira', at: sentAt } }, unsure: { short_description: hashValue('Title from Jira') } };
  const settled = settleConflicts({ policy: 'tool-wins', conflicts: [], plan: input, shadow: known, shadowNext: input.shadowNext, jiraUpdatedAt: undefined, toolUpdatedAt: TOOL_AT, toolFields: TOOL_FIELDS });
  assert.equal('summary' in settled.plan.jiraFields, false, 'Jira keeps its newer value');
  assert.equal(settled.shadowNext.fields.short_description, input.shadowNext.fields.short_description, 'the shadow holds what the tool holds');
  assert.equal(settled.shadowNext.unsure, undefined, 'unsure no more');
  assert.deepEqual(settled.shadowNext.changed?.short_description, { side: 'jira', at: sentAt });
  assert.equal(settled.jiraWon, true, 'the tool is told');
});

test('conflicts: a stale change of a field Tandem is sure it wrote leaves the shadow as it was and tells the tool nothing', () => {
  const input = plan();
  const known: Shadow = { ...shadow, changed: { short_description: { side: 'jira', at: '2026-11-22T08:40:00.000Z' } } };
  const settled = settleConflicts({ policy: 'tool-wins', conflicts: [], plan: input, shadow: known, shadowNext: input.shadowNext, jiraUpdatedAt: undefined, toolUpdatedAt: TOOL_AT, toolFields: TOOL_FIELDS });
  assert.equal(settled.shadowNext.fields.short_description, known.fields.short_description);
  assert.equal(settled.jiraWon, false);
});

test('conflicts: a record naming an issue Jira changed since it was made keeps Jira’s differing values under jira-wins', () => {
  const jiraShadow: Shadow = { fields: { short_description: hashValue('Newer title'), priority: hashValue('P1') }, updatedAt: AT };
  const record = { short_description: 'Old title', priority: 'P1' };
  const twoWay = { short_description: 'summary', priority: 'priority' };
  const later = adoptionShadow({ policy: 'jira-wins', jiraShadow, record, twoWay, jiraUpdatedAt: JIRA_LATER, occurredAt: TOOL_AT });
  assert.deepEqual(later.jiraKept, ['summary']);
  assert.equal(later.shadow.fields.short_description, hashValue('Old title'), 'the record’s value, so the delivery sends Jira’s');
  const toolWins = adoptionShadow({ policy: 'tool-wins', jiraShadow, record, twoWay, jiraUpdatedAt: JIRA_LATER, occurredAt: TOOL_AT });
  assert.deepEqual(toolWins.jiraKept, []);
  const unchangedSince = adoptionShadow({ policy: 'jira-wins', jiraShadow, record, twoWay, jiraUpdatedAt: JIRA_EARLIER, occurredAt: TOOL_AT });
  assert.deepEqual(unchangedSince.jiraKept, [], 'Jira not changed since the record was made: the record applies');
});

test('a record Tandem made holds what Tandem sent: a value Jira changed after that read is never undone, however late the record was made', () => {
  // Tandem read the issue unassigned and sent that; Jira's assignee changed before the tool made the record.
  const record = { short_description: 'Disk full', assigned_to: null };
  const sent = { short_description: hashValue('Disk full'), assigned_to: hashValue(null) };
  const jiraShadow: Shadow = { fields: { short_description: hashValue('Disk full'), assigned_to: hashValue('sam@example.com') }, updatedAt: AT };
  const twoWay = { short_description: 'summary', assigned_to: 'assignee' };
  for (const policy of ['newest-wins', 'jira-wins', 'tool-wins'] as const) {
    const adopted = adoptionShadow({ policy, jiraShadow, record, twoWay, jiraUpdatedAt: JIRA_EARLIER, occurredAt: TOOL_AT, sent });
    assert.equal(adopted.shadow.fields.assigned_to, hashValue(null), `${policy}: the record's value is what was sent, so nothing is applied to Jira and the delivery sends Jira's`);
    assert.deepEqual(adopted.jiraKept, ['assignee'], policy);
  }
});

test('a record Tandem made holds the tool’s empty default where the create left an empty Jira value out: an assignee set in Jira since is never undone', () => {
  // The create sent no assignee (the issue had none then); a person assigned the issue before the tool made the record.
  const record = { short_description: 'Disk full', assigned_to: null, tags: [] };
  const sent = { short_description: hashValue('Disk full') };
  const jiraShadow: Shadow = { fields: { short_description: hashValue('Disk full'), assigned_to: hashValue('sam@example.com'), tags: hashValue(['db']) }, updatedAt: AT };
  const twoWay = { short_description: 'summary', assigned_to: 'assignee', tags: 'labels' };
  for (const policy of ['newest-wins', 'jira-wins', 'tool-wins'] as const) {
    const adopted = adoptionShadow({ policy, jiraShadow, record, twoWay, jiraUpdatedAt: JIRA_EARLIER, occurredAt: TOOL_AT, sent });
    assert.equal(adopted.shadow.fields.assigned_to, hashValue(null), `${policy}: the delivery sends Jira's assignee`);
    assert.deepEqual(adopted.jiraKept, ['assignee', 'labels'], policy);
  }
  // A record the tool made itself (no create of Tandem's) is the tool's word, empty or not.
  const theirs = adoptionShadow({ policy: 'jira-wins', jiraShadow, record, twoWay, jiraUpdatedAt: JIRA_EARLIER, occurredAt: TOOL_AT });
  assert.deepEqual(theirs.jiraKept, []);
});

// Per field: Jira's side of a conflict is the last change of that field in the changelog,
// not the issue's `updated` (which counts Tandem's own writes and any other field).
const APP = 'app-account';
const history = (entries: Array<{ at: string; by: string; fields: string[]; forConnection?: string }>) =>
  entries.map((e, i) => ({
    id: String(i + 1),
    created: e.at,
    author: { accountId: e.by },
    items: e.fields.map((fieldId) => ({ fieldId, field: fieldId })),
    ...(e.forConnection ? { historyMetadata: tandemChangeMetadata(e.forConnection) } : {}),
  }));
const WRITER = { appAccountId: APP, connectionId: 'itsm' };

test('field changes: the last change of each field, who made it and when, from the changelog', () => {
  const changes = lastFieldChanges(
    history([
      { at: '2026-11-22T07:00:00.000+0000', by: 'person', fields: ['status', 'summary'] },
      { at: '2026-11-22T08:10:00.000+0000', by: APP, fields: ['status'] },
      { at: '2026-11-22T08:20:00.000+0000', by: 'person', fields: ['priority'] },
    ]),
    ['status', 'summary', 'assignee'],
    WRITER,
  );
  assert.deepEqual(changes, { status: { at: '2026-11-22T08:10:00.000+0000', own: true }, summary: { at: '2026-11-22T07:00:00.000+0000', own: false } });
});

test('field changes: Tandem’s write for another connection is that tool’s change, not this connection’s own; its write for this one is', () => {
  const changes = lastFieldChanges(
    history([
      { at: '2026-11-22T08:10:00.000+0000', by: APP, fields: ['status'], forConnection: 'product' },
      { at: '2026-11-22T08:20:00.000+0000', by: APP, fields: ['summary'], forConnection: 'itsm' },
    ]),
    ['status', 'summary'],
    WRITER,
  );
  assert.deepEqual(changes, { status: { at: '2026-11-22T08:10:00.000+0000', own: false }, summary: { at: '2026-11-22T08:20:00.000+0000', own: true } });
});

const fieldRows: Array<{ title: string; policy: ConflictPolicy; jiraChange: { at: string; own: boolean }; winner: 'jira' | 'tool' }> = [
  { title: 'newest wins compares the field’s own last change in Jira: a person’s older change loses to the later tool change, whatever else changed the issue since', policy: 'newest-wins', jiraChange: { at: JIRA_EARLIER, own: false }, winner: 'tool' },
  { title: 'newest wins, a person changed the field in Jira after the tool did: Jira', policy: 'newest-wins', jiraChange: { at: JIRA_LATER, own: false }, winner: 'jira' },
  { title: 'Jira holds what Tandem wrote there (a status walk cut short): no person changed it, the tool’s change applies (newest wins)', policy: 'newest-wins', jiraChange: { at: JIRA_LATER, own: true }, winner: 'tool' },
  { title: 'Jira holds what Tandem wrote there: the tool’s change applies (Jira wins)', policy: 'jira-wins', jiraChange: { at: JIRA_LATER, own: true }, winner: 'tool' },
  { title: 'Jira wins when a person changed the field', policy: 'jira-wins', jiraChange: { at: JIRA_EARLIER, own: false }, winner: 'jira' },
];

for (const row of fieldRows) {
  test(`conflicts, per field: ${row.title}`, () => {
    const input = plan();
    const settled = settleConflicts({
      policy: row.policy,
      conflicts: [conflict('status', 'state')],
      plan: input,
      shadow,
      shadowNext: input.shadowNext,
      // The issue changed after the tool's change (Tandem's own writes count in `updated`).
      jiraUpdatedAt: JIRA_LATER,
      toolUpdatedAt: TOOL_AT,
      jiraChanges: { status: row.jiraChange },
    });
    assert.equal(settled.plan.status !== undefined, row.winner === 'tool');
    assert.equal(settled.jiraWon, row.winner === 'jira');
    if (row.jiraChange.own) assert.deepEqual(settled.winners, []);
    else assert.deepEqual(settled.winners, [{ field: 'status', winner: row.winner }]);
    assert.equal(settled.shadowNext.fields.state, row.winner === 'jira' ? hashValue('tool') : input.shadowNext.fields.state);
  });
}

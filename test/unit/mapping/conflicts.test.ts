import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashValue, settleConflicts, type ConflictPolicy, type FieldConflict, type InboundPlan, type Shadow } from '../../../src/mapping';

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
      // A field Jira keeps keeps its old hash, so the next delivery sends Jira's value to the tool.
      assert.equal(settled.shadowNext.fields[c.toolField], row.winner === 'jira' ? shadow.fields[c.toolField] : input.shadowNext.fields[c.toolField]);
    }
    assert.equal(settled.shadowNext.fields.priority, hashValue('P2'), 'fields without a conflict keep their new hash');
    assert.deepEqual(input, plan(), 'the plan given is left as it was');
  });
}

test('conflicts: a field Jira keeps that the shadow never held is left out of the shadow', () => {
  const input = plan();
  const settled = settleConflicts({ policy: 'jira-wins', conflicts: [conflict('priority', 'priority')], plan: input, shadow, shadowNext: input.shadowNext, jiraUpdatedAt: undefined, toolUpdatedAt: undefined });
  assert.equal('priority' in settled.shadowNext.fields, false);
  assert.equal('priority' in settled.plan.jiraFields, false);
});

// The transforms of the product tool's hierarchy and sprints (parent, sprint), and round-trip
// properties of the transforms whose values go to Jira and come back unchanged (number, date,
// labels, team, choice table).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fieldMappingSchema, toJiraValue, toToolValue, type FieldMapping } from '../../../src/mapping';

const mapping = (jira: string, transform: Record<string, unknown>): FieldMapping => fieldMappingSchema.parse({ jira, tool: 'x', transform });
const value = (v: unknown) => ({ kind: 'value', value: v });
const word = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s !== '' && !/\s|,/.test(s));

test('parent: the Jira parent goes to the tool as its linked record; an unlinked parent is skipped naming it; a record reference comes back as a lookup', () => {
  const m = mapping('parent', { kind: 'parent' });
  const records: Record<string, string> = { '10001': 'rec-epic' };
  const ctx = { emailOf: () => undefined, recordOf: (id: string) => records[id] };
  assert.deepEqual(toToolValue(m, { id: '10001', key: 'PROD-1' }, ctx), value('rec-epic'));
  const unlinked = toToolValue(m, { id: '10002', key: 'PLAT-7' }, ctx);
  assert.equal(unlinked.kind, 'skip');
  assert.match((unlinked as { reason: string }).reason, /PLAT-7 has no record in the tool/);
  assert.deepEqual(toToolValue(m, null, ctx), value(null));
  assert.equal(toToolValue(m, 'PROD-1', ctx).kind, 'error');
  assert.deepEqual(toJiraValue(m, null), value(null));
  assert.deepEqual(toJiraValue(m, { id: 'rec-epic' }), { kind: 'issue-of-record', recordId: 'rec-epic' });
  assert.equal(toJiraValue(m, 42.5).kind, 'issue-of-record', 'a numeric id is read as its text');
  fc.assert(fc.property(word, (id) => assert.deepEqual(toJiraValue(m, id), { kind: 'issue-of-record', recordId: id })));
});

test('sprint: the issue\'s active sprint (else its first future one) goes to the tool by name, closed ones never; a name comes back as a lookup on the board', () => {
  const m = mapping('customfield_10020', { kind: 'sprint' });
  const sprints = [
    { id: 1, name: 'Sprint 0', state: 'closed' },
    { id: 3, name: 'Sprint 2', state: 'future' },
    { id: 2, name: 'Sprint 1', state: 'active' },
  ];
  assert.deepEqual(toToolValue(m, sprints), value('Sprint 1'));
  assert.deepEqual(toToolValue(m, sprints.filter((s) => s.state !== 'active')), value('Sprint 2'));
  assert.deepEqual(toToolValue(m, [sprints[0]]), value(null), 'only closed: no sprint now');
  assert.deepEqual(toToolValue(m, null), value(null));
  assert.equal(toToolValue(m, 'Sprint 1').kind, 'error');
  assert.deepEqual(toJiraValue(m, ' Sprint 9 '), { kind: 'sprint-by-name', name: 'Sprint 9' });
  assert.deepEqual(toJiraValue(m, ''), value(null));
  assert.equal(toJiraValue(m, [1]).kind, 'error');
  fc.assert(
    fc.property(word, fc.constantFrom('active', 'future'), (name, state) => {
      const out = toToolValue(m, [{ id: 7, name, state }]);
      assert.deepEqual(toJiraValue(m, (out as { value: unknown }).value), { kind: 'sprint-by-name', name });
    }),
  );
});

test('round trips: numbers, dates, date-times, labels, teams and choices come back as they went', () => {
  const number = mapping('customfield_1', { kind: 'number' });
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => assert.deepEqual(toToolValue(number, (toJiraValue(number, n) as { value: unknown }).value), value(Object.is(n, -0) ? -0 : n))));
  const date = mapping('duedate', { kind: 'date', jiraType: 'date' });
  const day = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  fc.assert(fc.property(day, (d) => assert.deepEqual(toToolValue(date, (toJiraValue(date, d) as { value: unknown }).value), value(d))));
  const dateTime = mapping('customfield_2', { kind: 'date', jiraType: 'datetime' });
  const instant = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
  fc.assert(fc.property(instant, (t) => assert.deepEqual(toToolValue(dateTime, (toJiraValue(dateTime, t) as { value: unknown }).value), value(t))));
  const labels = mapping('labels', { kind: 'labels' });
  fc.assert(fc.property(fc.uniqueArray(word, { maxLength: 6 }), (l) => assert.deepEqual(toToolValue(labels, (toJiraValue(labels, l) as { value: unknown }).value), value(l))));
  const teams = ['Platform', 'Growth', 'Billing'];
  const team = mapping('customfield_3', { kind: 'team', table: teams.map((t, i) => ({ tool: t, jira: `team-${i}` })) });
  fc.assert(fc.property(fc.constantFrom(...teams), (t) => assert.deepEqual(toToolValue(team, { id: (toJiraValue(team, t) as { value: string }).value, name: t }), value(t))));
  const pairs = [['S', 'Small'], ['M', 'Medium'], ['L', 'Large']] as const;
  const option = mapping('customfield_4', { kind: 'option', table: pairs.map(([tool, jira]) => ({ tool, jira })), defaultJira: 'Medium', defaultTool: 'M' });
  fc.assert(fc.property(fc.constantFrom(...pairs.map(([tool]) => tool)), (o) => assert.deepEqual(toToolValue(option, (toJiraValue(option, o) as { value: unknown }).value), value(o))));
  // A value outside the table takes the default each way; it does not round-trip, by design.
  fc.assert(fc.property(word.filter((w) => !['s', 'm', 'l', 'small', 'medium', 'large'].includes(w.toLowerCase())), (w) => assert.deepEqual(toJiraValue(option, w), value({ value: 'Medium' }))));
});

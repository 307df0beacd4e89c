import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fieldMappingSchema,
  plainTextToAdf,
  presets,
  toJiraValue,
  toToolValue,
  type FieldMapping,
  type ToolValueContext,
} from '../../../src/mapping';

const mapping = (raw: unknown): FieldMapping => fieldMappingSchema.parse(raw);
const emails: Record<string, string> = { 'acc-ada': 'ada@example.com' };
const ctx: ToolValueContext = { emailOf: (accountId) => emails[accountId] };

const stackflow = presets[0]!.build({ name: 'StackFlow', baseUrl: 'https://acme.stackflow-tech.com' });
const presetField = (jira: string): FieldMapping => {
  const found = stackflow.fields.find((f) => f.jira === jira);
  assert.ok(found);
  return found;
};

const doc = (...paragraphs: string[]) => ({
  type: 'doc',
  version: 1,
  content: paragraphs.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })),
});

test('text: strings both ways; a summary from the tool becomes one line of at most 255 characters', () => {
  const summary = mapping({ jira: 'summary', tool: 'short_description' });
  assert.deepEqual(toToolValue(summary, 'Disk full on db-1', ctx), { kind: 'value', value: 'Disk full on db-1' });
  assert.deepEqual(toToolValue(summary, null, ctx), { kind: 'value', value: null });
  assert.deepEqual(toToolValue(summary, 42, ctx), { kind: 'value', value: '42' });
  assert.equal(toToolValue(summary, { accountId: 'x' }, ctx).kind, 'error');

  assert.deepEqual(toJiraValue(summary, 'Disk full\n on db-1 '), { kind: 'value', value: 'Disk full on db-1' });
  const long = toJiraValue(summary, 'x'.repeat(300));
  assert.ok(long.kind === 'value' && typeof long.value === 'string' && long.value.length === 255);
  assert.equal(toJiraValue(summary, '   ').kind, 'skip');
  assert.equal(toJiraValue(summary, null).kind, 'skip');
  const other = mapping({ jira: 'customfield_10060', tool: 'caller' });
  assert.deepEqual(toJiraValue(other, null), { kind: 'value', value: null });
  assert.deepEqual(toJiraValue(other, 'line 1\nline 2'), { kind: 'value', value: 'line 1\nline 2' });
});

test('adf-markdown: ADF to Markdown and back; empty both ways', () => {
  const description = presetField('description');
  const out = toToolValue(description, doc('Hello **world**'), ctx);
  assert.equal(out.kind, 'value');
  assert.equal(typeof (out as { value: unknown }).value, 'string');
  assert.deepEqual(toToolValue(description, null, ctx), { kind: 'value', value: '' });

  const back = toJiraValue(description, 'Hello **world**');
  assert.ok(back.kind === 'value');
  const adf = back.value as { type: string; content: unknown[] };
  assert.equal(adf.type, 'doc');
  assert.ok(adf.content.length > 0);
  assert.deepEqual(toJiraValue(description, ''), { kind: 'value', value: null });
  assert.equal(toJiraValue(description, { text: 'x' }).kind, 'error');
  // A round trip keeps the words.
  const again = toToolValue(description, adf, ctx);
  assert.ok(again.kind === 'value' && String(again.value).includes('world'));
});

test('adf-plain: ADF to plain text and back, paragraphs and line breaks kept', () => {
  const m = mapping({ jira: 'description', tool: 'notes', transform: { kind: 'adf-plain' } });
  const out = toToolValue(m, doc('First', 'Second'), ctx);
  assert.ok(out.kind === 'value' && String(out.value).includes('First') && String(out.value).includes('Second'));
  assert.deepEqual(toJiraValue(m, 'a\nb\n\nc'), { kind: 'value', value: plainTextToAdf('a\nb\n\nc') });
  assert.deepEqual(plainTextToAdf('a\nb\n\n\nc'), {
    type: 'doc',
    version: 1,
    content: [
      { type: 'paragraph', content: [{ type: 'text', text: 'a' }, { type: 'hardBreak' }, { type: 'text', text: 'b' }] },
      { type: 'paragraph', content: [{ type: 'text', text: 'c' }] },
    ],
  });
  assert.deepEqual(toJiraValue(m, '  '), { kind: 'value', value: null });
});

test('user-email: by email out, a lookup in; an account without a visible email is skipped, not failed', () => {
  const assignee = presetField('assignee');
  assert.deepEqual(toToolValue(assignee, { accountId: 'acc-ada', displayName: 'Ada' }, ctx), { kind: 'value', value: 'ada@example.com' });
  assert.deepEqual(toToolValue(assignee, { accountId: 'acc-x', emailAddress: 'x@example.com' }, ctx), { kind: 'value', value: 'x@example.com' });
  const unknown = toToolValue(assignee, { accountId: 'acc-ghost', displayName: 'Ghost' }, ctx);
  assert.equal(unknown.kind, 'skip');
  assert.match((unknown as { reason: string }).reason, /Ghost \(acc-ghost\)/);
  assert.deepEqual(toToolValue(assignee, null, ctx), { kind: 'value', value: null });

  assert.deepEqual(toJiraValue(assignee, ' ada@example.com '), { kind: 'user-by-email', email: 'ada@example.com' });
  assert.deepEqual(toJiraValue(assignee, { email: 'bo@example.com', name: 'Bo' }), { kind: 'user-by-email', email: 'bo@example.com' });
  assert.deepEqual(toJiraValue(assignee, ''), { kind: 'value', value: null });
  assert.deepEqual(toJiraValue(assignee, null), { kind: 'value', value: null });
  assert.equal(toJiraValue(assignee, 'not-an-email').kind, 'skip');
});

test('priority: the P1..P4 table both ways, case aside; unknown values skipped with a reason', () => {
  const priority = presetField('priority');
  const pairs = [
    ['P1', 'Highest'],
    ['P2', 'High'],
    ['P3', 'Medium'],
    ['P4', 'Low'],
  ] as const;
  for (const [tool, jira] of pairs) {
    assert.deepEqual(toToolValue(priority, { self: 'https://x/rest/api/3/priority/1', name: jira, id: '1' }, ctx), { kind: 'value', value: tool });
    assert.deepEqual(toJiraValue(priority, tool), { kind: 'value', value: { name: jira } });
  }
  assert.deepEqual(toJiraValue(priority, 'p2'), { kind: 'value', value: { name: 'High' } });
  const lowest = toToolValue(priority, { name: 'Lowest' }, ctx);
  assert.equal(lowest.kind, 'skip');
  assert.match((lowest as { reason: string }).reason, /"Lowest" has no row/);
  assert.equal(toJiraValue(priority, 'P5').kind, 'skip');
  assert.equal(toJiraValue(priority, null).kind, 'skip');
  assert.deepEqual(toToolValue(priority, null, ctx), { kind: 'value', value: null });

  // Many to one: first row wins on the side that repeats.
  const userhero = mapping({
    jira: 'priority',
    tool: 'priority',
    transform: { kind: 'priority', table: [{ tool: 'Urgent', jira: 'Highest' }, { tool: 'High', jira: 'Highest' }, { tool: 'High', jira: 'High' }] },
  });
  assert.deepEqual(toJiraValue(userhero, 'Urgent'), { kind: 'value', value: { name: 'Highest' } });
  assert.deepEqual(toJiraValue(userhero, 'High'), { kind: 'value', value: { name: 'Highest' } });
  assert.deepEqual(toToolValue(userhero, { name: 'Highest' }, ctx), { kind: 'value', value: 'Urgent' });
  assert.deepEqual(toToolValue(userhero, { name: 'High' }, ctx), { kind: 'value', value: 'High' });
});

test('status: many Jira statuses to one state, category fallback, and the reverse with its category', () => {
  const status = presetField('status');
  const out = (name: string, categoryKey: string) => toToolValue(status, { name, categoryKey }, ctx);
  assert.deepEqual(out('To Do', 'new'), { kind: 'value', value: 'new' });
  assert.deepEqual(out('Open', 'new'), { kind: 'value', value: 'new' });
  assert.deepEqual(out('on hold', 'indeterminate'), { kind: 'value', value: 'on_hold' });
  assert.deepEqual(out('Resolved', 'done'), { kind: 'value', value: 'resolved' });
  assert.deepEqual(out('Closed', 'done'), { kind: 'value', value: 'closed' });
  // Unknown names fall back to their category.
  assert.deepEqual(out('Backlog', 'new'), { kind: 'value', value: 'new' });
  assert.deepEqual(out('In Review', 'indeterminate'), { kind: 'value', value: 'in_progress' });
  assert.deepEqual(out('Shipped', 'done'), { kind: 'value', value: 'resolved' });
  // Jira's raw status shape works too.
  assert.deepEqual(toToolValue(status, { name: 'Blocked', statusCategory: { key: 'indeterminate' } }, ctx), { kind: 'value', value: 'on_hold' });
  assert.equal(out('Limbo', 'undefined').kind, 'skip');

  assert.deepEqual(toJiraValue(status, 'new'), { kind: 'status', name: 'To Do', category: 'new' });
  assert.deepEqual(toJiraValue(status, 'in_progress'), { kind: 'status', name: 'In Progress', category: 'indeterminate' });
  assert.deepEqual(toJiraValue(status, 'on_hold'), { kind: 'status', name: 'Blocked', category: 'indeterminate' });
  assert.deepEqual(toJiraValue(status, 'resolved'), { kind: 'status', name: 'Done', category: 'done' });
  assert.deepEqual(toJiraValue(status, 'closed'), { kind: 'status', name: 'Closed', category: 'done' });
  assert.equal(toJiraValue(status, 'cancelled').kind, 'skip');

  // A reverse row may name only a category (UserHero maps its statuses to categories).
  const byCategory = mapping({ jira: 'status', tool: 'status', transform: { kind: 'status', toJira: [{ tool: 'Won', category: 'done' }] } });
  assert.deepEqual(toJiraValue(byCategory, 'won'), { kind: 'status', category: 'done' });
});

test('labels: arrays or comma-separated; Jira labels never hold spaces', () => {
  const array = mapping({ jira: 'labels', tool: 'tags', transform: { kind: 'labels' } });
  const comma = mapping({ jira: 'labels', tool: 'tags', transform: { kind: 'labels', format: 'comma' } });
  assert.deepEqual(toToolValue(array, ['db', 'prod'], ctx), { kind: 'value', value: ['db', 'prod'] });
  assert.deepEqual(toToolValue(comma, ['db', 'prod'], ctx), { kind: 'value', value: 'db,prod' });
  assert.deepEqual(toToolValue(array, null, ctx), { kind: 'value', value: [] });
  assert.equal(toToolValue(array, 'db', ctx).kind, 'error');
  assert.deepEqual(toJiraValue(array, ['db', 'on call', 'db', '']), { kind: 'value', value: ['db', 'on-call'] });
  assert.deepEqual(toJiraValue(comma, ' db, prod ,,'), { kind: 'value', value: ['db', 'prod'] });
  assert.deepEqual(toJiraValue(comma, ''), { kind: 'value', value: [] });
  assert.equal(toJiraValue(array, { db: true }).kind, 'error');
});

test('number: numbers and numeric text; anything else is an error with the value in the reason', () => {
  const risk = mapping({ jira: 'customfield_10050', tool: 'risk_score', transform: { kind: 'number' } });
  assert.deepEqual(toToolValue(risk, 7.5, ctx), { kind: 'value', value: 7.5 });
  assert.deepEqual(toToolValue(risk, null, ctx), { kind: 'value', value: null });
  assert.deepEqual(toJiraValue(risk, '42'), { kind: 'value', value: 42 });
  assert.deepEqual(toJiraValue(risk, 0), { kind: 'value', value: 0 });
  assert.deepEqual(toJiraValue(risk, ''), { kind: 'value', value: null });
  const bad = toJiraValue(risk, 'high');
  assert.equal(bad.kind, 'error');
  assert.match((bad as { reason: string }).reason, /risk_score holds "high", which is not a number/);
  assert.equal(toToolValue(risk, 'NaN', ctx).kind, 'error');
});

test('date: Jira dates and date-times to the tool and back', () => {
  const due = mapping({ jira: 'duedate', tool: 'due_date', transform: { kind: 'date' } });
  assert.deepEqual(toToolValue(due, '2026-11-22', ctx), { kind: 'value', value: '2026-11-22' });
  assert.deepEqual(toJiraValue(due, '2026-11-22'), { kind: 'value', value: '2026-11-22' });
  // The calendar date as written, whatever the zone.
  assert.deepEqual(toJiraValue(due, '2026-11-22T23:30:00-05:00'), { kind: 'value', value: '2026-11-22' });
  assert.deepEqual(toJiraValue(due, Date.UTC(2026, 10, 22, 12)), { kind: 'value', value: '2026-11-22' });
  assert.deepEqual(toJiraValue(due, null), { kind: 'value', value: null });
  assert.equal(toJiraValue(due, '2026-02-30').kind, 'error');
  assert.equal(toJiraValue(due, 'next tuesday').kind, 'error');

  const dueAsIso = mapping({ jira: 'duedate', tool: 'due', transform: { kind: 'date', toolFormat: 'datetime' } });
  assert.deepEqual(toToolValue(dueAsIso, '2026-11-22', ctx), { kind: 'value', value: '2026-11-22T00:00:00.000Z' });

  const start = mapping({ jira: 'customfield_10070', tool: 'planned_start', transform: { kind: 'date', jiraType: 'datetime' } });
  assert.deepEqual(toToolValue(start, '2026-11-22T07:02:00.000+0000', ctx), { kind: 'value', value: '2026-11-22T07:02:00.000Z' });
  assert.deepEqual(toToolValue(start, '2026-11-22T09:02:00.000+0200', ctx), { kind: 'value', value: '2026-11-22T07:02:00.000Z' });
  assert.deepEqual(toJiraValue(start, '2026-11-22T07:02:00Z'), { kind: 'value', value: '2026-11-22T07:02:00.000+0000' });
  assert.deepEqual(toJiraValue(start, '2026-11-22T08:02:00.5+01:00'), { kind: 'value', value: '2026-11-22T07:02:00.500+0000' });
  assert.deepEqual(toJiraValue(start, '2026-11-22'), { kind: 'value', value: '2026-11-22T00:00:00.000+0000' });

  const epoch = mapping({ jira: 'customfield_10070', tool: 'start_ms', transform: { kind: 'date', jiraType: 'datetime', toolFormat: 'epoch-ms' } });
  assert.deepEqual(toToolValue(epoch, '2026-11-22T07:02:00.000+0000', ctx), { kind: 'value', value: Date.UTC(2026, 10, 22, 7, 2) });
  assert.deepEqual(toJiraValue(epoch, Date.UTC(2026, 10, 22, 7, 2)), { kind: 'value', value: '2026-11-22T07:02:00.000+0000' });
});

test('option: a table of choices both ways, single and multi; unmatched skipped or passed as is', () => {
  const env = mapping({
    jira: 'customfield_10080',
    tool: 'environment',
    transform: { kind: 'option', table: [{ tool: 'prod', jira: 'Production' }, { tool: 'stage', jira: 'Staging' }] },
  });
  assert.deepEqual(toToolValue(env, { self: 'x', value: 'Production', id: '10001' }, ctx), { kind: 'value', value: 'prod' });
  assert.deepEqual(toToolValue(env, [{ value: 'Production' }, { value: 'staging' }], ctx), { kind: 'value', value: ['prod', 'stage'] });
  assert.deepEqual(toToolValue(env, null, ctx), { kind: 'value', value: null });
  assert.equal(toToolValue(env, { value: 'Dev' }, ctx).kind, 'skip');
  assert.deepEqual(toJiraValue(env, 'prod'), { kind: 'value', value: { value: 'Production' } });
  assert.deepEqual(toJiraValue(env, ['prod', 'stage']), { kind: 'value', value: [{ value: 'Production' }, { value: 'Staging' }] });
  assert.deepEqual(toJiraValue(env, ''), { kind: 'value', value: null });
  assert.equal(toJiraValue(env, 'dev').kind, 'skip');

  const same = mapping({ jira: 'customfield_10081', tool: 'team', transform: { kind: 'option', unmatched: 'same' } });
  assert.deepEqual(toToolValue(same, { value: 'Blue' }, ctx), { kind: 'value', value: 'Blue' });
  assert.deepEqual(toJiraValue(same, 'Blue'), { kind: 'value', value: { value: 'Blue' } });
});

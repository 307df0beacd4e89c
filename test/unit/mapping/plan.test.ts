import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  acknowledgedShadow,
  conflictWinner,
  connectionSchema,
  detectConflicts,
  findProjectMapping,
  isStale,
  hashValue,
  mappingsForModule,
  planInbound,
  planOutbound,
  presets,
  referenceShadow,
  requiredJiraFields,
  settleUnsure,
  unsureShadow,
  fieldMappingsFor,
  type Connection,
  type IssueSnapshot,
  type ProjectMapping,
  type Shadow,
} from '../../../src/mapping';

const connection = presets[0]!.build({ name: 'StackFlow', baseUrl: 'https://acme.stackflow-tech.com' });
const ops = connection.projects[0]!;
const infra = connection.projects[1]!;
const emails: Record<string, string> = { 'acc-ada': 'ada@example.com', 'acc-bo': 'bo@example.com' };
const emailOf = (accountId: string) => emails[accountId];
const AT = '2026-11-22T08:00:00.000Z';

const description = {
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Replica lag above 30s' }] }],
};

function issue(overrides: Record<string, unknown> = {}, status = { name: 'In Progress', categoryKey: 'indeterminate' }): IssueSnapshot {
  return {
    id: '10001',
    key: 'OPS-1',
    fields: {
      summary: 'Database down',
      description,
      priority: { name: 'High', id: '2' },
      assignee: { accountId: 'acc-ada', displayName: 'Ada' },
      labels: ['db', 'stackflow-sync'],
      updated: '2026-11-22T07:02:00.000+0000',
      ...overrides,
    },
    status,
  };
}

function created(): Shadow {
  return planOutbound({ connection, projectMapping: ops, issue: issue(), shadow: undefined, emailOf, at: AT }).shadowNext;
}

// ---------------------------------------------------------------- project mappings

test('findProjectMapping: exact type beats *, ignored types do not sync, keys compare in capitals', () => {
  const c: Pick<Connection, 'projects'> = connectionSchema.parse({
    id: 'c',
    name: 'c',
    protocol: 'record-rest',
    baseUrl: 'https://tool.example.com',
    projects: [
      { projectKey: 'OPS', issueType: '*', module: 'requests', ignoredIssueTypes: ['Epic'], defaultIssueType: 'Task' },
      { projectKey: 'OPS', issueType: 'Bug', module: 'incidents' },
      { projectKey: 'INFRA', issueType: 'Task', module: 'changes', direction: 'jira-to-tool' },
      { projectKey: 'SEC', issueType: 'Bug', module: 'incidents' },
    ],
  });
  assert.equal(findProjectMapping(c, { projectKey: 'OPS', issueTypeName: 'Bug' })?.module, 'incidents');
  assert.equal(findProjectMapping(c, { projectKey: 'ops', issueTypeName: 'bug' })?.module, 'incidents');
  assert.equal(findProjectMapping(c, { projectKey: 'OPS', issueTypeName: 'Story' })?.module, 'requests');
  assert.equal(findProjectMapping(c, { projectKey: 'OPS', issueTypeName: 'Epic' }), undefined);
  assert.equal(findProjectMapping(c, { projectKey: 'INFRA', issueTypeName: 'Bug' }), undefined);
  assert.equal(findProjectMapping(c, { projectKey: 'HR', issueTypeName: 'Task' }), undefined);
  assert.deepEqual(
    mappingsForModule(c, 'incidents').map((m) => m.projectKey),
    ['OPS', 'SEC'],
  );
  assert.deepEqual(mappingsForModule(c, 'problems'), []);
});

// ---------------------------------------------------------------- outbound

test('planOutbound on create sends every mapped field plus the fixed values, and records the shadow', () => {
  const plan = planOutbound({ connection, projectMapping: ops, issue: issue(), shadow: undefined, emailOf, at: AT });
  assert.equal(plan.create, true);
  assert.deepEqual(plan.skipped, []);
  assert.equal(typeof plan.fields.description, 'string');
  assert.match(String(plan.fields.description), /Replica lag above 30s/);
  const { description: _d, ...rest } = plan.fields;
  assert.deepEqual(rest, {
    assignment_group: 'Platform Engineering',
    category: 'software',
    short_description: 'Database down',
    priority: 'P2',
    assigned_to: 'ada@example.com',
    state: 'in_progress',
    // The issue's reference; its address only where the site is known (see below).
    jira_issue_key: 'OPS-1',
  });
  assert.deepEqual(Object.keys(plan.shadowNext.fields).sort(), ['assigned_to', 'description', 'jira_issue_key', 'priority', 'short_description', 'state']);
  assert.equal(plan.shadowNext.fields.priority, hashValue('P2'));
  assert.equal(plan.shadowNext.updatedAt, AT);
});

test("planOutbound writes the issue's key and address to the fields the connection names: on create, when the key changes, and when the record holds none yet", () => {
  const onSite = (key: string) => ({ ...issue({ project: { key: 'OPS', self: 'https://acme.atlassian.net/rest/api/3/project/10000' } }), key });
  const create = planOutbound({ connection, projectMapping: ops, issue: onSite('OPS-1'), shadow: undefined, emailOf, at: AT });
  assert.equal(create.fields.jira_issue_key, 'OPS-1');
  assert.equal(create.fields.jira_issue_url, 'https://acme.atlassian.net/browse/OPS-1');
  // Unchanged: nothing to send.
  assert.deepEqual(planOutbound({ connection, projectMapping: ops, issue: onSite('OPS-1'), shadow: create.shadowNext, emailOf, at: AT }).fields, {});
  // The issue moved and got a new key: the record is told.
  assert.deepEqual(planOutbound({ connection, projectMapping: ops, issue: onSite('OPS-9'), shadow: create.shadowNext, emailOf, at: AT }).fields, {
    jira_issue_key: 'OPS-9',
    jira_issue_url: 'https://acme.atlassian.net/browse/OPS-9',
  });
  // A record made in the tool holds no key: its link's shadow says so, and the key is written back.
  const fromTool: Shadow = { fields: { ...create.shadowNext.fields, ...referenceShadow(connection, { jira_issue_key: null }) }, updatedAt: AT };
  assert.deepEqual(Object.keys(planOutbound({ connection, projectMapping: ops, issue: onSite('OPS-1'), shadow: fromTool, emailOf, at: AT }).fields).sort(), ['jira_issue_key', 'jira_issue_url']);
  // A link whose shadow knows nothing of the reference (made before Tandem kept it) sends nothing for it.
  const { jira_issue_key: _k, jira_issue_url: _u, ...older } = create.shadowNext.fields;
  assert.deepEqual(planOutbound({ connection, projectMapping: ops, issue: onSite('OPS-9'), shadow: { fields: older, updatedAt: AT }, emailOf, at: AT }).fields, {});
  // A connection that names no field sends no reference.
  const silent = { ...connection, issueKeyField: '', issueUrlField: '' } as Connection;
  assert.equal(planOutbound({ connection: silent, projectMapping: ops, issue: onSite('OPS-1'), shadow: undefined, emailOf, at: AT }).fields.jira_issue_key, undefined);
});

test('planOutbound sends nothing when nothing changed (the echo of our own write)', () => {
  const shadow = created();
  const plan = planOutbound({ connection, projectMapping: ops, issue: issue(), shadow, emailOf, at: '2026-11-22T09:00:00.000Z' });
  assert.equal(plan.create, false);
  assert.deepEqual(plan.fields, {});
  assert.deepEqual(plan.skipped, []);
  assert.equal(plan.shadowNext, shadow, 'the very same shadow, so the sync layer writes nothing');
});

test('planOutbound sends only the fields that changed', () => {
  const shadow = created();
  const plan = planOutbound({
    connection,
    projectMapping: ops,
    issue: issue({ priority: { name: 'Highest' }, assignee: null }, { name: 'Done', categoryKey: 'done' }),
    shadow,
    emailOf,
    at: AT,
  });
  assert.deepEqual(plan.fields, { priority: 'P1', assigned_to: null, state: 'resolved' });
  assert.equal(plan.shadowNext.fields.priority, hashValue('P1'));
  assert.equal(plan.shadowNext.fields.short_description, shadow.fields.short_description);
  assert.notEqual(plan.shadowNext, shadow);
  assert.equal(shadow.fields.priority, hashValue('P2'), 'the input shadow is left alone');
});

test('planOutbound skips what it cannot carry and keeps the rest; the sync label never reaches the tool', () => {
  const withLabels = connectionSchema.parse({
    ...connection,
    fields: [...connection.fields, { jira: 'labels', tool: 'tags', direction: 'jira-to-tool', transform: { kind: 'labels' } }],
  });
  const plan = planOutbound({
    connection: withLabels,
    projectMapping: ops,
    issue: issue({ priority: { name: 'Lowest' }, assignee: { accountId: 'acc-ghost', displayName: 'Ghost' } }),
    shadow: undefined,
    emailOf,
    at: AT,
  });
  assert.deepEqual(plan.fields.tags, ['db']);
  assert.equal(plan.fields.priority, undefined);
  assert.equal(plan.fields.assigned_to, undefined);
  assert.deepEqual(
    plan.skipped.map((s) => s.field),
    ['priority', 'assigned_to'],
  );
  assert.equal(plan.shadowNext.fields.priority, undefined, 'a skipped field stays out of the shadow, so it is tried again');
});

test('planOutbound: fields the issue data lacks are skipped with a reason; requiredJiraFields names them', () => {
  const eventPayload = { summary: 'Database down', assignee: { accountId: 'acc-ada' }, updated: '2026-11-22T07:02:00.000+0000' };
  assert.deepEqual(requiredJiraFields({ connection, projectMapping: ops, issue: { fields: eventPayload } }), ['description', 'priority']);
  assert.deepEqual(requiredJiraFields({ connection, projectMapping: ops, issue: issue() }), []);
  const plan = planOutbound({ connection, projectMapping: ops, issue: { ...issue(), fields: eventPayload }, shadow: created(), emailOf });
  assert.deepEqual(
    plan.skipped.map((s) => s.field),
    ['description', 'priority'],
  );
  assert.deepEqual(plan.fields, {});
});

test('an event-carried field left out of the payload counts as empty', () => {
  const shadow = created();
  const { assignee: _a, ...fields } = issue().fields;
  const plan = planOutbound({ connection, projectMapping: ops, issue: { ...issue(), fields }, shadow, emailOf, at: AT });
  assert.deepEqual(plan.fields, { assigned_to: null });
});

test('planOutbound for a tool-to-Jira-only mapping sends nothing', () => {
  const toolOnly: ProjectMapping = { ...ops, direction: 'tool-to-jira' };
  const plan = planOutbound({ connection, projectMapping: toolOnly, issue: issue(), shadow: undefined, emailOf, at: AT });
  assert.equal(plan.create, false);
  assert.deepEqual(plan.fields, {});
});

test('INFRA changes go Jira to tool only, with no fixed values', () => {
  const plan = planOutbound({ connection, projectMapping: infra, issue: { ...issue(), key: 'INFRA-9' }, shadow: undefined, emailOf, at: AT });
  assert.equal(plan.create, true);
  assert.equal(plan.fields.assignment_group, undefined);
  assert.equal(plan.fields.short_description, 'Database down');
  const inbound = planInbound({ connection, projectMapping: infra, record: { short_description: 'x' }, shadow: plan.shadowNext });
  assert.deepEqual(inbound.jiraFields, {});
  assert.equal(inbound.create, false);
});

// ---------------------------------------------------------------- inbound

test('planInbound on create maps every field, asks for the user lookup and the transition, adds the sync label', () => {
  const plan = planInbound({
    connection,
    projectMapping: ops,
    record: { short_description: 'Printer on fire', description: 'It is **really** on fire', priority: 'P1', assigned_to: 'bo@example.com', state: 'on_hold', number: 'INC0012' },
    shadow: undefined,
    at: AT,
  });
  assert.equal(plan.create, true);
  assert.deepEqual(plan.createIn, { projectKey: 'OPS', issueTypeName: 'Bug' });
  assert.equal(plan.jiraFields.summary, 'Printer on fire');
  assert.deepEqual(plan.jiraFields.priority, { name: 'Highest' });
  assert.equal((plan.jiraFields.description as { type: string }).type, 'doc');
  assert.deepEqual(plan.jiraFields.labels, ['stackflow-sync']);
  assert.deepEqual(plan.lookups, [{ jiraField: 'assignee', toolField: 'assigned_to', lookup: { kind: 'user-by-email', email: 'bo@example.com' } }]);
  assert.deepEqual(plan.status, { kind: 'status', name: 'Blocked', category: 'indeterminate' });
  assert.deepEqual(plan.skipped, []);
  assert.deepEqual(Object.keys(plan.shadowNext.fields).sort(), ['assigned_to', 'description', 'priority', 'short_description', 'state']);
});

test('planInbound applies only what differs from the shadow; the echo of an outbound write changes nothing', () => {
  const outbound = planOutbound({ connection, projectMapping: ops, issue: issue(), shadow: undefined, emailOf, at: AT });
  // The tool sends back exactly what we sent (plus its own fields).
  const echo = planInbound({ connection, projectMapping: ops, record: { ...outbound.fields, sys_id: 'abc' }, shadow: outbound.shadowNext });
  assert.deepEqual(echo.jiraFields, {});
  assert.deepEqual(echo.lookups, []);
  assert.equal(echo.status, undefined);
  assert.equal(echo.shadowNext, outbound.shadowNext);

  const change = planInbound({ connection, projectMapping: ops, record: { ...outbound.fields, state: 'closed', priority: 'P4' }, shadow: outbound.shadowNext, at: AT });
  assert.deepEqual(change.jiraFields, { priority: { name: 'Low' } });
  assert.deepEqual(change.status, { kind: 'status', name: 'Closed', category: 'done' });
  assert.equal(change.shadowNext.fields.state, hashValue('closed'));
});

test('after an inbound write, the Jira event it causes plans nothing outbound (even when the round trip normalises)', () => {
  const shadow = created();
  const inbound = planInbound({
    connection,
    projectMapping: ops,
    record: { short_description: 'Renamed\nin the tool', description: '* one\n* two', state: 'on_hold' },
    shadow,
    at: AT,
  });
  assert.equal(inbound.jiraFields.summary, 'Renamed in the tool');
  // Jira now holds what the inbound plan wrote.
  const after = issue({ summary: inbound.jiraFields.summary, description: inbound.jiraFields.description }, { name: 'Blocked', categoryKey: 'indeterminate' });
  const outbound = planOutbound({ connection, projectMapping: ops, issue: after, shadow: inbound.shadowNext, emailOf, at: AT });
  assert.deepEqual(outbound.fields, {});

  // And the tool re-sending its own spelling later is not a change either.
  const resent = planInbound({ connection, projectMapping: ops, record: { short_description: 'Renamed\nin the tool', description: '* one\n* two' }, shadow: inbound.shadowNext });
  assert.deepEqual(resent.jiraFields, {});
});

test('planInbound skips what it cannot carry, with the Jira field and a reason; a labels mapping keeps the sync label', () => {
  const withLabels = connectionSchema.parse({
    ...connection,
    fields: [...connection.fields, { jira: 'labels', tool: 'tags', transform: { kind: 'labels', format: 'comma' } }],
  });
  const plan = planInbound({
    connection: withLabels,
    projectMapping: ops,
    record: { priority: 'P9', state: 'cancelled', tags: 'db, on call' },
    shadow: created(),
  });
  assert.deepEqual(plan.jiraFields, { labels: ['db', 'on-call', 'stackflow-sync'] });
  assert.deepEqual(
    plan.skipped.map((s) => s.field),
    ['priority', 'status'],
  );
  assert.equal(plan.shadowNext.fields.priority, created().fields.priority);
});

test('planInbound for a * mapping without an issue type for creates says so', () => {
  const anyType: ProjectMapping = { ...ops, issueType: '*' };
  const plan = planInbound({ connection, projectMapping: anyType, record: { short_description: 'x' }, shadow: undefined });
  assert.equal(plan.createIn, undefined);
  assert.deepEqual(
    plan.skipped.map((s) => s.field),
    ['issuetype'],
  );
});

// ---------------------------------------------------------------- conflicts

test('detectConflicts: a field changed on both sides since the shadow, to different values', () => {
  const shadow = created();
  const jiraSide = issue({ priority: { name: 'Highest' }, summary: 'Database down (again)' }, { name: 'Done', categoryKey: 'done' });
  const record = { priority: 'P4', short_description: 'Database down (again)', state: 'in_progress', assigned_to: 'bo@example.com' };
  const conflicts = detectConflicts({ connection, projectMapping: ops, issue: jiraSide, record, shadow, emailOf });
  // priority: both changed, differently. summary: both changed, to the same value. state: only Jira changed.
  // assigned_to: only the tool changed.
  assert.deepEqual(conflicts, [{ toolField: 'priority', jiraField: 'priority', jiraValue: 'P1', toolValue: 'P4' }]);
  assert.deepEqual(detectConflicts({ connection, projectMapping: ops, issue: jiraSide, record, shadow: undefined, emailOf }), []);
  assert.deepEqual(detectConflicts({ connection, projectMapping: infra, issue: jiraSide, record, shadow, emailOf }), []);
});

test('conflictWinner follows the connection policy; newest-wins compares update times, ties to Jira', () => {
  assert.equal(conflictWinner('jira-wins'), 'jira');
  assert.equal(conflictWinner('tool-wins'), 'tool');
  const jiraUpdatedAt = '2026-11-22T07:02:00.000+0000';
  assert.equal(conflictWinner('newest-wins', { jiraUpdatedAt, toolUpdatedAt: '2026-11-22T07:05:00Z' }), 'tool');
  assert.equal(conflictWinner('newest-wins', { jiraUpdatedAt, toolUpdatedAt: '2026-11-22T07:00:00Z' }), 'jira');
  assert.equal(conflictWinner('newest-wins', { jiraUpdatedAt, toolUpdatedAt: '2026-11-22T07:02:00Z' }), 'jira');
  assert.equal(conflictWinner('newest-wins', { jiraUpdatedAt }), 'jira');
});

test('a send whose answer never came leaves its fields unsure: sent again whatever Jira holds, and the tool reporting that very value is Tandem’s own write', () => {
  const shadow = created();
  const blocked = issue({}, { name: 'Blocked', categoryKey: 'indeterminate' });
  const sent = planOutbound({ connection, projectMapping: ops, issue: blocked, shadow, emailOf, at: AT });
  assert.deepEqual(sent.fields, { state: 'on_hold' });
  // The PATCH timed out: the tool may hold on_hold, or still in_progress.
  const unsure = unsureShadow(shadow, sent.fields, '2026-11-22T08:01:00.000Z');
  assert.equal(unsure.fields.state, shadow.fields.state);

  // A person moved Jira back to In Progress, the value the shadow held: it is sent all the same.
  const again = planOutbound({ connection, projectMapping: ops, issue: issue(), shadow: unsure, emailOf, at: '2026-11-22T08:02:00.000Z' });
  assert.deepEqual(again.fields, { state: 'in_progress' });
  assert.equal(again.shadowNext.unsure, undefined, 'sent and answered: nothing is unsure any more');

  // The tool's event for Tandem's own write: no status move for Jira, no conflict, and the shadow knows the tool holds on_hold.
  const record = { ...planOutbound({ connection, projectMapping: ops, issue: issue(), shadow: undefined, emailOf, at: AT }).fields, state: 'on_hold' };
  const echo = planInbound({ connection, projectMapping: ops, record, shadow: unsure, at: AT });
  assert.equal(echo.status, undefined);
  assert.deepEqual(echo.jiraFields, {});
  assert.equal(echo.shadowNext.fields.state, hashValue('on_hold'));
  assert.equal(echo.shadowNext.unsure, undefined);
  assert.deepEqual(detectConflicts({ connection, projectMapping: ops, issue: issue(), record, shadow: unsure, emailOf }), []);
  // …so Jira's In Progress goes to the tool with the next delivery.
  assert.deepEqual(planOutbound({ connection, projectMapping: ops, issue: issue(), shadow: echo.shadowNext, emailOf, at: AT }).fields, { state: 'in_progress' });

  // A different value from the tool is a change of its own, and applies.
  const other = planInbound({ connection, projectMapping: ops, record: { ...record, state: 'resolved' }, shadow: unsure, at: AT });
  assert.equal(other.status?.name, 'Done');
});

const SENT_AT = '2026-11-22T08:10:00.000Z';
/** The state sent without an answer (in_progress), over a shadow that held new; the title synced. */
const unsureState: Shadow = {
  fields: { state: hashValue('new'), short_description: hashValue('Printer jam') },
  updatedAt: SENT_AT,
  changed: { state: { side: 'jira', at: SENT_AT } },
  unsure: { state: hashValue('in_progress') },
};
const settleRows: Array<{ title: string; record: Record<string, unknown>; occurredAt: string; state: string; unsure: boolean; resend: boolean }> = [
  { title: 'newer, the old value, nothing else changed: the send landed and a person put it back', record: { state: 'new', short_description: 'Printer jam' }, occurredAt: '2026-11-22T08:11:00Z', state: 'in_progress', unsure: false, resend: false },
  { title: 'newer, the old value, another field changed: the send never landed, Jira’s value goes again', record: { state: 'new', short_description: 'Printer jam on floor 3' }, occurredAt: '2026-11-22T08:11:00Z', state: 'new', unsure: false, resend: true },
  { title: 'older than the send: left to the stale check', record: { state: 'new', short_description: 'Printer jam' }, occurredAt: '2026-11-22T08:09:00Z', state: 'new', unsure: true, resend: false },
  { title: 'the value sent: left to the plan, which confirms it', record: { state: 'in_progress', short_description: 'Printer jam' }, occurredAt: '2026-11-22T08:11:00Z', state: 'new', unsure: true, resend: false },
  { title: 'a third value: left to the plan, a change of the tool’s', record: { state: 'on_hold', short_description: 'Printer jam' }, occurredAt: '2026-11-22T08:11:00Z', state: 'new', unsure: true, resend: false },
];
for (const row of settleRows) {
  test(`unsure fields and a tool event: ${row.title}`, () => {
    const settled = settleUnsure({ shadow: unsureState, record: row.record, occurredAt: row.occurredAt, mappings: fieldMappingsFor(connection, ops) });
    assert.equal(settled.shadow.fields.state, hashValue(row.state));
    assert.equal(settled.shadow.unsure?.state !== undefined, row.unsure);
    assert.equal(settled.resend, row.resend);
    assert.equal(settled.shadow.fields.short_description, unsureState.fields.short_description, 'other fields are left to the plan');
  });
}

/** Three fields sent without an answer: state (new → in_progress), title and priority. */
const unsureThree: Shadow = {
  fields: { state: hashValue('new'), short_description: hashValue('Printer jam'), priority: hashValue('P3') },
  updatedAt: SENT_AT,
  changed: { state: { side: 'jira', at: SENT_AT }, short_description: { side: 'jira', at: SENT_AT }, priority: { side: 'jira', at: SENT_AT } },
  unsure: { state: hashValue('in_progress'), short_description: hashValue('Printer jam on floor 3'), priority: hashValue('P1') },
};
const threeRows: Array<{ title: string; record: Record<string, unknown>; resend: boolean; state: string }> = [
  { title: 'one field as sent, two as before: a person set that one (to the value sent), the send never landed', record: { state: 'new', short_description: 'Printer jam', priority: 'P1' }, resend: true, state: 'new' },
  { title: 'two fields as sent, one as before: the send landed and a person put that one back', record: { state: 'new', short_description: 'Printer jam on floor 3', priority: 'P1' }, resend: false, state: 'in_progress' },
  { title: 'one as sent, one as before, one a third value: the send landed, and the person put the state back', record: { state: 'new', short_description: 'Paper tray', priority: 'P1' }, resend: false, state: 'in_progress' },
];
for (const row of threeRows) {
  test(`unsure fields and a tool event, three sent: ${row.title}`, () => {
    const settled = settleUnsure({ shadow: unsureThree, record: row.record, occurredAt: '2026-11-22T08:11:00Z', mappings: fieldMappingsFor(connection, ops) });
    assert.equal(settled.resend, row.resend);
    assert.equal(settled.shadow.fields.state, hashValue(row.state));
    assert.equal(settled.shadow.unsure?.state, undefined, 'the state is settled either way');
  });
}

test('acknowledgedShadow dates the values the tool took when it took them: an event from before then is stale for those fields only', () => {
  const shadow: Shadow = {
    fields: { state: hashValue('in_progress'), short_description: hashValue('Disk full'), priority: hashValue('P2') },
    updatedAt: AT,
    changed: { state: { side: 'jira', at: AT }, short_description: { side: 'jira', at: AT }, priority: { side: 'tool', at: AT } },
  };
  const landed = '2026-11-22T08:00:05.000Z';
  const between = '2026-11-22T08:00:02.000Z';
  const cases: Array<[string, readonly string[] | undefined, Record<string, boolean>]> = [
    ['an update of the state', ['state'], { state: true, short_description: false, priority: false }],
    ['a create (every value from Jira)', undefined, { state: true, short_description: true, priority: false }],
  ];
  for (const [name, fields, stale] of cases) {
    const next = acknowledgedShadow(shadow, landed, fields);
    assert.equal(next.updatedAt, landed, name);
    assert.deepEqual(next.fields, shadow.fields, `${name}: the values are the same`);
    for (const [field, expected] of Object.entries(stale)) assert.equal(isStale(next, field, between), expected, `${name}: ${field}`);
  }
});

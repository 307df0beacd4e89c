// What a bulk sync would do with each issue or record: create, link, update or skip (and why).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexCounterparts, issueClaim, parseConfig, planIssueToTool, planRecordToJira, summaryDayKey, type BulkIssue, type BulkRecord, type Connection } from '../../../src/mapping';

function connection(projects: unknown[]): Connection {
  const parsed = parseConfig({ version: 1, connections: [{ id: 'sf', name: 'StackFlow', protocol: 'record-rest', baseUrl: 'https://sf.example.com', projects }] });
  if (!parsed.ok) assert.fail(JSON.stringify(parsed.errors));
  const [first] = parsed.config.connections;
  assert.ok(first);
  return first;
}

const both = connection([{ projectKey: 'OPS', issueType: '*', module: 'incidents', ignoredIssueTypes: ['Epic'], jql: 'labels = sync', defaultIssueType: 'Bug' }]);
const issue = (over: Partial<BulkIssue> = {}): BulkIssue => ({ id: '10001', key: 'OPS-1', projectKey: 'OPS', issueTypeName: 'Bug', summary: 'Printer on fire', created: '2026-11-02T09:30:00.000+0000', ...over });
const record = (over: Partial<BulkRecord> = {}): BulkRecord => ({ id: 'r1', number: 'INC001', module: 'incidents', summary: 'Printer on fire', created: '2026-11-02T17:00:00Z', ...over });

test('an issue with no counterpart is created; one whose record names its key is linked to it', () => {
  const records = indexCounterparts([record({ id: 'r7', number: 'INC007', issueKey: 'OPS-1' })], (r) => r);
  assert.deepEqual(planIssueToTool({ connection: both, issue: issue({ key: 'OPS-2', summary: 'Other' }), records, matchRule: 'reference' }), { class: 'create' });
  assert.deepEqual(planIssueToTool({ connection: both, issue: issue(), records, matchRule: 'reference' }), { class: 'link', counterpart: { id: 'r7', label: 'INC007', by: 'reference' }, claim: 'record:incidents:r7' });
});

test('the summary-and-day rule links only when the admin picked it, and only to a single candidate', () => {
  const records = indexCounterparts([record()], (r) => r);
  assert.equal(planIssueToTool({ connection: both, issue: issue(), records, matchRule: 'reference' }).class, 'create');
  assert.deepEqual(planIssueToTool({ connection: both, issue: issue({ summary: '  printer ON   fire ' }), records, matchRule: 'summary-and-day' }).counterpart, { id: 'r1', label: 'INC001', by: 'summary-and-day' });
  assert.equal(planIssueToTool({ connection: both, issue: issue({ created: '2026-11-03T09:30:00Z' }), records, matchRule: 'summary-and-day' }).class, 'create');
  const two = indexCounterparts([record(), record({ id: 'r2', number: 'INC002' })], (r) => r);
  const ambiguous = planIssueToTool({ connection: both, issue: issue(), records: two, matchRule: 'summary-and-day' });
  assert.equal(ambiguous.class, 'skip');
  assert.equal(ambiguous.skip, 'ambiguous');
  assert.match(ambiguous.reason ?? '', /INC001, INC002/);
});

test('a linked issue is updated, even when the filter would leave a new one out', () => {
  const plan = planIssueToTool({ connection: both, issue: issue({ matchesFilter: false }), linkedRecord: { id: 'r1', label: 'INC001' }, matchRule: 'reference' });
  assert.deepEqual(plan, { class: 'update', counterpart: { id: 'r1', label: 'INC001', by: 'link' } });
});

test('skips say why: the JQL filter, an ignored or unmapped type, a one-way mapping', () => {
  const filtered = planIssueToTool({ connection: both, issue: issue({ matchesFilter: false }), matchRule: 'reference' });
  assert.equal(filtered.skip, 'filtered');
  assert.match(filtered.reason ?? '', /labels = sync/);
  assert.equal(planIssueToTool({ connection: both, issue: issue({ issueTypeName: 'Epic' }), matchRule: 'reference' }).skip, 'type-ignored');
  assert.equal(planIssueToTool({ connection: both, issue: issue({ projectKey: 'INFRA' }), matchRule: 'reference' }).skip, 'type-ignored');
  const inbound = connection([{ projectKey: 'OPS', issueType: '*', module: 'incidents', direction: 'tool-to-jira', defaultIssueType: 'Bug' }]);
  const oneWay = planIssueToTool({ connection: inbound, issue: issue(), matchRule: 'reference' });
  assert.equal(oneWay.skip, 'one-way');
  assert.match(oneWay.reason ?? '', /tool to Jira only/);
});

test('a record is linked to the issue it names, or by summary and day, else an issue is created', () => {
  const issues = indexCounterparts([issue(), issue({ id: '10002', key: 'OPS-2', summary: 'VPN down' })], (i) => ({ issueKey: i.key, summary: i.summary, created: i.created }));
  assert.deepEqual(planRecordToJira({ connection: both, record: record({ issueKey: 'OPS-2', summary: 'x' }), issues, matchRule: 'reference' }).counterpart, { id: '10002', label: 'OPS-2', by: 'reference' });
  assert.equal(planRecordToJira({ connection: both, record: record(), issues, matchRule: 'reference' }).class, 'create');
  assert.deepEqual(planRecordToJira({ connection: both, record: record(), issues, matchRule: 'summary-and-day' }).counterpart, { id: '10001', label: 'OPS-1', by: 'summary-and-day' });
  assert.deepEqual(planRecordToJira({ connection: both, record: record(), linkedIssue: { id: '10009', label: 'OPS-9' }, matchRule: 'reference' }).class, 'update');
});

test('records of an unmapped module or a Jira-to-tool mapping are skipped', () => {
  assert.equal(planRecordToJira({ connection: both, record: record({ module: 'changes' }), matchRule: 'reference' }).skip, 'type-ignored');
  const outbound = connection([{ projectKey: 'OPS', issueType: '*', module: 'incidents', direction: 'jira-to-tool', defaultIssueType: 'Bug' }]);
  assert.equal(planRecordToJira({ connection: outbound, record: record(), matchRule: 'reference' }).skip, 'one-way');
});

test('the summary-and-day key ignores spacing and case, and the time of day in UTC', () => {
  assert.equal(summaryDayKey(' A  b ', '2026-01-05T23:30:00-01:00'), 'a b|2026-01-06');
  assert.equal(summaryDayKey('A', 'not a date'), undefined);
  assert.equal(summaryDayKey(undefined, '2026-01-05T00:00:00Z'), undefined);
});

test('a counterpart is matched once: an item that finds one an earlier item claimed is skipped, naming that item', () => {
  const records = indexCounterparts([record({ id: 'r7', number: 'INC007', issueKey: 'OPS-1' })], (r) => r);
  const first = planIssueToTool({ connection: both, issue: issue({ summary: 'Other' }), records, matchRule: 'summary-and-day' });
  assert.equal(first.claim, 'record:incidents:r7');
  // OPS-2 has the record's summary and day; OPS-1, which the record names, has it.
  const claimed = new Map([[first.claim ?? '', 'OPS-1']]);
  const second = planIssueToTool({ connection: both, issue: issue({ id: '10002', key: 'OPS-2' }), records, matchRule: 'summary-and-day', claimed });
  assert.deepEqual(second, { class: 'skip', skip: 'claimed', reason: 'INC007 is already matched by OPS-1' });

  const issues = indexCounterparts([issue({ key: 'OPS-3' })], (i) => ({ issueKey: i.key, summary: i.summary, created: i.created }));
  const byName = planRecordToJira({ connection: both, record: record({ issueKey: 'OPS-3', summary: 'x' }), issues, matchRule: 'reference' });
  assert.equal(byName.claim, issueClaim('OPS-3'));
  const taken = new Map([[issueClaim('OPS-3'), 'INC0001002']]);
  assert.deepEqual(planRecordToJira({ connection: both, record: record({ id: 'r3', issueKey: 'OPS-3' }), issues, matchRule: 'reference', claimed: taken }), { class: 'skip', skip: 'claimed', reason: 'OPS-3 is already matched by INC0001002' });
  assert.deepEqual(planRecordToJira({ connection: both, record: record({ id: 'r4' }), issues, matchRule: 'summary-and-day', claimed: taken }).reason, 'OPS-3 is already matched by INC0001002');
  assert.equal(planRecordToJira({ connection: both, record: record({ id: 'r4' }), issues, matchRule: 'summary-and-day', claimed: new Map([[issueClaim('OPS-9'), 'INC9']]) }).class, 'link', 'a claim of another counterpart changes nothing');
});

test('a record naming an issue: linked when Jira has it unlinked and mapped from the tool; skipped when it is linked to another record or not mapped; a new issue, said so, when Jira does not have it', () => {
  const named = (issues: BulkIssue[]) => ({ byIssueKey: new Map(issues.map((i) => [i.key, i])), bySummaryDay: new Map<string, BulkIssue[]>() });
  const names = record({ issueKey: 'OPS-1', summary: 'x' });
  assert.deepEqual(planRecordToJira({ connection: both, record: names, issues: named([issue()]), matchRule: 'reference' }), { class: 'link', counterpart: { id: '10001', label: 'OPS-1', by: 'reference' }, claim: 'issue:OPS-1' });
  assert.deepEqual(planRecordToJira({ connection: both, record: names, issues: named([issue({ linkedTo: 'INC0000009' })]), matchRule: 'reference' }), { class: 'skip', skip: 'already-linked', reason: 'OPS-1 is already linked to INC0000009' });
  // An earlier item of the same sync took it: that item is named, though the issue is linked by now.
  assert.equal(planRecordToJira({ connection: both, record: names, issues: named([issue({ linkedTo: 'INC0000008' })]), matchRule: 'reference', claimed: new Map([[issueClaim('OPS-1'), 'INC0000008']]) }).reason, 'OPS-1 is already matched by INC0000008');
  const change = planRecordToJira({ connection: both, record: record({ issueKey: 'INFRA-1' }), issues: named([issue({ key: 'INFRA-1', projectKey: 'INFRA', issueTypeName: 'Task' })]), matchRule: 'reference' });
  assert.deepEqual(change, { class: 'skip', skip: 'not-mapped', reason: 'INFRA-1 is not in a project and issue type mapped to incidents from the tool' });
  assert.deepEqual(planRecordToJira({ connection: both, record: record({ issueKey: 'OPS-404' }), issues: named([]), matchRule: 'reference' }), { class: 'create', reason: 'OPS-404 is not in Jira, so a new issue is made' });
  // Nothing read: the key is not judged.
  assert.deepEqual(planRecordToJira({ connection: both, record: record({ issueKey: 'OPS-404' }), matchRule: 'reference' }), { class: 'create' });
});

test('a record whose link ended with its deletion (or its issue’s) is skipped, with the reason and the way back, not made again', () => {
  const planned = planRecordToJira({ connection: both, record: record({ issueKey: 'OPS-1' }), issues: { byIssueKey: new Map(), bySummaryDay: new Map() }, matchRule: 'reference', deleted: true });
  assert.equal(planned.class, 'skip');
  assert.equal(planned.skip, 'deleted');
  assert.match(planned.reason ?? '', /OPS-1 was deleted, or the record was; Tandem does not bring it back/);
});

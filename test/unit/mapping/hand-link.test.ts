// Linking an issue to an existing record by hand: each field the two hold differently is settled
// once (one-way fields by their direction, two-way ones by the conflict policy), and the shadow the
// link starts from makes the next deliveries carry each winner across. Pure: no platform.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPreset, handLinkPlan, handLinkWords, hashValue, planInbound, planOutbound, type ConflictPolicy, type Connection } from '../../../src/mapping';

const AT = '2026-11-22T08:00:00.000Z';

function stackflow(policy: ConflictPolicy): Connection {
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow', baseUrl: 'https://stackflow.example', id: 'stackflow' });
  return { ...connection, options: { ...connection.options, conflictPolicy: policy } };
}

const issue = {
  id: '10001',
  key: 'OPS-1',
  fields: { summary: 'Checkout returns 502', priority: { name: 'High' }, description: null, project: { key: 'OPS' }, issuetype: { name: 'Bug' }, updated: '2026-11-22T07:00:00.000+0000' },
  status: { name: 'To Do', categoryKey: 'new' },
};
const record = { id: 'r1', short_description: 'Checkout broken', priority: 'P2', state: 'new', description: '', assigned_to: null, jira_issue_key: null, jira_issue_url: null, updated_at: '2026-11-22T07:30:00Z' };

function plans(policy: ConflictPolicy) {
  const connection = stackflow(policy);
  const projectMapping = connection.projects[0];
  assert.ok(projectMapping);
  const jiraShadow = planOutbound({ connection, projectMapping, issue, shadow: undefined, emailOf: () => undefined, at: AT }).shadowNext;
  const plan = handLinkPlan({ connection, projectMapping, jiraShadow, record, jiraUpdatedAt: issue.fields.updated, toolUpdatedAt: record.updated_at });
  const outbound = planOutbound({ connection, projectMapping, issue, shadow: plan.shadow, emailOf: () => undefined, at: AT });
  const inbound = planInbound({ connection, projectMapping, record, shadow: plan.shadow });
  return { plan, outbound, inbound };
}

test('Jira wins: the issue’s title goes to the record, and nothing comes back', () => {
  const { plan, outbound, inbound } = plans('jira-wins');
  assert.deepEqual(plan.differing.map((f) => [f.jiraField, f.winner, f.because]), [['summary', 'jira', 'policy']]);
  assert.equal(outbound.fields.short_description, 'Checkout returns 502');
  assert.equal(outbound.fields.jira_issue_key, 'OPS-1', 'the record gets the issue’s key');
  assert.equal(inbound.jiraFields.summary, undefined);
});

test('the tool wins: the record’s title comes to the issue, and is not sent back', () => {
  const { plan, outbound, inbound } = plans('tool-wins');
  assert.deepEqual(plan.differing.map((f) => [f.jiraField, f.winner]), [['summary', 'tool']]);
  assert.equal(inbound.jiraFields.summary, 'Checkout broken');
  assert.equal(outbound.fields.short_description, undefined);
});

test('newest wins: the record changed after the issue, so its title stands', () => {
  const { plan } = plans('newest-wins');
  assert.deepEqual(plan.differing.map((f) => f.winner), ['tool']);
  assert.match(handLinkWords(plan, 'the newer change wins')[0] ?? '', /summary: differs; the record’s value is written to Jira \(the newer change wins\)/);
});

test('values the two hold alike are not listed and send nothing', () => {
  const { plan, outbound } = plans('jira-wins');
  assert.ok(!plan.differing.some((f) => f.jiraField === 'priority'), 'High ⇄ P2 are the same value');
  assert.equal(outbound.fields.priority, undefined);
  assert.equal(plan.shadow.fields.priority, hashValue('P2'));
});

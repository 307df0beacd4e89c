// The webhook body for an issue as Jira's REST API returns it, compared with what Jira Cloud sends:
// standard fields present when empty, the resolution in Jira's shape, the changelog of a new issue,
// and comment events with only the issue fields Jira puts in them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jiraWebhookBodyFor, type JiraWebhookEventInput } from '../../../src/connectors';
import type { IssueFacts } from '../../../src/sync/ports';

const SITE = 'https://acme.atlassian.net';
const sam = { accountId: '557058:sam', displayName: 'Sam Agent' };
const doc = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

function issue(fields: Record<string, unknown> = {}): IssueFacts & { id: string; key: string } {
  const all: Record<string, unknown> = {
    summary: 'Checkout is down',
    description: doc('Users see a 502.'),
    priority: { id: '2', name: 'High' },
    labels: ['sev1'],
    created: '2024-06-01T10:00:00.000+0000',
    updated: '2024-06-01T11:30:00.000+0000',
    customfield_10050: 3,
    ...fields,
  };
  return {
    id: '10042',
    key: 'OPS-7',
    fields: all,
    project: { id: '10000', key: 'OPS', name: 'Operations', self: `${SITE}/rest/api/3/project/10000` },
    issueType: { id: '10004', name: 'Bug', subtask: false },
    status: { id: '3', name: 'Done', categoryKey: 'done' },
    users: { assignee: sam, reporter: sam, creator: sam },
  };
}

const input = (extra: Partial<JiraWebhookEventInput>): JiraWebhookEventInput => ({
  event: 'jira:issue_updated',
  issue: issue(),
  mapped: { projectKey: 'OPS', issueType: 'Bug' },
  timestamp: Date.parse('2024-06-01T12:00:00Z'),
  user: sam,
  ...extra,
});

test('issue events: every standard field is there, empty ones as Jira leaves them; the resolution in its shape', () => {
  const resolved = jiraWebhookBodyFor(input({ issue: issue({ resolution: { id: '10000', name: 'Done', description: 'Work has been completed.' }, resolutiondate: '2024-06-01T11:30:00.000+0000', duedate: '2024-06-07' }) }));
  const { fields } = resolved.issue;
  assert.deepEqual(fields.resolution, { self: `${SITE}/rest/api/2/resolution/10000`, id: '10000', description: 'Work has been completed.', name: 'Done' });
  assert.equal(fields.resolutiondate, '2024-06-01T11:30:00.000+0000');
  assert.equal(fields.duedate, '2024-06-07');
  assert.equal((fields.creator as { displayName: string }).displayName, 'Sam Agent');
  assert.equal(fields.customfield_10050, 3);
  assert.equal(resolved.user?.displayName, 'Sam Agent');

  const open = jiraWebhookBodyFor(input({})).issue.fields;
  for (const id of ['resolution', 'resolutiondate', 'duedate', 'environment', 'security', 'timespent', 'lastViewed']) assert.equal(open[id], null, id);
  for (const id of ['components', 'fixVersions', 'versions', 'issuelinks', 'subtasks', 'attachment']) assert.deepEqual(open[id], [], id);
  assert.equal(open.workratio, -1);
});

test('issue_created carries the values the issue was made with as its changelog, by field name', () => {
  const body = jiraWebhookBodyFor(input({ event: 'jira:issue_created' }));
  assert.equal(body.issue_event_type_name, 'issue_created');
  assert.deepEqual(
    body.changelog?.items.map((i) => [i.field, i.fieldId, i.from, i.to, i.toString]),
    [
      ['assignee', 'assignee', null, sam.accountId, 'Sam Agent'],
      ['description', 'description', null, null, 'Users see a 502.'],
      ['labels', 'labels', null, null, 'sev1'],
      ['priority', 'priority', null, '2', 'High'],
      ['reporter', 'reporter', null, sam.accountId, 'Sam Agent'],
      ['Status', 'status', null, '3', 'Done'],
      ['summary', 'summary', null, null, 'Checkout is down'],
    ],
  );
  // A changelog the event carried is sent as it came.
  const given = { id: '77', items: [{ field: 'summary', fieldId: 'summary', from: null, fromString: null, to: null, toString: 'x' }] };
  assert.equal(jiraWebhookBodyFor(input({ event: 'jira:issue_created', changelog: given })).changelog?.id, '77');
});

test('comment events: the comment with its authors and times, a few issue fields, no acting user', () => {
  const comment = { id: '300', body: doc('Restarted the pods'), author: sam, updateAuthor: sam, created: '2024-06-01T12:00:00.000+0000', updated: '2024-06-01T12:05:00.000+0000' };
  const body = jiraWebhookBodyFor(input({ event: 'comment_deleted', comment }));
  assert.equal(body.user, undefined);
  assert.equal(body.comment?.body, 'Restarted the pods');
  assert.equal(body.comment?.author.displayName, 'Sam Agent');
  assert.equal(body.comment?.created, '2024-06-01T12:00:00.000+0000');
  assert.equal(body.comment?.updated, '2024-06-01T12:05:00.000+0000');
  assert.deepEqual(Object.keys(body.issue.fields).sort(), ['assignee', 'issuetype', 'priority', 'project', 'status', 'summary']);
});

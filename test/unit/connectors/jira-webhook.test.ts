import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import fc from 'fast-check';
import {
  buildJiraWebhookBody,
  jiraTimestamp,
  pushJiraWebhook,
  signWebhookBody,
  type JiraWebhookEvent,
  type JiraWebhookInput,
} from '../../../src/connectors';
import type { AdfDoc } from '../../../src/adf';
import { clock, fakePort, json, webhookConnection } from './fake-port';

const SITE = 'https://acme.atlassian.net';
const doc = (text: string): AdfDoc => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
const ada = { accountId: '557058:ada', displayName: 'Ada Lovelace', emailAddress: 'ada@acme.com' };

function input(event: JiraWebhookEvent, extra: Partial<JiraWebhookInput> = {}): JiraWebhookInput {
  return {
    event,
    siteUrl: `${SITE}/`,
    timestamp: 1717243200000,
    user: ada,
    issue: {
      id: '10042',
      key: 'OPS-7',
      summary: 'Checkout is down',
      description: doc('Users see a 502.'),
      status: { id: '3', name: 'In Progress', categoryKey: 'indeterminate' },
      priority: { id: '2', name: 'High' },
      issueType: { id: '10004', name: 'Bug' },
      project: { id: '10000', key: 'OPS', name: 'Operations' },
      assignee: ada,
      labels: ['stackflow-sync'],
      created: '2024-06-01T10:00:00Z',
      updated: '2024-06-01T11:30:00.250Z',
    },
    ...extra,
  };
}

test('issue created: Jira Cloud shape with status name and category, REST-style fields and self links', () => {
  const body = buildJiraWebhookBody(input('jira:issue_created'));
  assert.equal(body.webhookEvent, 'jira:issue_created');
  assert.equal(body.issue_event_type_name, 'issue_created');
  assert.equal(body.timestamp, 1717243200000);
  assert.equal(body.user?.accountId, ada.accountId);
  assert.equal(body.user?.displayName, 'Ada Lovelace');
  assert.equal(body.issue.id, '10042');
  assert.equal(body.issue.key, 'OPS-7');
  assert.equal(body.issue.self, `${SITE}/rest/api/2/issue/10042`);
  const { fields } = body.issue;
  assert.equal(fields.summary, 'Checkout is down');
  assert.deepEqual(fields.description, doc('Users see a 502.'));
  assert.equal(fields.status.name, 'In Progress');
  assert.deepEqual(fields.status.statusCategory, {
    self: `${SITE}/rest/api/2/statuscategory/4`,
    id: 4,
    key: 'indeterminate',
    colorName: 'yellow',
    name: 'In Progress',
  });
  assert.deepEqual(fields.priority, { self: `${SITE}/rest/api/2/priority/2`, id: '2', name: 'High' });
  assert.equal(fields.issuetype.name, 'Bug');
  assert.equal(fields.issuetype.subtask, false);
  assert.deepEqual([fields.project.key, fields.project.name], ['OPS', 'Operations']);
  assert.deepEqual(fields.assignee, {
    self: `${SITE}/rest/api/2/user?accountId=557058%3Aada`,
    accountId: ada.accountId,
    displayName: 'Ada Lovelace',
    emailAddress: 'ada@acme.com',
    active: true,
    accountType: 'atlassian',
  });
  assert.deepEqual(fields.labels, ['stackflow-sync']);
  assert.equal(fields.created, '2024-06-01T10:00:00.000+0000');
  assert.equal(fields.updated, '2024-06-01T11:30:00.250+0000');
  assert.equal(body.changelog, undefined);
  assert.equal(body.comment, undefined);
  // Survives the wire as plain JSON.
  assert.deepEqual(JSON.parse(JSON.stringify(body)), body);
});

test('issue updated: changelog items and the event type name Jira gives', () => {
  const status = { field: 'status', fieldtype: 'jira', from: '1', fromString: 'To Do', to: '3', toString: 'In Progress' };
  const body = buildJiraWebhookBody(input('jira:issue_updated', { changelog: { id: '20001', items: [status] } }));
  assert.equal(body.webhookEvent, 'jira:issue_updated');
  assert.equal(body.issue_event_type_name, 'issue_generic');
  assert.deepEqual(body.changelog, { id: '20001', items: [{ ...status, fieldId: 'status' }] });
  assert.equal(body.issue.fields.status.name, 'In Progress');

  const assign = { field: 'assignee', from: null, fromString: null, to: ada.accountId, toString: 'Ada Lovelace' };
  const assigned = buildJiraWebhookBody(input('jira:issue_updated', { changelog: { id: '20002', items: [assign] } }));
  assert.equal(assigned.issue_event_type_name, 'issue_assigned');
  assert.deepEqual(assigned.changelog?.items[0], { ...assign, fieldtype: 'jira', fieldId: 'assignee' });

  const custom = { field: 'customfield_10050', fieldId: 'customfield_10050', from: null, fromString: null, to: null, toString: 'x' };
  const other = buildJiraWebhookBody(input('jira:issue_updated', { changelog: { id: '20003', items: [custom] } }));
  assert.equal(other.issue_event_type_name, 'issue_updated');
  assert.equal(other.changelog?.items[0]?.fieldtype, 'custom');
  assert.equal(buildJiraWebhookBody(input('jira:issue_updated', { issueEventTypeName: 'issue_moved' })).issue_event_type_name, 'issue_moved');
});

test('issue deleted: the issue as it last was, no changelog', () => {
  const body = buildJiraWebhookBody(input('jira:issue_deleted', { changelog: { id: '1', items: [] } }));
  assert.equal(body.issue_event_type_name, 'issue_deleted');
  assert.equal(body.changelog, undefined);
  assert.equal(body.issue.fields.status.name, 'In Progress');
});

test('comment events: the comment with authors, no user or event type name (as Jira sends them)', () => {
  const comment = { id: '300', body: doc('Restarted the pods'), author: ada, created: '2024-06-01T12:00:00Z', updated: '2024-06-01T12:05:00Z' };
  for (const event of ['comment_created', 'comment_updated', 'comment_deleted'] as const) {
    const body = buildJiraWebhookBody(input(event, { comment }));
    assert.equal(body.webhookEvent, event);
    assert.equal(body.issue_event_type_name, undefined);
    assert.equal(body.user, undefined);
    assert.equal(body.comment?.id, '300');
    assert.equal(body.comment?.self, `${SITE}/rest/api/2/issue/10042/comment/300`);
    assert.deepEqual(body.comment?.body, doc('Restarted the pods'));
    assert.equal(body.comment?.author.accountId, ada.accountId);
    assert.equal(body.comment?.updateAuthor.accountId, ada.accountId);
    assert.equal(body.comment?.updated, '2024-06-01T12:05:00.000+0000');
    assert.equal(body.issue.key, 'OPS-7');
  }
  const commented = buildJiraWebhookBody(input('jira:issue_updated', { comment }));
  assert.equal(commented.issue_event_type_name, 'issue_commented');
});

test('empty fields are null as in Jira; text can be sent as plain text; other fields pass through', () => {
  const base = input('jira:issue_created');
  // No priority and no labels: left out, as a caller that has none does.
  const { priority: _priority, labels: _labels, ...issue } = base.issue;
  const body = buildJiraWebhookBody({
    ...base,
    textFormat: 'text',
    issue: {
      ...issue,
      assignee: null,
      status: { name: 'Done', categoryKey: 'done' },
      otherFields: { customfield_10050: 3 },
    },
  });
  assert.equal(body.issue.fields.assignee, null);
  assert.equal(body.issue.fields.priority, null);
  assert.deepEqual(body.issue.fields.labels, []);
  assert.equal(body.issue.fields.description, 'Users see a 502.');
  assert.equal(body.issue.fields.status.statusCategory.key, 'done');
  assert.equal(body.issue.fields.status.statusCategory.name, 'Done');
  assert.equal(body.issue.fields.customfield_10050, 3);
  assert.equal(jiraTimestamp('not a date'), 'not a date');
});

test('signature: sha256=<hex HMAC-SHA256(secret, raw body)>, verifiable with node:crypto', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), fc.string(), (secret, raw) => {
      const header = signWebhookBody(secret, raw);
      assert.match(header, /^sha256=[0-9a-f]{64}$/);
      const expected = createHmac('sha256', secret).update(raw, 'utf8').digest();
      assert.ok(timingSafeEqual(Buffer.from(header.slice('sha256='.length), 'hex'), expected));
    }),
  );
});

test('push: POST to the push URL with the raw body, signature over exactly that body, bearer auth', async () => {
  const port = fakePort({ status: 200, body: '' });
  const connection = webhookConnection({ auth: { kind: 'bearer' }, webhook: { pushUrl: 'https://userhero.co/api/webhooks/jira', sign: true } });
  const body = buildJiraWebhookBody(input('jira:issue_updated'));
  const result = await pushJiraWebhook(connection, { auth: 'uh-token', signing: 'whsec' }, port, body, { deliveryId: 'd-1', clock });
  assert.deepEqual(result, { ok: true, value: { status: 200 } });
  const request = port.last();
  assert.equal(request.method, 'POST');
  assert.equal(request.url, 'https://userhero.co/api/webhooks/jira');
  assert.equal(request.timeoutMs, 10_000);
  assert.equal(request.headers['Content-Type'], 'application/json');
  assert.equal(request.headers.Authorization, 'Bearer uh-token');
  assert.equal(request.headers['X-Atlassian-Webhook-Identifier'], 'd-1');
  assert.deepEqual(JSON.parse(request.body ?? ''), body);
  const expected = `sha256=${createHmac('sha256', 'whsec').update(request.body ?? '').digest('hex')}`;
  assert.equal(request.headers['X-Hub-Signature'], expected);
});

test('push: unsigned and unauthenticated by default (the incident tool takes a bare push URL)', async () => {
  const port = fakePort({ status: 202, body: '{"request_id":"x"}' });
  const result = await pushJiraWebhook(webhookConnection(), {}, port, buildJiraWebhookBody(input('jira:issue_created')), { clock });
  assert.deepEqual(result, { ok: true, value: { status: 202 } });
  assert.equal(port.last().headers['X-Hub-Signature'], undefined);
  assert.equal(port.last().headers.Authorization, undefined);
  assert.equal(port.last().url, 'https://api.flashcat.cloud/event/push/change/jira?integration_key=abc');
  assert.equal(JSON.parse(port.last().body ?? '').issue.fields.status.name, 'In Progress');
});

test('push: signing on without a signing secret sends nothing; failures are classified and redacted', async () => {
  const port = fakePort();
  const connection = webhookConnection({ webhook: { pushUrl: 'https://userhero.co/api/webhooks/jira', sign: true } });
  const missing = await pushJiraWebhook(connection, {}, port, buildJiraWebhookBody(input('jira:issue_created')), { clock });
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.equal(missing.failure.reason, 'missing-secret');
  assert.equal(port.requests.length, 0);

  const echo = fakePort(json(401, { error: 'bad signature secret whsec-123 / token uh-456' }));
  const bearer = webhookConnection({ auth: { kind: 'bearer' }, webhook: { pushUrl: 'https://userhero.co/api/webhooks/jira', sign: true } });
  const failed = await pushJiraWebhook(bearer, { auth: 'uh-456', signing: 'whsec-123' }, echo, buildJiraWebhookBody(input('jira:issue_created')), { clock });
  assert.equal(failed.ok, false);
  if (!failed.ok) {
    assert.deepEqual([failed.failure.retry, failed.failure.reason, failed.failure.status], ['permanent', 'token-rejected', 401]);
    assert.equal(failed.failure.toolMessage, 'bad signature secret [redacted] / token [redacted]');
  }
  const busy = await pushJiraWebhook(webhookConnection(), {}, fakePort(json(503, {}, { 'retry-after': '12' })), buildJiraWebhookBody(input('jira:issue_created')), { clock });
  assert.equal(busy.ok, false);
  if (!busy.ok) assert.deepEqual([busy.failure.retry, busy.failure.retryAfterSeconds], ['transient', 12]);
});

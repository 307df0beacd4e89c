// The reference ITSM's Jira webhook endpoint: issues in mapped projects become records, status and
// fields follow StackFlow's guide, comments become work notes, X-Hub-Signature is checked when configured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signHubSignature } from '../../../devkit/external/signing';
import { at, receiver, start, str } from './helpers';

const PATH = '/api/webhooks/inbound/jira';
const adf = (text: string): unknown => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Hello ' }, { type: 'text', text, marks: [{ type: 'strong' }] }] }],
});

function issue(key: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  const project = key.replace(/-\d+$/, '');
  return {
    id: '10001',
    key,
    fields: {
      summary: 'Checkout is slow',
      description: adf('world'),
      status: { name: 'To Do', statusCategory: { key: 'new' } },
      priority: { name: 'High' },
      assignee: { accountId: 'a1', displayName: 'Ann', emailAddress: 'ann@example.com' },
      issuetype: { name: project === 'INFRA' ? 'Task' : 'Bug' },
      project: { key: project, name: project },
      ...fields,
    },
  };
}

function comment(id: string, text: string): Record<string, unknown> {
  return { id, body: adf(text), author: { accountId: 'b2', displayName: 'Bob', emailAddress: 'bob@example.com' } };
}

/** Posts a webhook the way Jira does: no bearer token, optionally signed. */
async function send(base: string, body: unknown, secret?: string, signature?: string): Promise<{ status: number; body: unknown }> {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (signature !== undefined) headers['X-Hub-Signature'] = signature;
  else if (secret !== undefined) headers['X-Hub-Signature'] = signHubSignature(secret, raw);
  const response = await fetch(`${base}${PATH}`, { method: 'POST', headers, body: raw });
  return { status: response.status, body: (await response.json()) as unknown };
}

test('issue created in a mapped project makes a record; updates follow the status and priority tables', async () => {
  const hook = await receiver();
  const { base, itsm } = await start({ outbound: { url: hook.url, secret: 's' } });
  const created = await send(base, { webhookEvent: 'jira:issue_created', timestamp: 1, issue: issue('OPS-7') });
  assert.equal(created.status, 200);
  assert.equal(at(created.body, 'result', 'action'), 'created');
  const record = itsm.recordForIssue('OPS-7');
  assert.ok(record);
  assert.equal(record.module, 'incidents');
  assert.equal(record.number, 'INC0001001');
  assert.equal(record.short_description, 'Checkout is slow');
  assert.equal(record.description, 'Hello **world**');
  assert.equal(record.priority, 'P2');
  assert.equal(record.state, 'new');
  assert.equal(record.assigned_to, 'ann@example.com');
  assert.equal(record.assignment_group, 'Platform Engineering');
  assert.equal(record.category, 'software');

  const updated = await send(base, {
    webhookEvent: 'jira:issue_updated',
    issue: issue('OPS-7', { status: { name: 'Blocked', statusCategory: { key: 'indeterminate' } }, priority: { name: 'Highest' }, assignee: null }),
    changelog: { id: '1', items: [{ field: 'status', fromString: 'To Do', toString: 'Blocked' }] },
  });
  assert.equal(at(updated.body, 'result', 'action'), 'updated');
  const after = itsm.record('incidents', record.id);
  assert.equal(after?.state, 'on_hold');
  assert.equal(after?.priority, 'P1');
  assert.equal(after?.assigned_to, null);

  // A status outside the table falls back on its category; a repeat changes nothing.
  const custom = { webhookEvent: 'jira:issue_updated', issue: issue('OPS-7', { status: { name: 'Verifying', statusCategory: { key: 'done' } }, priority: { name: 'Highest' }, assignee: null }) };
  await send(base, custom);
  assert.equal(itsm.record('incidents', record.id)?.state, 'resolved');
  assert.equal(at((await send(base, custom)).body, 'result', 'action'), 'unchanged');

  // INFRA Task maps to changes; unmapped projects and issue types are ignored.
  await send(base, { webhookEvent: 'jira:issue_created', issue: issue('INFRA-3', { status: { name: 'In Progress' } }) });
  assert.equal(itsm.recordForIssue('INFRA-3')?.module, 'changes');
  assert.equal(itsm.recordForIssue('INFRA-3')?.state, 'in_progress');
  assert.equal(at((await send(base, { webhookEvent: 'jira:issue_created', issue: issue('HR-1') })).body, 'result', 'action'), 'ignored');
  assert.equal(at((await send(base, { webhookEvent: 'jira:issue_created', issue: issue('OPS-8', { issuetype: { name: 'Story' } }) })).body, 'result', 'action'), 'ignored');

  await itsm.whenIdle();
  assert.deepEqual(
    itsm.outbox.map((e) => e.type),
    ['record.created', 'record.updated', 'record.updated', 'record.created'],
  );
});

test('comments become work notes: created, updated, deleted, deduplicated by comment id', async () => {
  const { base, itsm } = await start();
  await send(base, { webhookEvent: 'jira:issue_created', issue: issue('OPS-1') });
  const id = itsm.recordForIssue('OPS-1')?.id ?? '';
  const added = await send(base, { webhookEvent: 'comment_created', issue: issue('OPS-1'), comment: comment('100', 'there') });
  assert.equal(at(added.body, 'result', 'action'), 'note_created');
  // Jira may also report the comment on an issue update; it must not make a second note.
  await send(base, { webhookEvent: 'jira:issue_updated', issue: issue('OPS-1'), comment: comment('100', 'there') });
  const notes = itsm.notes('incidents', id);
  assert.equal(notes.length, 1);
  assert.equal(notes[0]?.body, 'Hello **there**');
  assert.deepEqual(notes[0]?.author, { name: 'Bob', email: 'bob@example.com' });

  await send(base, { webhookEvent: 'comment_updated', issue: issue('OPS-1'), comment: { ...comment('100', 'again'), body: 'plain text body' } });
  assert.equal(itsm.notes('incidents', id)[0]?.body, 'plain text body');
  await send(base, { webhookEvent: 'comment_deleted', issue: issue('OPS-1'), comment: comment('100', '') });
  assert.equal(itsm.notes('incidents', id).length, 0);

  const orphan = await send(base, { webhookEvent: 'comment_created', issue: issue('OPS-99'), comment: comment('5', 'x') });
  assert.equal(at(orphan.body, 'result', 'action'), 'ignored');

  await send(base, { webhookEvent: 'jira:issue_deleted', issue: issue('OPS-1') });
  assert.equal(itsm.recordForIssue('OPS-1'), undefined);
});

test('with a webhook secret, a missing or wrong X-Hub-Signature answers 401 and changes nothing', async () => {
  const { base, itsm, call } = await start({ webhookSecret: 'hub-secret' });
  const body = { webhookEvent: 'jira:issue_created', issue: issue('OPS-2') };
  const unsigned = await send(base, body);
  assert.equal(unsigned.status, 401);
  assert.equal(at(unsigned.body, 'error', 'message'), 'Invalid webhook signature');
  assert.equal((await send(base, body, 'wrong-secret')).status, 401);
  assert.equal((await send(base, body, undefined, 'sha256=zz')).status, 401);
  assert.equal(itsm.records('incidents').length, 0);

  assert.equal((await send(base, body, 'hub-secret')).status, 200);
  assert.equal(itsm.records('incidents').length, 1);

  // A bearer token is not needed, but a wrong one is refused.
  const wrongToken = await call('POST', PATH, body, { Authorization: 'Bearer wrong', 'X-Hub-Signature': signHubSignature('hub-secret', JSON.stringify(body)) });
  assert.equal(wrongToken.status, 401);
});

test('a malformed webhook body answers 400 naming the field', async () => {
  const { base } = await start();
  const reply = await send(base, { webhookEvent: 'jira:issue_created', issue: { fields: {} } });
  assert.equal(reply.status, 400);
  assert.equal(at(reply.body, 'error', 'field'), 'issue.key');
  assert.match(str(reply.body, 'error', 'message'), /Invalid Jira webhook body/);
});

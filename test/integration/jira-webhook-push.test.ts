// The Jira-webhook push as a tool that ingests Jira's own webhooks sees it: the acting user by name,
// Jira's standard fields (resolution, resolutiondate, duedate…), the changelog of a new issue, comment
// edits and deletions as Jira names them, one identifier per delivery however often it is retried,
// and bodies the stand-in receivers (StackFlow's Jira endpoint, the Jira-webhook tools) accept.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJiraWebhook } from '../../devkit/external/jira-webhook';
import { jiraWebhookSchema } from '../../devkit/external/tools/common';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

interface Push {
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  status: number;
}

let tandem: TandemOnDevkit;
let server: Server;
let pushUrl: string;
const pushes: Push[] = [];
/** Answers to give before answering 200 again. */
const failNext: number[] = [];

before(async () => {
  tandem = await startTandem();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = failNext.shift() ?? 200;
      pushes.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, status });
      res.writeHead(status, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pushUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/jira`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await tandem.stop();
});

beforeEach(async () => {
  pushes.length = 0;
  failNext.length = 0;
  await configure(tandem.emulator, {
    version: 1,
    connections: [
      {
        id: 'hooks',
        name: 'Incident tool',
        protocol: 'jira-webhook',
        auth: { kind: 'none' },
        webhook: { pushUrl, sign: false },
        options: { syncComments: true, label: '', onJiraDelete: 'nothing', conflictPolicy: 'jira-wins' },
        projects: [{ projectKey: 'OPS', issueType: '*', module: 'issues', direction: 'jira-to-tool' }],
        fields: [],
      },
    ],
  });
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });
const doc = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
const pick = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, step) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[step] : undefined), value);

async function createIssue(summary: string): Promise<string> {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', {
    fields: {
      project: { key: 'OPS' },
      issuetype: { name: 'Task' },
      summary,
      description: doc('Card payments fail'),
      priority: { name: 'High' },
      assignee: { accountId: tandem.agent.accountId },
      duedate: '2026-12-01',
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await tandem.emulator.settle();
  return (created.body as { key: string }).key;
}

function pushed(event: string): Push[] {
  return pushes.filter((p) => p.body.webhookEvent === event && p.status === 200);
}

test('a new issue arrives with who made it, the changelog Jira sends on create, and the standard fields', async () => {
  const key = await createIssue('Payments are down');
  const [created] = pushed('jira:issue_created');
  assert.ok(created, 'jira:issue_created was pushed');
  const { body } = created;
  assert.equal(pick(body, 'issue', 'key'), key);
  assert.equal(pick(body, 'user', 'accountId'), tandem.agent.accountId);
  assert.equal(pick(body, 'user', 'displayName'), 'Sam Agent');
  const items = pick(body, 'changelog', 'items') as Array<{ field: string; toString: string | null }>;
  assert.ok(Array.isArray(items));
  assert.deepEqual(
    items.map((i) => [i.field, i.toString]),
    [
      ['assignee', 'Sam Agent'],
      ['description', 'Card payments fail'],
      ['duedate', '2026-12-01'],
      ['priority', 'High'],
      ['reporter', 'Sam Agent'],
      ['Status', 'To Do'],
      ['summary', 'Payments are down'],
    ],
  );
  const fields = pick(body, 'issue', 'fields') as Record<string, unknown>;
  assert.equal(fields.duedate, '2026-12-01');
  assert.equal(fields.resolution, null);
  assert.equal(fields.resolutiondate, null);
  assert.deepEqual([fields.components, fields.fixVersions, fields.versions, fields.issuelinks, fields.subtasks, fields.attachment], [[], [], [], [], [], []]);
  assert.equal(pick(fields, 'assignee', 'displayName'), 'Sam Agent');
  assert.equal(pick(fields, 'creator', 'displayName'), 'Sam Agent');
  assert.equal(pick(fields, 'status', 'name'), 'To Do');
  assert.equal(fields.description, 'Card payments fail');
});

test('done with a resolution: the update carries the resolution and when it was resolved', async () => {
  const key = await createIssue('Refund job stuck');
  await tandem.transition(asAgent(), key, 'In Progress');
  await tandem.transition(asAgent(), key, 'Done');
  await tandem.emulator.settle();
  const done = pushed('jira:issue_updated').at(-1);
  assert.ok(done);
  assert.equal(pick(done.body, 'issue', 'fields', 'status', 'name'), 'Done');
  assert.equal(pick(done.body, 'issue', 'fields', 'resolution', 'name'), 'Done');
  assert.match(String(pick(done.body, 'issue', 'fields', 'resolutiondate')), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
  assert.equal(pick(done.body, 'user', 'displayName'), 'Sam Agent');
  const items = pick(done.body, 'changelog', 'items') as Array<{ field: string }>;
  assert.ok(items.some((i) => i.field.toLowerCase() === 'status'));
});

test('comments arrive as Jira names them: created, updated when edited, deleted with the comment as it was', async () => {
  const key = await createIssue('Checkout latency');
  const added = await tandem.rest(asAgent(), 'POST', `/rest/api/3/issue/${key}/comment`, { body: doc('Rolled back the deploy') });
  assert.equal(added.status, 201);
  const commentId = (added.body as { id: string }).id;
  await tandem.emulator.settle();
  await tandem.emulator.advance(60_000);
  const edited = await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${key}/comment/${commentId}`, { body: doc('Rolled back the deploy at 10:02') });
  assert.equal(edited.status, 200);
  await tandem.emulator.settle();
  const deleted = await tandem.rest(asAgent(), 'DELETE', `/rest/api/3/issue/${key}/comment/${commentId}`);
  assert.equal(deleted.status, 204);
  await tandem.emulator.settle();

  const events = pushes.filter((p) => p.body.webhookEvent !== 'jira:issue_created').map((p) => p.body.webhookEvent);
  // The issue updates Jira fires for comment changes are not pushed: the comment events say it all.
  assert.deepEqual(events, ['comment_created', 'comment_updated', 'comment_deleted']);
  const [created, updated, gone] = pushes.filter((p) => String(p.body.webhookEvent).startsWith('comment_'));
  assert.equal(pick(created?.body, 'comment', 'body'), 'Rolled back the deploy');
  assert.equal(pick(created?.body, 'comment', 'author', 'displayName'), 'Sam Agent');
  assert.equal(pick(created?.body, 'user'), undefined, 'comment events name no acting user, as Jira sends them');
  assert.equal(pick(updated?.body, 'comment', 'id'), commentId);
  assert.equal(pick(updated?.body, 'comment', 'body'), 'Rolled back the deploy at 10:02');
  assert.notEqual(pick(updated?.body, 'comment', 'created'), pick(updated?.body, 'comment', 'updated'));
  assert.equal(pick(gone?.body, 'comment', 'id'), commentId);
  assert.equal(pick(gone?.body, 'comment', 'body'), 'Rolled back the deploy at 10:02', 'the comment as it was');
  assert.equal(pick(gone?.body, 'comment', 'author', 'displayName'), 'Sam Agent');
  // Jira's comment events carry a few of the issue's fields, status among them.
  assert.equal(pick(gone?.body, 'issue', 'fields', 'status', 'name'), 'To Do');
  assert.equal(pick(gone?.body, 'issue', 'fields', 'resolution'), undefined);
});

test('a push the tool did not take is sent again with the same X-Atlassian-Webhook-Identifier; another event gets another', async () => {
  const key = await createIssue('Cache stampede');
  failNext.push(503);
  const edit = await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${key}`, { fields: { summary: 'Cache stampede on login' } });
  assert.equal(edit.status, 204);
  await tandem.emulator.settle();
  await tandem.emulator.advance(15 * 60_000);
  const updates = pushes.filter((p) => p.body.webhookEvent === 'jira:issue_updated');
  assert.deepEqual(
    updates.map((p) => p.status),
    [503, 200],
  );
  const [first, retry] = updates;
  const id = first?.headers['x-atlassian-webhook-identifier'];
  assert.ok(typeof id === 'string' && id !== '');
  assert.equal(retry?.headers['x-atlassian-webhook-identifier'], id);
  assert.deepEqual(pick(retry?.body, 'changelog'), pick(first?.body, 'changelog'), 'the retry is the same event');
  assert.equal(pick(retry?.body, 'timestamp'), pick(first?.body, 'timestamp'));
  const created = pushed('jira:issue_created').find((p) => pick(p.body, 'issue', 'key') === key);
  assert.notEqual(created?.headers['x-atlassian-webhook-identifier'], id);
});

test('every body Tandem pushes is one the stand-in receivers take', async () => {
  const key = await createIssue('Disk pressure on db-3');
  await tandem.transition(asAgent(), key, 'In Progress');
  const added = await tandem.rest(asAgent(), 'POST', `/rest/api/3/issue/${key}/comment`, { body: doc('Expanding the volume') });
  await tandem.emulator.settle();
  await tandem.rest(asAgent(), 'DELETE', `/rest/api/3/issue/${key}/comment/${(added.body as { id: string }).id}`);
  await tandem.rest(asAgent(), 'DELETE', `/rest/api/3/issue/${key}`);
  await tandem.emulator.settle();
  const events = new Set(pushes.map((p) => p.body.webhookEvent));
  assert.deepEqual([...events].sort(), ['comment_created', 'comment_deleted', 'jira:issue_created', 'jira:issue_deleted', 'jira:issue_updated']);
  for (const push of pushes) {
    assert.doesNotThrow(() => parseJiraWebhook(push.body), `StackFlow takes ${String(push.body.webhookEvent)}`);
    const parsed = jiraWebhookSchema.safeParse(push.body);
    assert.ok(parsed.success, `the Jira-webhook tools take ${String(push.body.webhookEvent)}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues[0])}`);
  }
  const deleted = pushed('jira:issue_deleted')[0];
  assert.equal(pick(deleted?.body, 'user', 'displayName'), 'Sam Agent');
  assert.equal(pick(deleted?.body, 'issue', 'fields', 'assignee', 'displayName'), 'Sam Agent');
});

// The Sentry preset against a stand-in of a Sentry-style error tracker as its guide describes it:
// create a Jira issue from a tracker issue (with a link back) or link an existing one; Jira's
// assignee reaches the tracker by email; resolved ⇄ Done both ways. New Jira bugs never become
// tracker issues.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { SentryStandIn } from '../../devkit/external/tools/sentry';
import { findPreset } from '../../src/mapping';
import { authSecretKey, inboundSecretKey } from '../../src/sync/state';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'sntrys-api-token-3be1';
const INBOUND_SECRET = 'sentry-inbound-secret-77a0c2';
let tandem: TandemOnDevkit;
let sentry: SentryStandIn;
let outsider: { accountId: string };

before(async () => {
  tandem = await startTandem();
  outsider = tandem.jira.addUser({ displayName: 'Noor Outsider', emailAddress: 'noor@contractor.example' });
  sentry = new SentryStandIn({ token: TOKEN, members: ['sam@example.com', 'ada@example.com'], clock: () => tandem.emulator.clock.now() });
  await sentry.listen();
  sentry.tandem = { url: `${tandem.emulator.webTriggerUrl('tandem-inbound')}/sentry`, secret: INBOUND_SECRET, auth: 'hmac' };
});

after(async () => {
  await sentry.close();
  await tandem.stop();
});

beforeEach(async () => {
  const preset = findPreset('sentry-errors');
  assert.ok(preset);
  const connection = preset.build({ name: 'Sentry', baseUrl: sentry.baseUrl, id: 'sentry' });
  await configure(tandem.emulator, { version: 1, connections: [connection] }, { [authSecretKey('sentry')]: TOKEN, [inboundSecretKey('sentry')]: INBOUND_SECRET });
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });
const puts = () => sentry.requests.filter((r) => r.method === 'PUT');

async function createdFromSentry(title: string): Promise<{ id: string; key: string }> {
  const tracked = sentry.captureError({ title, culprit: 'app/checkout.py in charge', level: 'error' });
  const answer = await sentry.createJiraIssue(tracked.id);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.status, 'created');
  await tandem.emulator.settle();
  return { id: tracked.id, key: String(answer.body.issueKey) };
}

async function moveTo(key: string, status: string): Promise<void> {
  await tandem.transition(asAgent(), key, status);
  await tandem.emulator.settle();
}

test('creating a Jira issue from a tracker issue makes an OPS bug with its title, details and a link back', async () => {
  const { id, key } = await createdFromSentry('ZeroDivisionError: division by zero');
  const issue = tandem.jira.getIssue(key);
  assert.ok(issue);
  assert.equal(issue.projectKey, 'OPS');
  assert.equal(issue.issueTypeName, 'Bug');
  assert.equal(issue.summary, 'ZeroDivisionError: division by zero');
  assert.match(JSON.stringify(issue.description), /app\/checkout\.py in charge/);
  assert.equal(issue.statusName, 'To Do');
  assert.ok(issue.labels.includes('sentry'));
  assert.equal(issue.remoteLinks.length, 1);
  assert.equal(issue.remoteLinks[0]?.object.url, sentry.issue(id)?.permalink);
  assert.equal(issue.remoteLinks[0]?.object.title, sentry.issue(id)?.shortId);
  assert.equal(sentry.issue(id)?.jira_issue_key, key);
});

test('resolving in the tracker moves the bug to Done with a resolution; unresolving reopens it', async () => {
  const { id, key } = await createdFromSentry('TimeoutError: upstream took 30s');
  const resolved = await sentry.resolve(id);
  assert.equal(resolved?.status, 200, JSON.stringify(resolved?.body));
  let issue = tandem.jira.getIssue(key);
  assert.equal(issue?.statusName, 'Done');
  assert.equal(issue?.resolutionName, 'Done');

  const reopened = await sentry.unresolve(id);
  assert.equal(reopened?.status, 200, JSON.stringify(reopened?.body));
  issue = tandem.jira.getIssue(key);
  assert.equal(issue?.statusName, 'To Do');
  await tandem.emulator.settle();
  assert.equal(puts().length, 0, "Tandem's own transitions send nothing back");
});

test('Done in Jira resolves the tracker issue, and reopening unresolves it; work in progress changes nothing there', async () => {
  const { id, key } = await createdFromSentry('KeyError: user_id');
  const before = puts().length;
  await moveTo(key, 'In Progress');
  // In Progress is still unresolved: no status goes out (the first change may carry the unset assignee).
  assert.ok(puts().slice(before).every((r) => !('status' in (r.body as Record<string, unknown>))), JSON.stringify(puts().slice(before)));
  assert.equal(sentry.issue(id)?.status, 'unresolved');
  await moveTo(key, 'Done');
  assert.equal(sentry.issue(id)?.status, 'resolved');
  assert.equal((puts().at(-1)?.body as Record<string, unknown>).status, 'resolved');
  assert.equal(puts().at(-1)?.path, `/api/0/issues/${id}/`);
  await moveTo(key, 'To Do');
  assert.equal(sentry.issue(id)?.status, 'unresolved');
});

test("Jira's assignee reaches the tracker by email; unassigning clears it, and a non-member stays unassigned", async () => {
  const { id, key } = await createdFromSentry('TypeError: cannot read properties of undefined');
  const assign = (accountId: string | null) => tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${key}`, { fields: { assignee: accountId === null ? null : { accountId } } });

  assert.equal((await assign(tandem.agent.accountId)).status, 204);
  await tandem.emulator.settle();
  assert.equal(sentry.issue(id)?.assignedTo, 'sam@example.com');
  assert.equal((puts().at(-1)?.body as Record<string, unknown>).assignedTo, 'sam@example.com');

  assert.equal((await assign(null)).status, 204);
  await tandem.emulator.settle();
  assert.equal(sentry.issue(id)?.assignedTo, null);

  assert.equal((await assign(outsider.accountId)).status, 204);
  await tandem.emulator.settle();
  assert.equal((puts().at(-1)?.body as Record<string, unknown>).assignedTo, 'noor@contractor.example');
  assert.equal(sentry.issue(id)?.assignedTo, null, 'no member has that email');
});

test('a new Jira bug never becomes a tracker issue; linking it to one syncs it from then on, without changing it', async () => {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Checkout sometimes 500s' } });
  assert.equal(created.status, 201);
  const key = (created.body as { key: string }).key;
  await tandem.emulator.settle();
  assert.equal(sentry.requests.filter((r) => r.method === 'POST').length, 0, 'no tracker issue is made from Jira');

  const tracked = sentry.captureError({ title: 'HTTPError: 500 from /checkout', culprit: 'app/checkout.py in submit' });
  const linked = await sentry.linkJiraIssue(tracked.id, key);
  assert.equal(linked.status, 200, JSON.stringify(linked.body));
  assert.equal(linked.body.issueKey, key);
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Checkout sometimes 500s', 'linking changes nothing in the bug');
  assert.equal(tandem.jira.listIssues().filter((i) => i.summary.startsWith('HTTPError')).length, 0, 'no second issue');

  await sentry.resolve(tracked.id);
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'Done');
  await moveTo(key, 'To Do');
  assert.equal(sentry.issue(tracked.id)?.status, 'unresolved');
});

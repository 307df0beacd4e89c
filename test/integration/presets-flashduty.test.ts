// The Flashduty preset against a stand-in of Flashduty as its guide describes it: OPS issues the
// JQL filter matches arrive at the push URL as Jira issue webhooks, and Flashduty's own status table
// reads issue.fields.status.name; nothing else arrives, and nothing comes back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlashdutyStandIn } from '../../devkit/external/tools/flashduty';
import { findPreset } from '../../src/mapping';
import type { SweepsResponse } from '../../src/contract/admin';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;
let flashduty: FlashdutyStandIn;

before(async () => {
  tandem = await startTandem();
  flashduty = new FlashdutyStandIn('fd-integration-key-7f31');
  await flashduty.listen();
  const preset = findPreset('flashduty-changes');
  assert.ok(preset);
  const connection = preset.build({ name: 'Flashduty', baseUrl: flashduty.pushUrl, id: 'flashduty' });
  await configure(tandem.emulator, { version: 1, connections: [connection] });
});

after(async () => {
  await flashduty.close();
  await tandem.stop();
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

async function createIssue(project: string, type: string, summary: string, labels: string[]): Promise<string> {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: project }, issuetype: { name: type }, summary, labels } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await tandem.emulator.settle();
  return (created.body as { key: string }).key;
}

async function moveTo(key: string, status: string): Promise<void> {
  await tandem.transition(asAgent(), key, status);
  await tandem.emulator.settle();
}

test('an OPS change is pushed on every step, and Flashduty maps its status name: planned, processing, done', async () => {
  const key = await createIssue('OPS', 'Task', 'Roll out the payments service v2', ['change']);
  await moveTo(key, 'In Progress');
  await moveTo(key, 'Done');
  const changes = flashduty.changesFor(key);
  assert.deepEqual(
    changes.map((c) => [c.event, c.jiraStatus, c.status]),
    [
      ['jira:issue_created', 'To Do', 'planned'],
      ['jira:issue_updated', 'In Progress', 'processing'],
      ['jira:issue_updated', 'Done', 'done'],
    ],
  );
  assert.equal(changes[0]?.title, `${key} Roll out the payments service v2`);
  // Every push went to the push URL with its integration key, as Jira would post it.
  const pushes = flashduty.requests.filter((r) => r.path.startsWith('/event/push/change/jira'));
  assert.ok(pushes.every((r) => r.status === 200 && r.method === 'POST' && r.path.includes('integration_key=')));
});

test('a status outside Flashduty\'s table still arrives, with the name for Flashduty to read', async () => {
  const key = await createIssue('OPS', 'Task', 'Migrate the DNS zone', ['change']);
  await moveTo(key, 'In Progress');
  await moveTo(key, 'Blocked');
  const last = flashduty.changesFor(key).at(-1);
  assert.equal(last?.jiraStatus, 'Blocked');
  assert.equal(last?.status, null);
});

test('issues outside the JQL filter do not arrive, until a change brings them inside', async () => {
  const key = await createIssue('OPS', 'Bug', 'Typo on the status page', []);
  await moveTo(key, 'In Progress');
  assert.deepEqual(flashduty.changesFor(key), [], 'no label "change": outside the filter');

  const labelled = await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${key}`, { fields: { labels: ['change'] } });
  assert.equal(labelled.status, 204);
  await tandem.emulator.settle();
  assert.deepEqual(flashduty.changesFor(key).map((c) => c.status), ['processing']);
});

test('other projects and comments send nothing: the guide subscribes to issue events of OPS only', async () => {
  const before = flashduty.requests.length;
  const infra = await createIssue('INFRA', 'Task', 'Patch the bastion hosts', ['change']);
  assert.deepEqual(flashduty.changesFor(infra), []);
  const key = await createIssue('OPS', 'Task', 'Rotate TLS certificates', ['change']);
  const pushes = flashduty.requests.length;
  assert.equal(pushes, before + 1);
  const comment = await tandem.rest(asAgent(), 'POST', `/rest/api/3/issue/${key}/comment`, {
    body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Window moved to 22:00' }] }] },
  });
  assert.equal(comment.status, 201);
  await tandem.emulator.settle();
  assert.equal(flashduty.requests.length, pushes, 'a comment is not pushed');
});

test('deleting a change is pushed as Jira would, with the last status', async () => {
  const key = await createIssue('OPS', 'Task', 'Drop the legacy queue', ['change']);
  const deleted = await tandem.rest(asAgent(), 'DELETE', `/rest/api/3/issue/${key}`);
  assert.equal(deleted.status, 204);
  await tandem.emulator.settle();
  assert.deepEqual(
    flashduty.changesFor(key).map((c) => [c.event, c.status]),
    [
      ['jira:issue_created', 'planned'],
      ['jira:issue_deleted', 'planned'],
    ],
  );
});

test('the JQL filter governs deletes: an issue that never matched is deleted without a push', async () => {
  const key = await createIssue('OPS', 'Bug', 'Flaky health check', []);
  const before = flashduty.requests.length;
  const deleted = await tandem.rest(asAgent(), 'DELETE', `/rest/api/3/issue/${key}`);
  assert.equal(deleted.status, 204);
  await tandem.emulator.settle();
  assert.equal(flashduty.requests.length, before, 'nothing is sent for an issue Flashduty never heard of');
  assert.deepEqual(flashduty.changesFor(key), []);
});

test('an issue pushed while it matched and then taken out of the filter is still deleted at Flashduty: it was told of the issue', async () => {
  const key = await createIssue('OPS', 'Task', 'Resize the cache cluster', ['change']);
  const unlabelled = await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${key}`, { fields: { labels: [] } });
  assert.equal(unlabelled.status, 204);
  await tandem.emulator.settle();
  const deleted = await tandem.rest(asAgent(), 'DELETE', `/rest/api/3/issue/${key}`);
  assert.equal(deleted.status, 204);
  await tandem.emulator.settle();
  assert.deepEqual(
    flashduty.changesFor(key).map((c) => c.event),
    ['jira:issue_created', 'jira:issue_deleted'],
  );
});

test('changes whose Jira events were lost are pushed by the next sweep, once; Flashduty cannot be listed, so its Jira side alone is swept', async () => {
  const edited = await createIssue('OPS', 'Task', 'Rotate the TLS certificates', ['change']);
  tandem.emulator.dropProductEvents(1);
  const lost = await createIssue('OPS', 'Task', 'Expand the CDN', ['change']);
  const outside = await createIssue('OPS', 'Task', 'Tidy the wiki', []);
  await moveTo(edited, 'In Progress');
  tandem.emulator.dropProductEvents(0);
  assert.deepEqual(flashduty.changesFor(lost), [], 'its event was lost');
  assert.equal(flashduty.changesFor(edited).at(-1)?.status, 'planned', 'the move was lost');

  await tandem.searchCaughtUp();
  assert.equal(await tandem.emulator.runScheduledTrigger('tandem-sweep'), 'ok');
  await tandem.emulator.drain();
  assert.deepEqual(flashduty.changesFor(lost).map((c) => [c.event, c.status]), [['jira:issue_created', 'planned']]);
  assert.deepEqual(flashduty.changesFor(edited).map((c) => [c.event, c.status]), [['jira:issue_created', 'planned'], ['jira:issue_updated', 'processing']]);
  assert.deepEqual(flashduty.changesFor(outside), [], 'outside the JQL filter: nothing');
  // A comment (not pushed: the guide subscribes to issue events) moved its issue's last change: that issue is pushed once more, as it is.
  const commented = tandem.jira.listIssues().find((i) => i.summary === 'Rotate TLS certificates');
  assert.ok(commented);
  assert.deepEqual(flashduty.changesFor(commented.key).map((c) => [c.event, c.status]), [['jira:issue_created', 'planned'], ['jira:issue_updated', 'planned']]);
  const sweeps = await tandem.adminCall<SweepsResponse>('getSweeps');
  assert.ok(sweeps.ok);
  const last = sweeps.sweeps.find((s) => s.connectionId === 'flashduty');
  assert.equal(last?.finished, true);
  assert.equal(last?.queued, 3);
  assert.match(last?.note ?? '', /cannot list its records: only Jira's side was compared/);

  // Nothing changed since: the next sweep costs its search and pushes nothing.
  await tandem.emulator.advance(61 * 60 * 1000);
  const pushes = flashduty.requests.length;
  tandem.emulator.calls.reset();
  assert.equal(await tandem.emulator.runScheduledTrigger('tandem-sweep'), 'ok');
  await tandem.emulator.drain();
  assert.deepEqual(tandem.emulator.calls.snapshot().jira, { 'POST /rest/api/3/search/jql': 1 }, 'one page of its search, nothing else');
  assert.equal(tandem.emulator.calls.queuePushes, 0);
  assert.equal(flashduty.requests.length, pushes, 'nothing pushed again');
});

// The Craft.io preset against a stand-in of Craft.io as its guide describes it: primary item types
// sync both ways, secondary Jira types sync one way (Jira → Craft.io), types set to Ignore never
// sync, and Craft.io's changes reaching Tandem light the "webhook connected" lamp.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CraftioStandIn } from '../../devkit/external/tools/craftio';
import { inboundHealthKey } from '../../src/sync/state';
import { configureCraftio, startCraftio } from '../support/craftio';
import { startTandem, stored, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;
let craftio: CraftioStandIn;

before(async () => {
  tandem = await startTandem();
  tandem.jira.addProject({ key: 'PROD', name: 'Product', issueTypes: ['Epic', 'Story', 'Bug', 'Task', 'Sub-task'] });
  craftio = await startCraftio(tandem);
});

after(async () => {
  await craftio.close();
  await tandem.stop();
});

beforeEach(() => configureCraftio(tandem, craftio));

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });
const doc = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

async function createIssue(type: string, summary: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'PROD' }, issuetype: { name: type }, summary, ...extra } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await tandem.emulator.settle();
  return (created.body as { key: string }).key;
}

test('a PROD story becomes a Craft.io feature, and Craft.io edits come back to it (a primary type, both ways)', async () => {
  const key = await createIssue('Story', 'Bulk export of roadmaps', {
    description: doc('Customers ask for CSV and PDF'),
    labels: ['q3'],
    assignee: { accountId: tandem.agent.accountId },
    duedate: '2026-09-30',
  });
  const item = craftio.itemForIssue(key);
  assert.ok(item, 'a feature was created');
  assert.equal(item.type, 'features');
  assert.equal(item.title, 'Bulk export of roadmaps');
  assert.equal(item.description, 'Customers ask for CSV and PDF');
  assert.equal(item.status, 'backlog');
  assert.deepEqual(item.tags, ['q3'], "Tandem's own label stays in Jira");
  assert.equal(item.owner, 'sam@example.com');
  assert.equal(item.due_date, '2026-09-30');
  const issue = tandem.jira.getIssue(key);
  assert.equal(issue?.remoteLinks[0]?.object.url, item.url);
  assert.ok(issue?.labels.includes('craftio-sync'));

  const answer = await craftio.updateItem('features', item.id, { title: 'Bulk export of roadmaps and boards', status: 'in_progress' });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(answer.body.applied, ['summary', 'status']);
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Bulk export of roadmaps and boards');
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'In Progress');

  // The "webhook connected" lamp: Tandem has accepted an event from Craft.io.
  const health = (await stored(tandem.emulator, inboundHealthKey('craftio'))) as { lastAcceptedAt?: string } | undefined;
  assert.ok(health?.lastAcceptedAt);
});

test('an epic added in Craft.io becomes a PROD epic with a link back', async () => {
  const { item, answer } = await craftio.createItem('epics', { title: 'Self-serve onboarding', description: 'Goal: **activation** up 10%', tags: ['growth'], due_date: '2026-12-15' });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.status, 'created');
  const issue = tandem.jira.getIssue(String(answer.body.issueKey));
  assert.ok(issue);
  assert.equal(issue.projectKey, 'PROD');
  assert.equal(issue.issueTypeName, 'Epic');
  assert.equal(issue.summary, 'Self-serve onboarding');
  assert.ok(issue.labels.includes('growth'));
  assert.equal(issue.duedate, '2026-12-15');
  assert.equal(issue.remoteLinks[0]?.object.url, item.url);
  assert.equal(issue.remoteLinks[0]?.object.title, item.number);
  // The epic holds the Jira issue as its reference, so Craft.io finds it by key.
  await tandem.emulator.settle();
  assert.equal(craftio.itemForIssue(issue.key)?.id, item.id);
});

test("a secondary type syncs one way: a PROD bug reaches Craft.io and follows Jira, but Craft.io's edits never change it", async () => {
  const key = await createIssue('Bug', 'Roadmap view flickers');
  const item = craftio.itemForIssue(key);
  assert.ok(item);
  assert.equal(item.type, 'items');

  await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${key}`, { fields: { summary: 'Roadmap view flickers on scroll' } });
  await tandem.emulator.settle();
  assert.equal(craftio.itemForIssue(key)?.title, 'Roadmap view flickers on scroll');

  const answer = await craftio.updateItem('items', item.id, { title: 'Renamed in Craft.io' });
  assert.equal(answer.status, 422);
  assert.equal(answer.body.error, 'direction_jira_to_tool');
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Roadmap view flickers on scroll');
});

test('ignored types never sync: PROD sub-tasks send nothing, and Craft.io initiatives make no Jira issue', async () => {
  const story = await createIssue('Story', 'Migrate roadmaps to the new store');
  const before = craftio.requests.length;
  // A sub-task sits under its story (Jira requires a parent for it).
  const key = await createIssue('Sub-task', 'Write the migration', { parent: { key: story } });
  await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${key}`, { fields: { summary: 'Write and run the migration' } });
  await tandem.emulator.settle();
  assert.equal(craftio.requests.length, before, 'no request reached Craft.io');
  assert.equal(craftio.itemForIssue(key), undefined);

  const issues = tandem.jira.listIssues().length;
  const { answer } = await craftio.createItem('initiatives', { title: 'Enterprise readiness' });
  assert.equal(answer.status, 422);
  assert.equal(answer.body.error, 'module_not_mapped');
  assert.equal(tandem.jira.listIssues().length, issues);
});

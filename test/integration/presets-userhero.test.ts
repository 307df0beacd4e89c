// The UserHero preset against a stand-in of UserHero as its guide describes it: an item pushed from
// UserHero creates a Jira issue with a link back; status changes travel by status category both
// ways (the FEEDBACK workflow names its statuses differently from UserHero on purpose); Jira's
// webhooks reach UserHero with the Bearer header and UserHero's events reach Tandem with theirs.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { UserHeroStandIn } from '../../devkit/external/tools/userhero';
import { findPreset } from '../../src/mapping';
import { authSecretKey, inboundSecretKey } from '../../src/sync/state';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const WEBHOOK_SECRET = 'uh-jira-webhook-secret-51c2';
const INBOUND_SECRET = 'uh-inbound-secret-9d04e1';
let tandem: TandemOnDevkit;
let userhero: UserHeroStandIn;
let inboundUrl: string;

async function configureWith(pushSecret: string): Promise<void> {
  const preset = findPreset('userhero-feedback');
  assert.ok(preset);
  const connection = preset.build({ name: 'UserHero', baseUrl: userhero.baseUrl, id: 'userhero' });
  await configure(tandem.emulator, { version: 1, connections: [connection] }, { [authSecretKey('userhero')]: pushSecret, [inboundSecretKey('userhero')]: INBOUND_SECRET });
}

before(async () => {
  tandem = await startTandem();
  // Status names unlike UserHero's, so only the categories can match them.
  tandem.jira.addProject({
    key: 'FEEDBACK',
    name: 'Customer feedback',
    issueTypes: ['Task', 'Bug'],
    workflow: {
      statuses: [
        { name: 'Backlog', category: 'new' },
        { name: 'In Review', category: 'indeterminate' },
        { name: 'Shipped', category: 'done' },
      ],
      initial: 'Backlog',
      transitions: [
        { name: 'Review', from: ['Backlog'], to: 'In Review' },
        { name: 'Ship', from: ['In Review'], to: 'Shipped', requiresResolution: true },
        { name: 'Back to backlog', from: ['In Review'], to: 'Backlog' },
        { name: 'Reopen', from: ['Shipped'], to: 'Backlog' },
      ],
    },
  });
  userhero = new UserHeroStandIn({ webhookSecret: WEBHOOK_SECRET, clock: () => tandem.emulator.clock.now() });
  await userhero.listen();
  inboundUrl = `${tandem.emulator.webTriggerUrl('tandem-inbound')}/userhero`;
});

after(async () => {
  await userhero.close();
  await tandem.stop();
});

beforeEach(async () => {
  userhero.tandem = { url: inboundUrl, secret: INBOUND_SECRET, auth: 'bearer' };
  await configureWith(WEBHOOK_SECRET);
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

async function pushed(title: string, priority: 'Low' | 'Medium' | 'High' | 'Urgent' = 'Medium'): Promise<{ id: string; key: string }> {
  const item = userhero.createItem({ title, description: 'Reported by **Acme**: the export button does nothing', priority });
  const answer = await userhero.pushToJira(item.id);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.status, 'created');
  await tandem.emulator.settle();
  return { id: item.id, key: String(answer.body.issueKey) };
}

async function moveTo(key: string, status: string): Promise<void> {
  await tandem.transition(asAgent(), key, status);
  await tandem.emulator.settle();
}

test('an item pushed from UserHero creates a FEEDBACK task with a link back, its title, description, priority and status', async () => {
  const { id, key } = await pushed('Export to CSV does nothing', 'Urgent');
  const issue = tandem.jira.getIssue(key);
  assert.ok(issue);
  assert.equal(issue.projectKey, 'FEEDBACK');
  assert.equal(issue.issueTypeName, 'Task', "the project's default issue type");
  assert.equal(issue.summary, 'Export to CSV does nothing');
  assert.match(JSON.stringify(issue.description), /export button does nothing/);
  assert.equal(issue.priorityName, 'Highest', 'Urgent → Highest');
  assert.equal(issue.statusName, 'Backlog', 'open → the To Do category');
  assert.ok(issue.labels.includes('userhero'));
  assert.equal(issue.remoteLinks.length, 1);
  assert.equal(issue.remoteLinks[0]?.object.url, userhero.itemUrl(id));
  assert.equal(userhero.item(id)?.externalReference?.issueKey, key, 'the item shows the Jira issue as its external reference');
  // Created as the app: nothing is pushed back to UserHero for it.
  assert.equal(userhero.requests.filter((r) => r.path === '/api/webhooks/jira').length, 0);
});

test("the guide's priority table: High, Medium and Low keep their names", async () => {
  for (const [priority, jira] of [['High', 'High'], ['Medium', 'Medium'], ['Low', 'Low']] as const) {
    const { key } = await pushed(`Priority ${priority}`, priority);
    assert.equal(tandem.jira.getIssue(key)?.priorityName, jira);
  }
});

test('a status change in UserHero moves the Jira issue into the mapped category, whatever its statuses are called', async () => {
  const { id, key } = await pushed('Dark mode resets on reload');
  const started = await userhero.setStatus(id, 'in-progress');
  assert.equal(started?.status, 200, JSON.stringify(started?.body));
  assert.deepEqual(started?.body.applied, ['status']);
  assert.equal(tandem.jira.getIssue(key)?.statusName, 'In Review');

  const resolved = await userhero.setStatus(id, 'resolved');
  assert.equal(resolved?.status, 200, JSON.stringify(resolved?.body));
  const issue = tandem.jira.getIssue(key);
  assert.equal(issue?.statusName, 'Shipped');
  assert.equal(issue?.resolutionName, 'Done', 'the transition asked for a resolution, and got one');
});

test('Jira status changes reach UserHero with the Bearer header, mapped by status category', async () => {
  const { id, key } = await pushed('Search ignores accents');
  await moveTo(key, 'In Review');
  assert.equal(userhero.item(id)?.status, 'in-progress');
  await moveTo(key, 'Shipped');
  assert.equal(userhero.item(id)?.status, 'resolved');
  await moveTo(key, 'Backlog');
  assert.equal(userhero.item(id)?.status, 'open');
  const hooks = userhero.requests.filter((r) => r.path === '/api/webhooks/jira');
  assert.equal(hooks.length, 3);
  assert.ok(hooks.every((r) => r.status === 200 && r.headers.authorization === 'Bearer [redacted]'));
});

test('UserHero refuses a push with the wrong webhook secret, and the item keeps its status', async () => {
  const { id, key } = await pushed('Avatar upload fails');
  await configureWith('not-the-webhook-secret');
  await moveTo(key, 'In Review');
  await tandem.emulator.drain();
  assert.equal(userhero.requests.filter((r) => r.path === '/api/webhooks/jira').at(-1)?.status, 401);
  assert.equal(userhero.item(id)?.status, 'open');
});

test('Tandem refuses an item pushed without the inbound Bearer secret, and creates nothing', async () => {
  const issues = tandem.jira.listIssues().length;
  userhero.tandem = { url: inboundUrl, secret: 'guessed-secret', auth: 'bearer' };
  const item = userhero.createItem({ title: 'Should not arrive' });
  const answer = await userhero.pushToJira(item.id);
  assert.equal(answer.status, 401);
  assert.equal(tandem.jira.listIssues().length, issues);
  assert.equal(userhero.item(item.id)?.externalReference, undefined);
});

// A story synced to Craft.io before its epic had an item goes without its parent reference; when the
// epic's item is made (its created event came late), the story is sent again and names it. The
// other way too: a feature whose epic item reached Jira late gets the epic as its parent when it does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CraftioStandIn } from '../../devkit/external/tools/craftio';
import { findPreset } from '../../src/mapping';
import { authSecretKey, inboundSecretKey } from '../../src/sync/state';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'craftio-api-token-late';
const SECRET = 'craftio-inbound-secret-late';
let tandem: TandemOnDevkit;
let craftio: CraftioStandIn;

before(async () => {
  tandem = await startTandem();
  tandem.jira.addProject({ key: 'PROD', name: 'Product', issueTypes: ['Epic', 'Story', 'Bug', 'Sub-task'] });
  craftio = new CraftioStandIn({ token: TOKEN, clock: () => tandem.emulator.clock.now() });
  await craftio.listen();
  craftio.tandem = { url: `${tandem.emulator.webTriggerUrl('tandem-inbound')}/craftio`, secret: SECRET, auth: 'hmac' };
  const connection = findPreset('craftio-product')?.build({ name: 'Craft.io', baseUrl: craftio.baseUrl, id: 'craftio' });
  assert.ok(connection);
  await configure(tandem.emulator, { version: 1, connections: [connection] }, { [authSecretKey('craftio')]: TOKEN, [inboundSecretKey('craftio')]: SECRET });
});

after(async () => {
  await craftio.close();
  await tandem.stop();
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

async function create(type: string, summary: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'PROD' }, issuetype: { name: type }, summary, ...extra } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return (created.body as { key: string }).key;
}

test('a story synced before its epic names the epic’s item once the epic is synced', async () => {
  tandem.emulator.holdProductEvents();
  const epic = await create('Epic', 'Single sign-on');
  const late = tandem.emulator.releaseProductEvents();
  const story = await create('Story', 'SAML login', { parent: { key: epic } });
  const other = await create('Story', 'SCIM provisioning', { parent: { key: epic } });
  await tandem.emulator.drain();
  assert.equal(craftio.itemForIssue(epic), undefined, 'the epic has no item yet');
  assert.equal(craftio.itemForIssue(story)?.parent_id, null, 'the story went without its parent');

  for (const event of late) tandem.emulator.deliverProductEvent(event);
  await tandem.emulator.drain();
  const epicItem = craftio.itemForIssue(epic);
  assert.ok(epicItem, 'the epic’s item is made');
  assert.equal(craftio.itemForIssue(story)?.parent_id, epicItem.id, 'the story names it now');
  assert.equal(craftio.itemForIssue(other)?.parent_id, epicItem.id);
});

test('a feature made in Craft.io before its epic item reached Jira gets the epic as parent once the epic arrives', async () => {
  craftio.holdEvents();
  const { item: epicItem } = await craftio.createItem('epics', { title: 'Audit log' });
  const lateEpic = craftio.releaseHeld();
  const { answer } = await craftio.createItem('features', { title: 'Export to CSV', parent_id: epicItem.id });
  const { answer: other } = await craftio.createItem('features', { title: 'Retention', parent_id: epicItem.id });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(other.status, 200, JSON.stringify(other.body));
  const stories = [String(answer.body.issueKey), String(other.body.issueKey)];
  for (const key of stories) assert.equal(tandem.jira.getIssue(key)?.parentKey, null, 'made without its parent, not yet in Jira');

  const [epicAnswer] = await lateEpic();
  assert.equal(epicAnswer?.status, 200, JSON.stringify(epicAnswer?.body));
  const epicKey = String(epicAnswer?.body.issueKey);
  await tandem.emulator.drain();
  for (const key of stories) assert.equal(tandem.jira.getIssue(key)?.parentKey, epicKey, `${key} is under the epic now`);
  // Nothing echoes back: the features' items keep the parent they had.
  for (const key of stories) assert.equal(craftio.itemForIssue(key)?.parent_id, epicItem.id);
});

test('a feature moved to another epic before the first one arrives stays under the one it names last', async () => {
  craftio.holdEvents();
  const { item: first } = await craftio.createItem('epics', { title: 'Mobile app' });
  const lateFirst = craftio.releaseHeld();
  const { item: second, answer: secondAnswer } = await craftio.createItem('epics', { title: 'Offline mode' });
  assert.equal(secondAnswer.status, 200, JSON.stringify(secondAnswer.body));
  const { item: feature, answer } = await craftio.createItem('features', { title: 'Sync queue', parent_id: first.id });
  const key = String(answer.body.issueKey);
  const moved = await craftio.updateItem('features', feature.id, { parent_id: second.id });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal(tandem.jira.getIssue(key)?.parentKey, String(secondAnswer.body.issueKey));
  await lateFirst();
  await tandem.emulator.drain();
  assert.equal(tandem.jira.getIssue(key)?.parentKey, String(secondAnswer.body.issueKey), 'the late epic does not take it back');
});

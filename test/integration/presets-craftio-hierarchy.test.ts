// Craft.io's hierarchical links through the preset: a Jira epic's stories name the epic's item as
// their parent in Craft.io, and a parent set in Craft.io becomes the issue's parent in Jira. A
// parent Jira's hierarchy refuses is reported, never looped.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { CraftioStandIn } from '../../devkit/external/tools/craftio';
import { findPreset } from '../../src/mapping';
import { authSecretKey, inboundSecretKey } from '../../src/sync/state';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'craftio-api-token-h13r';
const SECRET = 'craftio-inbound-secret-h13r';
let tandem: TandemOnDevkit;
let craftio: CraftioStandIn;

before(async () => {
  tandem = await startTandem();
  tandem.jira.addProject({ key: 'PROD', name: 'Product', issueTypes: ['Epic', 'Story', 'Bug', 'Sub-task'], versions: ['Q3 2026'] });
  craftio = new CraftioStandIn({ token: TOKEN, clock: () => tandem.emulator.clock.now(), releases: ['Q3 2026'] });
  await craftio.listen();
  craftio.tandem = { url: `${tandem.emulator.webTriggerUrl('tandem-inbound')}/craftio`, secret: SECRET, auth: 'hmac' };
});

after(async () => {
  await craftio.close();
  await tandem.stop();
});

beforeEach(async () => {
  const connection = findPreset('craftio-product')?.build({ name: 'Craft.io', baseUrl: craftio.baseUrl, id: 'craftio' });
  assert.ok(connection);
  await configure(tandem.emulator, { version: 1, connections: [connection] }, { [authSecretKey('craftio')]: TOKEN, [inboundSecretKey('craftio')]: SECRET });
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

async function createIssue(type: string, summary: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'PROD' }, issuetype: { name: type }, summary, ...extra } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await tandem.emulator.settle();
  return (created.body as { key: string }).key;
}

test('Jira → Craft.io: an epic with two stories and a release becomes an epic item with two features under it', async () => {
  const epic = await createIssue('Epic', 'Self-serve onboarding', { fixVersions: [{ name: 'Q3 2026' }] });
  const one = await createIssue('Story', 'Invite teammates', { parent: { key: epic } });
  const two = await createIssue('Story', 'Guided setup', { parent: { key: epic } });
  const epicItem = craftio.itemForIssue(epic);
  assert.equal(epicItem?.type, 'epics');
  assert.equal(epicItem?.release, 'Q3 2026');
  assert.equal(craftio.itemForIssue(one)?.parent_id, epicItem?.id);
  assert.equal(craftio.itemForIssue(two)?.parent_id, epicItem?.id);

  // Moving a story out of its epic clears the item's parent.
  await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${two}`, { fields: { parent: null } });
  await tandem.emulator.settle();
  assert.equal(craftio.itemForIssue(two)?.parent_id, null);
});

test('Craft.io → Jira: features created under an epic item become stories under its epic; a parent Jira\'s hierarchy refuses is reported', async () => {
  const { item: epicItem, answer: epicAnswer } = await craftio.createItem('epics', { title: 'Usage billing' });
  assert.equal(epicAnswer.status, 200, JSON.stringify(epicAnswer.body));
  const epicKey = String(epicAnswer.body.issueKey);
  const { item: feature, answer } = await craftio.createItem('features', { title: 'Meter events', parent_id: epicItem.id });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const storyKey = String(answer.body.issueKey);
  assert.equal(tandem.jira.getIssue(storyKey)?.parentKey, epicKey);

  // A story under a story is not a hierarchy Jira has: refused and reported, the story unchanged.
  const { item: other, answer: otherAnswer } = await craftio.createItem('features', { title: 'Invoices' });
  const otherKey = String(otherAnswer.body.issueKey);
  const refused = await craftio.updateItem('features', other.id, { parent_id: feature.id });
  assert.equal(refused.status, 200, JSON.stringify(refused.body));
  const skipped = refused.body.skipped as Array<{ field: string; reason: string }>;
  assert.ok(skipped.some((s) => s.field === 'parent' && s.reason.includes('appropriate hierarchy')), JSON.stringify(skipped));
  assert.equal(tandem.jira.getIssue(otherKey)?.parentKey, null);
});

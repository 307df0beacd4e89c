// The Craft.io preset on a team-managed Jira project (style next-gen, `simplified: true`). Jira
// Cloud scopes a team-managed project's issue types to that project, so its Epic and Story are not
// the company-managed project's (other ids, the same names), and its statuses likewise; the parent field holds the epic, as in
// company-managed projects, and there is no Epic Link. An epic with two stories travels both ways.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CraftioStandIn } from '../../devkit/external/tools/craftio';
import { configureCraftio, startCraftio } from '../support/craftio';
import { startTandem, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;
let craftio: CraftioStandIn;
let teamTypes: Map<string, string>;

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

interface IssueTypeJson {
  id: string;
  name: string;
  hierarchyLevel: number;
  scope?: { type: string; project: { id: string } };
}

before(async () => {
  tandem = await startTandem();
  // A company-managed project with the shared types, and a team-managed one with its own.
  tandem.jira.addProject({ key: 'PROD', name: 'Product', issueTypes: ['Epic', 'Story', 'Bug', 'Sub-task'] });
  tandem.jira.addProject({ key: 'TEAM', name: 'Growth team', style: 'next-gen', issueTypes: ['Epic', 'Story', 'Task', 'Subtask'] });
  craftio = await startCraftio(tandem);
  const team = await tandem.rest(asAgent(), 'GET', '/rest/api/3/project/TEAM');
  teamTypes = new Map((team.body as { issueTypes: IssueTypeJson[] }).issueTypes.map((t) => [t.name, t.id]));
});

after(async () => {
  await craftio.close();
  await tandem.stop();
});

beforeEach(async () => {
  // The preset's PROD mappings, moved to the team-managed project.
  await configureCraftio(tandem, craftio, (connection) => {
    for (const mapping of connection.projects) mapping.projectKey = 'TEAM';
  });
});

async function createIssue(type: string, summary: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'TEAM' }, issuetype: { name: type }, summary, ...extra } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await tandem.emulator.settle();
  return (created.body as { key: string }).key;
}

async function issueOf(key: string): Promise<{ issuetype: { id: string; name: string }; parent?: { key: string } }> {
  const answer = await tandem.rest(asAgent(), 'GET', `/rest/api/3/issue/${key}?fields=issuetype,parent`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return (answer.body as { fields: { issuetype: { id: string; name: string }; parent?: { key: string } } }).fields;
}

test('Jira models the team-managed project as Jira Cloud does: simplified, its own issue types and statuses, a parent field and no Epic Link', async () => {
  const team = (await tandem.rest(asAgent(), 'GET', '/rest/api/3/project/TEAM')).body as { id: string; simplified: boolean; style: string; issueTypes: IssueTypeJson[] };
  const prod = (await tandem.rest(asAgent(), 'GET', '/rest/api/3/project/PROD')).body as { simplified: boolean; style: string; issueTypes: IssueTypeJson[] };
  assert.deepEqual([team.simplified, team.style], [true, 'next-gen']);
  assert.deepEqual([prod.simplified, prod.style], [false, 'classic']);
  for (const type of team.issueTypes) assert.deepEqual(type.scope, { type: 'PROJECT', project: { id: team.id } }, type.name);
  for (const type of prod.issueTypes) assert.equal(type.scope, undefined, `${type.name} is global`);
  const story = (list: IssueTypeJson[]) => list.find((t) => t.name === 'Story');
  assert.notEqual(story(team.issueTypes)?.id, story(prod.issueTypes)?.id, 'the same name, another issue type');
  assert.deepEqual(team.issueTypes.map((t) => [t.name, t.hierarchyLevel]), [['Epic', 1], ['Story', 0], ['Task', 0], ['Subtask', -1]]);
  const fields = (await tandem.rest(asAgent(), 'GET', '/rest/api/3/field')).body as Array<{ id: string; name: string }>;
  assert.ok(fields.some((f) => f.id === 'parent'));
  assert.ok(!fields.some((f) => f.name === 'Epic Link'));
  // Its workflow's statuses are its own too (the same names).
  const statuses = (await tandem.rest(asAgent(), 'GET', '/rest/api/3/project/TEAM/statuses')).body as Array<{ statuses: Array<{ id: string; name: string; scope?: { type: string; project: { id: string } } }> }>;
  const prodStatuses = (await tandem.rest(asAgent(), 'GET', '/rest/api/3/project/PROD/statuses')).body as typeof statuses;
  const done = (list: typeof statuses) => list[0]?.statuses.find((s) => s.name === 'Done');
  assert.deepEqual(done(statuses)?.scope, { type: 'PROJECT', project: { id: team.id } });
  assert.notEqual(done(statuses)?.id, done(prodStatuses)?.id);
  // The company-managed project's Story is not a type of the team-managed one.
  const refused = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'TEAM' }, issuetype: { id: story(prod.issueTypes)?.id }, summary: 'Wrong type' } });
  assert.equal(refused.status, 400, JSON.stringify(refused.body));
});

test('Jira → Craft.io: an epic with two stories in the team-managed project becomes an epic item with two features under it; sub-tasks stay out', async () => {
  const epic = await createIssue('Epic', 'Referral programme');
  const one = await createIssue('Story', 'Invite link', { parent: { key: epic } });
  const two = await createIssue('Story', 'Reward credits', { parent: { key: epic } });
  const sub = await createIssue('Subtask', 'Copy for the invite', { parent: { key: one } });
  const epicItem = craftio.itemForIssue(epic);
  assert.equal(epicItem?.type, 'epics');
  assert.equal(craftio.itemForIssue(one)?.type, 'features');
  assert.equal(craftio.itemForIssue(one)?.parent_id, epicItem?.id);
  assert.equal(craftio.itemForIssue(two)?.parent_id, epicItem?.id);
  assert.equal(craftio.itemForIssue(sub), undefined, 'the preset sets sub-tasks (Subtask in team-managed projects) to Ignore');

  await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${two}`, { fields: { parent: null } });
  await tandem.emulator.settle();
  assert.equal(craftio.itemForIssue(two)?.parent_id, null);
});

test("Craft.io → Jira: an epic item with two features becomes the team-managed project's own Epic with two of its own Stories under it", async () => {
  const { item: epicItem, answer: epicAnswer } = await craftio.createItem('epics', { title: 'Annual plans' });
  assert.equal(epicAnswer.status, 200, JSON.stringify(epicAnswer.body));
  const epicKey = String(epicAnswer.body.issueKey);
  assert.match(epicKey, /^TEAM-/);
  const keys: string[] = [];
  for (const title of ['Plan picker', 'Proration']) {
    const { answer } = await craftio.createItem('features', { title, parent_id: epicItem.id });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    keys.push(String(answer.body.issueKey));
  }
  assert.equal((await issueOf(epicKey)).issuetype.id, teamTypes.get('Epic'));
  for (const key of keys) {
    const fields = await issueOf(key);
    assert.deepEqual([fields.issuetype.id, fields.issuetype.name], [teamTypes.get('Story'), 'Story'], key);
    assert.equal(fields.parent?.key, epicKey, key);
  }

  // The status moves through the team-managed project's own workflow.
  const [firstKey] = keys;
  assert.ok(firstKey);
  const moved = await craftio.updateItem('features', craftio.itemForIssue(firstKey)?.id ?? '', { status: 'done' });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal(tandem.jira.getIssue(firstKey)?.statusName, 'Done');
  assert.equal(tandem.jira.getIssue(firstKey)?.statusId, (((await tandem.rest(asAgent(), 'GET', '/rest/api/3/project/TEAM/statuses')).body as Array<{ statuses: Array<{ id: string; name: string }> }>)[0]?.statuses.find((s) => s.name === 'Done'))?.id);

  // A parent set later in Craft.io moves the story; cleared, it leaves the epic.
  const [first] = keys;
  assert.ok(first);
  const item = craftio.itemForIssue(first);
  assert.ok(item);
  const cleared = await craftio.updateItem('features', item.id, { parent_id: null });
  assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
  assert.equal((await issueOf(first)).parent, undefined);
});

// Sprints through the Craft.io preset, the refusals both ways: a sprint name one side does not have
// is never invented on the other. Craft.io → Jira, a name the mapping's board lacks is a kept failure
// naming it, retried once the sprint exists; Jira → Craft.io, a sprint Craft.io lacks is refused by
// Craft.io and kept as a failure naming it.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CraftioStandIn } from '../../devkit/external/tools/craftio';
import type { FailuresResponse, RetryResponse } from '../../src/contract/admin';
import { fieldMappingSchema } from '../../src/mapping';
import { configureCraftio, sprintFieldOf, startCraftio } from '../support/craftio';
import { startTandem, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;
let craftio: CraftioStandIn;
let sprintId = '';
let boardId = 0;
let sprint3 = 0;

before(async () => {
  tandem = await startTandem();
  tandem.jira.addProject({ key: 'PROD', name: 'Product', issueTypes: ['Epic', 'Story', 'Bug', 'Sub-task'] });
  tandem.jira.addCustomField({ name: 'Sprint', schemaType: 'sprint' });
  boardId = tandem.jira.addBoard({ projectKey: 'PROD', name: 'PROD board' }).id;
  tandem.jira.addSprint({ boardId, name: 'Sprint 1', state: 'active' });
  sprint3 = tandem.jira.addSprint({ boardId, name: 'Sprint 3' }).id;
  // Craft.io knows "Sprint 8" before the Jira board has it, and never had "Sprint 3".
  craftio = await startCraftio(tandem, { sprints: ['Sprint 1', 'Sprint 8'] });
});

after(async () => {
  await craftio.close();
  await tandem.stop();
});

beforeEach(async () => {
  sprintId = await sprintFieldOf(tandem);
  await configureCraftio(tandem, craftio, (connection) => {
    for (const mapping of connection.projects) mapping.board = boardId;
    connection.fields.push(fieldMappingSchema.parse({ jira: sprintId, tool: 'sprint', transform: { kind: 'sprint' } }));
  });
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

async function failuresOf(issueKey: string) {
  const listed = await tandem.adminCall<FailuresResponse>('getFailures', {});
  assert.ok(listed.ok, JSON.stringify(listed));
  return listed.failures.filter((f) => f.subject.issueKey === issueKey);
}

async function sprintNames(key: string): Promise<string[]> {
  const issue = (await tandem.rest(asAgent(), 'GET', `/rest/api/3/issue/${key}?fields=${sprintId}`)).body as { fields: Record<string, Array<{ name: string }> | null> };
  return (issue.fields[sprintId] ?? []).map((s) => s.name);
}

test('Craft.io → Jira: a sprint the board lacks is a kept failure naming it, on create and on update; once the board has it, Retry puts the issue in it', async () => {
  const { item, answer } = await craftio.createItem('features', { title: 'Usage alerts', sprint: 'Sprint 8' });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const key = String(answer.body.issueKey);
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Usage alerts', 'the issue is made with every other field');
  const skipped = answer.body.skipped as Array<{ field: string; reason: string }>;
  assert.ok(skipped.some((s) => s.field === sprintId && s.reason.includes('"Sprint 8"')), JSON.stringify(skipped));
  let kept = await failuresOf(key);
  assert.equal(kept.length, 1, JSON.stringify(kept));
  assert.equal(kept[0]?.subject.kind, 'field');
  assert.match(kept[0]?.explanation ?? '', /no open sprint named "Sprint 8"/);
  assert.deepEqual(await sprintNames(key), [], 'no sprint was invented');

  // An update naming it again keeps one failure, not two.
  const again = await craftio.updateItem('features', item.id, { title: 'Usage alerts by email', sprint: 'Sprint 8' });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Usage alerts by email');
  kept = await failuresOf(key);
  assert.equal(kept.length, 1);

  // The team plans Sprint 8 on the board; the admin retries the failure.
  tandem.jira.addSprint({ boardId, name: 'Sprint 8' });
  const retried = await tandem.adminCall<RetryResponse>('retryFailure', { id: kept[0]?.id });
  assert.ok(retried.ok, JSON.stringify(retried));
  await tandem.emulator.settle();
  assert.deepEqual(await sprintNames(key), ['Sprint 8']);
  assert.deepEqual(await failuresOf(key), []);
});

test('Jira → Craft.io: a sprint Craft.io lacks is refused by Craft.io and kept as a failure naming it; the item keeps its sprint', async () => {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'PROD' }, issuetype: { name: 'Story' }, summary: 'Saved filters' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const key = (created.body as { key: string }).key;
  await tandem.emulator.settle();
  assert.ok(craftio.itemForIssue(key));

  const edit = await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${key}`, { fields: { [sprintId]: sprint3 } });
  assert.equal(edit.status, 204, JSON.stringify(edit.body));
  await tandem.emulator.settle();
  assert.equal(craftio.itemForIssue(key)?.sprint, null, 'Sprint 3 is never invented in Craft.io');
  const kept = await failuresOf(key);
  assert.equal(kept.length, 1, JSON.stringify(kept));
  assert.match(`${kept[0]?.toolMessage ?? ''} ${kept[0]?.explanation ?? ''}`, /Sprint 3/);
});

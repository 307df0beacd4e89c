// Craft.io's hierarchical links through the preset: a Jira epic's stories name the epic's item as
// their parent in Craft.io, and a parent set in Craft.io becomes the issue's parent in Jira. A
// parent Jira's hierarchy refuses is reported, never looped.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CraftioStandIn } from '../../devkit/external/tools/craftio';
import type { ActivityResponse, FailuresResponse } from '../../src/contract/admin';
import { fieldMappingSchema } from '../../src/mapping';
import { configureCraftio, sprintFieldOf, startCraftio } from '../support/craftio';
import { startTandem, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;
let craftio: CraftioStandIn;
let sprintId = '';
let boardId = 0;
let sprint2 = 0;

before(async () => {
  tandem = await startTandem();
  // Initiative sits above Epic, a level Jira Premium adds.
  tandem.jira.addProject({ key: 'PROD', name: 'Product', issueTypes: ['Initiative', 'Epic', 'Story', 'Bug', 'Sub-task'], levels: { Initiative: 2 }, versions: ['Q3 2026'] });
  tandem.jira.addCustomField({ name: 'Sprint', schemaType: 'sprint' });
  boardId = tandem.jira.addBoard({ projectKey: 'PROD', name: 'PROD board' }).id;
  tandem.jira.addSprint({ boardId, name: 'Sprint 1', state: 'active' });
  sprint2 = tandem.jira.addSprint({ boardId, name: 'Sprint 2' }).id;
  tandem.jira.addSprint({ boardId, name: 'Sprint 0', state: 'closed' });
  // Craft.io's sprints come from the board; "Sprint 9" is one Jira does not have.
  craftio = await startCraftio(tandem, { releases: ['Q3 2026'], sprints: ['Sprint 1', 'Sprint 2', 'Sprint 9'] });
});

after(async () => {
  await craftio.close();
  await tandem.stop();
});

beforeEach(async () => {
  // The guide: specifying the board supports syncing sprints; the Sprint field is found by name and schema.
  sprintId = await sprintFieldOf(tandem);
  await configureCraftio(tandem, craftio, (connection) => {
    for (const mapping of connection.projects) mapping.board = boardId;
    connection.fields.push(fieldMappingSchema.parse({ jira: sprintId, tool: 'sprint', transform: { kind: 'sprint' } }));
  });
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

async function createIssue(type: string, summary: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'PROD' }, issuetype: { name: type }, summary, ...extra } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await tandem.emulator.settle();
  return (created.body as { key: string }).key;
}

test('Jira → Craft.io: an epic with two stories, a sprint and a release becomes an epic item with two features under it', async () => {
  const epic = await createIssue('Epic', 'Self-serve onboarding', { fixVersions: [{ name: 'Q3 2026' }] });
  const one = await createIssue('Story', 'Invite teammates', { parent: { key: epic }, [sprintId]: sprint2 });
  const two = await createIssue('Story', 'Guided setup', { parent: { key: epic } });
  const epicItem = craftio.itemForIssue(epic);
  assert.equal(epicItem?.type, 'epics');
  assert.equal(epicItem?.release, 'Q3 2026');
  assert.equal(craftio.itemForIssue(one)?.parent_id, epicItem?.id);
  assert.equal(craftio.itemForIssue(one)?.sprint, 'Sprint 2');
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
  const { item: feature, answer } = await craftio.createItem('features', { title: 'Meter events', parent_id: epicItem.id, release: 'Q3 2026' });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const storyKey = String(answer.body.issueKey);
  assert.equal(tandem.jira.getIssue(storyKey)?.parentKey, epicKey);
  assert.deepEqual(tandem.jira.getIssue(storyKey)?.fixVersions, ['Q3 2026']);

  // The sprint by name among the board's open sprints; a name the board lacks is reported with it, never made.
  const moved = await craftio.updateItem('features', feature.id, { sprint: 'Sprint 1' });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  const sprintsOf = (key: string) => ((tandem.jira.getIssue(key)?.customFields[sprintId] as number[] | undefined) ?? []).length;
  assert.equal(sprintsOf(storyKey), 1);
  const unknown = await craftio.updateItem('features', feature.id, { sprint: 'Sprint 9' });
  const reasons = (unknown.body.skipped as Array<{ field: string; reason: string }>).filter((s) => s.field === sprintId).map((s) => s.reason);
  assert.equal(reasons.length, 1);
  assert.ok(reasons[0]?.startsWith(`Board ${boardId} has no open sprint named "Sprint 9"`), reasons[0]);
  const story = (await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'GET', `/rest/api/3/issue/${storyKey}?fields=${sprintId}`)).body as { fields: Record<string, Array<{ name: string }>> };
  assert.deepEqual(story.fields[sprintId]?.map((s) => s.name), ['Sprint 1']);

  // A story under a story is not a hierarchy Jira has: refused and reported, the story unchanged.
  const { item: other, answer: otherAnswer } = await craftio.createItem('features', { title: 'Invoices' });
  const otherKey = String(otherAnswer.body.issueKey);
  const refused = await craftio.updateItem('features', other.id, { parent_id: feature.id });
  assert.equal(refused.status, 200, JSON.stringify(refused.body));
  const skipped = refused.body.skipped as Array<{ field: string; reason: string }>;
  assert.ok(skipped.some((s) => s.field === 'parent' && s.reason.includes('appropriate hierarchy')), JSON.stringify(skipped));
  assert.equal(tandem.jira.getIssue(otherKey)?.parentKey, null);
});

test('a parent in a project the connection does not map is reported on the activity log, never sent, and the story syncs without it', async () => {
  tandem.jira.addProject({ key: 'PLAT', name: 'Platform', issueTypes: ['Epic', 'Story'] });
  const foreign = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'PLAT' }, issuetype: { name: 'Epic' }, summary: 'Platform hardening' } });
  assert.equal(foreign.status, 201, JSON.stringify(foreign.body));
  const epicKey = (foreign.body as { key: string }).key;
  const story = await createIssue('Story', 'Rate-limit the export API', { parent: { key: epicKey } });
  assert.equal(tandem.jira.getIssue(story)?.parentKey, epicKey, 'Jira takes a parent from another project');
  const item = craftio.itemForIssue(story);
  assert.ok(item, 'the story synced');
  assert.equal(item.parent_id, null);
  assert.equal(craftio.itemForIssue(epicKey), undefined);
  const log = await tandem.adminCall<ActivityResponse>('getActivity', { issueKey: story });
  assert.ok(log.ok, JSON.stringify(log));
  const said = log.entries.flatMap((e) => [e.summary, ...e.details]).join('\n');
  assert.match(said, new RegExp(`parent ${epicKey} has no record in the tool`));
});

test('a cycle is reported, not looped: Craft.io puts an epic under a feature Jira then moves under that epic; each side refuses and says so', async () => {
  const { item: epicItem, answer: epicAnswer } = await craftio.createItem('epics', { title: 'Audit trail' });
  const epicKey = String(epicAnswer.body.issueKey);
  const { item: feature, answer: featureAnswer } = await craftio.createItem('features', { title: 'Export the audit log' });
  const storyKey = String(featureAnswer.body.issueKey);

  // Craft.io lets any item hold any other; Jira does not put an epic under a story.
  const up = await craftio.updateItem('epics', epicItem.id, { parent_id: feature.id });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  assert.ok((up.body.skipped as Array<{ field: string }>).some((s) => s.field === 'parent'), JSON.stringify(up.body));
  assert.equal(tandem.jira.getIssue(epicKey)?.parentKey, null);
  const failures = await tandem.adminCall<FailuresResponse>('getFailures', {});
  assert.ok(failures.ok);
  assert.ok(failures.failures.some((f) => f.subject.issueKey === epicKey && f.subject.kind === 'field'), 'the refused parent is kept as a failure');

  // Jira moves the story under the epic: in Craft.io that closes a cycle, which Craft.io refuses.
  const before = craftio.requests.length;
  const moved = await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${storyKey}`, { fields: { parent: { key: epicKey } } });
  assert.equal(moved.status, 204, JSON.stringify(moved.body));
  await tandem.emulator.settle();
  assert.equal(tandem.jira.getIssue(storyKey)?.parentKey, epicKey);
  assert.equal(craftio.item(feature.id)?.parent_id, null, 'Craft.io keeps its tree');
  assert.equal(craftio.item(epicItem.id)?.parent_id, feature.id);
  const refusals = craftio.requests.slice(before).filter((r) => r.status === 400);
  assert.ok(refusals.length >= 1 && refusals.length <= 5, `refused a bounded number of times, not looped (${refusals.length})`);
  const after = await tandem.adminCall<FailuresResponse>('getFailures', {});
  assert.ok(after.ok);
  const kept = after.failures.find((f) => f.subject.issueKey === storyKey);
  assert.ok(kept, 'the refused parent is kept as a failure of the story');
  assert.match(`${kept.toolMessage ?? ''} ${kept.explanation}`, /below this item/);
});

test('any parent level: an epic under an initiative (a level above Epic) travels both ways once initiatives are mapped', async () => {
  await configureCraftio(tandem, craftio, (connection) => {
    connection.projects.unshift({ projectKey: 'PROD', issueType: 'Initiative', module: 'initiatives', direction: 'both', fixedValues: {}, ignoredIssueTypes: [] });
  });
  const initiative = await createIssue('Initiative', 'Enterprise readiness');
  const epic = await createIssue('Epic', 'Audit trail', { parent: { key: initiative } });
  const initiativeItem = craftio.itemForIssue(initiative);
  assert.equal(initiativeItem?.type, 'initiatives');
  assert.equal(craftio.itemForIssue(epic)?.parent_id, initiativeItem?.id);

  const { item: bigItem, answer: bigAnswer } = await craftio.createItem('initiatives', { title: 'Self-hosting' });
  assert.equal(bigAnswer.status, 200, JSON.stringify(bigAnswer.body));
  const { answer } = await craftio.createItem('epics', { title: 'Air-gapped installs', parent_id: bigItem.id });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(tandem.jira.getIssue(String(answer.body.issueKey))?.parentKey, String(bigAnswer.body.issueKey));
});

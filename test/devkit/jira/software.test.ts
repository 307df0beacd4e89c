// The simulator's Jira Software side as Jira Cloud has it: the parent field with hierarchy levels
// (company-managed and team-managed alike), versions and components per project, the Sprint,
// Story point estimate and Team fields with their schemas, the Agile REST API's boards and
// sprints, createmeta/editmeta saying what each field accepts, and 400s naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JiraSimulator } from '../../../devkit/jira/simulator';
import { at, list } from './helpers';

function software() {
  const sim = new JiraSimulator({ clock: () => Date.parse('2026-11-22T07:02:00.000Z') });
  const pat = sim.addUser({ displayName: 'Pat Product', emailAddress: 'pat@example.com', admin: true });
  const lee = sim.addUser({ displayName: 'Lee Dev', emailAddress: 'lee@example.com' });
  sim.addProject({ key: 'PROD', name: 'Product', issueTypes: ['Epic', 'Story', 'Bug', 'Sub-task'], versions: ['Q3 2026', 'Q4 2026'], components: ['Billing', 'Roadmaps'] });
  sim.addProject({ key: 'TEAM', name: 'Team-managed', issueTypes: ['Epic', 'Task'], style: 'next-gen' });
  const board = sim.addBoard({ projectKey: 'PROD', name: 'PROD board' });
  const sprint1 = sim.addSprint({ boardId: board.id, name: 'Sprint 1', state: 'active' });
  const sprint2 = sim.addSprint({ boardId: board.id, name: 'Sprint 2' });
  const old = sim.addSprint({ boardId: board.id, name: 'Sprint 0', state: 'closed' });
  const sprintField = sim.addCustomField({ name: 'Sprint', schemaType: 'sprint' });
  const points = sim.addCustomField({ name: 'Story point estimate', schemaType: 'story-points' });
  const teamField = sim.addCustomField({ name: 'Team', schemaType: 'team' });
  const team = sim.addTeam('Platform');
  const region = sim.addCustomField({ name: 'Region', schemaType: 'cascading', options: [{ value: 'EMEA', children: ['UK', 'DE'] }, { value: 'AMER', children: ['US'] }] });
  const reviewers = sim.addCustomField({ name: 'Reviewers', schemaType: 'array-user' });
  const flags = sim.addCustomField({ name: 'Flags', schemaType: 'checkbox', options: ['Impediment', 'Customer'] });
  const as = { kind: 'user' as const, accountId: pat.accountId };
  const call = (method: string, path: string, body?: unknown) => sim.rest(as, method, path, body);
  const create = async (project: string, type: string, summary: string, extra: Record<string, unknown> = {}) =>
    call('POST', '/rest/api/3/issue', { fields: { project: { key: project }, issuetype: { name: type }, summary, ...extra } });
  return { sim, pat, lee, board, sprint1, sprint2, old, sprintField, points, teamField, team, region, reviewers, flags, call, create };
}

test('a story takes an epic as parent in company-managed and team-managed projects; the parent reads back with its key', async () => {
  const s = software();
  const epic = await s.create('PROD', 'Epic', 'Onboarding');
  const story = await s.create('PROD', 'Story', 'Invite teammates', { parent: { key: at(epic.body, 'key') } });
  assert.equal(story.status, 201, JSON.stringify(story.body));
  const read = await s.call('GET', `/rest/api/3/issue/${String(at(story.body, 'key'))}?fields=parent`);
  assert.equal(at(read.body, 'fields', 'parent', 'key'), at(epic.body, 'key'));
  assert.equal(at(read.body, 'fields', 'parent', 'fields', 'issuetype', 'hierarchyLevel'), 1);

  const teamEpic = await s.create('TEAM', 'Epic', 'Team epic');
  const task = await s.create('TEAM', 'Task', 'Team task', { parent: { id: at(teamEpic.body, 'id') } });
  assert.equal(task.status, 201, JSON.stringify(task.body));
  assert.equal(s.sim.getIssue(String(at(task.body, 'key')))?.parentKey, at(teamEpic.body, 'key'));
  const project = await s.call('GET', '/rest/api/3/project/TEAM');
  assert.equal(at(project.body, 'simplified'), true);
  assert.equal(at(project.body, 'style'), 'next-gen');
});

test('a parent from the wrong hierarchy level, a missing parent and a sub-task without one are refused under errors.parent', async () => {
  const s = software();
  const epic = await s.create('PROD', 'Epic', 'Onboarding');
  const story = await s.create('PROD', 'Story', 'Invite teammates');
  const storyKey = String(at(story.body, 'key'));
  const epicUnderStory = await s.call('PUT', `/rest/api/3/issue/${String(at(epic.body, 'key'))}`, { fields: { parent: { key: storyKey } } });
  assert.equal(epicUnderStory.status, 400);
  assert.equal(at(epicUnderStory.body, 'errors', 'parent'), 'Given parent issue does not belong to appropriate hierarchy.');
  const storyUnderStory = await s.create('PROD', 'Story', 'Nested', { parent: { key: storyKey } });
  assert.equal(at(storyUnderStory.body, 'errors', 'parent'), 'Given parent issue does not belong to appropriate hierarchy.');
  assert.equal(at((await s.create('PROD', 'Story', 'Orphan', { parent: { key: 'PROD-999' } })).body, 'errors', 'parent'), 'Could not find issue by id or key.');
  assert.equal(at((await s.create('PROD', 'Sub-task', 'Loose')).body, 'errors', 'parent'), 'Sub-task issues must have a parent.');
  const sub = await s.create('PROD', 'Sub-task', 'Write copy', { parent: { key: storyKey } });
  assert.equal(sub.status, 201);

  const moved = await s.call('PUT', `/rest/api/3/issue/${storyKey}`, { fields: { parent: { key: at(epic.body, 'key') } } });
  assert.equal(moved.status, 204);
  const history = await s.call('GET', `/rest/api/3/issue/${storyKey}/changelog`);
  const item = list(history.body, 'values').flatMap((h) => list(h, 'items')).find((i) => at(i, 'fieldId') === 'parent');
  assert.equal(at(item, 'field'), 'IssueParentAssociation');
  assert.equal(at(item, 'toString'), at(epic.body, 'key'));
});

test('fix versions and components are the project\'s own, by name or id; an unknown name is refused naming the field', async () => {
  const s = software();
  const ok = await s.create('PROD', 'Story', 'Export', { fixVersions: [{ name: 'Q3 2026' }], components: [{ name: 'Billing' }] });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  const key = String(at(ok.body, 'key'));
  const read = await s.call('GET', `/rest/api/3/issue/${key}?fields=fixVersions,components`);
  assert.deepEqual(list(read.body, 'fields', 'fixVersions').map((v) => at(v, 'name')), ['Q3 2026']);
  assert.deepEqual(list(read.body, 'fields', 'components').map((v) => at(v, 'name')), ['Billing']);
  const bad = await s.call('PUT', `/rest/api/3/issue/${key}`, { fields: { fixVersions: [{ name: 'Q1 2030' }], components: [{ name: 'Nope' }] } });
  assert.equal(bad.status, 400);
  assert.equal(at(bad.body, 'errors', 'fixVersions'), "Version name 'Q1 2030' is not valid");
  assert.equal(at(bad.body, 'errors', 'components'), "Component name 'Nope' is not valid");
  const added = await s.call('PUT', `/rest/api/3/issue/${key}`, { update: { fixVersions: [{ add: { name: 'Q4 2026' } }] } });
  assert.equal(added.status, 204, JSON.stringify(added.body));
  assert.deepEqual(s.sim.getIssue(key)?.fixVersions, ['Q3 2026', 'Q4 2026']);
});

test('the Sprint field is set by sprint id and reads back as sprints; a closed or unknown sprint is refused', async () => {
  const s = software();
  const story = await s.create('PROD', 'Story', 'Sprint work', { [s.sprintField.id]: s.sprint1.id });
  assert.equal(story.status, 201, JSON.stringify(story.body));
  const key = String(at(story.body, 'key'));
  const read = await s.call('GET', `/rest/api/3/issue/${key}?fields=${s.sprintField.id}`);
  const sprints = list(read.body, 'fields', s.sprintField.id);
  assert.deepEqual(sprints.map((x) => [at(x, 'name'), at(x, 'state'), at(x, 'boardId')]), [['Sprint 1', 'active', s.board.id]]);
  assert.equal(at((await s.call('PUT', `/rest/api/3/issue/${key}`, { fields: { [s.sprintField.id]: s.old.id } })).body, 'errors', s.sprintField.id), 'Issue can be assigned only active or future sprints.');
  assert.equal(at((await s.call('PUT', `/rest/api/3/issue/${key}`, { fields: { [s.sprintField.id]: 999 } })).body, 'errors', s.sprintField.id), 'Sprint with id 999 does not exist.');
  const fields = await s.call('GET', '/rest/api/3/field');
  const sprintDef = list(fields.body).find((f) => at(f, 'id') === s.sprintField.id);
  assert.deepEqual(at(sprintDef, 'schema'), { type: 'array', items: 'json', custom: 'com.pyxis.greenhopper.jira:gh-sprint', customId: Number(s.sprintField.id.slice(12)) });
});

test('the Agile REST API lists the project\'s boards and a board\'s sprints by state', async () => {
  const s = software();
  const boards = await s.call('GET', '/rest/agile/1.0/board?projectKeyOrId=PROD');
  assert.equal(boards.status, 200);
  assert.deepEqual(list(boards.body, 'values').map((b) => [at(b, 'id'), at(b, 'name'), at(b, 'location', 'projectKey')]), [[s.board.id, 'PROD board', 'PROD']]);
  const open = await s.call('GET', `/rest/agile/1.0/board/${s.board.id}/sprint?state=active,future`);
  assert.deepEqual(list(open.body, 'values').map((x) => at(x, 'name')), ['Sprint 1', 'Sprint 2']);
  const all = await s.call('GET', `/rest/agile/1.0/board/${s.board.id}/sprint`);
  assert.deepEqual(list(all.body, 'values').map((x) => at(x, 'state')), ['closed', 'active', 'future']);
  assert.equal((await s.call('GET', '/rest/agile/1.0/board/77/sprint')).status, 404);
  assert.equal(at((await s.call('GET', `/rest/agile/1.0/sprint/${s.sprint2.id}`)).body, 'name'), 'Sprint 2');
});

test('story points, Team, cascading select, user list and checkboxes take and give Jira Cloud\'s shapes', async () => {
  const s = software();
  const story = await s.create('PROD', 'Story', 'Typed', {
    [s.points.id]: 5,
    [s.teamField.id]: s.team.id,
    [s.region.id]: { value: 'EMEA', child: { value: 'DE' } },
    [s.reviewers.id]: [{ accountId: s.lee.accountId }],
    [s.flags.id]: [{ value: 'Customer' }],
  });
  assert.equal(story.status, 201, JSON.stringify(story.body));
  const read = await s.call('GET', `/rest/api/3/issue/${String(at(story.body, 'key'))}`);
  assert.equal(at(read.body, 'fields', s.points.id), 5);
  assert.equal(at(read.body, 'fields', s.teamField.id, 'name'), 'Platform');
  assert.equal(at(read.body, 'fields', s.region.id, 'value'), 'EMEA');
  assert.equal(at(read.body, 'fields', s.region.id, 'child', 'value'), 'DE');
  assert.equal(at(list(read.body, 'fields', s.reviewers.id)[0], 'accountId'), s.lee.accountId);
  assert.equal(at(list(read.body, 'fields', s.flags.id)[0], 'value'), 'Customer');
  const bad = await s.create('PROD', 'Story', 'Wrong', { [s.points.id]: 'five', [s.teamField.id]: 'no-such-team', [s.region.id]: { value: 'EMEA', child: { value: 'US' } } });
  assert.equal(bad.status, 400);
  assert.deepEqual(Object.keys(at(bad.body, 'errors') as object).sort(), [s.points.id, s.region.id, s.teamField.id].sort());
});

test('createmeta and editmeta say what each field accepts: parent, versions, components, cascading options', async () => {
  const s = software();
  const story = await s.create('PROD', 'Story', 'Meta');
  const edit = await s.call('GET', `/rest/api/3/issue/${String(at(story.body, 'key'))}/editmeta`);
  assert.equal(edit.status, 200);
  assert.equal(at(edit.body, 'fields', 'parent', 'schema', 'type'), 'issuelink');
  assert.deepEqual(list(edit.body, 'fields', 'fixVersions', 'allowedValues').map((v) => at(v, 'name')), ['Q3 2026', 'Q4 2026']);
  assert.deepEqual(list(edit.body, 'fields', 'components', 'allowedValues').map((v) => at(v, 'name')), ['Billing', 'Roadmaps']);
  assert.deepEqual(list(list(edit.body, 'fields', s.region.id, 'allowedValues')[0], 'children').map((c) => at(c, 'value')), ['UK', 'DE']);
  assert.equal(at(edit.body, 'fields', 'project'), undefined);
});

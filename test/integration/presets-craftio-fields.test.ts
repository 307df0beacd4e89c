// The Craft.io preset's primary fields (release, components, story points, Team) and custom fields
// of every type the guide maps "vice versa", end to end through the devkit, both ways, with the
// refusals: a release Craft.io does not have, a Jira version that does not exist, a choice
// missing from the table (its default), an email no Jira user has.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CraftioStandIn } from '../../devkit/external/tools/craftio';
import { fieldMappingSchema, storyPointsField, type FieldMapping } from '../../src/mapping';
import { configureCraftio, fieldCatalog, startCraftio } from '../support/craftio';
import { startTandem, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;
let craftio: CraftioStandIn;
const ids: Record<string, string> = {};
let teamId = '';
let lee: { accountId: string };

before(async () => {
  tandem = await startTandem();
  const jira = tandem.jira;
  jira.addProject({ key: 'PROD', name: 'Product', issueTypes: ['Epic', 'Story', 'Bug', 'Sub-task'], versions: ['Q3 2026', 'Q4 2026'], components: ['Billing', 'Roadmaps'] });
  lee = jira.addUser({ displayName: 'Lee Dev', emailAddress: 'lee@example.com' });
  const add = (key: string, name: string, schemaType: Parameters<typeof jira.addCustomField>[0]['schemaType'], options?: Parameters<typeof jira.addCustomField>[0]['options']) => {
    ids[key] = jira.addCustomField({ name, schemaType, ...(options ? { options } : {}) }).id;
  };
  add('points', 'Story point estimate', 'story-points');
  add('team', 'Team', 'team');
  add('objective', 'Objective', 'string');
  add('key_result', 'Key result', 'textarea');
  add('value', 'Value', 'number');
  add('target_date', 'Target date', 'date');
  add('launch_at', 'Launch', 'datetime');
  add('size', 'T-shirt size', 'option', ['Small', 'Medium', 'Large']);
  add('platforms', 'Platforms', 'array-option', ['Web', 'iOS']);
  add('region', 'Region', 'cascading', [{ value: 'EMEA', children: ['UK', 'DE'] }]);
  add('customer_facing', 'Flags', 'checkbox', ['Customer facing']);
  add('reviewer', 'Reviewer', 'user');
  add('reviewers', 'Reviewers', 'array-user');
  add('spec', 'Spec', 'url');
  add('themes', 'Themes', 'array-string');
  teamId = jira.addTeam('Platform').id;
  craftio = await startCraftio(tandem, {
    releases: ['Q3 2026', 'Q4 2026', 'Q1 2027'],
    teams: ['Platform', 'Growth'],
    customFields: [
      { key: 'target_date', type: 'date' },
      { key: 'launch_at', type: 'datetime' },
      { key: 'size', type: 'single-select', options: ['S', 'M', 'L', 'XL'] },
      { key: 'platforms', type: 'multi-select', options: ['web', 'ios'] },
      { key: 'region', type: 'cascading', options: ['EMEA / UK', 'EMEA / DE'] },
      { key: 'customer_facing', type: 'checkbox' },
      { key: 'reviewer', type: 'user' },
      { key: 'reviewers', type: 'user-list' },
      { key: 'spec', type: 'url' },
      { key: 'themes', type: 'labels' },
    ],
  });
});

after(async () => {
  await craftio.close();
  await tandem.stop();
});

beforeEach(async () => {
  // Story points are found by name and schema, as their id differs per site.
  const points = storyPointsField(await fieldCatalog(tandem));
  assert.equal(points, ids.points);
  const m = (jira: string, tool: string, transform: Record<string, unknown>): FieldMapping => fieldMappingSchema.parse({ jira, tool, transform });
  await configureCraftio(tandem, craftio, (connection) => {
    connection.fields.push(
      m(points ?? '', 'story_points', { kind: 'number' }),
      m(ids.team!, 'team', { kind: 'team', table: [{ tool: 'Platform', jira: teamId }] }),
      m(ids.objective!, 'objective', { kind: 'text' }),
      m(ids.key_result!, 'key_result', { kind: 'adf-markdown' }),
      m(ids.value!, 'value', { kind: 'number' }),
      m(ids.target_date!, 'target_date', { kind: 'date', jiraType: 'date' }),
      m(ids.launch_at!, 'launch_at', { kind: 'date', jiraType: 'datetime' }),
      m(ids.size!, 'size', { kind: 'option', table: [{ tool: 'S', jira: 'Small' }, { tool: 'M', jira: 'Medium' }, { tool: 'L', jira: 'Large' }], defaultJira: 'Medium', defaultTool: 'M' }),
      m(ids.platforms!, 'platforms', { kind: 'option', table: [{ tool: 'web', jira: 'Web' }, { tool: 'ios', jira: 'iOS' }] }),
      m(ids.region!, 'region', { kind: 'cascading' }),
      m(ids.customer_facing!, 'customer_facing', { kind: 'checkbox', option: 'Customer facing' }),
      m(ids.reviewer!, 'reviewer', { kind: 'user-email' }),
      m(ids.reviewers!, 'reviewers', { kind: 'users-email' }),
      m(ids.spec!, 'spec', { kind: 'url' }),
      m(ids.themes!, 'themes', { kind: 'labels' }),
    );
  });
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });
const doc = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

test('Jira → Craft.io: release, components, story points, Team and a custom field of every type reach the feature', async () => {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', {
    fields: {
      project: { key: 'PROD' },
      issuetype: { name: 'Story' },
      summary: 'Usage-based billing',
      fixVersions: [{ name: 'Q4 2026' }],
      components: [{ name: 'Billing' }, { name: 'Roadmaps' }],
      [ids.points!]: 8,
      [ids.team!]: teamId,
      [ids.objective!]: 'Grow revenue',
      [ids.key_result!]: doc('ARR up 5%'),
      [ids.value!]: 42,
      [ids.target_date!]: '2026-12-01',
      [ids.launch_at!]: '2026-12-01T09:30:00.000+0000',
      [ids.size!]: { value: 'Large' },
      [ids.platforms!]: [{ value: 'Web' }, { value: 'iOS' }],
      [ids.region!]: { value: 'EMEA', child: { value: 'DE' } },
      [ids.customer_facing!]: [{ value: 'Customer facing' }],
      [ids.reviewer!]: { accountId: lee.accountId },
      [ids.reviewers!]: [{ accountId: lee.accountId }, { accountId: tandem.agent.accountId }],
      [ids.spec!]: 'https://docs.example.com/billing',
      [ids.themes!]: ['monetisation'],
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await tandem.emulator.settle();
  const item = craftio.itemForIssue((created.body as { key: string }).key);
  assert.ok(item, 'a feature was created');
  assert.equal(item.release, 'Q4 2026');
  assert.deepEqual(item.components, ['Billing', 'Roadmaps']);
  assert.equal(item.story_points, 8);
  assert.equal(item.team, 'Platform');
  assert.deepEqual(item.custom, {
    objective: 'Grow revenue',
    key_result: 'ARR up 5%',
    value: 42,
    effort: null,
    target_date: '2026-12-01',
    launch_at: '2026-12-01T09:30:00.000Z',
    size: 'L',
    platforms: ['web', 'ios'],
    region: 'EMEA / DE',
    customer_facing: true,
    reviewer: 'lee@example.com',
    reviewers: ['lee@example.com', 'sam@example.com'],
    spec: 'https://docs.example.com/billing',
    themes: ['monetisation'],
  });
});

test('Craft.io → Jira: the same fields come back to the issue; a choice missing from the table takes its default', async () => {
  const { item, answer } = await craftio.createItem('epics', { title: 'Self-serve plans' });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const key = String(answer.body.issueKey);
  const update = await craftio.updateItem('epics', item.id, {
    release: 'Q3 2026',
    components: ['Roadmaps'],
    story_points: 13,
    team: 'Platform',
    objective: 'Activation',
    key_result: 'Trials **convert**',
    value: 7,
    target_date: '2026-11-30',
    launch_at: '2026-11-30T08:00:00.000Z',
    size: 'XL',
    platforms: ['ios'],
    region: 'EMEA / UK',
    customer_facing: true,
    reviewer: 'lee@example.com',
    reviewers: ['lee@example.com', 'nobody@example.com'],
    spec: 'https://docs.example.com/plans',
    themes: ['self-serve'],
  });
  assert.equal(update.status, 200, JSON.stringify(update.body));
  const issue = (await tandem.rest(asAgent(), 'GET', `/rest/api/3/issue/${key}`)).body as { fields: Record<string, unknown> };
  const f = issue.fields;
  const names = (v: unknown) => (v as Array<{ name?: string; value?: string }>).map((x) => x.name ?? x.value);
  assert.deepEqual(names(f.fixVersions), ['Q3 2026']);
  assert.deepEqual(names(f.components), ['Roadmaps']);
  assert.equal(f[ids.points!], 13);
  assert.equal((f[ids.team!] as { id: string }).id, teamId);
  assert.equal(f[ids.objective!], 'Activation');
  assert.equal(JSON.stringify(f[ids.key_result!]).includes('"strong"'), true, 'Markdown bold became ADF strong');
  assert.equal(f[ids.value!], 7);
  assert.equal(f[ids.target_date!], '2026-11-30');
  assert.equal(f[ids.launch_at!], '2026-11-30T08:00:00.000+0000');
  assert.equal((f[ids.size!] as { value: string }).value, 'Medium', 'XL has no row: the default');
  assert.deepEqual(names(f[ids.platforms!]), ['iOS']);
  assert.deepEqual([(f[ids.region!] as { value: string; child: { value: string } }).value, (f[ids.region!] as { child: { value: string } }).child.value], ['EMEA', 'UK']);
  assert.deepEqual(names(f[ids.customer_facing!]), ['Customer facing']);
  assert.equal((f[ids.reviewer!] as { accountId: string }).accountId, lee.accountId);
  assert.deepEqual((f[ids.reviewers!] as Array<{ accountId: string }>).map((u) => u.accountId), [lee.accountId], 'the unknown email is left out');
  assert.ok((update.body.notes as string[]).some((n) => n.includes('nobody@example.com')));
  assert.equal(f[ids.spec!], 'https://docs.example.com/plans');
  assert.deepEqual(f[ids.themes!], ['self-serve']);
});

test('refusals: a release Jira lacks is refused by Jira and reported with its name; a Jira version Craft.io lacks is refused by Craft.io', async () => {
  const { item, answer } = await craftio.createItem('epics', { title: 'Enterprise SSO' });
  const key = String(answer.body.issueKey);
  const update = await craftio.updateItem('epics', item.id, { release: 'Q1 2027', story_points: 3 });
  assert.equal(update.status, 200, JSON.stringify(update.body));
  assert.deepEqual(update.body.applied, [ids.points]);
  const skipped = update.body.skipped as Array<{ field: string; reason: string }>;
  assert.ok(skipped.some((s) => s.field === 'fixVersions' && s.reason.includes("Version name 'Q1 2027' is not valid")), JSON.stringify(skipped));
  assert.deepEqual(tandem.jira.getIssue(key)?.fixVersions, []);

  tandem.jira.addVersion('PROD', 'Q2 2027');
  const before = craftio.requests.length;
  const edit = await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${key}`, { fields: { fixVersions: [{ name: 'Q2 2027' }] } });
  assert.equal(edit.status, 204);
  await tandem.emulator.settle();
  const refused = craftio.requests.slice(before).find((r) => r.method === 'PATCH' && r.status === 400);
  assert.ok(refused, 'Craft.io refused the release');
  assert.equal(craftio.item(item.id)?.release, 'Q1 2027', 'Craft.io keeps its own release; Q2 2027 is never invented');
});

test('refusals: a component the project lacks is refused by Jira and a team without a row in the table is skipped, each named, and the rest of the change applies', async () => {
  const { item, answer } = await craftio.createItem('epics', { title: 'Usage exports' });
  const key = String(answer.body.issueKey);
  const update = await craftio.updateItem('epics', item.id, { components: ['Billing', 'Mobile'], team: 'Growth', value: 5 });
  assert.equal(update.status, 200, JSON.stringify(update.body));
  assert.deepEqual(update.body.applied, [ids.value]);
  const skipped = update.body.skipped as Array<{ field: string; reason: string }>;
  assert.ok(skipped.some((s) => s.field === 'components' && s.reason.includes('Mobile')), JSON.stringify(skipped));
  assert.ok(skipped.some((s) => s.field === ids.team && s.reason.includes('Growth')), JSON.stringify(skipped));
  assert.deepEqual(tandem.jira.getIssue(key)?.components, [], 'no component is made up');
  const issue = (await tandem.rest(asAgent(), 'GET', `/rest/api/3/issue/${key}?fields=${ids.team!}`)).body as { fields: Record<string, unknown> };
  assert.equal(issue.fields[ids.team!] ?? null, null, 'no team is guessed');
});

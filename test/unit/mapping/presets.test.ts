// Every preset builds a connection that a save accepts: it parses, and each field mapping fits its
// Jira field as the Jira simulator describes it (GET /rest/api/3/field). Then the tables and type
// mappings each tool's guide asks for.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { JiraSimulator } from '../../../devkit/jira/simulator';
import {
  craftioFieldTypes,
  checkFieldMapping,
  connectionSchema,
  fieldMappingSchema,
  fieldMappingsFor,
  findPreset,
  findProjectMapping,
  parseConfig,
  presets,
  toJiraValue,
  toToolValue,
  transformFits,
  transformsForToolType,
  type Connection,
  type FieldMapping,
  type JiraFieldInfo,
} from '../../../src/mapping';

const BASE_URL = 'https://tool.example.com';
let jiraFields: Map<string, JiraFieldInfo>;
let storyPoints: JiraFieldInfo;
let team: JiraFieldInfo;

before(async () => {
  const jira = new JiraSimulator();
  const admin = jira.addUser({ displayName: 'Ada Admin', emailAddress: 'ada@example.com', admin: true });
  jira.addCustomField({ name: 'Story points', schemaType: 'number' });
  jira.addCustomField({ name: 'Team', schemaType: 'string' });
  const answer = await jira.handle({ method: 'GET', path: '/rest/api/3/field', headers: {}, actor: { kind: 'user', accountId: admin.accountId } });
  assert.equal(answer.status, 200);
  const list = JSON.parse(answer.body) as JiraFieldInfo[];
  jiraFields = new Map(list.map((f) => [String(f.id), f]));
  storyPoints = list.find((f) => f.name === 'Story points')!;
  team = list.find((f) => f.name === 'Team')!;
});

function build(id: string, name = 'Tool'): Connection {
  const preset = findPreset(id);
  assert.ok(preset, id);
  return preset.build({ name, baseUrl: BASE_URL });
}

function mappingsOf(connection: Connection): FieldMapping[] {
  return [...connection.fields, ...connection.projects.flatMap((p) => p.fields ?? [])];
}

test('the presets: StackFlow first, then one for each seed tool, with unique ids', () => {
  assert.deepEqual(
    presets.map((p) => p.id),
    ['stackflow-itsm', 'craftio-product', 'flashduty-changes', 'userhero-feedback', 'sentry-errors'],
  );
  for (const preset of presets) {
    assert.ok(preset.name.trim() !== '' && preset.description.trim() !== '', preset.id);
    assert.equal(findPreset(preset.id), preset);
  }
});

test('every preset builds a connection that parses as a saved configuration, unchanged by the round trip', () => {
  for (const preset of presets) {
    const connection = preset.build({ name: `${preset.name} (prod)`, baseUrl: BASE_URL });
    const parsed = parseConfig({ version: 1, connections: [connection] });
    assert.ok(parsed.ok, `${preset.id}: ${parsed.ok ? '' : JSON.stringify(parsed.errors)}`);
    assert.deepEqual(parsed.config.connections[0], connection, preset.id);
    assert.deepEqual(connectionSchema.parse(JSON.parse(JSON.stringify(connection))), connection, preset.id);
    assert.match(connection.id, /^[a-z0-9-]+-prod$/, preset.id);
    assert.equal(preset.build({ name: 'X', baseUrl: BASE_URL, id: 'chosen' }).id, 'chosen');
  }
});

test("every preset's field mappings fit the simulator's Jira fields", () => {
  for (const preset of presets) {
    for (const mapping of mappingsOf(preset.build({ name: 'Tool', baseUrl: BASE_URL }))) {
      const field = jiraFields.get(mapping.jira);
      assert.ok(field, `${preset.id}: Jira has a field ${mapping.jira}`);
      assert.deepEqual(checkFieldMapping(mapping, field), { ok: true }, `${preset.id}: ${mapping.jira} ⇄ ${mapping.tool}`);
    }
  }
});

// ---------------------------------------------------------------- Craft.io (001)

test('Craft.io: primary types both ways, other PROD types one way, sub-tasks ignored', () => {
  const c = build('craftio-product');
  assert.equal(c.protocol, 'record-rest');
  const at = (issueTypeName: string) => findProjectMapping(c, { projectKey: 'PROD', issueTypeName });
  assert.deepEqual([at('Epic')?.module, at('Epic')?.direction], ['epics', 'both']);
  assert.deepEqual([at('Story')?.module, at('Story')?.direction], ['features', 'both']);
  assert.deepEqual([at('Bug')?.module, at('Bug')?.direction], ['items', 'jira-to-tool']);
  assert.deepEqual([at('Task')?.module, at('Task')?.direction], ['items', 'jira-to-tool']);
  assert.equal(at('Sub-task'), undefined);
  assert.equal(at('subtask'), undefined);
  assert.equal(c.inbound?.auth, 'hmac', "Craft.io's changes reach the inbound URL, which lights the webhook lamp");
});

test("Craft.io: a custom field maps only onto a Jira field of the same type (the guide's rule)", () => {
  const effort = fieldMappingSchema.parse({ jira: storyPoints.id, tool: 'effort', transform: { kind: 'number' } });
  assert.deepEqual(checkFieldMapping(effort, storyPoints), { ok: true });
  const refused = checkFieldMapping({ ...effort, jira: String(team.id) }, team);
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : refused.message, /Team holds text, so it cannot carry the tool's number field effort/);
});

test("Craft.io: the preset carries the types of Craft.io's fields, since Craft.io cannot describe them, and each of its mappings fits both types", () => {
  const c = build('craftio-product');
  assert.equal(c.protocol === 'record-rest' ? c.paths.describe : 'push', null);
  assert.deepEqual(c.toolFieldTypes, craftioFieldTypes);
  // The guide's default fields (Objective, Key result, Value, Effort) and primary ones have their types.
  assert.deepEqual(
    ['objective', 'key_result', 'value', 'effort', 'story_points', 'release', 'components', 'team', 'sprint'].map((f) => craftioFieldTypes[f]),
    ['Text', 'Paragraph', 'Numeric', 'Numeric', 'Numeric', 'Release', 'Multi select', 'Team', 'Sprint'],
  );
  for (const mapping of mappingsOf(c)) {
    const type = craftioFieldTypes[mapping.tool];
    assert.ok(type, `the table has Craft.io's ${mapping.tool}`);
    assert.ok(transformsForToolType(type), `the fit check knows Craft.io's type ${type}`);
    assert.deepEqual(checkFieldMapping(mapping, jiraFields.get(mapping.jira)!, type), { ok: true }, `${mapping.jira} ⇄ ${mapping.tool} (${type})`);
  }
});

test("Craft.io's type words: each narrows the transforms to those that carry it", () => {
  const kinds = (word: string) => transformsForToolType(word);
  assert.deepEqual(kinds('Numeric'), ['number']);
  assert.deepEqual(kinds('Single select'), kinds('single-select'), 'written either way');
  assert.deepEqual(kinds('Single select'), ['option', 'priority', 'team']);
  assert.deepEqual(kinds('Multi select'), ['option', 'checkbox', 'labels', 'names']);
  assert.deepEqual(kinds('Paragraph'), ['adf-markdown', 'adf-plain', 'text']);
  assert.deepEqual(kinds('Date and time'), ['date']);
  assert.deepEqual(kinds('Cascading select'), ['cascading']);
  assert.deepEqual(kinds('Checkbox'), ['checkbox']);
  assert.deepEqual(kinds('User list'), ['users-email']);
  assert.deepEqual(kinds('Labels'), ['labels']);
  assert.deepEqual(kinds('Parent item'), ['parent']);
  assert.deepEqual(kinds('Sprint'), ['sprint']);
  assert.deepEqual(kinds('Release'), ['names']);
  assert.deepEqual(kinds('Team'), ['team']);
});

test("Craft.io: a numeric field onto a Jira text field is offered no transform and refused with the reason; onto a number field, only Number", () => {
  const value = craftioFieldTypes.value;
  assert.equal(value, 'Numeric');
  const text = { id: String(team.id), name: 'Team', schema: team.schema };
  assert.deepEqual(transformFits(text, value).filter((f) => f.ok), []);
  assert.equal(transformFits(text, value).find((f) => f.kind === 'text')?.reason, "The tool's field is a number, not text.");
  const refused = checkFieldMapping(fieldMappingSchema.parse({ jira: text.id, tool: 'value', transform: { kind: 'text' } }), text, value);
  assert.deepEqual(refused, { ok: false, message: "The tool's field value is a number, so the text transform cannot carry it. No transform carries text to a number: pick another field." });
  assert.deepEqual(transformFits(storyPoints, value).filter((f) => f.ok).map((f) => f.kind), ['number']);
  // A single select onto a Jira single select takes the choice table only.
  const size = { id: 'customfield_1', name: 'Size', schema: { type: 'option', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select' } };
  assert.deepEqual(transformFits(size, 'Single select').filter((f) => f.ok).map((f) => f.kind), ['option']);
});

// ---------------------------------------------------------------- Flashduty (002)

test('Flashduty: a Jira-webhook push to the push URL, one way, filtered by JQL, no comments and no field tables', () => {
  const pushUrl = 'https://api.flashcat.cloud/event/push/change/jira?integration_key=abc123';
  const c = findPreset('flashduty-changes')!.build({ name: 'Flashduty', baseUrl: pushUrl });
  assert.ok(c.protocol === 'jira-webhook');
  assert.equal(c.webhook.pushUrl, pushUrl);
  assert.equal(findPreset('flashduty-changes')?.needs, 'push-url', 'the admin pastes the push URL, not an address');
  assert.equal(c.auth.kind, 'none');
  assert.equal(c.options.syncComments, false);
  assert.deepEqual(c.fields, [], 'Flashduty maps the status name itself');
  const [mapping] = c.projects;
  assert.equal(c.projects.length, 1);
  assert.equal(mapping?.direction, 'jira-to-tool');
  assert.equal(mapping?.jql, 'project = OPS AND labels = change');
});

// ---------------------------------------------------------------- UserHero (003)

test('UserHero: Bearer both ways, pushes to /api/webhooks/jira, issues created as the default type', () => {
  const c = findPreset('userhero-feedback')!.build({ name: 'UserHero', baseUrl: 'https://userhero.co/' });
  assert.ok(c.protocol === 'jira-webhook');
  assert.equal(c.webhook.pushUrl, 'https://userhero.co/api/webhooks/jira');
  assert.equal(c.auth.kind, 'bearer');
  assert.equal(c.inbound?.auth, 'bearer');
  assert.equal(c.projects[0]?.defaultIssueType, 'Task');
});

test("UserHero: the guide's priority table", () => {
  const priority = build('userhero-feedback').fields.find((f) => f.jira === 'priority');
  assert.ok(priority);
  const jira = (tool: string) => toJiraValue(priority, tool);
  assert.deepEqual(jira('Urgent'), { kind: 'value', value: { name: 'Highest' } });
  assert.deepEqual(jira('High'), { kind: 'value', value: { name: 'High' } });
  assert.deepEqual(jira('Medium'), { kind: 'value', value: { name: 'Medium' } });
  assert.deepEqual(jira('Low'), { kind: 'value', value: { name: 'Low' } });
});

test('UserHero: statuses by category, with the name as the fallback', () => {
  const status = build('userhero-feedback').fields.find((f) => f.jira === 'status');
  assert.ok(status);
  const tool = (name: string, key: string) => toToolValue(status, { name, statusCategory: { key } });
  assert.deepEqual(tool('Shipped', 'done'), { kind: 'value', value: 'resolved' });
  assert.deepEqual(tool('Triage', 'new'), { kind: 'value', value: 'open' });
  assert.deepEqual(tool('QA', 'indeterminate'), { kind: 'value', value: 'in-progress' });
  assert.deepEqual(tool('Completed', 'undefined'), { kind: 'value', value: 'resolved' }, 'the name when the category says nothing');
  assert.deepEqual(toJiraValue(status, 'resolved'), { kind: 'status', category: 'done' });
  assert.deepEqual(toJiraValue(status, 'open'), { kind: 'status', category: 'new' });
});

// ---------------------------------------------------------------- Sentry (004)

test('Sentry: create and link in OPS, the assignee Jira → tracker by email, resolved ⇄ Done', () => {
  const c = build('sentry-errors');
  assert.ok(c.protocol === 'record-rest');
  assert.equal(c.paths.updateRecord, 'PUT /api/0/{module}/{id}/');
  const [mapping] = c.projects;
  assert.equal(mapping?.direction, 'both');
  assert.equal(mapping?.jql, 'labels = sentry', 'new Jira bugs do not become tracker issues');
  assert.equal(c.options.label, 'sentry', 'issues created from the tracker carry the label the JQL asks for');
  const fields = fieldMappingsFor(c, mapping!);
  const assignee = fields.find((f) => f.jira === 'assignee');
  assert.deepEqual([assignee?.direction, assignee?.transform.kind], ['jira-to-tool', 'user-email']);
  const status = fields.find((f) => f.jira === 'status');
  assert.ok(status);
  assert.deepEqual(toToolValue(status, { name: 'Done', statusCategory: { key: 'done' } }), { kind: 'value', value: 'resolved' });
  assert.deepEqual(toToolValue(status, { name: 'In Progress', statusCategory: { key: 'indeterminate' } }), { kind: 'value', value: 'unresolved' });
  assert.deepEqual(toJiraValue(status, 'resolved'), { kind: 'status', name: 'Done', category: 'done' });
  assert.deepEqual(toJiraValue(status, 'unresolved'), { kind: 'status', name: 'To Do', category: 'new' });
});

test('each preset says how its tool lists its records, and a tool that cannot has no list path', () => {
  for (const preset of presets) {
    const connection = preset.build({ name: preset.name, baseUrl: 'https://tool.example.com' });
    const cannot = preset.listing.startsWith('Cannot list');
    if (connection.protocol === 'record-rest') {
      assert.equal(cannot, false, preset.id);
      assert.ok(connection.paths.listRecords, preset.id);
      assert.ok(preset.listing.includes(connection.paths.listRecords.replace(/^GET /, '')), `${preset.id} names its list path`);
    } else {
      assert.equal(cannot, true, preset.id);
    }
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CRAFTIO_FIELD_TYPES, checkFieldMapping, fieldMappingSchema, isKnownToolType, presets, TOOL_FIELD_TYPES, toolTypeVocabulary, transformFits, type JiraFieldInfo, type JiraFieldSchema } from '../../../src/mapping';

const mapping = (raw: unknown) => fieldMappingSchema.parse(raw);

// As GET /rest/api/3/field describes them.
const FIELDS: Record<string, JiraFieldInfo> = {
  summary: { id: 'summary', name: 'Summary', schema: { type: 'string', system: 'summary' } },
  description: { id: 'description', name: 'Description', schema: { type: 'string', system: 'description' } },
  priority: { id: 'priority', name: 'Priority', schema: { type: 'priority', system: 'priority' } },
  assignee: { id: 'assignee', name: 'Assignee', schema: { type: 'user', system: 'assignee' } },
  status: { id: 'status', name: 'Status', schema: { type: 'status', system: 'status' } },
  labels: { id: 'labels', name: 'Labels', schema: { type: 'array', items: 'string', system: 'labels' } },
  duedate: { id: 'duedate', name: 'Due date', schema: { type: 'date', system: 'duedate' } },
  created: { id: 'created', name: 'Created', schema: { type: 'datetime', system: 'created' } },
  customfield_10050: {
    id: 'customfield_10050',
    name: 'Risk score',
    schema: { type: 'number', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:float', customId: 10050 },
  },
  customfield_10060: {
    id: 'customfield_10060',
    name: 'Root cause',
    schema: { type: 'string', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textarea', customId: 10060 },
  },
  customfield_10080: {
    id: 'customfield_10080',
    name: 'Environment type',
    schema: { type: 'option', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select', customId: 10080 },
  },
  customfield_10090: {
    id: 'customfield_10090',
    name: 'Regions',
    schema: { type: 'array', items: 'option', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:multiselect', customId: 10090 },
  },
  customfield_10100: { id: 'customfield_10100', name: 'Go live', schema: { type: 'datetime', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:datetime' } },
};

function refusal(raw: unknown, field: JiraFieldInfo | JiraFieldSchema): string {
  const result = checkFieldMapping(mapping(raw), field);
  if (result.ok) assert.fail(`expected ${JSON.stringify(raw)} to be refused`);
  return result.message;
}

test('every field of the StackFlow preset fits its Jira field', () => {
  const connection = presets[0]!.build({ name: 'StackFlow', baseUrl: 'https://acme.stackflow-tech.com' });
  for (const field of connection.fields) {
    const info = FIELDS[field.jira];
    assert.ok(info, field.jira);
    assert.deepEqual(checkFieldMapping(field, info), { ok: true }, field.jira);
  }
});

test('fitting mappings are accepted, given the schema alone or the whole field entry', () => {
  const ok = (raw: unknown, info: JiraFieldInfo) => assert.deepEqual(checkFieldMapping(mapping(raw), info), { ok: true }, JSON.stringify(raw));
  ok({ jira: 'customfield_10050', tool: 'risk_score', transform: { kind: 'number' } }, FIELDS.customfield_10050!);
  ok({ jira: 'customfield_10060', tool: 'cause', transform: { kind: 'adf-plain' } }, FIELDS.customfield_10060!);
  ok({ jira: 'labels', tool: 'tags', transform: { kind: 'labels' } }, FIELDS.labels!);
  ok({ jira: 'duedate', tool: 'due', transform: { kind: 'date' } }, FIELDS.duedate!);
  ok({ jira: 'customfield_10100', tool: 'go_live', transform: { kind: 'date', jiraType: 'datetime' } }, FIELDS.customfield_10100!);
  ok({ jira: 'customfield_10080', tool: 'env', transform: { kind: 'option' } }, FIELDS.customfield_10080!);
  ok({ jira: 'customfield_10090', tool: 'regions', transform: { kind: 'option' } }, FIELDS.customfield_10090!);
  ok({ jira: 'created', tool: 'opened_at', direction: 'jira-to-tool', transform: { kind: 'date', jiraType: 'datetime' } }, FIELDS.created!);
  assert.deepEqual(checkFieldMapping(mapping({ jira: 'summary', tool: 'title' }), { type: 'string', system: 'summary' }), { ok: true });
});

test('refusals are plain sentences naming both fields', () => {
  assert.equal(
    refusal({ jira: 'summary', tool: 'risk_score', transform: { kind: 'number' } }, FIELDS.summary!),
    "Summary holds text, so it cannot carry the tool's number field risk_score.",
  );
  assert.equal(
    refusal({ jira: 'customfield_10050', tool: 'caller', transform: { kind: 'user-email' } }, FIELDS.customfield_10050!),
    "Risk score holds a number, so it cannot carry the tool's user (email) field caller.",
  );
  assert.match(refusal({ jira: 'description', tool: 'description' }, FIELDS.description!), /^Description holds rich text, so it cannot carry the tool's text field description\. Use the adf-markdown or adf-plain/);
  assert.match(refusal({ jira: 'customfield_10060', tool: 'cause' }, FIELDS.customfield_10060!), /Root cause holds rich text/);
  assert.match(refusal({ jira: 'summary', tool: 'body', transform: { kind: 'adf-markdown' } }, FIELDS.summary!), /Use the text transform/);
  assert.match(refusal({ jira: 'labels', tool: 'tags' }, FIELDS.labels!), /Labels holds a list of labels.*Use the labels transform/);
  assert.match(refusal({ jira: 'customfield_10080', tool: 'env' }, FIELDS.customfield_10080!), /Environment type holds a choice.*option transform/);
  assert.match(refusal({ jira: 'priority', tool: 'urgency', transform: { kind: 'option' } }, FIELDS.priority!), /Priority holds a priority/);
  assert.match(refusal({ jira: 'customfield_10100', tool: 'go_live', transform: { kind: 'date' } }, FIELDS.customfield_10100!), /Go live holds a date and time: set the date transform's Jira type to datetime/);
  assert.match(refusal({ jira: 'created', tool: 'opened_at', transform: { kind: 'date', jiraType: 'datetime' } }, FIELDS.created!), /Created is set by Jira itself.*Jira to tool only/);
  assert.match(refusal({ jira: 'customfield_1', tool: 'x' }, { id: 'customfield_1', name: 'Mystery' }), /Jira does not say what Mystery holds/);
  assert.match(refusal({ jira: 'customfield_2', tool: 'team' }, { type: 'team' }), /customfield_2 holds a team, so it cannot carry .* Use the team transform/);
});

test("every type an admin can pick for a Craft.io field is one the fit check knows, and a Craft.io table is offered Craft.io's words", () => {
  for (const word of CRAFTIO_FIELD_TYPES) assert.ok(isKnownToolType(word), word);
  assert.equal(isKnownToolType('Traffic light'), false);
  const craftio = presets.find((p) => p.id === 'craftio-product');
  assert.deepEqual(toolTypeVocabulary(craftio?.toolFieldTypes), CRAFTIO_FIELD_TYPES);
  assert.deepEqual(toolTypeVocabulary({ risk: 'option' }), TOOL_FIELD_TYPES);
  // A field the admin adds as a single select narrows the transforms as the preset's fields do.
  const multi: JiraFieldSchema = { type: 'array', items: 'option', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:multiselect' };
  assert.deepEqual(
    transformFits(multi, 'Single select').filter((f) => f.ok).map((f) => f.kind),
    ['option'],
  );
});

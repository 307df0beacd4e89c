// The transforms of the product tool's primary and custom fields: versions and components by name,
// checkboxes, cascading choices, user lists by email, web addresses, teams by table, and choice
// tables with defaults. Values that round-trip are checked as properties; refusals say why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkFieldMapping, fieldMappingSchema, toJiraValue, toToolValue, transformFits, type FieldMapping } from '../../../src/mapping';

const mapping = (jira: string, transform: Record<string, unknown>): FieldMapping => fieldMappingSchema.parse({ jira, tool: 'x', transform });
const value = (v: unknown) => ({ kind: 'value', value: v });
const CUSTOM = 'com.atlassian.jira.plugin.system.customfieldtypes:';
const name = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s !== '' && !s.includes(' / ') && !s.includes(','));

test('names: versions and components go to Jira by name and come back as names; a single-name tool field takes the first', () => {
  const list = mapping('fixVersions', { kind: 'names' });
  assert.deepEqual(toJiraValue(list, ['Q3 2026', 'Q4 2026']), value([{ name: 'Q3 2026' }, { name: 'Q4 2026' }]));
  assert.deepEqual(toToolValue(list, [{ id: '1', name: 'Q3 2026', released: false }]), value(['Q3 2026']));
  const single = mapping('fixVersions', { kind: 'names', format: 'single' });
  assert.deepEqual(toJiraValue(single, 'Q3 2026'), value([{ name: 'Q3 2026' }]));
  assert.deepEqual(toToolValue(single, []), value(null));
  assert.deepEqual(toJiraValue(single, null), value([]));
  fc.assert(
    fc.property(fc.uniqueArray(name, { maxLength: 5 }), (names) => {
      const jira = toJiraValue(list, names);
      assert.equal(jira.kind, 'value');
      assert.deepEqual(toToolValue(list, (jira as { value: unknown }).value), value(names));
    }),
  );
});

test('checkbox: the tool\'s true is the one Jira option, both ways; anything else than true or false is refused', () => {
  const m = mapping('customfield_1', { kind: 'checkbox', option: 'Customer' });
  fc.assert(fc.property(fc.boolean(), (b) => assert.deepEqual(toToolValue(m, (toJiraValue(m, b) as { value: unknown }).value), value(b))));
  assert.deepEqual(toToolValue(m, [{ id: '1', value: 'Impediment' }]), value(false));
  assert.equal(toJiraValue(m, 'yes').kind, 'error');
});

test('cascading: "Parent / Child" ⇄ {value, child: {value}}, and a parent alone', () => {
  const m = mapping('customfield_2', { kind: 'cascading' });
  assert.deepEqual(toJiraValue(m, 'EMEA / DE'), value({ value: 'EMEA', child: { value: 'DE' } }));
  assert.deepEqual(toJiraValue(m, 'EMEA'), value({ value: 'EMEA' }));
  assert.deepEqual(toToolValue(m, { id: '1', value: 'EMEA', child: { id: '2', value: 'UK' } }), value('EMEA / UK'));
  fc.assert(
    fc.property(name, fc.option(name, { nil: undefined }), (parent, child) => {
      const tool = child === undefined ? parent : `${parent} / ${child}`;
      assert.deepEqual(toToolValue(m, (toJiraValue(m, tool) as { value: unknown }).value), value(tool));
    }),
  );
});

test('users-email: a user list goes to Jira as one lookup of its emails, and comes back as emails; one unreadable email skips the field', () => {
  const m = mapping('customfield_3', { kind: 'users-email' });
  assert.deepEqual(toJiraValue(m, ['ada@example.com', 'ADA@example.com', 'lee@example.com']), { kind: 'users-by-email', emails: ['ada@example.com', 'lee@example.com'] });
  assert.deepEqual(toJiraValue(m, []), value([]));
  assert.equal(toJiraValue(m, ['not-an-email']).kind, 'skip');
  const emails: Record<string, string> = { a: 'ada@example.com', l: 'lee@example.com' };
  assert.deepEqual(toToolValue(m, [{ accountId: 'a' }, { accountId: 'l' }], { emailOf: (id) => emails[id] }), value(['ada@example.com', 'lee@example.com']));
  assert.equal(toToolValue(m, [{ accountId: 'hidden' }], { emailOf: () => undefined }).kind, 'skip');
});

test('url: web addresses pass both ways; anything else is skipped with the reason', () => {
  const m = mapping('customfield_4', { kind: 'url' });
  fc.assert(fc.property(fc.webUrl({ validSchemes: ['https'] }), (url) => assert.deepEqual(toToolValue(m, (toJiraValue(m, url) as { value: unknown }).value), value(url))));
  const refused = toJiraValue(m, 'javascript:alert(1)');
  assert.equal(refused.kind, 'skip');
  assert.match((refused as { reason: string }).reason, /not a web address/);
});

test('team: the tool\'s team names map to Atlassian team ids through the table; a team without a row is skipped', () => {
  const m = mapping('customfield_5', { kind: 'team', table: [{ tool: 'Platform', jira: 'uuid-1' }] });
  assert.deepEqual(toJiraValue(m, 'platform'), value('uuid-1'));
  assert.deepEqual(toToolValue(m, { id: 'uuid-1', name: 'Platform team' }), value('Platform'));
  assert.equal(toJiraValue(m, 'Growth').kind, 'skip');
  assert.match((toToolValue(m, { id: 'uuid-9', name: 'Growth' }) as { reason: string }).reason, /"Growth" has no row in the team table/);
});

test('option tables: a default stands for a choice missing from the table, in each direction', () => {
  const m = mapping('customfield_6', { kind: 'option', table: [{ tool: 'hi', jira: 'High' }], defaultJira: 'Medium', defaultTool: 'other' });
  assert.deepEqual(toJiraValue(m, 'hi'), value({ value: 'High' }));
  assert.deepEqual(toJiraValue(m, 'unheard-of'), value({ value: 'Medium' }));
  assert.deepEqual(toToolValue(m, { value: 'Low' }), value('other'));
  assert.deepEqual(toJiraValue(m, ['hi', 'x', 'y']), value([{ value: 'High' }, { value: 'Medium' }]));
});

test('the admin page offers only the transforms that fit a Jira field, and says why each other one is refused', () => {
  const fits = (schema: Record<string, unknown>) => transformFits({ id: 'customfield_9', name: 'Field', schema: schema as { type: string } });
  const offered = (schema: Record<string, unknown>) => fits(schema).filter((f) => f.ok).map((f) => f.kind);
  assert.deepEqual(offered({ type: 'array', items: 'version', system: 'fixVersions' }), ['names']);
  assert.deepEqual(offered({ type: 'array', items: 'option', custom: `${CUSTOM}multicheckboxes` }), ['option', 'checkbox']);
  assert.deepEqual(offered({ type: 'option-with-child', custom: `${CUSTOM}cascadingselect` }), ['cascading']);
  assert.deepEqual(offered({ type: 'array', items: 'user', custom: `${CUSTOM}multiuserpicker` }), ['users-email']);
  assert.deepEqual(offered({ type: 'string', custom: `${CUSTOM}url` }), ['text', 'url']);
  assert.deepEqual(offered({ type: 'string', custom: `${CUSTOM}textarea` }), ['adf-markdown', 'adf-plain']);
  assert.deepEqual(offered({ type: 'number', custom: 'com.pyxis.greenhopper.jira:jsw-story-points' }), ['number']);
  assert.deepEqual(offered({ type: 'team', custom: 'com.atlassian.teams:rm-teams-custom-field-team' }), ['team']);
  const number = fits({ type: 'array', items: 'version', system: 'fixVersions' }).find((f) => f.kind === 'number');
  assert.equal(number?.reason, 'Field holds a list of versions, not number. Use the names transform.');
  // The tool's type narrows the offer further.
  assert.deepEqual(transformFits({ type: 'array', items: 'option' }, ['checkbox']).filter((f) => f.ok).map((f) => f.kind), ['checkbox']);
  const refused = checkFieldMapping(mapping('components', { kind: 'text' }), { id: 'components', name: 'Components', schema: { type: 'array', items: 'component', system: 'components' } });
  assert.deepEqual(refused, { ok: false, message: "Components holds a list of components, so it cannot carry the tool's text field x. Use the names transform." });
});

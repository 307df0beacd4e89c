// A tool's description as the record REST contract gives it, read with zod, and the mappings checked
// against it: pure, no platform.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAgainstDescription, findPreset, parseToolDescription } from '../../../src/mapping';

test('the bare answer and the result envelope read the same; a state may be a name or {name, label}', () => {
  const body = { modules: [{ name: 'incidents', fields: [{ name: 'title', type: 'string' }], states: ['new', { name: 'done', label: 'Done' }] }] };
  const bare = parseToolDescription(body);
  assert.deepEqual(bare, { modules: [{ name: 'incidents', fields: [{ name: 'title', type: 'string' }], states: ['new', 'done'] }] });
  assert.deepEqual(parseToolDescription({ result: body }), bare);
});

test('an answer naming no module is no description', () => {
  assert.equal(parseToolDescription({ modules: [] }), undefined);
  assert.equal(parseToolDescription('<html>sign in</html>'), undefined);
  assert.equal(parseToolDescription({ result: [{ id: 1 }] }), undefined);
});

test('the StackFlow preset against a tool that lacks a field and a state: each is named at its place', () => {
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow', baseUrl: 'https://itsm.example.com' });
  const fields = ['short_description', 'description', 'priority', 'assigned_to', 'state', 'assignment_group', 'category', 'jira_issue_key', 'jira_issue_url'];
  const module = (name: string) => ({ name, fields: fields.filter((f) => f !== 'assigned_to').map((f) => ({ name: f, type: 'string' })), states: ['new', 'in_progress', 'resolved', 'closed'] });
  const errors = checkAgainstDescription(connection, 0, { modules: [module('incidents'), module('changes')] });
  const assignee = connection.fields.findIndex((f) => f.jira === 'assignee');
  const paths = new Map(errors.map((e) => [e.path, e.message]));
  assert.match(paths.get(`connections.0.fields.${assignee}.tool`) ?? '', /incidents and changes have no field assigned_to \(they have short_description/);
  const status = connection.fields.findIndex((f) => f.transform.kind === 'status');
  assert.match(paths.get(`connections.0.fields.${status}.transform.toTool.2.tool`) ?? '', /StackFlow has no state on_hold/);
  assert.equal(errors.length, 3, JSON.stringify(errors)); // assigned_to, on_hold to the tool and back
});

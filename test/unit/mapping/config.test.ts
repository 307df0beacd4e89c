import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONFIG_VERSION,
  DEFAULT_REST_PATHS,
  fillRestPath,
  jiraIssueTypeForCreate,
  migrateConfig,
  parseConfig,
  presets,
  restPathsFor,
  type ConfigError,
  type RecordRestConnection,
  type TandemConfig,
} from '../../../src/mapping';

const minimalConnection = {
  id: 'sf',
  name: 'StackFlow',
  protocol: 'record-rest',
  baseUrl: 'https://acme.stackflow-tech.com/prod',
};

function parsed(raw: unknown): TandemConfig {
  const result = parseConfig(raw);
  if (!result.ok) assert.fail(`expected the configuration to parse: ${JSON.stringify(result.errors)}`);
  return result.config;
}

function errorsOf(raw: unknown): ConfigError[] {
  const result = parseConfig(raw);
  if (result.ok) assert.fail('expected the configuration to be refused');
  return result.errors;
}

function hasError(errors: ConfigError[], path: string, message?: RegExp): void {
  const found = errors.find((e) => e.path === path);
  assert.ok(found, `no error at ${path}; got ${JSON.stringify(errors)}`);
  if (message) assert.match(found.message, message);
}

test('the schema fills in every default', () => {
  const config = parsed({
    version: 1,
    connections: [{ ...minimalConnection, projects: [{ projectKey: 'ops', module: 'incidents', defaultIssueType: 'Task' }], fields: [{ jira: 'summary', tool: 'short_description' }] }],
  });
  const connection = config.connections[0];
  assert.ok(connection && connection.protocol === 'record-rest');
  assert.equal(connection.enabled, true);
  assert.deepEqual(connection.auth, { kind: 'none' });
  assert.deepEqual(connection.options, {
    syncComments: true,
    label: '',
    onJiraDelete: 'nothing',
    closedState: 'closed',
    conflictPolicy: 'jira-wins',
  });
  assert.deepEqual(connection.paths, DEFAULT_REST_PATHS);
  assert.deepEqual(connection.modulePaths, {});
  assert.deepEqual(connection.projects[0], {
    projectKey: 'OPS',
    issueType: '*',
    module: 'incidents',
    direction: 'both',
    fixedValues: {},
    ignoredIssueTypes: [],
    defaultIssueType: 'Task',
  });
  assert.deepEqual(connection.fields[0], { jira: 'summary', tool: 'short_description', direction: 'both', transform: { kind: 'text' } });
});

test('a priority transform without a table gets P1..P4', () => {
  const config = parsed({
    version: 1,
    connections: [{ ...minimalConnection, fields: [{ jira: 'priority', tool: 'priority', transform: { kind: 'priority' } }] }],
  });
  assert.deepEqual(config.connections[0]?.fields[0]?.transform, {
    kind: 'priority',
    table: [
      { tool: 'P1', jira: 'Highest' },
      { tool: 'P2', jira: 'High' },
      { tool: 'P3', jira: 'Medium' },
      { tool: 'P4', jira: 'Low' },
    ],
  });
});

test('an empty configuration object is refused with version Required; an empty v1 is fine', () => {
  hasError(errorsOf({}), 'version', /Required/);
  assert.deepEqual(parsed({ version: 1 }), { version: 1, connections: [] });
});

test('errors carry field-level paths the admin page can show in place', () => {
  const errors = errorsOf({
    version: 1,
    connections: [
      {
        ...minimalConnection,
        baseUrl: 'not a url',
        auth: { kind: 'basic' },
        options: { onJiraDelete: 'explode', label: 'two words' },
        projects: [{ projectKey: 'OPS', module: 'incidents' }, { projectKey: 'INFRA' }],
        fields: [{ jira: 'summary', tool: 'short_description', transform: { kind: 'rot13' } }],
      },
    ],
  });
  hasError(errors, 'connections.0.projects.1.module', /^Required$/);
  hasError(errors, 'connections.0.baseUrl', /https/);
  hasError(errors, 'connections.0.auth.username', /^Required$/);
  hasError(errors, 'connections.0.options.onJiraDelete');
  hasError(errors, 'connections.0.options.label', /spaces/);
  hasError(errors, 'connections.0.fields.0.transform.kind', /Choose one of: text, adf-markdown/);
});

test('a jira-webhook connection needs a push URL, and an unknown protocol is named', () => {
  hasError(errorsOf({ version: 1, connections: [{ id: 'fd', name: 'Flashduty', protocol: 'jira-webhook' }] }), 'connections.0.webhook', /Required/);
  hasError(errorsOf({ version: 1, connections: [{ id: 'fd', name: 'Flashduty', protocol: 'smoke-signals' }] }), 'connections.0.protocol', /record-rest, jira-webhook/);
  const config = parsed({
    version: 1,
    connections: [{ id: 'fd', name: 'Flashduty', protocol: 'jira-webhook', webhook: { pushUrl: 'https://api.flashcat.cloud/event/push/change/jira?integration_key=k' } }],
  });
  const connection = config.connections[0];
  assert.ok(connection?.protocol === 'jira-webhook');
  assert.equal(connection.webhook.sign, false);
  assert.equal(connection.baseUrl, undefined);
});

test('secrets are never part of the configuration: only when they were set', () => {
  const config = parsed({
    version: 1,
    connections: [{ ...minimalConnection, auth: { kind: 'bearer', token: 's3cret', secretSetAt: '2026-11-22T07:00:00.000Z' } }],
  });
  assert.deepEqual(config.connections[0]?.auth, { kind: 'bearer', secretSetAt: '2026-11-22T07:00:00.000Z' });
});

test('cross-checks: connection ids unique', () => {
  const errors = errorsOf({ version: 1, connections: [minimalConnection, { ...minimalConnection, name: 'Other' }] });
  hasError(errors, 'connections.1.id', /already uses the id sf/);
});

test('cross-checks: one project mapping per project and issue type', () => {
  const errors = errorsOf({
    version: 1,
    connections: [
      {
        ...minimalConnection,
        projects: [
          { projectKey: 'OPS', issueType: 'Bug', module: 'incidents' },
          { projectKey: 'ops', issueType: 'bug', module: 'problems' },
          { projectKey: 'OPS', module: 'requests', defaultIssueType: 'Task' },
        ],
      },
    ],
  });
  hasError(errors, 'connections.0.projects.1.issueType', /OPS with issue type bug is already mapped \(project mapping 1\)/);
  assert.equal(errors.length, 1);
});

test('cross-checks: one writer per Jira field from the tool, one mapping per tool field', () => {
  const errors = errorsOf({
    version: 1,
    connections: [
      {
        ...minimalConnection,
        fields: [
          { jira: 'summary', tool: 'short_description' },
          { jira: 'summary', tool: 'title', direction: 'tool-to-jira' },
          { jira: 'summary', tool: 'headline', direction: 'jira-to-tool' },
          { jira: 'description', tool: 'short_description', direction: 'jira-to-tool', transform: { kind: 'adf-plain' } },
        ],
      },
    ],
  });
  hasError(errors, 'connections.0.fields.1.jira', /Mapping 1 already writes the Jira field summary/);
  hasError(errors, 'connections.0.fields.3.tool', /short_description is already mapped/);
  assert.equal(errors.length, 2);
});

test('cross-checks: status only through the status transform; * mappings name a type for creates; fixed values do not fight mapped fields', () => {
  const errors = errorsOf({
    version: 1,
    connections: [
      {
        ...minimalConnection,
        fields: [
          { jira: 'status', tool: 'state', transform: { kind: 'text' } },
          { jira: 'summary', tool: 'short_description' },
        ],
        projects: [
          { projectKey: 'OPS', module: 'incidents', fixedValues: { short_description: 'x' } },
          { projectKey: 'INFRA', module: 'changes', fields: [{ jira: 'labels', tool: 'state', transform: { kind: 'status' } }] },
        ],
      },
    ],
  });
  hasError(errors, 'connections.0.fields.0.transform.kind', /transition/);
  hasError(errors, 'connections.0.projects.0.defaultIssueType', /issue type/);
  hasError(errors, 'connections.0.projects.0.fixedValues.short_description', /already sent/);
  hasError(errors, 'connections.0.projects.1.fields.0.transform.kind', /status only/);
});

test('migration: a v0 configuration (one connection, project mappings at the top) becomes v1', () => {
  const v0 = {
    version: 0,
    connection: { name: 'StackFlow', url: 'https://acme.stackflow-tech.com/prod', tokenSetAt: '2025-01-01T00:00:00.000Z' },
    projectMappings: [
      { project: 'OPS', issueType: 'Bug', module: 'incidents', sync_direction: 'bidirectional', fixed: { category: 'software' } },
      { project: 'INFRA', issueType: 'Task', module: 'changes', sync_direction: 'jira_to_tool' },
    ],
    syncComments: false,
  };
  const migrated = migrateConfig(v0);
  assert.ok(migrated.ok);
  assert.equal(migrated.from, 0);
  const config = parsed(v0);
  assert.equal(config.version, CONFIG_VERSION);
  const connection = config.connections[0];
  assert.ok(connection?.protocol === 'record-rest');
  assert.equal(connection.id, 'default');
  assert.equal(connection.baseUrl, 'https://acme.stackflow-tech.com/prod');
  assert.deepEqual(connection.auth, { kind: 'bearer', secretSetAt: '2025-01-01T00:00:00.000Z' });
  assert.equal(connection.options.syncComments, false);
  assert.deepEqual(
    connection.projects.map((p) => [p.projectKey, p.issueType, p.module, p.direction, p.fixedValues]),
    [
      ['OPS', 'Bug', 'incidents', 'both', { category: 'software' }],
      ['INFRA', 'Task', 'changes', 'jira-to-tool', {}],
    ],
  );
  // v0 without a version number is recognised by its shape; errors point at v1 paths.
  const { version: _version, ...unnumbered } = v0;
  assert.ok(parseConfig(unnumbered).ok);
  hasError(errorsOf({ ...v0, projectMappings: [{ project: 'OPS', sync_direction: 'sideways' }] }), 'connections.0.projects.0.module', /Required/);
});

test('migration: newer or nonsense versions are refused', () => {
  hasError(errorsOf({ version: 7, connections: [] }), 'version', /newer Tandem \(version 7\)/);
  hasError(errorsOf({ version: 'one' }), 'version', /whole number/);
  hasError(errorsOf('config'), '', /object/);
  const current = { version: 1, connections: [] };
  assert.deepEqual(migrateConfig(current), { ok: true, raw: current, from: 1 });
});

test('the StackFlow preset builds a connection that parses, with the guide tables exactly', () => {
  const preset = presets.find((p) => p.id === 'stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow (prod)', baseUrl: 'https://acme.stackflow-tech.com/prod' });
  assert.equal(connection.id, 'stackflow-prod');
  const config = parsed({ version: 1, connections: [connection] });
  assert.deepEqual(config.connections[0], connection);

  assert.ok(connection.protocol === 'record-rest');
  assert.deepEqual(connection.options, {
    syncComments: true,
    label: 'stackflow-sync',
    onJiraDelete: 'close',
    closedState: 'closed',
    conflictPolicy: 'newest-wins',
  });
  assert.deepEqual(
    connection.projects.map((p) => ({ key: p.projectKey, type: p.issueType, module: p.module, direction: p.direction, fixed: p.fixedValues })),
    [
      { key: 'OPS', type: 'Bug', module: 'incidents', direction: 'both', fixed: { assignment_group: 'Platform Engineering', category: 'software' } },
      { key: 'INFRA', type: 'Task', module: 'changes', direction: 'jira-to-tool', fixed: {} },
    ],
  );
  assert.deepEqual(
    connection.fields.map((f) => [f.tool, f.jira, f.direction, f.transform.kind]),
    [
      ['short_description', 'summary', 'both', 'text'],
      ['description', 'description', 'both', 'adf-markdown'],
      ['priority', 'priority', 'both', 'priority'],
      ['assigned_to', 'assignee', 'both', 'user-email'],
      ['state', 'status', 'both', 'status'],
    ],
  );
  const status = connection.fields[4]?.transform;
  assert.ok(status?.kind === 'status');
  assert.deepEqual(status.categoryToTool, { new: 'new', indeterminate: 'in_progress', done: 'resolved' });
  assert.equal(jiraIssueTypeForCreate(connection.projects[0]!), 'Bug');
});

test('REST paths: defaults, per-module overrides, placeholders encoded', () => {
  const config = parsed({
    version: 1,
    connections: [
      {
        ...minimalConnection,
        paths: { updateRecord: 'PUT /api/{module}/{id}' },
        modulePaths: { changes: { createRecord: 'POST /api/v2/change_requests' } },
      },
    ],
  });
  const connection = config.connections[0] as RecordRestConnection;
  assert.equal(restPathsFor(connection, 'incidents').createRecord, 'POST /api/{module}');
  assert.equal(restPathsFor(connection, 'changes').createRecord, 'POST /api/v2/change_requests');
  assert.equal(restPathsFor(connection, 'changes').updateRecord, 'PUT /api/{module}/{id}');
  assert.equal(restPathsFor(connection, 'changes').getRecord, 'GET /api/{module}/{id}');
  assert.deepEqual(connection.modulePaths, { changes: { createRecord: 'POST /api/v2/change_requests' } });
  assert.deepEqual(fillRestPath(connection.paths.findByIssueKey, { module: 'incidents', key: 'OPS-1' }), {
    method: 'GET',
    path: '/api/incidents?jira_issue_key=OPS-1',
  });
  assert.deepEqual(fillRestPath(connection.paths.getRecord, { module: 'incidents', id: '../admin' }), { method: 'GET', path: '/api/incidents/..%2Fadmin' });
  assert.throws(() => fillRestPath(connection.paths.getRecord, { module: 'incidents' }), /No value for \{id\}/);
  hasError(errorsOf({ version: 1, connections: [{ ...minimalConnection, paths: { createRecord: 'SEND /x' } }] }), 'connections.0.paths.createRecord', /method and a path/);
});

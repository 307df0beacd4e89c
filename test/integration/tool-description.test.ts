// A tool that describes itself (the record REST contract's `describe`): the admin page gets its
// modules, fields with types and states for a connection, and a save naming a module, field or
// state the tool does not have is refused, each at its place. A tool that cannot describe itself
// says so, and its names are taken as typed.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigSavedResponse, GetConfigResponse, TandemConfig, ToolDescriptionResponse } from '../../src/contract/admin';
import { startStackflow, type StackflowOnDevkit } from '../support/stackflow';

const TOKEN = 'describe-token';
let stackflow: StackflowOnDevkit;

before(async () => {
  stackflow = await startStackflow({ token: TOKEN, inboundSecret: 'describe-inbound-secret-0123456789abcdef' });
});
beforeEach(async () => stackflow.reset());
after(async () => stackflow.stop());

async function saveEdited(edit: (config: TandemConfig) => void): Promise<ConfigSavedResponse> {
  const answer = await stackflow.tandem.adminCall<GetConfigResponse>('getConfig');
  assert.ok(answer.ok, JSON.stringify(answer));
  const next = structuredClone(answer.config);
  edit(next);
  return stackflow.tandem.adminCall<ConfigSavedResponse>('saveConfig', { revision: answer.revision, config: next });
}

function connectionOf(config: TandemConfig) {
  const connection = config.connections[0];
  assert.ok(connection && connection.protocol === 'record-rest');
  return connection;
}

test('the resolver returns the tool’s modules, each with its fields and types and its states', async () => {
  const answer = await stackflow.tandem.adminCall<ToolDescriptionResponse>('getToolDescription', { connectionId: 'stackflow' });
  assert.ok(answer.ok && answer.description, JSON.stringify(answer));
  assert.deepEqual(answer.description.modules.map((m) => m.name), ['incidents', 'changes']);
  const incidents = answer.description.modules[0];
  assert.ok(incidents);
  assert.deepEqual(incidents.states, ['new', 'in_progress', 'on_hold', 'resolved', 'closed']);
  const field = incidents.fields.find((f) => f.name === 'short_description');
  assert.deepEqual(field && { type: field.type, required: field.required }, { type: 'string', required: true });
  assert.equal(incidents.fields.find((f) => f.name === 'description')?.type, 'markdown');
});

test('the preset’s own mapping fits the description and is saved', async () => {
  const answer = await saveEdited(() => undefined);
  assert.equal(answer.ok, true, JSON.stringify(answer));
});

test('a save naming a module, a field and a state the tool does not have is refused, each named at its place', async () => {
  const before = await stackflow.tandem.configRevision();
  const answer = await saveEdited((config) => {
    const connection = connectionOf(config);
    const [first, second] = connection.projects;
    assert.ok(first && second);
    second.module = 'problems';
    first.fixedValues = { ...first.fixedValues, urgency: 'high' };
    const summary = connection.fields.find((f) => f.jira === 'summary');
    assert.ok(summary);
    summary.tool = 'title';
    const status = connection.fields.find((f) => f.transform.kind === 'status');
    assert.ok(status && status.transform.kind === 'status');
    const row = status.transform.toTool[2];
    assert.ok(row);
    row.tool = 'parked';
  });
  assert.equal(answer.ok, false, JSON.stringify(answer));
  if (answer.ok) return;
  assert.equal(answer.error.code, 'INVALID');
  const errors = new Map((answer.error.fieldErrors ?? []).map((e) => [e.path, e.message]));
  assert.match(errors.get('connections.0.projects.1.module') ?? '', /StackFlow has no module problems \(it has incidents, changes\)/);
  assert.match(errors.get('connections.0.projects.0.fixedValues') ?? '', /incidents has no field urgency/);
  const fieldIndex = connectionOf((await stackflow.tandem.adminCall<GetConfigResponse & { ok: true }>('getConfig')).config).fields.findIndex((f) => f.jira === 'summary');
  assert.match(errors.get(`connections.0.fields.${fieldIndex}.tool`) ?? '', /incidents has no field title \(it has id, number, short_description/);
  assert.match([...errors.entries()].find(([path]) => /transform\.toTool\.2\.tool$/.test(path))?.[1] ?? '', /StackFlow has no state parked \(it has new, in_progress, on_hold, resolved, closed\)/);
  // The message names every problem, not the first and a count.
  for (const word of ['problems', 'urgency', 'title', 'parked']) assert.match(answer.error.message, new RegExp(word));
  assert.equal(await stackflow.tandem.configRevision(), before);
});

test("a field mapped across types is refused at save by the type the tool describes, with the reason; one that fits both is saved", async () => {
  const at = (config: TandemConfig) => connectionOf(config).fields.length;
  const { config } = (await stackflow.tandem.adminCall<GetConfigResponse & { ok: true }>('getConfig'));
  const index = at(config);
  const refused = await saveEdited((next) => {
    connectionOf(next).fields.push({ jira: 'labels', tool: 'updated_at', direction: 'tool-to-jira', transform: { kind: 'labels', format: 'array' } });
  });
  assert.equal(refused.ok, false, JSON.stringify(refused));
  if (refused.ok) return;
  const errors = new Map((refused.error.fieldErrors ?? []).map((e) => [e.path, e.message]));
  assert.equal(errors.get(`connections.0.fields.${index}.jira`), "The tool's field updated_at is a date and time, so the labels transform cannot carry it. No transform carries a list of labels to a date and time: pick another field.");
  const saved = await saveEdited((next) => {
    connectionOf(next).fields.push({ jira: 'duedate', tool: 'updated_at', direction: 'tool-to-jira', transform: { kind: 'date', jiraType: 'date' } });
  });
  assert.equal(saved.ok, true, JSON.stringify(saved));
});

test('a tool that cannot describe itself says so, and the names typed for it are saved unchecked', async () => {
  await stackflow.configure((c) => (c.protocol === 'record-rest' ? { ...c, paths: { ...c.paths, describe: null } } : c));
  const answer = await stackflow.tandem.adminCall<ToolDescriptionResponse>('getToolDescription', { connectionId: 'stackflow' });
  assert.ok(answer.ok, JSON.stringify(answer));
  assert.equal(answer.description, undefined);
  assert.match(answer.cannot ?? '', /StackFlow cannot describe itself: type the module, field and state names/);
  const saved = await saveEdited((config) => {
    const summary = connectionOf(config).fields.find((f) => f.jira === 'summary');
    assert.ok(summary);
    summary.tool = 'title';
  });
  assert.equal(saved.ok, true, JSON.stringify(saved));
});

test('a tool without the endpoint (404) is taken as one that cannot describe itself', async () => {
  await stackflow.configure((c) => (c.protocol === 'record-rest' ? { ...c, paths: { ...c.paths, describe: 'GET /api/no-such-describe' } } : c));
  const answer = await stackflow.tandem.adminCall<ToolDescriptionResponse>('getToolDescription', { connectionId: 'stackflow' });
  assert.ok(answer.ok, JSON.stringify(answer));
  assert.match(answer.cannot ?? '', /has no describe endpoint/);
});

// Nothing wrong can be saved: project keys, issue types and JQL filters are checked with Jira at
// save, a refused save names every problem at its field, and a preset keeps only the mappings this
// site can hold.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddConnectionResponse, ConfigSavedResponse, GetConfigResponse, OverviewResponse, TandemConfig } from '../../src/contract/admin';
import { startTandem, stored, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;

async function current(): Promise<{ config: TandemConfig; revision: number }> {
  const answer = await tandem.adminCall<GetConfigResponse>('getConfig');
  assert.ok(answer.ok, JSON.stringify(answer));
  return { config: answer.config, revision: answer.revision };
}

async function saveEdited(edit: (config: TandemConfig) => void): Promise<ConfigSavedResponse> {
  const { config, revision } = await current();
  const next = structuredClone(config);
  edit(next);
  return tandem.adminCall<ConfigSavedResponse>('saveConfig', { revision, config: next });
}

function refusedAt(answer: ConfigSavedResponse): Map<string, string> {
  assert.equal(answer.ok, false, JSON.stringify(answer));
  if (answer.ok) return new Map();
  assert.equal(answer.error.code, 'INVALID');
  return new Map((answer.error.fieldErrors ?? []).map((e) => [e.path, e.message]));
}

before(async () => {
  tandem = await startTandem();
  const { revision } = await current();
  const added = await tandem.adminCall<AddConnectionResponse>('addConnection', { revision, presetId: 'stackflow-itsm', name: 'StackFlow', url: 'https://itsm.example.com' });
  assert.ok(added.ok, JSON.stringify(added));
});

after(async () => {
  await tandem.stop();
});

test('a project Jira does not have is refused at save, at the project key, and nothing changes', async () => {
  const before = await current();
  const answer = await saveEdited((config) => {
    const project = config.connections[0]?.projects[0];
    assert.ok(project);
    project.projectKey = 'PROD';
  });
  const errors = refusedAt(answer);
  assert.match(errors.get('connections.0.projects.0.projectKey') ?? '', /Jira has no project PROD/);
  assert.equal((await current()).revision, before.revision);
});

test('an issue type the project does not have is refused, naming the types it has', async () => {
  const errors = refusedAt(
    await saveEdited((config) => {
      const project = config.connections[0]?.projects[0];
      assert.ok(project);
      project.issueType = 'Story';
    }),
  );
  assert.match(errors.get('connections.0.projects.0.issueType') ?? '', /OPS has no issue type Story \(it has Bug, Task\)/);
});

test('a JQL filter Jira cannot parse is refused with Jira’s own message', async () => {
  const answer = await saveEdited((config) => {
    const project = config.connections[0]?.projects[0];
    assert.ok(project);
    project.jql = 'labels = AND (';
  });
  const errors = refusedAt(answer);
  assert.match(errors.get('connections.0.projects.0.jql') ?? '', /Expecting either a value, list or function but got 'AND'\. \(line 1, character 10\)/);
});

test('a JQL filter naming a value the site does not have is refused too: every search of it would fail', async () => {
  const errors = refusedAt(
    await saveEdited((config) => {
      const project = config.connections[0]?.projects[0];
      assert.ok(project);
      project.jql = 'priority = Nonexistent';
    }),
  );
  assert.match(errors.get('connections.0.projects.0.jql') ?? '', /The value 'Nonexistent' does not exist for the field 'priority'/);
});

test('a good JQL filter is saved', async () => {
  const answer = await saveEdited((config) => {
    const project = config.connections[0]?.projects[0];
    assert.ok(project);
    project.jql = 'labels = customer-facing';
  });
  assert.equal(answer.ok, true, JSON.stringify(answer));
});

test('a refused save names every problem, where it is, not only the first', async () => {
  const answer = await saveEdited((config) => {
    const connection = config.connections[0];
    assert.ok(connection && connection.protocol === 'record-rest');
    const [first, second] = connection.projects;
    assert.ok(first && second);
    first.projectKey = 'NOPE';
    second.jql = 'labels = AND (';
    connection.name = '';
  });
  assert.equal(answer.ok, false);
  if (answer.ok) return;
  // The shape is checked first; once it is right, the checks with Jira name the rest together.
  assert.match(answer.error.message, /connection 1, name: Required/);
  assert.doesNotMatch(answer.error.message, /and \d+ more/);

  const next = await saveEdited((config) => {
    const connection = config.connections[0];
    assert.ok(connection);
    const [first, second] = connection.projects;
    assert.ok(first && second);
    first.projectKey = 'NOPE';
    second.jql = 'labels = AND (';
  });
  assert.equal(next.ok, false);
  if (next.ok) return;
  assert.match(next.error.message, /\(2 problems\)/);
  assert.match(next.error.message, /connection 1, project mapping 1, project: Jira has no project NOPE/);
  assert.match(next.error.message, /connection 1, project mapping 2, JQL filter: Jira refuses this JQL: Error in the JQL Query/);
  assert.deepEqual(next.error.fieldErrors?.map((e) => e.path).sort(), ['connections.0.projects.0.projectKey', 'connections.0.projects.1.jql']);
});

test('a preset keeps only the project mappings this site has, and says which it left out', async () => {
  const { revision } = await current();
  const added = await tandem.adminCall<AddConnectionResponse>('addConnection', { revision, presetId: 'craftio-product', name: 'Craftio', url: 'https://craftio.example.com' });
  assert.ok(added.ok, JSON.stringify(added));
  const craftio = added.config.connections.find((c) => c.id === added.connectionId);
  assert.deepEqual(craftio?.projects, []);
  assert.ok(added.warnings.some((w) => /mapping PROD Epic → epics was left out: Jira has no project PROD/.test(w)), added.warnings.join('\n'));
  assert.ok(added.warnings.some((w) => /PROD Story → features/.test(w)));
});

test("a Craft.io field mapped onto a Jira field of another type is refused at save with the reason, from the preset's table of Craft.io's field types", async () => {
  const notes = tandem.jira.addCustomField({ name: 'Value notes', schemaType: 'string' }).id;
  const value = tandem.jira.addCustomField({ name: 'Business value', schemaType: 'number' }).id;
  const { config } = await current();
  const c = config.connections.findIndex((connection) => connection.name === 'Craftio');
  assert.ok(c >= 0, 'the Craft.io connection added by the preset');
  assert.equal(config.connections[c]?.toolFieldTypes?.value, 'Numeric', "the saved connection carries Craft.io's field types");
  const mapped = (jira: string, kind: 'text' | 'number') =>
    saveEdited((next) => {
      next.connections[c]?.fields.push({ jira, tool: 'value', direction: 'both', transform: { kind } });
    });
  const at = `connections.${c}.fields.${config.connections[c]?.fields.length ?? 0}.jira`;
  const errors = refusedAt(await mapped(notes, 'text'));
  assert.equal(errors.get(at), "The tool's field value is a number, so the text transform cannot carry it. No transform carries text to a number: pick another field.");
  const saved = await mapped(value, 'number');
  assert.ok(saved.ok, JSON.stringify(saved));
});

test("a Craft.io field the admin adds to the table of field types is refused at save when its name is empty or taken, or its type unknown, each with the reason; a good one is saved and type-checked", async () => {
  const { config } = await current();
  const c = config.connections.findIndex((connection) => connection.name === 'Craftio');
  assert.ok(c >= 0, 'the Craft.io connection added by the preset');
  const at = `connections.${c}.toolFieldTypes`;
  const withTypes = (types: Record<string, string>) =>
    saveEdited((next) => {
      const connection = next.connections[c];
      assert.ok(connection);
      connection.toolFieldTypes = { ...connection.toolFieldTypes, ...types };
    });
  const before = await current();
  assert.equal(refusedAt(await withTypes({ '  ': 'Text' })).get(at), 'Name the tool field: a field without a name cannot be mapped');
  assert.equal(refusedAt(await withTypes({ Risk: 'Single select', risk: 'Numeric' })).get(`${at}.risk`), 'The tool field risk is listed twice (also as Risk): keep one');
  assert.equal(refusedAt(await withTypes({ Title: 'Text' })).get(`${at}.Title`), 'The tool field Title is listed twice (also as title): keep one', "the preset's own field too");
  assert.match(
    refusedAt(await withTypes({ Risk: 'Traffic light' })).get(`${at}.Risk`) ?? '',
    /^Tandem knows no field type “Traffic light” \(tool field Risk\): use one of Text, Paragraph, Numeric, .*Single select, Multi select/,
  );
  assert.equal(refusedAt(await withTypes({ Risk: '' })).get(`${at}.Risk`)?.startsWith('Pick the type of the tool field Risk: one of Text, Paragraph'), true);
  assert.equal((await current()).revision, before.revision, 'nothing was saved');

  // A configuration stored before these checks (an import of a table with a word Tandem does not know)
  // still reads, so Tandem keeps syncing; only its next save asks for the fix.
  const raw = structuredClone(await stored(tandem.emulator, 'config')) as { connections: Array<{ toolFieldTypes?: Record<string, string> }> };
  const storedTypes = raw.connections[c]?.toolFieldTypes;
  assert.ok(storedTypes);
  storedTypes.Mood = 'Traffic light';
  await tandem.emulator.kvs.handle('/api/v1/set', { key: 'config', value: raw });
  assert.equal((await current()).config.connections[c]?.toolFieldTypes?.Mood, 'Traffic light');
  assert.match(refusedAt(await withTypes({})).get(`${at}.Mood`) ?? '', /^Tandem knows no field type “Traffic light”/);
  storedTypes.Mood = 'Text';
  await tandem.emulator.kvs.handle('/api/v1/set', { key: 'config', value: raw });

  const saved = await withTypes({ Risk: 'Single select', Confidence: 'Numeric' });
  assert.ok(saved.ok, JSON.stringify(saved));
  assert.equal((await current()).config.connections[c]?.toolFieldTypes?.Risk, 'Single select');
  // The added field's type is checked as the preset's are.
  const level = tandem.jira.addCustomField({ name: 'Risk level', schemaType: 'option', options: ['Low', 'High'] }).id;
  const mapped = await saveEdited((next) => {
    next.connections[c]?.fields.push({ jira: level, tool: 'Confidence', direction: 'both', transform: { kind: 'option', table: [], unmatched: 'skip' } });
  });
  const index = config.connections[c]?.fields.length ?? 0;
  assert.equal(
    refusedAt(mapped).get(`connections.${c}.fields.${index}.jira`),
    "The tool's field Confidence is a number, so the option transform cannot carry it. No transform carries a choice to a number: pick another field.",
  );
});

test("the Craft.io preset maps the site's story points and Sprint fields, found by name and schema since their ids differ per site", async () => {
  const points = tandem.jira.addCustomField({ name: 'Story point estimate', schemaType: 'story-points' }).id;
  const sprint = tandem.jira.addCustomField({ name: 'Sprint', schemaType: 'sprint' }).id;
  const { revision } = await current();
  const added = await tandem.adminCall<AddConnectionResponse>('addConnection', { revision, presetId: 'craftio-product', name: 'Craftio site fields', url: 'https://craftio.example.com' });
  assert.ok(added.ok, JSON.stringify(added));
  const craftio = added.config.connections.find((c) => c.id === added.connectionId);
  assert.deepEqual(
    craftio?.fields.filter((f) => f.tool === 'story_points' || f.tool === 'sprint').map((f) => [f.jira, f.tool, f.direction, f.transform.kind]),
    [
      [points, 'story_points', 'both', 'number'],
      [sprint, 'sprint', 'both', 'sprint'],
    ],
  );
  // A StackFlow connection gets none of these.
  const stackflow = added.config.connections.find((c) => c.id === 'stackflow');
  assert.equal(stackflow?.fields.some((f) => f.jira === points || f.jira === sprint), false);
});

test('a rename is not held up by the checks with Jira', async () => {
  const { revision } = await current();
  const renamed = await tandem.adminCall<ConfigSavedResponse>('renameConnection', { revision, connectionId: 'stackflow', name: 'StackFlow (prod)' });
  assert.equal(renamed.ok, true, JSON.stringify(renamed));
});

test('the page names the admin who is signed in, not their account id', async () => {
  const overview = await tandem.adminCall<OverviewResponse>('getOverview');
  assert.ok(overview.ok, JSON.stringify(overview));
  assert.equal(overview.viewer.displayName, 'Ada Admin');
});

test('the sweep interval is saved per connection from 5 minutes to a day; anything else is refused at the field', async () => {
  for (const [minutes, message] of [
    [4, /at most every 5 minutes/],
    [1441, /at least once a day/],
    [7.5, /whole number of minutes/],
  ] as const) {
    const errors = refusedAt(
      await saveEdited((config) => {
        const connection = config.connections[0];
        assert.ok(connection);
        connection.options.sweepMinutes = minutes;
      }),
    );
    assert.match(errors.get('connections.0.options.sweepMinutes') ?? '', message, `${minutes} minutes`);
  }
  for (const minutes of [5, 1440]) {
    const saved = await saveEdited((config) => {
      const connection = config.connections[0];
      assert.ok(connection);
      connection.options.sweepMinutes = minutes;
    });
    assert.ok(saved.ok, JSON.stringify(saved));
    assert.equal((await current()).config.connections[0]?.options.sweepMinutes, minutes);
  }
});

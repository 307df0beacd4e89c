// The board a project mapping names (Craft.io's guide: "Specifying the Jira Board will later support
// synchronizing Sprints"): the admin page lists the project's boards from Jira's Agile REST API, and a
// save checks that the board exists and belongs to the mapping's project.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddConnectionResponse, ConfigSavedResponse, GetConfigResponse, JiraBoardsResponse, TandemConfig } from '../../src/contract/admin';
import { startTandem, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;
let prodBoard = 0;
let prodKanban = 0;
let opsBoard = 0;

async function current(): Promise<{ config: TandemConfig; revision: number }> {
  const answer = await tandem.adminCall<GetConfigResponse>('getConfig');
  assert.ok(answer.ok, JSON.stringify(answer));
  return { config: answer.config, revision: answer.revision };
}

async function saveWithBoard(board: number | undefined, withSprintField = false): Promise<ConfigSavedResponse> {
  const { config, revision } = await current();
  const next = structuredClone(config);
  const connection = next.connections[0];
  assert.ok(connection);
  for (const project of connection.projects) {
    if (board === undefined) delete project.board;
    else project.board = board;
  }
  if (withSprintField && !connection.fields.some((f) => f.transform.kind === 'sprint')) {
    connection.fields.push({ jira: sprintFieldId, tool: 'sprint', direction: 'both', transform: { kind: 'sprint' } });
  }
  return tandem.adminCall<ConfigSavedResponse>('saveConfig', { revision, config: next });
}

let sprintFieldId = '';

before(async () => {
  tandem = await startTandem();
  tandem.jira.addProject({ key: 'PROD', name: 'Product', issueTypes: ['Epic', 'Story', 'Bug', 'Task', 'Sub-task'] });
  sprintFieldId = tandem.jira.addCustomField({ name: 'Sprint', schemaType: 'sprint' }).id;
  prodBoard = tandem.jira.addBoard({ projectKey: 'PROD', name: 'PROD sprints' }).id;
  prodKanban = tandem.jira.addBoard({ projectKey: 'PROD', name: 'PROD flow', type: 'kanban' }).id;
  opsBoard = tandem.jira.addBoard({ projectKey: 'OPS', name: 'OPS board' }).id;
  const { revision } = await current();
  const added = await tandem.adminCall<AddConnectionResponse>('addConnection', { revision, presetId: 'craftio-product', name: 'Craft.io', url: 'https://craftio.example.com' });
  assert.ok(added.ok, JSON.stringify(added));
});

after(async () => {
  await tandem.stop();
});

test("the mapping editor lists a project's boards with their type, and says when Jira has no such project", async () => {
  const boards = await tandem.adminCall<JiraBoardsResponse>('getJiraBoards', { projectKey: 'PROD' });
  assert.ok(boards.ok, JSON.stringify(boards));
  assert.deepEqual(
    boards.boards.map((b) => [b.id, b.name, b.type]),
    [
      [prodBoard, 'PROD sprints', 'scrum'],
      [prodKanban, 'PROD flow', 'kanban'],
    ],
  );
  const none = await tandem.adminCall<JiraBoardsResponse>('getJiraBoards', { projectKey: 'NOPE' });
  assert.equal(none.ok, false);
  if (!none.ok) assert.match(none.error.message, /NOPE/);
});

test('a board of the project is saved; a board of another project, one Jira does not have, or one without sprints is refused at the board', async () => {
  const saved = await saveWithBoard(prodBoard, true);
  assert.ok(saved.ok, JSON.stringify(saved));
  assert.ok((await current()).config.connections[0]?.projects.every((p) => p.board === prodBoard));

  for (const [board, words] of [
    [opsBoard, new RegExp(`Board ${opsBoard} is not a board of PROD.*PROD sprints \\(${prodBoard}\\)`)],
    [9999, /Board 9999 is not a board of PROD/],
    [prodKanban, /PROD flow .* is a kanban board, which has no sprints/],
  ] as const) {
    const answer = await saveWithBoard(board);
    assert.equal(answer.ok, false, JSON.stringify(answer));
    if (answer.ok) continue;
    const errors = new Map((answer.error.fieldErrors ?? []).map((e) => [e.path, e.message]));
    assert.match(errors.get('connections.0.projects.0.board') ?? '', words);
  }
  assert.ok((await current()).config.connections[0]?.projects.every((p) => p.board === prodBoard), 'nothing changed');
});

test('a sprint field mapping without a board is saved with a warning that sprints cannot be found', async () => {
  const saved = await saveWithBoard(undefined, true);
  assert.ok(saved.ok, JSON.stringify(saved));
  assert.ok(saved.warnings.some((w) => /no board/i.test(w) && w.includes('PROD')), JSON.stringify(saved.warnings));
});

// In Chromium, an admin finishes a Craft.io connection's mappings: picks the PROD board whose sprints
// the tool's sprint names are found among (kanban boards are not offered), maps a Jira choice field
// with a choice table and defaults, and sees only the transforms that fit each Jira field, with the
// reasons for the others.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { AddConnectionResponse, GetConfigResponse } from '../../src/contract/admin';
import { AdminPage } from '../support/admin-page';
import { ensureAdminBuilt, launchChromium } from '../support/browser';
import { startTandem, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;
let browser: Browser;
let admin: AdminPage;
let board = 0;
let sizeField = '';

before(async () => {
  ensureAdminBuilt();
  tandem = await startTandem();
  tandem.jira.addProject({ key: 'PROD', name: 'Product', issueTypes: ['Epic', 'Story', 'Bug', 'Task', 'Sub-task'] });
  board = tandem.jira.addBoard({ projectKey: 'PROD', name: 'PROD sprints' }).id;
  tandem.jira.addBoard({ projectKey: 'PROD', name: 'PROD flow', type: 'kanban' });
  sizeField = tandem.jira.addCustomField({ name: 'T-shirt size', schemaType: 'option', options: ['Small', 'Medium', 'Large'] }).id;
  const revision = await tandem.configRevision();
  const added = await tandem.adminCall<AddConnectionResponse>('addConnection', { revision, presetId: 'craftio-product', name: 'Craft.io', url: 'https://craftio.example.com' });
  assert.ok(added.ok, JSON.stringify(added));
  browser = await launchChromium();
  admin = await AdminPage.open(browser, tandem);
});

after(async () => {
  await browser?.close();
  await tandem?.stop();
});

test('the admin picks the board, maps a choice field through a table with defaults, and is offered only the transforms that fit', async () => {
  const frame = () => admin.frame();
  await admin.openTab('Mappings');
  // Pick-lists are Atlaskit's selects: their options are listed when opened with the keyboard.
  const optionsOf = async (label: string): Promise<string[]> => {
    await admin.openChoices(label);
    const texts = await frame().getByRole('option').allInnerTexts();
    await frame().getByLabel(label, { exact: true }).press('Escape');
    return texts;
  };
  const sprints = `PROD sprints (${board})`;
  // The boards arrive from Jira after the page opens; the open list shows them when they do.
  await admin.openChoices('Board, row 1');
  await frame().getByRole('option', { name: sprints }).waitFor();
  const offeredBoards = await frame().getByRole('option').allInnerTexts();
  await frame().getByLabel('Board, row 1', { exact: true }).press('Escape');
  assert.deepEqual(offeredBoards, ['No board', sprints], 'kanban boards have no sprints');
  const rows = await frame().locator('[data-testid^="project-row-"]').count();
  for (let row = 1; row <= rows; row++) await admin.choose(`Board, row ${row}`, sprints);

  await frame().getByRole('button', { name: 'Add field mapping' }).click();
  const last = (await frame().locator('[data-testid^="field-row-"]').count());
  await admin.choose(`Jira field, row ${last}`, 'T-shirt size (option)');
  await frame().getByLabel(`Tool field, row ${last}`, { exact: true }).fill('size');
  await frame().getByTestId(`refused-transforms-${last - 1}`).waitFor();
  await admin.choose(`Transform, row ${last}`, 'Choice table');
  assert.deepEqual(await optionsOf(`Transform, row ${last}`), ['Choice table'], 'a single choice field takes the choice table only');
  await frame().getByTestId(`refused-transforms-${last - 1}`).getByText('Why not the other transforms').click();
  await frame().getByTestId(`refused-transforms-${last - 1}`).getByText(/Number: T-shirt size holds a choice, not number/).waitFor();

  for (const [i, [tool, jira]] of [['S', 'Small'], ['M', 'Medium'], ['L', 'Large']].entries()) {
    await frame().getByRole('button', { name: `Add value, row ${last}` }).click();
    await frame().getByLabel(`Tool value ${i + 1}, row ${last}`).fill(tool ?? '');
    await frame().getByLabel(`Jira choice ${i + 1}, row ${last}`).fill(jira ?? '');
  }
  await frame().getByLabel(`Jira choice for any other tool value, row ${last}`).fill('Medium');
  await frame().getByLabel(`Tool value for any other Jira choice, row ${last}`).fill('M');
  await frame().getByTestId(`field-row-${last - 1}`).getByText('Fits').waitFor();
  await admin.checkAccessibility('product mappings');
  await frame().getByTestId('save-config').click();
  await admin.flag(/Configuration saved/);

  const saved = await tandem.adminCall<GetConfigResponse>('getConfig');
  assert.ok(saved.ok);
  const connection = saved.config.connections[0];
  assert.ok(connection?.projects.every((p) => p.board === board));
  const size = connection?.fields.find((f) => f.jira === sizeField);
  assert.deepEqual(size?.transform, {
    kind: 'option',
    table: [
      { tool: 'S', jira: 'Small' },
      { tool: 'M', jira: 'Medium' },
      { tool: 'L', jira: 'Large' },
    ],
    unmatched: 'skip',
    defaultJira: 'Medium',
    defaultTool: 'M',
  });
});

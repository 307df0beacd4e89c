// Sync existing in Chromium, on the real page, resolvers and emulator: the admin chooses a project
// mapping's issues, runs the dry run (how many would be created, linked, updated, skipped), starts the
// sync of 300 issues and watches its progress (part way, then all of them) without a reload; Sync now
// sends one issue by key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { ReferenceItsm } from '../../devkit/external/itsm';
import { findPreset } from '../../src/mapping';
import { AdminPage } from '../support/admin-page';
import { ensureAdminBuilt, launchChromium } from '../support/browser';
import { configure, startTandem, stored, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-sync-existing-4c1a';
let tandem: TandemOnDevkit;
let tool: ReferenceItsm;
let browser: Browser;
let admin: AdminPage;
const frame = () => admin.frame();

before(async () => {
  ensureAdminBuilt();
  tandem = await startTandem();
  tool = new ReferenceItsm({ token: TOKEN });
  const url = await tool.listen();
  // Issues from before the connection: no trigger sends them.
  for (let i = 1; i <= 300; i += 1) {
    const made = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: `Old bug ${i}` } });
    assert.equal(made.status, 201);
    if (i <= 4) tool.createRecord('incidents', { short_description: `Old bug ${i}`, jira_issue_key: (made.body as { key: string }).key });
  }
  await tandem.emulator.drain();
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  await configure(tandem.emulator, { version: 1, connections: [{ ...preset.build({ name: 'StackFlow', baseUrl: url, id: 'stackflow' }), auth: { kind: 'bearer' } }] }, { 'connection:stackflow:auth': TOKEN });
  browser = await launchChromium();
  admin = await AdminPage.open(browser, tandem);
});

after(async () => {
  await browser?.close();
  await tool?.close();
  await tandem?.stop();
});

test('dry run, start, progress, done', async () => {
  await frame().getByRole('tab', { name: 'Sync existing' }).click();
  await admin.choose('Issues', "All of a project mapping's issues");
  await frame().getByTestId('bulk-dry-run').click();
  await frame().getByTestId('bulk-preview').waitFor();
  assert.match(await frame().getByTestId('bulk-count-create').innerText(), /Created on the other side\s+296/);
  assert.match(await frame().getByTestId('bulk-count-link').innerText(), /Linked to a counterpart already there\s+4\s+OPS-1/);
  assert.equal(tool.records('incidents').length, 4, 'the dry run wrote nothing');
  await admin.checkAccessibility('sync existing, dry run');

  await frame().getByTestId('bulk-start').click();
  await frame().getByTestId('bulk-job').waitFor();
  // The first step has run; the next waits for the budget's pace: the page shows the job part way.
  await tandem.emulator.settle();
  await frame().getByTestId('bulk-progress').filter({ hasText: /^25 of 300 done: 21 created, 4 linked/ }).waitFor({ timeout: 15_000 });
  assert.equal(await frame().getByTestId('bulk-status').innerText(), 'Running');
  // The time left is what the budget takes for the rest, each issue costing what the first 25 did.
  const stepped = (await stored(tandem.emulator, 'bulk-job:stackflow')) as { points: number; budgetPointsPerHour: number };
  const budgetMinutes = (275 * (stepped.points / 25) * 3600) / stepped.budgetPointsPerHour / 60;
  const left = /about (\d+) min left/.exec(await frame().getByTestId('bulk-progress').innerText());
  assert.ok(left && Math.abs(Number(left[1]) - budgetMinutes) <= 1 + budgetMinutes / 10, `${left?.[0] ?? 'no time left'} shown; the budget takes ${budgetMinutes.toFixed(1)} min`);
  await admin.checkAccessibility('sync existing, running');
  // The emulator's time moves the job on.
  await tandem.emulator.drain();
  await frame().getByTestId('bulk-status').filter({ hasText: /^Done$/ }).waitFor({ timeout: 15_000 });
  assert.match(await frame().getByTestId('bulk-progress').innerText(), /300 of 300 done: 296 created, 4 linked, 0 updated, 0 skipped, 0 failed; 0 remaining/);
  assert.equal(tool.records('incidents').length, 300);
  await admin.checkAccessibility('sync existing, done');
});

test('Sync now sends one issue by its key', async () => {
  tandem.emulator.holdProductEvents();
  const made = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Missed by the trigger' } });
  tandem.emulator.releaseProductEvents();
  const key = (made.body as { key: string }).key;
  await frame().getByTestId('sync-now-key').fill(key);
  await frame().getByTestId('sync-now').click();
  await frame().getByTestId('sync-now-result').filter({ hasText: `${key} will be sent to StackFlow shortly` }).waitFor();
  await tandem.emulator.drain();
  assert.equal(tool.records('incidents').filter((r) => r.jira_issue_key === key).length, 1);
});

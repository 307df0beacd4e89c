// The mapping editor in Chromium with a tool that describes itself: the tool-field pick-list lists
// the tool's own fields, a module is picked from its modules, and a tool that cannot describe itself
// leaves the names to type, saying so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { AdminPage } from '../support/admin-page';
import { ensureAdminBuilt, launchChromium } from '../support/browser';
import { startStackflow, type StackflowOnDevkit } from '../support/stackflow';

let stackflow: StackflowOnDevkit;
let browser: Browser;

before(async () => {
  ensureAdminBuilt();
  stackflow = await startStackflow({ token: 'describe-e2e-token', inboundSecret: 'describe-e2e-inbound-0123456789abcdefgh' });
  await stackflow.configure();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await stackflow?.stop();
});

test('the tool-field pick-list lists the tool’s fields, and the module list its modules', async () => {
  const admin = await AdminPage.open(browser, stackflow.tandem);
  await admin.openTab('Mappings');
  const frame = admin.frame();
  await frame.getByText(/picked from StackFlow’s own description/).waitFor({ timeout: 8_000 }).catch(async () => assert.fail(await frame.locator('body').innerText()));
  const toolField = frame.getByLabel('Tool field, row 1');
  assert.equal(await toolField.evaluate((el) => el.tagName), 'SELECT');
  const fields = await toolField.locator('option').evaluateAll((options) => options.map((o) => o.getAttribute('value') ?? ''));
  for (const name of ['short_description', 'description', 'priority', 'state', 'assigned_to', 'assignment_group', 'category', 'jira_issue_key']) assert.ok(fields.includes(name), `${name} in ${fields.join(', ')}`);
  assert.equal(await toolField.inputValue(), 'short_description');
  const modules = await frame.getByLabel('Tool module, row 1').locator('option').evaluateAll((options) => options.map((o) => o.getAttribute('value') ?? ''));
  assert.deepEqual(modules, ['incidents', 'changes']);
  const states = await frame.getByLabel('Tool state, row 1').locator('option').evaluateAll((options) => options.map((o) => o.getAttribute('value') ?? ''));
  assert.deepEqual(states, ['new', 'in_progress', 'on_hold', 'resolved', 'closed']);
  await admin.checkAccessibility('mappings with a described tool');
  admin.assertAccessible();
  await admin.page.close();
});

test('a tool that cannot describe itself says so, and its field names are typed', async () => {
  await stackflow.configure((c) => (c.protocol === 'record-rest' ? { ...c, paths: { ...c.paths, describe: null } } : c));
  const admin = await AdminPage.open(browser, stackflow.tandem);
  await admin.openTab('Mappings');
  const frame = admin.frame();
  await frame.getByText(/StackFlow cannot describe itself: type the module, field and state names/).waitFor();
  const toolField = frame.getByLabel('Tool field, row 1');
  assert.equal(await toolField.evaluate((el) => el.tagName), 'INPUT');
  assert.equal(await toolField.inputValue(), 'short_description');
  await admin.page.close();
});

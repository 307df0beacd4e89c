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
  // A pick-list (Atlaskit's select): its options are the tool's own, listed when it opens.
  const optionsOf = async (label: string): Promise<string[]> => {
    const input = frame.getByLabel(label, { exact: true });
    assert.equal(await input.getAttribute('role'), 'combobox', `${label} is a pick-list`);
    // The keyboard opens it whether it is searchable or not (a short list's input is a 1-pixel stand-in).
    await input.focus();
    await input.press('ArrowDown');
    const options = frame.getByRole('option');
    await options.first().waitFor();
    const texts = await options.allInnerTexts();
    await input.press('Escape');
    return texts;
  };
  const fields = await optionsOf('Tool field, row 1');
  for (const name of ['short_description', 'description', 'priority', 'state', 'assigned_to', 'assignment_group', 'category', 'jira_issue_key']) {
    assert.ok(fields.some((f) => f.includes(`(${name},`)), `${name} in ${fields.join(' | ')}`);
  }
  assert.ok(fields.includes('Short description (short_description, string)'), fields.join(' | '));
  assert.deepEqual(await optionsOf('Tool module, row 1'), ['Incidents (incidents)', 'Changes (changes)']);
  assert.deepEqual(await optionsOf('Tool state, row 1'), ['new', 'in_progress', 'on_hold', 'resolved', 'closed']);
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
  const toolField = frame.getByLabel('Tool field, row 1', { exact: true });
  assert.equal(await toolField.getAttribute('role'), null, 'typed, not picked');
  assert.equal(await toolField.inputValue(), 'short_description');
  await admin.page.close();
});

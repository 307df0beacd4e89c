// A first-time Jira admin sets Tandem up in Chromium, on the real page, the real resolver and the
// emulator: adds a connection from the ITSM preset, maps OPS bugs to incidents, saves, stores the
// token, tests the connection, rotates the inbound secret, sees a new issue sync in the activity
// log, then makes the tool fail and retries the failure from the page. Screenshots go to
// test-results/; the page is checked for accessibility on every tab.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { ReferenceItsm } from '../../devkit/external/itsm';
import { AdminPage, retirePreviousSecret } from '../support/admin-page';
import { ensureAdminBuilt, launchChromium, RESULTS } from '../support/browser';
import { startTandem, stored, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-admin-flow-42c1';

// ---------------------------------------------------------------- the browser

let tandem: TandemOnDevkit;
let tool: ReferenceItsm;
let toolUrl: string;
let browser: Browser;
let admin: AdminPage;

const appFrame = () => admin.frame();
const openTab = (name: string) => admin.openTab(name);
const lastFlag = (title: RegExp) => admin.flag(title);
const checkAccessibility = (where: string) => admin.checkAccessibility(where);

async function shot(name: string): Promise<void> {
  // The flags were checked when they appeared.
  await admin.dismissFlags();
  await admin.page.screenshot({ path: join(RESULTS, `admin-flow-${name}.png`), fullPage: true });
}

before(async () => {
  ensureAdminBuilt();
  mkdirSync(RESULTS, { recursive: true });
  tandem = await startTandem();
  tool = new ReferenceItsm({ token: TOKEN });
  toolUrl = await tool.listen();
  browser = await launchChromium();
  admin = await AdminPage.open(browser, tandem);
});

after(async () => {
  await browser?.close();
  await tool?.close();
  await tandem?.stop();
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

test('a first-time admin sets Tandem up, watches a sync and retries a failure', async (t) => {
  const frame = () => appFrame();

  await t.test('the empty state guides to the first connection', async () => {
    await frame().getByText('Connect Tandem to your tool').waitFor();
    await checkAccessibility('empty');
    await shot('1-empty');
  });

  await t.test('adds a connection from the ITSM preset, offered first', async () => {
    await frame().getByRole('button', { name: 'Add your first connection' }).click();
    const dialog = frame().getByRole('dialog', { name: 'Add connection' });
    await dialog.waitFor();
    const presets = await dialog.getByRole('radio').all();
    assert.equal(await presets[0]?.getAttribute('value'), 'stackflow-itsm');
    assert.equal(await presets[0]?.isChecked(), true);
    // Inline validation before anything is sent.
    await dialog.getByTestId('add-connection-submit').click();
    await dialog.getByText('A web address starting with https://').waitFor();
    await dialog.getByLabel('Name', { exact: true }).fill('StackFlow');
    await dialog.getByTestId('add-connection-url').fill(toolUrl);
    await checkAccessibility('add dialog');
    await shot('2-add-connection');
    await dialog.getByTestId('add-connection-submit').click();
    await frame().getByTestId('connection-stackflow').waitFor();
    await lastFlag(/StackFlow added/);
  });

  await t.test('stores the token write-only', async () => {
    await frame().getByTestId('token-stackflow').fill(TOKEN);
    await frame().getByRole('button', { name: 'Save token' }).click();
    await frame().getByText(/Token set on/).waitFor();
    await lastFlag(/Token stored/);
    assert.equal(await frame().getByTestId('token-stackflow').inputValue(), '', 'the token is not kept in the page');
    assert.ok(!(await frame().locator('body').innerText()).includes(TOKEN));
  });

  await t.test('maps OPS bugs to incidents and saves', async () => {
    await openTab('Mappings');
    const rows = frame().locator('[data-testid^="project-row-"]');
    await rows.first().waitFor();
    // The preset also maps INFRA tasks to changes; this admin wants OPS bugs only.
    while ((await rows.count()) > 1) await frame().getByRole('button', { name: 'Remove project mapping 2' }).click();
    await admin.choose('Jira project, row 1', /\(OPS\)$/);
    await admin.choose('Issue type, row 1', 'Bug');
    // StackFlow describes itself, so its modules are a list.
    await admin.choose('Tool module, row 1', /^(.*\()?incidents\)?$/);
    await admin.choose('Project direction, row 1', 'Both ways');
    // Only the transforms that fit Summary are offered; the field check says why not the others.
    const refused = frame().getByTestId('refused-transforms-0');
    await refused.getByText('Why not the other transforms').click();
    await refused.getByText(/Summary holds text, not Markdown text/).waitFor();
    await admin.choose('Transform, row 1', 'Text');
    await admin.openChoices('Transform, row 1');
    assert.equal(await frame().getByRole('option', { name: 'Rich text ⇄ Markdown' }).count(), 0, 'a transform that does not fit is not offered');
    await frame().getByRole('option', { name: 'Text', exact: true }).click();
    await frame().getByTestId('field-row-0').getByText('Fits').waitFor();
    await checkAccessibility('mappings');
    await shot('3-mappings');
    await frame().getByTestId('save-config').click();
    await lastFlag(/Configuration saved/);
    await frame().getByTestId('save-bar').waitFor({ state: 'detached' });
    const stored = tandem.emulator.kvs.entries().kv.config as { connections: Array<{ projects: Array<{ projectKey: string; issueType: string; module: string }> }> };
    assert.deepEqual(
      stored.connections[0]?.projects.map((p) => `${p.projectKey}/${p.issueType}/${p.module}`),
      ['OPS/Bug/incidents'],
    );
  });

  await t.test('tests the connection', async () => {
    await openTab('Connections');
    await frame().getByTestId('test-stackflow').click();
    await frame().getByTestId('test-result-stackflow').waitFor();
    assert.match(await frame().getByTestId('test-result-stackflow').innerText(), /Connected/);
    assert.equal(await frame().getByTestId('lamp-stackflow').getAttribute('data-lamp'), 'green');
    await checkAccessibility('connections');
    await shot('4-connection-tested');
  });

  await t.test('creates, then rotates the inbound secret', async () => {
    await openTab('Inbound');
    await frame().getByTestId('inbound-url').waitFor();
    assert.equal(await frame().getByTestId('inbound-url').innerText(), `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`);
    await frame().getByTestId('rotate-inbound-secret').click();
    await frame().getByTestId('inbound-secret').waitFor();
    const first = await frame().getByTestId('inbound-secret').innerText();
    await frame().getByRole('button', { name: 'Rotate secret' }).click();
    await frame().getByText('The previous secret is still accepted').waitFor();
    const second = await frame().getByTestId('inbound-secret').innerText();
    assert.notEqual(first, second);
    const secrets = tandem.emulator.kvs.entries().secrets;
    assert.equal(secrets['connection:stackflow:inbound'], second);
    assert.equal(secrets['connection:stackflow:inbound-previous'], first);
    const curl = await frame().getByTestId('curl-example').innerText();
    assert.match(curl, /X-Tandem-Signature: t=\$T,v1=\$SIG/);
    assert.ok(curl.includes(`${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`));
    // The command works as shown: run in a shell, its ping is accepted and the lamp turns green.
    // Asynchronously: the emulator answering it runs in this process.
    const ran = await promisify(execFile)('bash', ['-c', curl], { encoding: 'utf8', timeout: 30_000 });
    assert.equal((JSON.parse(ran.stdout) as { status: string }).status, 'ok', ran.stdout);
    await frame().getByRole('button', { name: 'Refresh' }).click();
    await frame().getByText('Webhook connected').waitFor();
    await checkAccessibility('inbound');
    await shot('5-inbound');
    await retirePreviousSecret(admin, /No call was signed with the previous secret/);
    assert.equal(tandem.emulator.kvs.entries().secrets['connection:stackflow:inbound-previous'], undefined);
  });

  let issueKey = '';
  await t.test('a new OPS bug shows in the activity log', async () => {
    const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', {
      fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Checkout returns 500' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    issueKey = (created.body as { key: string }).key;
    await tandem.emulator.settle();
    assert.equal(tool.records('incidents').length, 1, 'the incident was created');
    await openTab('Activity');
    await frame().getByTestId('activity-row').filter({ hasText: issueKey }).first().waitFor();
    assert.match(await frame().getByTestId('activity').innerText(), /synced/i);
    await checkAccessibility('activity');
    await shot('6-activity');
  });

  await t.test('the tool fails; the failure is retried from the page', async () => {
    tool.setFaults({ status: 422, message: 'short_description is locked while the incident is reviewed' });
    const updated = await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${issueKey}`, { fields: { summary: 'Checkout returns 500 for EU cards' } });
    assert.equal(updated.status, 204, JSON.stringify(updated.body));
    await tandem.emulator.settle();
    await frame().getByTestId('activity-refresh').click();
    const row = frame().getByTestId('failure-row').filter({ hasText: issueKey });
    await row.waitFor();
    assert.match(await row.innerText(), /locked while the incident is reviewed/);
    await shot('7-failure');

    tool.clearFaults();
    await row.getByRole('button', { name: `Retry ${issueKey}` }).click();
    await lastFlag(/Retry queued/);
    await tandem.emulator.settle();
    await frame().getByTestId('activity-refresh').click();
    await frame().getByText(/Nothing failed/).waitFor();
    assert.equal(tool.records('incidents')[0]?.short_description, 'Checkout returns 500 for EU cards');
    await shot('8-retried');
  });

  await t.test('a tool that can only send a fixed header: Bearer in Settings, and the curl example follows', async () => {
    await openTab('Settings');
    await admin.choose('How the tool proves its events', 'The inbound secret as a Bearer token');
    await admin.choose('When a linked record is deleted in the tool', 'Move the Jira issue to done');
    await admin.choose('Reconciliation sweep', 'Every 15 minutes');
    await checkAccessibility('settings');
    await frame().getByRole('button', { name: 'Save changes' }).click();
    await lastFlag(/Configuration saved/);
    const saved = (await stored(tandem.emulator, 'config')) as { connections: Array<{ inbound?: { auth: string; onToolDelete: string }; options: { sweepMinutes?: number } }> };
    assert.equal(saved.connections[0]?.inbound?.auth, 'bearer');
    assert.equal(saved.connections[0]?.inbound?.onToolDelete, 'close');
    assert.equal(saved.connections[0]?.options.sweepMinutes, 15, 'the connection is swept every 15 minutes');
    await shot('8b-settings');
    await openTab('Inbound');
    await frame().getByRole('button', { name: 'Rotate secret' }).click();
    const curl = await frame().getByTestId('curl-example').innerText();
    assert.match(curl, /Authorization: Bearer \$SECRET/);
    const ran = await promisify(execFile)('bash', ['-c', curl], { encoding: 'utf8', timeout: 30_000 });
    assert.equal((JSON.parse(ran.stdout) as { status: string }).status, 'ok', ran.stdout);
  });

  await t.test('Sync existing offers its scopes, accessibly', async () => {
    await openTab('Sync existing');
    await frame().getByRole('tabpanel').first().waitFor();
    await checkAccessibility('sync existing');
    await frame().getByTestId('bulk-dry-run').click();
    await frame().getByTestId('bulk-preview').waitFor();
    await checkAccessibility('sync existing, dry run');
  });

  await t.test('the page follows Jira’s dark theme', async () => {
    tandem.emulator.pageColorMode = 'dark';
    await admin.reload();
    await frame().locator('html[data-color-mode="dark"]').waitFor({ state: 'attached' });
    // The theme's token styles load after the attribute is set: wait (bounded) for them to apply.
    const dark = `(() => { const [r = 255, g = 255, b = 255] = (getComputedStyle(document.body).backgroundColor.match(/\\d+/g) ?? []).map(Number); return 0.2126 * r + 0.7152 * g + 0.0722 * b < 60; })()`;
    await frame().waitForFunction(dark, undefined, { timeout: 15_000 }).catch(() => undefined);
    const background = await frame().evaluate<string>(`getComputedStyle(document.body).backgroundColor`);
    const [r = 255, g = 255, b = 255] = (background.match(/\d+/g) ?? []).map(Number);
    assert.ok(0.2126 * r + 0.7152 * g + 0.0722 * b < 60, `a dark page background, not ${background}`);
    for (const tab of ['Connections', 'Mappings', 'Inbound', 'Activity', 'Sync existing', 'Settings']) {
      await openTab(tab);
      await frame().getByRole('tabpanel').first().waitFor();
      await checkAccessibility(`dark ${tab}`);
      await shot(`9-dark-${tab.toLowerCase()}`);
    }
    tandem.emulator.pageColorMode = 'light';
  });

  await t.test('the page is accessible', () => {
    admin.assertAccessible();
  });
});

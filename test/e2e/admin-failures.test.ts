// The admin watches deliveries fail and recover in Chromium, on the real page, resolver and emulator:
// with the tool unreachable, the failure shows on its own within seconds as retrying (cause, next try,
// Retry now) and the connection's lamp turns amber; once the tool is back, Retry now goes through, the
// row goes and the lamp turns green. Nothing wrong can be saved: a save names every problem, an edit
// to a plain http:// address is refused; a push URL with a key stays masked; a connection can be
// deleted with what it kept; a field the tool refuses on write leaves the others to sync and shows one
// failure naming the mapping to fix; retiring an inbound secret asks first, and calls refused after show on
// the Activity tab; an import with bad rows saves nothing and marks each refused field. The page is checked with axe-core on the way.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { ReferenceItsm, signTandemRequest } from '../../devkit/external/itsm';
import { FlashdutyStandIn } from '../../devkit/external/tools/flashduty';
import { findPreset, type Connection } from '../../src/mapping';
import { AdminPage, retirePreviousSecret } from '../support/admin-page';
import { ensureAdminBuilt, launchChromium } from '../support/browser';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-admin-failures-7d2e';
/** The issue's promise: a failure is visible within 10 s, without a reload. */
const VISIBLE_WITHIN_MS = 10_000;

let tandem: TandemOnDevkit;
let tool: ReferenceItsm;
let toolUrl: string;
let browser: Browser;
let admin: AdminPage;

const frame = () => admin.frame();
const checkAccessibility = (where: string) => admin.checkAccessibility(where);

async function lampBecomes(colour: string): Promise<void> {
  await frame().locator(`[data-testid="lamp-stackflow"][data-lamp="${colour}"]`).waitFor({ timeout: VISIBLE_WITHIN_MS });
}

function stackflow(change: (c: Connection) => Connection = (c) => c): unknown {
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection: Connection = { ...preset.build({ name: 'StackFlow', baseUrl: toolUrl, id: 'stackflow' }), auth: { kind: 'bearer' } };
  return { version: 1, connections: [change(connection)] };
}

before(async () => {
  ensureAdminBuilt();
  tandem = await startTandem();
  tool = new ReferenceItsm({ token: TOKEN });
  toolUrl = await tool.listen();
  await configure(tandem.emulator, stackflow(), { 'connection:stackflow:auth': TOKEN });
  browser = await launchChromium();
  admin = await AdminPage.open(browser, tandem);
});

beforeEach(async () => {
  await admin.dismissFlags();
});

after(async () => {
  await browser?.close();
  await tool?.close();
  await tandem?.stop();
});

test('the tool is unreachable: the failure shows within seconds, the lamp turns amber, and Retry now works once the tool is back', async () => {
  await frame().getByTestId('connection-stackflow').waitFor();
  assert.equal(await frame().getByTestId('lamp-stackflow').getAttribute('data-lamp'), 'grey');

  tool.setFaults({ down: true });
  const created = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Payments page times out' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const issueKey = (created.body as { key: string }).key;
  await tandem.emulator.settle();

  // No reload, no Refresh: the open page follows.
  await lampBecomes('yellow');
  assert.match(await frame().getByTestId('lamp-stackflow').innerText(), /Retrying 1 delivery/);
  await checkAccessibility('connections, retrying');

  await frame().getByRole('tab', { name: 'Activity' }).click();
  const row = frame().getByTestId('failure-row').filter({ hasText: issueKey });
  await row.waitFor({ timeout: VISIBLE_WITHIN_MS });
  const text = await row.innerText();
  assert.match(text, /retrying/i);
  assert.match(text, /could not reach/i);
  assert.match(text, /Next try/);
  await checkAccessibility('activity, retrying');
  // On a narrow page the failures and activity tables wrap between words, never inside one ("StackFl ow").
  await admin.page.setViewportSize({ width: 800, height: 900 });
  await frame().getByTestId('failure-row').first().waitFor();
  assert.deepEqual(await admin.wordsBrokenInTables(), [], 'at 800 px every word in the tables is whole');
  await admin.page.setViewportSize({ width: 1366, height: 900 });

  tool.clearFaults();
  await row.getByRole('button', { name: `Retry now ${issueKey}` }).click();
  await tandem.emulator.settle();
  await row.waitFor({ state: 'detached', timeout: VISIBLE_WITHIN_MS });
  assert.equal(tool.records('incidents').filter((r) => r.jira_issue_key === issueKey).length, 1, 'the record was made');

  await frame().getByRole('tab', { name: 'Connections' }).click();
  await lampBecomes('green');
  await checkAccessibility('connections, delivered again');
});


test('a save Jira would refuse names every problem at once, marks the fields, and saves nothing', async () => {
  // A project mapping saved before the checks existed, for a project this site does not have.
  await configure(
    tandem.emulator,
    stackflow((c) => ({ ...c, projects: [...c.projects, { projectKey: 'PROD', issueType: 'Epic', module: 'items', direction: 'both', fixedValues: {}, ignoredIssueTypes: [] }] })),
  );
  await admin.reload();
  const before = JSON.stringify(tandem.emulator.kvs.entries().kv.config);
  await admin.openTab('Mappings');
  await frame().getByLabel('JQL filter, row 1').fill('labels = AND (');
  await frame().getByTestId('save-config').click();
  await frame().getByText(/The configuration was not saved \(/).first().waitFor();
  const text = await frame().getByText(/The configuration was not saved \(/).first().innerText();
  assert.match(text, /\((\d+) problems\)/, text);
  assert.match(text, /PROD/, 'the unknown project is named');
  assert.match(text, /JQL filter/, 'the JQL Jira cannot parse is named');
  assert.doesNotMatch(text, /and \d+ more/, 'every problem is listed, not the first one');
  assert.equal(JSON.stringify(tandem.emulator.kvs.entries().kv.config), before, 'nothing was saved');
  // Each problem is marked where it is.
  assert.match(await frame().getByTestId('project-row-2').innerText(), /PROD/);
  assert.match(await frame().getByTestId('project-row-0').innerText(), /Jira refuses this JQL/);
  await checkAccessibility('mappings, save refused');

  await frame().getByRole('button', { name: 'Remove project mapping 3' }).click();
  await frame().getByLabel('JQL filter, row 1').fill('');
  await frame().getByTestId('save-config').click();
  await admin.flag(/Configuration saved/);
});

test('an edit to a plain http:// tool address is refused as Add refuses it; the loopback tool stays allowed', async () => {
  await admin.openTab('Connections');
  const card = frame().getByTestId('connection-stackflow');
  await card.getByRole('button', { name: 'Edit' }).click();
  await card.getByLabel('Base URL').fill('http://itsm.example.com');
  await frame().getByTestId('save-config').click();
  await frame().getByText(/HTTPS only: use an address that starts with https:\/\//).first().waitFor();
  assert.equal((tandem.emulator.kvs.entries().kv.config as { connections: Array<{ baseUrl: string }> }).connections[0]?.baseUrl, toolUrl, 'nothing was saved');
  await checkAccessibility('connections, http refused');
  // The devkit's own tool answers plain http on loopback, as the platform was started to allow.
  await card.getByLabel('Base URL').fill(`${toolUrl}/`);
  await frame().getByTestId('save-config').click();
  await admin.flag(/Configuration saved/);
  await card.getByRole('button', { name: 'Close' }).click();
});

test('retiring the previous inbound secret asks first with its use; calls signed with it after are listed as refused', async () => {
  await admin.openTab('Inbound');
  await frame().getByTestId('rotate-inbound-secret').click();
  await frame().getByTestId('inbound-secret').waitFor();
  await frame().getByRole('button', { name: 'Rotate secret' }).click();
  await frame().getByText('The previous secret is still accepted').waitFor();
  const previous = tandem.emulator.kvs.entries().secrets['connection:stackflow:inbound-previous'];
  assert.ok(typeof previous === 'string');
  const marker = `unauthenticated-${randomUUID()}`;
  const send = async (body: Record<string, unknown> = {}) => {
    const raw = JSON.stringify({ eventId: randomUUID(), type: 'ping', occurredAt: new Date().toISOString(), ...body });
    const response = await fetch(`${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tandem-signature': signTandemRequest(previous, raw, Math.floor(Date.now() / 1000)) },
      body: raw,
    });
    return response.status;
  };
  assert.equal(await send(), 200, 'the previous secret is accepted during the rotation');
  // The page reads the count when it loads the connection's inbound view.
  await frame().getByRole('button', { name: 'Refresh' }).click();
  await retirePreviousSecret(admin, /1 call was signed with the previous secret in the last 24 hours/);
  assert.equal(await send({ note: marker }), 401, 'refused once retired');
  await frame().getByRole('button', { name: 'Refresh' }).click();
  assert.match(await frame().getByTestId('inbound-refused-24h').innerText(), /1 call was refused in the last 24 hours/);

  await admin.openTab('Activity');
  const row = frame().getByTestId('refused-row').filter({ hasText: 'StackFlow' });
  await row.waitFor({ timeout: VISIBLE_WITHIN_MS });
  assert.match(await row.innerText(), /retired on \d{4}-\d{2}-\d{2}/);
  assert.match(await frame().getByTestId('refused-calls-summary').innerText(), /1 call to the inbound URL refused in the last 24 hours/);
  assert.ok(!(await frame().locator('body').innerText()).includes(marker), 'nothing the caller sent is shown');
  await checkAccessibility('activity, refused calls');
});

test('a push URL with the tool’s key is masked on the page, and the connection can be deleted with what it kept', async () => {
  const flashduty = new FlashdutyStandIn('fd-integration-key-e2e-51c0');
  await flashduty.listen();
  try {
    await admin.openTab('Connections');
    await frame().getByTestId('add-connection').click();
    const dialog = frame().getByRole('dialog', { name: 'Add connection' });
    await dialog.locator('input[type="radio"][value="flashduty-changes"]').check();
    await dialog.getByLabel('Name', { exact: true }).fill('Flashduty');
    await dialog.getByTestId('add-connection-url').fill(flashduty.pushUrl);
    await dialog.getByTestId('add-connection-submit').click();
    const card = frame().getByTestId('connection-flashduty');
    await card.waitFor();
    await admin.flag(/Flashduty added/);
    const shown = await frame().locator('body').innerText();
    assert.ok(!shown.includes('fd-integration-key-e2e-51c0'), 'the key is not on the page');
    assert.match(shown, /integration_key=\*\*\*\*/, 'the push URL is shown masked');
    await card.getByTestId('push-url-flashduty').waitFor();
    await checkAccessibility('connections, masked push URL');

    await card.getByTestId('delete-flashduty').click();
    const confirm = frame().getByRole('dialog', { name: 'Delete Flashduty?' });
    await confirm.waitFor();
    assert.match(await confirm.innerText(), /records in the tool and the Jira issues stay/);
    await checkAccessibility('delete dialog');
    await confirm.getByTestId('delete-connection-confirm').click();
    await admin.flag(/Flashduty deleted/);
    await card.waitFor({ state: 'detached' });
    assert.equal(tandem.emulator.kvs.entries().secrets['connection:flashduty:push-url'], undefined, 'its secrets went with it');
    await frame().getByTestId('connection-stackflow').waitFor();
  } finally {
    await flashduty.close();
  }
});

test('a field the tool refuses on write never blocks the others: they reach the tool, and one failure names the mapping to fix', async () => {
  const created = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Refunds stuck' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const issueKey = (created.body as { key: string }).key;
  await tandem.emulator.settle();
  const record = () => tool.records('incidents').find((r) => r.jira_issue_key === issueKey);
  const categoryBefore = record()?.category;
  assert.ok(categoryBefore, 'the record was made with its fixed category');

  // StackFlow's description lists category as a string field, so the save takes the mapping; the
  // tool refuses a write of more than 80 characters to it. Category now comes from the summary, not
  // a fixed value.
  await admin.openTab('Mappings');
  await frame().getByLabel('Fixed values, row 1').fill('assignment_group=Platform Engineering');
  await frame().getByRole('button', { name: 'Add field mapping' }).click();
  const row = await frame().locator('[data-testid^="field-row-"]').count();
  await admin.choose(`Jira field, row ${row}`, 'Summary (string)');
  await admin.choose(`Tool field, row ${row}`, 'Category (category, string)');
  await admin.choose(`Field direction, row ${row}`, 'Jira → tool');
  await frame().getByTestId(`field-row-${row - 1}`).getByText('Fits').waitFor();
  await frame().getByTestId('save-config').click();
  await admin.flag(/Configuration saved/).catch(async () => assert.fail(await frame().locator('body').innerText()));

  const summary = 'Refunds stuck in pending for every EU card payment made after the settlement cut-over';
  assert.ok(summary.length > 80);
  const edited = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'PUT', `/rest/api/3/issue/${issueKey}`, {
    fields: { summary, priority: { name: 'Highest' } },
  });
  assert.equal(edited.status, 204, JSON.stringify(edited.body));
  await tandem.emulator.settle();
  assert.equal(record()?.short_description, summary, 'the summary reached the tool');
  assert.equal(record()?.priority, 'P1', 'the priority reached the tool');
  assert.equal(record()?.category, categoryBefore, 'the refused field was left as it was');

  await admin.openTab('Activity');
  const failures = frame().getByTestId('failure-row').filter({ hasText: issueKey });
  await failures.first().waitFor({ timeout: VISIBLE_WITHIN_MS });
  assert.equal(await failures.count(), 1, 'one failure for the refused field');
  const text = await failures.innerText();
  assert.match(text, /refused category; every other field was sent/);
  assert.match(text, /Fix the field mapping summary → category on Mappings/);
  assert.match(text, /category must be at most 80 characters/, 'the tool’s own reason is shown');
  await checkAccessibility('activity, a field refused');
});

test('an import with bad rows saves nothing and marks each field it refuses, by its place in the file', async () => {
  const before = JSON.stringify(tandem.emulator.kvs.entries().kv.config);
  const file = stackflow((c) => ({
    ...c,
    fields: c.fields.map((f, i) => (i === 0 ? { ...f, tool: '' } : f)),
    projects: c.projects.map((p, i) => (i === 0 ? { ...p, direction: 'sideways' as never } : p)),
  }));
  await admin.openTab('Settings');
  await frame().getByLabel('Configuration to import').fill(JSON.stringify(file));
  await frame().getByRole('button', { name: 'Import' }).click();
  const refused = frame().getByTestId('import-refused');
  await refused.waitFor();
  assert.match(await frame().getByText(/The configuration was not imported/).innerText(), /2 fields were refused/);
  const items = await refused.locator('li').allInnerTexts();
  assert.equal(items.length, 2, items.join(' | '));
  assert.ok(items.some((i) => i.includes('connections.0.fields.0.tool') && /field mapping 1/.test(i)), items.join(' | '));
  assert.ok(items.some((i) => i.includes('connections.0.projects.0.direction') && /project mapping 1/.test(i)), items.join(' | '));
  assert.equal(JSON.stringify(tandem.emulator.kvs.entries().kv.config), before, 'nothing was imported');
  await checkAccessibility('settings, import refused');
});

test('the page is accessible', () => {
  admin.assertAccessible();
});

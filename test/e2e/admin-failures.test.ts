// The admin watches deliveries fail and recover in Chromium, on the real page, resolver and emulator:
// with the tool unreachable, the failure shows on its own within seconds as retrying (cause, next try,
// Retry now) and the connection's lamp turns amber; once the tool is back, Retry now goes through, the
// row goes and the lamp turns green. The page is checked with axe-core on the way.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Frame, Page } from 'playwright-core';
import { ReferenceItsm } from '../../devkit/external/itsm';
import { findPreset } from '../../src/mapping';
import { ensureAdminBuilt, launchChromium } from '../support/browser';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-admin-failures-7d2e';
/** The issue's promise: a failure is visible within 10 s, without a reload. */
const VISIBLE_WITHIN_MS = 10_000;

let tandem: TandemOnDevkit;
let tool: ReferenceItsm;
let browser: Browser;
let page: Page;

function frame(): Frame {
  const found = page.frames().find((f) => f !== page.mainFrame());
  assert.ok(found, 'the app frame is on the page');
  return found;
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const axeFindings: string[] = [];

async function checkAccessibility(where: string): Promise<void> {
  await frame().evaluate(axeSource);
  const violations = await frame().evaluate<Array<{ id: string; impact: string; nodes: number }>>(`window.axe.run().then(function (result) {
    return result.violations.map(function (v) { return { id: v.id, impact: v.impact, nodes: v.nodes.length }; });
  })`);
  axeFindings.push(...violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${where}: ${v.id} (${v.impact}, ${v.nodes} nodes)`));
}

async function lampBecomes(colour: string): Promise<void> {
  await frame().locator(`[data-testid="lamp-stackflow"][data-lamp="${colour}"]`).waitFor({ timeout: VISIBLE_WITHIN_MS });
}

before(async () => {
  ensureAdminBuilt();
  tandem = await startTandem();
  tool = new ReferenceItsm({ token: TOKEN });
  const toolUrl = await tool.listen();
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = { ...preset.build({ name: 'StackFlow', baseUrl: toolUrl, id: 'stackflow' }), auth: { kind: 'bearer' as const } };
  await configure(tandem.emulator, { version: 1, connections: [connection] }, { 'connection:stackflow:auth': TOKEN });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await page.goto(tandem.emulator.pageUrl('tandem-admin', tandem.admin.accountId));
  await page.frameLocator('iframe').locator('h1', { hasText: 'Tandem' }).waitFor();
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

  tool.clearFaults();
  await row.getByRole('button', { name: `Retry now ${issueKey}` }).click();
  await tandem.emulator.settle();
  await row.waitFor({ state: 'detached', timeout: VISIBLE_WITHIN_MS });
  assert.equal(tool.records('incidents').filter((r) => r.jira_issue_key === issueKey).length, 1, 'the record was made');

  await frame().getByRole('tab', { name: 'Connections' }).click();
  await lampBecomes('green');
  await checkAccessibility('connections, delivered again');
  assert.deepEqual(axeFindings, [], 'axe-core finds no serious or critical violation');
});

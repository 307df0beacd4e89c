// The "Tandem" panel in the sandbox's Jira, in Chromium: a person opens an issue and sees it in sync,
// StackFlow starts refusing (its fault control), an edit shows "failed" with StackFlow's message,
// StackFlow is fixed, Retry brings it back in sync. axe-core finds nothing serious, light and dark.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../devkit/sandbox/sandbox';
import { ensureAdminBuilt, ensureIssueBuilt, launchChromium, RESULTS } from '../support/browser';
import { waitFor } from '../support/sandbox-process';

let sandbox: Sandbox;
let browser: Browser;
let page: Page;

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

before(async () => {
  ensureAdminBuilt();
  ensureIssueBuilt();
  mkdirSync(RESULTS, { recursive: true });
  sandbox = await startSandbox({ port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 1000 } });
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

const panel = (): FrameLocator => page.frameLocator('iframe[title="Tandem"]');

async function serious(where: string): Promise<string[]> {
  const frame = page.frames().find((f) => f.url().includes('/forge/ui/tandem-issue-panel/'));
  assert.ok(frame, 'the panel frame is on the page');
  await frame.evaluate(axeSource);
  const violations = await frame.evaluate<Array<{ id: string; impact: string }>>(
    `window.axe.run().then(function (r) { return r.violations.map(function (v) { return { id: v.id, impact: v.impact }; }); })`,
  );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${where}: ${v.id}`);
}

async function control(path: string, method: string, body?: unknown): Promise<void> {
  const answer = await fetch(`${sandbox.info.itsmBaseUrl}/__control${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  assert.equal(answer.status, 200, await answer.text());
}

test('an issue in sync, a failure with the tool’s message, Retry, in sync again; axe-clean light and dark', async () => {
  const created = await sandbox.jira.rest({ kind: 'user', accountId: sandbox.info.demoAdmin.accountId }, 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Checkout page times out' },
  });
  assert.equal(created.status, 201);
  const key = (created.body as { key: string }).key;
  await waitFor('the incident is made', () => Promise.resolve(sandbox.itsm.records('incidents').find((r) => r.jira_issue_key === key)), 10_000);

  await page.goto(`${sandbox.info.jiraBaseUrl}/browse/${key}`);
  const card = () => panel().getByTestId(`sync-${sandbox.info.connectionId}`);
  await card().locator('[data-state="in-sync"]').waitFor();
  assert.match(await card().innerText(), /Linked to INC\d{7}/);
  const findings = await serious('in sync, light');
  await page.screenshot({ path: join(RESULTS, 'issue-panel-1-in-sync.png') });

  await control('/faults', 'POST', { status: 422, message: 'Assignment group Platform Engineering is closed' });
  await page.getByLabel('Summary').fill('Checkout page times out in EU');
  await page.getByRole('button', { name: 'Save' }).click();
  for (let i = 0; i < 40; i++) {
    await page.waitForLoadState();
    if ((await card().locator('[data-state="failed"]').count()) > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
    await page.reload();
    await card().locator('[data-state]').waitFor();
  }
  await card().locator('[data-state="failed"]').waitFor();
  assert.match(await card().innerText(), /Assignment group Platform Engineering is closed/);
  findings.push(...(await serious('failed, light')));
  await page.screenshot({ path: join(RESULTS, 'issue-panel-2-failed.png') });
  // The failure, with its message and Retry, in the dark theme too.
  sandbox.emulator.pageColorMode = 'dark';
  await page.reload();
  await panel().locator('html[data-color-mode="dark"]').waitFor({ state: 'attached' });
  await card().locator('[data-state="failed"]').waitFor();
  findings.push(...(await serious('failed, dark')));
  await page.screenshot({ path: join(RESULTS, 'issue-panel-2-failed-dark.png') });
  sandbox.emulator.pageColorMode = 'light';
  await page.reload();
  await card().locator('[data-state="failed"]').waitFor();

  await control('/faults', 'DELETE');
  await card().getByRole('button', { name: 'Retry' }).click();
  await card().locator('[data-state="in-sync"]').waitFor({ timeout: 30_000 });
  await waitFor('the edit reached StackFlow', () => Promise.resolve(sandbox.itsm.records('incidents').find((r) => r.jira_issue_key === key && r.short_description === 'Checkout page times out in EU')), 10_000);

  sandbox.emulator.pageColorMode = 'dark';
  await page.reload();
  await panel().locator('html[data-color-mode="dark"]').waitFor({ state: 'attached' });
  await card().locator('[data-state="in-sync"]').waitFor();
  findings.push(...(await serious('in sync, dark')));
  await page.screenshot({ path: join(RESULTS, 'issue-panel-3-dark.png') });
  sandbox.emulator.pageColorMode = 'light';
  assert.deepEqual(findings, [], 'axe-core finds no serious or critical violation');
});

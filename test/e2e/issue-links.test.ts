// The issue actions in the sandbox, in Chromium: a person unlinks a synced bug from its incident
// ("Unlink from Tandem"), then links it again ("Link to a record…": search by the incident's number,
// read what linking does, Link); the panel shows it in sync with the incident's title. axe-clean.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../devkit/sandbox/sandbox';
import { ensureAdminBuilt, ensureIssueBuilt, launchChromium } from '../support/browser';
import { waitFor } from '../support/sandbox-process';

let sandbox: Sandbox;
let browser: Browser;
let page: Page;

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

before(async () => {
  ensureAdminBuilt();
  ensureIssueBuilt();
  sandbox = await startSandbox({ port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

async function serious(moduleKey: string, where: string): Promise<string[]> {
  const frame = page.frames().find((f) => f.url().includes(`/forge/ui/${moduleKey}/`));
  assert.ok(frame, `the ${moduleKey} frame is on the page`);
  await frame.evaluate(axeSource);
  const violations = await frame.evaluate<Array<{ id: string; impact: string }>>(
    `window.axe.run().then(function (r) { return r.violations.map(function (v) { return { id: v.id, impact: v.impact }; }); })`,
  );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${where}: ${v.id}`);
}

test('unlink a synced bug, then link it to its incident again from the issue', async () => {
  const created = await sandbox.jira.rest({ kind: 'user', accountId: sandbox.info.demoAdmin.accountId }, 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Badge readers offline' },
  });
  assert.equal(created.status, 201);
  const key = (created.body as { key: string }).key;
  const incident = await waitFor('the incident is made', () => Promise.resolve(sandbox.itsm.records('incidents').find((r) => r.jira_issue_key === key)), 10_000);

  const unlinkUrl = sandbox.emulator.pageUrl('tandem-unlink-record', sandbox.info.demoAdmin.accountId, key);
  await page.goto(unlinkUrl);
  const unlinkFrame: FrameLocator = page.frameLocator('iframe#forge-app');
  await unlinkFrame.getByRole('button', { name: `Unlink from ${incident.number}` }).click();
  await unlinkFrame.getByText('no longer sync').waitFor();
  const findings = await serious('tandem-unlink-record', 'unlink');
  assert.equal(sandbox.itsm.records('incidents').find((r) => r.id === incident.id)?.jira_issue_key, null, 'the incident no longer names the bug');

  await page.goto(sandbox.emulator.pageUrl('tandem-link-record', sandbox.info.demoAdmin.accountId, key));
  const linkFrame: FrameLocator = page.frameLocator('iframe#forge-app');
  await linkFrame.getByTestId('record-query').fill(incident.number);
  await linkFrame.getByRole('button', { name: 'Search' }).click();
  const card = linkFrame.getByTestId(`record-${incident.id}`);
  await card.waitFor();
  assert.match(await card.innerText(), /Badge readers offline/);
  findings.push(...(await serious('tandem-link-record', 'link, results')));
  await card.getByRole('button', { name: `Link to ${incident.number}` }).click();
  await linkFrame.getByText(`Linked to ${incident.number}`).waitFor();
  await waitFor('the incident names the bug again', () => Promise.resolve(sandbox.itsm.records('incidents').find((r) => r.id === incident.id && r.jira_issue_key === key)), 10_000);

  await page.goto(`${sandbox.info.jiraBaseUrl}/browse/${key}`);
  const panelCard = page.frameLocator('iframe[title="Tandem"]').getByTestId(`sync-${sandbox.info.connectionId}`);
  await panelCard.locator('[data-state="in-sync"]').waitFor({ timeout: 20_000 });
  assert.match(await panelCard.innerText(), new RegExp(`${incident.number} · Badge readers offline`));
  assert.deepEqual(findings, [], 'axe-core finds no serious or critical violation');
});

test('a search StackFlow fails is shown as a passing failure with Try again, which finds the record once StackFlow answers', async () => {
  const created = await sandbox.jira.rest({ kind: 'user', accountId: sandbox.info.demoAdmin.accountId }, 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'VPN drops every hour' },
  });
  assert.equal(created.status, 201);
  const key = (created.body as { key: string }).key;
  const incident = await waitFor('the incident is made', () => Promise.resolve(sandbox.itsm.records('incidents').find((r) => r.jira_issue_key === key)), 10_000);
  const other = await sandbox.jira.rest({ kind: 'user', accountId: sandbox.info.demoAdmin.accountId }, 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Printer queue stuck' },
  });
  const otherKey = (other.body as { key: string }).key;
  await waitFor('the second incident is made', () => Promise.resolve(sandbox.itsm.records('incidents').find((r) => r.jira_issue_key === otherKey)), 10_000);
  await page.goto(sandbox.emulator.pageUrl('tandem-unlink-record', sandbox.info.demoAdmin.accountId, otherKey));
  await page.frameLocator('iframe#forge-app').getByRole('button', { name: /^Unlink from / }).click();
  await page.frameLocator('iframe#forge-app').getByText('no longer sync').waitFor();

  sandbox.itsm.setFaults({ status: 503, message: 'StackFlow is under maintenance' });
  try {
    await page.goto(sandbox.emulator.pageUrl('tandem-link-record', sandbox.info.demoAdmin.accountId, otherKey));
    const frame = page.frameLocator('iframe#forge-app');
    await frame.getByTestId('record-query').fill(incident.number);
    await frame.getByRole('button', { name: 'Search' }).click();
    const refusal = frame.getByTestId('refusal-FAILED');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /Tandem could not finish this just now/);
    assert.match(await refusal.innerText(), /StackFlow did not list its incidents records just now/);
    const findings = await serious('tandem-link-record', 'search failed');
    sandbox.itsm.clearFaults();
    await refusal.getByRole('button', { name: 'Try again' }).click();
    await frame.getByTestId(`record-${incident.id}`).waitFor();
    assert.equal(await frame.getByTestId('refusal-FAILED').count(), 0, 'the failure is gone once the search worked');
    assert.deepEqual(findings, [], 'axe-core finds no serious or critical violation');
  } finally {
    sandbox.itsm.clearFaults();
  }
});

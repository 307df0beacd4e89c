// The real admin page on the real app: Chromium opens the page the emulator hosts, and its
// @forge/bridge invoke reaches Tandem's admin resolver, which asks the Jira simulator whether the
// viewer is a Jira administrator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ensureAdminBuilt, launchChromium, RESULTS } from '../support/browser';
import { startTandem, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;
let browser: Browser;

before(async () => {
  ensureAdminBuilt();
  tandem = await startTandem();
  browser = await launchChromium();
  mkdirSync(RESULTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await tandem?.stop();
});

async function appFrameText(accountId: string, awaited: RegExp, screenshot: string): Promise<string> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(tandem.emulator.pageUrl('tandem-admin', accountId));
  const frame = page.frameLocator('iframe');
  await frame.locator('h1', { hasText: 'Tandem' }).waitFor();
  await frame.getByText(awaited).first().waitFor();
  await page.screenshot({ path: join(RESULTS, screenshot) });
  const text = await frame.locator('body').innerText();
  await page.close();
  return text;
}

test('a Jira admin sees the overview the resolver returns', async () => {
  const text = await appFrameText(tandem.admin.accountId, /Connections:/, 'admin-page-admin.png');
  assert.match(text, /Connections: 0/);
  assert.match(text, /Signed in as Ada Admin/);
  assert.doesNotMatch(text, new RegExp(tandem.admin.accountId));
  const calls = tandem.emulator.invocations.filter((i) => i.kind === 'resolver' && i.outcome === 'ok');
  assert.ok(calls.length >= 1);
});

test('someone who is not a Jira admin is refused, and told why', async () => {
  const text = await appFrameText(tandem.agent.accountId, /Only Jira administrators/, 'admin-page-refused.png');
  assert.match(text, /Only Jira administrators can configure Tandem/);
  assert.doesNotMatch(text, /Connections:/);
});

// The admin page as a Jira admin sees it: built with Vite, served by the devkit's Custom UI host
// inside a Jira-like frame, its @forge/bridge calls answered by a stand-in resolver, in Chromium.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { BRIDGE_BODY_LIMIT_BYTES, createCustomUiHost } from '../../devkit/forge/custom-ui/host';
import type { PageContext, ResolverCall } from '../../devkit/forge/types';
import { ADMIN_BUILD, ensureAdminBuilt, launchChromium, RESULTS } from '../support/browser';

const BUILD = ADMIN_BUILD;

const ADMIN_ACCOUNT = '5b10a2844c20165700ede21g';
const OTHER_ACCOUNT = '5b10ac8d82e05b22cc7d4ef5';
/** An admin whose Jira is set to the dark theme. */
const DARK_ADMIN_ACCOUNT = '5b10a2844c20165700ede2dd';

function errorMessage(answer: unknown): string {
  const error = (answer as { error?: { message?: unknown } }).error;
  return typeof error?.message === 'string' ? error.message : JSON.stringify(answer);
}

function pageContext(moduleKey: string, accountId: string): PageContext {
  return {
    accountId,
    cloudId: 'a436116f-02ce-4520-8fbb-7301462a1674',
    siteUrl: 'https://tandem-test.atlassian.net',
    localId: `ari:cloud:ecosystem::extension/tandem/${moduleKey}`,
    locale: 'en-US',
    timezone: 'Europe/Berlin',
    moduleKey,
    environmentId: 'devkit',
    environmentType: 'DEVELOPMENT',
    extension: { type: 'jira:adminPage' },
    theme: { colorMode: accountId === DARK_ADMIN_ACCOUNT ? 'dark' : 'light' },
  };
}

/** What the admin resolver answers a first-time admin: no connection yet. */
function standIn(accountId: string): Record<string, unknown> {
  return {
    getOverview: { ok: true, appVersion: 'test', connections: 0, viewer: { accountId, displayName: 'Ada Admin' } },
    getConfig: { ok: true, config: { version: 1, connections: [] }, revision: 0, presets: [] },
    getJiraProjects: { ok: true, projects: [] },
    getJiraFields: { ok: true, fields: [] },
    getJiraPriorities: { ok: true, priorities: [] },
    getFailures: { ok: true, failures: [] },
    getInbound: { ok: true, connections: [] },
  };
}

describe('admin page in Chromium through the Custom UI host', () => {
  const calls: ResolverCall[] = [];
  let server: Server;
  let base: string;
  let browser: Browser;
  const problems: string[] = [];

  before(async () => {
    ensureAdminBuilt();

    const host = createCustomUiHost({
      resources: { 'admin-page': BUILD },
      modules: { 'tandem-admin': { resource: 'admin-page', title: 'Tandem' } },
      contentPermissions: { styles: ['unsafe-inline'] },
      defaultAccountId: ADMIN_ACCOUNT,
      context: pageContext,
      // Stands in for the emulator + admin resolver: one admin, everyone else refused.
      invokeResolver: async (call) => {
        calls.push(call);
        if (call.accountId !== ADMIN_ACCOUNT && call.accountId !== DARK_ADMIN_ACCOUNT) throw new Error('Only Jira admins can configure Tandem');
        const answer = standIn(call.accountId)[call.functionKey];
        if (answer !== undefined) return answer;
        throw new Error(`No resolver function ${call.functionKey}`);
      },
    });
    server = createServer((req, res) => {
      host(req, res).then(
        (handled) => {
          if (!handled) res.writeHead(404).end('not a devkit route');
        },
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  function appFrame(page: Page): Frame {
    const frame = page.frame({ url: /\/forge\/ui\/tandem-admin\/admin-page\// });
    assert.ok(frame, 'the app frame is on the page');
    return frame;
  }

  async function openAdminPage(accountId: string): Promise<Page> {
    problems.length = 0;
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    // CSP refusals and uncaught errors show up here, in the host page or in the app's frame.
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    await page.goto(`${base}/forge/page/tandem-admin?accountId=${accountId}`);
    return page;
  }

  it('shows an admin the overview, themed, in a Jira-like frame', async () => {
    const page = await openAdminPage(ADMIN_ACCOUNT);
    const app = page.frameLocator('#forge-app');

    assert.equal((await page.locator('header').innerText()).replace(/\s+/g, ' ').trim(), 'Jira · Apps · Tandem');
    await app.getByRole('heading', { level: 1, name: 'Tandem' }).waitFor({ timeout: 15_000 });
    await app.getByText('Connections: 0').waitFor({ timeout: 15_000 });
    await app.getByText('Signed in as Ada Admin').waitFor();
    assert.equal(await app.getByText('Only Jira admins').count(), 0);

    // view.theme.enable() set Jira's colour mode, and the page's token CSS is in force.
    const theme = await appFrame(page).evaluate<{ colorMode: string | null; textToken: string }>(`({
      colorMode: document.documentElement.getAttribute('data-color-mode'),
      textToken: getComputedStyle(document.documentElement).getPropertyValue('--ds-text').trim(),
    })`);
    assert.equal(theme.colorMode, 'light');
    assert.notEqual(theme.textToken, '', 'design token CSS is not loaded');

    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'admin-overview.png') });

    const made = calls.filter((call) => call.accountId === ADMIN_ACCOUNT);
    assert.ok(made.every((call) => call.moduleKey === 'tandem-admin'));
    assert.deepEqual(made.slice(0, 2).map((call) => call.functionKey).sort(), ['getConfig', 'getOverview']);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it("follows Jira's dark theme", async () => {
    const light = await openAdminPage(ADMIN_ACCOUNT);
    await light.frameLocator('#forge-app').getByText('Connections: 0').waitFor({ timeout: 15_000 });
    const lightBackground = await appFrame(light).evaluate<string>(
      `getComputedStyle(document.documentElement).getPropertyValue('--ds-surface').trim()`,
    );
    await light.close();

    const page = await openAdminPage(DARK_ADMIN_ACCOUNT);
    await page.frameLocator('#forge-app').getByText('Connections: 0').waitFor({ timeout: 15_000 });
    const dark = await appFrame(page).evaluate<{ colorMode: string | null; surface: string }>(`({
      colorMode: document.documentElement.getAttribute('data-color-mode'),
      surface: getComputedStyle(document.documentElement).getPropertyValue('--ds-surface').trim(),
    })`);
    assert.equal(dark.colorMode, 'dark');
    assert.notEqual(dark.surface, '');
    assert.notEqual(dark.surface, lightBackground, 'dark token values are in force');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it("shows the resolver's refusal to an account that is not an admin", async () => {
    const page = await openAdminPage(OTHER_ACCOUNT);
    const app = page.frameLocator('#forge-app');
    await app.getByText('Only Jira admins can configure Tandem').waitFor({ timeout: 15_000 });
    await app.getByText('Tandem could not load its settings').waitFor();
    assert.equal(await app.getByText('Connections:').count(), 0);
    assert.ok(calls.some((call) => call.accountId === OTHER_ACCOUNT && call.functionKey === 'getOverview'));
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'admin-refused.png') });
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('shows a flag from showFlag in the host page and runs its action in the app', async () => {
    const page = await openAdminPage(ADMIN_ACCOUNT);
    const app = page.frameLocator('#forge-app');
    await app.getByText('Connections: 0').waitFor({ timeout: 15_000 });
    const frame = appFrame(page);
    // Browser-side code as text: what the test runner compiles may use helpers the page lacks.
    await frame.evaluate(`window.__bridge.callBridge('showFlag', {
      id: 'saved',
      title: 'Connection saved',
      description: 'Tandem will sync new changes.',
      type: 'success',
      actions: [{ text: 'Mark', onClick: function () { document.body.setAttribute('data-flag-action', 'clicked'); } }],
    })`);
    const flag = page.getByRole('alert');
    await flag.getByText('Connection saved').waitFor();
    await flag.getByRole('button', { name: 'Mark' }).click();
    await frame.waitForFunction(`document.body.getAttribute('data-flag-action') === 'clicked'`);
    await page.close();
  });

  describe('the bridge endpoint', () => {
    async function bridge(body: unknown): Promise<{ status: number; answer: unknown }> {
      const response = await fetch(`${base}/forge/bridge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: response.status, answer: await response.json() };
    }

    it('invokes the resolver for the page account, and passes its error on', async () => {
      const ok = await bridge({
        type: 'invoke',
        payload: { functionKey: 'getOverview', payload: { a: 1 } },
        moduleKey: 'tandem-admin',
        accountId: ADMIN_ACCOUNT,
      });
      assert.deepEqual(ok, {
        status: 200,
        answer: { ok: true, value: { ok: true, appVersion: 'test', connections: 0, viewer: { accountId: ADMIN_ACCOUNT, displayName: 'Ada Admin' } } },
      });
      assert.deepEqual(calls.at(-1), {
        moduleKey: 'tandem-admin',
        functionKey: 'getOverview',
        payload: { a: 1 },
        accountId: ADMIN_ACCOUNT,
      });
      const refused = await bridge({
        type: 'invoke',
        payload: { functionKey: 'getOverview' },
        moduleKey: 'tandem-admin',
        accountId: OTHER_ACCOUNT,
      });
      assert.deepEqual(refused, {
        status: 200,
        answer: { ok: false, error: { message: 'Only Jira admins can configure Tandem' } },
      });
    });

    it('answers getContext, refuses requestJira and unknown calls by name', async () => {
      const context = await bridge({ type: 'getContext', moduleKey: 'tandem-admin', accountId: OTHER_ACCOUNT });
      assert.deepEqual(context.answer, { ok: true, value: pageContext('tandem-admin', OTHER_ACCOUNT) });
      const jira = await bridge({ type: 'fetchProduct', payload: {}, moduleKey: 'tandem-admin', accountId: ADMIN_ACCOUNT });
      assert.match(errorMessage(jira.answer), /^requestJira .*not supported by the devkit host$/);
      const unknown = await bridge({ type: 'openModal', payload: {}, moduleKey: 'tandem-admin', accountId: ADMIN_ACCOUNT });
      assert.equal(unknown.status, 200);
      assert.equal(errorMessage(unknown.answer), 'Bridge call "openModal" is not supported by the devkit host');
    });

    it('refuses a request above Forge’s 500 KB invoke limit', async () => {
      const big = 'x'.repeat(BRIDGE_BODY_LIMIT_BYTES + 1);
      const { status, answer } = await bridge({
        type: 'invoke',
        payload: { functionKey: 'getOverview', payload: { big } },
        moduleKey: 'tandem-admin',
        accountId: ADMIN_ACCOUNT,
      });
      assert.equal(status, 413);
      assert.match(errorMessage(answer), /^Bridge request is 501 KB; Forge allows at most 500 KB/);
    });
  });

  describe('the resource folder', () => {
    it('serves index.html with the bridge first and Forge’s CSP, and assets with their types', async () => {
      const response = await fetch(`${base}/forge/ui/tandem-admin/admin-page/?accountId=${OTHER_ACCOUNT}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self' 'sha256-/);
      assert.match(csp, /style-src 'self' 'unsafe-inline'/);
      const html = await response.text();
      const firstScript = /<script[^>]*>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
      assert.match(firstScript, /window\.__bridge = \{/, 'the bridge script comes before every page script');
      assert.ok(html.includes(JSON.stringify(OTHER_ACCOUNT)), 'the page account is the one in the URL');

      const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
      assert.ok(asset, 'index.html loads its script by a relative path');
      const js = await fetch(`${base}/forge/ui/tandem-admin/admin-page/${asset}`);
      assert.equal(js.status, 200);
      assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    });

    it('does not serve anything outside the folder', async () => {
      for (const path of ['..%2F..%2F..%2Fpackage.json', '../../../package.json', '%2e%2e/%2e%2e/package.json', 'assets/..%5C..%5Cindex.html']) {
        const response = await fetch(`${base}/forge/ui/tandem-admin/admin-page/${path}`);
        assert.notEqual(response.status, 200, path);
        assert.doesNotMatch(await response.text(), /"name": "tandem"/, path);
      }
      assert.equal((await fetch(`${base}/forge/ui/tandem-admin/other/`)).status, 404);
      const redirect = await fetch(`${base}/forge/ui/tandem-admin/admin-page?accountId=x`, { redirect: 'manual' });
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.get('location'), '/forge/ui/tandem-admin/admin-page/?accountId=x');
    });
  });
});

// The mapping editor as an admin reads it in Chromium: at 1280 px and at 800 px wide no chosen
// select label is cut off, and the project table stacks its rows on the narrow page; an unsaved
// edit marks its tab, survives switching tabs, and leaving the page with it asks first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Frame, Page } from 'playwright-core';
import { ReferenceItsm } from '../../devkit/external/itsm';
import { findPreset, type Connection } from '../../src/mapping';
import { AdminPage } from '../support/admin-page';
import { ensureAdminBuilt, launchChromium } from '../support/browser';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;
let tool: ReferenceItsm;
let browser: Browser;

before(async () => {
  ensureAdminBuilt();
  tandem = await startTandem();
  tool = new ReferenceItsm({ token: 'mapping-editor-token' });
  const toolUrl = await tool.listen();
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection: Connection = { ...preset.build({ name: 'StackFlow', baseUrl: toolUrl, id: 'stackflow' }), auth: { kind: 'bearer' } };
  await configure(tandem.emulator, { version: 1, connections: [connection] }, { 'connection:stackflow:auth': 'mapping-editor-token' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await tool?.close();
  await tandem?.stop();
});

/** The chosen labels of the selects on the Mappings tab whose text is wider than their box. */
async function truncatedSelectLabels(frame: Frame): Promise<string[]> {
  // Browser-side code as text: what the test runner compiles may use helpers the page lacks.
  return frame.evaluate<string[]>(`(function () {
    var out = [];
    document.querySelectorAll('[class*="singleValue"], [class*="single-value"]').forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) out.push(el.textContent + ' (' + el.scrollWidth + ' > ' + el.clientWidth + ')');
      // A label wider than the box it sits in is clipped by the box (its last letters hidden).
      var box = el.parentElement.getBoundingClientRect();
      if (el.getBoundingClientRect().right > box.right + 1) out.push(el.textContent + ' sticks out of its box');
    });
    return out;
  })()`);
}

/** The chosen labels of the selects with a word wider than their box, so it breaks inside the word ("B u g"). */
async function labelsBrokenInWords(frame: Frame): Promise<string[]> {
  return frame.evaluate<string[]>(`(function () {
    var out = [];
    document.querySelectorAll('[class*="singleValue"], [class*="single-value"]').forEach(function (el) {
      var style = getComputedStyle(el);
      (el.textContent || '').split(/\\s+/).forEach(function (word) {
        if (!word) return;
        var probe = document.createElement('span');
        probe.style.font = style.font;
        probe.style.letterSpacing = style.letterSpacing;
        probe.style.whiteSpace = 'nowrap';
        probe.style.position = 'absolute';
        probe.textContent = word;
        document.body.appendChild(probe);
        var wide = probe.getBoundingClientRect().width;
        probe.remove();
        if (wide > el.getBoundingClientRect().width + 1) out.push(el.textContent + ': "' + word + '" (' + Math.round(wide) + ' > ' + Math.round(el.getBoundingClientRect().width) + ')');
      });
    });
    return out;
  })()`);
}

async function chosenLabels(frame: Frame): Promise<number> {
  return frame.evaluate<number>(`document.querySelectorAll('[class*="singleValue"], [class*="single-value"]').length`);
}

/** Whether unloading the app's page now would make the browser ask (a cancelled beforeunload). */
async function leavingAsks(frame: Frame): Promise<boolean> {
  return frame.evaluate<boolean>(`(function () {
    var event = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(event);
    return event.defaultPrevented;
  })()`);
}

async function openMappings(width: number): Promise<{ page: Page; admin: AdminPage }> {
  const admin = await AdminPage.open(browser, tandem);
  await admin.page.setViewportSize({ width, height: 900 });
  await admin.openTab('Mappings');
  await admin.frame().getByTestId('project-row-0').waitFor();
  // The pickers show Jira's names once Jira's lists arrived.
  await admin.frame().getByTestId('project-row-0').getByText(/\(OPS\)/).waitFor();
  return { page: admin.page, admin };
}

for (const width of [1280, 800]) {
  test(`at ${width} px no chosen select label on the mapping editor is cut off or broken inside a word, and a stacked row's fields line up`, async () => {
    const { page, admin } = await openMappings(width);
    const frame = admin.frame();
    assert.ok((await chosenLabels(frame)) >= 4, 'the editor shows its selects');
    assert.deepEqual(await truncatedSelectLabels(frame), []);
    assert.deepEqual(await labelsBrokenInWords(frame), [], 'every word of a chosen label is whole on its line');
    // On the narrow page the project rows stack: each field is labelled where it is, no column headers.
    const headers = await frame.getByRole('columnheader', { name: 'Jira project' }).count();
    if (width < 1024) {
      assert.equal(headers, 0, 'the stacked table has no column headers');
      await frame.getByTestId('project-row-0').getByText('Jira project, row 1').waitFor();
      // Its fields line up one under another: each label starts at the same left edge.
      const lefts = await frame.evaluate<number[]>(`Array.from(document.querySelectorAll('[data-testid="project-row-0"] label')).map(function (l) { return Math.round(l.getBoundingClientRect().left); })`);
      assert.ok(lefts.length >= 6, 'the stacked row shows its labels');
      assert.deepEqual([...new Set(lefts)], [lefts[0]], 'every field of the stacked row starts at the same left edge');
    } else {
      assert.equal(headers, 1, 'the wide table has its column headers');
    }
    // Nothing makes the page itself scroll sideways.
    const overflow = await frame.evaluate<number>(`document.documentElement.scrollWidth - document.documentElement.clientWidth`);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the window`);
    // Nor does any table: its columns fit the page, or its rows stack.
    const sideways = await frame.evaluate<number>(`Math.max.apply(null, Array.from(document.querySelectorAll('table')).map(function (t) { return t.parentElement.scrollWidth - t.parentElement.clientWidth; }).concat([0]))`);
    assert.ok(sideways <= 0, `a table is ${sideways} px wider than its card`);
    await page.close();
  });
}

test('an unsaved edit marks its tab, survives switching tabs, and leaving the page asks first', async () => {
  const { page, admin } = await openMappings(1280);
  const frame = admin.frame();
  assert.equal(await frame.getByTestId('unsaved-mappings').count(), 0, 'nothing is marked before an edit');

  // A click first: browsers ask before leaving only a page the user has interacted with.
  await frame.getByLabel('JQL filter, row 1').click();
  await frame.getByLabel('JQL filter, row 1').fill('summary ~ edited');
  await frame.getByTestId('unsaved-mappings').waitFor();
  await frame.getByRole('tab', { name: 'Mappings (unsaved changes)' }).waitFor();
  await frame.getByTestId('save-bar').waitFor();
  assert.equal(await frame.getByTestId('unsaved-settings').count(), 0, 'only the tab with the edit is marked');

  await admin.openTab('Settings');
  await admin.openTab('Activity');
  await admin.openTab('Mappings');
  assert.equal(await frame.getByLabel('JQL filter, row 1').inputValue(), 'summary ~ edited', 'the edit is still there');
  await frame.getByTestId('unsaved-mappings').waitFor();

  // Leaving: the app's page is unloaded (Jira navigates away, the tab closes); the browser asks
  // first, and staying keeps the edit.
  assert.equal(await leavingAsks(frame), true, 'leaving with unsaved changes asks');
  const asked = new Promise<string>((resolve) => {
    page.once('dialog', (dialog) => void dialog.dismiss().then(() => resolve(dialog.type())));
    setTimeout(() => resolve('no dialog'), 15_000).unref();
  });
  void frame.evaluate('location.reload()').catch(() => undefined);
  assert.equal(await asked, 'beforeunload');
  assert.equal(await frame.getByLabel('JQL filter, row 1').inputValue(), 'summary ~ edited', 'the admin stayed, with the edit');

  // Once saved, leaving asks nothing.
  await frame.getByTestId('save-config').click();
  await admin.flag(/Configuration saved/);
  assert.equal(await frame.getByTestId('unsaved-mappings').count(), 0);
  assert.equal(await leavingAsks(frame), false, 'nothing to lose, nothing asked');
  await page.close();
});

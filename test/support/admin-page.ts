// Tandem's admin page in Chromium, as the e2e flows drive it: open it on the emulator, reach the
// app's frame, switch tabs, wait for a flag, and check each view with axe-core (and that every
// control has a name a screen reader can read). One copy of these steps for every flow.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Frame, Page } from 'playwright-core';
import type { TandemOnDevkit } from './devkit';

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export class AdminPage {
  /** Serious and critical axe-core violations found so far, with where. */
  readonly axeFindings: string[] = [];
  /** Controls without an accessible name found so far, with where. */
  readonly labelFindings: string[] = [];

  private constructor(readonly page: Page) {}

  /** Opens the admin page as the devkit's admin and waits for the app to show. */
  static async open(browser: Browser, tandem: TandemOnDevkit): Promise<AdminPage> {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(tandem.emulator.pageUrl('tandem-admin', tandem.admin.accountId));
    const admin = new AdminPage(page);
    await admin.waitForApp();
    return admin;
  }

  async waitForApp(): Promise<void> {
    await this.page.frameLocator('iframe').locator('h1', { hasText: 'Tandem' }).waitFor();
  }

  /** Reloads the page (after storage changed under it) and waits for the app. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.waitForApp();
  }

  /** The app's frame: Custom UI runs in an iframe of the Jira page. */
  frame(): Frame {
    const found = this.page.frames().find((f) => f !== this.page.mainFrame());
    assert.ok(found, 'the app frame is on the page');
    return found;
  }

  async openTab(name: string): Promise<void> {
    await this.frame().getByRole('tab', { name }).click();
  }

  /**
   * Chooses `option` in the select labelled `label`, as a keyboard user does: focus the box, open
   * its list with the down arrow, pick the option by its name (the list opens in the app's frame).
   */
  async choose(label: string, option: string | RegExp): Promise<void> {
    await this.openChoices(label);
    await this.frame().getByRole('option', { name: option, exact: typeof option === 'string' }).click();
  }

  /** Opens the list of the select labelled `label`, to read or pick its options. */
  async openChoices(label: string): Promise<void> {
    const box = this.frame().getByLabel(label, { exact: true });
    await box.focus();
    await box.press('ArrowDown');
    await this.frame().getByRole('listbox').waitFor();
  }

  /** Waits for a flag (the host's toast) with this title. */
  async flag(title: RegExp): Promise<void> {
    await this.page.locator('[data-flag-id]', { hasText: title }).first().waitFor({ timeout: 10_000 });
  }

  /** Removes the flags shown so far: the devkit host keeps each until closed, over the page. */
  async dismissFlags(): Promise<void> {
    await this.page.evaluate(`document.querySelectorAll('[data-flag-id]').forEach(function (el) { el.remove(); })`);
  }

  /**
   * Words in the page's table cells that are wider than their cell, so the browser breaks them inside
   * the word ("StackFl ow", "OPS -3"): each as `word (needed > had px)`.
   */
  async wordsBrokenInTables(): Promise<string[]> {
    // Browser-side code as text: what the test runner compiles may use helpers the page lacks.
    return this.frame().evaluate<string[]>(`(function () {
      var out = [];
      document.querySelectorAll('td, th').forEach(function (cell) {
        var cs = getComputedStyle(cell);
        var room = cell.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (var node = walker.nextNode(); node; node = walker.nextNode()) {
          var style = getComputedStyle(node.parentElement);
          node.textContent.split(/\\s+/).forEach(function (word) {
            if (!word) return;
            var probe = document.createElement('span');
            probe.style.font = style.font;
            probe.style.letterSpacing = style.letterSpacing;
            probe.style.textTransform = style.textTransform;
            probe.style.whiteSpace = 'nowrap';
            probe.style.position = 'absolute';
            probe.textContent = word;
            document.body.appendChild(probe);
            var wide = probe.getBoundingClientRect().width;
            probe.remove();
            if (wide > room + 1) out.push(word + ' (' + Math.round(wide) + ' > ' + Math.round(room) + ' px)');
          });
        }
      });
      return out;
    })()`);
  }

  /** axe-core on the app frame, and a name for every control; findings are collected for one assert at the end. */
  async checkAccessibility(where: string): Promise<void> {
    const frame = this.frame();
    // Browser-side code as text: what the test runner compiles may use helpers the page lacks.
    const unnamed = await frame.evaluate<string[]>(`(function () {
      var out = [];
      document.querySelectorAll('input, select, textarea, button, [role="tab"]').forEach(function (el) {
        var labelled = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
        var text = el.tagName === 'BUTTON' || el.getAttribute('role') === 'tab' ? el.innerText.trim() : '';
        if (!labelled && !text && el.type !== 'hidden') out.push(el.outerHTML.slice(0, 120));
      });
      return out;
    })()`);
    this.labelFindings.push(...unnamed.map((u) => `${where}: ${u}`));
    // Contrast is measured on the settled page: a dialog or a button fading in is drawn
    // half-transparent for a moment (Atlaskit's motion), which is no colour a person reads.
    await frame.evaluate(`Promise.all(document.getAnimations().map(function (a) { return a.finished.catch(function () {}); }))`);
    await frame.evaluate(axeSource);
    // Each finding names its first node and axe's summary (colours and ratio for contrast), so a
    // failure says what to fix.
    const violations = await frame.evaluate<Array<{ id: string; impact: string; nodes: number; first: string }>>(`window.axe.run().then(function (result) {
      return result.violations.map(function (v) {
        var n = v.nodes[0];
        var first = n ? (n.target.join(' ') + ' ' + n.html.slice(0, 120) + ' ' + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)) : '';
        return { id: v.id, impact: v.impact, nodes: v.nodes.length, first: first };
      });
    })`);
    this.axeFindings.push(...violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${where}: ${v.id} (${v.impact}, ${v.nodes} nodes; first: ${v.first})`));
  }

  /** The one assert for every check made on the way. */
  assertAccessible(): void {
    assert.deepEqual(this.labelFindings, [], 'every control has an accessible name');
    assert.deepEqual(this.axeFindings, [], 'axe-core finds no serious or critical violation');
  }
}

/**
 * On the Inbound tab: Retire previous secret asks first, saying how many calls used the secret in
 * the last 24 hours (`says`); confirming retires it.
 */
export async function retirePreviousSecret(admin: AdminPage, says: RegExp): Promise<void> {
  const frame = admin.frame();
  await frame.getByTestId('retire-inbound-secret').click();
  const dialog = frame.getByRole('dialog', { name: 'Retire the previous secret?' });
  await dialog.waitFor();
  assert.match(await dialog.getByTestId('retire-inbound-secret-uses').innerText(), says);
  await admin.checkAccessibility('retire secret dialog');
  await dialog.getByTestId('retire-inbound-secret-confirm').click();
  await admin.flag(/Previous secret retired/);
  await frame.getByText('The previous secret is still accepted').waitFor({ state: 'detached' });
}

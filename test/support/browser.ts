// Chromium for the admin page tests: Debian's package driven by playwright-core (never a download),
// and the page built by Vite when its sources are newer than the build.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const ROOT = join(__dirname, '..', '..');
const ADMIN = join(ROOT, 'static', 'admin');
export const ADMIN_BUILD = join(ADMIN, 'build');
export const CHROMIUM = '/usr/bin/chromium';
export const RESULTS = join(ROOT, 'test-results');

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Builds a page (static/<name>) unless its build is newer than everything it is built from. */
function ensureBuilt(name: 'admin' | 'issue'): void {
  const dir = join(ROOT, 'static', name);
  const built = join(dir, 'build', 'index.html');
  // The issue page is built with the admin page's building blocks too.
  const shared = name === 'issue' ? [join(ADMIN, 'src', 'ui.tsx'), join(ADMIN, 'src', 'host.ts'), join(ADMIN, 'src', 'api.ts')] : [];
  const sources = [join(dir, 'src'), join(dir, 'index.html'), join(dir, 'vite.config.ts'), join(ROOT, 'src', 'contract'), ...shared].filter((path) => existsSync(path));
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', `static/${name}/vite.config.ts`, '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(result.status, 0, `vite build failed:\n${result.stdout}\n${result.stderr}`);
}

/** Builds the admin page unless static/admin/build is newer than everything it is built from. */
export function ensureAdminBuilt(): void {
  ensureBuilt('admin');
}

/** Builds the issue panel and actions unless static/issue/build is up to date. */
export function ensureIssueBuilt(): void {
  ensureBuilt('issue');
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run .ci/run or apt-get install chromium`);
  // Without the background-networking flags Chromium keeps dialling Google's hosts on a closed network.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

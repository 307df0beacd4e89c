// Runs the test suites with Node's own test runner; each file runs in its own process,
// so the Forge runtime globals one file installs never leak into another.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

// `npm run test:only -- test/unit` narrows the run to the paths given.
const filters = process.argv.slice(2);
const files = findTests(join(root, 'test'))
  .map((file) => relative(root, file))
  .filter((file) => filters.length === 0 || filters.some((f) => file.startsWith(f.replace(/^\.\//, ''))))
  .sort();

if (files.length === 0) {
  console.error(`No test files match ${filters.join(' ')}`);
  process.exit(1);
}

// The timeout only catches a hung test: the manifest checks need a minute and more of CPU, and a
// machine busy with other work must not fail them for being slow, so it is far above any real run.
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    // Each file's wall time, printed after the run (scripts/test-durations.mjs).
    `--test-reporter=${join(__dirname, 'test-durations.mjs')}`,
    '--test-reporter-destination=stdout',
    '--test-concurrency=2',
    '--test-timeout=900000',
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);

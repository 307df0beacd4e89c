// Prints the backend bundle as Forge would upload it (src/index.ts and every dependency in one
// CommonJS file) and its cold start: the time to `require` it, over a bare `node -e 1`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { commonmarkSurvival } from '../test/support/commonmark';

const root = join(__dirname, '..');
const RUNS = 15;
/** The backend's cold start goal: the bundle's require, over a bare `node -e 1`. */
const COLD_START_GOAL_MS = 150;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function timeNode(args: readonly string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${String(run.status)}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export function backendReport(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bundle-'));
  try {
    const outfile = join(dir, 'index.js');
    // Forge's bundler (webpack) makes one file per handler module with its dependencies; esbuild
    // with the same inputs gives a comparable file without adding webpack to the devkit.
    buildSync({ entryPoints: [join(root, 'src', 'index.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node22', outfile, logLevel: 'warning' });
    const code = readFileSync(outfile);
    // A busy machine stretches these times, the difference too, by up to several times: the load
    // average says how busy it was.
    const loadBefore = loadavg()[0] ?? NaN;
    const bare: number[] = [];
    const loaded: number[] = [];
    const inProcess: number[] = [];
    // Interleaved, so a busy moment of the machine weighs on both alike.
    for (let i = 0; i < RUNS; i++) {
      bare.push(timeNode(['-e', '1']));
      loaded.push(timeNode(['-e', `require(${JSON.stringify(outfile)})`]));
      const own = spawnSync(process.execPath, ['-e', `const t = performance.now(); require(${JSON.stringify(outfile)}); console.log(performance.now() - t)`], { encoding: 'utf8' });
      inProcess.push(Number(own.stdout.trim()));
    }
    const over = median(loaded) - median(bare);
    return [
      `backend bundle (src/index.ts, all dependencies): ${(code.length / 1024).toFixed(0)} KB raw, ${(gzipSync(code).length / 1024).toFixed(0)} KB gzip`,
      `backend cold start: require ${median(loaded).toFixed(0)} ms vs node -e 1 ${median(bare).toFixed(0)} ms: ${over.toFixed(0)} ms over, goal < ${COLD_START_GOAL_MS} ms ${over < COLD_START_GOAL_MS ? 'met' : 'NOT met'} (median of ${RUNS}; load average ${loadBefore.toFixed(2)} → ${(loadavg()[0] ?? NaN).toFixed(2)}); the require alone, timed inside the process: ${median(inProcess).toFixed(0)} ms`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function markdownReport(): string[] {
  const s = commonmarkSurvival();
  const share = (n: number): string => `${n}/${s.total} (${((100 * n) / s.total).toFixed(1)} %)`;
  return [
    'CommonMark spec examples, Markdown → ADF → Markdown:',
    `  valid ADF ${share(s.validAdf)}; no word lost ${share(s.noWordLost)}; same visible text ${share(s.sameText)}; same HTML ${share(s.sameHtml)}`,
    `  Markdown → ADF → Markdown → ADF gives the same ADF: ${share(s.sameAdf)}`,
  ];
}

if (require.main === module) console.log([...backendReport(), ...markdownReport()].join('\n'));

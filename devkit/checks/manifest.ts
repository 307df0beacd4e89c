// The offline manifest checks behind `npm test`:
//  1. @forge/manifest's full validation (schema, module ⇄ function ⇄ resource references, resource paths…);
//  2. @forge/lint's client-side linters, as `forge lint` runs them, against Atlassian's Jira OpenAPI
//     description read from disk (scopes the code needs, handlers, trigger scopes, egress…);
//  3. Tandem's own rules: src/index.ts exports exactly the manifest's handlers, every trigger ignores
//     the app's own changes, the runtime is the Node.js major .nvmrc names (nodejs22.x).
// `forge lint` itself needs a login and the network; the two packages it is built on do not.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { COMMITTED_CONTRACT } from '../jira/contract/derive';
import type { ExportsJob } from './exports-worker';
import type { ForgeLintJob, LintFinding, WorkerReport } from './forge-lint-worker';

export interface Problem {
  /** Which check found it, e.g. `@forge/lint` or `handlers`. */
  check: string;
  /** What is wrong, where, and how to fix it. */
  message: string;
}

export interface CheckOptions {
  /** Receives warnings (they do not fail the check). Default: print them to stderr. */
  warn?: (warning: Problem) => void;
}

/** The committed Jira contract: the operations Tandem and the simulator use, with their scopes. */
export const JIRA_OPENAPI = COMMITTED_CONTRACT;
const ADMIN_BUILD = 'static/admin/build';
const ISSUE_BUILD = 'static/issue/build';
/** Forge's runtime for the Node.js major .nvmrc names, the one the suites run on (.ci/run). */
const RUNTIME = `nodejs${readFileSync(join(__dirname, '..', '..', '.nvmrc'), 'utf8').trim()}.x`;
// Only a guard against a hung worker: a check slowed by a busy machine must finish, not be killed.
const WORKER_TIMEOUT_MS = 600_000;

export function formatProblem(problem: Problem): string {
  return `[${problem.check}] ${problem.message}`;
}

export async function checkApp(appDir: string, options: CheckOptions = {}): Promise<Problem[]> {
  const [problems] = await checkApps([appDir], options);
  return problems ?? [];
}

/**
 * Checks several apps with one @forge/manifest + @forge/lint worker and one loader of src/index.ts
 * for all of them: the worker's schema compile, most of a check's cost, is then paid once.
 * Answers each app's problems, in the order given.
 */
export async function checkApps(appDirs: readonly string[], options: CheckOptions = {}): Promise<Problem[][]> {
  const warn = options.warn ?? ((w: Problem) => console.warn(`warning ${formatProblem(w)}`));
  const apps = appDirs.map(readApp);
  const ready = apps.filter((app) => app.ready);
  if (ready.length > 0) {
    const work = mkdtempSync(join(tmpdir(), 'tandem-checks-'));
    try {
      const [forge, exported] = await Promise.all([runForgeChecks(ready, work), loadIndexExports(ready, work)]);
      ready.forEach((app, i) => {
        app.problems.push(...forgeProblems(forge[i] ?? missingOutcome, app.aboutMissingPath, warn));
        app.problems.push(...handlerProblems(app.manifest, exported[i] ?? missingOutcome));
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return apps.map((app) => {
    if (!app.exists) return app.problems;
    return [...app.problems, ...triggerProblems(app.manifest, app.manifestText), ...runtimeProblems(app.manifest)];
  });
}

interface App {
  dir: string;
  exists: boolean;
  /** Whether the workers have what they need to check it. */
  ready: boolean;
  manifest: unknown;
  manifestText: string;
  problems: Problem[];
  aboutMissingPath: (message: string) => boolean;
}

const missingOutcome = { ok: false, error: 'the check did not answer for this app' } as const;

function readApp(appDir: string): App {
  const problems: Problem[] = [];
  const manifestFile = join(appDir, 'manifest.yml');
  if (!existsSync(manifestFile)) {
    return { dir: appDir, exists: false, ready: false, manifest: undefined, manifestText: '', problems: [{ check: 'manifest', message: `${manifestFile} does not exist.` }], aboutMissingPath: () => false };
  }
  const manifestText = readFileSync(manifestFile, 'utf8');
  let manifest: unknown;
  try {
    manifest = parseYaml(manifestText);
  } catch {
    manifest = undefined; // @forge/manifest reports the YAML error with its position.
  }

  // Resource folders that do not exist yet. The admin page's is the output of its build, which
  // `npm test` runs before these checks; say that once instead of the processor's and lint's wording.
  const missingPaths: string[] = [];
  for (const resource of list(field(manifest, 'resources'))) {
    const path = field(resource, 'path');
    if (typeof path !== 'string' || existsSync(join(appDir, path))) continue;
    missingPaths.push(path);
    if (normalize(path) === normalize(ADMIN_BUILD)) {
      problems.push({
        check: 'admin page build',
        message: `${ADMIN_BUILD} does not exist, and manifest.yml resource '${String(field(resource, 'key'))}' points at it. Run \`npm run build:admin\` first.`,
      });
    } else if (normalize(path) === normalize(ISSUE_BUILD)) {
      problems.push({
        check: 'issue page build',
        message: `${ISSUE_BUILD} does not exist, and manifest.yml resource '${String(field(resource, 'key'))}' points at it. Run \`npm run build:issue\` first.`,
      });
    } else {
      problems.push({
        check: 'manifest',
        message: `manifest.yml resource '${String(field(resource, 'key'))}' points at ${path}, which does not exist. Create it or fix the path.`,
      });
    }
  }
  const aboutMissingPath = (message: string) => missingPaths.some((path) => message.includes(path));

  let ready = true;
  if (!existsSync(JIRA_OPENAPI)) {
    ready = false;
    problems.push({
      check: '@forge/lint',
      message: `The Jira contract is missing at ${JIRA_OPENAPI}; @forge/lint needs it to check scopes offline. Rebuild it with \`npm run contract:update\`.`,
    });
  }
  return { dir: appDir, exists: true, ready, manifest, manifestText, problems, aboutMissingPath };
}

// ── 1 + 2: @forge/manifest and @forge/lint, in a child process ─────────────────────────────────────

type ForgeOutcome = { ok: true; report: WorkerReport; sourceFiles: string[] } | { ok: false; error: string };

async function runForgeChecks(apps: readonly App[], work: string): Promise<ForgeOutcome[]> {
  // Lint knows six product APIs and wants a description of each. Tandem calls Jira only, so the
  // others get an empty (valid) OpenAPI document: a call to them would go unchecked, not fail.
  const empty = join(work, 'empty-openapi.json');
  writeFileSync(empty, JSON.stringify({ openapi: '3.0.1', info: { title: 'empty', version: '0' }, paths: {} }));
  const home = join(work, 'home');
  mkdirSync(home);

  // @forge/lint reads ./manifest.yml and ./tsconfig.json. Given Tandem's tsconfig.json (include: ["src", …]),
  // it would skip every .ts file, since it matches include entries literally (a bare "src" names only the
  // folder). The worker runs in a mirror of each app without tsconfig.json, so lint scans all of src/;
  // the worker still reports which files the real `forge lint` would skip.
  const jobs: ForgeLintJob[] = apps.map((app, i) => {
    const stage = join(work, `app-${i}`);
    mkdirSync(stage);
    for (const entry of readdirSync(app.dir)) {
      if (entry !== 'tsconfig.json') symlinkSync(join(app.dir, entry), join(stage, entry));
    }
    return { appDir: app.dir, stage, outFile: join(work, `forge-report-${i}.json`) };
  });
  const jobsFile = join(work, 'forge-jobs.json');
  writeFileSync(jobsFile, JSON.stringify(jobs));

  const run = await runTs(join(__dirname, 'forge-lint-worker.ts'), [jobsFile], work, {
    USE_LOCAL_SWAGGER: 'true',
    LOCAL_JIRA_SWAGGER: JIRA_OPENAPI,
    LOCAL_JSM_SWAGGER: empty,
    LOCAL_JSW_SWAGGER: empty,
    LOCAL_CONF_SWAGGER: empty,
    LOCAL_CONF_V2_SWAGGER: empty,
    LOCAL_BB_SWAGGER: empty,
    // The permission linter opens a cache under the user's config folder; keep it in the scratch folder.
    XDG_CONFIG_HOME: join(home, '.config'),
    HOME: home,
  });
  return apps.map((app, i): ForgeOutcome => {
    const out = jobs[i]?.outFile;
    if (run.code !== 0 || !out || !existsSync(out)) {
      return { ok: false, error: `the @forge/manifest + @forge/lint worker failed (exit ${run.code}):\n${tail(run.stderr)}` };
    }
    const report = JSON.parse(readFileSync(out, 'utf8')) as WorkerReport;
    const srcDir = join(app.dir, 'src');
    const sourceFiles = existsSync(srcDir) ? listRelative(srcDir, 'src').filter((f) => /\.[cm]?[jt]sx?$/.test(f)) : [];
    return { ok: true, report, sourceFiles };
  });
}

function forgeProblems(outcome: ForgeOutcome, aboutMissingPath: (m: string) => boolean, warn: (w: Problem) => void): Problem[] {
  if (!outcome.ok) return [{ check: '@forge/lint', message: outcome.error }];
  const { report, sourceFiles } = outcome;
  const problems: Problem[] = [];

  const processorMessages = new Set<string>();
  for (const error of report.processor.errors) {
    processorMessages.add(error.message);
    if (aboutMissingPath(error.message)) continue;
    const problem = {
      check: '@forge/manifest',
      message: `manifest.yml:${error.line ?? 0}:${error.column ?? 0} ${error.message} [${error.reference}]. Fix manifest.yml (https://developer.atlassian.com/platform/forge/manifest-reference/).`,
    };
    if (error.level === 'warning') warn(problem);
    else problems.push(problem);
  }

  if (report.lintFailure) problems.push({ check: '@forge/lint', message: `lint did not run: ${report.lintFailure}` });
  const seen = new Set<string>();
  for (const finding of report.lint) {
    // The manifest linters re-run the processor above; report each finding once.
    if (finding.file === 'manifest.yml' && (processorMessages.has(finding.message) || aboutMissingPath(finding.message))) continue;
    const key = `${finding.file}:${finding.line}:${finding.column}:${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const problem = { check: '@forge/lint', message: describeFinding(finding) };
    if (finding.level === 'warning') warn(problem);
    else problems.push(problem);
  }

  // Guard against lint quietly scanning nothing (it skips files rather than failing).
  const parsed = new Set(report.parsed);
  const unscanned = sourceFiles.filter((file) => !parsed.has(file));
  if (!report.lintFailure && unscanned.length > 0) {
    problems.push({
      check: '@forge/lint',
      message: `lint did not scan ${unscanned.join(', ')}; its scope checks would miss calls made there. Check devkit/checks/forge-lint-worker.ts against the installed @forge/lint.`,
    });
  }
  if (report.skippedByForgeLint.length > 0) {
    warn({
      check: '@forge/lint',
      message: `the real \`forge lint\` (and \`forge deploy\`) would skip ${report.skippedByForgeLint.length} TypeScript file(s) in src/ (e.g. ${report.skippedByForgeLint[0]}), because tsconfig.json's include names folders ("src") and forge matches include entries literally. These checks scan them anyway; an include entry "src/**/*" would make forge scan them too.`,
    });
  }
  return problems;
}

function describeFinding(finding: LintFinding): string {
  const where = `${finding.file}:${finding.line}:${finding.column}`;
  const fix = finding.missingScope
    ? `Add '${finding.missingScope}' to permissions.scopes in manifest.yml, or stop making that call.`
    : `See the @forge/lint rule '${finding.reference}'.`;
  return `${where} ${finding.message} [${finding.reference}]. ${fix}`;
}

// ── 3: Tandem's own rules ──────────────────────────────────────────────────────────────────────────

type ExportsOutcome = { ok: true; kinds: Record<string, string> } | { ok: false; error: string };

async function loadIndexExports(apps: readonly App[], work: string): Promise<ExportsOutcome[]> {
  const jobs: Array<ExportsJob | undefined> = apps.map((app, i) => {
    const indexFile = join(app.dir, 'src', 'index.ts');
    return existsSync(indexFile) ? { indexFile, outFile: join(work, `exports-${i}.json`) } : undefined;
  });
  const present = jobs.filter((job): job is ExportsJob => job !== undefined);
  let run = { code: 0, stderr: '' };
  if (present.length > 0) {
    const jobsFile = join(work, 'exports-jobs.json');
    writeFileSync(jobsFile, JSON.stringify(present));
    run = await runTs(join(__dirname, 'exports-worker.ts'), [jobsFile], work, {});
  }
  return jobs.map((job): ExportsOutcome => {
    if (!job) return { ok: false, error: 'src/index.ts does not exist' };
    if (run.code !== 0 || !existsSync(job.outFile)) {
      return { ok: false, error: `loading src/index.ts failed (exit ${run.code}):\n${tail(run.stderr)}` };
    }
    return { ok: true, kinds: JSON.parse(readFileSync(job.outFile, 'utf8')) as Record<string, string> };
  });
}

function handlerProblems(manifest: unknown, exported: ExportsOutcome): Problem[] {
  const problems: Problem[] = [];
  const named = new Set<string>();
  const expected: Array<{ key: string; name: string }> = [];
  for (const fn of list(field(field(manifest, 'modules'), 'function'))) {
    const key = String(field(fn, 'key'));
    const handler = field(fn, 'handler');
    const match = typeof handler === 'string' ? /^index\.([A-Za-z_$][\w$]*)$/.exec(handler) : null;
    if (!match?.[1]) {
      problems.push({
        check: 'handlers',
        message: `function '${key}' has handler '${String(handler)}'; Tandem's handlers are all exported by src/index.ts, so it must read index.<exportName>.`,
      });
      continue;
    }
    named.add(match[1]);
    expected.push({ key, name: match[1] });
  }
  if (!exported.ok) {
    problems.push({ check: 'handlers', message: `${exported.error}. Every function module's handler must be exported by src/index.ts.` });
    return problems;
  }
  for (const { key, name } of expected) {
    const kind = exported.kinds[name];
    if (kind === undefined) {
      problems.push({
        check: 'handlers',
        message: `function '${key}' names handler index.${name}, but src/index.ts does not export '${name}'. Re-export it from src/index.ts (or fix the handler name in manifest.yml).`,
      });
    } else if (kind !== 'function') {
      problems.push({
        check: 'handlers',
        message: `function '${key}' names handler index.${name}, but src/index.ts exports '${name}' as a ${kind}, not a function.`,
      });
    }
  }
  for (const name of Object.keys(exported.kinds)) {
    if (!named.has(name)) {
      problems.push({
        check: 'handlers',
        message: `src/index.ts exports '${name}', which no function module in manifest.yml names. src/index.ts re-exports the manifest's handlers and nothing else: remove the export, or add the function module.`,
      });
    }
  }
  return problems;
}

function triggerProblems(manifest: unknown, manifestText: string): Problem[] {
  const problems: Problem[] = [];
  for (const trigger of list(field(field(manifest, 'modules'), 'trigger'))) {
    if (ignoresSelf(trigger)) continue;
    const key = String(field(trigger, 'key'));
    problems.push({
      check: 'triggers',
      message: `manifest.yml:${lineOf(manifestText, `key: ${key}`)} trigger '${key}' lacks filter: {ignoreSelf: true}. Add it: without it the app's own Jira writes come back to it as events (the loop guard relies on it).`,
    });
  }
  return problems;
}

/** ignoreSelf on the trigger, or on every one of its events when they carry their own filters. */
function ignoresSelf(trigger: unknown): boolean {
  if (field(field(trigger, 'filter'), 'ignoreSelf') === true) return true;
  const events = list(field(trigger, 'events'));
  return events.length > 0 && events.every((event) => field(field(event, 'filter'), 'ignoreSelf') === true);
}

function runtimeProblems(manifest: unknown): Problem[] {
  const name = field(field(field(manifest, 'app'), 'runtime'), 'name');
  if (name === RUNTIME) return [];
  return [{ check: 'runtime', message: `manifest.yml app.runtime.name is '${String(name)}'; Tandem runs on ${RUNTIME}. Set app.runtime.name: ${RUNTIME}.` }];
}

// ── helpers ────────────────────────────────────────────────────────────────────────────────────────

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  return index + 1;
}

function listRelative(dir: string, prefix: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) found.push(...listRelative(join(dir, entry.name), `${prefix}/${entry.name}`));
    else found.push(`${prefix}/${entry.name}`);
  }
  return found;
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs a TypeScript file with Node and tsx's loader; resolves with its exit code and stderr. */
function runTs(script: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--import', tsx, script, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: WORKER_TIMEOUT_MS,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => resolvePromise({ code: -1, stderr: `${stderr}${error.message}` }));
    child.on('close', (code, signal) => resolvePromise({ code: code ?? -1, stderr: signal ? `${stderr}\nkilled by ${signal}` : stderr }));
  });
}

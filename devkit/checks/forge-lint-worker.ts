// Child process of checkApp (devkit/checks/manifest.ts): runs @forge/manifest's full validation and
// @forge/lint's client-side linters, the offline half of `forge lint`.
//
// It runs in its own process because both packages work relative to process.cwd() (they read
// ./manifest.yml and ./tsconfig.json) and read the USE_LOCAL_SWAGGER variables from the environment.
// For each app it moves into a staging folder that mirrors the app through symlinks, minus
// tsconfig.json (see checkApps for why); the parent sets those variables.
// One worker checks every app it is given: @forge/manifest compiles its schemas once per process
// (ProcessorBuilder's cache), and that compile is most of the cost of a check.
//
// Usage: node --import tsx forge-lint-worker.ts <jobsFile>, where jobsFile holds ForgeLintJob[]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProcessorBuilder, ValidationTypes, type ManifestSchema, type ValidationError } from '@forge/manifest';
import { lint, parseSourceFile, type LintResult } from '@forge/lint';
import { FileSystemReader, listTSConfigIncludeExclude } from '@forge/cli-shared';
import { parse as parseYaml } from 'yaml';

export interface LintFinding {
  file: string;
  line: number;
  column: number;
  level: 'error' | 'warning' | 'approval';
  message: string;
  reference: string;
  /** Set when the finding is a scope the code needs and the manifest lacks. */
  missingScope?: string;
}

export interface ForgeLintJob {
  /** The app as it is, with its tsconfig.json. */
  appDir: string;
  /** The mirror of the app lint runs in. */
  stage: string;
  /** Where the WorkerReport goes. */
  outFile: string;
}

export interface WorkerReport {
  processor: { success: boolean; errors: ValidationError[] };
  lint: LintFinding[];
  /** Why lint did not run, if it did not. */
  lintFailure?: string;
  /** src files @forge/lint parsed; the parent checks nothing under src/ escaped the scan. */
  parsed: string[];
  /** TypeScript files the real `forge lint` would skip because of tsconfig.json's include list. */
  skippedByForgeLint: string[];
}

// `forge lint` asks Atlassian's feature-flag service for deprecated runtimes; offline we pass none.
// checkApp enforces the one runtime Tandem uses itself.
const OFFLINE_OPTIONS = { deprecatedRuntimes: [] as string[] };

// Only the client-side linters call the flag service, and only this method of it.
type FlagService = Parameters<typeof lint>[4];
const offlineFlags = { getDeprecatedRuntimes: async (): Promise<string[]> => [] } as unknown as FlagService;

const SOURCE_DIR = 'src';

function listFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) found.push(...listFiles(path));
    else found.push(path);
  }
  return found;
}

async function checkOne({ appDir, stage, outFile }: ForgeLintJob): Promise<void> {
  process.chdir(stage);

  // Same options as the linters below, so ProcessorBuilder's cache compiles the big manifest schema once.
  const processed = await ProcessorBuilder.instance()
    .withValidation(ValidationTypes.FULL)
    .withOptions(OFFLINE_OPTIONS)
    .build()
    .process(join(appDir, 'manifest.yml'));
  const report: WorkerReport = {
    processor: { success: processed.success, errors: processed.errors ?? [] },
    lint: [],
    parsed: [],
    skippedByForgeLint: [],
  };

  let manifest: ManifestSchema | undefined;
  try {
    const parsed: unknown = parseYaml(readFileSync('manifest.yml', 'utf8'));
    if (parsed && typeof parsed === 'object') manifest = parsed as ManifestSchema;
  } catch {
    // The processor has already reported the YAML error.
  }

  // Like `forge lint`: every file under src/, as paths relative to the app folder.
  const files = listFiles(SOURCE_DIR);

  // What the real `forge lint` would do with the app's own tsconfig.json: it keeps a .ts file only if
  // the include globs, expanded literally, name that file (a bare "src" names only the folder).
  const tsconfig = join(appDir, 'tsconfig.json');
  const { include, exclude } = await listTSConfigIncludeExclude(new FileSystemReader(), tsconfig);
  if (include.length || exclude.length) {
    const included = new Set(include);
    const excluded = new Set(exclude);
    report.skippedByForgeLint = files.filter((file) => {
      if (!/\.tsx?$/.test(file)) return false;
      const absolute = resolve(file);
      return !included.has(absolute) || excluded.has(absolute);
    });
  }

  if (!manifest) {
    report.lintFailure = 'manifest.yml could not be read as YAML';
  } else {
    try {
      const results: LintResult[] = await lint(
        files,
        manifest,
        'development',
        { info: (message: string) => process.stderr.write(`${message}\n`) },
        offlineFlags,
        {
          linter: { mode: 'client-side' },
          parseFunction: async (filepath, parser, readFilePromise) => {
            report.parsed.push(filepath);
            return parseSourceFile(filepath, parser, readFilePromise);
          },
        },
      );
      for (const result of results) {
        for (const rule of [...result.errors, ...result.warnings, ...result.approvals]) {
          const missing: unknown = rule.metadata?.['missingPermission'];
          report.lint.push({
            file: result.file,
            line: rule.line,
            column: rule.column,
            level: rule.class,
            message: rule.message,
            reference: rule.reference,
            ...(typeof missing === 'string' ? { missingScope: missing } : {}),
          });
        }
      }
    } catch (error) {
      report.lintFailure = error instanceof Error ? error.message : String(error);
    }
  }

  writeFileSync(outFile, JSON.stringify(report));
}

async function main(): Promise<void> {
  const [jobsFile] = process.argv.slice(2);
  if (!jobsFile) throw new Error('usage: forge-lint-worker.ts <jobsFile>');
  // The parent wrote this file itself, for this run.
  const jobs = JSON.parse(readFileSync(jobsFile, 'utf8')) as ForgeLintJob[];
  // One after another: lint and the processor read the current folder.
  for (const job of jobs) await checkOne(job);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
});

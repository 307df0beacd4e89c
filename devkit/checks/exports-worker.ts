// Child process of checkApps: loads each app's src/index.ts and writes what it exports (name → typeof).
// Loading an app runs its module code, so it happens here and never in the checker's own process.
//
// Usage: node --import tsx exports-worker.ts <jobsFile>, where jobsFile holds ExportsJob[]
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ExportsJob {
  indexFile: string;
  outFile: string;
}

const [jobsFile] = process.argv.slice(2);
if (!jobsFile) throw new Error('usage: exports-worker.ts <jobsFile>');
// The parent wrote this file itself, for this run.
const jobs = JSON.parse(readFileSync(jobsFile, 'utf8')) as ExportsJob[];
const load = createRequire(__filename);

for (const { indexFile, outFile } of jobs) {
  let loaded: unknown;
  try {
    // tsx compiles the app to CommonJS on the fly, as the Forge bundler does.
    loaded = load(indexFile);
  } catch (error) {
    // One app that fails to load must not hide what the others export; the parent reports it.
    process.stderr.write(`${indexFile}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    continue;
  }
  const kinds: Record<string, string> = {};
  if (loaded && typeof loaded === 'object') {
    for (const name of Object.keys(loaded)) {
      if (name === '__esModule') continue;
      kinds[name] = typeof (loaded as Record<string, unknown>)[name];
    }
  }
  writeFileSync(outFile, JSON.stringify(kinds));
}

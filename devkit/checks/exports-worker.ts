// Child process of checkApp: loads the app's src/index.ts and writes what it exports (name → typeof).
// Loading the app runs its module code, so it happens here and never in the checker's own process.
//
// Usage: node --import tsx exports-worker.ts <indexFile> <outFile>
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [indexFile, outFile] = process.argv.slice(2);
if (!indexFile || !outFile) throw new Error('usage: exports-worker.ts <indexFile> <outFile>');

// tsx compiles the app to CommonJS on the fly, as the Forge bundler does.
const loaded: unknown = createRequire(__filename)(indexFile);
const kinds: Record<string, string> = {};
if (loaded && typeof loaded === 'object') {
  for (const name of Object.keys(loaded)) {
    if (name === '__esModule') continue;
    kinds[name] = typeof (loaded as Record<string, unknown>)[name];
  }
}
writeFileSync(outFile, JSON.stringify(kinds));

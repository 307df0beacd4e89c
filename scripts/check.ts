// `npm test`: everything a change must pass, in the order that fails fastest.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

const steps: Array<{ name: string; command: string; args: string[] }> = [
  { name: 'type check (app, devkit, tests)', command: bin('tsc'), args: ['-p', 'tsconfig.json'] },
  { name: 'type check (admin page)', command: bin('tsc'), args: ['-p', 'static/admin/tsconfig.json'] },
  { name: 'lint', command: bin('eslint'), args: ['--max-warnings=0', '.'] },
  { name: 'build admin page', command: bin('vite'), args: ['build', '--config', 'static/admin/vite.config.ts', '--logLevel', 'warn'] },
  { name: 'build issue page', command: bin('vite'), args: ['build', '--config', 'static/issue/vite.config.ts', '--logLevel', 'warn'] },
  { name: 'manifest checks (@forge/manifest, @forge/lint)', command: bin('tsx'), args: ['scripts/check-manifest.ts'] },
  { name: 'test suites', command: bin('tsx'), args: ['scripts/run-tests.ts'] },
];

// Forge runs Tandem on the Node.js major .nvmrc names (manifest.yml: nodejs22.x); an older one
// passes too, but is not what production runs, so say so.
const runtimeMajor = Number(readFileSync(join(root, '.nvmrc'), 'utf8').trim());
const major = Number(process.versions.node.split('.')[0]);
console.log(
  major === runtimeMajor
    ? `Node.js ${process.version}, the major version Forge runs Tandem on`
    : `Node.js ${process.version}; Forge runs Tandem on Node.js ${runtimeMajor} (.ci/run installs it when the machine has an older one)`,
);

for (const step of steps) {
  const started = Date.now();
  console.log(`\n▶ ${step.name}`);
  const result = spawnSync(step.command, step.args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n✖ ${step.name} failed`);
    process.exit(result.status ?? 1);
  }
  console.log(`✔ ${step.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
console.log('\nAll checks passed.');

// `npm run check:manifest` (and a step of `npm test`): the offline manifest checks on this repository.
import { join } from 'node:path';
import { checkApp, formatProblem } from '../devkit/checks/manifest';

async function main(): Promise<void> {
  const started = Date.now();
  const root = join(__dirname, '..');
  const problems = await checkApp(root);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`✖ ${formatProblem(problem)}\n`);
    console.error(`${problems.length} manifest problem(s) (${seconds} s).`);
    process.exit(1);
  }
  console.log(`manifest.yml OK: @forge/manifest full validation, @forge/lint (client-side, offline), handlers, triggers, runtime (${seconds} s).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

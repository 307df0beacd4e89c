// `npm run contract:update -- [path to Atlassian's swagger-v3.v3.json]`: rewrites the committed Jira
// contract (devkit/jira/contract/jira-platform.openapi.json) from the full description, keeping only
// what the simulator serves. Without an argument it reads ../shared/jira-openapi/ when present.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { COMMITTED_CONTRACT, defaultSourcePath, deriveContract, formatContract, readSource } from '../devkit/jira/contract/derive';
import { servedOperations } from '../devkit/jira/simulator';

const sourcePath = process.argv[2] ?? defaultSourcePath();
if (sourcePath === undefined) {
  console.error(
    "No Jira OpenAPI description given. Download Atlassian's https://developer.atlassian.com/cloud/jira/platform/swagger-v3.v3.json " +
      'and run `npm run contract:update -- <path to it>`.',
  );
  process.exit(2);
}

const { contract, missing } = deriveContract(readSource(sourcePath), sourcePath, servedOperations());
if (missing.length > 0) {
  console.error(`The simulator serves operations Jira's description does not have:\n${missing.map((op) => `  ${op.method} ${op.path}`).join('\n')}`);
  process.exit(1);
}
writeFileSync(COMMITTED_CONTRACT, formatContract(contract));
const source = contract['x-tandem-source'] as { version: string; sha256: string; operations: number };
console.log(`${relative(process.cwd(), COMMITTED_CONTRACT)}: ${source.operations} operations from ${sourcePath} (version ${source.version}, sha256 ${source.sha256.slice(0, 12)}…)`);

// `npm run contract:update -- [path to Atlassian's swagger-v3.v3.json] [path to software-swagger.v3.json]`: rewrites the committed Jira
// contract (devkit/jira/contract/jira-platform.openapi.json) from the full description, keeping only
// what the simulator serves. Without an argument it reads TANDEM_JIRA_OPENAPI_SOURCE, else
// ../shared/jira-openapi/ when present. Only this script (and the drift test) look outside the
// repository: the devkit itself reads the committed contract alone.
import { existsSync, writeFileSync } from 'node:fs';
import path, { relative } from 'node:path';
import { COMMITTED_CONTRACT, defaultSoftwareSourcePath, deriveContract, formatContract, readSource } from '../devkit/jira/contract/derive';
import { servedOperations } from '../devkit/jira/simulator';

/** Where Atlassian's full description is found when it sits next to the repository (it is never committed). */
export function defaultSourcePath(): string | undefined {
  const fromEnv = process.env['TANDEM_JIRA_OPENAPI_SOURCE'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const beside = path.join(__dirname, '..', '..', 'shared', 'jira-openapi', 'swagger-v3.v3.json');
  return existsSync(beside) ? beside : undefined;
}

function main(): void {
  const sourcePath = process.argv[2] ?? defaultSourcePath();
  if (sourcePath === undefined) {
    console.error(
      "No Jira OpenAPI description given. Download Atlassian's https://developer.atlassian.com/cloud/jira/platform/swagger-v3.v3.json " +
        'and run `npm run contract:update -- <path to it>`.',
    );
    process.exit(2);
  }

  // The Agile REST API operations come from Jira Software's description (software-swagger.v3.json).
  const softwarePath = process.argv[3] ?? defaultSoftwareSourcePath(sourcePath);
  const software = softwarePath === undefined ? undefined : { text: readSource(softwarePath), file: softwarePath };
  const { contract, missing } = deriveContract(readSource(sourcePath), sourcePath, servedOperations(), software);
  if (missing.length > 0) {
    console.error(`The simulator serves operations Jira's description does not have:\n${missing.map((op) => `  ${op.method} ${op.path}`).join('\n')}`);
    process.exit(1);
  }
  writeFileSync(COMMITTED_CONTRACT, formatContract(contract));
  const source = contract['x-tandem-source'] as { version: string; sha256: string; operations: number };
  console.log(`${relative(process.cwd(), COMMITTED_CONTRACT)}: ${source.operations} operations from ${sourcePath} (version ${source.version}, sha256 ${source.sha256.slice(0, 12)}…)`);
  const agile = contract['x-tandem-software-source'] as { operations: number } | undefined;
  if (agile && softwarePath) console.log(`  and ${agile.operations} Agile REST API operations from ${softwarePath}`);
}

// Run as the npm script; imported by the drift test for defaultSourcePath only.
if (require.main === module) main();

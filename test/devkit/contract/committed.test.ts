// The committed Jira contract: derived from Atlassian's description without drift, and holding every
// operation the simulator serves and every Jira call the app makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { COMMITTED_CONTRACT, defaultSoftwareSourcePath, deriveContract, formatContract, readSource } from '../../../devkit/jira/contract/derive';
import { defaultSourcePath } from '../../../scripts/contract-update';
import { createOpenApiChecker } from '../../../devkit/jira/contract/openapi';
import { servedOperations } from '../../../devkit/jira/simulator';

const committedText = readFileSync(COMMITTED_CONTRACT, 'utf8');
const committed = JSON.parse(committedText) as {
  'x-tandem-source': { file: string; version: string; sha256: string };
  paths: Record<string, Record<string, unknown>>;
};
const checker = createOpenApiChecker({ specPath: COMMITTED_CONTRACT });
const repoRoot = path.join(__dirname, '..', '..', '..');

test('the committed contract records the description it came from', () => {
  const source = committed['x-tandem-source'];
  assert.equal(source.file, 'swagger-v3.v3.json');
  assert.match(source.sha256, /^[0-9a-f]{64}$/);
  assert.ok(source.version.length > 0);
});

test('the committed contract holds no prose from the description', () => {
  // A property may be *named* "description" or "summary" (its value is then a schema, an object).
  const prose: string[] = [];
  const walk = (value: unknown, where: string): void => {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${where}[${i}]`));
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        const isProse = ['description', 'summary', 'example', 'examples', 'externalDocs', 'operationId'].includes(key);
        if (isProse && typeof child !== 'object' && child !== '') prose.push(`${where}.${key}`);
        walk(child, `${where}.${key}`);
      }
    }
  };
  walk(committed, '$');
  assert.deepEqual(prose.slice(0, 5), []);
});

const source = defaultSourcePath();
test(
  "regenerating from Atlassian's description gives the committed file, byte for byte",
  { skip: source === undefined ? 'no full Jira description beside the repository (../shared/jira-openapi) or in TANDEM_JIRA_OPENAPI_SOURCE' : false },
  () => {
    const text = readSource(source ?? '');
    const softwarePath = defaultSoftwareSourcePath(source);
    assert.ok(softwarePath, 'Jira Software\'s description (software-swagger.v3.json) is beside the platform one');
    const { contract, missing } = deriveContract(text, source ?? '', servedOperations(), { text: readSource(softwarePath), file: softwarePath });
    assert.deepEqual(missing, [], 'the simulator serves operations Jira does not have');
    assert.equal(formatContract(contract), committedText, 'the committed contract is stale: run `npm run contract:update`');
  },
);

test('every operation the simulator serves is in the committed contract', () => {
  const absent = servedOperations().filter((op) => checker.operationTemplate(op.method, op.path.replace(/\{\w+\}/g, 'X-1')) === null);
  assert.deepEqual(absent, [], 'run `npm run contract:update` after adding a simulator route');
});

/** Every `requestJira(route\`…\`)` path in src/, with interpolations as placeholders. */
function appJiraPaths(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.tsx?$/.test(name)) {
        for (const match of readFileSync(file, 'utf8').matchAll(/route`([^`]*)`/g)) {
          const template = (match[1] ?? '').split('?')[0] ?? '';
          found.push(template.replace(/\$\{[^}]*\}/g, 'X-1'));
        }
      }
    }
  };
  walk(path.join(repoRoot, 'src'));
  return [...new Set(found)].sort();
}

test('every Jira path the app calls is in the committed contract', () => {
  const paths = appJiraPaths();
  assert.ok(paths.length >= 10, `found only ${paths.length} Jira calls in src/; the scan is broken`);
  const known = (p: string): boolean => ['GET', 'POST', 'PUT', 'DELETE'].some((method) => checker.operationTemplate(method, p) !== null);
  assert.deepEqual(paths.filter((p) => !known(p)), []);
});

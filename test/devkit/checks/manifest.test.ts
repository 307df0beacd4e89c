// The manifest checks on a copy of the app, broken one way at a time.
// Each checkApp run costs 11–14 s of CPU, most of it @forge/manifest compiling its JSON schema once per
// validation type (five per lint run). The six cases run side by side: about 40 s on two idle cores,
// longer when the machine is busy. One schema case stands for all (an invalid module key fails the same way).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { checkApp, formatProblem, type Problem } from '../../../devkit/checks/manifest';

const root = join(__dirname, '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'tandem-manifest-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let copies = 0;
function copyApp(options: { adminBuild?: boolean } = {}): string {
  const dir = join(scratch, `app-${++copies}`);
  mkdirSync(dir);
  for (const file of ['manifest.yml', 'package.json', 'tsconfig.json']) cpSync(join(root, file), join(dir, file));
  cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  if (options.adminBuild !== false) {
    mkdirSync(join(dir, 'static', 'admin', 'build'), { recursive: true });
    writeFileSync(join(dir, 'static', 'admin', 'build', 'index.html'), '<!doctype html><div id="root"></div>');
  }
  // The issue panel's build stands in the same way; these checks are about the manifest and the code.
  mkdirSync(join(dir, 'static', 'issue', 'build'), { recursive: true });
  writeFileSync(join(dir, 'static', 'issue', 'build', 'index.html'), '<!doctype html><div id="root"></div>');
  return dir;
}

/** Edits manifest.yml through the YAML document model, so comments and layout survive. */
function editManifest(dir: string, edit: (doc: Document) => void): void {
  const file = join(dir, 'manifest.yml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  edit(doc);
  writeFileSync(file, String(doc));
}

async function problemsOf(dir: string): Promise<Problem[]> {
  return checkApp(dir, { warn: () => {} });
}

function assertFound(problems: Problem[], check: string, ...needles: string[]): void {
  const found = problems.some((p) => p.check === check && needles.every((n) => p.message.includes(n)));
  assert.ok(found, `expected a [${check}] problem mentioning ${needles.join(' + ')}; got:\n${problems.map(formatProblem).join('\n') || '(none)'}`);
}

describe('checkApp', { concurrency: 4 }, () => {
  it('passes the app as it is', async () => {
    const problems = await problemsOf(copyApp());
    assert.deepEqual(problems.map(formatProblem), []);
  });

  it('rejects a property the manifest schema does not know', async () => {
    const dir = copyApp();
    editManifest(dir, (doc) => doc.setIn(['modules', 'function', 0, 'colour'], 'red'));
    assertFound(await problemsOf(dir), '@forge/manifest', "additional property 'colour'");
  });

  it('rejects a handler that src/index.ts does not export', async () => {
    const dir = copyApp();
    editManifest(dir, (doc) => doc.setIn(['modules', 'function', 2, 'handler'], 'index.onInboundRequest'));
    const problems = await problemsOf(dir);
    assertFound(problems, 'handlers', 'on-inbound', 'onInboundRequest', 'does not export');
    // The export the manifest no longer names is reported too: index exports the handlers and nothing else.
    assertFound(problems, 'handlers', "exports 'onInbound'", 'no function module');
  });

  it('rejects code that needs a scope the manifest lacks', async () => {
    const dir = copyApp();
    // The app's own code may not write to Jira yet; this file does, in the copy only.
    writeFileSync(
      join(dir, 'src', 'platform', 'transition-probe.ts'),
      [
        "import api, { route } from '@forge/api';",
        'export async function transition(issueKey: string, id: string): Promise<void> {',
        '  await api.asApp().requestJira(route`/rest/api/3/issue/${issueKey}/transitions`, {',
        "    method: 'POST',",
        '    body: JSON.stringify({ transition: { id } }),',
        '  });',
        '}',
        '',
      ].join('\n'),
    );
    editManifest(dir, (doc) => {
      const scopes = doc.getIn(['permissions', 'scopes']);
      assert.ok(scopes && typeof scopes === 'object' && 'items' in scopes && Array.isArray(scopes.items));
      doc.setIn(
        ['permissions', 'scopes'],
        doc.createNode(scopes.items.map(String).filter((scope: string) => scope !== 'write:jira-work')),
      );
    });
    const problems = await problemsOf(dir);
    assertFound(problems, '@forge/lint', 'src/platform/transition-probe.ts', 'POST', 'write:jira-work');
    // Every problem is about that scope: each write call the app makes is named.
    assert.ok(problems.every((p) => p.message.includes('write:jira-work')), problems.map(formatProblem).join('\n'));
  });

  it('rejects a trigger without ignoreSelf', async () => {
    const dir = copyApp();
    editManifest(dir, (doc) => doc.deleteIn(['modules', 'trigger', 0, 'filter']));
    assertFound(await problemsOf(dir), 'triggers', 'tandem-issue-events', 'ignoreSelf');
  });

  it('asks for the admin page build, once, when it is missing', async () => {
    const problems = await problemsOf(copyApp({ adminBuild: false }));
    assert.equal(problems.length, 1, problems.map(formatProblem).join('\n'));
    assertFound(problems, 'admin page build', 'npm run build:admin');
  });
});

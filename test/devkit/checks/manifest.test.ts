// The manifest checks on copies of the app, each broken one way.
// Most of a check's cost is @forge/manifest compiling its JSON schemas, once per process; all copies
// are checked by one checkApps call, so one worker compiles them once and lints each copy in turn.
// One schema case stands for all (an invalid module key fails the same way).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { checkApps, formatProblem, type Problem } from '../../../devkit/checks/manifest';

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

function assertFound(problems: Problem[], check: string, ...needles: string[]): void {
  const found = problems.some((p) => p.check === check && needles.every((n) => p.message.includes(n)));
  assert.ok(found, `expected a [${check}] problem mentioning ${needles.join(' + ')}; got:\n${problems.map(formatProblem).join('\n') || '(none)'}`);
}

// Each case's copy of the app, made before the one run that checks them all.
const cases = {
  asItIs: () => copyApp(),
  unknownProperty: () => {
    const dir = copyApp();
    editManifest(dir, (doc) => doc.setIn(['modules', 'function', 0, 'colour'], 'red'));
    return dir;
  },
  handlerNotExported: () => {
    const dir = copyApp();
    editManifest(dir, (doc) => doc.setIn(['modules', 'function', 2, 'handler'], 'index.onInboundRequest'));
    return dir;
  },
  scopeMissing: () => {
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
    return dir;
  },
  triggerWithoutIgnoreSelf: () => {
    const dir = copyApp();
    editManifest(dir, (doc) => doc.deleteIn(['modules', 'trigger', 0, 'filter']));
    return dir;
  },
  adminBuildMissing: () => copyApp({ adminBuild: false }),
  runtimeNotTheSuites: () => {
    const dir = copyApp();
    editManifest(dir, (doc) => doc.setIn(['app', 'runtime', 'name'], 'nodejs20.x'));
    return dir;
  },
};
type Case = keyof typeof cases;
const found = new Map<Case, Problem[]>();

before(async () => {
  const names = Object.keys(cases) as Case[];
  const problems = await checkApps(
    names.map((name) => cases[name]()),
    { warn: () => {} },
  );
  names.forEach((name, i) => found.set(name, problems[i] ?? []));
});

function problemsOf(name: Case): Problem[] {
  const problems = found.get(name);
  assert.ok(problems, `no answer for ${name}`);
  return problems;
}

describe('checkApps', () => {
  it('passes the app as it is', () => {
    assert.deepEqual(problemsOf('asItIs').map(formatProblem), []);
  });

  it('rejects a property the manifest schema does not know', () => {
    assertFound(problemsOf('unknownProperty'), '@forge/manifest', "additional property 'colour'");
  });

  it('rejects a handler that src/index.ts does not export', () => {
    const problems = problemsOf('handlerNotExported');
    assertFound(problems, 'handlers', 'on-inbound', 'onInboundRequest', 'does not export');
    // The export the manifest no longer names is reported too: index exports the handlers and nothing else.
    assertFound(problems, 'handlers', "exports 'onInbound'", 'no function module');
  });

  it('rejects code that needs a scope the manifest lacks', () => {
    const problems = problemsOf('scopeMissing');
    assertFound(problems, '@forge/lint', 'src/platform/transition-probe.ts', 'POST', 'write:jira-work');
    // Every problem is about that scope: each write call the app makes is named.
    assert.ok(problems.every((p) => p.message.includes('write:jira-work')), problems.map(formatProblem).join('\n'));
  });

  it('rejects a trigger without ignoreSelf', () => {
    assertFound(problemsOf('triggerWithoutIgnoreSelf'), 'triggers', 'tandem-issue-events', 'ignoreSelf');
  });

  it('rejects a runtime other than the Node.js major the suites run on (.nvmrc)', () => {
    const major = readFileSync(join(root, '.nvmrc'), 'utf8').trim();
    assertFound(problemsOf('runtimeNotTheSuites'), 'runtime', "'nodejs20.x'", `nodejs${major}.x`);
  });

  it('asks for the admin page build, once, when it is missing', () => {
    const problems = problemsOf('adminBuildMissing');
    assert.equal(problems.length, 1, problems.map(formatProblem).join('\n'));
    assertFound(problems, 'admin page build', 'npm run build:admin');
  });
});

// `npm start` as a newcomer runs it: a process that prints its URLs, serves Jira's REST API and
// Tandem's web trigger, and stops cleanly on Ctrl-C.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ensureAdminBuilt } from '../support/browser';

const ROOT = join(__dirname, '..', '..');
let sandbox: ChildProcess;
let output = '';
let base = '';

before(async () => {
  ensureAdminBuilt();
  sandbox = spawn(process.execPath, ['--import', 'tsx', 'devkit/sandbox/main.ts'], { cwd: ROOT, env: { ...process.env, PORT: '0' } });
  sandbox.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  sandbox.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (!/Ctrl-C stops it/.test(output)) {
    if (Date.now() > deadline || sandbox.exitCode !== null) throw new Error(`The sandbox did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  base = /Tandem sandbox on (\S+)/.exec(output)?.[1] ?? '';
});

after(() => {
  if (sandbox.exitCode === null) sandbox.kill('SIGKILL');
});

test('it prints its URLs and describes itself at /__sandbox/info', async () => {
  assert.match(output, /admin page\s+http:\/\/127\.0\.0\.1:\d+\/admin/);
  const info = (await (await fetch(`${base}/__sandbox/info`)).json()) as { jiraBaseUrl: string; webTriggerUrl: string };
  assert.equal(info.jiraBaseUrl, `${base}/jira`);
  assert.match(info.webTriggerUrl, new RegExp(`^${base}/x1/[0-9a-f]{32}$`));
});

test('the Jira REST API answers as the demo admin, or as a seeded user with Basic auth', async () => {
  const me = (await (await fetch(`${base}/jira/rest/api/3/myself`)).json()) as { displayName: string };
  assert.equal(me.displayName, 'Ada Admin');
  const sam = await fetch(`${base}/jira/rest/api/3/myself`, { headers: { authorization: `Basic ${Buffer.from('sam@example.com:any-token').toString('base64')}` } });
  assert.equal(((await sam.json()) as { displayName: string }).displayName, 'Sam Agent');
  const stranger = await fetch(`${base}/jira/rest/api/3/myself`, { headers: { authorization: `Basic ${Buffer.from('who@example.com:x').toString('base64')}` } });
  assert.equal(stranger.status, 401);
});

test('an issue created over HTTP reaches Tandem, and the web trigger answers', async () => {
  const created = await fetch(`${base}/jira/rest/api/3/issue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Created in the sandbox' } }),
  });
  assert.equal(created.status, 201);
  const info = (await (await fetch(`${base}/__sandbox/info`)).json()) as { webTriggerUrl: string };
  const hook = await fetch(info.webTriggerUrl);
  assert.equal(hook.status, 200);
  assert.equal(((await hook.json()) as { service: string }).service, 'tandem');
});

test('Ctrl-C stops it cleanly', async () => {
  const exited = new Promise<number | null>((resolve) => sandbox.once('exit', (code) => resolve(code)));
  sandbox.kill('SIGINT');
  assert.equal(await exited, 0);
});

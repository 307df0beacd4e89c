// Forge fetch is HTTPS only: a plain http:// request gets a bare 400. The sandbox and the tests switch
// on one exemption (http to loopback) when they start the emulator; the app cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ForgeEmulator } from '../../../devkit/forge/emulator';
import { JiraSimulator } from '../../../devkit/jira/simulator';

const APP_ACCOUNT = 'app-account-tandem-fixture';
const APP_DIR = join(__dirname, '..', '..', 'fixtures', 'platform-app');

async function withTool<T>(run: (url: string) => Promise<T>): Promise<T> {
  const tool: Server = createServer((_req, res) => res.end('hello from the tool'));
  await new Promise<void>((resolve) => tool.listen(0, '127.0.0.1', resolve));
  try {
    return await run(`http://127.0.0.1:${(tool.address() as AddressInfo).port}/`);
  } finally {
    await new Promise((resolve) => tool.close(resolve));
  }
}

async function fetchAsApp(emulator: ForgeEmulator, name: string, url: string): Promise<{ status: number; backend: string[] }> {
  assert.equal(emulator.queue.push({ queueName: 'work', jobId: `job-${name}`, payload: [{ body: { name, mode: 'fetch-status', url } }] }).status, 201);
  await emulator.settle();
  const stored = await emulator.kvs.handle('/api/v1/get', { key: `fetched:${name}` });
  return (stored.body as { value: { status: number; backend: string[] } }).value;
}

test('without the exemption, plain http fails with a 400 even to an allowed host', async () => {
  const emulator = await ForgeEmulator.start({ jira: new JiraSimulator({ appAccountId: APP_ACCOUNT }), appAccountId: APP_ACCOUNT, appDir: APP_DIR });
  try {
    await withTool(async (url) => {
      const answer = await fetchAsApp(emulator, 'plain', url);
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.backend, ['127.0.0.1'], 'the app is told of no exemption');
    });
  } finally {
    await emulator.stop();
  }
});

test('with the loopback exemption, http reaches loopback only, and the app sees it in its permissions', async () => {
  const emulator = await ForgeEmulator.start({ jira: new JiraSimulator({ appAccountId: APP_ACCOUNT }), appAccountId: APP_ACCOUNT, appDir: APP_DIR, plainHttpLoopback: true, egress: ['*'] });
  try {
    await withTool(async (url) => {
      const local = await fetchAsApp(emulator, 'loopback', url);
      assert.equal(local.status, 200);
      assert.ok(local.backend.includes('http://127.0.0.1'));
    });
    const remote = await fetchAsApp(emulator, 'remote', 'http://tool.example.com/api');
    assert.equal(remote.status, 400, 'plain http elsewhere is still refused');
  } finally {
    await emulator.stop();
  }
});

test('a request under the app’s own time limit whose answer is held: the limit passes when the emulator is told, and only for that request', async () => {
  const emulator = await ForgeEmulator.start({ jira: new JiraSimulator({ appAccountId: APP_ACCOUNT }), appAccountId: APP_ACCOUNT, appDir: APP_DIR, plainHttpLoopback: true, egress: ['*'] });
  const held: Array<{ method: string; url: string }> = [];
  const tool: Server = createServer((req, res) => {
    if (req.url === '/slow') held.push({ method: req.method ?? 'GET', url: `http://127.0.0.1:${(tool.address() as AddressInfo).port}/slow` });
    else res.end('in time');
  });
  await new Promise<void>((resolve) => tool.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(tool.address() as AddressInfo).port}`;
  const read = async (name: string) => ((await emulator.kvs.handle('/api/v1/get', { key: `fetched:${name}` })).body as { value?: unknown } | undefined)?.value;
  try {
    emulator.queue.push({ queueName: 'work', jobId: 'job-slow', payload: [{ body: { name: 'slow', mode: 'fetch-limited', url: `${base}/slow`, limitMs: 600_000 } }] });
    const settled = emulator.settle();
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const [request] = held;
    assert.ok(request);
    assert.equal(emulator.passEgressDeadlines({ method: 'GET', url: `${base}/other` }), 0, 'another request’s limit is not passed');
    assert.equal(emulator.passEgressDeadlines(request), 1);
    await settled;
    assert.deepEqual(await read('slow'), { timedOut: true }, 'the app sees its own limit pass');
    emulator.queue.push({ queueName: 'work', jobId: 'job-fast', payload: [{ body: { name: 'fast', mode: 'fetch-limited', url: `${base}/fast`, limitMs: 600_000 } }] });
    await emulator.settle();
    assert.deepEqual(await read('fast'), { status: 200 }, 'an answer in time is the answer');
  } finally {
    tool.closeAllConnections();
    await new Promise((resolve) => tool.close(resolve));
    await emulator.stop();
  }
});

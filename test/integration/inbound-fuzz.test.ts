// A thousand random and malformed requests to the inbound web trigger over HTTP (keep-alive):
// bodies, headers, signatures, sizes and encodings. None may get a 5xx, write to Jira or change
// stored state (apart from the connection's health record, the documented refusal bookkeeping), and
// every answer is JSON with a clear error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { signTandemRequest } from '../../devkit/external/itsm';
import { findPreset } from '../../src/mapping';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const SECRET = 'fuzz-inbound-secret-51d7';
// Every failure the fuzz has found showed within a few hundred requests; the hand-picked hostile
// bodies below run every time whatever the draw, so the count only widens the random part.
const RUNS = 1000;
let tandem: TandemOnDevkit;
let base: string;

before(async () => {
  tandem = await startTandem();
  base = tandem.emulator.webTriggerUrl('tandem-inbound');
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  await configure(tandem.emulator, { version: 1, connections: [preset.build({ name: 'StackFlow', baseUrl: 'https://stackflow.invalid', id: 'stackflow' })] }, { 'connection:stackflow:inbound': SECRET });
});

after(async () => {
  await tandem.stop();
});

const now = () => Math.floor(Date.now() / 1000);
const BIG = 'x'.repeat(1024 * 1024 + 10);

// Events that are valid or nearly valid but can never apply: unknown records, unmapped or Jira-to-tool modules.
const template = fc.record({
  eventId: fc.oneof(fc.uuid(), fc.string({ maxLength: 120 }), fc.constant('')),
  type: fc.constantFrom('record.updated', 'record.deleted', 'comment.created', 'comment.updated', 'comment.deleted', 'sync.requested', 'record.created', 'record.moved', ''),
  occurredAt: fc.oneof(fc.constant(new Date().toISOString()), fc.string({ maxLength: 30 }), fc.integer()),
  record: fc.oneof(
    fc.record({
      module: fc.constantFrom('incidents', 'changes', 'problems', 'a/b', ''),
      id: fc.oneof(fc.constant('fuzz-unknown'), fc.string({ maxLength: 90 })),
      url: fc.constantFrom('https://x.example/1', 'javascript:alert(1)', ''),
      fields: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }), fc.jsonValue({ maxDepth: 2 })),
    }),
    fc.jsonValue({ maxDepth: 2 }),
  ),
  comment: fc.oneof(fc.record({ id: fc.string({ maxLength: 20 }), body: fc.string({ maxLength: 50 }) }), fc.constant(undefined)),
  jiraIssueKey: fc.oneof(fc.constant('OPS-424242'), fc.string({ maxLength: 12 }), fc.constant(undefined)),
});

// Bodies that have broken JSON readers before: empty, cut short, prototype keys, deep nesting, too big.
const HOSTILE = ['', '{', '[]', 'null', '"x"', '{"__proto__":{"a":1}}', '['.repeat(5000) + ']'.repeat(5000), `{"a":${'['.repeat(100)}${']'.repeat(100)}}`, BIG];

const body = fc.oneof(
  { weight: 4, arbitrary: template.map((t) => JSON.stringify(t.type === 'record.created' ? { ...t, record: typeof t.record === 'object' && t.record !== null && !Array.isArray(t.record) ? { ...t.record, module: 'changes' } : t.record } : t)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) },
);

const signature = fc.oneof(
  { weight: 4, arbitrary: fc.constant('valid') },
  { weight: 1, arbitrary: fc.constant('none') },
  { weight: 1, arbitrary: fc.constant('wrong-secret') },
  { weight: 1, arbitrary: fc.constant('stale') },
  { weight: 1, arbitrary: fc.string({ maxLength: 100 }).map((s) => `raw:${s}`) },
  { weight: 1, arbitrary: fc.constant('bearer') },
);

const request = fc.record({
  body,
  signature,
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'APPLICATION/JSON', '') },
  ),
  path: fc.oneof({ weight: 8, arbitrary: fc.constant('/stackflow') }, { weight: 1, arbitrary: fc.constantFrom('', '/nope', '/stack flow', '/%2e%2e%2fconfig', '/%00', '?connection=stackflow', '?connection=x%27') }),
  method: fc.oneof({ weight: 9, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('PUT', 'GET', 'DELETE') }),
  encoding: fc.constantFrom('utf8', 'utf8', 'utf8', 'latin1', 'utf16le'),
});

function headersFor(r: { body: string; signature: string; contentType: string }, raw: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (r.contentType !== '') headers['content-type'] = r.contentType;
  if (r.signature === 'valid') headers['x-tandem-signature'] = signTandemRequest(SECRET, raw, now());
  else if (r.signature === 'wrong-secret') headers['x-tandem-signature'] = signTandemRequest('nope', raw, now());
  else if (r.signature === 'stale') headers['x-tandem-signature'] = signTandemRequest(SECRET, raw, now() - 3600);
  else if (r.signature === 'bearer') headers.authorization = `Bearer ${SECRET}`;
  else if (r.signature.startsWith('raw:')) headers['x-tandem-signature'] = r.signature.slice(4).replace(/[^\x20-\x7e]/g, '');
  return headers;
}

function state(): string {
  const { kv } = tandem.emulator.kvs.entries();
  return JSON.stringify(Object.entries(kv).filter(([key]) => !key.startsWith('health:') && !key.startsWith('refused:')).sort(([a], [b]) => a.localeCompare(b)));
}

test(`${RUNS} random and malformed requests: no 5xx, no Jira write, no state change, JSON answers`, async () => {
  const before = state();
  tandem.emulator.calls.reset();
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const bytes = Buffer.from(r.body, r.encoding as BufferEncoding);
      // The signature covers the body as the server reads it (UTF-8), so re-encoded bodies still pass the signature check.
      const raw = bytes.toString('utf8');
      const response = await fetch(`${base}${r.path}`, {
        method: r.method,
        headers: headersFor(r, raw),
        ...(r.method === 'GET' ? {} : { body: bytes }),
      });
      const text = await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      assert.ok(response.status < 500, `HTTP ${response.status}: ${text.slice(0, 200)}`);
      assert.equal(response.headers.get('content-type'), 'application/json');
      const answer = JSON.parse(text) as Record<string, unknown>;
      if (response.status >= 300) {
        assert.equal(typeof answer.error, 'string', text);
        assert.equal(typeof answer.message, 'string', text);
        assert.ok(String(answer.message).length > 0);
      }
      assert.ok(!text.includes(SECRET));
    }),
    {
      numRuns: RUNS,
      seed: 20261122,
      // Each hostile body signed as the tool would sign it, so it reaches the JSON reader.
      examples: HOSTILE.map((hostile) => [{ body: hostile, signature: 'valid', contentType: 'application/json', path: '/stackflow', method: 'POST', encoding: 'utf8' }]),
    },
  );
  console.log(`inbound fuzz: ${RUNS} requests; answers by status ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  const writes = [...tandem.emulator.calls.jira.keys()].filter((op) => !op.startsWith('GET '));
  assert.deepEqual(writes, [], 'no Jira write');
  assert.equal(state(), before, 'no stored state changed (health and the refused-calls count aside)');
  assert.equal(tandem.emulator.calls.queuePushes, 0, 'nothing queued');
});

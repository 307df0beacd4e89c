import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  classifyExternalFailure,
  classifyResponse,
  explainFailure,
  extractToolMessage,
  parseRetryAfter,
  recordRestConnector,
  redactSecrets,
  secretForms,
  type DeliveryFailure,
} from '../../../src/connectors';
import { ExternalFailure } from '../../../src/sync/ports';
import type { Auth } from '../../../src/mapping';
import { clock, fakePort, restConnection } from './fake-port';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const ctx = { url: 'https://acme.example.com/api/incidents', secretForms: [] as string[], nowMs: NOW };
const classify = (status: number, body = '', headers: Record<string, string> = {}) => classifyResponse({ status, headers, body }, ctx);

test('5xx, 429 and 408 are transient; every other 4xx is permanent', () => {
  for (const status of [500, 502, 503, 504, 599, 429, 408]) assert.equal(classify(status).retry, 'transient', String(status));
  for (const status of [400, 401, 403, 404, 405, 409, 410, 413, 418, 422, 451]) assert.equal(classify(status).retry, 'permanent', String(status));
  assert.equal(classify(503).reason, 'server-error');
  assert.equal(classify(429).reason, 'rate-limited');
  assert.equal(classify(301).reason, 'redirect');
});

test('permanent failures explain themselves in plain words', () => {
  assert.equal(classify(401).reason, 'token-rejected');
  assert.match(classify(401).explanation, /token was rejected.*replace it in the connection/i);
  assert.match(classify(403).explanation, /not allowed to do this.*check its role in the tool/i);
  assert.match(classify(404).explanation, /no such record or the URL is wrong/i);
  assert.equal(classify(409).reason, 'conflict');
  assert.equal(classify(422).reason, 'unprocessable');
  assert.equal(classify(400).reason, 'bad-request');
  assert.equal(classify(418).reason, 'client-error');
  assert.equal(classify(500).status, 500);
});

test('no answer: network and timeout are transient, egress refusal is permanent and names the host', () => {
  const c = { url: 'https://acme.example.com/api/x', secretForms: [] };
  const network = classifyExternalFailure(new ExternalFailure('network', 'Could not reach acme.example.com: ECONNRESET'), c);
  assert.deepEqual([network.retry, network.reason], ['transient', 'network']);
  assert.match(network.toolMessage ?? '', /ECONNRESET/);
  const timeout = classifyExternalFailure(new ExternalFailure('timeout', 'slow'), c);
  assert.deepEqual([timeout.retry, timeout.reason], ['transient', 'timeout']);
  assert.match(timeout.explanation, /10 s/);
  const denied = classifyExternalFailure(new ExternalFailure('egress-denied', 'nope'), c);
  assert.deepEqual([denied.retry, denied.reason], ['permanent', 'egress-denied']);
  assert.equal(denied.explanation, "Tandem's Forge permissions do not allow requests to acme.example.com.");
});

test('Retry-After: seconds, HTTP date, past date, garbage', () => {
  assert.equal(parseRetryAfter('120', NOW), 120);
  assert.equal(parseRetryAfter(' 0 ', NOW), 0);
  assert.equal(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW), 90);
  assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW), 0);
  assert.equal(parseRetryAfter('soon', NOW), undefined);
  assert.equal(parseRetryAfter('-5', NOW), undefined);
  assert.equal(parseRetryAfter('1.5', NOW), undefined);
  assert.equal(parseRetryAfter(undefined, NOW), undefined);
  assert.equal(classify(429, '', { 'retry-after': '30' }).retryAfterSeconds, 30);
  assert.equal(classify(503, '', { 'retry-after': new Date(NOW + 5000).toUTCString() }).retryAfterSeconds, 5);
  assert.equal(classify(429).retryAfterSeconds, undefined);
  // A permanent failure is not retried, so its Retry-After means nothing.
  assert.equal(classify(400, '', { 'retry-after': '30' }).retryAfterSeconds, undefined);
});

test('the tool message is read from the usual JSON shapes, or the text', () => {
  assert.equal(extractToolMessage('{"error":"bad token"}'), 'bad token');
  assert.equal(extractToolMessage('{"message":"nope"}'), 'nope');
  assert.equal(extractToolMessage('{"error":{"message":"Invalid table","detail":"incidentz"},"status":"failure"}'), 'Invalid table: incidentz');
  assert.equal(extractToolMessage('{"errors":["a is required","b is too long"]}'), 'a is required; b is too long');
  assert.equal(extractToolMessage('{"errors":[{"field":"priority","message":"unknown"}]}'), 'priority: unknown');
  assert.equal(extractToolMessage('{"errors":{"priority":["unknown value"]}}'), 'priority: unknown value');
  assert.equal(extractToolMessage('{"detail":"Not found."}'), 'Not found.');
  assert.equal(extractToolMessage('{"detail":[{"loc":["body","state"],"msg":"field required"}]}'), 'body.state: field required');
  assert.equal(extractToolMessage('{"errorMessages":["Issue does not exist"]}'), 'Issue does not exist');
  assert.equal(extractToolMessage('Service Unavailable'), 'Service Unavailable');
  assert.equal(extractToolMessage('<html><head><style>p{}</style></head><body><h1>502 Bad Gateway</h1></body></html>', 'text/html')?.replace(/\s+/g, ' ').trim(), '502 Bad Gateway');
  assert.equal(extractToolMessage('{not json'), '{not json');
  assert.equal(extractToolMessage(''), undefined);
  // JSON with no message field: the raw answer is still the most useful thing to show.
  assert.equal(extractToolMessage('{"ok":false}'), '{"ok":false}');
});

test('the tool message is trimmed to about 500 characters, whitespace collapsed', () => {
  const failure = classify(400, JSON.stringify({ message: `line one\n\n   ${'x'.repeat(2000)}` }));
  assert.ok((failure.toolMessage ?? '').length <= 500);
  assert.ok(failure.toolMessage?.startsWith('line one x'));
});

test('redaction replaces every form of the secret, and gives up rather than leak', () => {
  const forms = secretForms(['s3cr3t/+='], 'ops@acme.com');
  const echoed = `token s3cr3t/+= enc ${encodeURIComponent('s3cr3t/+=')} basic ${Buffer.from('ops@acme.com:s3cr3t/+=').toString('base64')}`;
  const clean = redactSecrets(echoed, forms) ?? '';
  for (const form of forms) assert.ok(!clean.includes(form));
  assert.match(clean, /\[redacted\]/);
  assert.equal(redactSecrets('nothing here', forms), 'nothing here');
});

test('explainFailure gives the Test connection verdicts', () => {
  const f = (reason: DeliveryFailure['reason']): DeliveryFailure => ({ retry: 'permanent', reason, explanation: 'x' });
  assert.equal(explainFailure(undefined).verdict, 'ok');
  assert.equal(explainFailure(f('token-rejected')).verdict, 'token-rejected');
  assert.equal(explainFailure(f('forbidden')).verdict, 'forbidden');
  assert.equal(explainFailure(f('not-found')).verdict, 'wrong-url');
  assert.equal(explainFailure(f('network')).verdict, 'unreachable');
  assert.equal(explainFailure(f('timeout')).verdict, 'unreachable');
  assert.equal(explainFailure(f('egress-denied')).verdict, 'host-not-allowed');
  assert.equal(explainFailure(f('server-error')).verdict, 'tool-error');
});

// A malicious or careless tool echoes the credentials back in every way it can think of.
const secretArb = fc.oneof(
  fc.string({ minLength: 8, maxLength: 64 }),
  fc.string({ unit: 'binary', minLength: 8, maxLength: 40 }),
  fc.stringMatching(/^[A-Za-z0-9_\-.~+/=]{8,64}$/),
);

function echoes(secret: string, username: string): string[] {
  const basic = Buffer.from(`${username}:${secret}`).toString('base64');
  return [
    JSON.stringify({ error: `invalid token ${secret}` }),
    JSON.stringify({ error: { message: `Bearer ${secret} rejected`, detail: secret } }),
    JSON.stringify({ errors: [secret, { message: `Basic ${basic}` }] }),
    JSON.stringify({ message: `you sent ${encodeURIComponent(secret)}` }),
    `plain text: ${secret} / ${basic}`,
    `${'y'.repeat(495)}${secret}`,
    JSON.stringify({ detail: JSON.stringify({ headers: { authorization: `Bearer ${secret}` } }) }),
  ];
}

test('property: a secret echoed by the tool never reaches toolMessage or explanation', async () => {
  await fc.assert(
    fc.asyncProperty(secretArb, fc.constantFrom(400, 401, 403, 404, 422, 429, 500), fc.constantFrom('bearer', 'basic', 'header'), async (secret, status, kind) => {
      const username = 'ops@acme.com';
      const auth: Auth = kind === 'basic' ? { kind, username } : kind === 'header' ? { kind, headerName: 'X-Api-Key' } : { kind };
      const connection = restConnection({ auth });
      for (const body of echoes(secret, username)) {
        const tool = recordRestConnector(connection, secret, fakePort({ status, headers: {}, body }), { clock });
        const result = await tool.getRecord({ module: 'incidents', id: '1' });
        assert.equal(result.ok, false);
        if (result.ok) return;
        const { toolMessage = '', explanation } = result.failure;
        for (const shown of [toolMessage, explanation]) {
          assert.ok(!shown.includes(secret), `secret leaked in ${JSON.stringify(shown)}`);
          if (kind === 'basic') assert.ok(!shown.includes(Buffer.from(`${username}:${secret}`).toString('base64')));
        }
      }
    }),
    { numRuns: 150 },
  );
});

test('property: a secret in a network error message is redacted too', () => {
  fc.assert(
    fc.property(secretArb, (secret) => {
      const failure = classifyExternalFailure(new ExternalFailure('network', `socket hang up after sending ${secret}`), {
        url: 'https://acme.example.com/x',
        secretForms: secretForms([secret]),
      });
      assert.ok(!(failure.toolMessage ?? '').includes(secret));
      assert.ok(!failure.explanation.includes(secret));
    }),
  );
});

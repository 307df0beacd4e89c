// Edge cases of the inbound path on in-memory ports (test/support/memory-ports.ts): an event that
// arrives after a newer change from Jira, or while a delivery of its issue holds the sync lock, in
// milliseconds and without the emulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signTandemRequest } from '../../../devkit/external/signing';
import { hashValue } from '../../../src/mapping';
import { handleInbound } from '../../../src/sync/inbound';
import type { JiraIssue } from '../../../src/sync/ports';
import { CONFIG_KEY, failureSubjectKey, inboundSecretKey, issueStateKey, recordIndexKey, syncLockKey, type Link } from '../../../src/sync/state';
import { memoryPorts } from '../../support/memory-ports';

const SECRET = 'inbound-secret-for-memory-tests';
const connection = {
  id: 'sf',
  name: 'StackFlow',
  protocol: 'record-rest',
  baseUrl: 'https://acme.stackflow-tech.com/prod',
  auth: { kind: 'none' },
  projects: [{ projectKey: 'OPS', issueType: 'Bug', module: 'incidents' }],
  fields: [{ jira: 'summary', tool: 'short_description' }],
};
const issue: JiraIssue = {
  id: '10001',
  key: 'OPS-1',
  fields: { summary: 'Checkout fails for EU cards', updated: '2026-12-06T08:59:00.000+0000' },
  project: { key: 'OPS' },
  issueType: { name: 'Bug' },
  status: { name: 'To Do', categoryKey: 'new' },
  users: {},
};

/**
 * A linked record whose summary Jira changed last, at `jiraChangedAt`; then the tool's event. With
 * `lockTakenAt`, a delivery of the issue to the tool took the pair's sync lock then and holds it.
 */
async function toolChangeAfterJira(jiraChangedAt: number, occurredAt: number, options: { lockTakenAt?: number } = {}) {
  const edits: Array<Record<string, unknown>> = [];
  const ports = memoryPorts({
    jira: {
      getIssue: async () => structuredClone(issue),
      editIssue: async (_id, fields) => {
        edits.push(fields);
        return undefined;
      },
      setIssueProperty: async () => undefined,
      // The summary's last change in Jira, by a person.
      recentChangelog: async () => [{ created: new Date(jiraChangedAt).toISOString(), author: { accountId: 'person-1' }, items: [{ fieldId: 'summary', field: 'summary' }] }],
      appAccountId: async () => 'tandem-app',
    },
  });
  const at = new Date(jiraChangedAt).toISOString();
  const link: Link = {
    connectionId: 'sf',
    module: 'incidents',
    externalId: 'inc-7',
    url: 'https://acme.stackflow-tech.com/prod/records/incidents/inc-7',
    issueKey: 'OPS-1',
    shadow: { fields: { short_description: hashValue('Checkout fails for EU cards') }, updatedAt: at, changed: { short_description: { side: 'jira', at } } },
    linkedAt: at,
  };
  await ports.store.writeAll([
    { key: CONFIG_KEY, value: { version: 1, connections: [connection] } },
    { key: issueStateKey('10001'), value: { links: { sf: link } } },
    { key: recordIndexKey('sf', 'incidents', 'inc-7'), value: { issueId: '10001', issueKey: 'OPS-1' } },
  ]);
  if (options.lockTakenAt !== undefined) {
    const lock = syncLockKey('sf', failureSubjectKey({ kind: 'issue', issueId: '10001', issueKey: 'OPS-1' }));
    await ports.store.create(lock, { at: new Date(options.lockTakenAt).toISOString(), holder: 'queue-delivery-1' }, 120);
  }
  await ports.store.setSecret(inboundSecretKey('sf'), SECRET);
  const startedAt = ports.clock.now();
  const body = JSON.stringify({
    eventId: 'evt-1',
    type: 'record.updated',
    occurredAt: new Date(occurredAt).toISOString(),
    record: { module: 'incidents', id: 'inc-7', fields: { short_description: 'Checkout fails' } },
  });
  const signature = signTandemRequest(SECRET, body, Math.floor(ports.clock.now() / 1000));
  const answer = await handleInbound(ports, {
    method: 'POST',
    path: '/',
    userPath: '/sf',
    headers: { 'content-type': ['application/json'], 'x-tandem-signature': [signature] },
    queryParameters: {},
    body,
  });
  return { answer, edits, queued: ports.queued, waitedMs: ports.clock.now() - startedAt };
}

test('a tool change older than the newer Jira change of the same field is not applied', async () => {
  const now = Date.UTC(2026, 11, 6, 9, 0);
  const { answer, edits } = await toolChangeAfterJira(now - 60_000, now - 120_000);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(edits, [], 'Jira keeps its newer summary');
  assert.equal(answer.body.status, 'unchanged', JSON.stringify(answer.body));
});

test('the same tool change made after the Jira change is applied', async () => {
  const now = Date.UTC(2026, 11, 6, 9, 0);
  const { answer, edits } = await toolChangeAfterJira(now - 120_000, now - 60_000);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(edits, [{ summary: 'Checkout fails' }]);
});

const lockCases = [
  { title: 'has just taken the sync lock waits a moment for it, then is queued', takenAgoMs: 1_000, waits: true },
  { title: 'has held the sync lock past a live delivery’s time is queued at once, without waiting for it', takenAgoMs: 30_000, waits: false },
];
for (const { title, takenAgoMs, waits } of lockCases) {
  test(`a tool change while a delivery of its issue ${title}`, async () => {
    const now = Date.UTC(2026, 11, 6, 9, 0);
    const { answer, edits, queued, waitedMs } = await toolChangeAfterJira(now - 120_000, now - 60_000, { lockTakenAt: now - takenAgoMs });
    assert.equal(answer.body.status, 'queued', JSON.stringify(answer.body));
    assert.deepEqual(edits, []);
    assert.equal(queued.length, 1, 'the event is queued');
    // The test's clock moves only when the use case sleeps: this is how long it waited, not how long the test took.
    if (waits) assert.ok(waitedMs >= 3_000, `it waited for the delivery first (${waitedMs} ms)`);
    else assert.equal(waitedMs, 0, 'no time spent waiting for a slow or dead try');
  });
}

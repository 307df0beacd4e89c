// Edge cases of the outbound delivery on in-memory ports (test/support/memory-ports.ts): what Tandem
// decides when Jira fails under a delivery, in milliseconds and without the emulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDelivery } from '../../../src/sync/outbound';
import { JiraRequestError, type JiraPort } from '../../../src/sync/ports';
import { CONFIG_KEY, failureKey, failureSchema, failureSubjectKey } from '../../../src/sync/state';
import { memoryPorts } from '../../support/memory-ports';

const connection = {
  id: 'sf',
  name: 'StackFlow',
  protocol: 'record-rest',
  baseUrl: 'https://acme.stackflow-tech.com/prod',
  auth: { kind: 'none' },
  projects: [{ projectKey: 'OPS', issueType: 'Bug', module: 'incidents' }],
};
const subject = { kind: 'issue', issueId: '10001', issueKey: 'OPS-1' } as const;

async function deliverWhileJira(getIssue: JiraPort['getIssue'], attempt: number) {
  const ports = memoryPorts({ jira: { getIssue, setIssueProperty: async () => undefined } });
  await ports.store.set(CONFIG_KEY, { version: 1, connections: [connection] });
  await runDelivery(ports, { ...subject, connectionId: 'sf', attempt });
  const kept = failureSchema.parse(await ports.store.get(failureKey('sf', failureSubjectKey(subject))));
  return { ports, kept };
}

test('Jira busy under a delivery: it is tried again when Jira said, and shows as retrying with the cause', async () => {
  const { ports, kept } = await deliverWhileJira(() => Promise.reject(new JiraRequestError(503, 'GET issue', 'Jira is busy', 30)), 1);
  assert.deepEqual(
    ports.queued.map((q) => [q.message.delivery, q.delayInSeconds]),
    [[{ ...subject, kind: 'issue', connectionId: 'sf', attempt: 2 }, 30]],
  );
  assert.equal(kept.retry, 'transient');
  assert.equal(kept.nextAttemptAt, new Date(ports.clock.now() + 30_000).toISOString());
  assert.equal(ports.external.requests.length, 0, 'nothing reached the tool');
});

test("Jira busy on a delivery's last attempt: no further try is queued, and the failure is kept for Retry", async () => {
  const { ports, kept } = await deliverWhileJira(() => Promise.reject(new JiraRequestError(503, 'GET issue', 'Jira is busy', 30)), 8);
  assert.deepEqual(ports.queued, []);
  assert.equal(kept.nextAttemptAt, undefined);
  assert.equal(kept.retry, 'transient');
});

test('Jira refusing the read (403): not tried again by itself, kept with its cause', async () => {
  const { ports, kept } = await deliverWhileJira(() => Promise.reject(new JiraRequestError(403, 'GET issue', 'The app may not browse OPS')), 1);
  assert.deepEqual(ports.queued, []);
  assert.equal(kept.retry, 'permanent');
  assert.equal(kept.nextAttemptAt, undefined);
  assert.match(kept.explanation, /browse OPS/);
});

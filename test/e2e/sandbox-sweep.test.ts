// The sandbox's controls for lost events and the sweep, over HTTP: with every Jira event lost
// (`/__sandbox/faults` `productEvents.drop`) a new bug gets no incident; `POST /__sandbox/sweep`
// runs the reconciliation sweep and the incident is made.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../devkit/sandbox/sandbox';
import { waitFor } from '../support/sandbox-process';
import { DEFAULT_SEARCH_LAG_MS } from '../../devkit/jira/search-index';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ port: 0 });
});

after(async () => {
  await sandbox?.stop();
});

async function post(path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const answer = await fetch(`${sandbox.info.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await answer.text();
  return { status: answer.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

test('a bug whose events were all lost gets its incident from the sweep the sandbox runs on request', async () => {
  assert.equal((await post('/__sandbox/faults', { productEvents: { drop: 1 } })).status, 200);
  const created = await sandbox.jira.rest({ kind: 'user', accountId: sandbox.info.demoAdmin.accountId }, 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Printer queue stuck' },
  });
  assert.equal(created.status, 201);
  const key = (created.body as { key: string }).key;
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(sandbox.itsm.records('incidents').find((r) => r.jira_issue_key === key), undefined, 'the lost event made nothing');

  const cleared = await fetch(`${sandbox.info.baseUrl}/__sandbox/faults`, { method: 'DELETE' });
  assert.ok(cleared.status < 300);
  // The sweep searches Jira, whose search has the new bug a moment after it was made.
  await new Promise((resolve) => setTimeout(resolve, DEFAULT_SEARCH_LAG_MS));
  const swept = await post('/__sandbox/sweep');
  assert.deepEqual(swept, { status: 200, body: { outcome: 'ok' } });
  const incident = await waitFor('the sweep makes the incident', () => Promise.resolve(sandbox.itsm.records('incidents').find((r) => r.jira_issue_key === key)), 10_000);
  assert.equal(incident.short_description, 'Printer queue stuck');
});

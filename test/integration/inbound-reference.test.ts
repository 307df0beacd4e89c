// A record made in the tool becomes a Jira issue, and the tool gets the issue's key and address back
// as the record's external reference, through the ordinary delivery path: so the tool can show the
// issue and search by its key, the write-back is never echoed into Jira, and a tool failure delays it
// (retried, or kept for the admin) without losing it.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceItsm } from '../../devkit/external/itsm';
import type { FailuresResponse, RetryResponse } from '../../src/contract/admin';
import { findPreset } from '../../src/mapping';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const SECRET = 'reference-inbound-secret-81b2';
const TOKEN = 'itsm-token-reference';
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;
let itsmUrl: string;

before(async () => {
  tandem = await startTandem();
  itsm = new ReferenceItsm({ token: TOKEN, retryDelaysMs: [0] });
  itsmUrl = await itsm.listen();
  itsm.setOutbound({ url: `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`, secret: SECRET });
});

after(async () => {
  await itsm.close();
  await tandem.stop();
});

beforeEach(async () => {
  itsm.clearFaults();
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow', baseUrl: itsmUrl, id: 'stackflow' });
  await configure(tandem.emulator, { version: 1, connections: [connection] }, { 'connection:stackflow:inbound': SECRET, 'connection:stackflow:auth': TOKEN });
});

/** Waits until the tool's events and Tandem's deliveries have all run. */
async function quiet(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await itsm.whenIdle();
    await tandem.emulator.drain();
  }
}

async function search(issueKey: string): Promise<Array<{ id: string; jira_issue_key: string | null; jira_issue_url: string | null }>> {
  const response = await fetch(`${itsmUrl}/api/incidents?jira_issue_key=${encodeURIComponent(issueKey)}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(response.status, 200);
  return ((await response.json()) as { result: Array<{ id: string; jira_issue_key: string | null; jira_issue_url: string | null }> }).result;
}

/** Where a person opens the issue on this site. */
async function browseUrl(issueKey: string): Promise<string> {
  const read = await tandem.rest({ kind: 'user', accountId: tandem.admin.accountId }, 'GET', `/rest/api/3/issue/${issueKey}`);
  return `${new URL(String((read.body as { self: unknown }).self)).origin}/browse/${issueKey}`;
}

const jiraWrites = () => [...tandem.emulator.calls.jira.entries()].filter(([op]) => !op.startsWith('GET ')).map(([op, n]) => `${op} ×${n}`);
const issueFor = (recordId: string) => tandem.jira.listIssues().find((i) => i.remoteLinks.some((l) => l.globalId === `tandem:stackflow:incidents:${recordId}`));

test('an incident made in the tool gets its Jira key and address back, and the tool finds it by key', async () => {
  const record = itsm.createRecord('incidents', { short_description: 'VPN drops every hour', priority: 'P2' });
  await quiet();
  const issue = issueFor(record.id);
  assert.ok(issue, 'the incident became a Jira issue');
  const found = await search(issue.key);
  assert.deepEqual(found.map((r) => r.id), [record.id], `GET /api/incidents?jira_issue_key=${issue.key} finds the incident`);
  assert.equal(found[0]?.jira_issue_url, await browseUrl(issue.key));

  // The tool tells Tandem about the write-back like any change: nothing of it goes into Jira.
  const echoed = itsm.outbox.filter((e) => e.event.type === 'record.updated' && e.event.record.id === record.id);
  assert.equal(echoed.length, 1, 'the tool sent the write-back as a change');
  assert.equal(echoed[0]?.attempts.at(-1)?.status, 200);
  tandem.emulator.calls.reset();
  itsm.updateRecord('incidents', record.id, { jira_issue_key: issue.key });
  await quiet();
  assert.deepEqual(jiraWrites(), [], 'no Jira write from the echo');
  assert.equal(tandem.jira.getIssue(issue.key)?.summary, 'VPN drops every hour');
  assert.deepEqual(tandem.emulator.contractViolations, []);
});

test('while the tool fails, the write-back waits on the delivery queue and arrives once it answers', async () => {
  const record = itsm.createRecord('incidents', { short_description: 'Printer queue frozen' });
  itsm.setFaults({ status: 503, retryAfterSeconds: 20 });
  await itsm.whenIdle();
  await tandem.emulator.settle();
  const issue = issueFor(record.id);
  assert.ok(issue);
  assert.equal(itsm.record('incidents', record.id)?.jira_issue_key, null, 'not written while the tool answers 503');

  itsm.clearFaults();
  await quiet();
  assert.equal(itsm.record('incidents', record.id)?.jira_issue_key, issue.key);
  assert.deepEqual((await search(issue.key)).map((r) => r.id), [record.id]);
});

test('a write-back the tool refuses is kept for the admin, and Retry writes it', async () => {
  const record = itsm.createRecord('incidents', { short_description: 'Disk alert on db-7' });
  itsm.setFaults({ status: 422, message: 'Record is locked for editing' });
  await quiet();
  const issue = issueFor(record.id);
  assert.ok(issue);
  const listed = await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey: 'getFailures', payload: {}, accountId: tandem.admin.accountId }) as FailuresResponse;
  assert.ok(listed.ok);
  const kept = listed.failures.find((f) => f.subject.issueKey === issue.key);
  assert.ok(kept, 'the refused write-back is listed with the failures');
  assert.match(kept.toolMessage ?? kept.explanation, /locked/);

  itsm.clearFaults();
  const retried = (await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey: 'retryFailure', payload: { id: kept.id }, accountId: tandem.admin.accountId })) as RetryResponse;
  assert.ok(retried.ok, JSON.stringify(retried));
  await quiet();
  assert.equal(itsm.record('incidents', record.id)?.jira_issue_key, issue.key);
  assert.equal(itsm.record('incidents', record.id)?.jira_issue_url, await browseUrl(issue.key));
});

// A project mapping's JQL filter governs deletes too. An issue the filter kept out, never synced, is
// deleted without a word to the tool, whatever the connection does on a Jira delete; an issue that
// was synced while it matched and left the filter since is still linked to its record, so the
// connection's delete option (here: close the record) applies to it, as the admin set it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceItsm } from '../../devkit/external/itsm';
import { findPreset, type Connection } from '../../src/mapping';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-filter-deletes';
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;

before(async () => {
  tandem = await startTandem();
  itsm = new ReferenceItsm({ token: TOKEN, retryDelaysMs: [0] });
  const itsmUrl = await itsm.listen();
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const built = preset.build({ name: 'StackFlow', baseUrl: itsmUrl, id: 'stackflow' });
  const connection: Connection = {
    ...built,
    options: { ...built.options, onJiraDelete: 'close' },
    projects: built.projects.map((p) => (p.projectKey === 'OPS' ? { ...p, jql: 'labels = customer' } : p)),
  };
  await configure(tandem.emulator, { version: 1, connections: [connection] }, { 'connection:stackflow:auth': TOKEN });
});

after(async () => {
  await itsm.close();
  await tandem.stop();
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

async function createBug(summary: string, labels: string[]): Promise<string> {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary, labels } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await tandem.emulator.settle();
  return (created.body as { key: string }).key;
}

async function deleteIssue(key: string): Promise<void> {
  const deleted = await tandem.rest(asAgent(), 'DELETE', `/rest/api/3/issue/${key}`);
  assert.equal(deleted.status, 204);
  await tandem.emulator.settle();
}

test('an issue the filter kept out and that was never synced is deleted without any request to the tool', async () => {
  const key = await createBug('Internal typo', []);
  assert.equal(itsm.records('incidents').length, 0);
  const before = itsm.requests.length;
  await deleteIssue(key);
  assert.deepEqual(itsm.requests.slice(before).map((r) => `${r.method} ${r.path}`), []);
  assert.equal(itsm.records('incidents').length, 0);
});

test('an issue synced while it matched, then taken out of the filter, still closes its record when deleted', async () => {
  const key = await createBug('Customer cannot pay', ['customer']);
  const incident = itsm.records('incidents').find((r) => r.jira_issue_key === key);
  assert.ok(incident, 'synced while it matched');
  const unlabelled = await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${key}`, { fields: { labels: [] } });
  assert.equal(unlabelled.status, 204);
  await tandem.emulator.settle();
  await deleteIssue(key);
  assert.equal(itsm.records('incidents').find((r) => r.id === incident.id)?.state, 'closed');
});

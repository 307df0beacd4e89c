// One Jira project synced with two tools: what one tool changes reaches the other through Jira.
// Tandem's own edits do not fire its triggers, so the inbound change hands the issue to the other
// connection's delivery, which must send Tandem's write for the first tool as that tool's change.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceItsm, type ItsmRecord } from '../../devkit/external/itsm';
import { findPreset } from '../../src/mapping';
import { configure } from '../support/devkit';
import { onlyIncident, sendSigned, startStackflow, toolEvent, type StackflowOnDevkit } from '../support/stackflow';

const SECRET = 'inbound-secret-two-connections-41c2';
const TOKEN = 'itsm-token-two-connections';
const STANDBY_TOKEN = 'itsm-token-standby';
let stackflow: StackflowOnDevkit;
let standby: ReferenceItsm;

before(async () => {
  stackflow = await startStackflow({ token: TOKEN, inboundSecret: SECRET });
  standby = new ReferenceItsm({ token: STANDBY_TOKEN, retryDelaysMs: [0] });
  const standbyUrl = await standby.listen();
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  await configure(
    stackflow.tandem.emulator,
    { version: 1, connections: [preset.build({ name: 'StackFlow', baseUrl: stackflow.itsmUrl, id: 'stackflow' }), preset.build({ name: 'StackFlow standby', baseUrl: standbyUrl, id: 'standby' })] },
    { 'connection:stackflow:auth': TOKEN, 'connection:stackflow:inbound': SECRET, 'connection:standby:auth': STANDBY_TOKEN, 'connection:standby:inbound': 'inbound-secret-standby' },
  );
});

after(async () => {
  await standby.close();
  await stackflow.stop();
});

/** A bug made in Jira by a person: each tool gets a record of it. Returns its key and the first tool's record. */
async function bugWithTwoRecords(summary: string): Promise<{ key: string; first: ItsmRecord }> {
  const { tandem, itsm } = stackflow;
  const created = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary },
  });
  assert.equal(created.status, 201);
  const { key } = created.body as { key: string };
  await tandem.emulator.drain();
  assert.equal(onlyIncident(standby, key).short_description, summary, 'each tool has a record of the issue');
  return { key, first: onlyIncident(itsm, key) };
}

test('a change one tool makes reaches the other tool linked to the same issue, and is not sent back to the tool that made it', async () => {
  const { tandem, itsm } = stackflow;
  const { key, first } = await bugWithTwoRecords('Queue backlog growing');

  const updatesBefore = itsm.requests.filter((r) => r.method === 'PATCH').length;
  itsm.updateRecord('incidents', first.id, { short_description: 'Queue backlog growing on worker-7' });
  const record = { module: 'incidents', id: first.id, number: first.number, url: itsm.recordUrl('incidents', first.id), fields: { short_description: 'Queue backlog growing on worker-7', priority: first.priority, state: first.state } };
  const answer = await sendSigned(stackflow.inboundUrl, SECRET, toolEvent('record.updated', record));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  await tandem.emulator.drain();
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Queue backlog growing on worker-7');
  assert.equal(onlyIncident(standby, key).short_description, 'Queue backlog growing on worker-7', 'the other tool gets the change');
  assert.equal(itsm.requests.filter((r) => r.method === 'PATCH').length, updatesBefore, 'the tool that made it is sent nothing back');
});

test('a change from one tool whose try died after Jira applied it reaches the other tool when the tool sends the event again', async () => {
  const { tandem, itsm } = stackflow;
  const { key, first } = await bugWithTwoRecords('Replica lag alarm');
  itsm.updateRecord('incidents', first.id, { short_description: 'Replica lag alarm on db-7' });
  const record = { module: 'incidents', id: first.id, number: first.number, url: itsm.recordUrl('incidents', first.id), fields: { short_description: 'Replica lag alarm on db-7', priority: first.priority, state: first.state } };
  const sent = toolEvent('record.updated', record);
  // The web trigger dies at its first storage write after Jira applied the change.
  tandem.emulator.crashes.set({ next: 1, after: 'tool-or-jira-write', functionKey: 'on-inbound' });
  const died = await sendSigned(stackflow.inboundUrl, SECRET, sent);
  tandem.emulator.crashes.clear();
  assert.ok(died.status >= 500, JSON.stringify(died.body));
  assert.equal(tandem.jira.getIssue(key)?.summary, 'Replica lag alarm on db-7', 'Jira applied it before the kill');
  await tandem.emulator.advance(130_000);
  const again = await sendSigned(stackflow.inboundUrl, SECRET, sent);
  assert.equal(again.status, 200, JSON.stringify(again.body));
  await tandem.emulator.drain();
  assert.equal(onlyIncident(standby, key).short_description, 'Replica lag alarm on db-7', 'the other tool gets the change');
});

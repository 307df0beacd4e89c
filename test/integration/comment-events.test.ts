// Comment events as Forge sends them: the author as an account id only, an edit as another
// `commented`, and every comment change also as an issue update with a Comment changelog item.
// Tandem names the author in the work note (one user read per delivery) and spends nothing on the
// issue update that only says a comment changed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceItsm } from '../../devkit/external/itsm';
import { findPreset } from '../../src/mapping';
import { configure, startTandem, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-comment-events';
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;

const doc = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

before(async () => {
  tandem = await startTandem();
  itsm = new ReferenceItsm({ token: TOKEN, retryDelaysMs: [0] });
  const url = await itsm.listen();
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow', baseUrl: url, id: 'stackflow' });
  await configure(tandem.emulator, { version: 1, connections: [{ ...connection, auth: { kind: 'bearer' } }] }, { 'connection:stackflow:auth': TOKEN });
});

after(async () => {
  await itsm.close();
  await tandem.stop();
});

test('a comment, its edit and its deletion: the note names the author, and the issue updates they fire cost no Jira call', async () => {
  const agent = { kind: 'user' as const, accountId: tandem.agent.accountId };
  const created = await tandem.rest(agent, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Disk full' } });
  const issue = created.body as { id: string; key: string };
  await tandem.emulator.settle();
  const incident = itsm.records('incidents').find((r) => r.jira_issue_key === issue.key);
  assert.ok(incident);

  tandem.emulator.calls.reset();
  const comment = (await tandem.rest(agent, 'POST', `/rest/api/3/issue/${issue.key}/comment`, { body: doc('Cleared /var/log') })).body as { id: string };
  await tandem.emulator.settle();
  const notes = itsm.notes('incidents', String(incident.id));
  assert.equal(notes.length, 1);
  assert.match(String(notes[0]?.body), /^\*\*Sam Agent\*\* commented/);
  assert.equal(tandem.emulator.calls.jira.get('GET /rest/api/3/user') ?? 0, 1, 'the name is read once');
  assert.equal(tandem.emulator.calls.jira.get('GET /rest/api/3/issue/{issueIdOrKey}') ?? 0, 0, 'the issue update that only says "a comment changed" reads nothing');

  await tandem.rest(agent, 'PUT', `/rest/api/3/issue/${issue.key}/comment/${comment.id}`, { body: doc('Cleared /var/log and rotated') });
  await tandem.emulator.settle();
  assert.match(String(itsm.notes('incidents', String(incident.id))[0]?.body), /rotated/);
  await tandem.rest(agent, 'DELETE', `/rest/api/3/issue/${issue.key}/comment/${comment.id}`);
  await tandem.emulator.settle();
  assert.equal(itsm.notes('incidents', String(incident.id)).length, 0);
  assert.equal(tandem.emulator.calls.jira.get('GET /rest/api/3/issue/{issueIdOrKey}') ?? 0, 0);
  assert.ok(tandem.emulator.invocations.every((i) => i.outcome === 'ok'), 'nothing failed or asked for a retry');
});

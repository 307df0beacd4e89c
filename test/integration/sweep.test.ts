// The reconciliation sweep on the devkit: with 5% of Jira's product events and 5% of the tool's web
// trigger calls lost, some pairs drift apart; one run of the scheduled trigger brings every pair
// back in line through the ordinary deliveries. A sweep with nothing to do costs only its searches,
// and a connection's sweep runs again only once its interval has passed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceItsm, seededRandom } from '../../devkit/external/itsm';
import { findPreset } from '../../src/mapping';
import type { SweepsResponse } from '../../src/contract/admin';
import { configure, startTandem, stored, type TandemOnDevkit } from '../support/devkit';

const SECRET = 'sweep-inbound-secret-5e1f';
const TOKEN = 'itsm-token-sweep';
const SEARCH = 'POST /rest/api/3/search/jql';
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;

before(async () => {
  tandem = await startTandem();
  itsm = new ReferenceItsm({ token: TOKEN, retryDelaysMs: [0] });
  const url = await itsm.listen();
  itsm.setOutbound({ url: `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`, secret: SECRET });
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow', baseUrl: url, id: 'stackflow' });
  await configure(tandem.emulator, { version: 1, connections: [connection] }, { 'connection:stackflow:inbound': SECRET, 'connection:stackflow:auth': TOKEN });
});

after(async () => {
  await itsm.close();
  await tandem.stop();
});

async function quiet(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await itsm.whenIdle();
    await tandem.emulator.drain();
  }
}

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

/** Pairs that disagree: an OPS bug without an incident of its summary, an incident without an issue of its title. */
function drift(): string[] {
  const problems: string[] = [];
  const incidents = itsm.records('incidents');
  for (const issue of tandem.jira.listIssues().filter((i) => i.key.startsWith('OPS-'))) {
    const record = incidents.find((r) => r.jira_issue_key === issue.key);
    if (!record) problems.push(`${issue.key} has no incident`);
    else if (record.short_description !== issue.summary) problems.push(`${issue.key} "${issue.summary}" ≠ ${record.number} "${record.short_description}"`);
  }
  for (const record of incidents) {
    if (!record.jira_issue_key) problems.push(`${record.number} has no issue`);
  }
  return problems;
}

test('with 5% of events lost each way, one sweep brings every pair back in line', async () => {
  tandem.emulator.dropProductEvents(0.05, seededRandom(13));
  itsm.setFaults({ seed: 13, events: { drop: 0.05 } });
  const issues: string[] = [];
  for (let i = 0; i < 20; i++) {
    const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: `Checkout error ${i}` } });
    issues.push((created.body as { key: string }).key);
  }
  await quiet();
  for (const key of issues) await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${key}`, { fields: { summary: `Checkout error on ${key}, edited` } });
  const made = Array.from({ length: 20 }, (_, i) => itsm.createRecord('incidents', { short_description: `Mail bounce ${i}`, priority: 'P3' }));
  await quiet();
  for (const record of made) itsm.updateRecord('incidents', record.id, { short_description: `${record.short_description}, edited in the tool` });
  await quiet();

  const lost = tandem.emulator.droppedEvents.length + itsm.outbox.filter((e) => e.state === 'dropped').length;
  assert.ok(lost > 0, 'some events were lost');
  assert.ok(drift().length > 0, 'the lost events left pairs apart');

  tandem.emulator.dropProductEvents(0);
  itsm.setFaults({});
  await tandem.searchCaughtUp();
  assert.equal(await tandem.emulator.runScheduledTrigger('tandem-sweep'), 'ok');
  await quiet();
  assert.deepEqual(drift(), [], 'every pair agrees after one sweep');
  const sweeps = (await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey: 'getSweeps', payload: {}, accountId: tandem.admin.accountId })) as SweepsResponse;
  assert.ok(sweeps.ok, JSON.stringify(sweeps));
  const last = sweeps.sweeps.find((s) => s.connectionId === 'stackflow');
  assert.equal(last?.finished, true, 'the admin page shows the last sweep, finished');
  assert.ok((last?.queued ?? 0) > 0, 'with what it queued');
  assert.ok((last?.issuesCompared ?? 0) >= 20 && (last?.recordsCompared ?? 0) >= 20, 'and what it compared');
});

test('a sweep with nothing to do costs only its searches; the next waits for the connection’s interval', async () => {
  await tandem.emulator.advance(61 * 60 * 1000);
  await quiet();
  tandem.emulator.calls.reset();
  await tandem.searchCaughtUp();
  assert.equal(await tandem.emulator.runScheduledTrigger('tandem-sweep'), 'ok');
  await quiet();
  const calls = tandem.emulator.calls.snapshot();
  assert.deepEqual(calls.jira, { [SEARCH]: 1 }, 'Jira: one page of its search, nothing else');
  assert.equal(calls.queuePushes, 0, 'nothing queued');
  assert.ok(Object.keys(calls.egress).every((op) => op.startsWith('GET ')), `the tool: its listing only (${Object.keys(calls.egress).join(', ')})`);
  assert.equal(Object.values(calls.egress).reduce((a, b) => a + b, 0), 1, 'the tool: one page of its listing, nothing else');
  assert.deepEqual(drift(), []);

  tandem.emulator.calls.reset();
  await tandem.emulator.advance(10 * 60 * 1000);
  await tandem.searchCaughtUp();
  assert.equal(await tandem.emulator.runScheduledTrigger('tandem-sweep'), 'ok');
  assert.equal(tandem.emulator.calls.jira.get(SEARCH) ?? 0, 0, 'an hourly connection is not swept again after ten minutes');
});

test('a sweep that stops at its limits goes on at the next run, and moves its watermark only when done', async () => {
  const { forgePorts } = await import('../../src/platform/ports');
  const { sweepConnection } = await import('../../src/sync/sweep');
  const config = (await stored(tandem.emulator, 'config')) as { connections: Array<Parameters<typeof sweepConnection>[1]> };
  const connection = config.connections[0];
  assert.ok(connection);
  tandem.emulator.dropProductEvents(1);
  const keys: string[] = [];
  for (let i = 0; i < 12; i++) {
    const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: `Lost bug ${i}` } });
    keys.push((created.body as { key: string }).key);
  }
  tandem.emulator.dropProductEvents(0);
  await tandem.searchCaughtUp();
  await tandem.emulator.kvs.handle('/api/v1/delete', { key: 'sweep-turn:stackflow' });
  const before = (await stored(tandem.emulator, 'sweep:stackflow')) as { watermark?: string };
  const compared: number[] = [];
  for (let run = 0; run < 20; run++) {
    await sweepConnection(forgePorts, connection, Date.now() + 60_000, { pages: 1, pageSize: 5 });
    const state = (await stored(tandem.emulator, 'sweep:stackflow')) as { watermark?: string; run?: { issuesCompared: number }; last?: { finished: boolean; issuesCompared: number } };
    compared.push(state.last?.issuesCompared ?? 0);
    if (state.last?.finished) break;
    assert.equal(state.watermark, before.watermark, 'the watermark stays until the sweep is done');
  }
  assert.ok(compared.length >= 3, `several runs (${compared.join(', ')} issues compared after each)`);
  assert.equal(compared[0], 5, 'the first run stopped after its one page of five');
  assert.ok(compared.every((n, i) => i === 0 || n >= (compared[i - 1] ?? 0)), 'each run goes on from the last');
  await quiet();
  for (const key of keys) assert.ok(itsm.records('incidents').some((r) => r.jira_issue_key === key), `${key} got its incident`);
  const after = (await stored(tandem.emulator, 'sweep:stackflow')) as { watermark?: string; run?: unknown };
  assert.notEqual(after.watermark, before.watermark);
  assert.equal(after.run, undefined);
});

test('a connection Jira refuses to search for is noted on its last sweep, and the others are still swept', async () => {
  const config = (await stored(tandem.emulator, 'config')) as { version: number; connections: Array<{ id: string; name: string; projects: Array<{ projectKey: string }> }> };
  const stackflow = config.connections[0];
  assert.ok(stackflow);
  const ghost = { ...structuredClone(stackflow), id: 'ghost', name: 'Ghost', projects: stackflow.projects.map((p) => ({ ...p, projectKey: 'NOPE' })) };
  await configure(tandem.emulator, { ...config, connections: [ghost, stackflow] });
  await tandem.emulator.advance(61 * 60 * 1000);
  tandem.emulator.calls.reset();
  await tandem.searchCaughtUp();
  assert.equal(await tandem.emulator.runScheduledTrigger('tandem-sweep'), 'ok');
  const sweeps = (await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey: 'getSweeps', payload: {}, accountId: tandem.admin.accountId })) as SweepsResponse;
  assert.ok(sweeps.ok);
  assert.match(sweeps.sweeps.find((s) => s.connectionId === 'ghost')?.note ?? '', /Stopped: Jira answered 400/);
  assert.equal(tandem.emulator.calls.jira.get(SEARCH), 2, 'StackFlow was swept after the refused one');
  await configure(tandem.emulator, config);
});

// The platform's faults around Tandem: an invocation dying between its tool write and its storage
// write (the emulator's crash hook), and product events delivered late or twice (the sandbox's
// ProductEventFaults over the emulator's holdProductEvents / deliverProductEvent).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceItsm } from '../../../devkit/external/itsm';
import { ProductEventFaults } from '../../../devkit/sandbox/faults';
import { findPreset } from '../../../src/mapping';
import { issueStateKey } from '../../../src/sync/state';
import { configure, startTandem, stored, type TandemOnDevkit } from '../../support/devkit';

const TOKEN = 'itsm-token-platform-faults';
let tandem: TandemOnDevkit;
let itsm: ReferenceItsm;

before(async () => {
  tandem = await startTandem();
  itsm = new ReferenceItsm({ token: TOKEN, retryDelaysMs: [0] });
  const baseUrl = await itsm.listen();
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = { ...preset.build({ name: 'StackFlow', baseUrl, id: 'stackflow' }), auth: { kind: 'bearer' as const } };
  await configure(tandem.emulator, { version: 1, connections: [connection] }, { 'connection:stackflow:auth': TOKEN });
});

after(async () => {
  await itsm.close();
  await tandem.stop();
});

async function createBug(summary: string): Promise<{ id: string; key: string }> {
  const created = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', {
    fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary },
  });
  assert.equal(created.status, 201);
  return created.body as { id: string; key: string };
}

test('crash: the invocation dies at its first storage write after a tool write; the tool has the record, storage has no link; it is retried', async () => {
  const { emulator } = tandem;
  emulator.crashes.set({ next: 1 });
  const before = emulator.invocations.length;
  const issue = await createBug('Crashes after the create');
  await emulator.settle();
  assert.equal(emulator.crashes.crashed.length, 1);
  const crash = emulator.crashes.crashed[0];
  assert.match(crash?.kvsPath ?? '', /^\/api\/v1\/(set|transaction|batch\/set|delete)/);
  const crashedRun = emulator.invocations.slice(before).find((i) => /FUNCTION_OUT_OF_MEMORY/.test(i.error ?? ''));
  assert.equal(crashedRun?.outcome, 'error');
  assert.equal(crashedRun.functionKey, crash?.functionKey);
  assert.equal(itsm.records('incidents').filter((r) => r.jira_issue_key === issue.key || r.short_description === 'Crashes after the create').length, 1, 'the tool made the record');

  // The platform retries the trigger; one crash was asked for, so the retry runs to the end.
  await emulator.drain();
  assert.ok(emulator.invocations.length > before + 1, 'the trigger ran again');
  assert.equal(emulator.crashes.crashed.length, 1);
  assert.notEqual(await stored(emulator, issueStateKey(issue.id)), undefined, 'the retry saved the link');
});

test('crash: an invocation that wrote nothing to the tool never crashes; rate 0 and clear switch it off', async () => {
  const { emulator } = tandem;
  emulator.crashes.set({ rate: 1 });
  const count = emulator.crashes.crashed.length;
  // The admin resolver writes storage but makes no tool request.
  await emulator.kvs.handle('/api/v1/set', { key: 'unrelated', value: 1 });
  assert.equal(emulator.crashes.crashed.length, count);
  emulator.crashes.clear();
  assert.deepEqual(emulator.crashes.settings, { rate: 0, next: 0 });
});

test('product events: late ones wait on the clock, doubled ones come twice; clearing delivers what is held', async () => {
  const { emulator } = tandem;
  const faults = new ProductEventFaults(emulator, emulator.clock, () => 0);
  faults.set({ late: 1, duplicate: 1, maxDelayMs: 5_000 });
  const runs = (): number => emulator.invocations.filter((i) => i.kind === 'trigger').length;
  const before = runs();
  // Draws of 0 make each event late by 0 ms and its copy by 0 ms: both due at once.
  await createBug('Twice');
  faults.pump();
  await emulator.settle();
  assert.equal(runs() - before, 2, 'the event and its copy');
  assert.equal(faults.counts.duplicated, 1);

  const later = new ProductEventFaults(emulator, emulator.clock, () => 0.5);
  faults.clear();
  later.set({ late: 1, maxDelayMs: 4_000 });
  const held = runs();
  await createBug('Late');
  later.pump();
  await emulator.settle();
  assert.equal(runs(), held, 'held for 2 s');
  assert.equal(later.pending, 1);
  await emulator.advance(2_000);
  later.pump();
  await emulator.settle();
  assert.equal(runs(), held + 1);
  later.clear();
  await emulator.drain();
});

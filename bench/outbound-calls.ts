// Platform calls per outbound change kind (create, field update, comment) on the emulator with
// Tandem's real code and the reference ITSM, next to the least the design needs.
import { ReferenceItsm } from '../devkit/external/itsm';
import type { ForgeEmulator } from '../devkit/forge/emulator';
import { findPreset } from '../src/mapping';
import { authSecretKey } from '../src/sync/state';
import { configure, startTandem } from '../test/support/devkit';

const RUNS = 20;

function perChange(emulator: ForgeEmulator, itsm: ReferenceItsm, before: number): string[] {
  const calls = emulator.calls.snapshot();
  const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  const lines = [
    `    jira  ${(total(calls.jira) / RUNS).toFixed(2)}  (${Object.entries(calls.jira).map(([k, v]) => `${k} ×${(v / RUNS).toFixed(2)}`).join(', ')})`,
    `    kvs   ${(total(calls.kvs) / RUNS).toFixed(2)}  (${Object.entries(calls.kvs).map(([k, v]) => `${k} ×${(v / RUNS).toFixed(2)}`).join(', ')})`,
    `    queue ${(calls.queuePushes / RUNS).toFixed(2)}`,
    `    tool  ${((itsm.requests.length - before) / RUNS).toFixed(2)}`,
  ];
  emulator.calls.reset();
  return lines;
}

export async function outboundCallsReport(): Promise<string[]> {
  const tandem = await startTandem();
  const itsm = new ReferenceItsm({ token: 'bench-token', retryDelaysMs: [0] });
  const baseUrl = await itsm.listen();
  try {
    const preset = findPreset('stackflow-itsm');
    if (!preset) return ['outbound calls: the StackFlow preset is missing'];
    const connection = { ...preset.build({ name: 'StackFlow', baseUrl, id: 'stackflow' }), auth: { kind: 'bearer' as const } };
    await configure(tandem.emulator, { version: 1, connections: [connection] }, { [authSecretKey('stackflow')]: 'bench-token' });
    const agent = { kind: 'user' as const, accountId: tandem.agent.accountId };
    const lines = ['outbound platform calls per change (emulator + reference ITSM, mean of 20):'];
    const keys: string[] = [];

    tandem.emulator.calls.reset();
    let before = itsm.requests.length;
    for (let i = 0; i < RUNS; i += 1) {
      const created = await tandem.rest(agent, 'POST', '/rest/api/3/issue', {
        fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: `Bench ${i}`, priority: { name: 'High' } },
      });
      keys.push((created.body as { key: string }).key);
    }
    await tandem.emulator.settle();
    lines.push('  create (least: 1 batched KVS read, 1 lock, 1 tool request, 1 KVS write, Jira link + label)', ...perChange(tandem.emulator, itsm, before));

    before = itsm.requests.length;
    for (const key of keys) await tandem.rest(agent, 'PUT', `/rest/api/3/issue/${key}`, { fields: { summary: `Edited ${key}` } });
    await tandem.emulator.settle();
    lines.push('  field update (least: ≤ 1 Jira GET, 1 batched KVS read, 1 tool request, 1 KVS write)', ...perChange(tandem.emulator, itsm, before));

    before = itsm.requests.length;
    for (const key of keys) {
      await tandem.rest(agent, 'POST', `/rest/api/3/issue/${key}/comment`, { body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Looking into it' }] }] } });
    }
    await tandem.emulator.settle();
    lines.push('  comment (least: 1 batched KVS read, 1 lock, 1 note read, 1 token, 1 create written down before it is sent, 1 tool request, 1 KVS write with the lock’s release)', ...perChange(tandem.emulator, itsm, before));
    lines.push('  (the extra KVS read on each tool request is the connection token from secret storage)');
    return lines;
  } finally {
    await itsm.close();
    await tandem.stop();
  }
}

if (require.main === module) void outboundCallsReport().then((lines) => console.log(lines.join('\n')));

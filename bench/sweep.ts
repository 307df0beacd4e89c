// Platform calls of the reconciliation sweep over unchanged issues (the common case: events arrived),
// and the issue property writes of the sync state in JQL: one when an issue's state changes, none
// when a change leaves it as it was. Emulator + reference ITSM, Tandem's real code.
import { ReferenceItsm } from '../devkit/external/itsm';
import { findPreset } from '../src/mapping';
import { authSecretKey } from '../src/sync/state';
import { configure, startTandem, stored } from '../test/support/devkit';

const ISSUES = Number(process.env.SWEEP_BENCH_ISSUES ?? 1000);
const PROPERTY_PUT = 'PUT /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}';

export async function sweepReport(): Promise<string[]> {
  const tandem = await startTandem();
  const itsm = new ReferenceItsm({ token: 'bench-token', retryDelaysMs: [0] });
  const baseUrl = await itsm.listen();
  try {
    const preset = findPreset('stackflow-itsm');
    if (!preset) return ['sweep: the StackFlow preset is missing'];
    const connection = { ...preset.build({ name: 'StackFlow', baseUrl, id: 'stackflow' }), auth: { kind: 'bearer' as const } };
    await configure(tandem.emulator, { version: 1, connections: [connection] }, { [authSecretKey('stackflow')]: 'bench-token' });
    const agent = { kind: 'user' as const, accountId: tandem.agent.accountId };
    const keys: string[] = [];
    tandem.emulator.calls.reset();
    for (let i = 0; i < ISSUES; i += 1) {
      const created = await tandem.rest(agent, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: `Bench ${i}` } });
      keys.push((created.body as { key: string }).key);
      if (i % 50 === 49) await tandem.emulator.settle();
    }
    await tandem.emulator.drain();
    const made = tandem.emulator.calls.jira.get(PROPERTY_PUT) ?? 0;
    tandem.emulator.calls.reset();
    for (const key of keys.slice(0, 100)) await tandem.rest(agent, 'PUT', `/rest/api/3/issue/${key}`, { fields: { summary: `Edited ${key}` } });
    await tandem.emulator.drain();
    const edited = tandem.emulator.calls.jira.get(PROPERTY_PUT) ?? 0;
    const lines = [
      `sync state property (${ISSUES} bugs made, then 100 edited; one property write when a state changes):`,
      `  property writes: ${made} for ${ISSUES} new links, ${edited} for 100 edits that kept their issues in sync`,
    ];

    // A sweep that looks back over every issue (its first: a day back), none of them differing; runs until it finishes.
    tandem.emulator.calls.reset();
    const before = itsm.requests.length;
    let runs = 0;
    for (; runs < 10; runs += 1) {
      await tandem.emulator.runScheduledTrigger('tandem-sweep');
      const state = (await stored(tandem.emulator, 'sweep:stackflow')) as { run?: unknown } | undefined;
      if (!state?.run) break;
    }
    const calls = tandem.emulator.calls.snapshot();
    const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    lines.push(
      `reconciliation sweep over ${ISSUES} unchanged issues and their incidents (${runs + 1} runs of at most 5 pages a listing):`,
      `  jira  ${total(calls.jira)}  (${Object.entries(calls.jira).map(([k, v]) => `${k} ×${v}`).join(', ')})`,
      `  kvs   ${total(calls.kvs)}  (${Object.entries(calls.kvs).map(([k, v]) => `${k} ×${v}`).join(', ')})`,
      `  queue ${calls.queuePushes}`,
      `  tool  ${itsm.requests.length - before}  (listing pages)`,
      `  per 1,000 unchanged issues: jira ${((total(calls.jira) * 1000) / ISSUES).toFixed(1)}, kvs ${((total(calls.kvs) * 1000) / ISSUES).toFixed(1)}, queue ${((calls.queuePushes * 1000) / ISSUES).toFixed(1)}, tool ${(((itsm.requests.length - before) * 1000) / ISSUES).toFixed(1)}`,
    );
    return lines;
  } finally {
    await itsm.close();
    await tandem.stop();
  }
}

if (require.main === module) void sweepReport().then((lines) => console.log(lines.join('\n')));

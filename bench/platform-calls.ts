// Prints what one Jira change costs on the platform: Jira REST calls, KVS operations, queue pushes
// and egress, measured on the emulator with the app's real code.
import { startTandem } from '../test/support/devkit';

export async function platformCallsReport(): Promise<string[]> {
  const tandem = await startTandem();
  try {
    const lines = ['platform calls per change (emulator, real SDKs):'];
    const runs = 20;
    tandem.emulator.calls.reset();
    for (let i = 0; i < runs; i += 1) {
      await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', {
        fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: `Bench issue ${i}` },
      });
    }
    await tandem.emulator.settle();
    const calls = tandem.emulator.calls.snapshot();
    lines.push(`  issue created (${runs} runs, per change):`);
    for (const [what, n] of Object.entries(calls.jira)) lines.push(`    jira  ${what.padEnd(48)} ${(n / runs).toFixed(2)}`);
    for (const [what, n] of Object.entries(calls.kvs)) lines.push(`    kvs   ${what.padEnd(48)} ${(n / runs).toFixed(2)}`);
    lines.push(`    queue pushes ${''.padEnd(41)} ${(calls.queuePushes / runs).toFixed(2)}`);
    for (const [what, n] of Object.entries(calls.egress)) lines.push(`    tool  ${what.padEnd(48)} ${(n / runs).toFixed(2)}`);
    const durations = tandem.emulator.invocations.map((i) => i.durationMs).sort((a, b) => a - b);
    const median = durations[Math.floor(durations.length / 2)] ?? 0;
    lines.push(`  invocations: ${durations.length}, median ${median} ms, slowest ${durations.at(-1) ?? 0} ms`);
    return lines;
  } finally {
    await tandem.stop();
  }
}

if (require.main === module) void platformCallsReport().then((lines) => console.log(lines.join('\n')));

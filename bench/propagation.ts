// Propagation under faults: a seeded chaos run (bench/chaos.ts) with and without faults, and the time
// from a change on one side until the other side shows it (p50/p90/p99, on the run's clock).
import { formatPercentiles, runChaos } from './chaos';

const CHANGES = 120;
const SEED = 1;

export async function propagationReport(): Promise<string[]> {
  const lines = [`propagation (${CHANGES} changes from both sides, seed ${SEED}; time on the run's clock):`];
  for (const faults of [false, true]) {
    const report = await runChaos({ changes: CHANGES, seed: SEED, faults });
    const counts = Object.entries(report.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(
      `  ${faults ? 'with faults' : 'no faults'}:`,
      `    Jira → tool  ${formatPercentiles(report.propagation.jiraToTool)}`,
      `    tool → Jira  ${formatPercentiles(report.propagation.toolToJira)}`,
      `    quiescence ${(report.quiescenceMs / 1000).toFixed(1)} s after the last change; ${counts}`,
    );
  }
  return lines;
}

if (require.main === module) void propagationReport().then((lines) => console.log(lines.join('\n')));

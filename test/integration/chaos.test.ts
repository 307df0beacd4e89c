// A small seeded chaos run (bench/chaos.ts): the sandbox driven from both sides while the tool, Jira
// and the platform fail, then every pair checked once everything has settled. Nothing may be lost,
// duplicated, resurrected, diverged or echoed. Timings are printed by `npm run chaos`, never asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport, runChaos } from '../../bench/chaos';

test('40 changes from both sides under faults converge: nothing lost, duplicated, resurrected, diverged or echoed', async (t) => {
  const report = await runChaos({ changes: 40, seed: 3 });
  for (const line of formatReport(report)) t.diagnostic(line);
  assert.deepEqual(report.counts, { lost: 0, duplicated: 0, resurrected: 0, diverged: 0, echoes: 0 }, formatReport(report).join('\n'));
});

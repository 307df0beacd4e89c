// Sync existing, both ways: what one job costs per issue (Jira → tool) and per record (tool → Jira) —
// Jira requests and rate-limit points, KVS calls, queue pushes, tool requests — and how long it takes
// at the default budget (the emulator's virtual time: the steps' waits are the budget's pace).
// Emulator + reference ITSM, Tandem's real code. BULK_BENCH_ISSUES and BULK_BENCH_RECORDS set the
// sizes (default 1,000 each; the issue's target figure is 10,000: the run time here grows linearly,
// see docs/operations.md for measured sizes).
import { ReferenceItsm } from '../devkit/external/itsm';
import type { BulkJobView } from '../src/contract/admin';
import { findPreset } from '../src/mapping';
import { authSecretKey } from '../src/sync/state';
import { configure, startTandem } from '../test/support/devkit';

const ISSUES = Number(process.env.BULK_BENCH_ISSUES ?? 1000);
const RECORDS = Number(process.env.BULK_BENCH_RECORDS ?? 1000);

export async function bulkReport(): Promise<string[]> {
  const tandem = await startTandem();
  const itsm = new ReferenceItsm({ token: 'bench-token', retryDelaysMs: [0] });
  const baseUrl = await itsm.listen();
  try {
    const preset = findPreset('stackflow-itsm');
    if (!preset) return ['bulk: the StackFlow preset is missing'];
    const agent = { kind: 'user' as const, accountId: tandem.agent.accountId };
    // Made before the connection: nothing syncs them but the job.
    for (let i = 0; i < ISSUES; i += 1) await tandem.rest(agent, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: `Existing ${i}` } });
    await tandem.emulator.drain();
    const connection = { ...preset.build({ name: 'StackFlow', baseUrl, id: 'stackflow' }), auth: { kind: 'bearer' as const } };
    await configure(tandem.emulator, { version: 1, connections: [connection] }, { [authSecretKey('stackflow')]: 'bench-token' });
    const call = (functionKey: string, payload: unknown) => tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey, payload, accountId: tandem.admin.accountId });
    const scope = { kind: 'all', projectKey: 'OPS', issueType: 'Bug' };
    tandem.emulator.calls.reset();
    await call('startBulkSync', { connectionId: 'stackflow', scope, matchRule: 'reference', total: ISSUES });
    const virtualStart = tandem.emulator.clock.now();
    const wallStart = Date.now();
    const toolBefore = itsm.requests.length;
    await tandem.emulator.drain(30 * 24 * 60 * 60 * 1000);
    const calls = tandem.emulator.calls.snapshot();
    const job = ((await call('getBulkSync', { connectionId: 'stackflow' })) as { job?: BulkJobView }).job;
    const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    const per = (n: number) => (n / ISSUES).toFixed(2);
    return [
      `sync existing, Jira → tool: ${ISSUES} issues, status ${job?.status ?? 'unknown'} (${job?.counts.created ?? 0} created, ${job?.counts.failed ?? 0} failed)`,
      `  jira   ${total(calls.jira)} requests, ${per(total(calls.jira))} an issue (${Object.entries(calls.jira).map(([k, v]) => `${k} ×${v}`).join(', ')})`,
      `  points ${job?.points ?? 0} counted by the job, ${per(job?.points ?? 0)} an issue`,
      `  kvs    ${total(calls.kvs)} calls, ${per(total(calls.kvs))} an issue`,
      `  queue  ${calls.queuePushes} pushes (steps of 25 issues: the least is ${Math.ceil(ISSUES / 25)})`,
      `  tool   ${itsm.requests.length - toolBefore} requests, ${per(itsm.requests.length - toolBefore)} an issue`,
      `  time   ${((tandem.emulator.clock.now() - virtualStart) / 3_600_000).toFixed(2)} h at ${job?.budgetPointsPerHour ?? 0} points an hour (virtual); ${((Date.now() - wallStart) / 1000).toFixed(1)} s to run here`,
    ];
  } finally {
    await itsm.close();
    await tandem.stop();
  }
}

/** Tool → Jira: a module's records made before the connection, each becoming an issue. */
export async function bulkRecordsReport(): Promise<string[]> {
  const tandem = await startTandem();
  const itsm = new ReferenceItsm({ token: 'bench-token', retryDelaysMs: [0] });
  const baseUrl = await itsm.listen();
  try {
    const preset = findPreset('stackflow-itsm');
    if (!preset) return ['bulk: the StackFlow preset is missing'];
    for (let i = 0; i < RECORDS; i += 1) itsm.createRecord('incidents', { short_description: `Existing incident ${i}`, priority: 'P3' });
    const connection = { ...preset.build({ name: 'StackFlow', baseUrl, id: 'stackflow' }), auth: { kind: 'bearer' as const } };
    await configure(tandem.emulator, { version: 1, connections: [connection] }, { [authSecretKey('stackflow')]: 'bench-token' });
    const call = (functionKey: string, payload: unknown) => tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey, payload, accountId: tandem.admin.accountId });
    tandem.emulator.calls.reset();
    await call('startBulkSync', { connectionId: 'stackflow', scope: { kind: 'records', module: 'incidents' }, matchRule: 'reference', total: RECORDS });
    const virtualStart = tandem.emulator.clock.now();
    const wallStart = Date.now();
    const toolBefore = itsm.requests.length;
    await tandem.emulator.drain(30 * 24 * 60 * 60 * 1000);
    const calls = tandem.emulator.calls.snapshot();
    const job = ((await call('getBulkSync', { connectionId: 'stackflow' })) as { job?: BulkJobView }).job;
    const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    const per = (n: number) => (n / RECORDS).toFixed(2);
    const toolRequests = itsm.requests.slice(toolBefore);
    const listings = toolRequests.filter((r) => r.method === 'GET').length;
    return [
      `sync existing, tool → Jira: ${RECORDS} records, status ${job?.status ?? 'unknown'} (${job?.counts.created ?? 0} created, ${job?.counts.failed ?? 0} failed)`,
      `  jira   ${total(calls.jira)} requests, ${per(total(calls.jira))} a record (${Object.entries(calls.jira).map(([k, v]) => `${k} ×${v}`).join(', ')})`,
      `  points ${job?.points ?? 0} counted by the job, ${per(job?.points ?? 0)} a record (the job's steps only; the key write-back deliveries are the live path's)`,
      `  kvs    ${total(calls.kvs)} calls, ${per(total(calls.kvs))} a record`,
      `  queue  ${calls.queuePushes} pushes (job steps of 25 records, the least ${Math.ceil(RECORDS / 25)}, plus one delivery a record writing its issue key back)`,
      `  tool   ${toolRequests.length} requests, ${per(toolRequests.length)} a record (${listings} reads: listing pages and record reads; ${toolRequests.length - listings} writes)`,
      `  time   ${((tandem.emulator.clock.now() - virtualStart) / 3_600_000).toFixed(2)} h at ${job?.budgetPointsPerHour ?? 0} points an hour (virtual); ${((Date.now() - wallStart) / 1000).toFixed(1)} s to run here`,
    ];
  } finally {
    await itsm.close();
    await tandem.stop();
  }
}

if (require.main === module) {
  void (async () => {
    if (process.argv.includes('--records')) console.log((await bulkRecordsReport()).join('\n'));
    else if (process.argv.includes('--issues')) console.log((await bulkReport()).join('\n'));
    else console.log([...(await bulkReport()), ...(await bulkRecordsReport())].join('\n'));
  })();
}

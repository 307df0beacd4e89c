// What one inbound record.updated (a field change and a state change) costs on the platform, next
// to the least the design needs, and how long the web trigger's handler takes per event. Runs
// Tandem's real code on the emulator over HTTP, signed as a tool signs; figures are printed only.
import { VirtualClock } from '../devkit/forge/clock';
import type { ForgeEmulator } from '../devkit/forge/emulator';
import { signTandemRequest } from '../devkit/external/itsm';
import { findPreset } from '../src/mapping';
import { inboundSecretKey } from '../src/sync/state';
import { configure, startTandem } from '../test/support/devkit';

const SECRET = 'bench-inbound-secret';
/**
 * Records the updates cycle over; each update changes the summary and moves the state. Enough of
 * them that no issue nears Jira's per-issue write limit (20 per 2 s, 100 per 30 s), which would
 * queue events and muddle the figures.
 */
const RECORDS = 200;

/**
 * The least one record.updated with a field and a state change needs, per call kind
 * (docs/architecture.md, "What an update costs"): conflicts are decided against the issue as Jira
 * holds it; the lock is a call of its own (a KVS transaction cannot create a key only if absent),
 * and the link is read once the lock is held.
 */
const FLOOR = {
  jira: { total: 3, what: '1 issue read with its transitions, 1 edit, 1 transition' },
  kvs: { total: 5, what: '1 batch read of config, dedupe and record index, 1 secret, 1 sync lock, 1 batch read of link and shadow under the lock, 1 transaction' },
  queue: { total: 0, what: 'none' },
};

/** The same without the state change: no transition. */
const FIELD_ONLY_FLOOR = { ...FLOOR, jira: { total: 2, what: '1 issue read with its transitions, 1 edit' } };

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
const fixed = (n: number) => n.toFixed(2);

export async function inboundReport(events = 1000): Promise<string[]> {
  const clock = new VirtualClock();
  const tandem = await startTandem({ clock });
  try {
    const preset = findPreset('stackflow-itsm');
    if (!preset) return ['inbound: the StackFlow preset is missing'];
    const connection = preset.build({ name: 'StackFlow', baseUrl: 'https://stackflow.invalid', id: 'stackflow' });
    await configure(tandem.emulator, { version: 1, connections: [connection] }, { [inboundSecretKey('stackflow')]: SECRET });
    const url = `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`;
    let sequence = 0;
    const send = async (type: string, record: Record<string, unknown>): Promise<{ status: number; ms: number }> => {
      sequence += 1;
      const raw = JSON.stringify({ eventId: `bench-${sequence}`, type, occurredAt: new Date(clock.now()).toISOString(), record });
      const started = process.hrtime.bigint();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tandem-signature': signTandemRequest(SECRET, raw, clock.now() / 1000) },
        body: raw,
      });
      await response.text();
      return { status: response.status, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    };
    const record = (i: number, fields: Record<string, unknown>) => ({ module: 'incidents', id: `bench-${i}`, number: `INC${String(i).padStart(7, '0')}`, url: `https://stackflow.invalid/incidents/bench-${i}`, fields });
    const base = { description: 'Steps: **open checkout**', priority: 'P2' };
    for (let i = 0; i < RECORDS; i += 1) {
      const created = await send('record.created', record(i, { ...base, short_description: 'Checkout fails', state: 'new' }));
      if (created.status !== 200) return [`inbound: seeding record ${i} answered ${created.status}`];
    }
    await tandem.emulator.settle();

    // Each record's state after the seeding: moved below by the rounds of field-and-state changes.
    const states = new Map<number, string>();
    const measure = async (count: number, change: (i: number) => Record<string, unknown>): Promise<Measured> => {
      tandem.emulator.calls.reset();
      const firstInvocation = tandem.emulator.invocations.length;
      const roundTrips: number[] = [];
      const refused = new Map<number, number>();
      for (let i = 0; i < count; i += 1) {
        const answer = await send('record.updated', record(i % RECORDS, change(i)));
        roundTrips.push(answer.ms);
        if (answer.status !== 200) refused.set(answer.status, (refused.get(answer.status) ?? 0) + 1);
      }
      await tandem.emulator.settle();
      return { events: count, firstInvocation, roundTrips, refused };
    };
    const both = await measure(events, (i) => {
      const round = Math.floor(i / RECORDS);
      // Odd rounds move To Do → In Progress, even rounds back: a state change every time.
      const state = round % 2 === 0 ? 'in_progress' : 'new';
      states.set(i % RECORDS, state);
      return { ...base, short_description: `Checkout fails (${round})`, state };
    });
    const bothLines = report(tandem.emulator, both, { title: 'with a field and a state change', floor: FLOOR });
    const fieldOnly = await measure(events / 2, (i) => ({ ...base, short_description: `Checkout fails (field ${Math.floor(i / RECORDS)})`, state: states.get(i % RECORDS) ?? 'new' }));
    return [...bothLines, ...report(tandem.emulator, fieldOnly, { title: 'with a field change only', floor: FIELD_ONLY_FLOOR })];
  } finally {
    await tandem.stop();
  }
}

interface Measured {
  events: number;
  firstInvocation: number;
  roundTrips: number[];
  refused: Map<number, number>;
}

function report(emulator: ForgeEmulator, measured: Measured, what: { title: string; floor: typeof FLOOR }): string[] {
  const { events, firstInvocation, roundTrips, refused } = measured;
  const floor = what.floor;
  const calls = emulator.calls.snapshot();
  const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  const detail = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ×${fixed(v / events)}`).join(', ');
  const lines = [`inbound platform calls per record.updated ${what.title} (emulator, real SDKs, mean of ${events.toLocaleString('en-US')}):`];
  lines.push(`  jira   actual ${fixed(total(calls.jira) / events)}  floor ${floor.jira.total} (${floor.jira.what})`);
  for (const [what, n] of Object.entries(calls.jira)) lines.push(`           ${what.padEnd(52)} ${fixed(n / events)}`);
  lines.push(`  kvs    actual ${fixed(total(calls.kvs) / events)}  floor ${floor.kvs.total} (${floor.kvs.what})`);
  lines.push(`           ${detail(calls.kvs)}`);
  lines.push(`  queue  actual ${fixed(calls.queuePushes / events)}  floor ${floor.queue.total} (${floor.queue.what})`);
  if (total(calls.egress) > 0) lines.push(`  tool   ${detail(calls.egress)}`);
  if (refused.size > 0) lines.push(`  answers other than 200: ${[...refused].map(([s, n]) => `${s} ×${n}`).join(', ')}`);

  const handler = emulator.invocations
    .slice(firstInvocation)
    .filter((i) => i.kind === 'webtrigger')
    .map((i) => i.durationMs)
    .sort((a, b) => a - b);
  const trips = [...roundTrips].sort((a, b) => a - b);
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  lines.push(`  handler time per event (${handler.length} web trigger invocations, whole ms): median ${percentile(handler, 50)} ms, p99 ${percentile(handler, 99)} ms, mean ${fixed(mean(handler))} ms`);
  lines.push(`  request round trip (HTTP to the emulator and back): median ${fixed(percentile(trips, 50))} ms, p99 ${fixed(percentile(trips, 99))} ms`);
  return lines;
}

if (require.main === module) void inboundReport().then((lines) => console.log(lines.join('\n')));

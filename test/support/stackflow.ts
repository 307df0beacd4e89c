// Tandem on the devkit with one connection, `stackflow`, to the reference ITSM through the
// StackFlow preset: the set-up the inbound and outbound integration suites share. Each file starts
// one in `before`, resets it in `beforeEach` and stops it in `after`. Jira, the platform, Tandem and
// the tool read one clock (the emulator's, which tests move on), as they read one wall clock on a
// real site, so newest-wins compares times that mean the same thing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ReferenceItsm, signTandemRequest, type ItsmRecord } from '../../devkit/external/itsm';
import type { JiraActor } from '../../devkit/jira/types';
import { findPreset, type Connection } from '../../src/mapping';
import { REQUEST_TIMEOUT_MS } from '../../src/connectors/outcome';
import { activitySchema, type Activity } from '../../src/sync/state';
import { configure, startTandem, type TandemOnDevkit } from './devkit';

/** A change to the connection the preset builds. */
export type Change = (c: Connection) => Connection;

export interface StackflowOptions {
  /** The tool's API token (the connection's `auth` secret). */
  token: string;
  /** The secret the tool signs its events to Tandem with (the connection's `inbound` secret). */
  inboundSecret: string;
  /** How every configuration this file saves differs from the preset's connection. */
  base?: Change;
}

export interface InboundAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface StackflowOnDevkit {
  tandem: TandemOnDevkit;
  itsm: ReferenceItsm;
  itsmUrl: string;
  /** The inbound web trigger's address for this connection. */
  inboundUrl: string;
  /** Saves the connection (the file's base, then `change`) with both secrets. */
  configure(change?: Change): Promise<void>;
  /** Between tests: no tool faults, tool events not sent, Jira's limits cleared, held events released, the base connection saved. */
  reset(): Promise<void>;
  /** The tool sends its events to Tandem's inbound web trigger, signed. */
  toolEventsToTandem(): void;
  stop(): Promise<void>;
}

/**
 * The time Jira, the platform, Tandem and the tool share: the emulator's clock, which tests move on.
 * Tool events are dated and signed by it, as a real tool's are by the wall clock they all share.
 */
let sharedNow: () => number = () => Date.now();
export const now = (): number => sharedNow();

export async function startStackflow(options: StackflowOptions): Promise<StackflowOnDevkit> {
  const base = options.base ?? ((c: Connection) => c);
  const tandem = await startTandem({ appReadsClock: true });
  sharedNow = () => tandem.emulator.clock.now();
  // A tool holding its answer past Tandem's time limit: the limit passes at once, not in real seconds.
  const onHold = ({ method, url, holdMs }: { method: string; url: string; holdMs: number | null }) => {
    if (holdMs === null || holdMs > REQUEST_TIMEOUT_MS) tandem.emulator.passEgressDeadlines({ method, url });
  };
  const itsm = new ReferenceItsm({ token: options.token, retryDelaysMs: [0], onHold, clock: now });
  const itsmUrl = await itsm.listen();
  const inboundUrl = `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`;
  const configureConnection = async (change: Change = (c) => c): Promise<void> => {
    const preset = findPreset('stackflow-itsm');
    assert.ok(preset);
    const connection = change(base(preset.build({ name: 'StackFlow', baseUrl: itsmUrl, id: 'stackflow' })));
    await configure(tandem.emulator, { version: 1, connections: [connection] }, { 'connection:stackflow:auth': options.token, 'connection:stackflow:inbound': options.inboundSecret });
  };
  return {
    tandem,
    itsm,
    itsmUrl,
    inboundUrl,
    configure: configureConnection,
    async reset() {
      itsm.setFaults({});
      itsm.setOutbound(undefined);
      tandem.jira.rateLimit.clear();
      tandem.emulator.releaseProductEvents();
      await configureConnection();
    },
    toolEventsToTandem: () => itsm.setOutbound({ url: inboundUrl, secret: options.inboundSecret }),
    async stop() {
      await itsm.close();
      await tandem.stop();
    },
  };
}

/** Posts a tool event to an inbound web trigger, signed with `secret` as the tool would. */
export async function sendSigned(target: string, secret: string, body: unknown): Promise<InboundAnswer> {
  const raw = JSON.stringify(body);
  const response = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tandem-signature': signTandemRequest(secret, raw, now() / 1000) },
    body: raw,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A tool event about `record`, with a fresh event id. */
export function toolEvent(type: string, record: Record<string, unknown>, extra: Record<string, unknown> = {}, occurredAt = new Date(now())): Record<string, unknown> {
  return { eventId: randomUUID(), type, occurredAt: occurredAt.toISOString(), record, ...extra };
}

let incidents = 0;
/** A StackFlow incident as the tool's events carry it, with a fresh id. */
export function incident(fields: Record<string, unknown> = {}): Record<string, unknown> {
  incidents += 1;
  const id = `inc${incidents}${randomUUID().slice(0, 8)}`;
  return {
    module: 'incidents',
    id,
    number: `INC${String(incidents).padStart(7, '0')}`,
    url: `https://stackflow.example/incidents/${id}`,
    fields: { short_description: 'Checkout fails', description: 'Steps: **open checkout**', priority: 'P2', state: 'new', ...fields },
  };
}

/** Sends a new incident's record.created and waits for the key's write-back: the record and the issue made. */
export async function createdFromTool(stackflow: StackflowOnDevkit, secret: string, fields: Record<string, unknown> = {}): Promise<{ record: Record<string, unknown>; key: string }> {
  const record = incident(fields);
  const answer = await sendSigned(stackflow.inboundUrl, secret, toolEvent('record.created', record));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.status, 'created');
  // The issue key's write-back to the record runs on the delivery queue: let it finish first.
  await stackflow.tandem.emulator.settle();
  return { record, key: String(answer.body.issueKey) };
}

/** A Jira user acting (not the app). */
export const userActor = (accountId: string): JiraActor => ({ kind: 'user', accountId });

/** One paragraph of text as ADF. */
export const doc = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

/** Adds a comment to an issue as `actor`; the comment's id. */
export async function addComment(tandem: TandemOnDevkit, actor: JiraActor, key: string, text: string): Promise<string> {
  const answer = await tandem.rest(actor, 'POST', `/rest/api/3/issue/${key}/comment`, { body: doc(text) });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return (answer.body as { id: string }).id;
}

/** The one incident the tool holds for a Jira issue. */
export function onlyIncident(itsm: ReferenceItsm, key: string): ItsmRecord {
  const found = itsm.records('incidents').filter((r) => r.jira_issue_key === key);
  assert.equal(found.length, 1, `exactly one incident for ${key}`);
  const [only] = found;
  assert.ok(only);
  return only;
}

/** Until the tool's events and Tandem's deliveries have all run. */
export async function quiet(stackflow: StackflowOnDevkit): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await stackflow.itsm.whenIdle();
    await stackflow.tandem.emulator.drain();
  }
}

/** Tandem's activity log as stored, each entry read with the journal's schema. */
export async function activities(tandem: TandemOnDevkit): Promise<Activity[]> {
  const answer = await tandem.emulator.kvs.handle('/api/v1/query', { where: [{ condition: 'BEGINS_WITH', property: 'key', values: ['activity:'] }], limit: 100 });
  return (answer.body as { data: Array<{ value: unknown }> }).data.map((entry) => activitySchema.parse(entry.value));
}

/** The failures Tandem keeps, as stored. */
export async function keptFailures(tandem: TandemOnDevkit): Promise<unknown[]> {
  const answer = await tandem.emulator.kvs.handle('/api/v1/query', { where: [{ condition: 'BEGINS_WITH', property: 'key', values: ['failure:'] }], limit: 100 });
  return (answer.body as { data: unknown[] }).data;
}

/**
 * Waits for something the platform does on its own (a timer, the tool's event sender). The bound
 * is generous so a busy machine does not fail it: it only ends a wait that would never finish.
 */
export async function until(condition: () => boolean, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, 'waited too long');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

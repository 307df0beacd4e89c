// `npm run chaos -- --changes N --seed S [--no-faults] [--all] [--trace] [--crash-after-jira]`: the sandbox (Tandem on the emulated Forge
// platform, the Jira site and StackFlow) driven from both sides under faults, then checked pair by
// pair once everything has settled. Prints lost / duplicated / resurrected / diverged / echoes (all
// must be 0), time to quiescence and propagation percentiles; exits 1 when any count is not 0.
//
// Time: Jira, StackFlow and the platform share one virtual clock. It runs with real time while
// anything is in flight (a request, an invocation, an event on its way), so a slow answer costs its
// real seconds, and jumps to the next thing due when nothing is (a queued retry 30 s away costs no
// wait). Figures are in that time.
import { VirtualClock } from '../devkit/forge/clock';
import { CRASH_RETRY_REASON } from '../devkit/forge/crash';
import type { ItsmModule, ItsmRecord, WorkNote } from '../devkit/external/itsm';
import type { FaultsInput } from '../devkit/external/itsm';
import type { PlatformFaultsInput } from '../devkit/sandbox/faults';
import { startSandbox, type Sandbox } from '../devkit/sandbox/sandbox';
import type { IssueSnapshot } from '../devkit/jira/simulator';
import type { JiraActor } from '../devkit/jira/types';
import { seededRandom } from '../devkit/external/itsm';
import { failureSchema, recordIndexKey } from '../src/sync/state';

// ---------------------------------------------------------------- options and report

export interface ChaosOptions {
  changes: number;
  seed: number;
  /** Tool, Jira and platform faults while the changes are made (default true). */
  faults?: boolean;
  /** Mean wait between two changes, ms of the run's clock (default 400). */
  meanGapMs?: number;
  /** Progress lines; default none. */
  log?: (line: string) => void;
  /** Keep a timeline of every pair that has a finding (tool requests and faults, tool events, Tandem's activity, Jira comments). */
  trace?: boolean;
  /** Invocations also die after a Jira write (an issue or comment made from the tool, its link not saved yet), not only after a tool write. */
  crashAfterJira?: boolean;
}

export interface Percentiles {
  count: number;
  /** Changes never seen on the other side (superseded ones are not counted). */
  unseen: number;
  p50?: number | undefined;
  p90?: number | undefined;
  p99?: number | undefined;
  max?: number | undefined;
}

export interface ChaosCounts {
  lost: number;
  duplicated: number;
  resurrected: number;
  diverged: number;
  echoes: number;
}

export interface ChaosReport {
  options: { changes: number; seed: number; faults: boolean };
  counts: ChaosCounts;
  /** One line per finding, grouped by count. */
  findings: Record<keyof ChaosCounts, string[]>;
  /** From the last change (faults off) until nothing is running or due, ms of the run's clock. */
  quiescenceMs: number;
  /** The run's length in real time, ms. */
  realMs: number;
  propagation: { jiraToTool: Percentiles; toolToJira: Percentiles };
  /** What the faults did and what Tandem kept, for reading. */
  figures: Record<string, number>;
  /** With `trace`: per pair in a finding, what each side and Tandem did, in order. */
  traces: string[];
}

export const TOOL_FAULTS: FaultsInput = {
  // About a third of Tandem's requests to the tool fail, one way or another.
  mix: { '500': 0.04, '502': 0.03, '503': 0.05, '429': 0.04, timeoutAfter: 0.04, timeoutBefore: 0.02, resetBefore: 0.02, resetAfter: 0.03, outOfOrder: 0.03 },
  retryAfterSeconds: 2,
  timeoutMs: 10_500,
  outOfOrderMaxMs: 2_000,
  events: { duplicate: 0.1, reorder: 0.1, delayMaxMs: 3_000 },
};
export const PLATFORM_FAULTS: PlatformFaultsInput = { productEvents: { late: 0.2, duplicate: 0.1, maxDelayMs: 8_000 }, crashes: { rate: 0.05 } };
/** Every 20th Jira REST request answers 429 (Retry-After 2 s), besides Jira's per-issue write limit. */
const JIRA_EVERY = 20;

// ---------------------------------------------------------------- the model of what was done

type Field = 'summary' | 'description' | 'priority' | 'assignee' | 'status';
const FIELDS: readonly Field[] = ['summary', 'description', 'priority', 'assignee', 'status'];
type Side = 'jira' | 'tool';

interface Write {
  value: string | null;
  at: number;
  side: Side;
}

interface Pair {
  n: number;
  origin: Side;
  module: ItsmModule;
  /** Both directions (incidents) or Jira → tool only (changes). */
  twoWay: boolean;
  issueKey?: string;
  recordId?: string;
  deletedAt?: number;
  last: Partial<Record<Field, Write>>;
  /** Every change the run made to the pair's fields, for the trace. */
  made?: Array<{ at: number; line: string }>;
}

interface Remark {
  token: string;
  side: Side;
  pair: Pair;
  /** The Jira comment or work note id on the side it was written. */
  id: string;
  version: number;
  deleted: boolean;
}

interface Watch {
  side: Side;
  pair: Pair;
  field: Field | 'exists' | 'deleted' | 'remark';
  value: string | null;
  remark?: Remark;
  at: number;
}

const PRIORITY_TO_TOOL: Record<string, string> = { Highest: 'P1', High: 'P2', Medium: 'P3', Low: 'P4' };
const STATUS_TO_TOOL: Record<string, string> = { 'To Do': 'new', 'In Progress': 'in_progress', Blocked: 'on_hold', Done: 'resolved', Closed: 'closed' };
const STATES = ['new', 'in_progress', 'on_hold', 'resolved', 'closed'] as const;
const AGENT_EMAIL = 'sam.agent@stackflow.example';
const WORDS = ['amber', 'birch', 'cobalt', 'delta', 'ember', 'fjord', 'granite', 'harbor', 'indigo', 'juniper', 'kelp', 'lumen'];

const adf = (text: string): unknown => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

/** The text of an ADF document, paragraphs on their own lines. */
function adfText(doc: unknown): string {
  if (typeof doc !== 'object' || doc === null) return '';
  const node = doc as { type?: unknown; text?: unknown; content?: unknown };
  if (node.type === 'text' && typeof node.text === 'string') return node.text;
  if (!Array.isArray(node.content)) return '';
  const parts = node.content.map((child: unknown) => adfText(child));
  return node.type === 'doc' ? parts.join('\n') : parts.join('');
}

function percentiles(values: number[], unseen: number): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number | undefined => (sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  return { count: sorted.length, unseen, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- the run

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const withFaults = options.faults ?? true;
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed * 7919 + 17);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const clock = new VirtualClock();
  const began = Date.now();
  const startedAt = clock.now();
  const sandbox = await startSandbox({ port: 0, clock });
  const { jira, itsm, emulator, info } = sandbox;
  const admin = jira.findUserByEmail('ada@example.com');
  const agent = jira.findUserByEmail(AGENT_EMAIL);
  if (!admin || !agent) throw new Error('The sandbox has no Ada Admin or Sam Agent');
  const actor: JiraActor = { kind: 'user', accountId: admin.accountId };
  const emailOf = (accountId: string | null): string | null => (accountId === null ? null : (jira.getUser(accountId)?.emailAddress ?? `unknown:${accountId}`));
  const globalIdPrefix = `tandem:${info.connectionId}:`;

  const pairs: Pair[] = [];
  const remarks: Remark[] = [];
  const watches: Watch[] = [];
  const latencies: Record<Side, number[]> = { jira: [], tool: [] };
  const figures: Record<string, number> = {};
  let dirty = true;
  const unsubscribe = jira.onEvent(() => (dirty = true));
  let outboxSeen = 0;

  // ---- reading both sides

  const recordsOf = (issue: IssueSnapshot): Array<{ module: ItsmModule; id: string }> =>
    issue.remoteLinks
      .map((l) => l.globalId ?? '')
      .filter((g) => g.startsWith(globalIdPrefix))
      .map((g) => {
        const [module, id] = g.slice(globalIdPrefix.length).split(':');
        return { module: module as ItsmModule, id: id ?? '' };
      });
  /** Tandem's own pairing (its record index in storage): record id → issue id. */
  let indexAt = -1;
  let index = new Map<string, string>();
  const linkIndex = (): Map<string, string> => {
    if (indexAt === Date.now()) return index;
    const kv = emulator.kvs.entries().kv;
    index = new Map();
    for (const module of ['incidents', 'changes'] as const) {
      for (const record of itsm.records(module)) {
        const entry = kv[recordIndexKey(info.connectionId, module, record.id)] as { issueId?: unknown } | undefined;
        if (typeof entry?.issueId === 'string') index.set(record.id, entry.issueId);
      }
    }
    indexAt = Date.now();
    return index;
  };
  /** The issues holding a record: by Jira's remote link or by Tandem's index. */
  const issuesOfRecord = (recordId: string, issues: IssueSnapshot[] = jira.listIssues()): IssueSnapshot[] => {
    const indexed = linkIndex().get(recordId);
    return issues.filter((i) => i.id === indexed || recordsOf(i).some((r) => r.id === recordId));
  };
  /** The records an issue holds: by remote link or by Tandem's index. */
  const recordIdsOfIssue = (issue: IssueSnapshot): string[] => {
    const ids = new Set(recordsOf(issue).map((r) => r.id));
    for (const [recordId, issueId] of linkIndex()) if (issueId === issue.id) ids.add(recordId);
    return [...ids];
  };
  const issueOfRecord = (recordId: string): IssueSnapshot | undefined => issuesOfRecord(recordId)[0];
  /** Fills in the other side's id of a pair once Tandem has made it. */
  const resolve = (pair: Pair): void => {
    if (pair.issueKey !== undefined && pair.recordId === undefined) {
      const issue = jira.getIssue(pair.issueKey);
      // An issue deleted while Tandem made its record has neither link nor index: the record names its key.
      const found = issue ? recordIdsOfIssue(issue).find((id) => itsm.record(pair.module, id) !== undefined) : itsm.records(pair.module).find((r) => r.jira_issue_key === pair.issueKey)?.id;
      if (found) pair.recordId = found;
    }
    if (pair.recordId !== undefined && pair.issueKey === undefined) {
      const issue = issueOfRecord(pair.recordId);
      if (issue) pair.issueKey = issue.key;
    }
  };
  const jiraValue = (issue: IssueSnapshot, field: Field): string | null => {
    switch (field) {
      case 'summary':
        return issue.summary;
      case 'description':
        return adfText(issue.description).trim();
      case 'priority':
        return issue.priorityName === null ? null : (PRIORITY_TO_TOOL[issue.priorityName] ?? issue.priorityName);
      case 'assignee':
        return emailOf(issue.assigneeAccountId);
      case 'status':
        return STATUS_TO_TOOL[issue.statusName] ?? issue.statusName;
    }
  };
  const toolValue = (record: ItsmRecord, field: Field): string | null => {
    switch (field) {
      case 'summary':
        return record.short_description;
      case 'description':
        return record.description.trim();
      case 'priority':
        return record.priority;
      case 'assignee':
        return record.assigned_to;
      case 'status':
        return record.state;
    }
  };
  const issueOf = (pair: Pair): IssueSnapshot | undefined => (pair.issueKey === undefined ? undefined : jira.getIssue(pair.issueKey));
  const recordOf = (pair: Pair): ItsmRecord | undefined => (pair.recordId === undefined ? undefined : itsm.record(pair.module, pair.recordId));
  const remarkTexts = (pair: Pair, side: Side): string[] => {
    if (side === 'jira') return (issueOf(pair)?.comments ?? []).map((c) => adfText(c.body));
    return pair.recordId === undefined ? [] : itsm.notes(pair.module, pair.recordId).map((n: WorkNote) => n.body);
  };
  const remarkText = (remark: Remark): string => `remark ${remark.token}v${remark.version}`;
  const countToken = (texts: string[], token: string): number => texts.filter((t) => new RegExp(`\\b${token}v\\d+\\b`).test(t)).length;

  // ---- propagation watches

  const watch = (w: Omit<Watch, 'at'>): void => {
    // A newer change of the same thing supersedes the older one's watch.
    for (let i = watches.length - 1; i >= 0; i--) {
      const old = watches[i] as Watch;
      if (old.pair === w.pair && old.field === w.field && old.remark === w.remark) watches.splice(i, 1);
    }
    watches.push({ ...w, at: clock.now() });
    dirty = true;
  };
  const seen = (w: Watch): boolean => {
    resolve(w.pair);
    const other: Side = w.side === 'jira' ? 'tool' : 'jira';
    if (w.field === 'exists') return other === 'tool' ? recordOf(w.pair) !== undefined : issueOf(w.pair) !== undefined;
    if (w.field === 'deleted') return recordOf(w.pair)?.state === 'closed';
    if (w.field === 'remark' && w.remark) {
      const texts = remarkTexts(w.pair, other);
      return w.remark.deleted ? countToken(texts, w.remark.token) === 0 : texts.some((t) => t.includes(remarkText(w.remark as Remark)));
    }
    const field = w.field as Field;
    if (other === 'tool') {
      const record = recordOf(w.pair);
      return record !== undefined && toolValue(record, field) === w.value;
    }
    const issue = issueOf(w.pair);
    return issue !== undefined && jiraValue(issue, field) === w.value;
  };
  const checkWatches = (): void => {
    if (itsm.outbox.length !== outboxSeen) {
      outboxSeen = itsm.outbox.length;
      dirty = true;
    }
    if (!dirty) return;
    dirty = false;
    const now = clock.now();
    for (let i = watches.length - 1; i >= 0; i--) {
      const w = watches[i] as Watch;
      if (!seen(w)) continue;
      latencies[w.side].push(now - w.at);
      watches.splice(i, 1);
    }
  };

  // ---- time

  const busy = (): boolean => emulator.queue.busy || emulator.triggerRuns.busy || itsm.busy;
  const nextDue = (): number | undefined => {
    const due = [...emulator.queue.waiting(), ...emulator.triggerRuns.waiting()].map((w) => w.dueAt);
    const held = sandbox.faults.productEvents.nextDueAt();
    if (held !== undefined) due.push(held);
    return due.length === 0 ? undefined : Math.min(...due);
  };
  /** One step: hand over what is due, then let real time run (work in flight) or jump to `until`. */
  const tick = async (until: number): Promise<void> => {
    sandbox.faults.productEvents.pump();
    emulator.queue.schedule();
    emulator.triggerRuns.schedule();
    checkWatches();
    if (busy()) {
      await sleep(5);
      return;
    }
    await new Promise((r) => setImmediate(r));
    if (busy()) return;
    const target = Math.min(until, nextDue() ?? until);
    const step = target - clock.now();
    if (step > 0) clock.advance(step);
    else await sleep(1);
  };
  const runUntil = async (at: number): Promise<void> => {
    while (clock.now() < at) await tick(at);
  };

  // ---- Jira side

  const rest = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    for (let attempt = 0; ; attempt++) {
      const answer = await jira.rest(actor, method, path, body);
      // Jira's 429s meet people too: they try again a moment later.
      if (answer.status !== 429 || attempt >= 20) return answer;
      figures['driver 429s'] = (figures['driver 429s'] ?? 0) + 1;
      await runUntil(clock.now() + 1_000);
    }
  };
  const note = (pair: Pair, field: Field, value: string | null, side: Side): void => {
    pair.last[field] = { value, at: clock.now(), side };
    (pair.made ??= []).push({ at: clock.now(), line: `${side} change: ${field} → ${JSON.stringify(value)?.slice(0, 60) ?? 'null'}` });
    watch({ side, pair, field, value });
  };
  const text = (): string => `${pick(WORDS)} ${pick(WORDS)} ${Math.floor(random() * 1000)}`;

  let counter = 0;
  const jiraCreate = async (): Promise<void> => {
    const ops = random() < 0.75;
    const n = ++counter;
    const summary = `Issue ${n} ${text()}`;
    const description = `Description ${text()}`;
    const priority = pick(Object.keys(PRIORITY_TO_TOOL));
    const created = await rest('POST', '/rest/api/3/issue', {
      fields: { project: { key: ops ? 'OPS' : 'INFRA' }, issuetype: { name: ops ? 'Bug' : 'Task' }, summary, description: adf(description), priority: { name: priority } },
    });
    if (created.status !== 201) return void (figures['driver refusals'] = (figures['driver refusals'] ?? 0) + 1);
    const pair: Pair = { n, origin: 'jira', module: ops ? 'incidents' : 'changes', twoWay: ops, issueKey: (created.body as { key: string }).key, last: {} };
    pairs.push(pair);
    watch({ side: 'jira', pair, field: 'exists', value: null });
    pair.last.summary = { value: summary, at: clock.now(), side: 'jira' };
    pair.last.description = { value: description, at: clock.now(), side: 'jira' };
    pair.last.priority = { value: PRIORITY_TO_TOOL[priority] ?? null, at: clock.now(), side: 'jira' };
    pair.last.assignee = { value: null, at: clock.now(), side: 'jira' };
    pair.last.status = { value: 'new', at: clock.now(), side: 'jira' };
  };
  const jiraEdit = async (pair: Pair): Promise<void> => {
    const field = pick(['summary', 'description', 'priority', 'assignee'] as const);
    const fields: Record<string, unknown> = {};
    let value: string | null;
    if (field === 'summary') value = fields.summary = `Issue ${pair.n} ${text()}`;
    else if (field === 'description') {
      value = `Description ${text()}`;
      fields.description = adf(value);
    } else if (field === 'priority') {
      const name = pick(Object.keys(PRIORITY_TO_TOOL));
      fields.priority = { name };
      value = PRIORITY_TO_TOOL[name] ?? null;
    } else {
      const assign = random() < 0.6;
      fields.assignee = assign ? { accountId: agent.accountId } : null;
      value = assign ? AGENT_EMAIL : null;
    }
    // Setting the value a field holds already is no change: Jira records none, and neither side can see it (as toolEdit).
    const before = issueOf(pair);
    if (!before || jiraValue(before, field) === value) return;
    const answer = await rest('PUT', `/rest/api/3/issue/${pair.issueKey ?? ''}`, { fields });
    if (answer.status === 204) note(pair, field, value, 'jira');
  };
  const jiraTransition = async (pair: Pair): Promise<void> => {
    const listed = await rest('GET', `/rest/api/3/issue/${pair.issueKey ?? ''}/transitions?expand=transitions.fields`);
    const transitions = (listed.body as { transitions?: Array<{ id: string; to: { name: string }; fields?: Record<string, { required: boolean }> }> }).transitions ?? [];
    if (transitions.length === 0) return;
    const chosen = pick(transitions);
    const moved = await rest('POST', `/rest/api/3/issue/${pair.issueKey ?? ''}/transitions`, {
      transition: { id: chosen.id },
      ...(chosen.fields?.resolution?.required ? { fields: { resolution: { name: 'Done' } } } : {}),
    });
    if (moved.status === 204) note(pair, 'status', STATUS_TO_TOOL[chosen.to.name] ?? chosen.to.name, 'jira');
  };
  const jiraDelete = async (pair: Pair): Promise<void> => {
    const answer = await rest('DELETE', `/rest/api/3/issue/${pair.issueKey ?? ''}`);
    if (answer.status !== 204) return;
    pair.deletedAt = clock.now();
    watch({ side: 'jira', pair, field: 'deleted', value: null });
  };
  const jiraComment = async (pair: Pair): Promise<void> => {
    const remark: Remark = { token: `J${++counter}x`, side: 'jira', pair, id: '', version: 1, deleted: false };
    const answer = await rest('POST', `/rest/api/3/issue/${pair.issueKey ?? ''}/comment`, { body: adf(remarkText(remark)) });
    if (answer.status !== 201) return;
    remark.id = (answer.body as { id: string }).id;
    remarks.push(remark);
    watch({ side: 'jira', pair, field: 'remark', value: null, remark });
  };
  const jiraCommentEdit = async (remark: Remark): Promise<void> => {
    const answer = await rest('PUT', `/rest/api/3/issue/${remark.pair.issueKey ?? ''}/comment/${remark.id}`, { body: adf(remarkText({ ...remark, version: remark.version + 1 })) });
    if (answer.status !== 200) return;
    remark.version += 1;
    watch({ side: 'jira', pair: remark.pair, field: 'remark', value: null, remark });
  };
  const jiraCommentDelete = async (remark: Remark): Promise<void> => {
    const answer = await rest('DELETE', `/rest/api/3/issue/${remark.pair.issueKey ?? ''}/comment/${remark.id}`);
    if (answer.status !== 204) return;
    remark.deleted = true;
    watch({ side: 'jira', pair: remark.pair, field: 'remark', value: null, remark });
  };

  // ---- tool side (people in StackFlow: not subject to the faults of Tandem's requests)

  const toolCreate = (): void => {
    const n = ++counter;
    const summary = `Record ${n} ${text()}`;
    const description = `Description ${text()}`;
    const priority = pick(['P1', 'P2', 'P3', 'P4']);
    const record = itsm.createRecord('incidents', { short_description: summary, description, priority });
    const pair: Pair = { n, origin: 'tool', module: 'incidents', twoWay: true, recordId: record.id, last: {} };
    pairs.push(pair);
    watch({ side: 'tool', pair, field: 'exists', value: null });
    const at = clock.now();
    pair.last = {
      summary: { value: summary, at, side: 'tool' },
      description: { value: description, at, side: 'tool' },
      priority: { value: priority, at, side: 'tool' },
      assignee: { value: null, at, side: 'tool' },
      status: { value: 'new', at, side: 'tool' },
    };
  };
  const toolEdit = (pair: Pair): void => {
    const field = pick(['summary', 'description', 'priority', 'assignee', 'status', 'status'] as const);
    let value: string | null;
    const patch: Record<string, unknown> = {};
    if (field === 'summary') value = patch.short_description = `Record ${pair.n} ${text()}`;
    else if (field === 'description') value = patch.description = `Description ${text()}`;
    else if (field === 'priority') value = patch.priority = pick(['P1', 'P2', 'P3', 'P4']);
    else if (field === 'assignee') value = patch.assigned_to = random() < 0.6 ? AGENT_EMAIL : null;
    else value = patch.state = pick(STATES);
    const before = recordOf(pair);
    if (!before || toolValue(before, field) === value) return;
    itsm.updateRecord(pair.module, pair.recordId ?? '', patch);
    note(pair, field, value, 'tool');
  };
  const toolNote = (pair: Pair): void => {
    const remark: Remark = { token: `T${++counter}x`, side: 'tool', pair, id: '', version: 1, deleted: false };
    remark.id = itsm.addNote(pair.module, pair.recordId ?? '', remarkText(remark)).id;
    remarks.push(remark);
    watch({ side: 'tool', pair, field: 'remark', value: null, remark });
  };
  const toolNoteEdit = (remark: Remark): void => {
    remark.version += 1;
    itsm.updateNote(remark.pair.module, remark.pair.recordId ?? '', remark.id, remarkText(remark));
    watch({ side: 'tool', pair: remark.pair, field: 'remark', value: null, remark });
  };
  const toolNoteDelete = (remark: Remark): void => {
    itsm.deleteNote(remark.pair.module, remark.pair.recordId ?? '', remark.id);
    remark.deleted = true;
    watch({ side: 'tool', pair: remark.pair, field: 'remark', value: null, remark });
  };

  // ---- one change, chosen at random among those possible now

  const change = async (): Promise<string> => {
    for (const pair of pairs) resolve(pair);
    const live = pairs.filter((p) => p.deletedAt === undefined);
    const inJira = live.filter((p) => p.issueKey !== undefined && jira.getIssue(p.issueKey) !== undefined);
    const inTool = live.filter((p) => p.twoWay && recordOf(p) !== undefined);
    const jiraRemarks = remarks.filter((r) => r.side === 'jira' && !r.deleted && r.pair.deletedAt === undefined);
    const toolRemarks = remarks.filter((r) => r.side === 'tool' && !r.deleted && r.pair.deletedAt === undefined && recordOf(r.pair) !== undefined);
    const options: Array<[number, string, () => Promise<void> | void]> = [
      [pairs.length < 4 ? 6 : 2, 'jira create', jiraCreate],
      [pairs.length < 4 ? 3 : 1.2, 'tool create', toolCreate],
    ];
    if (inJira.length > 0) {
      options.push([3, 'jira edit', () => jiraEdit(pick(inJira))], [2, 'jira transition', () => jiraTransition(pick(inJira))]);
      options.push([0.4, 'jira delete', () => jiraDelete(pick(inJira))], [2, 'jira comment', () => jiraComment(pick(inJira))]);
    }
    if (jiraRemarks.length > 0) options.push([1, 'jira comment edit', () => jiraCommentEdit(pick(jiraRemarks))], [0.7, 'jira comment delete', () => jiraCommentDelete(pick(jiraRemarks))]);
    if (inTool.length > 0) options.push([4, 'tool edit', () => toolEdit(pick(inTool))], [2, 'tool note', () => toolNote(pick(inTool))]);
    if (toolRemarks.length > 0) options.push([1, 'tool note edit', () => toolNoteEdit(pick(toolRemarks))], [0.7, 'tool note delete', () => toolNoteDelete(pick(toolRemarks))]);
    const total = options.reduce((sum, [w]) => sum + w, 0);
    let draw = random() * total;
    for (const [weight, name, run] of options) {
      draw -= weight;
      if (draw < 0) {
        await run();
        return name;
      }
    }
    return 'nothing';
  };

  // ---- drive, settle, check

  const toolWritesBefore = (): number => itsm.requests.filter((r) => r.method !== 'GET').length;
  let appJiraWrites = 0;
  const unsubscribeWrites = jira.onEvent((event) => {
    if (event.causedByApp) appJiraWrites += 1;
  });
  try {
    if (withFaults) {
      itsm.setFaults({ ...TOOL_FAULTS, seed: options.seed });
      sandbox.faults.set({ ...PLATFORM_FAULTS, ...(options.crashAfterJira ? { crashes: { ...PLATFORM_FAULTS.crashes, after: 'tool-or-jira-write' as const } } : {}), seed: options.seed });
      jira.rateLimit.set({ every: JIRA_EVERY, retryAfterSeconds: 2 });
    }
    const kinds: Record<string, number> = {};
    let next = clock.now();
    const meanGap = options.meanGapMs ?? 400;
    for (let i = 0; i < options.changes; i++) {
      await runUntil(next);
      const kind = await change();
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      next = clock.now() + Math.floor(-Math.log(1 - random()) * meanGap);
      if ((i + 1) % 50 === 0) log(`  ${i + 1} changes made`);
    }
    for (const [kind, count] of Object.entries(kinds)) figures[`changes: ${kind}`] = count;
    const faultsOffAt = clock.now();
    itsm.clearFaults();
    sandbox.faults.clear();
    jira.rateLimit.clear();

    // Quiescence: nothing running, held or due, twice in a row a moment apart.
    const deadline = clock.now() + 4 * 60 * 60 * 1000;
    let calm = 0;
    while (calm < 2 && clock.now() < deadline) {
      await tick(Math.min(deadline, nextDue() ?? clock.now()));
      if (!busy() && nextDue() === undefined && sandbox.faults.productEvents.pending === 0) {
        calm += 1;
        await sleep(50);
      } else {
        calm = 0;
        const due = nextDue();
        if (process.env.CHAOS_DEBUG) log(`  not quiet: queue ${emulator.queue.busy}, triggers ${emulator.triggerRuns.busy}, tool ${itsm.busy}, next due in ${due === undefined ? '-' : due - clock.now()} ms, events held ${sandbox.faults.productEvents.pending}`);
      }
    }
    const quiescentAt = clock.now();
    checkWatches();

    // No write after quiescence: let an hour pass and see that Tandem does nothing more.
    const jiraWritesAtRest = appJiraWrites;
    const toolWritesAtRest = toolWritesBefore();
    await runUntil(clock.now() + 60 * 60 * 1000);
    await sleep(200);
    const lateJira = appJiraWrites - jiraWritesAtRest;
    const lateTool = toolWritesBefore() - toolWritesAtRest;

    const report = check({ pairs, remarks, jira, itsm, recordsOf, issuesOfRecord, recordIdsOfIssue, issueOf, recordOf, jiraValue, toolValue, remarkTexts, countToken, remarkText });
    if (lateJira > 0) report.echoes.push(`Tandem wrote to Jira ${lateJira} time(s) after quiescence`);
    if (lateTool > 0) report.echoes.push(`Tandem wrote to the tool ${lateTool} time(s) after quiescence`);
    // At rest nothing is due, so a failure still announcing a next try is a delivery that stalled.
    for (const [key, value] of Object.entries(emulator.kvs.entries().kv)) {
      if (!key.startsWith('failure:')) continue;
      const failure = failureSchema.safeParse(value);
      if (failure.success && failure.data.nextAttemptAt !== undefined) report.lost.push(`a delivery stalled: ${failure.data.operation} for ${failure.data.subject.issueKey || key} says it tries again at ${failure.data.nextAttemptAt}, and nothing is queued`);
    }

    const traces: string[] = [];
    if (options.trace) {
      const all = Object.values(report).flat().join('\n');
      const entries = emulator.kvs.entries().kv;
      const activity = Object.entries(entries)
        .filter(([key]) => key.startsWith('activity:'))
        .map(([, value]) => value as { at?: string; direction?: string; outcome?: string; issueKey?: string; externalId?: string; summary?: string; details?: string[] });
      const rel = (iso: string | undefined): string => (iso === undefined ? '?' : `${((Date.parse(iso) - startedAt) / 1000).toFixed(2)}s`);
      for (const pair of pairs) {
        const tag = `#${pair.n} (`;
        const summaryMark = `${pair.origin === 'jira' ? 'Issue' : 'Record'} ${pair.n} `;
        // A record or issue made for nothing is named by its summary, which names the pair it came from.
        if (!all.includes(tag) && !all.includes(`"${summaryMark}`)) continue;
        const lines: Array<[string, string]> = [];
        for (const r of itsm.requests) {
          const body = JSON.stringify(r.body ?? '');
          if ((pair.recordId && r.path.includes(pair.recordId)) || body.includes(summaryMark) || (pair.issueKey && body.includes(`"${pair.issueKey}"`))) {
            const sent = r.method === 'GET' || r.body === undefined ? '' : ` ${body.slice(0, 140)}`;
            lines.push([r.at, `tool API ${r.method} ${r.path.replace(/[0-9a-f]{32}/g, (id) => id.slice(0, 8))}${sent} → ${r.status ?? 'no answer'}${r.fault ? ` [fault ${r.fault}]` : ''}`]);
          }
        }
        for (const e of itsm.outbox) {
          if (pair.recordId && e.recordKey.endsWith(pair.recordId)) {
            lines.push([e.event.occurredAt, `tool event ${e.type}${e.event.comment ? ` (${e.event.comment.body.slice(0, 24)})` : ''} → ${e.attempts.map((a) => a.status ?? 'no answer').join(', ')}`]);
          }
        }
        // An issue made for nothing carries the pair's summary: its activity belongs to this timeline too.
        const namesake = new Set(jira.listIssues().filter((i) => i.summary.startsWith(summaryMark)).map((i) => i.key));
        for (const a of activity) {
          if ((pair.issueKey && a.issueKey === pair.issueKey) || (pair.recordId && a.externalId === pair.recordId) || (a.issueKey !== undefined && namesake.has(a.issueKey))) {
            lines.push([a.at ?? '', `Tandem ${a.direction} ${a.outcome}: ${a.summary ?? ''}${a.details && a.details.length > 0 ? ` — ${a.details.join('; ')}` : ''}`]);
          }
        }
        for (const c of issueOf(pair)?.comments ?? []) {
          lines.push([new Date(c.created).toISOString(), `Jira comment ${c.id} by ${c.authorAccountId === jira.appAccountId ? 'Tandem' : 'a person'}: ${adfText(c.body).replace(/\s+/g, ' ').slice(0, 60)}`]);
        }
        for (const m of pair.made ?? []) lines.push([new Date(m.at).toISOString(), m.line]);
        if (pair.issueKey !== undefined) {
          const history = await jira.rest(actor, 'GET', `/rest/api/3/issue/${pair.issueKey}/changelog`);
          const values = (history.body as { values?: Array<{ created: string; author?: { accountId?: string }; items: Array<{ field: string; fromString?: string | null; toString?: string | null }> }> }).values ?? [];
          for (const entry of values) {
            const by = entry.author?.accountId === jira.appAccountId ? 'Tandem' : 'a person';
            const items = entry.items.filter((i) => i.field === 'status').map((i) => `status ${i.fromString ?? '?'} → ${i.toString ?? '?'}`);
            if (items.length > 0) lines.push([new Date(entry.created).toISOString(), `Jira changelog by ${by}: ${items.join(', ')}`]);
          }
        }
        for (const c of emulator.crashes.crashed) lines.push([new Date(c.at).toISOString(), `crash of ${c.functionKey} before ${c.kvsPath} (may be any pair)`]);
        // An invocation that timed out or threw (a web trigger's 500 that no crash explains).
        for (const i of emulator.invocations) {
          if ((i.outcome === 'timeout' || i.outcome === 'error') && i.error?.startsWith(CRASH_RETRY_REASON) !== true) {
            lines.push([new Date(i.at).toISOString(), `crash of ${i.functionKey}: ${i.outcome} after ${(i.durationMs / 1000).toFixed(1)} s of real time${i.error ? `: ${i.error.slice(0, 160)}` : ''} (may be any pair)`]);
          }
        }
        lines.sort((a, b) => a[0].localeCompare(b[0]));
        traces.push(`pair #${pair.n} (${pair.origin}, ${pair.issueKey ?? '?'} ⇄ ${pair.recordId?.slice(0, 8) ?? '?'}):`);
        const firstAt = lines.find(([, l]) => !l.startsWith('crash'))?.[0];
        const lastAt = [...lines].reverse().find(([, l]) => !l.startsWith('crash'))?.[0];
        for (const [at, line] of lines) {
          // A crash a moment after the pair's last line may be what its last event met: a few seconds more are kept.
          if (line.startsWith('crash') && (firstAt === undefined || lastAt === undefined || at < firstAt || Date.parse(at) > Date.parse(lastAt) + 5_000)) continue;
          traces.push(`  ${rel(at)} ${line}`);
        }
      }
    }
    const kv = Object.keys(emulator.kvs.snapshot().kv);
    figures['tool requests'] = itsm.requests.length;
    figures['tool requests faulted'] = itsm.requests.filter((r) => r.fault !== undefined).length;
    figures['tool events sent'] = itsm.outbox.length;
    for (const entry of itsm.outbox.filter((e) => e.state === 'failed')) {
      const status = entry.attempts.at(-1)?.status;
      const key = `tool events refused (${status === undefined ? 'no answer' : status})`;
      figures[key] = (figures[key] ?? 0) + 1;
    }
    figures['Jira writes by Tandem'] = appJiraWrites;
    figures['product events late'] = sandbox.faults.productEvents.counts.late;
    figures['product events twice'] = sandbox.faults.productEvents.counts.duplicated;
    figures['crashes'] = emulator.crashes.crashed.length;
    figures['queue deliveries given up'] = emulator.queue.failed.length + emulator.triggerRuns.failed.length;
    figures['kept failures'] = kv.filter((k) => k.startsWith('failure:')).length;
    figures['kept inbound events'] = kv.filter((k) => k.startsWith('inbound-failed:')).length;
    const unseen = (side: Side): number => watches.filter((w) => w.side === side).length;
    return {
      options: { changes: options.changes, seed: options.seed, faults: withFaults },
      counts: {
        lost: report.lost.length,
        duplicated: report.duplicated.length,
        resurrected: report.resurrected.length,
        diverged: report.diverged.length,
        echoes: report.echoes.length,
      },
      findings: report,
      quiescenceMs: quiescentAt - faultsOffAt,
      realMs: Date.now() - began,
      propagation: { jiraToTool: percentiles(latencies.jira, unseen('jira')), toolToJira: percentiles(latencies.tool, unseen('tool')) },
      figures,
      traces,
    };
  } finally {
    unsubscribe();
    unsubscribeWrites();
    await stopQuietly(sandbox);
  }
}

async function stopQuietly(sandbox: Sandbox): Promise<void> {
  try {
    await sandbox.stop();
  } catch (error) {
    // Contract violations are reported by the tests that own them; the chaos run reports convergence.
    process.stderr.write(`${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
  }
}

// ---------------------------------------------------------------- the checks

interface CheckInput {
  pairs: Pair[];
  remarks: Remark[];
  jira: Sandbox['jira'];
  itsm: Sandbox['itsm'];
  recordsOf: (issue: IssueSnapshot) => Array<{ module: ItsmModule; id: string }>;
  issuesOfRecord: (recordId: string, issues?: IssueSnapshot[]) => IssueSnapshot[];
  recordIdsOfIssue: (issue: IssueSnapshot) => string[];
  issueOf: (pair: Pair) => IssueSnapshot | undefined;
  recordOf: (pair: Pair) => ItsmRecord | undefined;
  jiraValue: (issue: IssueSnapshot, field: Field) => string | null;
  toolValue: (record: ItsmRecord, field: Field) => string | null;
  remarkTexts: (pair: Pair, side: Side) => string[];
  countToken: (texts: string[], token: string) => number;
  remarkText: (remark: Remark) => string;
}

function check(input: CheckInput): Record<keyof ChaosCounts, string[]> {
  const { pairs, remarks, jira, itsm, recordsOf, issuesOfRecord, recordIdsOfIssue, issueOf, recordOf, jiraValue, toolValue, remarkTexts, countToken, remarkText } = input;
  const found: Record<keyof ChaosCounts, string[]> = { lost: [], duplicated: [], resurrected: [], diverged: [], echoes: [] };
  const issues = jira.listIssues();
  const records = (['incidents', 'changes'] as const).flatMap((module) => itsm.records(module).map((record) => ({ module, record })));
  const name = (pair: Pair): string => `${pair.origin === 'jira' ? 'issue' : 'record'} #${pair.n} (${pair.issueKey ?? '?'} ⇄ ${pair.module}/${pair.recordId?.slice(0, 8) ?? '?'})`;

  // One record per issue and one issue per record.
  for (const issue of issues) {
    const byKey = records.filter((r) => r.record.jira_issue_key === issue.key);
    const ids = new Set([...recordIdsOfIssue(issue), ...byKey.map((r) => r.record.id)]);
    if (ids.size > 1) found.duplicated.push(`${issue.key} has ${ids.size} records (${[...ids].map((id) => id.slice(0, 8)).join(', ')})`);
  }
  for (const { module, record } of records) {
    const holders = issuesOfRecord(record.id, issues);
    if (holders.length > 1) found.duplicated.push(`${module}/${record.id.slice(0, 8)} (${record.number}) has ${holders.length} issues (${holders.map((h) => h.key).join(', ')})`);
    const known = pairs.some((p) => p.recordId === record.id);
    if (!known) found.duplicated.push(`${module}/${record.id.slice(0, 8)} (${record.number}, "${record.short_description}") was made by Tandem for nothing the run created once`);
  }
  for (const issue of issues) {
    if (!pairs.some((p) => p.issueKey === issue.key)) found.duplicated.push(`${issue.key} ("${issue.summary}") was made by Tandem for nothing the run created once`);
  }

  for (const pair of pairs) {
    const issue = issueOf(pair);
    const record = recordOf(pair);
    if (pair.deletedAt !== undefined) {
      // Deleting the issue closes its record (the preset's onJiraDelete), and nothing brings the issue back.
      if (pair.recordId !== undefined && record === undefined) found.lost.push(`${name(pair)}: the record is gone, it should be closed`);
      else if (record && record.state !== 'closed') found.lost.push(`${name(pair)}: issue deleted, the record is ${record.state}, not closed`);
      const again = pair.recordId === undefined ? [] : issuesOfRecord(pair.recordId, issues);
      for (const back of again) found.resurrected.push(`${name(pair)}: deleted in Jira, back as ${back.key}`);
      continue;
    }
    if (!issue || !record) {
      found.lost.push(`${name(pair)}: ${issue ? 'no record in the tool' : 'no issue in Jira'}`);
      continue;
    }
    if (!recordsOf(issue).some((r) => r.id === record.id)) found.diverged.push(`${name(pair)}: the issue has no remote link to its record`);
    if (pair.origin === 'tool' && record.jira_issue_key !== issue.key) {
      found.diverged.push(`${name(pair)}: the record's jira_issue_key is ${record.jira_issue_key ?? 'empty'}, not ${issue.key}`);
    }
    for (const field of FIELDS) {
      const inJira = jiraValue(issue, field);
      const inTool = toolValue(record, field);
      const last = pair.last[field];
      if (inJira !== inTool) {
        found.diverged.push(`${name(pair)} ${field}: Jira ${JSON.stringify(inJira)}, tool ${JSON.stringify(inTool)} (last written ${JSON.stringify(last?.value)} in ${last?.side ?? '?'})`);
      } else if (last && last.value !== inJira) {
        found.lost.push(`${name(pair)} ${field}: both hold ${JSON.stringify(inJira)}, the last change was ${JSON.stringify(last.value)} in ${last.side}`);
      }
    }
  }

  // Every comment once on each side; deleted ones nowhere.
  for (const remark of remarks) {
    const pair = remark.pair;
    if (pair.deletedAt !== undefined) continue;
    const own = remarkTexts(pair, remark.side);
    const other = remarkTexts(pair, remark.side === 'jira' ? 'tool' : 'jira');
    const where = `${remark.side === 'jira' ? 'Jira comment' : 'work note'} ${remark.token} on ${name(pair)}`;
    const ownCount = countToken(own, remark.token);
    const otherCount = countToken(other, remark.token);
    if (remark.deleted) {
      if (ownCount + otherCount > 0) found.resurrected.push(`${where}: deleted, but ${ownCount} on its side and ${otherCount} on the other`);
      continue;
    }
    if (ownCount > 1) found.duplicated.push(`${where}: ${ownCount} times on its own side`);
    if (otherCount > 1) found.duplicated.push(`${where}: ${otherCount} times on the other side`);
    if (otherCount === 0) found.lost.push(`${where}: missing on the other side`);
    else if (!other.some((t) => t.includes(remarkText(remark)))) found.diverged.push(`${where}: the other side does not have edit v${remark.version}`);
  }
  return found;
}

// ---------------------------------------------------------------- printing and the command line

const seconds = (ms: number | undefined): string => (ms === undefined ? '–' : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`);

export function formatPercentiles(p: Percentiles): string {
  return `p50 ${seconds(p.p50)}  p90 ${seconds(p.p90)}  p99 ${seconds(p.p99)}  max ${seconds(p.max)}  (n=${p.count}${p.unseen > 0 ? `, ${p.unseen} never seen` : ''})`;
}

export function formatReport(report: ChaosReport, detailLimit = 25): string[] {
  const { counts, findings } = report;
  const lines = [
    `chaos: ${report.options.changes} changes, seed ${report.options.seed}, ${report.options.faults ? 'faults on' : 'no faults'}`,
    `  lost         ${counts.lost}`,
    `  duplicated   ${counts.duplicated}`,
    `  resurrected  ${counts.resurrected}`,
    `  diverged     ${counts.diverged}`,
    `  echoes       ${counts.echoes}`,
    `  quiescence   ${seconds(report.quiescenceMs)} after the last change (run clock); the run took ${seconds(report.realMs)} of real time`,
    `  propagation Jira → tool  ${formatPercentiles(report.propagation.jiraToTool)}`,
    `  propagation tool → Jira  ${formatPercentiles(report.propagation.toolToJira)}`,
    `  figures: ${Object.entries(report.figures)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ];
  for (const kind of ['lost', 'duplicated', 'resurrected', 'diverged', 'echoes'] as const) {
    const list = findings[kind];
    if (list.length === 0) continue;
    lines.push(`  ${kind}:`);
    for (const line of list.slice(0, detailLimit)) lines.push(`    ${line}`);
    if (list.length > detailLimit) lines.push(`    … and ${list.length - detailLimit} more`);
  }
  return lines;
}

function argNumber(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} takes a whole number`);
  return value;
}

async function main(): Promise<void> {
  const changes = argNumber('--changes', 200);
  const seed = argNumber('--seed', 1);
  const faults = !process.argv.includes('--no-faults');
  const trace = process.argv.includes('--trace');
  const crashAfterJira = process.argv.includes('--crash-after-jira');
  const report = await runChaos({ changes, seed, faults, trace, crashAfterJira, log: (line) => console.log(line) });
  console.log(formatReport(report, process.argv.includes('--all') || trace ? Number.MAX_SAFE_INTEGER : 25).join('\n'));
  if (trace) console.log(['timelines (seconds on the run clock):', ...report.traces].join('\n'));
  const failed = Object.values(report.counts).some((count) => count !== 0);
  process.exit(failed ? 1 : 0);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(2);
  });
}

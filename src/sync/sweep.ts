// The reconciliation sweep (manifest: the tandem-sweep scheduled trigger): finds what events missed.
// Per connection, when its interval has passed: the Jira issues of its mapped projects updated since
// the last finished sweep (one JQL search, a page at a time) and, where the tool lists its records by
// last change, the records updated since then. Each is compared with its link's shadow, and only a
// pair that differs is queued, as the ordinary delivery its direction takes. A push connection (the
// Jira-webhook protocol: its tool cannot be listed and Tandem keeps no shadow) has its Jira side swept:
// an issue changed after its last push is pushed again. A sweep stops after a few pages, a time limit
// or a number of queued deliveries, and the next run carries on from there.
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { ToolRecord } from '../connectors';
import { fieldMappingsFor, hashValue, issueFieldsFor, mappingsForModule, parseConfig, planInbound, planOutbound, type Connection, type JiraWebhookConnection, type ProjectMapping, type RecordRestConnection } from '../mapping';
import type { SweepView } from '../contract/admin';
import { ID_PATTERN, MODULE_PATTERN, URL_PATTERN, type InboundEvent } from './inbound-event';
import { connectorOf } from './issue-links';
import { JiraRequestError, type JiraIssue, type Ports } from './ports';
import { CONFIG_KEY, failureKey, failureSubjectKey, issueStateKey, keyPart, pushedKey, pushedSchema, readIssueState, recordIndexKey, recordIndexSchema, unlinkedKey, unlinkedRecordKey, type Link } from './state';
import { coveringMapping, mappingFor } from './outbound/run';

/** The interval when the connection names none; a connection may ask for as little as five minutes. */
export const DEFAULT_SWEEP_MINUTES = 60;
/** Pages of each listing (Jira's search, each module of the tool) one run reads at most. */
export const SWEEP_PAGES = 5;
/** Deliveries one run queues at most, well inside Forge's 500 events a minute. */
export const SWEEP_MOST_QUEUED = 400;
/** One run stops starting pages after this long (the trigger's function may run 900 s). */
export const SWEEP_TIME_MS = 10 * 60 * 1000;
/** How far before the watermark a sweep looks again: Jira's search is eventually consistent. */
const OVERLAP_MS = 2 * 60 * 1000;
/** The first sweep of a connection looks back this far. */
const FIRST_LOOK_BACK_MS = 24 * 60 * 60 * 1000;
const PAGE_SIZE = 100;

export const sweepKey = (connectionId: string) => `sweep:${keyPart(connectionId)}`;
/** Held from the start of a connection's sweep for its interval. */
export const sweepTurnKey = (connectionId: string) => `sweep-turn:${keyPart(connectionId)}`;

const runSchema = z.object({
  startedAt: z.string(),
  /** The JQL of this sweep, as its page tokens were issued for it. */
  jql: z.string(),
  jiraToken: z.string().optional(),
  jiraDone: z.boolean(),
  since: z.string(),
  modules: z.array(z.string()),
  moduleIndex: z.number().int().min(0),
  toolCursor: z.string().optional(),
  issuesCompared: z.number().int().min(0),
  recordsCompared: z.number().int().min(0),
  queued: z.number().int().min(0),
});

const lastSchema = z.object({
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  issuesCompared: z.number().int().min(0),
  recordsCompared: z.number().int().min(0),
  queued: z.number().int().min(0),
  /** False while a sweep that stopped at its limits goes on at the next run. */
  finished: z.boolean(),
  /** Why the tool's records were not compared, or what stopped the sweep. */
  note: z.string().optional(),
});
export type SweepSummary = z.infer<typeof lastSchema>;

const sweepStateSchema = z.object({
  /** Issues and records changed before this were compared by a finished sweep. */
  watermark: z.string().optional(),
  run: runSchema.optional(),
  last: lastSchema.optional(),
});
type SweepState = z.infer<typeof sweepStateSchema>;
type SweepRun = z.infer<typeof runSchema>;

export function readSweepState(raw: unknown): SweepState {
  const parsed = sweepStateSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : {};
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Every enabled connection whose sweep is due (or unfinished) gets one bounded run. */
export async function runSweeps(ports: Ports): Promise<void> {
  const raw = await ports.store.get(CONFIG_KEY);
  const parsed = raw === undefined ? undefined : parseConfig(raw);
  if (!parsed?.ok) return;
  const deadline = ports.clock.now() + SWEEP_TIME_MS;
  for (const connection of parsed.config.connections) {
    if (!connection.enabled) continue;
    if (ports.clock.now() >= deadline) return;
    try {
      await sweepConnection(ports, connection, deadline);
    } catch (error) {
      // One connection's trouble (a project Jira no longer has, Jira busy) never stops the others' sweeps.
      await noteStopped(ports, connection, error).catch(() => undefined);
    }
  }
}

/** The last sweep says it stopped and why; it goes on at the connection's next turn. */
async function noteStopped(ports: Ports, connection: Connection, error: unknown): Promise<void> {
  const key = sweepKey(connection.id);
  const state = readSweepState(await ports.store.get(key));
  const why = error instanceof JiraRequestError ? `Jira answered ${error.status}` : 'an unexpected error';
  const at = iso(ports.clock.now());
  const last: SweepSummary = {
    startedAt: state.run?.startedAt ?? at,
    issuesCompared: state.run?.issuesCompared ?? 0,
    recordsCompared: state.run?.recordsCompared ?? 0,
    queued: state.run?.queued ?? 0,
    finished: false,
    note: `Stopped: ${why}. It goes on at the connection's next sweep.`,
  };
  await ports.store.set(key, { ...state, last });
}

/** The JQL of the issues in the connection's mapped projects changed since `sinceMs`, oldest change first. */
function sweepJql(connection: Connection, sinceMs: number, now: number): string {
  // A relative time: JQL reads absolute dates in the searcher's time zone.
  const minutes = Math.max(1, Math.ceil((now - sinceMs) / 60_000));
  return `${connection.protocol === 'jira-webhook' ? pushedScope(connection.projects) : projectScope(connection.projects)} AND updated >= "-${minutes}m" ORDER BY updated ASC`;
}

const projectScope = (projects: readonly ProjectMapping[]) => `project in (${[...new Set(projects.map((p) => p.projectKey))].map((p) => `"${p}"`).join(', ')})`;

/**
 * A push connection's issues with each mapping's JQL filter: Tandem keeps no mark of an issue the
 * filter leaves out, so without it every change of such an issue would be queued only to be dropped.
 */
function pushedScope(projects: readonly ProjectMapping[]): string {
  const pushed = projects.filter((p) => p.direction !== 'tool-to-jira');
  // A filter with its own ORDER BY cannot be nested; then the delivery's own check filters.
  if (pushed.length === 0 || pushed.some((p) => p.jql !== undefined && /\border\s+by\b/i.test(p.jql))) return projectScope(projects);
  const one = (p: ProjectMapping) => [`project = "${p.projectKey}"`, ...(p.issueType === '*' ? [] : [`issuetype = "${p.issueType}"`]), ...(p.jql ? [`(${p.jql})`] : [])].join(' AND ');
  return `(${pushed.map((p) => `(${one(p)})`).join(' OR ')})`;
}

/** How much one run reads: pages of each listing, and their size. */
export interface SweepLimits {
  pages: number;
  pageSize: number;
}

/** One bounded run of the connection's sweep; its progress is saved after every page. */
export async function sweepConnection(
  ports: Ports,
  connection: Connection,
  deadline = ports.clock.now() + SWEEP_TIME_MS,
  limits: SweepLimits = { pages: SWEEP_PAGES, pageSize: PAGE_SIZE },
): Promise<void> {
  const key = sweepKey(connection.id);
  const state = readSweepState(await ports.store.get(key));
  const now = ports.clock.now();
  if (!state.run) {
    // Taken for the connection's interval (a little less, so a five-minute trigger is never a whole
    // interval late): storage expires it, and while it is held the connection is not swept again.
    const minutes = connection.options.sweepMinutes ?? DEFAULT_SWEEP_MINUTES;
    if (!(await ports.store.create(sweepTurnKey(connection.id), { at: iso(now) }, minutes * 60 - 30))) return;
  }
  const sinceMs = (state.watermark ? Date.parse(state.watermark) : now - FIRST_LOOK_BACK_MS) - OVERLAP_MS;
  const run: SweepRun = state.run ?? {
    startedAt: iso(now),
    jql: sweepJql(connection, sinceMs, now),
    jiraDone: false,
    since: iso(sinceMs),
    // A push connection's tool cannot be listed: its Jira side alone is swept.
    modules: connection.protocol === 'jira-webhook' ? [] : [...new Set(connection.projects.filter((p) => p.direction !== 'jira-to-tool').map((p) => p.module))],
    moduleIndex: 0,
    issuesCompared: 0,
    recordsCompared: 0,
    queued: 0,
  };
  const save = (next: SweepState) => ports.store.set(key, next);
  let note: string | undefined = connection.protocol === 'jira-webhook' ? `${connection.name} cannot list its records: only Jira's side was compared.` : undefined;
  let pages = 0;
  const withinLimits = () => pages < limits.pages && run.queued < SWEEP_MOST_QUEUED && ports.clock.now() < deadline;

  while (!run.jiraDone && withinLimits()) {
    const fields = connection.protocol === 'jira-webhook' ? PUSHED_FIELDS : issueFieldsFor(connection);
    const page = await ports.jira.searchIssues({ jql: run.jql, fields, maxResults: limits.pageSize, ...(run.jiraToken ? { nextPageToken: run.jiraToken } : {}) });
    pages++;
    run.queued += connection.protocol === 'jira-webhook' ? await comparePushed(ports, connection, page.issues, Date.parse(run.since)) : await compareIssues(ports, connection, page.issues);
    run.issuesCompared += page.issues.length;
    if (page.nextPageToken) run.jiraToken = page.nextPageToken;
    else {
      run.jiraDone = true;
      delete run.jiraToken;
    }
    await save({ ...state, run });
  }

  pages = 0;
  if (run.jiraDone && run.moduleIndex < run.modules.length && connection.protocol === 'record-rest') {
    const connector = await connectorOf(ports, connection);
    while (run.moduleIndex < run.modules.length && withinLimits()) {
      const module = run.modules[run.moduleIndex] ?? '';
      const listed = await connector.listRecords({ module, updatedSince: run.since, limit: limits.pageSize, ...(run.toolCursor ? { cursor: run.toolCursor } : {}) });
      pages++;
      if (!listed.ok) {
        // A tool that cannot list, or does not answer now: its side waits for the next sweep; Jira's is done.
        note = `${connection.name}'s ${module} records were not compared: ${listed.failure.explanation}`;
        run.moduleIndex = run.modules.length;
        break;
      }
      run.queued += await compareRecords(ports, connection, module, listed.value.records, Date.parse(run.since));
      run.recordsCompared += listed.value.records.length;
      if (listed.value.nextCursor) run.toolCursor = listed.value.nextCursor;
      else {
        run.moduleIndex++;
        delete run.toolCursor;
      }
      await save({ ...state, run });
    }
  }

  const finished = run.jiraDone && run.moduleIndex >= run.modules.length;
  const summary: SweepSummary = {
    startedAt: run.startedAt,
    issuesCompared: run.issuesCompared,
    recordsCompared: run.recordsCompared,
    queued: run.queued,
    finished,
    ...(finished ? { finishedAt: iso(ports.clock.now()) } : {}),
    ...(note ? { note } : finished ? {} : { note: 'Stopped at its limits; the next run goes on from there.' }),
  };
  // Finished: everything changed before this sweep began has been compared.
  await save(finished ? { watermark: run.startedAt, last: summary } : { ...state, run, last: summary });
}

/** What comparing with a push needs: where the issue is, and when it last changed. */
const PUSHED_FIELDS = ['project', 'issuetype', 'created', 'updated'];

/**
 * Queues a push of each issue changed after its last push (its event lost), or never pushed: as an
 * update, or as a creation when it was made since the sweep's look back began. A kept failure waits
 * for its Retry.
 */
async function comparePushed(ports: Ports, connection: JiraWebhookConnection, issues: JiraIssue[], sinceMs: number): Promise<number> {
  if (issues.length === 0) return 0;
  const failureOf = (issue: JiraIssue) => failureKey(connection.id, failureSubjectKey({ kind: 'issue', issueId: issue.id, issueKey: issue.key }));
  const stored = await ports.store.getMany(issues.flatMap((i) => [pushedKey(connection.id, i.id), failureOf(i)]));
  let queued = 0;
  for (const issue of issues) {
    if (!mappingFor(connection, issue) || stored.has(failureOf(issue))) continue;
    const updated = typeof issue.fields.updated === 'string' ? Date.parse(issue.fields.updated) : Number.NaN;
    const pushed = pushedSchema.safeParse(stored.get(pushedKey(connection.id, issue.id)));
    if (pushed.success && !(updated > Date.parse(pushed.data.updated))) continue;
    const created = typeof issue.fields.created === 'string' ? Date.parse(issue.fields.created) : Number.NaN;
    const event = !pushed.success && created >= sinceMs ? 'jira:issue_created' : 'jira:issue_updated';
    await ports.queue.push({
      type: 'delivery',
      delivery: { kind: 'issue', connectionId: connection.id, issueId: issue.id, issueKey: issue.key, attempt: 1, push: { event, webhookId: randomUUID(), timestamp: ports.clock.now() } },
    });
    queued++;
  }
  return queued;
}

/** Emails of the issue's users where Jira shows them: the shadow holds users by email. */
const emailsOf = (issue: JiraIssue) => new Map(Object.values(issue.users).flatMap((u) => (u.emailAddress ? [[u.accountId, u.emailAddress] as const] : [])));

/** Queues the issues whose mapped values differ from their link's shadow, or that should have a record and have none. */
async function compareIssues(ports: Ports, connection: RecordRestConnection, issues: JiraIssue[]): Promise<number> {
  if (issues.length === 0) return 0;
  const keys = issues.flatMap((i) => [issueStateKey(i.id), unlinkedKey(connection.id, i.id), failureKey(connection.id, failureSubjectKey({ kind: 'issue', issueId: i.id, issueKey: i.key }))]);
  const stored = await ports.store.getMany(keys);
  let queued = 0;
  for (const issue of issues) {
    const link = readIssueState(stored.get(issueStateKey(issue.id))).links[connection.id];
    const projectMapping = coveringMapping(connection, issue);
    if (!projectMapping) continue;
    // A kept failure waits for the admin's Retry; an issue unlinked by hand gets no record.
    if (stored.has(failureKey(connection.id, failureSubjectKey({ kind: 'issue', issueId: issue.id, issueKey: issue.key })))) continue;
    let differs: boolean;
    if (link) {
      if (projectMapping.direction === 'tool-to-jira' || link.module !== projectMapping.module) differs = link.module !== projectMapping.module;
      else {
        const emails = emailsOf(issue);
        const plan = planOutbound({ connection, projectMapping, issue: { id: issue.id, key: issue.key, fields: issue.fields, status: issue.status }, shadow: link.shadow, emailOf: (id) => emails.get(id) });
        differs = Object.keys(plan.fields).length > 0 || link.remoteLinkOwed === true;
      }
    } else {
      differs = projectMapping.direction !== 'tool-to-jira' && !stored.has(unlinkedKey(connection.id, issue.id));
    }
    if (!differs) continue;
    await ports.queue.push({ type: 'delivery', delivery: { kind: 'issue', connectionId: connection.id, issueId: issue.id, issueKey: issue.key, attempt: 1 } });
    queued++;
  }
  return queued;
}

const createdAtOf = (record: ToolRecord): number => {
  const value = record.fields.created_at ?? record.fields.createdAt ?? record.fields.created;
  return typeof value === 'string' ? Date.parse(value) : Number.NaN;
};

/**
 * Queues the records whose mapped values differ from their link's shadow, as the change the tool's
 * event would have carried; and a record made since the last sweep that has no issue, as its
 * missed `record.created`. A record that existed before and was never linked is left alone (linking
 * what exists is the bulk sync's work), and so is one unlinked by hand.
 */
async function compareRecords(ports: Ports, connection: RecordRestConnection, module: string, records: ToolRecord[], sinceMs: number): Promise<number> {
  if (records.length === 0) return 0;
  const projectMapping = mappingsForModule(connection, module).find((p) => p.direction !== 'jira-to-tool');
  if (!projectMapping || !MODULE_PATTERN.test(module)) return 0;
  const indexes = await ports.store.getMany(records.map((r) => recordIndexKey(connection.id, module, r.id)));
  const issueIds = new Map<string, string>();
  for (const record of records) {
    const index = recordIndexSchema.safeParse(indexes.get(recordIndexKey(connection.id, module, record.id)));
    if (index.success) issueIds.set(record.id, index.data.issueId);
  }
  const states = issueIds.size === 0 ? new Map<string, unknown>() : await ports.store.getMany([...new Set(issueIds.values())].map(issueStateKey));
  const mapped = fieldMappingsFor(connection, projectMapping).filter((m) => m.direction !== 'jira-to-tool').map((m) => m.tool);
  let queued = 0;
  for (const record of records) {
    if (!ID_PATTERN.test(record.id)) continue;
    const issueId = issueIds.get(record.id);
    const link: Link | undefined = issueId === undefined ? undefined : readIssueState(states.get(issueStateKey(issueId))).links[connection.id];
    const fields = Object.fromEntries(mapped.filter((f) => record.fields[f] !== undefined).map((f) => [f, record.fields[f]]));
    const at = iso(ports.clock.now());
    let event: InboundEvent | undefined;
    const eventId = `tandem-sweep-${hashValue([connection.id, module, record.id, record.fields.updated_at ?? at]).slice(0, 24)}`;
    if (link && link.externalId === record.id) {
      const plan = planInbound({ connection, projectMapping, record: fields, shadow: link.shadow });
      const differs = Object.keys(plan.jiraFields).some((f) => f !== 'labels') || plan.status !== undefined || plan.lookups.length > 0;
      if (differs) event = { type: 'record.updated', eventId, occurredAt: occurredAt(record, at), record: { module, id: record.id, ...(record.number ? { number: record.number } : {}), fields } };
    } else if (!link && createdAtOf(record) >= sinceMs && URL_PATTERN.test(record.url)) {
      const jiraKey = record.fields[connection.issueKeyField];
      // A record naming an issue was made from Jira (or links to it): the Jira side of the sweep sees to it.
      if (typeof jiraKey === 'string' && jiraKey !== '') continue;
      if ((await ports.store.get(unlinkedRecordKey(connection.id, module, record.id))) !== undefined) continue;
      event = { type: 'record.created', eventId, occurredAt: occurredAt(record, at), record: { module, id: record.id, url: record.url, ...(record.number ? { number: record.number } : {}), fields } };
    }
    if (!event) continue;
    await ports.queue.push({ type: 'delivery', delivery: { kind: 'inbound', connectionId: connection.id, event, attempt: 1 } });
    queued++;
  }
  return queued;
}

function occurredAt(record: ToolRecord, fallback: string): string {
  const value = record.fields.updated_at ?? record.fields.updatedAt;
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? iso(ms) : fallback;
}

/** Each configured connection's last sweep, for the admin page; a connection never swept is left out. */
export async function listSweeps(ports: Pick<Ports, 'store'>): Promise<SweepView[]> {
  const raw = await ports.store.get(CONFIG_KEY);
  const parsed = raw === undefined ? undefined : parseConfig(raw);
  if (!parsed?.ok || parsed.config.connections.length === 0) return [];
  const ids = parsed.config.connections.map((c) => c.id);
  const found = await ports.store.getMany(ids.map(sweepKey));
  return ids.flatMap((connectionId) => {
    const last = readSweepState(found.get(sweepKey(connectionId))).last;
    return last ? [{ connectionId, ...last }] : [];
  });
}

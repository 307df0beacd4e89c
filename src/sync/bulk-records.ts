// Sync existing, tool → Jira: a module's records (optionally those changed since a date), read a page
// at a time by the tool's cursor (`listRecords`). Each record goes through the ordinary inbound path
// as a record.created event: a record already linked is brought up to date, one that names its issue
// (the connection's issue key field) or that the summary-and-day rule matches to one is linked to
// it, any other becomes an issue.
import { recordRestConnector, recordUpdatedAt, type ToolRecord } from '../connectors';
import { findProjectMapping, indexCounterparts, issueClaim, mappingsForModule, parseDateValue, planRecordToJira, summaryDayKey, type BulkIssue, type BulkItemPlan, type BulkRecord, type Claims, type Connection, type CounterpartIndex, type MatchRule } from '../mapping';
import { bulkMatchKey, issueFacts, recordFacts, storedClaims, takeClaim } from './bulk-read';
import { runInboundDelivery } from './inbound';
import { ISSUE_KEY_PATTERN } from './inbound-event';
import { activityWrite } from './journal';
import { isRecordDeleted, recordTombstoneKey } from './notes';
import type { JiraIssue, JiraPort, Ports, StoreWrite } from './ports';
import { authSecretKey, issueStateKey, keyPart, readIssueState, recordIndexKey, recordIndexSchema } from './state';

export interface RecordPageItems {
  records: Array<{ record: ToolRecord; facts: BulkRecord; linkedIssue?: { id: string; label: string }; madeBy?: string; linkedBy?: string; deleted?: true }>;
  nextCursor?: string;
}

/** One page of the module's records; undefined (with the reason) when the tool cannot list them. */
export async function recordPage(ports: Ports, connection: Connection, input: { module: string; cursor?: string; updatedSince?: string; limit: number }): Promise<RecordPageItems | string> {
  if (connection.protocol !== 'record-rest' || connection.paths.listRecords === null) return `${connection.name} cannot list its records, so there is nothing to sync from it`;
  const secret = connection.auth.kind === 'none' ? undefined : await ports.store.getSecret(authSecretKey(connection.id));
  const connector = recordRestConnector(connection, secret, ports.external, { clock: ports.clock });
  const page = await connector.listRecords({ module: input.module, limit: input.limit, ...(input.cursor ? { cursor: input.cursor } : {}), ...(input.updatedSince ? { updatedSince: input.updatedSince } : {}) });
  if (!page.ok) return `${connection.name} did not list its ${input.module}: ${page.failure.explanation}`;
  // Each record's link and tombstone, in one read.
  const keys = page.value.records.flatMap((r) => [recordIndexKey(connection.id, input.module, r.id), recordTombstoneKey(connection.id, input.module, r.id)]);
  const linked = await ports.store.getMany(keys);
  return {
    records: page.value.records.map((record) => {
      const index = recordIndexSchema.safeParse(linked.get(recordIndexKey(connection.id, input.module, record.id)));
      return {
        record,
        facts: recordFacts(connection, input.module, record),
        ...(index.success ? { linkedIssue: { id: index.data.issueId, label: index.data.issueKey } } : {}),
        ...(index.success && index.data.madeBy ? { madeBy: index.data.madeBy } : {}),
        ...(index.success && index.data.linkedBy ? { linkedBy: index.data.linkedBy } : {}),
        ...(!index.success && isRecordDeleted(linked.get(recordTombstoneKey(connection.id, input.module, record.id))) ? { deleted: true as const } : {}),
      };
    }),
    ...(page.value.nextCursor ? { nextCursor: page.value.nextCursor } : {}),
  };
}

/** Issues Jira returns in one bulk read. */
const NAMED_PER_REQUEST = 100;

/** The issue keys the page's unlinked records name (the connection's issue key field), each once. */
export function namedKeys(records: RecordPageItems['records']): string[] {
  return [...new Set(records.flatMap((item) => (item.facts.issueKey && !item.linkedIssue && ISSUE_KEY_PATTERN.test(item.facts.issueKey) ? [item.facts.issueKey] : [])))];
}

/**
 * The named issues as Jira has them, by the key the record names: one request per 100 keys (POST
 * issue/bulkfetch). A key Jira cannot return (no such issue, or one the app cannot see) is left out,
 * as the inbound path finds it. An issue moved to another project since the record named it comes
 * back under its new key (Jira finds moved issues by their old key): the keys left unmatched while
 * such an issue came back are read one by one (Get issue says which issue an old key is now).
 */
export async function readNamed(ports: Ports, keys: readonly string[]): Promise<Map<string, JiraIssue>> {
  const found = new Map<string, JiraIssue>();
  let moved = false;
  for (let at = 0; at < keys.length; at += NAMED_PER_REQUEST) {
    const asked = keys.slice(at, at + NAMED_PER_REQUEST);
    const byKey = new Map((await ports.jira.getIssues(asked, ['summary', 'created'])).map((issue) => [issue.key.toUpperCase(), issue]));
    for (const key of asked) {
      const issue = byKey.get(key.toUpperCase());
      if (issue) found.set(key, issue);
    }
    if (byKey.size > asked.filter((key) => found.has(key)).length) moved = true;
  }
  if (!moved) return found;
  for (const key of keys.filter((k) => !found.has(k))) {
    const issue = await ports.jira.getIssue(key, ['summary', 'created']);
    if (issue) found.set(key, issue);
  }
  return found;
}

/** The named issues by the key the record names, each with the record it is linked to on this connection, from `states` (a getMany that held their issue state keys). */
export function namedIssues(connection: Connection, issues: ReadonlyMap<string, JiraIssue>, states: ReadonlyMap<string, unknown>): Map<string, BulkIssue> {
  return new Map(
    [...issues].map(([named, issue]) => {
      const link = readIssueState(states.get(issueStateKey(issue.id))).links[connection.id];
      return [named, { ...issueFacts(issue), ...(link ? { linkedTo: link.number ?? `${link.module} record ${link.externalId}` } : {}) }];
    }),
  );
}

/**
 * What the job's reads of named issues will cost, tallied by the dry run through the listing in
 * order: the job reads them once a step of `recordsPerStep` records that name any, 1 point for the
 * request and 1 for each issue Jira returns.
 */
export function namedReadTally(recordsPerStep: number): { add(records: RecordPageItems['records'], named: ReadonlyMap<string, BulkIssue>): void; cost(): { requests: number; points: number } } {
  const found = new Map<number, Set<string>>();
  let listed = 0;
  return {
    add(records, named) {
      for (const item of records) {
        const step = Math.floor(listed / recordsPerStep);
        listed += 1;
        const [key] = namedKeys([item]);
        if (key === undefined) continue;
        const keys = found.get(step) ?? new Set<string>();
        if (named.has(key)) keys.add(key);
        found.set(step, keys);
      }
    },
    cost: () => ({ requests: found.size, points: [...found.values()].reduce((sum, keys) => sum + 1 + keys.size, 0) }),
  };
}

/**
 * What a record becomes. `named`: the issues the page's records name, as Jira has them (namedIssues);
 * a named key absent from it is not in Jira. `issues` are the candidates the summary-and-day rule
 * picks from (issueCandidates).
 */
export function planRecord(connection: Connection, item: RecordPageItems['records'][number], named: ReadonlyMap<string, BulkIssue>, issues?: CounterpartIndex<BulkIssue>, matchRule: MatchRule = 'reference', claimed?: Claims): BulkItemPlan {
  return planRecordToJira({ connection, record: item.facts, linkedIssue: item.linkedIssue, issues: { byIssueKey: new Map(named), bySummaryDay: issues?.bySummaryDay ?? new Map<string, BulkIssue[]>() }, matchRule, claimed, deleted: item.deleted === true });
}

/** Records asked about in one search: its JQL stays well inside what Jira takes. */
const CANDIDATE_RECORDS_PER_SEARCH = 25;
/** Enough for any sane page; a listing with more same-day, same-words issues than this is not a match rule's job. */
const CANDIDATE_PAGES_PER_SEARCH = 10;

/**
 * The Jira issues the summary-and-day rule can link these records to: in a project the module is
 * mapped from the tool, not linked on this connection yet, with the same summary created the same
 * day (UTC). One search per 25 records, by the summary's words and a day either side (JQL dates are
 * in the user's time zone); the exact summary and day are then compared here.
 */
export async function issueCandidates(ports: Ports, connection: Connection, module: string, records: readonly BulkRecord[], jobId?: string): Promise<{ index: CounterpartIndex<BulkIssue>; claimed: Map<string, string> }> {
  const mappings = mappingsForModule(connection, module).filter((m) => m.direction !== 'jira-to-tool');
  const wanted = records.filter((r) => summaryDayKey(r.summary, r.created) !== undefined);
  const found = new Map<string, BulkIssue>();
  if (mappings.length === 0 || wanted.length === 0) return { index: indexCounterparts([], (i: BulkIssue) => i), claimed: new Map() };
  const quote = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;
  const projects = [...new Set(mappings.map((m) => m.projectKey))].map(quote).join(', ');
  for (let at = 0; at < wanted.length; at += CANDIDATE_RECORDS_PER_SEARCH) {
    const clauses = new Set(wanted.slice(at, at + CANDIDATE_RECORDS_PER_SEARCH).map((r) => candidateClause(r.summary ?? '', r.created ?? '')));
    const jql = `project in (${projects}) AND (${[...clauses].join(' OR ')}) ORDER BY created ASC`;
    let token: string | undefined;
    for (let pages = 0; pages < CANDIDATE_PAGES_PER_SEARCH; pages += 1) {
      const page = await ports.jira.searchIssues({ jql, fields: ['summary', 'created'], maxResults: 100, ...(token ? { nextPageToken: token } : {}) });
      for (const issue of page.issues) {
        const facts = issueFacts(issue);
        const mapping = findProjectMapping(connection, { projectKey: facts.projectKey, issueTypeName: facts.issueTypeName });
        if (mapping?.module === module && mapping.direction !== 'jira-to-tool') found.set(facts.id, facts);
      }
      token = page.nextPageToken;
      if (!token) break;
    }
  }
  // A job's step reads, with the issues' states, its claims of them: an issue the job linked to an
  // earlier record stays a candidate, so a later record it matches is skipped, as in the dry run.
  const claimKeys = jobId === undefined ? [] : [...found.values()].map((i) => bulkMatchKey(jobId, issueClaim(i.key)));
  const states = found.size === 0 ? new Map<string, unknown>() : await ports.store.getMany([...[...found.keys()].map(issueStateKey), ...claimKeys]);
  const claimed = jobId === undefined ? new Map<string, string>() : storedClaims(jobId, [...found.values()].map((i) => issueClaim(i.key)), states);
  const candidates = [...found.values()].filter((i) => !readIssueState(states.get(issueStateKey(i.id))).links[connection.id] || claimed.has(issueClaim(i.key)));
  return { index: indexCounterparts(candidates, (i) => ({ summary: i.summary, created: i.created })), claimed };
}

/** The summary's words (Jira's text search finds an issue holding them all) and the day, a day either side. */
function candidateClause(summary: string, created: string): string {
  const words = summary.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '').slice(0, 10);
  const day = Date.parse(created.slice(0, 10));
  const date = (offsetDays: number) => new Date(day + offsetDays * 86_400_000).toISOString().slice(0, 10);
  const within = `created >= "${date(-1)}" AND created < "${date(2)}"`;
  return words.length > 0 ? `(summary ~ "${words.join(' ')}" AND ${within})` : `(${within})`;
}

/**
 * A Jira port whose create-screen reads (createmeta: the project's issue types, a type's fields) are
 * made once per project and type: a job step makes many issues of the same few types.
 */
export function withCreateScreensCached(jira: JiraPort): JiraPort {
  const types = new Map<string, ReturnType<JiraPort['getCreateIssueTypes']>>();
  const fields = new Map<string, ReturnType<JiraPort['getCreateFields']>>();
  const once = <T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> => {
    const known = cache.get(key);
    if (known) return known;
    // A read that failed (Jira busy) is not kept: the next record asks again.
    const reading = read().catch((error: unknown) => {
      cache.delete(key);
      throw error;
    });
    cache.set(key, reading);
    return reading;
  };
  return {
    ...jira,
    getCreateIssueTypes: (project) => once(types, project, () => jira.getCreateIssueTypes(project)),
    getCreateFields: (project, typeId) => once(fields, `${project}\n${typeId}`, () => jira.getCreateFields(project, typeId)),
  };
}

/**
 * When the record last changed, as the tool says (on the clock that dates its events), else the job's
 * time: a Jira change made after the record's is then the newer one, as it would be for the tool's own event.
 */
function changedAt(record: ToolRecord, at: string): string {
  const updated = parseDateValue(recordUpdatedAt(record));
  return updated === undefined ? at.replace(/\.\d+Z$/, 'Z') : new Date(updated.ms).toISOString();
}

/** The id of the event a job sends through the inbound path for one record. */
const bulkEventId = (jobId: string, module: string, recordId: string) => `bulk-${jobId}-${module}-${recordId}`.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 100);

/** The record through the inbound path, as if the tool had just announced it. */
export async function syncRecord(ports: Ports, connection: Connection, item: RecordPageItems['records'][number], jobId: string, at: string, matchedIssueKey?: string): Promise<'failed' | 'done' | { later: number }> {
  const { record, facts } = item;
  // The issue the record names, or the one the admin's match rule found: the inbound path links the record to it.
  const issueKey = matchedIssueKey ?? facts.issueKey;
  const eventId = bulkEventId(jobId, facts.module, record.id);
  const answer = await runInboundDelivery(ports, {
    kind: 'inbound',
    connectionId: connection.id,
    attempt: 1,
    ...(matchedIssueKey ? { matchedBy: 'summary-and-day' as const } : {}),
    event: {
      eventId,
      type: 'record.created',
      occurredAt: changedAt(record, at),
      record: {
        module: facts.module,
        id: record.id,
        url: record.url,
        fields: record.fields,
        ...(record.number ? { number: record.number } : {}),
        ...(issueKey && ISSUE_KEY_PATTERN.test(issueKey) ? { jiraIssueKey: issueKey } : {}),
      },
    },
  });
  const linked = await ports.store.get(recordIndexKey(connection.id, facts.module, record.id));
  if (linked !== undefined) return 'done';
  // Jira was busy (429, 5xx): the event waits on the queue; the job waits as long and does the record again.
  const retryIn = answer?.status === 202 ? answer.body.retryInSeconds : undefined;
  return typeof retryIn === 'number' ? { later: ports.clock.now() + retryIn * 1000 } : 'failed';
}

/**
 * A record a tool → Jira job has done. The tool lists by last change, so a record the job itself
 * changes (its issue key written back) moves behind the cursor and is listed again, and a page read
 * again after a restart no longer starts where it did: the job goes by these marks, not by position.
 */
const bulkDoneKey = (jobId: string, module: string, recordId: string) => `bulk-done:${keyPart(jobId)}:${keyPart(module)}:${keyPart(recordId)}`;
/** Longer than a job at the least budget runs. */
const DONE_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Listing pages of records all done a step passes over before it ends: a few seconds of listing. */
const DONE_PAGES_PASSED_PER_STEP = 20;

/** The records of a page not linked yet: those the summary-and-day rule looks for an issue for. */
export function unlinkedFacts(records: RecordPageItems['records']): BulkRecord[] {
  return records.filter((r) => !r.linkedIssue).map((r) => r.facts);
}

/** What a job step does with one page: issues of a search (Jira → tool) or records of a listing (tool → Jira). */
export interface StepPage {
  size: number;
  /** The token or cursor of the next page; absent on the last. */
  next?: string;
  /** Where in the page the step begins, when not at the checkpoint's index. */
  resumeAt?: number;
  /** The token or cursor the page was read at, when the step moved on from the checkpoint's. */
  token?: string;
  /** `again`: Jira was busy; the item is done again once `waitUntil` has passed. */
  item(index: number): Promise<{ counted: 'created' | 'linked' | 'updated' | 'skipped' | 'failed' | 'again'; waitUntil?: number; writes?: StoreWrite[] }>;
}

/** The records of the listing page a tool → Jira job's checkpoint points at that the job has not done; a string says why they cannot be listed. */
export async function recordStepPage(
  ports: Ports,
  connection: Connection,
  job: { jobId: string; module: string; matchRule: MatchRule; limit: number; token?: string; updatedSince?: string },
): Promise<StepPage | string> {
  const at = new Date(ports.clock.now()).toISOString();
  const doneKey = (item: RecordPageItems['records'][number]) => bulkDoneKey(job.jobId, job.module, item.record.id);
  // Records the job changed (their issue key written back) come round again at the end of the
  // listing, all done: such a page is passed over in the same step, each listed once.
  let token = job.token;
  let page: RecordPageItems | string;
  let records: RecordPageItems['records'];
  let named: string[];
  let fetched: Map<string, JiraIssue>;
  let marks: Map<string, unknown>;
  for (let listed = 1; ; listed += 1) {
    page = await recordPage(ports, connection, { module: job.module, limit: job.limit, ...(token ? { cursor: token } : {}), ...(job.updatedSince ? { updatedSince: job.updatedSince } : {}) });
    if (typeof page === 'string') return page;
    // The issues the records name, read from Jira once for the page (records the job did are linked, so a page passed over asks nothing).
    fetched = await readNamed(ports, namedKeys(page.records));
    // With the marks, the job's claims of the issues the records name and those issues' links, in the same read.
    named = [...new Set(page.records.flatMap((item) => (item.facts.issueKey && !item.linkedIssue ? [issueClaim(item.facts.issueKey)] : [])))];
    marks = page.records.length === 0 ? new Map<string, unknown>() : await ports.store.getMany([...page.records.map(doneKey), ...named.map((c) => bulkMatchKey(job.jobId, c)), ...[...fetched.values()].map((i) => issueStateKey(i.id))]);
    // What this job has not done yet, whatever moved in the listing; each item is marked with its checkpoint.
    const done = marks;
    records = page.records.filter((item) => !done.has(doneKey(item)));
    if (records.length > 0 || !page.nextCursor || listed >= DONE_PAGES_PASSED_PER_STEP) break;
    token = page.nextCursor;
  }
  const issues = job.matchRule === 'summary-and-day' ? await issueCandidates(ports, connection, job.module, unlinkedFacts(records), job.jobId) : undefined;
  // Counterparts this job matched in earlier steps (or earlier in a step run again), and in this step as it goes.
  const claimed = new Map([...storedClaims(job.jobId, named, marks), ...(issues?.claimed ?? [])]);
  const byKey = namedIssues(connection, fetched, marks);
  // One read of Jira's create screen per project and type for the step's records, not two a record.
  const step: Ports = { ...ports, jira: withCreateScreensCached(ports.jira) };
  return {
    size: records.length,
    resumeAt: 0,
    ...(token === undefined ? {} : { token }),
    ...(page.nextCursor ? { next: page.nextCursor } : {}),
    async item(index) {
      const item = records[index];
      if (!item) return { counted: 'skipped' };
      const planned = planRecord(connection, item, byKey, issues?.index, job.matchRule, claimed);
      const writes: StoreWrite[] = [{ key: doneKey(item), value: { at }, ttlSeconds: DONE_TTL_SECONDS }, ...takeClaim(claimed, planned, item.record.number ?? item.record.id, job.jobId)];
      if (planned.skip === 'claimed' || planned.skip === 'already-linked' || planned.skip === 'not-mapped' || planned.skip === 'deleted') {
        // Left for the admin to sort out by hand: Activity names the record and why its issue was not linked.
        const label = item.record.number ?? item.record.id;
        const issueKey = planned.skip === 'claimed' ? undefined : item.facts.issueKey;
        writes.push(activityWrite(ports, { connectionId: connection.id, direction: 'inbound', outcome: 'skipped', externalId: item.record.id, ...(issueKey ? { issueKey } : {}), summary: `Sync existing skipped ${label}: ${planned.reason ?? ''}` }));
      }
      if (planned.class === 'skip') return { counted: 'skipped', writes };
      // Linked by this job's own create or link, whose step stopped before counting it (it died, or Jira's search was behind).
      const own = bulkEventId(job.jobId, item.facts.module, item.record.id);
      if (item.madeBy === own) return { counted: 'created', writes };
      if (item.linkedBy === own) return { counted: 'linked', writes };
      const matched = planned.counterpart?.by === 'summary-and-day' ? planned.counterpart.label : undefined;
      const outcome = await syncRecord(step, connection, item, job.jobId, at, matched);
      if (typeof outcome === 'object') return { counted: 'again', waitUntil: outcome.later };
      if (outcome === 'failed') return { counted: 'failed', writes };
      return { counted: planned.class === 'create' ? 'created' : planned.class === 'link' ? 'linked' : 'updated', writes };
    },
  };
}

// Sync existing, the reading side: a search page as the planner takes it, the tool's records indexed
// for the match rules, and the Jira requests and rate-limit points a job spends, counted as it goes.
import * as z from 'zod';
import { recordRestConnector, RECORD_PAGE_SIZE, type ToolRecord } from '../connectors';
import { findProjectMapping, indexCounterparts, planIssueToTool, recordClaim, summaryDayKey, type BulkItemPlan, type BulkIssue, type BulkRecord, type Claims, type Connection, type CounterpartIndex, type MatchRule } from '../mapping';
import type { JiraIssue, JiraPort, Ports, StoreWrite } from './ports';
import { authSecretKey, issueStateKey, keyPart, readIssueState, recordIndexKey, type Link } from './state';

/** Counts Jira requests and rate-limit points as the job spends them: 1 a request, plus 1 an object read. */
export function countingJira(jira: JiraPort, spent: { requests: number; points: number }): JiraPort {
  const counted: Record<string, unknown> = {};
  for (const name of Object.keys(jira)) {
    const method = (jira as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name];
    if (typeof method !== 'function') continue;
    counted[name] = async (...args: unknown[]) => {
      let result: unknown;
      try {
        result = await method.apply(jira, args);
        return result;
      } finally {
        spent.requests += 1;
        spent.points += 1 + (WRITES.has(name) ? 0 : objectsIn(result));
      }
    };
  }
  return counted as unknown as JiraPort;
}
const WRITES = new Set(['editIssue', 'transitionIssue', 'createIssue', 'upsertRemoteLink', 'addLabel', 'addComment', 'updateComment', 'deleteComment', 'deleteIssue']);
function objectsIn(result: unknown): number {
  if (result === undefined || result === null) return 0;
  if (Array.isArray(result)) return result.length;
  if (result instanceof Set) return result.size;
  if (typeof result === 'object' && Array.isArray((result as { issues?: unknown }).issues)) return (result as { issues: unknown[] }).issues.length;
  return 1;
}

export interface PageItem {
  issue: BulkIssue;
  link: Link | undefined;
}

/** A search page as the planner takes it: each issue's facts, whether its mapping's filter matches it (one request per filter), and its link. */
export async function pageItems(ports: Ports, connection: Connection, issues: JiraIssue[]): Promise<PageItem[]> {
  const filters = new Map<string, string[]>();
  for (const issue of issues) {
    const mapping = issue.project && issue.issueType ? findProjectMapping(connection, { projectKey: issue.project.key, issueTypeName: issue.issueType.name }) : undefined;
    if (mapping?.jql) filters.set(mapping.jql, [...(filters.get(mapping.jql) ?? []), issue.id]);
  }
  const matching = new Map<string, Set<string>>();
  for (const [jql, ids] of filters) matching.set(jql, await ports.jira.issuesMatching(ids, jql));
  const states = await ports.store.getMany(issues.map((i) => issueStateKey(i.id)));
  return issues.map((issue) => {
    const mapping = issue.project && issue.issueType ? findProjectMapping(connection, { projectKey: issue.project.key, issueTypeName: issue.issueType.name }) : undefined;
    const facts: BulkIssue = { ...issueFacts(issue), ...(mapping?.jql ? { matchesFilter: matching.get(mapping.jql)?.has(issue.id) ?? false } : {}) };
    return { issue: facts, link: readIssueState(states.get(issueStateKey(issue.id))).links[connection.id] };
  });
}

/** What the planner knows of an issue read with the fields summary and created. */
export function issueFacts(issue: JiraIssue): BulkIssue {
  const created = typeof issue.fields.created === 'string' ? issue.fields.created : undefined;
  return {
    id: issue.id,
    key: issue.key,
    projectKey: issue.project?.key ?? '',
    issueTypeName: issue.issueType?.name ?? '',
    summary: typeof issue.fields.summary === 'string' ? issue.fields.summary : '',
    ...(created ? { created } : {}),
  };
}

/** What the planner knows of a record: the issue key it names, its summary (the field mapped to Jira's) and its creation day. */
export function recordFacts(connection: Connection, module: string, record: ToolRecord): BulkRecord {
  const keyField = connection.protocol === 'record-rest' ? connection.issueKeyField : undefined;
  const key = keyField ? record.fields[keyField] : undefined;
  const summaryField = connection.projects.filter((p) => p.module === module).flatMap((p) => p.fields ?? connection.fields).find((m) => m.jira === 'summary')?.tool;
  const summary = summaryField ? record.fields[summaryField] : undefined;
  const created = record.fields.created_at ?? record.fields.created ?? record.fields.opened_at;
  return {
    id: record.id,
    module,
    ...(record.number ? { number: record.number } : {}),
    ...(typeof key === 'string' && key ? { issueKey: key } : {}),
    ...(typeof summary === 'string' ? { summary } : {}),
    ...(typeof created === 'string' ? { created } : {}),
  };
}

export function plan(connection: Connection, item: PageItem, records: CounterpartIndex<RecordWithUrl> | undefined, matchRule: MatchRule, claimed?: Claims): BulkItemPlan {
  return planIssueToTool({
    connection,
    issue: item.issue,
    linkedRecord: item.link ? { id: item.link.externalId, label: item.link.number ?? item.link.externalId } : undefined,
    records,
    matchRule,
    claimed,
  });
}

// ---------------------------------------------------------------- claims

/**
 * A counterpart a job linked an item to, and which item (see Claims in mapping/bulk-plan): written
 * with that item's checkpoint, so a step run again, or a later step, skips the items after it as the
 * dry run did, though the counterpart is linked by then and no longer among the unlinked candidates.
 */
export const bulkMatchKey = (jobId: string, claim: string) => `bulk-match:${keyPart(jobId)}:${keyPart(claim)}`;
/** Longer than a job at the least budget runs, as the job's done marks. */
const MATCH_TTL_SECONDS = 30 * 24 * 60 * 60;
const matchSchema = z.object({ by: z.string() });

/** Claims kept for this job among `claims`, read from `found` (a getMany that held their keys). */
export function storedClaims(jobId: string, claims: Iterable<string>, found: ReadonlyMap<string, unknown>): Map<string, string> {
  const kept = new Map<string, string>();
  for (const claim of claims) {
    const match = matchSchema.safeParse(found.get(bulkMatchKey(jobId, claim)));
    if (match.success) kept.set(claim, match.data.by);
  }
  return kept;
}

/** The plan's claim, taken by `by`: noted in `claimed` for the items after it, and its write for the item's checkpoint. */
export function takeClaim(claimed: Map<string, string>, planned: BulkItemPlan, by: string, jobId?: string): StoreWrite[] {
  if (planned.class !== 'link' || planned.claim === undefined) return [];
  claimed.set(planned.claim, by);
  return jobId === undefined ? [] : [{ key: bulkMatchKey(jobId, planned.claim), value: { by }, ttlSeconds: MATCH_TTL_SECONDS }];
}

export type RecordWithUrl = BulkRecord & { url: string };

/**
 * The tool's records of the modules the connection maps, indexed for the match rules, when the
 * tool can list them; undefined when it cannot (the delivery then looks each issue's key up itself).
 * For a job's step (`job`), records the job itself linked to an earlier issue stay candidates for the
 * page's issues, with their claims: the dry run, which links nothing, saw them unlinked.
 */
export async function toolRecords(ports: Ports, connection: Connection, job?: { jobId: string; issues: readonly BulkIssue[] }): Promise<{ index: CounterpartIndex<RecordWithUrl>; claimed: Map<string, string> } | undefined> {
  if (connection.protocol !== 'record-rest' || connection.paths.listRecords === null) return undefined;
  const secret = connection.auth.kind === 'none' ? undefined : await ports.store.getSecret(authSecretKey(connection.id));
  const connector = recordRestConnector(connection, secret, ports.external, { clock: ports.clock });
  const records: RecordWithUrl[] = [];
  for (const module of new Set(connection.projects.map((p) => p.module))) {
    let cursor: string | undefined;
    for (let pages = 0; pages < 1000; pages += 1) {
      const page = await connector.listRecords({ module, limit: RECORD_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      if (!page.ok) return undefined;
      for (const r of page.value.records) records.push({ ...recordFacts(connection, module, r), url: r.url });
      cursor = page.value.nextCursor;
      if (!cursor) break;
    }
  }
  const linked = await ports.store.getMany(records.map((r) => recordIndexKey(connection.id, r.module, r.id)));
  const isLinked = (r: RecordWithUrl) => linked.has(recordIndexKey(connection.id, r.module, r.id));
  let claimed = new Map<string, string>();
  if (job) {
    // Only linked records the page's issues could match are asked about: most steps ask nothing.
    const wanted = new Set(job.issues.flatMap((i) => [i.key, summaryDayKey(i.summary, i.created) ?? '']));
    const asked = records.filter((r) => isLinked(r) && [r.issueKey, summaryDayKey(r.summary, r.created)].some((k) => k !== undefined && k !== '' && wanted.has(k)));
    const claims = asked.map(recordClaim);
    if (claims.length > 0) claimed = storedClaims(job.jobId, claims, await ports.store.getMany(claims.map((c) => bulkMatchKey(job.jobId, c))));
  }
  return {
    index: indexCounterparts(
      records.filter((r) => !isLinked(r) || claimed.has(recordClaim(r))),
      (r) => r,
    ),
    claimed,
  };
}

// Syncing what already exists: what each Jira issue (or tool record) of a bulk sync would become —
// created on the other side, linked to a counterpart that is already there, updated through the
// link it has, or skipped with the reason. Pure: the dry run counts with it and the job follows it.
import { findProjectMapping, mappingsForModule } from './projects';
import type { Connection, ProjectMapping } from './schema';

export type BulkClass = 'create' | 'link' | 'update' | 'skip';
/**
 * Why an item is left out: the mapping's JQL filter excludes it, its type is not mapped, its mapping
 * sends only the other way, several counterparts match it, an item before it in the listing already
 * matched its counterpart, or (a record) the issue it names is linked to another record already, or
 * is not in a project and type mapped to its module from the tool.
 */
export type BulkSkip = 'filtered' | 'type-ignored' | 'one-way' | 'ambiguous' | 'claimed' | 'already-linked' | 'not-mapped' | 'deleted';

/**
 * How a counterpart that already exists is recognised. `reference`: the record names the issue key
 * (the connection's issue key field, `jira_issue_key` by default). `summary-and-day`: also the same
 * summary, created on the same day (UTC), when exactly one candidate has them.
 */
export type MatchRule = 'reference' | 'summary-and-day';

/** How a link the summary-and-day rule made reads in Activity, after "Linked INC0001002 to OPS-3: ". */
export const SAME_SUMMARY_AND_DAY = "same summary, created the same day (Sync existing's match rule)";

export interface BulkItemPlan {
  class: BulkClass;
  /** For a skip: why, in the admin's words. */
  skip?: BulkSkip;
  reason?: string;
  /** The other side of a link or an update: its id and how it was found. */
  counterpart?: { id: string; label: string; by: 'link' | 'reference' | 'summary-and-day' };
  /** For a link: the counterpart's claim (see claimKey); an item after it that finds the same counterpart is skipped. */
  claim?: string;
}

/**
 * Counterparts an earlier item of the same sync already matched: claim key → that item's label
 * (an issue key, a record's number). A counterpart is linked once; the items after it are left for
 * the admin, with the one that has it named.
 */
export type Claims = ReadonlyMap<string, string>;

/** How a counterpart is named among claims: a Jira issue by its key, a record by its module and id. */
export const issueClaim = (issueKey: string): string => `issue:${issueKey}`;
export const recordClaim = (record: Pick<BulkRecord, 'module' | 'id'>): string => `record:${record.module}:${record.id}`;

/** The link, unless an earlier item claimed its counterpart: then a skip naming that item. */
function claimOrSkip(planned: BulkItemPlan, claim: string, claimed: Claims | undefined): BulkItemPlan {
  const by = claimed?.get(claim);
  if (by !== undefined) return skip('claimed', `${planned.counterpart?.label ?? ''} is already matched by ${by}`);
  return { ...planned, claim };
}

/** What a bulk sync knows of a Jira issue from one search page. */
export interface BulkIssue {
  id: string;
  key: string;
  projectKey: string;
  issueTypeName: string;
  summary: string;
  /** ISO 8601, as Jira wrote it. */
  created?: string;
  /** False when the mapping's JQL filter leaves the issue out; undefined when the mapping has none. */
  matchesFilter?: boolean;
  /** The record (its number, else its id) the issue is linked to on this connection, when it is. */
  linkedTo?: string;
}

/** What a bulk sync knows of a tool record from one list page. */
export interface BulkRecord {
  id: string;
  number?: string;
  module: string;
  /** The Jira issue key the record names (the connection's issue key field). */
  issueKey?: string;
  summary?: string;
  created?: string;
}

/** Candidates on the other side, indexed the two ways a counterpart is recognised. */
export interface CounterpartIndex<T> {
  byIssueKey: Map<string, T>;
  bySummaryDay: Map<string, T[]>;
}

/** The key two items share when they have the same summary (spacing and case aside) and were created the same day. */
export function summaryDayKey(summary: string | undefined, created: string | undefined): string | undefined {
  if (!summary || !created) return undefined;
  const day = new Date(created);
  if (Number.isNaN(day.getTime())) return undefined;
  return `${summary.trim().replace(/\s+/g, ' ').toLowerCase()}|${day.toISOString().slice(0, 10)}`;
}

/** An index of candidates; `issueKeyOf` is absent for Jira issues (their key is the reference). */
export function indexCounterparts<T>(items: readonly T[], facts: (item: T) => { issueKey?: string | undefined; summary?: string | undefined; created?: string | undefined }): CounterpartIndex<T> {
  const index: CounterpartIndex<T> = { byIssueKey: new Map(), bySummaryDay: new Map() };
  for (const item of items) {
    const f = facts(item);
    if (f.issueKey && !index.byIssueKey.has(f.issueKey)) index.byIssueKey.set(f.issueKey, item);
    const key = summaryDayKey(f.summary, f.created);
    if (key) index.bySummaryDay.set(key, [...(index.bySummaryDay.get(key) ?? []), item]);
  }
  return index;
}

function skip(skipped: BulkSkip, reason: string): BulkItemPlan {
  return { class: 'skip', skip: skipped, reason };
}

/** Jira → tool: what the issue becomes. `linkedRecord` is the record the issue is linked to on this connection. */
export function planIssueToTool(input: {
  connection: Pick<Connection, 'projects'>;
  issue: BulkIssue;
  linkedRecord?: { id: string; label: string } | undefined;
  /** The tool's records not linked to any issue yet; absent when the tool cannot list them (the delivery looks the key up itself). */
  records?: CounterpartIndex<BulkRecord> | undefined;
  matchRule: MatchRule;
  claimed?: Claims | undefined;
}): BulkItemPlan {
  const { issue } = input;
  const mapping = findProjectMapping(input.connection, { projectKey: issue.projectKey, issueTypeName: issue.issueTypeName });
  if (!mapping) return skip('type-ignored', `${issue.issueTypeName} issues of ${issue.projectKey} are not mapped on this connection`);
  if (input.linkedRecord) return { class: 'update', counterpart: { ...input.linkedRecord, by: 'link' } };
  if (mapping.direction === 'tool-to-jira') return skip('one-way', `${issue.projectKey} is mapped tool to Jira only`);
  if (issue.matchesFilter === false) return skip('filtered', `Excluded by the mapping's JQL filter: ${mapping.jql ?? ''}`.trim());
  const found = counterpartOrCreate(issue.key, issue.summary, issue.created, input.records, input.matchRule, (r) => ({ id: r.id, label: r.number ?? r.id, claim: recordClaim(r) }));
  return found.planned.class === 'link' && found.claim ? claimOrSkip(found.planned, found.claim, input.claimed) : found.planned;
}

/** Tool → Jira: what the record becomes. `linkedIssue` is the issue the record is linked to. */
export function planRecordToJira(input: {
  connection: Pick<Connection, 'projects'>;
  record: BulkRecord;
  linkedIssue?: { id: string; label: string } | undefined;
  /**
   * `byIssueKey`: the issues the records name, as Jira has them (with `linkedTo`); a named key absent
   * from it is not in Jira. `bySummaryDay`: issues of the module's mapped projects not linked on this
   * connection yet. Absent: nothing was read, and a named issue is not looked for.
   */
  issues?: CounterpartIndex<BulkIssue> | undefined;
  matchRule: MatchRule;
  claimed?: Claims | undefined;
  /** The record's link ended because it, or its issue, was deleted: the inbound path brings neither back. */
  deleted?: boolean | undefined;
}): BulkItemPlan {
  const { record } = input;
  const mappings = mappingsForModule(input.connection, record.module);
  if (mappings.length === 0) return skip('type-ignored', `The module ${record.module} is not mapped on this connection`);
  if (input.linkedIssue) return { class: 'update', counterpart: { ...input.linkedIssue, by: 'link' } };
  if (input.deleted) return skip('deleted', `Its Jira issue${record.issueKey ? ` ${record.issueKey}` : ''} was deleted, or the record was; Tandem does not bring it back. Link it by hand to sync it again`);
  if (mappings.every((m: ProjectMapping) => m.direction === 'jira-to-tool')) return skip('one-way', `${record.module} is mapped Jira to tool only`);
  const named = record.issueKey ? input.issues?.byIssueKey.get(record.issueKey) : undefined;
  if (named) {
    // What the inbound path would refuse is skipped here, with its reason: the job then fails nothing the dry run did not say.
    const claim = issueClaim(named.key);
    if (input.claimed?.has(claim)) return claimOrSkip({ class: 'link', counterpart: { id: named.id, label: named.key, by: 'reference' } }, claim, input.claimed);
    if (named.linkedTo !== undefined) return skip('already-linked', `${named.key} is already linked to ${named.linkedTo}`);
    const mapping = findProjectMapping(input.connection, { projectKey: named.projectKey, issueTypeName: named.issueTypeName });
    if (mapping?.module !== record.module || mapping.direction === 'jira-to-tool') return skip('not-mapped', `${named.key} is not in a project and issue type mapped to ${record.module} from the tool`);
    return { class: 'link', counterpart: { id: named.id, label: named.key, by: 'reference' }, claim };
  }
  const found = counterpartOrCreate(undefined, record.summary, record.created, input.issues ? { byIssueKey: new Map<string, BulkIssue>(), bySummaryDay: input.issues.bySummaryDay } : undefined, input.matchRule, (i) => ({
    id: i.id,
    label: i.key,
    claim: issueClaim(i.key),
  }));
  if (found.planned.class === 'link' && found.claim) return claimOrSkip(found.planned, found.claim, input.claimed);
  // The inbound path makes a new issue for a record naming one Jira does not have (a typo, or deleted since): said so.
  if (found.planned.class === 'create' && record.issueKey && input.issues) return { ...found.planned, reason: `${record.issueKey} is not in Jira, so a new issue is made` };
  return found.planned;
}

function counterpartOrCreate<T>(
  issueKey: string | undefined,
  summary: string | undefined,
  created: string | undefined,
  index: CounterpartIndex<T> | undefined,
  rule: MatchRule,
  label: (item: T) => { id: string; label: string; claim: string },
): { planned: BulkItemPlan; claim?: string } {
  const linkTo = (item: T, by: 'reference' | 'summary-and-day') => {
    const { claim, ...counterpart } = label(item);
    return { planned: { class: 'link' as const, counterpart: { ...counterpart, by } }, claim };
  };
  const named = issueKey ? index?.byIssueKey.get(issueKey) : undefined;
  if (named) return linkTo(named, 'reference');
  if (rule === 'summary-and-day' && index) {
    const key = summaryDayKey(summary, created);
    const same = key ? (index.bySummaryDay.get(key) ?? []) : [];
    if (same.length === 1 && same[0] !== undefined) return linkTo(same[0], 'summary-and-day');
    // Linking to the wrong one would be worse than nothing: the admin links it by hand.
    if (same.length > 1) return { planned: skip('ambiguous', `${same.length} items on the other side have the same summary and creation day: ${same.slice(0, 3).map((s) => label(s).label).join(', ')}`) };
  }
  return { planned: { class: 'create' } };
}

// The field work of an inbound change: which tool field a Jira field
// comes from, users found by email, and one edit of the issue that survives a refused field.
import { hashValue, type FieldMapping, type InboundPlan, type Shadow, type SkippedField } from '../../mapping';
import { isTransientJiraError, type JiraIssue, type JiraPort } from '../ports';
import { waitForParent } from '../hierarchy';
import { recordIndexKey, recordIndexSchema } from '../state';
import type { RefusedField } from './field-failures';
import type { InboundRun } from './run';

const norm = (s: string) => s.trim().toLowerCase();

/** Tool field of the mapping that writes a Jira field. */
export function toolFieldOf(mappings: readonly FieldMapping[], jiraField: string): string | undefined {
  return mappings.find((m) => m.jira === jiraField && m.direction !== 'jira-to-tool')?.tool;
}

/** A field that was not written keeps the hash it had before the change (none: left out). */
export function restoreShadow(next: Shadow, previous: Shadow | undefined, toolField: string | undefined): void {
  if (toolField === undefined) return;
  const before = previous?.fields[toolField];
  if (before === undefined) delete next.fields[toolField];
  else next.fields[toolField] = before;
  const last = previous?.changed?.[toolField];
  if (next.changed === undefined) return;
  if (last === undefined) delete next.changed[toolField];
  else next.changed[toolField] = last;
}

/** Empty as empty, or the same user: writing it again would change nothing. */
export function sameAsJira(value: unknown, current: unknown): boolean {
  if (value === null) return current === null || current === undefined;
  const wanted = (value as { accountId?: unknown } | null)?.accountId;
  return typeof wanted === 'string' && Object.keys(value as object).length === 1 && (current as { accountId?: unknown } | null)?.accountId === wanted;
}

/** The users a user list field holds, as Jira gives them (the email only where the profile shows it). */
function listedUsers(value: unknown): Array<{ accountId: string; emailAddress?: string }> {
  if (!Array.isArray(value)) return [];
  return value.flatMap((u: unknown) => {
    const user = u as { accountId?: unknown; emailAddress?: unknown } | null;
    if (typeof user?.accountId !== 'string') return [];
    return [{ accountId: user.accountId, ...(typeof user.emailAddress === 'string' && user.emailAddress !== '' ? { emailAddress: user.emailAddress } : {}) }];
  });
}

/**
 * Emails of the users in the issue's user and user list fields that `include` picks, read as the
 * app where privacy hides them. Jira being busy is thrown; a user whose email cannot be read is left out.
 */
export async function userEmails(jira: JiraPort, issue: JiraIssue, mappings: readonly FieldMapping[], include: (m: FieldMapping) => boolean = () => true): Promise<Map<string, string>> {
  const emails = new Map<string, string>();
  const unreadable = new Set<string>();
  for (const m of mappings) {
    if ((m.transform.kind !== 'user-email' && m.transform.kind !== 'users-email') || !include(m)) continue;
    const single = issue.users[m.jira];
    const users = m.transform.kind === 'user-email' ? (single ? [single] : []) : listedUsers(issue.fields[m.jira]);
    for (const user of users) {
      if (emails.has(user.accountId) || unreadable.has(user.accountId)) continue;
      const email =
        user.emailAddress ??
        (await jira.emailOf(user.accountId).catch((error: unknown) => {
          if (isTransientJiraError(error)) throw error;
          return undefined;
        }));
      if (email) emails.set(user.accountId, email);
      else unreadable.add(user.accountId);
    }
  }
  return emails;
}

/** Emails of the Jira users in two-way user fields the tool changed, so a conflict compares like with like. */
export function emailsForConflicts(jira: JiraPort, mappings: readonly FieldMapping[], issue: JiraIssue, fields: Record<string, unknown>, shadow: Shadow): Promise<Map<string, string>> {
  return userEmails(jira, issue, mappings, (m) => m.direction === 'both' && fields[m.tool] !== undefined && shadow.fields[m.tool] !== undefined && shadow.fields[m.tool] !== hashValue(fields[m.tool]));
}

/**
 * The active Jira user with this email. The search finds users by email even where privacy hides
 * it in the answer; those candidates' emails are then read as the app and compared.
 */
export async function findAccountByEmail(jira: JiraPort, email: string): Promise<{ accountId: string; email: string } | undefined> {
  const wanted = norm(email);
  const candidates = (await jira.searchUsers(email)).filter((u) => u.active && u.accountType !== 'app').slice(0, 10);
  const visible = candidates.find((u) => u.emailAddress !== undefined && norm(u.emailAddress) === wanted);
  if (visible?.emailAddress !== undefined) return { accountId: visible.accountId, email: visible.emailAddress };
  for (const user of candidates) {
    if (user.emailAddress !== undefined) continue;
    try {
      const hidden = await jira.emailOf(user.accountId);
      if (hidden !== undefined && norm(hidden) === wanted) return { accountId: user.accountId, email: hidden };
    } catch (error) {
      if (isTransientJiraError(error)) throw error;
      // One unreadable candidate does not make the others wrong.
    }
  }
  return undefined;
}

/**
 * Users by email: no match leaves the field empty and says so; it never fails the event. A sprint
 * the board lacks is returned as refused (a kept failure naming it), never made.
 */
export async function resolveLookups(
  run: InboundRun,
  plan: InboundPlan,
  next: Shadow,
  notes: string[],
  change: { module: string; id: string; occurredAt: string; previous: Shadow | undefined },
): Promise<RefusedField[]> {
  const refused: RefusedField[] = [];
  for (const lookup of plan.lookups) {
    if (lookup.lookup.kind === 'sprint-by-name') {
      // A sprint is found by name among the board's open sprints, never made up.
      const { name, boardId } = lookup.lookup;
      const sprints = boardId === undefined ? undefined : await run.ports.jira.openSprints(boardId);
      const found = sprints?.find((s) => s.name.trim().toLowerCase() === name.toLowerCase());
      if (found) {
        plan.jiraFields[lookup.jiraField] = found.id;
        continue;
      }
      delete next.fields[lookup.toolField];
      const why = boardId === undefined ? `No board is chosen on the mapping, so the sprint "${name}" cannot be found` : sprints === undefined ? `Board ${boardId} does not exist, so the sprint "${name}" cannot be found` : `Board ${boardId} has no open sprint named "${name}"`;
      refused.push({
        jiraField: lookup.jiraField,
        message: why,
        reason: `${why}. Tandem never makes a sprint: plan it on the board (or choose the board on Mappings), then choose Retry on the failure; every other field was applied`,
      });
      continue;
    }
    if (lookup.lookup.kind === 'issue-of-record') {
      // The parent reference: the issue linked to that record, in whichever module it syncs.
      const { recordId } = lookup.lookup;
      let parent: { issueId: string; issueKey: string } | undefined;
      for (const module of new Set(run.connection.projects.map((p) => p.module))) {
        const index = recordIndexSchema.safeParse(await run.ports.store.get(recordIndexKey(run.connection.id, module, recordId)));
        if (index.success) {
          parent = index.data;
          break;
        }
      }
      if (parent) {
        plan.jiraFields[lookup.jiraField] = { id: parent.issueId };
        continue;
      }
      // Not linked yet: the shadow holds what Jira holds (its old value; no parent on a new issue), so
      // the issue's own deliveries never send that over the record's parent, and the change waits
      // for the parent's issue.
      next.fields[lookup.toolField] = change.previous?.fields[lookup.toolField] ?? hashValue(null);
      await waitForParent(run.ports, run.connection.id, recordId, { module: change.module, id: change.id, occurredAt: change.occurredAt, toolField: lookup.toolField });
      notes.push(`The parent ${recordId} given for ${lookup.toolField} is not linked to a Jira issue yet, so ${lookup.jiraField} is left as it is until it is`);
      continue;
    }
    if (lookup.lookup.kind === 'users-by-email') {
      // A user list: each email found is kept, each one not found is left out and said so.
      const accounts: string[] = [];
      const emails: string[] = [];
      for (const email of lookup.lookup.emails) {
        const one = await findAccountByEmail(run.ports.jira, email);
        if (one && !accounts.includes(one.accountId)) {
          accounts.push(one.accountId);
          emails.push(one.email);
        } else if (!one) notes.push(`No Jira user has the email ${email} given for ${lookup.toolField}, so it is left out of ${lookup.jiraField}`);
      }
      plan.jiraFields[lookup.jiraField] = accounts.map((accountId) => ({ accountId }));
      next.fields[lookup.toolField] = hashValue(emails);
      continue;
    }
    const found = await findAccountByEmail(run.ports.jira, lookup.lookup.email);
    if (found) {
      plan.jiraFields[lookup.jiraField] = { accountId: found.accountId };
      // The shadow holds the email as Jira spells it, as outbound will read it back.
      next.fields[lookup.toolField] = hashValue(found.email);
      continue;
    }
    plan.jiraFields[lookup.jiraField] = null;
    // The shadow holds "empty", as Jira does now: the next event for this record tries the email again.
    next.fields[lookup.toolField] = hashValue(null);
    notes.push(`No Jira user has the email given for ${lookup.toolField}, so ${lookup.jiraField} is left unassigned`);
  }
  plan.lookups = [];
  return refused;
}

/**
 * One edit for every field; when Jira refuses some of them, the rest go in a second edit and the
 * refused ones are reported. Returns the fields written.
 */
export async function editWithFallback(
  run: InboundRun,
  issueId: string,
  fields: Record<string, unknown>,
  skipped: SkippedField[],
  /** Told of each refused field with Jira's words; may give the skip's reason. */
  onRefused: (fieldId: string, message: string) => string | void,
): Promise<string[]> {
  let pending = { ...fields };
  for (let round = 0; round < 2 && Object.keys(pending).length > 0; round++) {
    const refused = await run.ports.jira.editIssue(issueId, pending, run.connection.id);
    if (!refused) return Object.keys(pending);
    const named = Object.keys(refused.fieldErrors).filter((id) => id in pending);
    const blame = named.length > 0 ? named : Object.keys(pending);
    for (const id of blame) {
      const message = (refused.fieldErrors[id] ?? refused.messages.join('; ')).slice(0, 200);
      const reason = onRefused(id, message) ?? `Jira refused the value: ${message}`;
      skipped.push({ field: id, reason: reason.slice(0, 400) });
      delete pending[id];
    }
    if (named.length === 0) pending = {};
  }
  return [];
}

/** What Jira said when it refused a write, in one line. */
export function refusalText(refusal: { fieldErrors: Record<string, string>; messages: string[] }, max: number): string {
  return [...Object.entries(refusal.fieldErrors).map(([f, m]) => `${f}: ${m}`), ...refusal.messages].join('; ').slice(0, max);
}

// Moving a Jira issue to the status a tool record's state maps to, and finding a Jira user by email.
// Jira only lists the transitions from the current status, so a path of up to three transitions is
// walked one step at a time: read, transition, read again. Each step takes a direct transition to
// the target when there is one, else one that brings the issue closer to the target's category.
import type { StatusTarget } from '../mapping';
import type { JiraPort, JiraScreenField, JiraTransition } from './ports';

export const MAX_TRANSITIONS = 3;

const CATEGORY_RANK: Record<string, number> = { new: 0, indeterminate: 1, done: 2 };
const norm = (s: string) => s.trim().toLowerCase();

export interface StatusNow {
  name: string;
  categoryKey: string;
}

export function describeTarget(target: StatusTarget): string {
  return target.name ? `"${target.name}"` : `a status in category ${target.category}`;
}

export function reachesName(status: StatusNow, target: StatusTarget): boolean {
  return target.name !== undefined && norm(status.name) === norm(target.name);
}

export function reachesCategory(status: StatusNow, target: StatusTarget): boolean {
  return status.categoryKey === target.category;
}

/** Already where the target says: by name when it names a status, else by category. */
export function isAt(status: StatusNow, target: StatusTarget): boolean {
  return target.name ? reachesName(status, target) : reachesCategory(status, target);
}

const distance = (categoryKey: string, target: StatusTarget): number =>
  Math.abs((CATEGORY_RANK[categoryKey] ?? 1) - (CATEGORY_RANK[target.category] ?? 1));

/**
 * The next transition towards the target: straight to the named status; else straight into the
 * category when no name is asked for; else a step that brings the category closer (or, with steps
 * to spare, a step to a status not yet visited in the same category). Never a step away.
 */
export function pickTransition(
  transitions: readonly JiraTransition[],
  current: StatusNow,
  target: StatusTarget,
  visited: ReadonlySet<string>,
  stepsLeft: number,
): JiraTransition | undefined {
  const fresh = transitions.filter((t) => !visited.has(norm(t.to.name)));
  const byName = fresh.find((t) => reachesName({ name: t.to.name, categoryKey: t.to.categoryKey }, target));
  if (byName) return byName;
  const intoCategory = fresh.filter((t) => t.to.categoryKey === target.category);
  if (!target.name && intoCategory[0]) return intoCategory[0];
  if (stepsLeft <= 1) {
    // The last step: when the name cannot be reached, the category is the fallback.
    return reachesCategory(current, target) ? undefined : intoCategory[0];
  }
  const here = distance(current.categoryKey, target);
  const closer = fresh
    .map((t) => ({ t, d: distance(t.to.categoryKey, target) }))
    .filter(({ t, d }) => d < here || (d === here && t.to.categoryKey === current.categoryKey))
    .sort((a, b) => a.d - b.d);
  return closer[0]?.t;
}

export interface ScreenInput {
  /** The connection's resolution for transitions that ask for one. */
  resolution?: string | undefined;
  /** Values of this change by Jira field id, for screens that ask for a mapped field. */
  values: Record<string, unknown>;
}

/** What a transition's required screen fields get, or the first one Tandem cannot fill. */
export function screenValues(transition: JiraTransition, input: ScreenInput): { ok: true; fields: Record<string, unknown> } | { ok: false; field: JiraScreenField } {
  const fields: Record<string, unknown> = {};
  for (const [id, field] of Object.entries(transition.fields)) {
    if (!field.required || field.hasDefaultValue) continue;
    if (id === 'resolution') {
      fields[id] = resolutionFor(field, input.resolution);
      continue;
    }
    if (input.values[id] !== undefined && input.values[id] !== null) {
      fields[id] = input.values[id];
      continue;
    }
    return { ok: false, field };
  }
  return { ok: true, fields };
}

function resolutionFor(field: JiraScreenField, configured: string | undefined): { name: string } | { id: string } {
  const named = (name: string) => field.allowedValues.find((v) => v.name !== undefined && norm(v.name) === norm(name));
  const choice = (configured ? named(configured) : undefined) ?? named('Done') ?? field.allowedValues[0];
  if (choice?.id !== undefined) return { id: choice.id };
  if (choice?.name !== undefined) return { name: choice.name };
  return { name: configured ?? 'Done' };
}

export type MoveResult =
  | { ok: true; path: string[]; note?: string }
  | { ok: false; path: string[]; reason: string };

/**
 * Walks the issue to the target, at most three transitions; a refusal says which transition and
 * field. `listed` are the transitions read with the issue, which spare the first step's read unless
 * the chosen one has a screen whose fields must be known.
 */
export async function moveToStatus(jira: JiraPort, issueId: string, start: StatusNow, target: StatusTarget, input: ScreenInput, listed?: readonly JiraTransition[]): Promise<MoveResult> {
  let current = start;
  const path: string[] = [];
  if (isAt(current, target)) return { ok: true, path };
  const visited = new Set<string>([norm(current.name)]);
  for (let step = 0; step < MAX_TRANSITIONS; step++) {
    const pick = (from: readonly JiraTransition[]) => pickTransition(from, current, target, visited, MAX_TRANSITIONS - step);
    let choice = pick(step === 0 && listed ? listed : await jira.getTransitions(issueId));
    if (choice?.screenUnread) choice = pick(await jira.getTransitions(issueId));
    if (!choice) break;
    const screen = screenValues(choice, input);
    if (!screen.ok) {
      return {
        ok: false,
        path,
        reason: `Transition "${choice.name}" (${current.name} → ${choice.to.name}) requires ${screen.field.name || screen.field.fieldId} (${screen.field.fieldId}), which Tandem has no value for`,
      };
    }
    const refusal = await jira.transitionIssue(issueId, choice.id, screen.fields);
    if (refusal) {
      const said = [...Object.entries(refusal.fieldErrors).map(([f, m]) => `${f}: ${m}`), ...refusal.messages].join('; ').slice(0, 300);
      return { ok: false, path, reason: `Jira refused transition "${choice.name}" (${current.name} → ${choice.to.name})${said ? `: ${said}` : ''}` };
    }
    path.push(`${choice.name} → ${choice.to.name}`);
    current = { name: choice.to.name, categoryKey: choice.to.categoryKey };
    visited.add(norm(current.name));
    if (isAt(current, target)) return { ok: true, path };
  }
  if (target.name && reachesCategory(current, target) && path.length > 0) {
    return { ok: true, path, note: `Status "${target.name}" could not be reached; the issue is in "${current.name}", of the same category` };
  }
  if (target.name && reachesCategory(current, target)) {
    return { ok: false, path, reason: `No transition from "${current.name}" reaches "${target.name}" within ${MAX_TRANSITIONS} steps; the issue stays in the same category` };
  }
  return { ok: false, path, reason: `No path of at most ${MAX_TRANSITIONS} transitions from "${current.name}" reaches ${describeTarget(target)}` };
}

const transient = (error: unknown): boolean => {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && (status === 429 || status >= 500);
};

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
      if (transient(error)) throw error;
      // One unreadable candidate does not make the others wrong.
    }
  }
  return undefined;
}

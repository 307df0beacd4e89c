// Moving a Jira issue to the status a tool record's state maps to.
// Jira only lists the transitions from the issue's current status, so the route (findStatusRoute)
// is planned over the workflow as Tandem has seen it: what Jira offered from each status, kept per
// project, issue type and status. The walk is transition, read what the new status offers,
// transition; the plan is made again after every read, so a workflow that differs from what Tandem
// remembers is followed as it is now. A status that offers the target in one step needs nothing
// remembered, so the workflow as seen is read only when the route is longer.
import * as z from 'zod';
import { exploringStep, findStatusRoute, isAtTarget, statusKey, type StatusTarget, type WorkflowEdge, type WorkflowStatus } from '../../mapping';
import type { JiraPort, JiraScreenField, JiraTransition, StorePort, StoreWrite } from '../ports';
import { keyPart } from '../state';
import { refusalText } from './fields';

const norm = (s: string) => s.trim().toLowerCase();

export interface StatusNow {
  name: string;
  categoryKey: string;
}

export function describeTarget(target: StatusTarget): string {
  return target.name ? `"${target.name}"` : `a status in category ${target.category}`;
}

// ---------------------------------------------------------------- the workflow as Tandem has seen it

/**
 * Per project and issue type, the prefix of what Jira offered the app from each status it has read:
 * one key a status (`<workflow>:<status>`), so what a walk learns is written without reading first.
 */
export const workflowKey = (projectKey: string, issueTypeId: string) => `workflow:${keyPart(projectKey)}:${keyPart(issueTypeId)}`;
const workflowStatusKey = (workflow: string, status: string) => `${workflow}:${keyPart(statusKey(status))}`;
/** Renewed whenever a walk reads the status again; a workflow nobody moves issues in is forgotten. */
export const WORKFLOW_TTL_SECONDS = 30 * 24 * 60 * 60;
const statusSchema = z.object({ name: z.string(), categoryKey: z.string(), id: z.string().optional() });
const edgeSchema = z.object({ id: z.string(), name: z.string(), to: statusSchema });
const seenStatusSchema = z.object({ status: z.string(), transitions: z.array(edgeSchema) });
type SeenWorkflow = { statuses: Record<string, WorkflowEdge[]> };
/** Statuses read back at most (pages of 100): far more than a workflow has. */
const MAX_SEEN_PAGES = 5;

const edgesOf = (transitions: readonly JiraTransition[]): WorkflowEdge[] =>
  transitions.map((t) => ({ id: t.id, name: t.name, to: { name: t.to.name, categoryKey: t.to.categoryKey, id: t.to.id } }));

/** At most this many statuses a walk learns from other issues (two reads each) before it gives up. */
const MAX_PEER_READS = 3;

async function readSeenWorkflow(store: StorePort, workflow: string): Promise<SeenWorkflow> {
  const seen: SeenWorkflow = { statuses: {} };
  let cursor: string | undefined;
  for (let page = 0; page < MAX_SEEN_PAGES; page++) {
    const found = await store.list(`${workflow}:`, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const entry of found.entries) {
      const parsed = seenStatusSchema.safeParse(entry.value);
      // A value Tandem cannot read is as good as nothing seen yet.
      if (parsed.success) seen.statuses[statusKey(parsed.data.status)] = parsed.data.transitions;
    }
    cursor = found.cursor;
    if (!cursor) break;
  }
  return seen;
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
  | { ok: true; path: string[]; note?: string; remember?: StoreWrite[] }
  | {
      ok: false;
      path: string[];
      reason: string;
      /** Set when no route was found: where the issue is, and what Jira offered from there. */
      noRoute?: { from: string; offered: string[] };
      remember?: StoreWrite[];
    };

export interface MoveInput {
  jira: JiraPort;
  /** The connection the walk moves the issue for (kept in each transition's history). */
  connectionId: string;
  store: StorePort;
  issueId: string;
  /** Where the workflow Tandem has seen is kept (workflowKey); undefined: only what Jira lists now counts. */
  workflow: string | undefined;
  start: StatusNow;
  target: StatusTarget;
  screen: ScreenInput;
  /** The transitions read with the issue; they spare the first read unless the chosen one has a screen. */
  listed?: readonly JiraTransition[] | undefined;
  /** The connection's limit on transitions for one change. */
  maxSteps: number;
  /**
   * What a status offers, read from another issue in it (nothing moves); undefined when no issue is
   * in that status. Asked only when no route is known and no step towards the target is offered.
   */
  peers?: ((status: { id: string; name: string }) => Promise<readonly JiraTransition[] | undefined>) | undefined;
  /** Where the walk has moved the issue so far, kept up to date after each transition (read when a later step throws). */
  trail?: { reached?: StatusNow } | undefined;
}

/**
 * Walks the issue to the target along the shortest route Tandem knows, at most `maxSteps`
 * transitions, reading what Jira offers after each one. `remember` is what the walk read of the
 * workflow, to be written with the change.
 */
export async function moveToStatus(input: MoveInput): Promise<MoveResult> {
  const { jira, issueId, target } = input;
  let current = input.start;
  const path: string[] = [];
  /** Statuses the walk left: an exploring step never goes back to one. */
  const passed = new Set<string>();
  /** Statuses whose transitions were asked of other issues. */
  const asked = new Set<string>();
  if (isAtTarget(current, target)) return { ok: true, path };
  let offered = input.listed ?? (await jira.getTransitions(issueId));
  const seen: SeenWorkflow = { statuses: {} };
  /** What this walk read from Jira, by status: written back, since it is the workflow as it is now. */
  const read = new Map<string, { status: string; transitions: WorkflowEdge[] }>();
  /** What was stored, once read; until then a status read now is written back unconditionally. */
  let stored: SeenWorkflow | undefined;
  const learn = (status: string, transitions: readonly JiraTransition[]) => {
    const edges = edgesOf(transitions);
    seen.statuses[statusKey(status)] = edges;
    read.set(statusKey(status), { status, transitions: edges });
  };
  /** The workflow as seen, read once and only when a route longer than one step is wanted. */
  const recall = async () => {
    if (stored !== undefined || input.workflow === undefined) return;
    stored = await readSeenWorkflow(input.store, input.workflow);
    for (const [key, edges] of Object.entries(stored.statuses)) if (!read.has(key)) seen.statuses[key] = edges;
  };
  learn(current.name, offered);
  const remember = (): StoreWrite[] => {
    const workflow = input.workflow;
    if (workflow === undefined) return [];
    return [...read]
      .filter(([key, value]) => stored === undefined || JSON.stringify(stored.statuses[key]) !== JSON.stringify(value.transitions))
      .map(([, value]) => ({ key: workflowStatusKey(workflow, value.status), value, ttlSeconds: WORKFLOW_TTL_SECONDS }));
  };
  const done = (result: MoveResult): MoveResult => {
    const writes = remember();
    return writes.length > 0 ? { ...result, remember: writes } : result;
  };

  /**
   * The walk reached the target's category on the way to a name no known route reaches: that is
   * where it ends, as the route search's fallback allows, only once what this status offers has been
   * read and still leads nowhere nearer within the limit.
   */
  const inCategoryAfterMoving = () => path.length > 0 && target.name !== undefined && current.categoryKey === target.category;
  const categoryStop = (): MoveResult => done({ ok: true, path, note: `Status "${target.name ?? ''}" could not be reached; the issue is in "${current.name}", of the same category` });

  while (path.length < input.maxSteps) {
    let route = findStatusRoute({ from: current, target, workflow: new Map(Object.entries(seen.statuses)), maxSteps: input.maxSteps - path.length });
    // One step to the target is the shortest route whatever else Tandem has seen (the search is
    // breadth first over the same transitions): anything longer is planned over all it has seen.
    const oneStep = route.kind === 'route' && route.reaches === 'name' && route.steps.length === 1;
    if (!oneStep && route.kind !== 'at' && stored === undefined && input.workflow !== undefined) {
      await recall();
      route = findStatusRoute({ from: current, target, workflow: new Map(Object.entries(seen.statuses)), maxSteps: input.maxSteps - path.length });
    }
    const workflow = new Map(Object.entries(seen.statuses));
    if (route.kind === 'at') return done({ ok: true, path });
    // No route, or only one to the category while the named status may lie beyond statuses not seen
    // yet: learn what those offer from other issues in them (nothing moves), then plan again.
    if (input.peers && (route.kind === 'none' || route.reaches === 'category')) {
      const unseen = route.unknown.filter((s): s is WorkflowStatus & { id: string } => s.id !== undefined && !asked.has(statusKey(s.name))).slice(0, MAX_PEER_READS - asked.size);
      for (const status of unseen) {
        asked.add(statusKey(status.name));
        const found = await input.peers({ id: status.id, name: status.name });
        if (found) learn(status.name, found);
      }
      if (unseen.length > 0) continue;
    }
    // Still no route: a step towards the target's category into a status not seen yet, to look from there.
    const exploring = route.kind === 'none' ? exploringStep({ from: current, target, offered: edgesOf(offered), workflow, passed }) : undefined;
    if (route.kind === 'none' && !exploring && inCategoryAfterMoving()) return categoryStop();
    if (route.kind === 'none' && !exploring) {
      const offers = offered.map((t) => `${t.name} → ${t.to.name}`);
      const unseen = route.unknown.length > 0 ? `; Tandem has not yet seen what ${route.unknown.map((s) => `"${s.name}"`).join(', ')} offer${route.unknown.length === 1 ? 's' : ''}` : '';
      const stay = target.name && current.categoryKey === target.category ? ' (it stays in the same category)' : '';
      return done({
        ok: false,
        path,
        reason: `No path of at most ${input.maxSteps} transitions from "${current.name}" reaches ${describeTarget(target)}${stay}; Jira offers from "${current.name}": ${offers.length > 0 ? offers.join(', ') : 'no transition'}${unseen}`,
        noRoute: { from: current.name, offered: offers },
      });
    }
    const step = exploring ?? (route.kind === 'route' ? route.steps[0] : undefined);
    let choice = step && offered.find((t) => t.id === step.id);
    if (choice?.screenUnread) {
      offered = await jira.getTransitions(issueId);
      learn(current.name, offered);
      choice = offered.find((t) => t.id === choice?.id);
      if (!choice) continue;
    }
    if (!choice) break;
    const screen = screenValues(choice, input.screen);
    if (!screen.ok) {
      return done({
        ok: false,
        path,
        reason: `Transition "${choice.name}" (${current.name} → ${choice.to.name}) requires ${screen.field.name || screen.field.fieldId} (${screen.field.fieldId}), which Tandem has no value for`,
      });
    }
    const refusal = await jira.transitionIssue(issueId, choice.id, screen.fields, input.connectionId);
    if (refusal) {
      const why = refusalText(refusal, 300);
      return done({ ok: false, path, reason: `Jira refused transition "${choice.name}" (${current.name} → ${choice.to.name})${why ? `: ${why}` : ''}` });
    }
    path.push(`${choice.name} → ${choice.to.name}`);
    passed.add(statusKey(current.name));
    current = { name: choice.to.name, categoryKey: choice.to.categoryKey };
    if (input.trail) input.trail.reached = current;
    if (isAtTarget(current, target)) return done({ ok: true, path });
    // A status of the target's category is not arrival at a named target: what it offers may lead
    // on to the name (Done → Closed), so it is read and the route planned again.
    if (route.kind === 'route' && route.steps.length === 1 && route.reaches === 'name') return done({ ok: true, path });
    if (path.length >= input.maxSteps && inCategoryAfterMoving()) return categoryStop();
    offered = await jira.getTransitions(issueId);
    learn(current.name, offered);
  }
  if (inCategoryAfterMoving()) return categoryStop();
  return done({ ok: false, path, reason: `No path of at most ${input.maxSteps} transitions from "${current.name}" reaches ${describeTarget(target)}`, noRoute: { from: current.name, offered: offered.map((t) => `${t.name} → ${t.to.name}`) } });
}

// The route of transitions that takes a Jira issue from its status to the one a tool state maps to.
// Jira only lists the transitions from an issue's current status, so the route is searched over the
// workflow as Tandem knows it: the transitions it has seen offered from each status. The search is
// breadth-first in both directions (reopening included), so the shortest route wins, and it only
// ever ends on a status that was asked for: the named status, else (when the name cannot be
// reached) a status of the target's category. Statuses passed on the way are never where it stops.
import type { StatusTarget } from './transforms';

/** How many transitions a status change may take when the connection says nothing. */
export const DEFAULT_MAX_TRANSITIONS = 4;
/** The most a connection may allow: every step is a Jira write. */
export const MAX_TRANSITIONS_LIMIT = 10;

export interface WorkflowStatus {
  name: string;
  categoryKey: string;
  /** Jira's id of the status, where known. */
  id?: string | undefined;
}

/** A transition Jira offered from a status. */
export interface WorkflowEdge {
  id: string;
  name: string;
  to: WorkflowStatus;
}

/** Per status (by normalised name), the transitions Jira offered from it; a status absent is not known yet. */
export type KnownWorkflow = ReadonlyMap<string, readonly WorkflowEdge[]>;

export const statusKey = (name: string): string => name.trim().toLowerCase();

export type StatusRoute =
  /** Already where the target says: nothing to do. */
  | { kind: 'at' }
  /**
   * `reaches`: the named status, or only its category because no known route reaches the name;
   * then `unknown` are the statuses whose transitions might still lead to the name.
   */
  | { kind: 'route'; steps: WorkflowEdge[]; reaches: 'name' | 'category'; unknown: WorkflowStatus[] }
  /**
   * No route within `maxSteps`. `unknown`: statuses the known transitions reach whose own
   * transitions Tandem has not seen, where a route might still begin.
   */
  | { kind: 'none'; unknown: WorkflowStatus[] };

export interface StatusRouteInput {
  from: WorkflowStatus;
  target: StatusTarget;
  workflow: KnownWorkflow;
  maxSteps: number;
}

const isNamed = (status: WorkflowStatus, target: StatusTarget) => target.name !== undefined && statusKey(status.name) === statusKey(target.name);
const inCategory = (status: WorkflowStatus, target: StatusTarget) => status.categoryKey === target.category;

/** Already where the target says: by name when it names a status, else by category. */
export function isAtTarget(status: WorkflowStatus, target: StatusTarget): boolean {
  return target.name !== undefined ? isNamed(status, target) : inCategory(status, target);
}

/**
 * The shortest route to the target over the known workflow, at most `maxSteps` transitions.
 * A named target is reached by name when any route within the limit does; only then is a status of
 * its category enough, and never when the issue is in that category already. Ties go to the
 * transition Jira lists first, so the same workflow always gives the same route.
 */
export function findStatusRoute(input: StatusRouteInput): StatusRoute {
  const { from, target } = input;
  if (isAtTarget(from, target)) return { kind: 'at' };
  const maxSteps = Math.max(0, Math.floor(input.maxSteps));
  const byName = target.name !== undefined ? search(input, maxSteps, (s) => isNamed(s, target)) : undefined;
  if (byName?.found) return { kind: 'route', steps: byName.found, reaches: 'name', unknown: [] };
  if (!inCategory(from, target)) {
    const byCategory = search(input, maxSteps, (s) => inCategory(s, target));
    if (byCategory.found) return target.name === undefined ? { kind: 'route', steps: byCategory.found, reaches: 'name', unknown: [] } : { kind: 'route', steps: byCategory.found, reaches: 'category', unknown: byName?.unknown ?? [] };
    return { kind: 'none', unknown: byCategory.unknown };
  }
  return { kind: 'none', unknown: byName?.unknown ?? [] };
}

function search(input: StatusRouteInput, maxSteps: number, goal: (s: WorkflowStatus) => boolean): { found?: WorkflowEdge[]; unknown: WorkflowStatus[] } {
  const start = statusKey(input.from.name);
  const seen = new Set<string>([start]);
  const unknown = new Map<string, WorkflowStatus>();
  let layer: Array<{ at: WorkflowStatus; steps: WorkflowEdge[] }> = [{ at: input.from, steps: [] }];
  for (let depth = 0; depth < maxSteps && layer.length > 0; depth++) {
    const next: typeof layer = [];
    for (const { at, steps } of layer) {
      const edges = input.workflow.get(statusKey(at.name));
      if (edges === undefined) {
        unknown.set(statusKey(at.name), at);
        continue;
      }
      for (const edge of edges) {
        const key = statusKey(edge.to.name);
        if (seen.has(key)) continue;
        const route = [...steps, edge];
        if (goal(edge.to)) return { found: route, unknown: [] };
        seen.add(key);
        next.push({ at: edge.to, steps: route });
      }
    }
    layer = next;
  }
  return { unknown: [...unknown.values()] };
}

const CATEGORY_RANK: Record<string, number> = { new: 0, indeterminate: 1, done: 2 };
const categoryDistance = (categoryKey: string, target: StatusTarget): number => Math.abs((CATEGORY_RANK[categoryKey] ?? 1) - (CATEGORY_RANK[target.category] ?? 1));

/**
 * When the known workflow has no route: a step into a status whose transitions Tandem has not seen,
 * taken only when its category is strictly closer to the target's, so the walk can learn the way on
 * without ever moving away from what was asked. Undefined when no such step is offered.
 */
export function exploringStep(input: { from: WorkflowStatus; target: StatusTarget; offered: readonly WorkflowEdge[]; workflow: KnownWorkflow; passed: ReadonlySet<string> }): WorkflowEdge | undefined {
  const here = categoryDistance(input.from.categoryKey, input.target);
  return input.offered.find(
    (edge) => !input.workflow.has(statusKey(edge.to.name)) && !input.passed.has(statusKey(edge.to.name)) && categoryDistance(edge.to.categoryKey, input.target) < here,
  );
}

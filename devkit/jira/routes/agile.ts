// Jira Software's Agile REST API (/rest/agile/1.0), the part Tandem reads: a project's boards and
// a board's sprints, so a sprint named by the tool is found on the board the mapping chose.
// developer.atlassian.com/cloud/jira/software/rest/api-group-board/#api-rest-agile-1-0-board-get
// developer.atlassian.com/cloud/jira/software/rest/api-group-board/#api-rest-agile-1-0-board-boardid-sprint-get
import type { Route, RouteContext } from '../context';
import { badRequest, intParam, json, notFound } from '../http';
import type { BoardRecord, SprintRecord } from '../model';
import type { JiraStore } from '../store';

/** The Agile API pages with startAt/maxResults/isLast; at most 50 a page. */
function page<T>(ctx: RouteContext, items: T[]): { startAt: number; maxResults: number; isLast: boolean; total: number; slice: T[] } {
  const startAt = intParam(ctx.query, 'startAt', 0);
  const maxResults = Math.max(1, Math.min(intParam(ctx.query, 'maxResults', 50), 50));
  const slice = items.slice(startAt, startAt + maxResults);
  return { startAt, maxResults, isLast: startAt + slice.length >= items.length, total: items.length, slice };
}

function boardJson(store: JiraStore, board: BoardRecord): Record<string, unknown> {
  const project = store.projects.get(board.projectId);
  return {
    id: board.id,
    self: `${store.baseUrl}/rest/agile/1.0/board/${board.id}`,
    name: board.name,
    type: board.type,
    ...(project ? { location: { projectId: Number(project.id), displayName: `${project.name} (${project.key})`, projectName: project.name, projectKey: project.key, projectTypeKey: 'software', name: `${project.name} (${project.key})` } } : {}),
  };
}

function listBoards(ctx: RouteContext) {
  const { store } = ctx;
  const projectRef = ctx.query.get('projectKeyOrId');
  const project = projectRef === null ? undefined : store.findProject(projectRef);
  if (projectRef !== null && !project) throw badRequest([`No project could be found with key or id '${projectRef}'.`]);
  const type = ctx.query.get('type');
  const name = ctx.query.get('name')?.toLowerCase();
  const boards = [...store.boards.values()].filter(
    (b) => (!project || b.projectId === project.id) && (type === null || type.split(',').includes(b.type)) && (name === undefined || b.name.toLowerCase().includes(name)),
  );
  const p = page(ctx, boards);
  return json(200, { maxResults: p.maxResults, startAt: p.startAt, total: p.total, isLast: p.isLast, values: p.slice.map((b) => boardJson(store, b)) });
}

const SPRINT_ORDER: Record<SprintRecord['state'], number> = { closed: 0, active: 1, future: 2 };

/** Sprints ordered closed, active, future; `state` filters by a comma list. Kanban boards have none. */
function boardSprints(ctx: RouteContext) {
  const { store } = ctx;
  const boardId = Number(ctx.params.boardId);
  const board = store.boards.get(boardId);
  if (!Number.isInteger(boardId) || !board) throw notFound(`Board does not exist or you do not have permission to see it.`);
  if (board.type !== 'scrum') throw badRequest(['The board does not support sprints']);
  const states = (ctx.query.get('state') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const state of states) if (!(state in SPRINT_ORDER)) throw badRequest([`'${state}' is not a valid sprint state.`]);
  const sprints = [...store.sprints.values()]
    .filter((s) => s.boardId === boardId && (states.length === 0 || states.includes(s.state)))
    .sort((a, b) => SPRINT_ORDER[a.state] - SPRINT_ORDER[b.state] || a.id - b.id);
  const p = page(ctx, sprints);
  return json(200, { maxResults: p.maxResults, startAt: p.startAt, isLast: p.isLast, values: p.slice.map((s) => store.sprintJson(s)) });
}

function getSprint(ctx: RouteContext) {
  const sprint = ctx.store.sprints.get(Number(ctx.params.sprintId));
  if (!sprint) throw notFound('Sprint does not exist or you do not have permission to see it.');
  return json(200, ctx.store.sprintJson(sprint));
}

export const agileRoutes: Route[] = [
  { method: 'GET', path: '/board', handler: listBoards },
  { method: 'GET', path: '/board/{boardId}/sprint', handler: boardSprints },
  { method: 'GET', path: '/sprint/{sprintId}', handler: getSprint },
];

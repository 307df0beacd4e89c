import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exploringStep, findPreset, findStatusRoute, maxTransitionsOf, parseConfig, statusKey, type KnownWorkflow, type StatusTarget, type WorkflowEdge, type WorkflowStatus } from '../../../src/mapping';

const S: Record<string, WorkflowStatus> = {
  todo: { name: 'To Do', categoryKey: 'new' },
  progress: { name: 'In Progress', categoryKey: 'indeterminate' },
  blocked: { name: 'Blocked', categoryKey: 'indeterminate' },
  done: { name: 'Done', categoryKey: 'done' },
  closed: { name: 'Closed', categoryKey: 'done' },
};

let ids = 10;
const edge = (name: string, to: WorkflowStatus): WorkflowEdge => ({ id: String((ids += 10)), name, to });

/** To Do → In Progress ⇄ Blocked → Done → Closed, with Stop Progress and Reopen back to To Do. */
function fullWorkflow(): Map<string, WorkflowEdge[]> {
  return new Map([
    [statusKey('To Do'), [edge('Start Progress', S.progress!)]],
    [statusKey('In Progress'), [edge('Block', S.blocked!), edge('Done', S.done!), edge('Stop Progress', S.todo!)]],
    [statusKey('Blocked'), [edge('Unblock', S.progress!), edge('Done', S.done!), edge('Stop Progress', S.todo!)]],
    [statusKey('Done'), [edge('Close', S.closed!), edge('Reopen', S.todo!)]],
    [statusKey('Closed'), [edge('Reopen', S.todo!)]],
  ]);
}

const named = (name: string, category: StatusTarget['category']): StatusTarget => ({ kind: 'status', name, category });
const names = (route: ReturnType<typeof findStatusRoute>) => (route.kind === 'route' ? route.steps.map((s) => `${s.name} → ${s.to.name}`) : route.kind);

const cases: Array<{ title: string; from: WorkflowStatus; target: StatusTarget; maxSteps?: number; workflow?: KnownWorkflow; expect: string[] | 'at' | 'none'; reaches?: 'name' | 'category' }> = [
  { title: 'already there', from: S.done!, target: named('Done', 'done'), expect: 'at' },
  { title: 'one step forward', from: S.todo!, target: named('In Progress', 'indeterminate'), expect: ['Start Progress → In Progress'] },
  { title: 'from Done to Blocked reopens first (three steps)', from: S.done!, target: named('Blocked', 'indeterminate'), expect: ['Reopen → To Do', 'Start Progress → In Progress', 'Block → Blocked'] },
  { title: 'from Closed to In Progress: Reopen then Start Progress', from: S.closed!, target: named('In Progress', 'indeterminate'), expect: ['Reopen → To Do', 'Start Progress → In Progress'] },
  { title: 'backwards to To Do', from: S.blocked!, target: named('To Do', 'new'), expect: ['Stop Progress → To Do'] },
  { title: 'the shortest of several routes', from: S.todo!, target: named('Closed', 'done'), expect: ['Start Progress → In Progress', 'Done → Done', 'Close → Closed'] },
  { title: 'a name beyond the limit falls back to its category within it', from: S.todo!, target: named('Closed', 'done'), maxSteps: 2, expect: ['Start Progress → In Progress', 'Done → Done'], reaches: 'category' },
  { title: 'a route longer than the limit is no route', from: S.todo!, target: named('Closed', 'done'), maxSteps: 1, expect: 'none' },
  { title: 'a category target takes the first status of it', from: S.todo!, target: { kind: 'status', category: 'indeterminate' }, expect: ['Start Progress → In Progress'], reaches: 'name' },
  {
    title: 'a name out of reach falls back to its category',
    from: S.todo!,
    target: named('On Hold', 'indeterminate'),
    expect: ['Start Progress → In Progress'],
    reaches: 'category',
  },
  { title: 'a name out of reach in the category already is no route (it stays, not a status nobody asked for)', from: S.progress!, target: named('On Hold', 'indeterminate'), expect: 'none' },
  {
    title: 'statuses whose transitions are unknown end no route',
    from: S.done!,
    target: named('Blocked', 'indeterminate'),
    workflow: new Map([[statusKey('Done'), [edge('Close', S.closed!), edge('Reopen', S.todo!)]]]),
    expect: 'none',
  },
  { title: 'zero steps allowed', from: S.todo!, target: named('In Progress', 'indeterminate'), maxSteps: 0, expect: 'none' },
  { title: 'names compare without case or spaces around', from: S.todo!, target: named(' in progress ', 'indeterminate'), expect: ['Start Progress → In Progress'], reaches: 'name' },
];

for (const c of cases) {
  test(`status route: ${c.title}`, () => {
    const route = findStatusRoute({ from: c.from, target: c.target, workflow: c.workflow ?? fullWorkflow(), maxSteps: c.maxSteps ?? 4 });
    assert.deepEqual(names(route), c.expect);
    if (c.reaches && route.kind === 'route') assert.equal(route.reaches, c.reaches);
  });
}

test('status route: no route names the statuses whose transitions are not known yet', () => {
  const route = findStatusRoute({
    from: S.done!,
    target: named('Blocked', 'indeterminate'),
    workflow: new Map([[statusKey('Done'), [edge('Close', S.closed!), edge('Reopen', S.todo!)]]]),
    maxSteps: 4,
  });
  assert.equal(route.kind, 'none');
  assert.deepEqual(route.kind === 'none' ? route.unknown.map((s) => s.name).sort() : [], ['Closed', 'To Do']);
});

test('status route: never passes through the start again, and never ends on a status passed on the way', () => {
  const route = findStatusRoute({ from: S.blocked!, target: named('Closed', 'done'), workflow: fullWorkflow(), maxSteps: 4 });
  assert.equal(route.kind, 'route');
  if (route.kind !== 'route') return;
  assert.equal(route.steps.at(-1)?.to.name, 'Closed');
  const visited = route.steps.map((s) => s.to.name);
  assert.equal(new Set(visited).size, visited.length);
  assert.ok(!visited.includes('Blocked'));
});

test('status route: the connection limits the transitions of one change, 4 unless set, from 1 to 10', () => {
  const preset = findPreset('stackflow-itsm');
  assert.ok(preset);
  const connection = preset.build({ name: 'StackFlow', baseUrl: 'https://stackflow.example.com', id: 'stackflow' });
  assert.equal(maxTransitionsOf(connection), 4);
  const withLimit = (maxTransitions: unknown) => parseConfig({ version: 1, connections: [{ ...connection, inbound: { auth: 'hmac', maxTransitions } }] });
  const six = withLimit(6);
  assert.ok(six.ok);
  assert.equal(six.ok && maxTransitionsOf(six.config.connections[0]!), 6);
  for (const bad of [0, 11, 2.5, '4']) assert.equal(withLimit(bad).ok, false, `maxTransitions ${JSON.stringify(bad)} is refused`);
});

test('status route: with no known route, a step into an unseen status is taken only towards the target category', () => {
  const onlyToDo = new Map([[statusKey('To Do'), [edge('Start Progress', S.progress!)]]]);
  const fromToDo = onlyToDo.get('to do') ?? [];
  // To Do → In Progress brings "new" closer to "done": the way on is learned from there.
  assert.equal(exploringStep({ from: S.todo!, target: named('Done', 'done'), offered: fromToDo, workflow: onlyToDo, passed: new Set() })?.to.name, 'In Progress');
  // From Done, Closed is no closer to Blocked than Done is, and To Do is as far: no step at all.
  const fromDone = [edge('Close', S.closed!), edge('Reopen', S.todo!)];
  assert.equal(exploringStep({ from: S.done!, target: named('Blocked', 'indeterminate'), offered: fromDone, workflow: new Map(), passed: new Set() }), undefined);
  // A status already known is planned over, never explored; one left on the way is not gone back to.
  assert.equal(exploringStep({ from: S.todo!, target: named('Done', 'done'), offered: fromToDo, workflow: fullWorkflow(), passed: new Set() }), undefined);
  assert.equal(exploringStep({ from: S.todo!, target: named('Done', 'done'), offered: fromToDo, workflow: new Map(), passed: new Set(['in progress']) }), undefined);
});

test('status route: a route only to the category names the statuses that might still lead to the name', () => {
  const partial = new Map([
    [statusKey('Done'), [edge('Reopen', { ...S.todo!, id: '1' })]],
    [statusKey('To Do'), [edge('Start Progress', { ...S.progress!, id: '3' })]],
  ]);
  const route = findStatusRoute({ from: S.done!, target: named('Blocked', 'indeterminate'), workflow: partial, maxSteps: 4 });
  assert.equal(route.kind, 'route');
  if (route.kind !== 'route') return;
  assert.equal(route.reaches, 'category');
  assert.deepEqual(route.unknown.map((s) => [s.name, s.id]), [['In Progress', '3']]);
});

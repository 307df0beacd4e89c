// JQL's history operators (WAS, WAS IN, WAS NOT, CHANGED with AFTER, BEFORE, ON, DURING, BY, FROM,
// TO), answered from the issue history the simulator keeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIssue, list, site, START, at, type Site } from './helpers';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

async function keys(s: Site, jql: string): Promise<string[]> {
  const answer = await s.call('POST', '/search/jql', { jql, fields: ['summary'], maxResults: 100 });
  assert.equal(answer.status, 200, `${jql}: ${JSON.stringify(answer.body)}`);
  return list(answer.body, 'issues').map((i) => String(at(i, 'key')));
}

/**
 * OPS-1: To Do → In Progress (Bob, day 1) → Done (Alice, day 3); assigned to Bob (day 1) then Carol (day 2).
 * OPS-2: never changed. OPS-3: In Progress by the app 10 minutes before now (day 5).
 */
async function history(s: Site): Promise<void> {
  const one = await createIssue(s, 'One');
  await createIssue(s, 'Two');
  const three = await createIssue(s, 'Three');
  s.clock.now = START + DAY;
  assert.equal((await s.call('POST', `/issue/${one.key}/transitions`, { transition: { id: '11' } }, { kind: 'user', accountId: s.bob.accountId })).status, 204);
  assert.equal((await s.call('PUT', `/issue/${one.key}/assignee`, { accountId: s.bob.accountId })).status, 204);
  s.clock.now = START + 2 * DAY;
  assert.equal((await s.call('PUT', `/issue/${one.key}/assignee`, { accountId: s.carol.accountId }, { kind: 'user', accountId: s.bob.accountId })).status, 204);
  s.clock.now = START + 3 * DAY;
  assert.equal((await s.call('POST', `/issue/${one.key}/transitions`, { transition: { id: '41' }, fields: { resolution: { name: 'Done' } } })).status, 204);
  s.clock.now = START + 5 * DAY - 10 * MINUTE;
  assert.equal((await s.call('POST', `/issue/${three.key}/transitions`, { transition: { id: '11' } }, { kind: 'app' })).status, 204);
  s.clock.now = START + 5 * DAY;
}

test('status CHANGED with relative dates, BY, FROM and TO', async () => {
  const s = site();
  await history(s);
  assert.deepEqual(await keys(s, 'status CHANGED'), ['OPS-1', 'OPS-3']);
  assert.deepEqual(await keys(s, 'status CHANGED AFTER -1d'), ['OPS-3']);
  assert.deepEqual(await keys(s, 'status CHANGED AFTER -3d'), ['OPS-1', 'OPS-3']);
  assert.deepEqual(await keys(s, 'status CHANGED BEFORE -3d'), ['OPS-1']);
  assert.deepEqual(await keys(s, 'status CHANGED FROM "To Do" TO "In Progress"'), ['OPS-1', 'OPS-3']);
  assert.deepEqual(await keys(s, 'status CHANGED TO Done'), ['OPS-1']);
  assert.deepEqual(await keys(s, `status CHANGED BY ${s.bob.accountId}`), ['OPS-1']);
  assert.deepEqual(await keys(s, 'status CHANGED BY currentUser()'), ['OPS-1'], 'Alice (the caller) moved OPS-1 to Done');
  assert.deepEqual(await keys(s, 'status CHANGED DURING ("2026/11/23", "2026/11/24")'), ['OPS-1']);
  assert.deepEqual(await keys(s, 'status CHANGED ON "2026/11/25"'), ['OPS-1']);
  assert.deepEqual(await keys(s, 'NOT status CHANGED'), ['OPS-2']);
});

test('status WAS, WAS IN, WAS NOT and WAS NOT IN, with time predicates', async () => {
  const s = site();
  await history(s);
  assert.deepEqual(await keys(s, 'status WAS "In Progress"'), ['OPS-1', 'OPS-3']);
  assert.deepEqual(await keys(s, 'status WAS "To Do"'), ['OPS-1', 'OPS-2', 'OPS-3']);
  assert.deepEqual(await keys(s, 'status WAS "In Progress" BEFORE "2026/11/23"'), []);
  assert.deepEqual(await keys(s, 'status WAS "In Progress" ON "2026/11/24"'), ['OPS-1']);
  assert.deepEqual(await keys(s, 'status WAS "In Progress" AFTER -1d'), ['OPS-3']);
  assert.deepEqual(await keys(s, 'status WAS IN (Done, Blocked)'), ['OPS-1']);
  assert.deepEqual(await keys(s, 'status WAS NOT "In Progress"'), ['OPS-2']);
  assert.deepEqual(await keys(s, 'status WAS NOT IN ("In Progress", Done)'), ['OPS-2']);
  assert.deepEqual(await keys(s, `status WAS "In Progress" BY ${s.bob.accountId}`), ['OPS-1']);
});

test('assignee CHANGED FROM … TO … and assignee WAS, EMPTY included', async () => {
  const s = site();
  await history(s);
  assert.deepEqual(await keys(s, `assignee CHANGED FROM ${s.bob.accountId} TO ${s.carol.accountId}`), ['OPS-1']);
  assert.deepEqual(await keys(s, `assignee CHANGED FROM EMPTY TO ${s.bob.accountId}`), ['OPS-1']);
  assert.deepEqual(await keys(s, `assignee CHANGED TO ${s.bob.accountId} BY ${s.bob.accountId}`), []);
  assert.deepEqual(await keys(s, `assignee WAS ${s.bob.accountId}`), ['OPS-1']);
  assert.deepEqual(await keys(s, 'assignee WAS EMPTY'), ['OPS-1', 'OPS-2', 'OPS-3']);
  assert.deepEqual(await keys(s, `assignee WAS ${s.bob.accountId} AFTER "2026/11/24"`), ['OPS-1'], 'Bob held it until 07:02 that day');
  assert.deepEqual(await keys(s, `assignee WAS ${s.bob.accountId} AFTER "2026/11/24 08:00"`), []);
  assert.deepEqual(await keys(s, `assignee WAS IN (${s.bob.accountId}, ${s.alice.accountId}) AND status = Done`), ['OPS-1']);
});

test('history searches are refused where Jira refuses them', async () => {
  const s = site();
  const refused = async (jql: string): Promise<string> => {
    const answer = await s.call('POST', '/search/jql', { jql });
    assert.equal(answer.status, 400, jql);
    return list(answer.body, 'errorMessages').join(' ');
  };
  assert.equal(await refused('summary WAS x'), "The operator 'was' is not supported by the 'summary' field.");
  assert.equal(await refused('labels CHANGED'), "The operator 'changed' is not supported by the 'labels' field.");
  assert.match(await refused('status WAS Done FROM "To Do"'), /predicate 'FROM' is not supported by the 'WAS' operator/);
  assert.match(await refused('status CHANGED AFTER someday'), /^Date value 'someday' for predicate 'after' is invalid/);
  assert.match(await refused('status WAS IN Done'), /^Operator 'was in' does not support the non-list value/);
  assert.match(await refused('status CHANGED DURING ("2026/11/23")'), /DURING/);
});

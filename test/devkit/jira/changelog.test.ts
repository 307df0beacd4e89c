// The Jira simulator keeps each issue's history as Jira does and serves it through every changelog
// operation: the issue with expand=changelog, the paged list, by ids, and the bulk fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, createIssue, list, site, type Site } from './helpers';

interface Item {
  field: string;
  fieldId: string;
  from?: string;
  fromString?: string;
  to?: string;
  toString?: string;
}

function items(history: unknown): Item[] {
  return list(history, 'items') as Item[];
}

/** OPS-1 changed four times: an edit by Alice, a transition by Bob, an assignment and a reassignment as the app. */
async function changedIssue(s: Site): Promise<{ id: string; key: string }> {
  const issue = await createIssue(s, 'Printer on fire');
  s.clock.now += 60_000;
  assert.equal((await s.call('PUT', `/issue/${issue.key}`, { fields: { summary: 'Printer still on fire', priority: { name: 'High' } } })).status, 204);
  s.clock.now += 60_000;
  assert.equal((await s.call('POST', `/issue/${issue.key}/transitions`, { transition: { id: '11' } }, { kind: 'user', accountId: s.bob.accountId })).status, 204);
  s.clock.now += 60_000;
  assert.equal((await s.call('PUT', `/issue/${issue.key}/assignee`, { accountId: s.bob.accountId }, { kind: 'app' })).status, 204);
  s.clock.now += 60_000;
  assert.equal((await s.call('PUT', `/issue/${issue.key}/assignee`, { accountId: s.carol.accountId }, { kind: 'app' })).status, 204);
  return issue;
}

test('every change is in the issue history with its author, time and items, the same items its event carried', async () => {
  const s = site();
  const issue = await changedIssue(s);
  const got = await s.call('GET', `/issue/${issue.key}?expand=changelog&fields=summary`);
  assert.equal(got.status, 200);
  const changelog = at(got.body, 'changelog');
  assert.equal(at(changelog, 'total'), 4);
  const histories = list(changelog, 'histories');
  assert.deepEqual(
    histories.map((h) => [at(h, 'author', 'accountId'), at(h, 'created')]),
    [
      [s.alice.accountId, '2026-11-22T07:03:00.000+0000'],
      [s.bob.accountId, '2026-11-22T07:04:00.000+0000'],
      [s.sim.appAccountId, '2026-11-22T07:05:00.000+0000'],
      [s.sim.appAccountId, '2026-11-22T07:06:00.000+0000'],
    ],
  );
  assert.deepEqual(
    items(histories[0]).map((i) => [i.fieldId, i.fromString, i.toString]),
    [
      ['summary', 'Printer on fire', 'Printer still on fire'],
      ['priority', 'Medium', 'High'],
    ],
  );
  assert.deepEqual(items(histories[1]).map((i) => [i.fieldId, i.fromString, i.toString]), [['status', 'To Do', 'In Progress']]);
  const firstAssign = items(histories[2])[0];
  assert.deepEqual([firstAssign?.fieldId, firstAssign?.from, firstAssign?.to, firstAssign?.toString], ['assignee', undefined, s.bob.accountId, 'Bob Builder']);

  // One source of truth: each updated event names the changelog entry the history holds.
  const updates = s.events.filter((e) => e.eventType === 'avi:jira:updated:issue');
  assert.deepEqual(
    updates.map((e) => at(e.payload, 'changelog', 'id')),
    histories.map((h) => at(h, 'id')),
  );
  assert.equal(at(await s.call('GET', `/issue/${issue.key}`).then((r) => r.body), 'changelog'), undefined, 'only with expand=changelog');
});

test('the history metadata an edit or a transition carries is kept with its entry and listed with it', async () => {
  const s = site();
  const issue = await createIssue(s, 'Printer on fire');
  const metadata = { type: 'tandem:sync', cause: { type: 'tandem-connection', id: 'stackflow' } };
  assert.equal((await s.call('PUT', `/issue/${issue.key}`, { fields: { summary: 'Printer still on fire' }, historyMetadata: metadata }, { kind: 'app' })).status, 204);
  assert.equal((await s.call('POST', `/issue/${issue.key}/transitions`, { transition: { id: '11' }, historyMetadata: metadata }, { kind: 'app' })).status, 204);
  assert.equal((await s.call('PUT', `/issue/${issue.key}`, { fields: { summary: 'Printer out' } })).status, 204);
  const page = await s.call('GET', `/issue/${issue.key}/changelog`);
  assert.deepEqual(list(page.body, 'values').map((h) => at(h, 'historyMetadata')), [metadata, metadata, undefined]);
});

test('comments are not field changes: they add nothing to the history', async () => {
  const s = site();
  const issue = await createIssue(s, 'Quiet');
  assert.equal((await s.call('POST', `/issue/${issue.key}/comment`, { body: { type: 'doc', version: 1, content: [] } })).status, 201);
  assert.equal(at((await s.call('GET', `/issue/${issue.key}/changelog`)).body, 'total'), 0);
});

test('GET changelog pages oldest first with startAt and maxResults (at most 100), nextPage and isLast', async () => {
  const s = site();
  const issue = await changedIssue(s);
  const first = await s.call('GET', `/issue/${issue.key}/changelog?maxResults=3`);
  assert.equal(first.status, 200);
  assert.equal(at(first.body, 'total'), 4);
  assert.equal(at(first.body, 'isLast'), false);
  assert.equal(list(first.body, 'values').length, 3);
  assert.match(String(at(first.body, 'nextPage')), /\/rest\/api\/3\/issue\/OPS-1\/changelog\?startAt=3&maxResults=3$/);
  const second = await s.call('GET', `/issue/${issue.key}/changelog?startAt=3&maxResults=3`);
  assert.equal(at(second.body, 'isLast'), true);
  assert.equal(at(second.body, 'nextPage'), undefined);
  assert.deepEqual(items(list(second.body, 'values')[0]).map((i) => i.toString), ['Carol Quiet']);
  assert.equal(at((await s.call('GET', `/issue/${issue.key}/changelog?maxResults=500`)).body, 'maxResults'), 100);
  assert.equal((await s.call('GET', '/issue/OPS-99/changelog')).status, 404);
});

test('POST changelog/list returns the changelogs with the given ids', async () => {
  const s = site();
  const issue = await changedIssue(s);
  const ids = list((await s.call('GET', `/issue/${issue.key}/changelog`)).body, 'values').map((h) => Number(at(h, 'id')));
  const picked = await s.call('POST', `/issue/${issue.key}/changelog/list`, { changelogIds: [ids[3], ids[1], 999999] });
  assert.equal(picked.status, 200);
  assert.deepEqual(list(picked.body, 'histories').map((h) => Number(at(h, 'id'))), [ids[1], ids[3]]);
  assert.equal(at(picked.body, 'total'), 2);
  assert.equal((await s.call('POST', `/issue/${issue.key}/changelog/list`, {})).status, 400);
});

test('POST changelog/bulkfetch: several issues, filtered by field, oldest first, paged with nextPageToken', async () => {
  const s = site();
  const a = await changedIssue(s);
  const b = await createIssue(s, 'Second');
  s.clock.now += 60_000;
  assert.equal((await s.call('PUT', `/issue/${b.key}/assignee`, { accountId: s.alice.accountId })).status, 204);

  const all = await s.call('POST', '/changelog/bulkfetch', { issueIdsOrKeys: [a.key, b.id, 'OPS-404'], fieldIds: ['assignee'] });
  assert.equal(all.status, 200);
  const logs = list(all.body, 'issueChangeLogs');
  assert.deepEqual(logs.map((l) => at(l, 'issueId')), [a.id, b.id]);
  assert.deepEqual(list(logs[0], 'changeHistories').map((h) => items(h).map((i) => i.toString)), [['Bob Builder'], ['Carol Quiet']]);
  assert.equal(at(all.body, 'nextPageToken'), undefined);

  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await s.call('POST', '/changelog/bulkfetch', { issueIdsOrKeys: [a.key, b.key], maxResults: 2, ...(token ? { nextPageToken: token } : {}) });
    assert.equal(page.status, 200);
    for (const log of list(page.body, 'issueChangeLogs')) for (const h of list(log, 'changeHistories')) seen.push(String(at(h, 'id')));
    token = at(page.body, 'nextPageToken') as string | undefined;
    pages += 1;
  } while (token !== undefined && pages < 10);
  assert.equal(pages, 3);
  assert.equal(seen.length, 5);
  assert.equal((await s.call('POST', '/changelog/bulkfetch', { issueIdsOrKeys: [] })).status, 400);
  assert.equal((await s.call('POST', '/changelog/bulkfetch', { issueIdsOrKeys: ['OPS-1'], fieldIds: Array.from({ length: 11 }, (_, i) => `f${i}`) })).status, 400);
});

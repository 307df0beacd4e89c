// The Jira simulator's comments, remote links, users, permissions and search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JiraSimulator } from '../../../devkit/jira/simulator';
import { adf, APP, at, createIssue, list, site } from './helpers';
import { DEFAULT_SEARCH_LAG_MS } from '../../../devkit/jira/search-index';

test('comment properties: set with the comment or one by one, read by the comment id alone, refused without a key or value, gone with the comment', async () => {
  const s = site();
  const issue = await createIssue(s, 'Noted');
  const added = await s.call('POST', `/issue/${issue.key}/comment`, { body: adf('From the tool'), properties: [{ key: 'tandem-note', value: { note: 'n-1' } }] }, { kind: 'app' });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const id = String(at(added.body, 'id'));
  const read = await s.call('GET', `/comment/${id}/properties/tandem-note`);
  assert.equal(read.status, 200);
  assert.deepEqual(read.body, { key: 'tandem-note', value: { note: 'n-1' } });
  assert.equal((await s.call('GET', `/comment/${id}/properties/other`)).status, 404);
  assert.deepEqual(list(await s.call('GET', `/comment/${id}/properties`).then((r) => r.body), 'keys').map((k) => at(k, 'key')), ['tandem-note']);
  assert.equal((await s.call('PUT', `/comment/${id}/properties/more`, { n: 1 }, { kind: 'app' })).status, 201);
  assert.equal((await s.call('PUT', `/comment/${id}/properties/more`, { n: 2 }, { kind: 'app' })).status, 200);
  // Edit Own Comments or Edit All Comments: a user who may neither is refused.
  assert.equal((await s.call('PUT', `/comment/${id}/properties/more`, { n: 3 }, { kind: 'user', accountId: s.carol.accountId })).status, 403);
  // EntityProperty: key and value are both required on create.
  const keyless = await s.call('POST', `/issue/${issue.key}/comment`, { body: adf('No key'), properties: [{ value: 1 }] });
  assert.equal(keyless.status, 400);
  const blank = await s.call('POST', `/issue/${issue.key}/comment`, { body: adf('Empty key'), properties: [{ key: '', value: 1 }] });
  assert.equal(blank.status, 400);
  assert.equal((await s.call('DELETE', `/comment/${id}/properties/more`, undefined, { kind: 'app' })).status, 204);
  assert.equal((await s.call('DELETE', `/issue/${issue.key}/comment/${id}`)).status, 204);
  assert.equal((await s.call('GET', `/comment/${id}/properties/tandem-note`)).status, 404, 'gone with its comment');
});

test('comment add, edit and delete emit commented, commented and deleted:comment', async () => {
  const s = site();
  const issue = await createIssue(s, 'Talk');
  s.events.length = 0;
  const plain = await s.call('POST', `/issue/${issue.key}/comment`, { body: 'plain text' });
  assert.equal(plain.status, 400);
  assert.ok(at(plain.body, 'errors', 'comment'));
  const added = await s.call('POST', `/issue/${issue.key}/comment`, { body: adf('First') }, { kind: 'user', accountId: s.bob.accountId });
  assert.equal(added.status, 201);
  const id = String(at(added.body, 'id'));
  assert.equal(at(added.body, 'author', 'accountId'), s.bob.accountId);
  assert.equal(at(added.body, 'author', 'emailAddress'), 'bob@example.com');

  assert.equal((await s.call('PUT', `/issue/${issue.key}/comment/${id}`, { body: adf('Hijack') }, { kind: 'user', accountId: s.carol.accountId })).status, 403);
  const edited = await s.call('PUT', `/issue/${issue.key}/comment/${id}`, { body: adf('Edited by the app') }, { kind: 'app' });
  assert.equal(edited.status, 200);
  assert.equal(at(edited.body, 'updateAuthor', 'accountId'), APP);
  const page = await s.call('GET', `/issue/${issue.key}/comment?startAt=0&maxResults=10`);
  assert.equal(at(page.body, 'total'), 1);
  assert.deepEqual(at(list(page.body, 'comments')[0], 'body'), adf('Edited by the app'));
  assert.equal((await s.call('DELETE', `/issue/${issue.key}/comment/${id}`)).status, 204);
  assert.equal((await s.call('GET', `/issue/${issue.key}/comment/${id}`)).status, 404);

  assert.deepEqual(
    s.events.filter((e) => e.eventType !== 'avi:jira:updated:issue').map((e) => [e.eventType, e.payload.atlassianId, e.causedByApp]),
    [
      ['avi:jira:commented:issue', s.bob.accountId, false],
      ['avi:jira:commented:issue', APP, true],
      ['avi:jira:deleted:comment', s.alice.accountId, false],
    ],
  );
  const edit = s.events.filter((e) => e.eventType === 'avi:jira:commented:issue')[1];
  assert.equal(at(edit?.payload, 'comment', 'id'), id);
  assert.deepEqual(at(edit?.payload, 'comment', 'body'), adf('Edited by the app'));
  assert.equal(at(edit?.payload, 'issue', 'key'), issue.key);
});

test('remote links upsert by globalId: 201 then 200, one link; delete by globalId', async () => {
  const s = site();
  const issue = await createIssue(s, 'Linked');
  const link = { globalId: 'tandem:c1:INC-7', application: { type: 'tandem', name: 'ITSM' }, relationship: 'synced with', object: { url: 'https://itsm.example.com/INC-7', title: 'INC-7' } };
  const first = await s.call('POST', `/issue/${issue.key}/remotelink`, link);
  assert.equal(first.status, 201);
  assert.equal(typeof at(first.body, 'id'), 'number');
  const again = await s.call('POST', `/issue/${issue.key}/remotelink`, { ...link, object: { ...link.object, title: 'INC-7 (resolved)' } });
  assert.equal(again.status, 200);
  assert.equal(at(again.body, 'id'), at(first.body, 'id'));
  const all = list((await s.call('GET', `/issue/${issue.key}/remotelink`)).body);
  assert.equal(all.length, 1);
  assert.equal(at(all[0], 'object', 'title'), 'INC-7 (resolved)');
  const one = await s.call('GET', `/issue/${issue.key}/remotelink?globalId=${encodeURIComponent(link.globalId)}`);
  assert.equal(at(one.body, 'globalId'), link.globalId);
  const noTitle = await s.call('POST', `/issue/${issue.key}/remotelink`, { object: { url: 'https://x.example.com' } });
  assert.equal(noTitle.status, 400);
  assert.ok(at(noTitle.body, 'errors', 'title'));
  assert.equal((await s.call('DELETE', `/issue/${issue.key}/remotelink?globalId=${encodeURIComponent(link.globalId)}`)).status, 204);
  assert.equal(s.sim.getIssue(issue.key)?.remoteLinks.length, 0);
  assert.equal((await s.call('DELETE', `/issue/${issue.key}/remotelink?globalId=nope`)).status, 404);
});

test('user search hides hidden emails; /user/email answers the app only', async () => {
  const s = site();
  const byName = list((await s.call('GET', '/user/search?query=quiet')).body);
  assert.deepEqual(byName.map((u) => at(u, 'accountId')), [s.carol.accountId]);
  assert.equal(at(byName[0], 'emailAddress'), undefined);
  assert.deepEqual(list((await s.call('GET', '/user/search?query=bob@exa')).body).map((u) => at(u, 'displayName')), ['Bob Builder']);
  assert.deepEqual(list((await s.call('GET', '/user/search?query=carol@exa')).body), [], 'a hidden email is not matched by prefix');
  assert.deepEqual(list((await s.call('GET', '/user/search?query=carol@example.com')).body).map((u) => at(u, 'accountId')), [s.carol.accountId]);
  assert.equal((await s.call('GET', '/user/search')).status, 400);

  const asUser = await s.call('GET', `/user/email?accountId=${s.carol.accountId}`);
  assert.equal(asUser.status, 401);
  const asApp = await s.call('GET', `/user/email?accountId=${s.carol.accountId}`, undefined, { kind: 'app' });
  assert.equal(asApp.status, 200);
  assert.deepEqual(asApp.body, { accountId: s.carol.accountId, email: 'carol@example.com' });
  assert.equal(at((await s.call('GET', `/user?accountId=${s.carol.accountId}`)).body, 'displayName'), 'Carol Quiet');
  assert.equal(at((await s.call('GET', '/myself', undefined, { kind: 'app' })).body, 'accountType'), 'app');
});

test('mypermissions: admin vs non-admin vs the app; 400 without permissions', async () => {
  const s = site();
  const path = '/mypermissions?permissions=ADMINISTER,EDIT_ISSUES';
  const admin = await s.call('GET', path);
  assert.equal(at(admin.body, 'permissions', 'ADMINISTER', 'havePermission'), true);
  assert.equal(at(admin.body, 'permissions', 'ADMINISTER', 'type'), 'GLOBAL');
  const bob = await s.call('GET', path, undefined, { kind: 'user', accountId: s.bob.accountId });
  assert.equal(at(bob.body, 'permissions', 'ADMINISTER', 'havePermission'), false);
  assert.equal(at(bob.body, 'permissions', 'EDIT_ISSUES', 'havePermission'), true);
  const app = await s.call('GET', path, undefined, { kind: 'app' });
  assert.equal(at(app.body, 'permissions', 'ADMINISTER', 'havePermission'), true);
  assert.equal((await s.call('GET', '/mypermissions')).status, 400);
});

test('search/jql pages with nextPageToken; refuses unbounded and bad JQL', async () => {
  const s = site();
  for (let i = 1; i <= 7; i++) {
    s.clock.now += 1000;
    await createIssue(s, `Issue ${i}`, i % 2 === 0 ? { labels: ['even'] } : {});
  }
  s.clock.now += DEFAULT_SEARCH_LAG_MS;
  const keys: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const query = `jql=${encodeURIComponent('project = OPS ORDER BY created ASC')}&maxResults=3&fields=summary${token ? `&nextPageToken=${encodeURIComponent(token)}` : ''}`;
    const page = await s.call('GET', `/search/jql?${query}`);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    for (const issue of list(page.body, 'issues')) {
      keys.push(String(at(issue, 'key')));
      assert.ok(String(at(issue, 'fields', 'summary')).startsWith('Issue'));
    }
    token = at(page.body, 'nextPageToken') as string | undefined;
    assert.equal(at(page.body, 'isLast'), token === undefined);
    pages += 1;
  } while (token !== undefined);
  assert.equal(pages, 3);
  assert.deepEqual(keys, ['OPS-1', 'OPS-2', 'OPS-3', 'OPS-4', 'OPS-5', 'OPS-6', 'OPS-7']);

  const post = await s.call('POST', '/search/jql', { jql: 'labels = even ORDER BY key DESC', maxResults: 10 });
  const byId = new Map(s.sim.listIssues().map((i) => [i.id, i.key]));
  assert.deepEqual(list(post.body, 'issues').map((i) => byId.get(String(at(i, 'id')))), ['OPS-6', 'OPS-4', 'OPS-2']);
  assert.deepEqual(Object.keys(list(post.body, 'issues')[0] as object), ['id'], 'the default is ids only');
  assert.equal((await s.call('POST', '/search/jql', { jql: 'ORDER BY key' })).status, 400);
  const bad = await s.call('POST', '/search/jql', { jql: 'project = = OPS' });
  assert.equal(bad.status, 400);
  assert.ok(list(bad.body, 'errorMessages').length > 0);
});

test('jql/match tells which issues match each query; bulkfetch returns issues and errors', async () => {
  const s = site();
  const a = await createIssue(s, 'A', { labels: ['x'] });
  const b = await createIssue(s, 'B');
  const match = await s.call('POST', '/jql/match', { issueIds: [Number(a.id), Number(b.id), 99999], jqls: ['labels = x', 'project = OPS', 'project = = OPS'] });
  assert.equal(match.status, 200);
  const matches = list(match.body, 'matches');
  assert.deepEqual(at(matches[0], 'matchedIssues'), [Number(a.id)]);
  assert.deepEqual(at(matches[1], 'matchedIssues'), [Number(a.id), Number(b.id)]);
  assert.equal(list(matches[2], 'errors').length, 1);

  const fetched = await s.call('POST', '/issue/bulkfetch', { issueIdsOrKeys: [a.key, b.id, 'OPS-404'], fields: ['summary'] });
  assert.equal(fetched.status, 200);
  assert.deepEqual(list(fetched.body, 'issues').map((i) => at(i, 'fields', 'summary')), ['A', 'B']);
  assert.deepEqual(list(fetched.body, 'issueErrors').map((e) => at(e, 'id')), ['OPS-404']);
  const tooMany = await s.call('POST', '/issue/bulkfetch', { issueIdsOrKeys: Array.from({ length: 101 }, (_, i) => String(i)) });
  assert.equal(tooMany.status, 400);
});

test('authenticate reads Basic email:token and rejects unknown emails', () => {
  const sim = new JiraSimulator();
  const dana = sim.addUser({ displayName: 'Dana', emailAddress: 'dana@example.com' });
  const basic = (v: string): string => `Basic ${Buffer.from(v).toString('base64')}`;
  assert.deepEqual(sim.authenticate(basic('Dana@Example.com:any-token')), { kind: 'user', accountId: dana.accountId });
  assert.equal(sim.authenticate(basic('nobody@example.com:x')), null);
  assert.equal(sim.authenticate('Bearer abc'), null);
  assert.deepEqual(sim.authenticate(undefined), { kind: 'anonymous' });
});

test('meta endpoints: priorities, statuses, projects, fields, resolutions', async () => {
  const s = site();
  assert.deepEqual(list((await s.call('GET', '/priority')).body).map((p) => at(p, 'name')), ['Highest', 'High', 'Medium', 'Low', 'Lowest']);
  assert.equal(at((await s.call('GET', '/priority/search')).body, 'total'), 5);
  const statuses = list((await s.call('GET', '/project/OPS/statuses')).body);
  assert.deepEqual(list(statuses[0], 'statuses').map((st) => at(st, 'name')), ['To Do', 'In Progress', 'Blocked', 'Done', 'Closed']);
  assert.equal(at(list((await s.call('GET', '/project/search')).body, 'values')[0], 'key'), 'OPS');
  assert.equal(list((await s.call('GET', '/project/OPS')).body, 'issueTypes').length, 2);
  const fields = list((await s.call('GET', '/field')).body);
  assert.equal(at(fields.find((f) => at(f, 'id') === s.severity.id), 'schema', 'custom'), 'com.atlassian.jira.plugin.system.customfieldtypes:select');
  assert.deepEqual(list((await s.call('GET', '/resolution')).body).map((r) => at(r, 'name')), ['Done', "Won't Do", 'Duplicate']);
  const projectId = s.sim.getProject('OPS')?.id;
  assert.equal(list((await s.call('GET', `/issuetype/project?projectId=${projectId}`)).body).length, 2);
  assert.equal(at((await s.call('GET', `/statuses/search?projectId=${projectId}`)).body, 'total'), 5);
});

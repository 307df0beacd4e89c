// Product events carry what Forge's Jira events carry: users as `{ accountId }` only, a comment edit
// as another `commented`, and every comment change as an issue update with a `Comment` changelog item.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adf, at, createIssue, site } from './helpers';

test('issue events name creator, reporter and assignee by account id only: no name, no email', async () => {
  const s = site();
  const issue = await createIssue(s, 'Who made me', { assignee: { accountId: s.carol.accountId } }, { kind: 'user', accountId: s.bob.accountId });
  const created = s.events.find((e) => e.eventType === 'avi:jira:created:issue');
  assert.deepEqual(at(created?.payload, 'issue', 'fields', 'creator'), { accountId: s.bob.accountId });
  assert.deepEqual(at(created?.payload, 'issue', 'fields', 'reporter'), { accountId: s.bob.accountId });
  assert.deepEqual(at(created?.payload, 'issue', 'fields', 'assignee'), { accountId: s.carol.accountId });
  s.events.length = 0;
  assert.equal((await s.call('PUT', `/issue/${issue.key}`, { fields: { assignee: null } })).status, 204);
  const updated = s.events.find((e) => e.eventType === 'avi:jira:updated:issue');
  assert.equal(at(updated?.payload, 'issue', 'fields', 'assignee'), null);
  assert.deepEqual(at(updated?.payload, 'issue', 'fields', 'reporter'), { accountId: s.bob.accountId });
  // REST still gives the whole user.
  const got = await s.call('GET', `/issue/${issue.key}?fields=reporter`);
  assert.equal(at(got.body, 'fields', 'reporter', 'displayName'), 'Bob Builder');
});

test('comment events: users by account id only; an edit is another commented; every change is also an issue update with a Comment item', async () => {
  const s = site();
  const issue = await createIssue(s, 'Talk');
  s.events.length = 0;
  const added = await s.call('POST', `/issue/${issue.key}/comment`, { body: adf('First') }, { kind: 'user', accountId: s.bob.accountId });
  const id = String(at(added.body, 'id'));
  assert.equal((await s.call('PUT', `/issue/${issue.key}/comment/${id}`, { body: adf('Second') })).status, 200);
  assert.equal((await s.call('DELETE', `/issue/${issue.key}/comment/${id}`)).status, 204);

  assert.deepEqual(
    s.events.map((e) => e.eventType),
    ['avi:jira:commented:issue', 'avi:jira:updated:issue', 'avi:jira:commented:issue', 'avi:jira:updated:issue', 'avi:jira:deleted:comment', 'avi:jira:updated:issue'],
  );
  const [created, , edited] = s.events;
  assert.deepEqual(at(created?.payload, 'comment', 'author'), { accountId: s.bob.accountId });
  assert.deepEqual(at(created?.payload, 'comment', 'updateAuthor'), { accountId: s.bob.accountId });
  assert.deepEqual(at(edited?.payload, 'comment', 'author'), { accountId: s.bob.accountId });
  assert.deepEqual(at(edited?.payload, 'comment', 'updateAuthor'), { accountId: s.alice.accountId });
  assert.deepEqual(at(edited?.payload, 'comment', 'body'), adf('Second'));
  assert.match(String(at(edited?.payload, 'comment', 'updated')), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$/);

  const items = s.events.filter((e) => e.eventType === 'avi:jira:updated:issue').map((e) => at(e.payload, 'changelog', 'items'));
  assert.deepEqual(
    items.map((list) => (list as Array<{ field: string; from: string | null; to: string | null }>).map((i) => [i.field, i.from, i.to])),
    [[['Comment', null, id]], [['Comment', id, id]], [['Comment', id, null]]],
  );
});

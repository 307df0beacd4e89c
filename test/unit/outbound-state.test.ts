// What outbound keeps besides links reads back from storage written before it existed: a note as
// older versions stored it is still a note, and an issue with no link history has none ended or owed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLinkHistory, storedNoteSchema } from '../../src/sync/state';

test('a note stored by an older version reads as a note, a kept create as a create still owed', () => {
  const old = storedNoteSchema.parse({ noteId: 'n1', hash: 'h', issueId: '10001', externalId: 'r1' });
  assert.ok(!('pendingCreate' in old));
  assert.equal(old.noteId, 'n1');
  const withoutRecord = storedNoteSchema.parse({ noteId: 'n2', hash: 'h', issueId: '10001' });
  assert.equal(withoutRecord.externalId, undefined);

  const pending = storedNoteSchema.parse({ issueId: '10001', externalId: 'r1', pendingCreate: { idempotencyKey: 'tandem-c-comment-1-r1', body: 'Restarted' } });
  assert.ok('pendingCreate' in pending);
  assert.equal(pending.pendingCreate.body, 'Restarted');
  assert.equal(storedNoteSchema.safeParse({ issueId: '10001', pendingCreate: { body: 'no key' } }).success, false);
});

test('an issue without a stored link history, or with one Tandem cannot read, has no ended links and no create owed', () => {
  const none = { ended: {}, pendingCreates: {} };
  assert.deepEqual(readLinkHistory(undefined), none);
  assert.deepEqual(readLinkHistory({}), none);
  assert.deepEqual(readLinkHistory({ ended: { stackflow: -1 } }), none);
  // As the first version with a link history stored it: ended links only.
  assert.deepEqual(readLinkHistory({ ended: { stackflow: 2 } }), { ended: { stackflow: 2 }, pendingCreates: {} });
  const create = { module: 'incidents', idempotencyKey: 'tandem-stackflow-incidents-10001', body: { short_description: 'Down' } };
  assert.deepEqual(readLinkHistory({ pendingCreates: { stackflow: create } }), { ended: {}, pendingCreates: { stackflow: create } });
});

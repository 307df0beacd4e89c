// The stand-in receivers take Jira webhooks in the shape Jira Cloud really sends them (see
// jira-cloud-webhooks.ts), not only the shape Tandem pushes: StackFlow's Jira endpoint, Flashduty's
// push URL and UserHero's webhook.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlashdutyStandIn } from '../../../devkit/external/tools/flashduty';
import { UserHeroStandIn, WEBHOOK_PATH } from '../../../devkit/external/tools/userhero';
import { at, start } from './helpers';
import { commentEvent, issueCreated, issueDeleted, issueUpdated } from './jira-cloud-webhooks';

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as unknown };
}

test('StackFlow takes Jira Cloud bodies: a record from issue_created, its status from an update, notes from comment events, gone with the issue', async () => {
  const { base, itsm } = await start();
  const url = `${base}/api/webhooks/inbound/jira`;
  const created = await post(url, issueCreated('OPS-21'));
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assert.equal(at(created.body, 'result', 'action'), 'created');
  const record = itsm.recordForIssue('OPS-21');
  assert.ok(record);
  assert.equal(record.short_description, 'Checkout returns 502');
  assert.equal(record.description, 'Card payments fail after the 10:00 deploy.');
  assert.equal(record.priority, 'P3');
  assert.equal(record.state, 'new');
  // Jira Cloud leaves emails out of webhooks (privacy): the record stays unassigned.
  assert.equal(record.assigned_to, null);

  assert.equal(at((await post(url, issueUpdated('OPS-21'))).body, 'result', 'action'), 'updated');
  assert.equal(itsm.record('incidents', record.id)?.state, 'in_progress');

  assert.equal(at((await post(url, commentEvent('comment_created', 'OPS-21', '10757', 'Rolled back'))).body, 'result', 'action'), 'note_created');
  const notes = itsm.notes('incidents', record.id);
  assert.equal(notes.length, 1);
  assert.equal(notes[0]?.body, 'Rolled back');
  assert.equal(notes[0]?.author.name, 'Sam Agent');
  assert.equal(at((await post(url, commentEvent('comment_updated', 'OPS-21', '10757', 'Rolled back at 10:02'))).body, 'result', 'action'), 'note_updated');
  assert.equal(itsm.notes('incidents', record.id)[0]?.body, 'Rolled back at 10:02');
  assert.equal(at((await post(url, commentEvent('comment_deleted', 'OPS-21', '10757', 'Rolled back at 10:02'))).body, 'result', 'action'), 'note_deleted');
  assert.equal(itsm.notes('incidents', record.id).length, 0);

  assert.equal(at((await post(url, issueDeleted('OPS-21'))).body, 'result', 'action'), 'deleted');
  assert.equal(itsm.recordForIssue('OPS-21'), undefined);
});

test("Flashduty takes Jira Cloud issue bodies and reads the status name; comment events are answered and ignored", async () => {
  const flashduty = new FlashdutyStandIn('fd-key');
  await flashduty.listen();
  after(() => flashduty.close());
  for (const body of [issueCreated('OPS-22'), issueUpdated('OPS-22'), issueDeleted('OPS-22')]) {
    const answer = await post(flashduty.pushUrl, body);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  }
  assert.deepEqual(
    flashduty.changesFor('OPS-22').map((c) => [c.event, c.jiraStatus, c.status]),
    [
      ['jira:issue_created', 'To Do', 'planned'],
      ['jira:issue_updated', 'In Progress', 'processing'],
      ['jira:issue_deleted', 'In Progress', 'processing'],
    ],
  );
  const comment = await post(flashduty.pushUrl, commentEvent('comment_created', 'OPS-22', '1', 'x'));
  assert.equal(comment.status, 200);
  assert.equal(at(comment.body, 'result'), 'ignored');
});

test('UserHero takes a Jira Cloud issue_updated body', async () => {
  const userhero = new UserHeroStandIn({ webhookSecret: 'uh-secret' });
  await userhero.listen();
  after(() => userhero.close());
  const answer = await post(`${userhero.baseUrl}${WEBHOOK_PATH}`, issueUpdated('OPS-23'), { Authorization: 'Bearer uh-secret' });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(at(answer.body, 'result'), 'ignored');
  assert.equal(at(answer.body, 'reason'), 'no item references this issue');
});

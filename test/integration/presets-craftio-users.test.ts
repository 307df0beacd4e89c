// Users by email in user lists, Jira → Craft.io, when a user's profile hides their email: Tandem
// reads it as the app (Forge apps may), as it does for a single user field. A user whose email even
// the app cannot read leaves the whole list unsent, said on the activity log with the user's name:
// a list sent without them would come back from the tool without them and drop them from Jira.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CraftioStandIn } from '../../devkit/external/tools/craftio';
import type { ActivityResponse } from '../../src/contract/admin';
import { fieldMappingSchema } from '../../src/mapping';
import { configureCraftio, startCraftio } from '../support/craftio';
import { startTandem, type TandemOnDevkit } from '../support/devkit';

let tandem: TandemOnDevkit;
let craftio: CraftioStandIn;
let reviewer = '';
let reviewers = '';
let kim: { accountId: string };
let lee: { accountId: string };
let ghost: { accountId: string };

before(async () => {
  tandem = await startTandem();
  tandem.jira.addProject({ key: 'PROD', name: 'Product', issueTypes: ['Epic', 'Story', 'Bug', 'Sub-task'] });
  lee = tandem.jira.addUser({ displayName: 'Lee Dev', emailAddress: 'lee@example.com' });
  kim = tandem.jira.addUser({ displayName: 'Kim Private', emailAddress: 'kim@example.com', emailHidden: true });
  // An account whose email Jira gives nobody, the app included.
  ghost = tandem.jira.addUser({ displayName: 'Ghost Account' });
  reviewer = tandem.jira.addCustomField({ name: 'Reviewer', schemaType: 'user' }).id;
  reviewers = tandem.jira.addCustomField({ name: 'Reviewers', schemaType: 'array-user' }).id;
  craftio = await startCraftio(tandem, { customFields: [{ key: 'reviewer', type: 'user' }, { key: 'reviewers', type: 'user-list' }] });
});

after(async () => {
  await craftio.close();
  await tandem.stop();
});

beforeEach(async () => {
  await configureCraftio(tandem, craftio, (connection) => {
    connection.fields.push(
      fieldMappingSchema.parse({ jira: reviewer, tool: 'reviewer', transform: { kind: 'user-email' } }),
      fieldMappingSchema.parse({ jira: reviewers, tool: 'reviewers', transform: { kind: 'users-email' } }),
    );
  });
});

const asAgent = () => ({ kind: 'user' as const, accountId: tandem.agent.accountId });

async function story(summary: string, fields: Record<string, unknown>): Promise<string> {
  const created = await tandem.rest(asAgent(), 'POST', '/rest/api/3/issue', { fields: { project: { key: 'PROD' }, issuetype: { name: 'Story' }, summary, ...fields } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await tandem.emulator.settle();
  return (created.body as { key: string }).key;
}

test('a hidden email in a user list is read as the app, as in a single user field', async () => {
  const key = await story('Private beta invites', { [reviewers]: [{ accountId: lee.accountId }, { accountId: kim.accountId }] });
  assert.deepEqual(craftio.itemForIssue(key)?.custom.reviewers, ['lee@example.com', 'kim@example.com']);
  const single = await story('Private beta feedback', { [reviewer]: { accountId: kim.accountId } });
  assert.equal(craftio.itemForIssue(single)?.custom.reviewer, 'kim@example.com');
});

test('a user whose email nobody can read leaves the list unsent, named on the activity log; the rest of the issue syncs', async () => {
  const key = await story('Audit exports', { [reviewers]: [{ accountId: lee.accountId }] });
  assert.deepEqual(craftio.itemForIssue(key)?.custom.reviewers, ['lee@example.com']);
  const edit = await tandem.rest(asAgent(), 'PUT', `/rest/api/3/issue/${key}`, { fields: { summary: 'Audit exports (CSV)', [reviewers]: [{ accountId: lee.accountId }, { accountId: ghost.accountId }] } });
  assert.equal(edit.status, 204, JSON.stringify(edit.body));
  await tandem.emulator.settle();
  const item = craftio.itemForIssue(key);
  assert.equal(item?.title, 'Audit exports (CSV)');
  assert.deepEqual(item?.custom.reviewers, ['lee@example.com'], 'never a partial list, never an account id');
  const log = await tandem.adminCall<ActivityResponse>('getActivity', { issueKey: key });
  assert.ok(log.ok);
  assert.match(log.entries.flatMap((e) => [e.summary, ...e.details]).join('\n'), /Ghost Account/);
});

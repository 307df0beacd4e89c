// Reading many issues a page at a time: Tandem's Jira pager over /rest/api/3/search/jql on the
// simulator, with the fields asked for once per page and the page token handed back to read on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTandem, type TandemOnDevkit } from '../support/devkit';
import type { JiraPort } from '../../src/sync/ports';

let tandem: TandemOnDevkit;
let jira: JiraPort;
const SEARCH = 'POST /rest/api/3/search/jql';
const GET_ISSUE = 'GET /rest/api/3/issue/{issueIdOrKey}';

before(async () => {
  tandem = await startTandem();
  jira = (await import('../../src/platform/jira')).forgeJira;
  const agent = { kind: 'user' as const, accountId: tandem.agent.accountId };
  for (let i = 1; i <= 130; i += 1) {
    const made = await tandem.rest(agent, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: i % 10 === 0 ? 'Task' : 'Bug' }, summary: `Old issue ${i}`, labels: ['legacy'] } });
    assert.equal(made.status, 201);
  }
  // Made before the tests search: Jira's search has them by then.
  await tandem.searchCaughtUp();
});

after(async () => {
  await tandem.stop();
});

test('every issue a query finds is read once, with its fields, a page per request', async () => {
  tandem.emulator.calls.reset();
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await jira.searchIssues({ jql: 'project = OPS AND issuetype = Bug ORDER BY created ASC', fields: ['summary', 'labels'], maxResults: 50, ...(token ? { nextPageToken: token } : {}) });
    pages += 1;
    for (const issue of page.issues) {
      assert.match(String(issue.fields.summary), /^Old issue \d+$/);
      assert.deepEqual(issue.fields.labels, ['legacy']);
      assert.equal(issue.issueType?.name, 'Bug');
      assert.equal(issue.project?.key, 'OPS');
      seen.push(issue.key);
    }
    token = page.nextPageToken;
  } while (token);
  assert.equal(seen.length, 117);
  assert.equal(new Set(seen).size, 117);
  assert.equal(pages, 3);
  assert.equal(tandem.emulator.calls.jira.get(SEARCH), 3);
  assert.equal(tandem.emulator.calls.jira.get(GET_ISSUE) ?? 0, 0, 'no issue is read on its own');
  assert.deepEqual(tandem.emulator.contractViolations, []);
});

test('a page token kept in a checkpoint reads on from where it was', async () => {
  const first = await jira.searchIssues({ jql: 'project = OPS ORDER BY created ASC', fields: ['summary'], maxResults: 100 });
  assert.equal(first.issues.length, 100);
  assert.ok(first.nextPageToken);
  const kept = JSON.parse(JSON.stringify({ token: first.nextPageToken })) as { token: string };
  const rest = await jira.searchIssues({ jql: 'project = OPS ORDER BY created ASC', fields: ['summary'], nextPageToken: kept.token });
  assert.equal(rest.issues.length, 30);
  assert.equal(rest.nextPageToken, undefined);
  assert.equal(rest.issues[0]?.fields.summary, 'Old issue 101');
});

test('a query Jira refuses throws with its message', async () => {
  await assert.rejects(jira.searchIssues({ jql: 'project = NOPE', fields: [] }), /400.*does not exist/);
});

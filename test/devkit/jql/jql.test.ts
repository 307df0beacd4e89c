// The simulator's JQL subset: parsing, Jira-shaped errors, matching over fixed fixtures, ORDER BY.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareByOrder, matchesJql, parseJql, type JqlQuery } from '../../../devkit/jira/jql';
import type { JqlContext, JqlIssueView } from '../../../devkit/jira/jql-types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 2026-11-22 12:00 UTC */
const NOW = Date.UTC(2026, 10, 22, 12, 0);

function issue(fields: Partial<JqlIssueView> & Pick<JqlIssueView, 'id' | 'key'>): JqlIssueView {
  return {
    projectKey: fields.key.split('-')[0] ?? '',
    projectId: '10000',
    issueTypeName: 'Task',
    statusName: 'To Do',
    statusCategoryKey: 'new',
    labels: [],
    assigneeAccountId: null,
    reporterAccountId: null,
    created: NOW,
    updated: NOW,
    priorityName: null,
    summary: '',
    ...fields,
  };
}

const ISSUES: JqlIssueView[] = [
  issue({
    id: '10001',
    key: 'OPS-1',
    issueTypeName: 'Bug',
    labels: ['sync', 'urgent'],
    assigneeAccountId: 'alice',
    reporterAccountId: 'bob',
    created: NOW - 3 * DAY,
    updated: NOW - HOUR,
    priorityName: 'High',
    summary: 'Sync fails for large boards',
  }),
  issue({
    id: '10002',
    key: 'OPS-2',
    statusName: 'In Progress',
    statusCategoryKey: 'indeterminate',
    reporterAccountId: 'alice',
    created: NOW - 2 * DAY,
    updated: NOW - 30 * MINUTE,
    summary: "Write the release notes (don't forget)",
  }),
  issue({
    id: '10010',
    key: 'OPS-10',
    statusName: 'Done',
    statusCategoryKey: 'done',
    labels: ['Sync'],
    assigneeAccountId: 'bob',
    reporterAccountId: 'alice',
    created: Date.UTC(2026, 10, 21, 10, 30),
    updated: NOW - 14 * DAY,
    priorityName: 'Lowest',
    summary: 'Release train: rollback plan',
  }),
  issue({
    id: '10003',
    key: 'WEB-1',
    projectId: '10100',
    issueTypeName: 'Story',
    statusName: 'Code Review',
    statusCategoryKey: 'indeterminate',
    labels: ['frontend'],
    assigneeAccountId: 'alice',
    created: NOW - 10 * MINUTE,
    updated: NOW - 5 * MINUTE,
    priorityName: 'Highest',
    summary: 'Sync button does nothing',
  }),
];

const CTX: JqlContext = { now: NOW, currentAccountId: 'alice' };

function parse(jql: string): JqlQuery {
  const result = parseJql(jql);
  if (!result.ok) assert.fail(`expected ${JSON.stringify(jql)} to parse, got: ${result.error}`);
  return result.query;
}

/** Keys of the matching fixtures, in the query's order. */
function search(jql: string, ctx: JqlContext = CTX): string[] {
  const query = parse(jql);
  return ISSUES.filter((i) => matchesJql(query, i, ctx))
    .sort(compareByOrder(query))
    .map((i) => i.key);
}

function parseError(jql: string): string {
  const result = parseJql(jql);
  if (result.ok) assert.fail(`expected ${JSON.stringify(jql)} to be rejected`);
  return result.error;
}

describe('JQL matching', () => {
  test('an empty query matches everything, in issue id order', () => {
    assert.deepEqual(search(''), ['OPS-1', 'OPS-2', 'WEB-1', 'OPS-10']);
    assert.deepEqual(search('   \n '), ['OPS-1', 'OPS-2', 'WEB-1', 'OPS-10']);
  });

  test('project by key (any case) or id', () => {
    assert.deepEqual(search('project = OPS'), ['OPS-1', 'OPS-2', 'OPS-10']);
    assert.deepEqual(search('project = ops'), ['OPS-1', 'OPS-2', 'OPS-10']);
    assert.deepEqual(search('project = 10100'), ['WEB-1']);
    assert.deepEqual(search('project in (web, "OPS")'), ['OPS-1', 'OPS-2', 'WEB-1', 'OPS-10']);
    assert.deepEqual(search('project != OPS'), ['WEB-1']);
    assert.deepEqual(search('project not in (OPS, NOPE)'), ['WEB-1']);
  });

  test('issuetype and its alias type', () => {
    assert.deepEqual(search('issuetype = bug'), ['OPS-1']);
    assert.deepEqual(search('type in (Task, Story)'), ['OPS-2', 'WEB-1', 'OPS-10']);
  });

  test('status by name and statusCategory by name, key or id', () => {
    assert.deepEqual(search('status = "in progress"'), ['OPS-2']);
    assert.deepEqual(search('status in ("To Do", Done)'), ['OPS-1', 'OPS-10']);
    assert.deepEqual(search('statusCategory = "In Progress"'), ['OPS-2', 'WEB-1']);
    assert.deepEqual(search('statusCategory = indeterminate'), ['OPS-2', 'WEB-1']);
    assert.deepEqual(search('statuscategory = 4'), ['OPS-2', 'WEB-1']);
    assert.deepEqual(search('statusCategory != Done'), ['OPS-1', 'OPS-2', 'WEB-1']);
    assert.deepEqual(search('statusCategory in (new, "Done")'), ['OPS-1', 'OPS-10']);
  });

  test('labels: membership, case-sensitive; != and NOT IN skip issues without labels', () => {
    assert.deepEqual(search('labels = sync'), ['OPS-1']);
    assert.deepEqual(search('labels = Sync'), ['OPS-10']);
    assert.deepEqual(search('labels != sync'), ['WEB-1', 'OPS-10']);
    assert.deepEqual(search('labels not in (sync, frontend)'), ['OPS-10']);
    assert.deepEqual(search('labels in (urgent, frontend)'), ['OPS-1', 'WEB-1']);
    assert.deepEqual(search('labels is empty'), ['OPS-2']);
    assert.deepEqual(search('labels IS NOT EMPTY'), ['OPS-1', 'WEB-1', 'OPS-10']);
    assert.deepEqual(search('labels in (frontend, EMPTY)'), ['OPS-2', 'WEB-1']);
  });

  test('key, issuekey and id, including key ordering within a project', () => {
    assert.deepEqual(search('key = ops-10'), ['OPS-10']);
    assert.deepEqual(search('issuekey in (OPS-1, WEB-1)'), ['OPS-1', 'WEB-1']);
    assert.deepEqual(search('id = 10002'), ['OPS-2']);
    assert.deepEqual(search('key > OPS-1'), ['OPS-2', 'OPS-10']);
    assert.deepEqual(search('key <= OPS-2'), ['OPS-1', 'OPS-2']);
    assert.deepEqual(search('id >= 10003'), ['WEB-1', 'OPS-10']);
    assert.deepEqual(search('key != OPS-1'), ['OPS-2', 'WEB-1', 'OPS-10']);
  });

  test('assignee and reporter: account ids, currentUser(), EMPTY', () => {
    assert.deepEqual(search('assignee = currentUser()'), ['OPS-1', 'WEB-1']);
    assert.deepEqual(search('assignee = currentUser()', { now: NOW }), [], 'anonymous: currentUser() matches nobody');
    assert.deepEqual(search('reporter = currentUser()', { now: NOW, currentAccountId: 'bob' }), ['OPS-1']);
    assert.deepEqual(search('assignee != alice'), ['OPS-10'], '!= does not match unassigned issues');
    assert.deepEqual(search('assignee is EMPTY'), ['OPS-2']);
    assert.deepEqual(search('assignee = null'), ['OPS-2']);
    assert.deepEqual(search('assignee in (bob, EMPTY)'), ['OPS-2', 'OPS-10']);
    assert.deepEqual(search('assignee in currentUser()'), ['OPS-1', 'WEB-1']);
    assert.deepEqual(search('reporter is empty'), ['WEB-1']);
    assert.deepEqual(search('assignee = ALICE'), [], 'account ids are exact');
  });

  test('priority by name, EMPTY, and != skipping issues without one', () => {
    assert.deepEqual(search('priority = high'), ['OPS-1']);
    assert.deepEqual(search('priority is empty'), ['OPS-2']);
    assert.deepEqual(search('priority != High'), ['WEB-1', 'OPS-10']);
    assert.deepEqual(search('priority in (Highest, Lowest)'), ['WEB-1', 'OPS-10']);
  });

  test('summary ~: case-insensitive words, quoted phrases, !~', () => {
    assert.deepEqual(search('summary ~ sync'), ['OPS-1', 'WEB-1']);
    assert.deepEqual(search('summary ~ "SYNC button"'), ['WEB-1']);
    assert.deepEqual(search('summary ~ "notes release"'), ['OPS-2'], 'every word, in any order');
    assert.deepEqual(search('summary ~ "\\"release train\\""'), ['OPS-10'], 'an inner quoted phrase must match whole');
    assert.deepEqual(search('summary ~ "\\"train release\\""'), []);
    assert.deepEqual(search('summary ~ "rollb*"'), ['OPS-10']);
    assert.deepEqual(search('summary !~ sync'), ['OPS-2', 'OPS-10']);
  });

  test('dates: absolute, relative, now(), startOfDay(), at minute precision', () => {
    assert.deepEqual(search('created >= -1d'), ['WEB-1']);
    assert.deepEqual(search('created < -1d'), ['OPS-1', 'OPS-2', 'OPS-10']);
    assert.deepEqual(search('updated >= -30m'), ['OPS-2', 'WEB-1']);
    assert.deepEqual(search('updated > "-30m"'), ['WEB-1']);
    assert.deepEqual(search('updated <= -1w'), ['OPS-10']);
    assert.deepEqual(search('updated >= -2h'), ['OPS-1', 'OPS-2', 'WEB-1']);
    assert.deepEqual(search('created > "-2d 1h"'), ['OPS-2', 'WEB-1', 'OPS-10']);
    assert.deepEqual(search('created = "2026-11-21 10:30"'), ['OPS-10']);
    assert.deepEqual(search('created >= "2026/11/21" AND created < 2026-11-22'), ['OPS-10']);
    assert.deepEqual(search('created >= startOfDay()'), ['WEB-1']);
    assert.deepEqual(search('created >= startOfDay(-1)'), ['WEB-1', 'OPS-10']);
    assert.deepEqual(search('created >= startOfDay("-2d")'), ['OPS-2', 'WEB-1', 'OPS-10']);
    assert.deepEqual(search('created > now()'), []);
    assert.deepEqual(search('created <= now()'), ['OPS-1', 'OPS-2', 'WEB-1', 'OPS-10']);
  });

  test("dates and startOfDay() follow the user's time zone", () => {
    const utcPlus2: JqlContext = { ...CTX, timeZoneOffsetMinutes: 120 };
    assert.deepEqual(search('created = "2026-11-21 12:30"', utcPlus2), ['OPS-10']);
    // At 12:00 UTC it is already 00:00 on the 23rd in UTC+12, so nothing was created "today".
    assert.deepEqual(search('created >= startOfDay()', { ...CTX, timeZoneOffsetMinutes: 720 }), []);
  });

  test('precedence: NOT binds tighter than AND, AND tighter than OR', () => {
    assert.deepEqual(search('project = WEB OR project = OPS AND status = Done'), ['WEB-1', 'OPS-10']);
    assert.deepEqual(search('(project = WEB OR project = OPS) AND status = Done'), ['OPS-10']);
    assert.deepEqual(search('NOT project = OPS AND labels = frontend'), ['WEB-1']);
    assert.deepEqual(search('NOT (project = OPS AND status = Done)'), ['OPS-1', 'OPS-2', 'WEB-1']);
    assert.deepEqual(search('not not project = web'), ['WEB-1']);
    assert.deepEqual(search('project = OPS && status = Done || labels = frontend'), ['WEB-1', 'OPS-10']);
    assert.deepEqual(search('!project = OPS'), ['WEB-1']);
  });

  test('NOT is pushed down to the operator, as Jira does, so it still skips empty fields', () => {
    assert.deepEqual(search('NOT assignee = alice'), ['OPS-10']);
    assert.deepEqual(search('NOT labels = sync'), ['WEB-1', 'OPS-10']);
    assert.deepEqual(search('NOT (assignee = alice OR priority = Lowest)'), []);
    assert.deepEqual(search('NOT assignee is empty'), ['OPS-1', 'WEB-1', 'OPS-10']);
    assert.deepEqual(search('NOT created >= -1d'), ['OPS-1', 'OPS-2', 'OPS-10']);
  });

  test('keywords and field names are case-insensitive; quoting and escapes', () => {
    assert.deepEqual(search('PROJECT = ops aNd StAtUs In (done) order BY KEY'), ['OPS-10']);
    assert.deepEqual(search("summary ~ 'don\\'t'"), ['OPS-2']);
    assert.deepEqual(search('summary ~ "don\'t"'), ['OPS-2']);
    assert.deepEqual(search('status = "In\\u0020Progress"'), ['OPS-2']);
    assert.deepEqual(search("status = 'in progress'"), ['OPS-2']);
    assert.deepEqual(search('"project" = OPS and key = "OPS-1"'), ['OPS-1']);
  });
});

describe('JQL errors', () => {
  test('syntax errors name the line and character', () => {
    // Jira's wording, from the example of POST /rest/api/3/jql/parse in Atlassian's description.
    const validOperators = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";
    assert.equal(parseError('project xyz'), `Error in the JQL Query: Expecting operator but got 'xyz'. ${validOperators} (line 1, character 9)`);
    assert.equal(
      parseError('project = OPS xyz'),
      "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'xyz'. (line 1, character 15)",
    );
    assert.equal(
      parseError('project = OPS\nAND status xyz'),
      `Error in the JQL Query: Expecting operator but got 'xyz'. ${validOperators} (line 2, character 12)`,
    );
    assert.equal(parseError('(project = OPS'), "Error in the JQL Query: Expecting ')' before the end of the query.");
    assert.equal(parseError('project = OPS)'), "Error in the JQL Query: Expecting either 'OR' or 'AND' but got ')'. (line 1, character 14)");
    assert.equal(parseError('project ='), 'Error in the JQL Query: Expecting either a value, list or function before the end of the query.');
    assert.equal(parseError('project = OPS AND'), 'Error in the JQL Query: Expecting a field name before the end of the query.');
    assert.equal(parseError('status = "Done'), "Error in the JQL Query: The quoted string 'Done' has not been completed. (line 1, character 10)");
    assert.equal(parseError('status = "a\\qb"'), "Error in the JQL Query: '\\q' is an illegal JQL escape sequence. (line 1, character 12)");
    assert.match(parseError('labels = a.b'), /^Error in the JQL Query: The character '\.' is a reserved JQL character\. .*\(line 1, character 11\)$/);
    assert.equal(parseError('project in OPS'), "Operator 'in' does not support the non-list value '\"OPS\"' for field 'project'.");
    assert.match(parseError('status = order'), /'order' is a reserved JQL word/);
    assert.equal(parseError('key = A-1 ORDER key'), "Error in the JQL Query: Expecting 'by' but got 'key'. (line 1, character 17)");
  });

  test('unsupported fields, operators and values are rejected the way Jira words them', () => {
    assert.equal(parseError('sprint = 1'), "Field 'sprint' does not exist or you do not have permission to view it.");
    assert.equal(parseError('status ~ Done'), "The operator '~' is not supported by the 'status' field.");
    assert.equal(parseError('summary = x'), "The operator '=' is not supported by the 'summary' field.");
    assert.equal(parseError('priority > High'), "The operator '>' is not supported by the 'priority' field.");
    assert.equal(parseError('labels is sync'), "The operator 'is' only supports searching for EMPTY values.");
    assert.equal(parseError('created > empty'), "The operator '>' does not support searching for EMPTY values.");
    assert.equal(parseError('project = (A, B)'), "The operator '=' does not support the list value for field 'project'.");
    assert.equal(parseError('statusCategory = Blocked'), "The value 'Blocked' does not exist for the field 'statusCategory'.");
    assert.equal(parseError('key = nope'), "The issue key 'nope' for field 'key' is invalid.");
    assert.match(parseError('created > "2026-13-01"'), /^Date value '2026-13-01' for field 'created' is invalid\. Valid formats include/);
    assert.match(parseError('updated > yesterday'), /^Date value 'yesterday' for field 'updated' is invalid/);
    assert.equal(parseError('assignee in membersOf(devs)'), "Unable to find JQL function 'membersOf(devs)'.");
    assert.equal(parseError('status = now()'), "A value provided by the function 'now' is invalid for the field 'status'.");
    assert.equal(parseError('project = OPS ORDER BY sprint'), "Field 'sprint' does not exist or you do not have permission to view it.");
    assert.equal(parseError('ORDER BY labels'), "Field 'labels' does not support sorting.");
  });

  test('syntax errors win over field errors, as in Jira', () => {
    assert.match(parseError('sprint = 1 AND ('), /^Error in the JQL Query: Expecting a field name before the end of the query\.$/);
  });

  test('parseJql never throws, whatever the input', () => {
    const jqlish = fc
      .array(
        fc.constantFrom(
          'project', 'status', 'labels', 'sprint', 'key', 'created', 'assignee', 'summary', '=', '!=', '~', '!~', '<', '>=', 'in', 'not',
          'is', 'empty', 'and', 'or', 'order', 'by', 'asc', '(', ')', ',', '"', "'", '\\', 'OPS-1', '-1d', 'now()', 'currentUser()',
          'startOfDay(', '.', '&&', '|', '!', ' ', '\n', '2026-11-22',
        ),
        { maxLength: 12 },
      )
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), jqlish), (text) => {
        const result = parseJql(text);
        assert.equal(typeof result.ok, 'boolean');
        if (result.ok) {
          // Whatever parses must also evaluate and sort without throwing.
          for (const i of ISSUES) matchesJql(result.query, i, CTX);
          [...ISSUES].sort(compareByOrder(result.query));
        } else {
          assert.ok(result.error.length > 0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('JQL ORDER BY', () => {
  test('key sorts by project, then issue number numerically', () => {
    assert.deepEqual(search('ORDER BY key'), ['OPS-1', 'OPS-2', 'OPS-10', 'WEB-1']);
    assert.deepEqual(search('order by issuekey DESC'), ['WEB-1', 'OPS-10', 'OPS-2', 'OPS-1']);
  });

  test('dates default to newest first; ASC overrides', () => {
    assert.deepEqual(search('ORDER BY created'), ['WEB-1', 'OPS-10', 'OPS-2', 'OPS-1']);
    assert.deepEqual(search('ORDER BY created ASC'), ['OPS-1', 'OPS-2', 'OPS-10', 'WEB-1']);
    assert.deepEqual(search('project = OPS ORDER BY updated desc'), ['OPS-2', 'OPS-1', 'OPS-10']);
  });

  test('priority follows the priority scheme, issues without one last', () => {
    assert.deepEqual(search('ORDER BY priority DESC'), ['WEB-1', 'OPS-1', 'OPS-10', 'OPS-2']);
    assert.deepEqual(search('ORDER BY priority ASC'), ['OPS-10', 'OPS-1', 'WEB-1', 'OPS-2']);
  });

  test('status by category then name; summary alphabetically; several keys', () => {
    assert.deepEqual(search('ORDER BY status'), ['OPS-1', 'WEB-1', 'OPS-2', 'OPS-10']);
    assert.deepEqual(search('ORDER BY summary ASC'), ['OPS-10', 'WEB-1', 'OPS-1', 'OPS-2']);
    assert.deepEqual(search('ORDER BY project ASC, created ASC'), ['OPS-1', 'OPS-2', 'OPS-10', 'WEB-1']);
    assert.deepEqual(search('ORDER BY project DESC, key DESC'), ['WEB-1', 'OPS-10', 'OPS-2', 'OPS-1']);
  });

  test('a query that is only ORDER BY keeps every issue', () => {
    const query = parse('ORDER BY key');
    assert.equal(query.where, null);
    assert.deepEqual(query.orderBy, [{ field: 'key', direction: 'asc' }]);
  });
});

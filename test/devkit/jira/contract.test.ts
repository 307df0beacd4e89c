// Every simulator response in a realistic session fits Atlassian's OpenAPI description of Jira.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenApiChecker, type ContractProblem } from '../../../devkit/jira/contract/openapi';
import type { JiraActor } from '../../../devkit/jira/types';
import { adf, at, list, site } from './helpers';

test('a sync-like sequence of calls gets only responses the OpenAPI description allows', async () => {
  const s = site();
  const checker = createOpenApiChecker();
  const problems: ContractProblem[] = [];
  const seen: string[] = [];
  const call = async (method: string, path: string, body?: unknown, actor: JiraActor = { kind: 'app' }) => {
    const full = `/rest/api/3${path}`;
    problems.push(...checker.checkRequest({ method, path: full, ...(body === undefined ? {} : { body }) }));
    const reply = await s.call(method, path, body, actor);
    problems.push(...checker.checkResponse({ method, path: full, status: reply.status, ...(reply.body === undefined ? {} : { body: reply.body }) }));
    seen.push(`${method} ${path.split('?')[0]} ${reply.status}`);
    return reply;
  };
  const notes = s.sim.addCustomField({ name: 'Notes', schemaType: 'textarea' });
  const due = s.sim.addCustomField({ name: 'Due at', schemaType: 'datetime' });

  await call('GET', '/myself');
  await call('GET', '/mypermissions?permissions=ADMINISTER', undefined, { kind: 'user', accountId: s.bob.accountId });
  await call('GET', '/project/search?maxResults=10');
  await call('GET', '/project/OPS');
  await call('GET', '/project/OPS/statuses');
  await call('GET', `/issuetype/project?projectId=${s.sim.getProject('OPS')?.id ?? ''}`);
  await call('GET', '/priority');
  await call('GET', '/priority/search');
  await call('GET', '/status');
  await call('GET', '/statuses/search');
  await call('GET', '/resolution');
  await call('GET', '/field');
  const types = await call('GET', '/issue/createmeta/OPS/issuetypes');
  await call('GET', `/issue/createmeta/OPS/issuetypes/${String(at(list(types.body, 'issueTypes')[0], 'id'))}`);

  await call('POST', '/issue', { fields: { project: { key: 'OPS' } } });
  const created = await call('POST', '/issue', {
    fields: {
      project: { key: 'OPS' },
      issuetype: { name: 'Bug' },
      summary: 'Checkout fails',
      description: adf('Steps'),
      labels: ['web'],
      priority: { name: 'High' },
      assignee: { accountId: s.bob.accountId },
      duedate: '2026-12-01',
      [s.severity.id]: { value: 'Sev1' },
      [notes.id]: adf('Notes'),
      [due.id]: '2026-12-01T10:00:00.000+0000',
    },
  });
  const key = String(at(created.body, 'key'));
  await call('GET', `/issue/${key}?expand=names,schema,transitions,renderedFields`);
  await call('GET', `/issue/${key}?fields=summary,status,-description`);
  await call('PUT', `/issue/${key}`, { fields: { summary: 'Checkout fails on Safari', description: adf('More steps') }, update: { labels: [{ add: 'safari' }] } });
  await call('PUT', `/issue/${key}`, { fields: { description: 'plain' } });
  await call('PUT', `/issue/${key}?returnIssue=true`, { fields: { assignee: null } });
  await call('GET', `/issue/${key}/transitions?expand=transitions.fields`);
  await call('POST', `/issue/${key}/transitions`, { transition: { id: '11' } });
  await call('POST', `/issue/${key}/transitions`, { transition: { id: '41' } });
  await call('POST', `/issue/${key}/transitions`, { transition: { id: '41' }, fields: { resolution: { name: 'Done' } } });

  const comment = await call('POST', `/issue/${key}/comment`, { body: adf('Synced from ITSM') });
  const commentId = String(at(comment.body, 'id'));
  await call('GET', `/issue/${key}/comment`);
  await call('GET', `/issue/${key}/comment/${commentId}`);
  await call('PUT', `/issue/${key}/comment/${commentId}`, { body: adf('Edited') });
  await call('DELETE', `/issue/${key}/comment/${commentId}`);

  const link = { globalId: 'tandem:c1:INC-1', application: { type: 'tandem', name: 'ITSM' }, object: { url: 'https://itsm.example.com/INC-1', title: 'INC-1' } };
  const posted = await call('POST', `/issue/${key}/remotelink`, link);
  await call('POST', `/issue/${key}/remotelink`, link);
  await call('GET', `/issue/${key}/remotelink?globalId=${encodeURIComponent(link.globalId)}`);
  await call('GET', `/issue/${key}/remotelink/${String(at(posted.body, 'id'))}`);
  await call('PUT', `/issue/${key}/remotelink/${String(at(posted.body, 'id'))}`, link);
  await call('DELETE', `/issue/${key}/remotelink?globalId=${encodeURIComponent(link.globalId)}`);

  await call('PUT', `/issue/${key}/properties/tandem.link`, { connection: 'c1' });
  await call('GET', `/issue/${key}/properties`);
  await call('GET', `/issue/${key}/properties/tandem.link`);
  await call('DELETE', `/issue/${key}/properties/tandem.link`);

  await call('GET', `/user/search?query=bob`);
  await call('GET', `/user?accountId=${s.carol.accountId}`);
  await call('GET', `/user/email?accountId=${s.carol.accountId}`);
  await call('GET', `/search/jql?jql=${encodeURIComponent('project = OPS ORDER BY created DESC')}&fields=summary,status&maxResults=1`);
  await call('POST', '/search/jql', { jql: 'project = OPS', fields: ['*all'], expand: 'names' });
  await call('POST', '/search/jql', { jql: 'project = = OPS' });
  await call('POST', '/jql/match', { issueIds: [Number(at(created.body, 'id'))], jqls: ['project = OPS'] });
  await call('POST', '/issue/bulkfetch', { issueIdsOrKeys: [key, 'OPS-999'], fields: ['summary'] });
  await call('GET', '/issue/OPS-999');
  await call('DELETE', `/issue/${key}`);

  assert.deepEqual(problems, [], seen.join('\n'));
});

test('the checker reads only a body’s own keys: a change item without toString fits, one with a number there does not', () => {
  const checker = createOpenApiChecker();
  const page = (item: Record<string, unknown>) => ({ startAt: 0, maxResults: 100, total: 1, isLast: true, values: [{ id: '1', created: '2026-11-22T08:00:00.000+0000', items: [item] }] });
  const path = '/rest/api/3/issue/OPS-1/changelog';
  const comment = { field: 'Comment', fieldtype: 'jira', fieldId: 'comment', to: '10001' };
  assert.deepEqual(checker.checkResponse({ method: 'GET', path, status: 200, body: page(comment) }), []);
  assert.equal(checker.checkResponse({ method: 'GET', path, status: 200, body: page({ ...comment, toString: 5 }) }).length, 1);
});

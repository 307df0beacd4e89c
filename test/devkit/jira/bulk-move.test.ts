// Bulk move: issues moved to another project take its next key and keep their old one to be found
// by, and the move is in their history and their updated event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, createIssue, list, site } from './helpers';

test('a bulk move gives the issue its new project’s key; the old key still finds it through Get issue and Bulk fetch, and the task reads complete', async () => {
  const s = site();
  const infra = s.sim.addProject({ key: 'INFRA', name: 'Infrastructure', issueTypes: ['Task'] });
  const issue = await createIssue(s, 'Rotate the TLS certificates');
  const taskType = String(at((await s.call('GET', `/project/INFRA`)).body, 'issueTypes', 0, 'id'));
  s.events.length = 0;
  const moved = await s.call('POST', '/bulk/issues/move', { targetToSourcesMapping: { [`INFRA,${taskType}`]: { issueIdsOrKeys: [issue.key], inferStatusDefaults: true, inferFieldDefaults: true, inferClassificationDefaults: true, inferSubtaskTypeDefault: true } } });
  assert.equal(moved.status, 201, JSON.stringify(moved.body));
  const taskId = String(at(moved.body, 'taskId'));
  const task = await s.call('GET', `/bulk/queue/${taskId}`);
  assert.equal(at(task.body, 'status'), 'COMPLETE');
  assert.deepEqual(at(task.body, 'processedAccessibleIssues'), [Number(issue.id)]);

  const byOldKey = await s.call('GET', `/issue/${issue.key}?fields=summary,project`);
  assert.equal(byOldKey.status, 200);
  assert.equal(at(byOldKey.body, 'key'), `${infra.key}-1`, 'the answer names the key the issue has now');
  assert.equal(at(byOldKey.body, 'fields', 'project', 'key'), 'INFRA');
  const fetched = await s.call('POST', '/issue/bulkfetch', { issueIdsOrKeys: [issue.key], fields: ['summary'] });
  assert.deepEqual(list(fetched.body, 'issues').map((i) => at(i, 'key')), ['INFRA-1']);
  assert.equal((await s.call('PUT', `/issue/${issue.key}`, { fields: { summary: 'x' } })).status, 404, 'an edit by the old key is not redirected');

  const update = s.events.find((e) => e.eventType === 'avi:jira:updated:issue');
  assert.deepEqual(
    list(update?.payload, 'changelog', 'items').map((i) => [at(i, 'field'), at(i, 'fromString'), at(i, 'toString')]),
    [
      ['project', 'Operations', 'Infrastructure'],
      ['Key', issue.key, 'INFRA-1'],
    ],
  );
});

test('a bulk move refuses issues it cannot find and a type the target project lacks, with the bulk operations’ error shape', async () => {
  const s = site();
  s.sim.addProject({ key: 'INFRA', name: 'Infrastructure', issueTypes: ['Task'] });
  const taskType = String(at((await s.call('GET', `/project/INFRA`)).body, 'issueTypes', 0, 'id'));
  const missing = await s.call('POST', '/bulk/issues/move', { targetToSourcesMapping: { [`INFRA,${taskType}`]: { issueIdsOrKeys: ['OPS-999'], inferStatusDefaults: true } } });
  assert.equal(missing.status, 400);
  assert.equal(at(missing.body, 'errors', 0, 'message'), 'Some of the issues in the issueIdsOrKeys are not valid');
  const issue = await createIssue(s, 'Rotate the TLS certificates');
  const wrongType = await s.call('POST', '/bulk/issues/move', { targetToSourcesMapping: { 'INFRA,99999': { issueIdsOrKeys: [issue.key], inferStatusDefaults: true } } });
  assert.equal(wrongType.status, 400);
  assert.equal(s.sim.getIssue(issue.key)?.key, issue.key, 'nothing moved');
});

// The product tool's stand-in (Craft.io, as its Jira integration guide describes it): items of each
// level with parents, sprints, releases, teams and typed custom fields over its API, the workspace's
// own refusals, and the events it sends Tandem carrying them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyTandemSignature } from '../../../devkit/external/signing';
import { CraftioStandIn } from '../../../devkit/external/tools/craftio';
import { receiver } from './helpers';

const TOKEN = 'craftio-token';
const NOW = Date.parse('2026-06-01T09:00:00.000Z');

async function start(): Promise<{ craftio: CraftioStandIn; call: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }> }> {
  const craftio = new CraftioStandIn({
    token: TOKEN,
    clock: () => NOW,
    sprints: ['Sprint 7'],
    releases: ['Q3 2026'],
    teams: ['Payments'],
    customFields: [
      { key: 'risk', type: 'single-select', options: ['Low', 'High'] },
      { key: 'reviewers', type: 'user-list' },
      { key: 'spec', type: 'url' },
    ],
  });
  const base = await craftio.listen();
  after(() => craftio.close());
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
  };
  return { craftio, call };
}

test('items carry their parent, sprint, release, team, story points and typed custom fields over the API', async () => {
  const { call } = await start();
  const epic = await call('POST', '/api/epics', { title: 'Checkout revamp' });
  assert.equal(epic.status, 201, JSON.stringify(epic.body));
  const feature = await call('POST', '/api/features', {
    title: 'One-click pay',
    parent_id: epic.body.id,
    sprint: 'Sprint 7',
    release: 'Q3 2026',
    team: 'Payments',
    story_points: 5,
    risk: 'High',
    reviewers: ['ana@example.com'],
    spec: 'https://wiki.example.com/one-click',
    value: 8,
  });
  assert.equal(feature.status, 201, JSON.stringify(feature.body));
  const read = await call('GET', `/api/features/${String(feature.body.id)}`);
  assert.equal(read.status, 200);
  assert.equal(read.body.parent_id, epic.body.id);
  assert.deepEqual(
    [read.body.sprint, read.body.release, read.body.team, read.body.story_points, read.body.risk, read.body.reviewers, read.body.spec, read.body.value, read.body.effort],
    ['Sprint 7', 'Q3 2026', 'Payments', 5, 'High', ['ana@example.com'], 'https://wiki.example.com/one-click', 8, null],
  );
});

test('the workspace refuses what it does not hold: an unknown sprint, release or team, a missing parent, a parent cycle, a value of the wrong type', async () => {
  const { call } = await start();
  const epic = await call('POST', '/api/epics', { title: 'Checkout revamp' });
  const feature = await call('POST', '/api/features', { title: 'One-click pay', parent_id: epic.body.id });
  const refusals = [
    { body: { sprint: 'Sprint 99' }, says: /sprint.*Sprint 99/ },
    { body: { release: 'Q1 2030' }, says: /release.*Q1 2030/ },
    { body: { team: 'Nobody' }, says: /team.*Nobody/ },
    { body: { parent_id: 'no-such-item' }, says: /parent_id: no item no-such-item/ },
    { body: { risk: 'Medium' }, says: /risk/ },
    { body: { value: 'eight' }, says: /value/ },
    { body: { reviewers: ['not-an-email'] }, says: /reviewers/ },
    { body: { spec: 'ftp://files.example.com/spec' }, says: /spec/ },
    { body: { unknown_field: 1 }, says: /unknown_field|Unrecognized/i },
  ];
  for (const { body, says } of refusals) {
    const answer = await call('PATCH', `/api/features/${String(feature.body.id)}`, body);
    assert.equal(answer.status, 400, `${JSON.stringify(body)} → ${answer.status} ${JSON.stringify(answer.body)}`);
    assert.match(JSON.stringify(answer.body), says);
  }
  // The epic under its own feature would make a cycle.
  const cycle = await call('PATCH', `/api/epics/${String(epic.body.id)}`, { parent_id: feature.body.id });
  assert.equal(cycle.status, 400, JSON.stringify(cycle.body));
  assert.match(JSON.stringify(cycle.body), /below this item/);
  // Nothing refused was kept.
  const read = await call('GET', `/api/features/${String(feature.body.id)}`);
  assert.deepEqual([read.body.sprint, read.body.release, read.body.team, read.body.risk, read.body.value], [null, null, null, null, null]);
});

test('the items a Jira issue key names are listed by it; a wrong token is refused', async () => {
  const { call } = await start();
  await call('POST', '/api/features', { title: 'Linked', jira_issue_key: 'PROD-4' });
  await call('POST', '/api/features', { title: 'Not linked' });
  const listed = await call('GET', '/api/features?jira_issue_key=PROD-4');
  assert.deepEqual((listed.body.items as Array<{ title: string }>).map((i) => i.title), ['Linked']);
  const response = await fetch(`${new URL('/api/features', (await start()).craftio.baseUrl).toString()}`, { headers: { authorization: 'Bearer wrong' } });
  assert.equal(response.status, 401);
});

test('its events to Tandem are signed and carry the item whole when made, only what changed when edited', async () => {
  const hook = await receiver();
  const { craftio } = await start();
  craftio.tandem = { url: hook.url, secret: 'whsec_craftio', auth: 'hmac' };
  const { item: epic } = await craftio.createItem('epics', { title: 'Checkout revamp' });
  const { item } = await craftio.createItem('features', { title: 'One-click pay', parent_id: epic.id, sprint: 'Sprint 7', risk: 'Low' });
  await craftio.updateItem('features', item.id, { release: 'Q3 2026' });
  assert.equal(hook.received.length, 3);
  for (const received of hook.received) {
    const signature = received.headers['x-tandem-signature'];
    assert.ok(verifyTandemSignature('whsec_craftio', received.body, typeof signature === 'string' ? signature : undefined, NOW / 1000));
  }
  const [, made, edited] = hook.received.map((r) => JSON.parse(r.body) as { type: string; record: { module: string; id: string; fields: Record<string, unknown> } });
  assert.equal(made?.type, 'record.created');
  assert.equal(made?.record.module, 'features');
  assert.equal(made?.record.fields.parent_id, epic.id);
  assert.equal(made?.record.fields.sprint, 'Sprint 7');
  assert.equal(made?.record.fields.risk, 'Low');
  assert.equal(made?.record.fields.release, null);
  assert.equal(edited?.type, 'record.updated');
  assert.deepEqual(edited?.record.fields, { release: 'Q3 2026' });
});

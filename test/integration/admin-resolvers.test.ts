// The admin resolver on the emulator, called as the page calls it: a Jira admin sets Tandem up,
// tests it and acts on what went wrong; anyone else is refused by every call and changes nothing.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ActivityResponse,
  AddConnectionResponse,
  AdminCallName,
  ConfigSavedResponse,
  ExportConfigResponse,
  FailuresResponse,
  GetConfigResponse,
  GetInboundResponse,
  InboundSecretResponse,
  JiraFieldsResponse,
  JiraProjectMetaResponse,
  JiraProjectsResponse,
  JiraPrioritiesResponse,
  CheckFieldMappingResponse,
  RetryResponse,
  SetConnectionSecretResponse,
  TestConnectionResponse,
  DiscardResponse,
  TandemConfig,
} from '../../src/contract/admin';
import { payloads } from '../../src/handlers/admin/schemas';
import { activityKey } from '../../src/sync/state';
import { ReferenceItsm } from '../../devkit/external/itsm';
import { configure, startTandem, stored, type TandemOnDevkit } from '../support/devkit';

const TOKEN = 'itsm-token-admin-resolvers-7f3a';
const INBOUND_SECRET = 'a'.repeat(20) + 'B_-9'.repeat(6);
const NEXT_INBOUND_SECRET = 'Z'.repeat(48);

// ---------------------------------------------------------------- helpers

let tandem: TandemOnDevkit;
let tool: ReferenceItsm;
let toolUrl: string;
/** Every answer the resolver gave in this file: none may hold a secret. */
const answers: unknown[] = [];

async function call<T>(functionKey: AdminCallName, payload: unknown = {}, accountId = tandem.admin.accountId): Promise<T> {
  const answer = await tandem.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey, payload, accountId });
  answers.push(answer);
  return answer as T;
}

function ok<T extends { ok: boolean }>(answer: T): Extract<T, { ok: true }> {
  assert.equal(answer.ok, true, `expected ok, got ${JSON.stringify(answer)}`);
  return answer as Extract<T, { ok: true }>;
}

function refused<T extends { ok: boolean }>(answer: T, code: string): Extract<T, { ok: false }> {
  assert.equal(answer.ok, false, `expected ${code}, got ${JSON.stringify(answer)}`);
  const failed = answer as Extract<T, { ok: false }> & { error: { code: string } };
  assert.equal(failed.error.code, code, JSON.stringify(answer));
  return failed;
}

async function revision(): Promise<number> {
  return ok(await call<GetConfigResponse>('getConfig')).revision;
}

async function addStackflow(name = 'StackFlow'): Promise<Extract<AddConnectionResponse, { ok: true }>> {
  return ok(await call<AddConnectionResponse>('addConnection', { revision: await revision(), presetId: 'stackflow-itsm', name, url: toolUrl }));
}

before(async () => {
  tandem = await startTandem();
  tool = new ReferenceItsm({ token: TOKEN });
  toolUrl = await tool.listen();
});

after(async () => {
  const text = JSON.stringify(answers);
  for (const secret of [TOKEN, INBOUND_SECRET, NEXT_INBOUND_SECRET]) assert.ok(!text.includes(secret), 'no resolver answer holds a secret');
  await tool.close();
  await tandem.stop();
});

beforeEach(async () => {
  tandem.emulator.kvs.clear();
  await tool.reset();
});

// ---------------------------------------------------------------- who may call

describe('someone who is not a Jira admin', () => {
  test('is refused by every call, and nothing is stored, sent or queued', async () => {
    await configure(tandem.emulator, { version: 1, connections: [] });
    await addStackflow();
    const before = JSON.stringify(tandem.emulator.kvs.entries());
    const delivered = tandem.emulator.queue.delivered.length;
    const waiting = tandem.emulator.queue.waiting().length;
    const plausible: Record<AdminCallName, unknown> = {
      getOverview: {},
      getConfig: {},
      saveConfig: { revision: 1, config: { version: 1, connections: [] } },
      addConnection: { revision: 1, presetId: 'stackflow-itsm', name: 'Other', url: toolUrl },
      renameConnection: { revision: 1, connectionId: 'stackflow', name: 'Renamed' },
      setConnectionEnabled: { revision: 1, connectionId: 'stackflow', enabled: false },
      setConnectionSecret: { connectionId: 'stackflow', kind: 'auth', secret: 'stolen-token' },
      testConnection: { connectionId: 'stackflow' },
      getToolDescription: { connectionId: 'stackflow' },
      getConnectionTests: {},
      deleteConnection: { revision: 1, connectionId: 'stackflow' },
      getInbound: {},
      setInboundSecret: { connectionId: 'stackflow', secret: INBOUND_SECRET },
      retirePreviousInboundSecret: { connectionId: 'stackflow' },
      getJiraProjects: {},
      getJiraProjectMeta: { projectKey: 'OPS' },
      getJiraBoards: { projectKey: 'OPS' },
      getJiraPriorities: {},
      getJiraFields: {},
      checkFieldMapping: { mapping: { jira: 'summary', tool: 'short_description' } },
      getActivity: {},
      getFailures: {},
      getRefusedCalls: {},
      getSweeps: {},
      retryFailure: { id: 'failure:stackflow:issue:1' },
      retryAllFailures: {},
      discardFailure: { id: 'failure:stackflow:issue:1' },
      exportConfig: {},
      importConfig: { revision: 1, json: '{"version":1,"connections":[]}' },
      previewBulkSync: { connectionId: 'stackflow', scope: { kind: 'all', projectKey: 'OPS' }, matchRule: 'reference' },
      startBulkSync: { connectionId: 'stackflow', scope: { kind: 'all', projectKey: 'OPS' }, matchRule: 'reference' },
      getBulkSync: { connectionId: 'stackflow' },
      pauseBulkSync: { connectionId: 'stackflow' },
      resumeBulkSync: { connectionId: 'stackflow' },
      cancelBulkSync: { connectionId: 'stackflow' },
      syncIssueNow: { connectionId: 'stackflow', issueKey: 'OPS-1' },
    };
    assert.deepEqual(Object.keys(plausible).sort(), Object.keys(payloads).sort(), 'every call is tried');
    for (const [name, payload] of Object.entries(plausible)) {
      const answer = await call(name as AdminCallName, payload, tandem.agent.accountId);
      assert.deepEqual(answer, { ok: false, error: { code: 'FORBIDDEN', message: 'Only Jira administrators can configure Tandem.' } }, name);
    }
    assert.equal(JSON.stringify(tandem.emulator.kvs.entries()), before, 'storage is as it was');
    assert.equal(tandem.emulator.queue.delivered.length, delivered);
    assert.equal(tandem.emulator.queue.waiting().length, waiting);
  });
});

// ---------------------------------------------------------------- configuration

describe('configuration', () => {
  test('before the first save: an empty configuration at revision 0, and the ITSM preset offered first', async () => {
    const config = ok(await call<GetConfigResponse>('getConfig'));
    assert.deepEqual(config.config, { version: 1, connections: [] });
    assert.equal(config.revision, 0);
    assert.equal(config.presets[0]?.id, 'stackflow-itsm');
    // Flashduty takes change events at a push URL; the page asks for that, not an API address.
    assert.equal(config.presets.find((p) => p.id === 'flashduty-changes')?.needs, 'push-url');
    assert.equal(config.presets.find((p) => p.id === 'stackflow-itsm')?.needs, 'base-url');
  });

  test('adding a connection from the preset saves it with a stable id; a stale revision is refused', async () => {
    const added = await addStackflow();
    assert.equal(added.connectionId, 'stackflow');
    assert.equal(added.revision, 1);
    const connection = added.config.connections[0];
    assert.equal(connection?.projects[0]?.projectKey, 'OPS');
    assert.equal(connection?.projects[0]?.module, 'incidents');
    const again = ok(await call<AddConnectionResponse>('addConnection', { revision: 1, presetId: 'stackflow-itsm', name: 'StackFlow', url: toolUrl }));
    assert.equal(again.connectionId, 'stackflow-2', 'a second connection of the same name gets its own id');
    const stale = await call<AddConnectionResponse>('addConnection', { revision: 1, presetId: 'blank-record-rest', name: 'Late', url: toolUrl });
    assert.match(refused(stale, 'CONFLICT').error.message, /Someone else changed the configuration/);
    assert.equal(await revision(), 2);
  });

  test('an invalid save comes back with errors at the fields, and leaves the saved configuration alone', async () => {
    const added = await addStackflow();
    const config = structuredClone(added.config) as TandemConfig;
    const draft = JSON.parse(JSON.stringify(config)) as { connections: Array<{ projects: Array<{ projectKey: string }>; baseUrl: string }> };
    draft.connections[0]!.projects[0]!.projectKey = 'ops 1';
    draft.connections[0]!.baseUrl = 'not a url';
    const saved = refused(await call<ConfigSavedResponse>('saveConfig', { revision: added.revision, config: draft }), 'INVALID');
    const paths = saved.error.fieldErrors?.map((e) => e.path) ?? [];
    assert.ok(paths.includes('connections.0.projects.0.projectKey'), paths.join());
    assert.ok(paths.includes('connections.0.baseUrl'), paths.join());
    assert.match(saved.error.message, /Fix the marked fields/);
    const after = ok(await call<GetConfigResponse>('getConfig'));
    assert.equal(after.revision, added.revision);
    assert.deepEqual(after.config, added.config);
  });

  test('a field mapping Jira cannot carry is refused with the reason, at the Jira field', async () => {
    const added = await addStackflow();
    const config = structuredClone(added.config);
    config.connections[0]!.fields[0] = { jira: 'summary', tool: 'short_description', direction: 'both', transform: { kind: 'adf-markdown' } };
    config.connections[0]!.fields.push({ jira: 'customfield_99999', tool: 'x', direction: 'both', transform: { kind: 'text' } });
    const saved = refused(await call<ConfigSavedResponse>('saveConfig', { revision: added.revision, config }), 'INVALID');
    const byPath = new Map(saved.error.fieldErrors?.map((e) => [e.path, e.message]));
    assert.match(byPath.get('connections.0.fields.0.jira') ?? '', /Summary holds text.*Use the text transform/);
    assert.match(byPath.get(`connections.0.fields.${config.connections[0]!.fields.length - 1}.jira`) ?? '', /Jira has no field customfield_99999/);
  });

  test('a good save is one write with the next revision; the page cannot set a secret’s date', async () => {
    const added = await addStackflow();
    const config = structuredClone(added.config);
    config.connections[0]!.options.syncComments = false;
    config.connections[0]!.auth = { kind: 'bearer', secretSetAt: '2020-01-01T00:00:00.000Z' };
    const saved = ok(await call<ConfigSavedResponse>('saveConfig', { revision: added.revision, config }));
    assert.equal(saved.revision, added.revision + 1);
    assert.equal(saved.config.connections[0]?.options.syncComments, false);
    assert.deepEqual(saved.config.connections[0]?.auth, { kind: 'bearer' });
    const raw = (await stored(tandem.emulator, 'config')) as { revision: number; savedBy: string };
    assert.equal(raw.revision, saved.revision);
    assert.equal(raw.savedBy, tandem.admin.accountId);
  });

  test('rename, disconnect and reconnect; links stay through a disconnect', async () => {
    const added = await addStackflow();
    await configure(tandem.emulator, (await stored(tandem.emulator, 'config')) as object);
    const link = { links: { stackflow: { connectionId: 'stackflow', module: 'incidents', externalId: '7', url: 'x', issueKey: 'OPS-1', shadow: { fields: {}, updatedAt: 'now' }, linkedAt: 'now' } } };
    await tandem.emulator.kvs.handle('/api/v1/set', { key: 'issue:10001', value: link });
    const renamed = ok(await call<ConfigSavedResponse>('renameConnection', { revision: added.revision, connectionId: 'stackflow', name: 'StackFlow production' }));
    assert.equal(renamed.config.connections[0]?.name, 'StackFlow production');
    assert.equal(renamed.config.connections[0]?.id, 'stackflow');
    const off = ok(await call<ConfigSavedResponse>('setConnectionEnabled', { revision: renamed.revision, connectionId: 'stackflow', enabled: false }));
    assert.equal(off.config.connections[0]?.enabled, false);
    assert.deepEqual(await stored(tandem.emulator, 'issue:10001'), link);
    const on = ok(await call<ConfigSavedResponse>('setConnectionEnabled', { revision: off.revision, connectionId: 'stackflow', enabled: true }));
    assert.equal(on.config.connections[0]?.enabled, true);
    refused(await call<ConfigSavedResponse>('renameConnection', { revision: on.revision, connectionId: 'nope', name: 'x' }), 'NOT_FOUND');
  });

  test('export leaves secrets and their dates out; import checks like a save and keeps this site’s secret dates', async () => {
    await addStackflow();
    ok(await call<SetConnectionSecretResponse>('setConnectionSecret', { connectionId: 'stackflow', kind: 'auth', secret: TOKEN }));
    const exported = ok(await call<ExportConfigResponse>('exportConfig'));
    assert.match(exported.fileName, /^tandem-config-\d{4}-\d{2}-\d{2}\.json$/);
    assert.ok(!exported.json.includes('secretSetAt'));
    const parsed = JSON.parse(exported.json) as TandemConfig;
    assert.equal(parsed.connections[0]?.id, 'stackflow');
    const rev = await revision();
    refused(await call<ConfigSavedResponse>('importConfig', { revision: rev, json: '{not json' }), 'INVALID');
    const bad = refused(await call<ConfigSavedResponse>('importConfig', { revision: rev, json: JSON.stringify({ version: 1, connections: [{ id: 'x', protocol: 'record-rest', baseUrl: 'https://tool.example' }] }) }), 'INVALID');
    assert.ok(bad.error.fieldErrors?.some((e) => e.path === 'connections.0.name'));
    parsed.connections[0]!.name = 'Imported';
    const imported = ok(await call<ConfigSavedResponse>('importConfig', { revision: rev, json: JSON.stringify(parsed) }));
    assert.equal(imported.config.connections[0]?.name, 'Imported');
    const auth = imported.config.connections[0]?.auth;
    assert.ok(auth && auth.kind === 'bearer' && typeof auth.secretSetAt === 'string', 'the token stored on this site is still shown as set');
  });
});

// ---------------------------------------------------------------- secrets and the connection test

describe('credentials and the connection test', () => {
  test('a token is write-only: stored in secret storage, seen by the page as a date only', async () => {
    await addStackflow();
    const set = ok(await call<SetConnectionSecretResponse>('setConnectionSecret', { connectionId: 'stackflow', kind: 'auth', secret: `  ${TOKEN}\n` }));
    assert.match(set.secretSetAt, /^\d{4}-/);
    assert.equal(tandem.emulator.kvs.entries().secrets['connection:stackflow:auth'], TOKEN);
    const config = ok(await call<GetConfigResponse>('getConfig'));
    assert.deepEqual(config.config.connections[0]?.auth, { kind: 'bearer', secretSetAt: set.secretSetAt });
    const empty = refused(await call<SetConnectionSecretResponse>('setConnectionSecret', { connectionId: 'stackflow', kind: 'auth', secret: '   ' }), 'INVALID');
    assert.equal(empty.error.fieldErrors?.[0]?.path, 'secret');
    refused(await call<SetConnectionSecretResponse>('setConnectionSecret', { connectionId: 'stackflow', kind: 'signing', secret: 'x' }), 'INVALID');
  });

  test('test connection explains each outcome in plain words', async () => {
    await addStackflow();
    const missing = ok(await call<TestConnectionResponse>('testConnection', { connectionId: 'stackflow' }));
    assert.equal(missing.verdict, 'missing-secret');
    await call('setConnectionSecret', { connectionId: 'stackflow', kind: 'auth', secret: 'wrong-token' });
    const rejected = ok(await call<TestConnectionResponse>('testConnection', { connectionId: 'stackflow' }));
    assert.equal(rejected.verdict, 'token-rejected');
    assert.match(rejected.message, /token was rejected/);
    await call('setConnectionSecret', { connectionId: 'stackflow', kind: 'auth', secret: TOKEN });
    const good = ok(await call<TestConnectionResponse>('testConnection', { connectionId: 'stackflow' }));
    assert.equal(good.verdict, 'ok');
    assert.match(good.message, /Connected/);
    const config = ok(await call<GetConfigResponse>('getConfig'));
    const moved = structuredClone(config.config);
    const first = moved.connections[0];
    assert.ok(first && first.protocol === 'record-rest');
    first.baseUrl = 'http://127.0.0.1:9';
    ok(await call<ConfigSavedResponse>('saveConfig', { revision: config.revision, config: moved }));
    const unreachable = ok(await call<TestConnectionResponse>('testConnection', { connectionId: 'stackflow' }));
    assert.equal(unreachable.verdict, 'unreachable');
    refused(await call<TestConnectionResponse>('testConnection', { connectionId: 'nope' }), 'NOT_FOUND');
  });
});

// ---------------------------------------------------------------- inbound

describe('inbound', () => {
  test('the URL per connection, rotation with the previous secret kept until retired, and the health lamp', async () => {
    await addStackflow();
    const first = ok(await call<GetInboundResponse>('getInbound')).connections[0];
    assert.equal(first?.url, `${tandem.emulator.webTriggerUrl('tandem-inbound')}/stackflow`);
    assert.equal(first?.lamp, 'waiting');
    assert.equal(first?.secretSetAt, undefined);

    const made = ok(await call<InboundSecretResponse>('setInboundSecret', { connectionId: 'stackflow', secret: INBOUND_SECRET }));
    assert.ok(made.inbound.secretSetAt);
    assert.equal(made.inbound.previousSecretSetAt, undefined);
    assert.equal(tandem.emulator.kvs.entries().secrets['connection:stackflow:inbound'], INBOUND_SECRET);

    await tandem.emulator.advance(60_000);
    const rotated = ok(await call<InboundSecretResponse>('setInboundSecret', { connectionId: 'stackflow', secret: NEXT_INBOUND_SECRET }));
    assert.equal(rotated.inbound.previousSecretSetAt, made.inbound.secretSetAt);
    const secrets = tandem.emulator.kvs.entries().secrets;
    assert.equal(secrets['connection:stackflow:inbound'], NEXT_INBOUND_SECRET);
    assert.equal(secrets['connection:stackflow:inbound-previous'], INBOUND_SECRET);

    const retired = ok(await call<InboundSecretResponse>('retirePreviousInboundSecret', { connectionId: 'stackflow' }));
    assert.equal(retired.inbound.previousSecretSetAt, undefined);
    assert.equal(tandem.emulator.kvs.entries().secrets['connection:stackflow:inbound-previous'], undefined);

    refused(await call<InboundSecretResponse>('setInboundSecret', { connectionId: 'stackflow', secret: 'short' }), 'INVALID');

    await tandem.emulator.kvs.handle('/api/v1/set', { key: 'health:stackflow', value: { lastAcceptedAt: '2026-01-01T10:00:00.000Z' } });
    assert.equal(ok(await call<GetInboundResponse>('getInbound', { connectionId: 'stackflow' })).connections[0]?.lamp, 'connected');
    await tandem.emulator.kvs.handle('/api/v1/set', {
      key: 'health:stackflow',
      value: { lastAcceptedAt: '2026-01-01T10:00:00.000Z', lastRefusedAt: '2026-01-01T11:00:00.000Z', lastRefusedReason: 'bad signature' },
    });
    const refusing = ok(await call<GetInboundResponse>('getInbound', { connectionId: 'stackflow' })).connections[0];
    assert.equal(refusing?.lamp, 'refusing');
    assert.equal(refusing?.health.lastRefusedReason, 'bad signature');
  });
});

// ---------------------------------------------------------------- Jira metadata

describe('Jira metadata for the pickers', () => {
  test('projects, issue types, statuses with categories, priorities and fields', async () => {
    const projects = ok(await call<JiraProjectsResponse>('getJiraProjects')).projects;
    assert.deepEqual(projects.map((p) => p.key), ['INFRA', 'OPS']);
    const ops = ok(await call<JiraProjectMetaResponse>('getJiraProjectMeta', { projectKey: 'ops' }));
    assert.deepEqual(ops.issueTypes.map((t) => t.name).sort(), ['Bug', 'Task']);
    assert.ok(ops.statuses.some((s) => s.category === 'done'));
    assert.ok(ops.statuses.every((s) => ['new', 'indeterminate', 'done'].includes(s.category)));
    refused(await call<JiraProjectMetaResponse>('getJiraProjectMeta', { projectKey: 'NOPE' }), 'NOT_FOUND');
    const priorities = ok(await call<JiraPrioritiesResponse>('getJiraPriorities')).priorities;
    assert.ok(priorities.some((p) => p.name === 'Highest'));
    const fields = ok(await call<JiraFieldsResponse>('getJiraFields')).fields;
    assert.equal(fields.find((f) => f.id === 'summary')?.schema?.type, 'string');
  });

  test('a field mapping check explains a refusal', async () => {
    const fits = ok(await call<CheckFieldMappingResponse>('checkFieldMapping', { mapping: { jira: 'description', tool: 'description', transform: { kind: 'adf-markdown' } } }));
    assert.equal(fits.fits, true);
    const no = ok(await call<CheckFieldMappingResponse>('checkFieldMapping', { mapping: { jira: 'duedate', tool: 'due', transform: { kind: 'text' } } }));
    assert.equal(no.fits, false);
    assert.match(no.message ?? '', /holds a date/);
    // With it, every transform: the ones that fit the Jira field are offered, the others say why not.
    const offered = (no.transforms ?? []).filter((t) => t.ok).map((t) => t.kind);
    assert.deepEqual(offered, ['date']);
    assert.equal(no.transforms?.find((t) => t.kind === 'number')?.reason, 'Due date holds a date, not number.');
  });

  test('a transform that fits the Jira field but not the tool field’s type is refused, naming the tool type', async () => {
    // Summary holds text; the tool says its field risk_score is a number.
    const no = ok(await call<CheckFieldMappingResponse>('checkFieldMapping', { mapping: { jira: 'summary', tool: 'risk_score', transform: { kind: 'text' } }, toolType: 'number' }));
    assert.equal(no.fits, false);
    assert.match(no.message ?? '', /risk_score is a number/);
    assert.equal(no.transforms?.find((t) => t.kind === 'text')?.ok, false);
    assert.match(no.transforms?.find((t) => t.kind === 'text')?.reason ?? '', /is a number/);
    // A text field on the tool side keeps text offered.
    const fits = ok(await call<CheckFieldMappingResponse>('checkFieldMapping', { mapping: { jira: 'summary', tool: 'title', transform: { kind: 'text' } }, toolType: 'string' }));
    assert.equal(fits.fits, true);
    assert.equal(fits.transforms?.find((t) => t.kind === 'text')?.ok, true);
    // A type word Tandem does not know narrows nothing.
    assert.equal(ok(await call<CheckFieldMappingResponse>('checkFieldMapping', { mapping: { jira: 'summary', tool: 'title', transform: { kind: 'text' } }, toolType: 'hologram' })).fits, true);
  });
});

// ---------------------------------------------------------------- activity and failures

describe('activity and failures', () => {
  test('the activity log pages newest first and filters by connection and issue key', async () => {
    const base = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 30; i++) {
      const connectionId = i % 3 === 0 ? 'other' : 'stackflow';
      await tandem.emulator.kvs.handle('/api/v1/set', {
        key: activityKey(base + i * 1000, `e${i}`),
        value: { at: new Date(base + i * 1000).toISOString(), connectionId, direction: 'outbound', outcome: 'synced', issueKey: `OPS-${i}`, summary: `entry ${i}`, details: [] },
      });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = ok(await call<ActivityResponse>('getActivity', { connectionId: 'stackflow', limit: 7, ...(cursor ? { cursor } : {}) }));
      assert.ok(page.entries.length <= 7);
      seen.push(...page.entries.map((e) => e.summary));
      cursor = page.cursor;
    } while (cursor);
    assert.equal(seen.length, 20);
    assert.equal(seen[0], 'entry 29');
    assert.equal(new Set(seen).size, 20, 'no entry twice');
    const one = ok(await call<ActivityResponse>('getActivity', { issueKey: 'ops-4' }));
    assert.deepEqual(one.entries.map((e) => e.summary), ['entry 4']);
    refused(await call<ActivityResponse>('getActivity', { cursor: 'garbage' }), 'INVALID');
  });

  test('a kept failure is listed, retried by hand (marked retrying, then cleared when it syncs) or discarded', async () => {
    await addStackflow();
    await call('setConnectionSecret', { connectionId: 'stackflow', kind: 'auth', secret: TOKEN });
    tool.setFaults({ status: 400, message: 'assignment_group is not a valid group' });
    const created = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', {
      fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Checkout fails' },
    });
    assert.equal(created.status, 201);
    await tandem.emulator.settle();
    const kept = ok(await call<FailuresResponse>('getFailures')).failures;
    assert.equal(kept.length, 1);
    const failure = kept[0]!;
    assert.equal(failure.state, 'failed');
    assert.equal(failure.subject.kind, 'issue');
    assert.match(failure.toolMessage ?? '', /assignment_group/);
    const failedLog = ok(await call<ActivityResponse>('getActivity', { issueKey: failure.subject.issueKey }));
    assert.ok(failedLog.entries.some((e) => e.outcome === 'failed'));

    const consumerRuns = () => tandem.emulator.invocations.filter((i) => i.kind === 'consumer').length;
    const runsBefore = consumerRuns();
    const retried = ok(await call<RetryResponse>('retryFailure', { id: failure.id }));
    assert.equal(retried.retried, 1);
    const marked = ok(await call<FailuresResponse>('getFailures')).failures[0];
    assert.equal(marked?.state, 'retrying');

    // Still refusing: the retry fails again and the failure is listed as failed, with one more attempt.
    await tandem.emulator.settle();
    assert.equal(consumerRuns(), runsBefore + 1, 'the retry went through the delivery queue');
    const again = ok(await call<FailuresResponse>('getFailures')).failures[0];
    assert.equal(again?.state, 'failed');
    assert.equal(again?.attempts, failure.attempts + 1);

    tool.clearFaults();
    ok(await call<RetryResponse>('retryAllFailures', {}));
    await tandem.emulator.settle();
    assert.deepEqual(ok(await call<FailuresResponse>('getFailures')).failures, []);
    assert.equal(tool.records('incidents').length, 1, 'the retry created the record');
    const synced = ok(await call<ActivityResponse>('getActivity', { issueKey: failure.subject.issueKey }));
    assert.equal(synced.entries[0]?.outcome, 'synced');
  });

  test('an unreachable tool: the delivery is listed at once as retrying, with its cause and next try; Retry now goes through once the tool is back', async () => {
    await addStackflow();
    await call('setConnectionSecret', { connectionId: 'stackflow', kind: 'auth', secret: TOKEN });
    tool.setFaults({ down: true });
    const created = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', {
      fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Unreachable tool' },
    });
    assert.equal(created.status, 201);
    await tandem.emulator.settle();
    const listed = ok(await call<FailuresResponse>('getFailures'));
    const first = listed.failures[0];
    assert.equal(first?.state, 'retrying', 'listed after the first failed try');
    assert.equal(first?.attempts, 1);
    assert.ok(first?.nextAttemptAt && first.nextAttemptAt > first.lastAt, 'says when the next try is');
    assert.match(first?.explanation ?? '', /could not reach/i);

    tool.clearFaults();
    ok(await call<RetryResponse>('retryFailure', { id: first.id }));
    await tandem.emulator.settle();
    const after = ok(await call<FailuresResponse>('getFailures'));
    assert.deepEqual(after.failures, [], 'Retry now went through and cleared it');
    assert.equal(tool.records('incidents').length, 1);
    assert.ok(after.delivered.stackflow, 'the connection is known to deliver again (the lamp turns green)');
    // The try that was waiting finds nothing left to send: still one record, nothing listed.
    await tandem.emulator.drain();
    assert.equal(tool.records('incidents').length, 1);
    assert.deepEqual(ok(await call<FailuresResponse>('getFailures')).failures, []);
  });

  test('a delivery that fails every try is kept with its real count of attempts, and never says it will try again', async () => {
    await addStackflow();
    await call('setConnectionSecret', { connectionId: 'stackflow', kind: 'auth', secret: TOKEN });
    tool.setFaults({ down: true });
    const created = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'POST', '/rest/api/3/issue', {
      fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Never reached' },
    });
    assert.equal(created.status, 201);
    await tandem.emulator.drain();
    const kept = ok(await call<FailuresResponse>('getFailures')).failures;
    assert.equal(kept.length, 1);
    assert.equal(kept[0]?.state, 'failed');
    assert.equal(kept[0]?.attempts, 8);
    assert.equal(kept[0]?.nextAttemptAt, undefined);
    assert.doesNotMatch(kept[0]?.explanation ?? '', /will try again/);
    assert.match(kept[0]?.explanation ?? '', /stopped after 8 attempts/);
    tool.clearFaults();
  });

  test('a failure of a disconnected connection is not retried; discarding removes it', async () => {
    const added = await addStackflow();
    const failureValue = {
      connectionId: 'stackflow',
      subject: { kind: 'issue', issueId: '10042', issueKey: 'OPS-42' },
      operation: 'Creating a record',
      retry: 'permanent',
      explanation: 'refused',
      attempts: 1,
      firstAt: '2026-01-01T00:00:00.000Z',
      lastAt: '2026-01-01T00:00:00.000Z',
    };
    await tandem.emulator.kvs.handle('/api/v1/set', { key: 'failure:stackflow:issue:10042', value: failureValue });
    ok(await call<ConfigSavedResponse>('setConnectionEnabled', { revision: added.revision, connectionId: 'stackflow', enabled: false }));
    const skipped = refused(await call<RetryResponse>('retryFailure', { id: 'failure:stackflow:issue:10042' }), 'INVALID');
    assert.match(skipped.error.message, /reconnect stackflow first/);
    const all = ok(await call<RetryResponse>('retryAllFailures', { connectionId: 'stackflow' }));
    assert.equal(all.retried, 0);
    assert.equal(all.skipped.length, 1);
    assert.equal(ok(await call<DiscardResponse>('discardFailure', { id: 'failure:stackflow:issue:10042' })).discarded, 1);
    assert.deepEqual(ok(await call<FailuresResponse>('getFailures')).failures, []);
    refused(await call<RetryResponse>('retryFailure', { id: 'failure:stackflow:issue:10042' }), 'NOT_FOUND');
  });
});

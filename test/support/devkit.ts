// Starts Tandem on the devkit for a test file: a Jira simulator with the OPS and INFRA projects
// and a few users, and the Forge emulator with this repository's app installed.
import assert from 'node:assert/strict';
import { VirtualClock } from '../../devkit/forge/clock';
import { ForgeEmulator, type EmulatorOptions } from '../../devkit/forge/emulator';
import { JiraSimulator } from '../../devkit/jira/simulator';
import type { JiraActor } from '../../devkit/jira/types';
import type { AdminCallName, GetConfigResponse } from '../../src/contract/admin';

export const APP_ACCOUNT_ID = '557058:tandem-app-account';

export interface TandemOnDevkit {
  jira: JiraSimulator;
  emulator: ForgeEmulator;
  admin: { accountId: string };
  agent: { accountId: string };
  /** Calls the Jira simulator's REST API as someone, expecting JSON back. */
  rest(actor: JiraActor, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** Moves an issue to a status as someone, by the transition Jira offers, with a resolution where its screen asks for one. */
  transition(actor: JiraActor, issueKey: string, status: string): Promise<void>;
  /** Calls an admin page resolver as the site admin (or `accountId`), the way the page's bridge does. */
  adminCall<T>(functionKey: AdminCallName, payload?: unknown, accountId?: string): Promise<T>;
  /** The saved configuration's revision, which every admin write names. */
  configRevision(): Promise<number>;
  /** Moves time on until Jira's search has caught up with every write so far (see devkit/jira/search-index.ts). */
  searchCaughtUp(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTandem(options: Partial<Omit<EmulatorOptions, 'jira' | 'appAccountId'>> = {}): Promise<TandemOnDevkit> {
  // One virtual clock for Jira and the platform, so moving time moves both.
  const clock = options.clock ?? new VirtualClock();
  const jira = new JiraSimulator({ appAccountId: APP_ACCOUNT_ID, clock: () => clock.now() });
  const admin = jira.addUser({ displayName: 'Ada Admin', emailAddress: 'ada@example.com', admin: true });
  const agent = jira.addUser({ displayName: 'Sam Agent', emailAddress: 'sam@example.com' });
  jira.addProject({ key: 'OPS', name: 'Operations', issueTypes: ['Bug', 'Task'] });
  jira.addProject({ key: 'INFRA', name: 'Infrastructure', issueTypes: ['Task'] });
  // The tests' tools answer plain http on loopback: the one exemption from Forge's HTTPS-only egress.
  const emulator = await ForgeEmulator.start({ jira, appAccountId: APP_ACCOUNT_ID, defaultPageAccountId: admin.accountId, plainHttpLoopback: true, ...options, clock });
  const adminCall = async <T>(functionKey: AdminCallName, payload: unknown = {}, accountId = admin.accountId): Promise<T> =>
    (await emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey, payload, accountId })) as T;
  return {
    jira,
    emulator,
    admin,
    agent,
    rest: (actor, method, path, body) => jira.rest(actor, method, path, body),
    async transition(actor, issueKey, status) {
      const listed = (await jira.rest(actor, 'GET', `/rest/api/3/issue/${issueKey}/transitions?expand=transitions.fields`)).body as {
        transitions: Array<{ id: string; to: { name: string }; fields?: Record<string, { required: boolean }> }>;
      };
      const found = listed.transitions.find((t) => t.to.name === status);
      assert.ok(found, `${issueKey} can move to ${status}`);
      const moved = await jira.rest(actor, 'POST', `/rest/api/3/issue/${issueKey}/transitions`, {
        transition: { id: found.id },
        ...(found.fields?.resolution?.required ? { fields: { resolution: { name: 'Done' } } } : {}),
      });
      assert.equal(moved.status, 204, JSON.stringify(moved.body));
    },
    adminCall,
    searchCaughtUp: () => emulator.advance(jira.searchLagMs),
    async configRevision() {
      const answer = await adminCall<GetConfigResponse>('getConfig');
      assert.ok(answer.ok, JSON.stringify(answer));
      return answer.revision;
    },
    stop: () => emulator.stop(),
  };
}

/** Reads a value the app stored, as a test (not as the app). */
export async function stored(emulator: ForgeEmulator, key: string): Promise<unknown> {
  const answer = await emulator.kvs.handle('/api/v1/get', { key });
  if (answer.status === 404) return undefined;
  assert.equal(answer.status, 200, `reading ${key}`);
  return (answer.body as { value?: unknown } | undefined)?.value;
}

/** Saves a config and secrets straight into Tandem's storage, as the admin page will. */
export async function configure(emulator: ForgeEmulator, config: unknown, secrets: Record<string, string> = {}): Promise<void> {
  const saved = await emulator.kvs.handle('/api/v1/set', { key: 'config', value: config });
  assert.ok(saved.status < 300, `saving the config: ${JSON.stringify(saved.body)}`);
  for (const [key, value] of Object.entries(secrets)) {
    const answer = await emulator.kvs.handle('/api/v1/secret/set', { key, value });
    assert.ok(answer.status < 300, `saving secret ${key}`);
  }
}

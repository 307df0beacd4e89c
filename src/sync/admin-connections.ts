// A connection's credentials and "Test connection". Secrets go to Forge secret storage only; the
// configuration keeps the date each was set, which is all the page ever sees of them.
import { testConnection } from '../connectors';
import * as z from 'zod';
import type {
  ConnectionTestsResponse,
  DeleteConnectionRequest,
  DeleteConnectionResponse,
  SetConnectionSecretRequest,
  TestConnectionResponse,
  SetConnectionSecretResponse,
  ToolDescriptionResponse,
} from '../contract/admin';
import type { Connection } from '../mapping';
import { commitConfig, connectionChange, failure, findConnection, readStoredConfig } from './admin-config';
import type { AdminPorts } from './admin-ports';
import { clearPreviousSecretUse, removeRefused } from './inbound-refusals';
import { describeTool } from './tool-description';
import {
  FAILURE_PREFIX,
  PUSHED_PREFIX,
  authSecretKey,
  deliveredKey,
  inboundHealthKey,
  inboundSecretKey,
  issueStateKey,
  keyPart,
  previousInboundSecretKey,
  retiredInboundSecretKey,
  pushUrlSecretKey,
  readIssueState,
  recordIndexSchema,
  signingSecretKey,
} from './state';

export async function setConnectionSecret(ports: AdminPorts, accountId: string, request: SetConnectionSecretRequest): Promise<SetConnectionSecretResponse> {
  const found = await findConnection(ports, request.connectionId);
  if (!found.ok) return found;
  const { connection } = found;
  if (request.kind === 'push-url') return replacePushUrl(ports, accountId, connection, request.secret);
  if (request.kind === 'auth' && connection.auth.kind === 'none') {
    return failure('INVALID', 'This connection signs in with nothing. Choose bearer, basic or header sign-in and save before setting a token.');
  }
  if (request.kind === 'signing' && connection.protocol !== 'jira-webhook') {
    return failure('INVALID', 'Only a push connection signs what it sends.');
  }
  const key = request.kind === 'auth' ? authSecretKey(connection.id) : signingSecretKey(connection.id);
  await ports.store.setSecret(key, request.secret);
  const secretSetAt = new Date(ports.clock.now()).toISOString();
  const saved = await commitConfig(ports, {
    revision: 'current',
    accountId,
    setsSecretDates: true,
    checkJira: false,
    change: connectionChange(connection.id, (c) => withSecretDate(c, request.kind === 'auth' ? 'auth' : 'signing', secretSetAt)),
  });
  if (!saved.ok) {
    // The secret is in place either way; only its date could not be recorded.
    return failure(saved.error.code, `The secret was stored, but its date could not be saved: ${saved.error.message}`);
  }
  return { ok: true, config: saved.config, revision: saved.revision, ...(saved.savedAt ? { savedAt: saved.savedAt } : {}), secretSetAt };
}

/** A new push URL, checked like any saved address; one that carries a key goes to secret storage as the save does. */
async function replacePushUrl(ports: AdminPorts, accountId: string, connection: Connection, url: string): Promise<SetConnectionSecretResponse> {
  if (connection.protocol !== 'jira-webhook') return failure('INVALID', 'Only a push connection has a push URL.');
  const saved = await commitConfig(ports, {
    revision: 'current',
    accountId,
    checkJira: false,
    change: connectionChange(connection.id, (c) => (c.protocol === 'jira-webhook' ? { ...c, webhook: { ...c.webhook, pushUrl: url } } : c)),
  });
  if (!saved.ok) {
    const field = saved.error.fieldErrors?.find((e) => e.path.endsWith('webhook.pushUrl'));
    return failure(saved.error.code, field ? `The push URL was not saved: ${field.message}` : saved.error.message);
  }
  const after = saved.config.connections.find((c) => c.id === connection.id);
  const secretSetAt = (after?.protocol === 'jira-webhook' ? after.webhook.pushUrlSetAt : undefined) ?? saved.savedAt ?? new Date(ports.clock.now()).toISOString();
  return { ok: true, config: saved.config, revision: saved.revision, ...(saved.savedAt ? { savedAt: saved.savedAt } : {}), secretSetAt };
}

function withSecretDate(connection: Connection, kind: 'auth' | 'signing', at: string): Connection {
  if (kind === 'auth') return connection.auth.kind === 'none' ? connection : { ...connection, auth: { ...connection.auth, secretSetAt: at } };
  return connection.protocol === 'jira-webhook' ? { ...connection, webhook: { ...connection.webhook, signingSecretSetAt: at } } : connection;
}

/** One cheap authenticated request with the saved connection and its stored token, explained in plain words. */
export async function testSavedConnection(ports: AdminPorts, connectionId: string): Promise<TestConnectionResponse> {
  const found = await findConnection(ports, connectionId);
  if (!found.ok) return found;
  const { connection } = found;
  const secret = connection.auth.kind === 'none' ? undefined : await ports.store.getSecret(authSecretKey(connection.id));
  const result = await testConnection(connection, secret, ports.external, { clock: ports.clock });
  const kept: KeptTest = {
    verdict: result.verdict,
    message: result.message,
    ...(result.status === undefined ? {} : { status: result.status }),
    ...(result.toolMessage === undefined ? {} : { toolMessage: result.toolMessage }),
    testedAt: new Date(ports.clock.now()).toISOString(),
  };
  // Kept until the next test, so the page shows the last result (and when it was) after a reload.
  await ports.store.set(connectionTestKey(connection.id), kept);
  return { ok: true, ...kept };
}

/** What a saved connection's tool says about itself (modules, fields with types, states), or why it says nothing. */
export async function toolDescriptionOf(ports: AdminPorts, connectionId: string): Promise<ToolDescriptionResponse> {
  const found = await findConnection(ports, connectionId);
  if (!found.ok) return found;
  const described = await describeTool(ports, found.connection);
  return described.described ? { ok: true, description: described.description } : { ok: true, cannot: described.reason };
}

const connectionTestKey = (connectionId: string) => `test:${keyPart(connectionId)}`;
const keptTestSchema = z.object({
  verdict: z.enum(['ok', 'token-rejected', 'forbidden', 'wrong-url', 'unreachable', 'host-not-allowed', 'missing-secret', 'tool-error', 'not-testable']),
  message: z.string(),
  status: z.number().optional(),
  toolMessage: z.string().optional(),
  testedAt: z.string(),
});
type KeptTest = z.infer<typeof keptTestSchema>;

/** The last test of each saved connection. */
export async function connectionTests(ports: AdminPorts): Promise<ConnectionTestsResponse> {
  const stored = await readStoredConfig(ports);
  if (!stored.ok) return stored;
  const ids = stored.view.config.connections.map((c) => c.id);
  const values = await ports.store.getMany(ids.map(connectionTestKey));
  const tests: Record<string, KeptTest> = {};
  for (const id of ids) {
    const parsed = keptTestSchema.safeParse(values.get(connectionTestKey(id)));
    if (parsed.success) tests[id] = parsed.data;
  }
  return { ok: true, tests };
}

/**
 * Deletes a connection: first from the configuration (so nothing syncs through it from then on),
 * then what Tandem kept for it: links and their shadows, the record index, work note pairs, kept
 * failures, the refused calls counted for it, the inbound lamp, the last test and its secrets. The tool's records and the Jira issues
 * stay as they are; so do Jira's remote links, as pointers to the records.
 */
export async function deleteConnection(ports: AdminPorts, accountId: string, request: DeleteConnectionRequest): Promise<DeleteConnectionResponse> {
  const found = await findConnection(ports, request.connectionId);
  if (!found.ok) return found;
  const id = found.connection.id;
  const saved = await commitConfig(ports, {
    revision: request.revision,
    accountId,
    checkJira: false,
    change: (current) => ({ ok: true, next: { ...current, connections: current.connections.filter((c) => c.id !== id) } }),
  });
  if (!saved.ok) return saved;

  let links = 0;
  for await (const entry of everyEntry(ports, `record:${keyPart(id)}:`)) {
    const index = recordIndexSchema.safeParse(entry.value);
    if (index.success) {
      const stateKey = issueStateKey(index.data.issueId);
      const state = readIssueState(await ports.store.get(stateKey));
      if (state.links[id]) {
        const { [id]: _gone, ...rest } = state.links;
        await ports.store.writeAll([Object.keys(rest).length > 0 ? { key: stateKey, value: { ...state, links: rest } } : { key: stateKey, delete: true }]);
        links++;
      }
    }
    await ports.store.delete(entry.key);
  }
  let failures = 0;
  for await (const entry of everyEntry(ports, `${FAILURE_PREFIX}${keyPart(id)}:`)) {
    await ports.store.delete(entry.key);
    failures++;
  }
  for (const prefix of [`note:${keyPart(id)}:`, `tnote:${keyPart(id)}:`, `${PUSHED_PREFIX}${keyPart(id)}:`]) {
    for await (const entry of everyEntry(ports, prefix)) await ports.store.delete(entry.key);
  }
  await Promise.all([ports.store.delete(inboundHealthKey(id)), ports.store.delete(deliveredKey(id)), ports.store.delete(connectionTestKey(id)), clearPreviousSecretUse(ports, id), removeRefused(ports, id)]);
  await Promise.all(
    [authSecretKey(id), signingSecretKey(id), inboundSecretKey(id), previousInboundSecretKey(id), retiredInboundSecretKey(id), pushUrlSecretKey(id)].map((key) => ports.store.deleteSecret(key)),
  );
  const { warnings: _w, ...view } = saved;
  return { ...view, removed: { links, failures } };
}

/** Every entry under a prefix, a page at a time; safe to delete what was read while reading on. */
async function* everyEntry(ports: AdminPorts, prefix: string): AsyncGenerator<{ key: string; value: unknown }> {
  // Deleting as we go keeps the first page fresh; a cursor would skip entries after deletes.
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await ports.store.list(prefix, { limit: 100 });
    if (page.entries.length === 0) return;
    for (const entry of page.entries) yield entry;
  }
}

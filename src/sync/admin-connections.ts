// A connection's credentials and "Test connection". Secrets go to Forge secret storage only; the
// configuration keeps the date each was set, which is all the page ever sees of them.
import { testConnection } from '../connectors';
import type { SetConnectionSecretRequest, TestConnectionResponse, SetConnectionSecretResponse } from '../contract/admin';
import type { Connection } from '../mapping';
import { commitConfig, connectionChange, failure, findConnection } from './admin-config';
import type { AdminPorts } from './admin-ports';
import { authSecretKey, signingSecretKey } from './state';

export async function setConnectionSecret(ports: AdminPorts, accountId: string, request: SetConnectionSecretRequest): Promise<SetConnectionSecretResponse> {
  const found = await findConnection(ports, request.connectionId);
  if (!found.ok) return found;
  const { connection } = found;
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
    change: connectionChange(connection.id, (c) => withSecretDate(c, request.kind, secretSetAt)),
  });
  if (!saved.ok) {
    // The secret is in place either way; only its date could not be recorded.
    return failure(saved.error.code, `The secret was stored, but its date could not be saved: ${saved.error.message}`);
  }
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
  const result = await testConnection(connection, secret, ports.external, { now: () => ports.clock.now() });
  return {
    ok: true,
    verdict: result.verdict,
    message: result.message,
    ...(result.status === undefined ? {} : { status: result.status }),
    ...(result.toolMessage === undefined ? {} : { toolMessage: result.toolMessage }),
    testedAt: new Date(ports.clock.now()).toISOString(),
  };
}

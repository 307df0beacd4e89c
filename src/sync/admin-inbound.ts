// The inbound side as the admin sees it: where the tool sends events, the secret it signs them
// with (rotated with the previous one still accepted until retired), and the "webhook connected"
// lamp from the inbound health record. The secret is made in the admin's browser and shown there
// once; here it is only stored.
import * as z from 'zod';
import { inboundLamp, type InboundHealth, type InboundSecretResponse, type InboundView } from '../contract/admin';
import { failure, findConnection, readStoredConfig } from './admin-config';
import type { AdminPorts } from './admin-ports';
import { retiredSecretValue } from './inbound-auth';
import { clearPreviousSecretUse, previousSecretCalls24h } from './inbound-refusals';
import { inboundHealthKey, inboundSecretKey, keyPart, previousInboundSecretKey, readInboundHealth, retiredInboundSecretKey } from './state';

/** When the secrets were set: secret storage cannot say, and the page shows nothing else of them. */
export const inboundSecretDatesKey = (connectionId: string) => `inbound-secret:${keyPart(connectionId)}`;

const datesSchema = z.object({ setAt: z.string().optional(), previousSetAt: z.string().optional() });
type SecretDates = z.infer<typeof datesSchema>;


async function viewOf(ports: AdminPorts, connectionId: string, baseUrl: string): Promise<InboundView> {
  const found = await ports.store.getMany([inboundHealthKey(connectionId), inboundSecretDatesKey(connectionId)]);
  const health: InboundHealth = readInboundHealth(found.get(inboundHealthKey(connectionId)));
  const datesRead = datesSchema.safeParse(found.get(inboundSecretDatesKey(connectionId)) ?? {});
  const dates: SecretDates = datesRead.success ? datesRead.data : {};
  return {
    connectionId,
    url: `${baseUrl}/${encodeURIComponent(connectionId)}`,
    ...(dates.setAt ? { secretSetAt: dates.setAt } : {}),
    ...(dates.previousSetAt ? { previousSecretSetAt: dates.previousSetAt, previousSecretCalls24h: await previousSecretCalls24h(ports, connectionId) } : {}),
    health,
    lamp: inboundLamp(health),
  };
}

export async function inboundViews(ports: AdminPorts, connectionId?: string): Promise<{ ok: true; connections: InboundView[] } | { ok: false; error: ReturnType<typeof failure>['error'] }> {
  const stored = await readStoredConfig(ports);
  if (!stored.ok) return stored;
  const ids = stored.view.config.connections.map((c) => c.id).filter((id) => connectionId === undefined || id === connectionId);
  if (connectionId !== undefined && ids.length === 0) return failure('NOT_FOUND', `There is no connection ${connectionId}. Reload the page.`);
  const baseUrl = await ports.inbound.baseUrl();
  return { ok: true, connections: await Promise.all(ids.map((id) => viewOf(ports, id, baseUrl))) };
}

/** The new secret becomes current; the one it replaces is still accepted until the admin retires it. */
export async function rotateInboundSecret(ports: AdminPorts, connectionId: string, secret: string): Promise<InboundSecretResponse> {
  const found = await findConnection(ports, connectionId);
  if (!found.ok) return found;
  const current = await ports.store.getSecret(inboundSecretKey(connectionId));
  const datesRead = datesSchema.safeParse((await ports.store.get(inboundSecretDatesKey(connectionId))) ?? {});
  const dates = datesRead.success ? datesRead.data : {};
  const now = new Date(ports.clock.now()).toISOString();
  // Previous first: at no moment is the secret the tool still uses refused.
  if (current !== undefined) await ports.store.setSecret(previousInboundSecretKey(connectionId), current);
  await ports.store.setSecret(inboundSecretKey(connectionId), secret);
  await clearPreviousSecretUse(ports, connectionId);
  const next: SecretDates = { setAt: now, ...(current !== undefined ? { previousSetAt: dates.setAt ?? now } : {}) };
  await ports.store.set(inboundSecretDatesKey(connectionId), next);
  return { ok: true, inbound: await viewOf(ports, connectionId, await ports.inbound.baseUrl()) };
}

export async function retirePreviousInboundSecret(ports: AdminPorts, connectionId: string): Promise<InboundSecretResponse> {
  const found = await findConnection(ports, connectionId);
  if (!found.ok) return found;
  const previous = await ports.store.getSecret(previousInboundSecretKey(connectionId));
  // Kept, accepted by nothing, so calls still signed with it are listed as using a retired secret.
  if (previous !== undefined) await ports.store.setSecret(retiredInboundSecretKey(connectionId), retiredSecretValue(previous, ports.clock.now()));
  await ports.store.deleteSecret(previousInboundSecretKey(connectionId));
  await clearPreviousSecretUse(ports, connectionId);
  const datesRead = datesSchema.safeParse((await ports.store.get(inboundSecretDatesKey(connectionId))) ?? {});
  const setAt = datesRead.success ? datesRead.data.setAt : undefined;
  await ports.store.set(inboundSecretDatesKey(connectionId), setAt ? { setAt } : {});
  return { ok: true, inbound: await viewOf(ports, connectionId, await ports.inbound.baseUrl()) };
}

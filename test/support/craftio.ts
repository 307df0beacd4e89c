// The Craft.io preset on the devkit, as its integration suites set it up: the stand-in listening and
// pointed at Tandem's web trigger, and the preset's connection saved with its token and inbound secret.
import assert from 'node:assert/strict';
import { CraftioStandIn, type CraftioOptions } from '../../devkit/external/tools/craftio';
import { findPreset, sprintField, type Connection } from '../../src/mapping';
import { authSecretKey, inboundSecretKey } from '../../src/sync/state';
import { configure, type TandemOnDevkit } from './devkit';

export const CRAFTIO_TOKEN = 'craftio-api-token-test';
export const CRAFTIO_SECRET = 'craftio-inbound-secret-test';

export async function startCraftio(tandem: TandemOnDevkit, options: Omit<CraftioOptions, 'token' | 'clock'> = {}): Promise<CraftioStandIn> {
  const craftio = new CraftioStandIn({ ...options, token: CRAFTIO_TOKEN, clock: () => tandem.emulator.clock.now() });
  await craftio.listen();
  craftio.tandem = { url: `${tandem.emulator.webTriggerUrl('tandem-inbound')}/craftio`, secret: CRAFTIO_SECRET, auth: 'hmac' };
  return craftio;
}

/** Saves the preset's connection (id `craftio`) after `edit` shapes it. */
export async function configureCraftio(tandem: TandemOnDevkit, craftio: CraftioStandIn, edit: (connection: Connection) => void = () => {}): Promise<void> {
  const connection = findPreset('craftio-product')?.build({ name: 'Craft.io', baseUrl: craftio.baseUrl, id: 'craftio' });
  assert.ok(connection);
  edit(connection);
  await configure(tandem.emulator, { version: 1, connections: [connection] }, { [authSecretKey('craftio')]: CRAFTIO_TOKEN, [inboundSecretKey('craftio')]: CRAFTIO_SECRET });
}

/** Jira's field catalog as the agent reads it: fields whose id differs per site are found in it by name and schema. */
export async function fieldCatalog(tandem: TandemOnDevkit): Promise<Array<{ id: string; name: string; schema: { type: string } }>> {
  const catalog = await tandem.rest({ kind: 'user', accountId: tandem.agent.accountId }, 'GET', '/rest/api/3/field');
  return catalog.body as Array<{ id: string; name: string; schema: { type: string } }>;
}

/** The Sprint field's id, found by name and schema as the guide says. */
export async function sprintFieldOf(tandem: TandemOnDevkit): Promise<string> {
  const id = sprintField(await fieldCatalog(tandem)) ?? '';
  assert.notEqual(id, '');
  return id;
}

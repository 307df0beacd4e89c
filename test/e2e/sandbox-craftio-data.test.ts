// `npm start -- --data <file>` keeps the product tool's stand-in as it keeps StackFlow: its items, the
// address the connection points at, and where it sends its changes, so a Craft.io item linked before
// a restart still updates its Jira issue after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../devkit/sandbox/sandbox';
import type { AddConnectionResponse, GetConfigResponse, GetInboundResponse } from '../../src/contract/admin';

async function asAdmin<T extends { ok: boolean }>(sandbox: Sandbox, functionKey: string, payload: Record<string, unknown>): Promise<Extract<T, { ok: true }>> {
  const answer = (await sandbox.emulator.invokeResolver({ moduleKey: 'tandem-admin', functionKey, payload, accountId: sandbox.info.demoAdmin.accountId })) as T;
  assert.ok(answer.ok, `${functionKey}: ${JSON.stringify(answer)}`);
  return answer as Extract<T, { ok: true }>;
}

/** As an admin connects it on the admin page (see sandbox-craftio.test.ts). */
async function connectCraftio(sandbox: Sandbox): Promise<void> {
  const { revision } = await asAdmin<GetConfigResponse>(sandbox, 'getConfig', {});
  const added = await asAdmin<AddConnectionResponse>(sandbox, 'addConnection', { revision, presetId: 'craftio-product', name: 'Craft.io', url: sandbox.info.craftioBaseUrl });
  await asAdmin(sandbox, 'setConnectionSecret', { connectionId: added.connectionId, kind: 'auth', secret: sandbox.info.craftioToken });
  const secret = randomBytes(24).toString('base64url');
  await asAdmin(sandbox, 'setInboundSecret', { connectionId: added.connectionId, secret });
  const url = (await asAdmin<GetInboundResponse>(sandbox, 'getInbound', { connectionId: added.connectionId })).connections[0]?.url;
  const told = await fetch(`${sandbox.info.baseUrl}/__sandbox/craftio/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url, secret }) });
  assert.equal(told.status, 200);
}

test('--data keeps the Craft.io items, its address and where it sends its changes between runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-sandbox-craftio-'));
  const file = join(dir, 'sandbox.data');
  try {
    const first = await startSandbox({ port: 0, dataFile: file });
    let itemId = '';
    let key = '';
    let address = '';
    try {
      await connectCraftio(first);
      const { item, answer } = await first.craftio.createItem('epics', { title: 'Kept between runs' });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      itemId = item.id;
      key = String(answer.body.issueKey);
      address = first.info.craftioBaseUrl;
      await first.emulator.settle();
    } finally {
      await first.stop();
    }

    const second = await startSandbox({ port: 0, dataFile: file });
    try {
      assert.equal(second.info.craftioBaseUrl, address, 'Craft.io answers where the connection points');
      assert.equal(second.craftio.item(itemId)?.title, 'Kept between runs');
      assert.equal(second.craftio.item(itemId)?.jira_issue_key, key);
      const changed = await second.craftio.updateItem('epics', itemId, { title: 'Kept, and still linked' });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal(second.jira.getIssue(key)?.summary, 'Kept, and still linked');
      const made = await second.craftio.createItem('features', { title: 'Numbered after the kept ones' });
      assert.notEqual(made.item.number, second.craftio.item(itemId)?.number);
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The reference ITSM's HTML view: escaped content, forms that change records like the API does, basePath mounting.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceItsm } from '../../../devkit/external/itsm';
import { receiver, start, TOKEN } from './helpers';

const EVIL = '<script>alert("x")</script> & \'quotes\'';

test('index and record pages escape every value', async () => {
  const { base, itsm } = await start();
  const record = itsm.createRecord('incidents', { short_description: EVIL, description: `<img src=x onerror=alert(1)>` });
  itsm.addNote('incidents', record.id, '<b>bold?</b>', { name: '<i>Eve</i>', email: 'eve@example.com' });

  const index = await (await fetch(`${base}/`)).text();
  assert.ok(!index.includes('<script>'), 'index must escape');
  assert.ok(index.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;'));
  assert.ok(index.includes(`/records/incidents/${record.id}`));

  const response = await fetch(`${base}/records/incidents/${record.id}`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  const page = await response.text();
  assert.ok(!page.includes('<script>') && !page.includes('<img') && !page.includes('<b>') && !page.includes('<i>Eve'));
  assert.ok(page.includes('&lt;b&gt;bold?&lt;/b&gt;'));
  assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.equal((await fetch(`${base}/records/incidents/nope`)).status, 404);
});

test('forms edit the record and add work notes; the changes go out like API changes', async () => {
  const hook = await receiver();
  const { base, itsm } = await start({ outbound: { url: hook.url, secret: 's' } });
  const form = (path: string, fields: Record<string, string>): Promise<Response> =>
    fetch(`${base}${path}`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });

  const created = await form('/records/incidents', { short_description: 'From the form', priority: 'P1' });
  assert.equal(created.status, 303);
  const id = itsm.records('incidents')[0]?.id ?? '';
  assert.equal(created.headers.get('location'), `/records/incidents/${id}`);

  const edited = await form(`/records/incidents/${id}`, { short_description: 'Edited', state: 'resolved', priority: 'P4', assigned_to: '' });
  assert.equal(edited.status, 303);
  assert.equal(itsm.record('incidents', id)?.state, 'resolved');
  assert.equal(itsm.record('incidents', id)?.short_description, 'Edited');

  const noted = await form(`/records/incidents/${id}/work_notes`, { body: 'Typed by an agent' });
  assert.equal(noted.status, 303);
  assert.equal(itsm.notes('incidents', id)[0]?.author.name, 'Sam Agent');

  const invalid = await form(`/records/incidents/${id}`, { state: 'bogus' });
  assert.equal(invalid.status, 400);
  assert.match(await invalid.text(), /Invalid value for field &#39;state&#39;/);

  await itsm.whenIdle();
  assert.deepEqual(hook.received.map((r) => (JSON.parse(r.body) as { type: string }).type), ['record.created', 'record.updated', 'comment.created']);
});

test('mounted under a basePath on a shared server: own paths are served, others are left to the host', async () => {
  const itsm = new ReferenceItsm({ token: TOKEN, basePath: '/itsm' });
  const server = createServer((req, res) => {
    void itsm.handle(req, res).then((own) => {
      if (!own) res.writeHead(418).end('host');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  assert.equal((await fetch(`${origin}/other`)).status, 418);
  assert.equal((await fetch(`${origin}/itsm/api/incidents`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status, 200);
  const record = itsm.createRecord('incidents', { short_description: 'x' });
  // Record links use the address the service was reached at.
  assert.equal(itsm.recordUrl('incidents', record.id), `${origin}/itsm/records/incidents/${record.id}`);
  const page = await (await fetch(`${origin}/itsm/`)).text();
  assert.ok(page.includes(`href="/itsm/records/incidents/${record.id}"`));
  assert.equal((await fetch(`${origin}/itsm/__control/state`)).status, 200);
});

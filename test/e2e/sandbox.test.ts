// `npm start` as a newcomer meets it: the sandbox starts, prints its URLs, and Jira and StackFlow
// stay in sync both ways, over HTTP and through the sandbox's pages in Chromium; `--data` keeps it
// all between runs, and Ctrl-C stops it cleanly (which also fails if any Jira traffic did not fit
// Atlassian's OpenAPI description).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { ensureAdminBuilt, launchChromium, RESULTS } from '../support/browser';
import { startSandboxProcess, waitFor, type SandboxProcess } from '../support/sandbox-process';
import { DEFAULT_SEARCH_LAG_MS } from '../../devkit/jira/search-index';

const incident = z.object({
  id: z.string(),
  number: z.string(),
  short_description: z.string(),
  description: z.string().nullable().optional(),
  priority: z.string(),
  state: z.string(),
  assigned_to: z.string().nullable(),
  assignment_group: z.string().nullable().optional(),
  category: z.string().nullable().optional(),
  jira_issue_key: z.string().nullable().optional(),
});
const note = z.object({ id: z.string(), body: z.string() });
const jiraIssue = z.object({
  key: z.string(),
  fields: z.object({ summary: z.string(), status: z.object({ name: z.string() }), priority: z.object({ name: z.string() }).nullable().optional() }),
});
const jiraComments = z.object({ comments: z.array(z.object({ id: z.string(), body: z.unknown() })) });

function clients(sandbox: SandboxProcess) {
  const { info } = sandbox;
  const call = async (url: string, init: RequestInit): Promise<{ status: number; body: unknown }> => {
    const answer = await fetch(url, init);
    const text = await answer.text();
    return { status: answer.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  return {
    /** Jira's REST API as the demo admin. */
    jira: (method: string, path: string, body?: unknown) =>
      call(`${info.jiraBaseUrl}/rest/api/3${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
    /** StackFlow's API with the sandbox token. */
    itsm: (method: string, path: string, body?: unknown) =>
      call(`${info.itsmBaseUrl}/api${path}`, {
        method,
        headers: { authorization: `Bearer ${info.itsmToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
}

type Clients = ReturnType<typeof clients>;

async function incidentFor(api: Clients, issueKey: string): Promise<z.infer<typeof incident> | undefined> {
  const found = await api.itsm('GET', `/incidents?jira_issue_key=${encodeURIComponent(issueKey)}`);
  return z.object({ result: z.array(incident) }).parse(found.body).result[0];
}

async function notesOf(api: Clients, id: string): Promise<Array<z.infer<typeof note>>> {
  return z.object({ result: z.array(note) }).parse((await api.itsm('GET', `/incidents/${id}/work_notes`)).body).result;
}

async function commentsOf(api: Clients, key: string): Promise<string[]> {
  const found = jiraComments.parse((await api.jira('GET', `/issue/${key}/comment`)).body);
  return found.comments.map((c) => JSON.stringify(c.body));
}

async function issue(api: Clients, key: string): Promise<z.infer<typeof jiraIssue>> {
  return jiraIssue.parse((await api.jira('GET', `/issue/${key}?fields=summary,status,priority`)).body);
}

const doc = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the sandbox over HTTP', () => {
  let sandbox: SandboxProcess;
  let api: Clients;
  let key = '';
  let incidentId = '';

  before(async () => {
    ensureAdminBuilt();
    sandbox = await startSandboxProcess();
    api = clients(sandbox);
  });
  after(() => sandbox.kill());

  test('it prints its URLs and describes itself at /__sandbox/info', async () => {
    for (const line of ['home', 'admin page', 'Jira', 'StackFlow', 'web trigger', 'info \\(JSON\\)']) {
      assert.match(sandbox.output(), new RegExp(`${line}\\s+http://127\\.0\\.0\\.1:\\d+`), line);
    }
    assert.equal(sandbox.info.jiraBaseUrl, `${sandbox.base}/jira`);
    assert.equal(sandbox.info.itsmBaseUrl, `${sandbox.base}/itsm`);
    assert.equal(sandbox.info.itsmToken, 'sandbox-token');
    assert.match(sandbox.info.webTriggerUrl, new RegExp(`^${sandbox.base}/public/[0-9a-f]{32}/${sandbox.info.connectionId}$`));
    assert.match(sandbox.info.inboundSecret, /^[A-Za-z0-9_-]{32,}$/);
    const home = await (await fetch(`${sandbox.base}/`)).text();
    for (const link of ['/jira', '/itsm', '/admin']) assert.ok(home.includes(`href="${link}"`), `home links ${link}`);
  });

  test('the Jira REST API answers as the demo admin, or as a seeded user with Basic auth', async () => {
    const me = (await (await fetch(`${sandbox.info.jiraBaseUrl}/rest/api/3/myself`)).json()) as { displayName: string };
    assert.equal(me.displayName, 'Ada Admin');
    const basic = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:any-token`).toString('base64')}` });
    const sam = await fetch(`${sandbox.info.jiraBaseUrl}/rest/api/3/myself`, { headers: basic('sam.agent@stackflow.example') });
    assert.equal(((await sam.json()) as { displayName: string }).displayName, 'Sam Agent');
    const stranger = await fetch(`${sandbox.info.jiraBaseUrl}/rest/api/3/myself`, { headers: basic('who@example.com') });
    assert.equal(stranger.status, 401);
  });

  test("Jira's rate limits switch on and off over HTTP, next to StackFlow's faults", async () => {
    const control = `${sandbox.base}/jira/__control/faults`;
    const on = await fetch(control, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: '429', retryAfterSeconds: 7 }) });
    assert.equal(on.status, 200);
    const limited = await fetch(`${sandbox.info.jiraBaseUrl}/rest/api/3/myself`);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.equal((await fetch(control, { method: 'DELETE' })).status, 200);
    assert.equal((await fetch(`${sandbox.info.jiraBaseUrl}/rest/api/3/myself`)).status, 200);
  });

  test('a new OPS bug becomes an incident within 2 s, with the mapped fields and a link back', async () => {
    const sam = (await api.jira('GET', '/user/search?query=sam')).body as Array<{ accountId: string }>;
    const created = await api.jira('POST', '/issue', {
      fields: {
        project: { key: 'OPS' },
        issuetype: { name: 'Bug' },
        summary: 'Checkout fails for EU customers',
        description: doc('Card payments time out'),
        priority: { name: 'High' },
        assignee: { accountId: sam[0]?.accountId },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    key = (created.body as { key: string }).key;
    const found = await waitFor(`the incident for ${key}`, () => incidentFor(api, key));
    incidentId = found.id;
    assert.equal(found.short_description, 'Checkout fails for EU customers');
    assert.equal(found.priority, 'P2');
    assert.equal(found.state, 'new');
    assert.equal(found.assigned_to, 'sam.agent@stackflow.example');
    assert.equal(found.assignment_group, 'Platform Engineering');
    assert.equal(found.category, 'software');
    assert.match(found.description ?? '', /Card payments time out/);
    const links = z.array(z.object({ object: z.object({ url: z.string(), title: z.string() }) })).parse((await api.jira('GET', `/issue/${key}/remotelink`)).body);
    assert.ok(links.some((l) => l.object.url.includes(found.id) && l.object.title.includes(found.number)), JSON.stringify(links));
  });

  test('moving the incident to in_progress in StackFlow moves the issue to In Progress within 2 s', async () => {
    const moved = await api.itsm('PATCH', `/incidents/${incidentId}`, { state: 'in_progress', priority: 'P1' });
    assert.equal(moved.status, 200);
    const now = await waitFor('the issue In Progress', async () => {
      const current = await issue(api, key);
      return current.fields.status.name === 'In Progress' ? current : undefined;
    });
    assert.equal(now.fields.priority?.name, 'Highest');
  });

  test('a comment on each side arrives once on the other, and is still there once 3 s later', async () => {
    await api.jira('POST', `/issue/${key}/comment`, { body: doc('Rolled back the payment gateway') });
    await api.itsm('POST', `/incidents/${incidentId}/work_notes`, { body: 'Customer confirms it works again' });
    const fromJira = (notes: Array<{ body: string }>) => notes.filter((n) => n.body.includes('Rolled back the payment gateway'));
    const fromTool = (comments: string[]) => comments.filter((c) => c.includes('Customer confirms it works again'));
    await waitFor('the work note from Jira', async () => (fromJira(await notesOf(api, incidentId)).length > 0 ? true : undefined));
    await waitFor('the Jira comment from StackFlow', async () => (fromTool(await commentsOf(api, key)).length > 0 ? true : undefined));
    await sleep(3000);
    assert.equal(fromJira(await notesOf(api, incidentId)).length, 1, 'the Jira comment became one work note');
    assert.equal(fromTool(await commentsOf(api, key)).length, 1, 'the work note became one Jira comment');
    assert.equal((await notesOf(api, incidentId)).length, 2, 'no echo added a note');
    assert.equal((await commentsOf(api, key)).length, 2, 'no echo added a comment');
  });

  test('deleting the issue closes the incident, as the StackFlow preset sets it', async () => {
    assert.equal((await api.jira('DELETE', `/issue/${key}`)).status, 204);
    const closed = await waitFor('the incident closed', async () => {
      const found = await api.itsm('GET', `/incidents/${incidentId}`);
      const record = incident.parse(found.body);
      return record.state === 'closed' ? record : undefined;
    });
    assert.equal(closed.short_description, 'Checkout fails for EU customers');
  });

  test('the home page feed lists what synced', async () => {
    const feed = z.object({ entries: z.array(z.object({ direction: z.string(), outcome: z.string(), summary: z.string() })) }).parse(
      await (await fetch(`${sandbox.base}/__sandbox/activity`)).json(),
    );
    assert.ok(feed.entries.some((e) => e.direction === 'outbound' && e.outcome === 'synced'));
    assert.ok(feed.entries.some((e) => e.direction === 'inbound' && e.outcome === 'synced'));
    assert.ok(!feed.entries.some((e) => e.outcome === 'failed'), JSON.stringify(feed.entries));
  });

  test('Ctrl-C stops it cleanly', async () => {
    assert.equal(await sandbox.interrupt(), 0, sandbox.output());
  });
});

describe('the sandbox in Chromium, through its pages', () => {
  let sandbox: SandboxProcess;
  let api: Clients;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureAdminBuilt();
    mkdirSync(RESULTS, { recursive: true });
    sandbox = await startSandboxProcess();
    api = clients(sandbox);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    sandbox.kill();
  });

  const shot = (name: string) => page.screenshot({ path: join(RESULTS, `sandbox-${name}.png`), fullPage: true });
  /** Reloads until the page shows `text`: the other side syncs in the background. */
  const reloadUntil = async (text: string) =>
    waitFor(`the page to show “${text}”`, async () => {
      await page.reload();
      return (await page.getByText(text).count()) > 0 ? true : undefined;
    });

  test('create, sync, transition, comment and delete, the way a newcomer clicks through it', async () => {
    await page.goto(`${sandbox.base}/jira`);
    await page.getByLabel('Project and type').selectOption('OPS/Bug');
    await page.getByLabel('Summary').fill('Search returns nothing');
    await page.getByLabel('Description (Markdown)').fill('Since the **index rebuild**');
    await page.getByLabel('Priority').selectOption('Low');
    await page.getByRole('button', { name: 'Create' }).click();
    const key = (await page.locator('#issue-key').textContent()) ?? '';
    assert.match(key, /^OPS-\d+$/);
    await shot('jira-issue');

    const found = await waitFor(`the incident for ${key}`, () => incidentFor(api, key));
    assert.equal(found.priority, 'P4');
    await page.goto(`${sandbox.info.itsmBaseUrl}/records/incidents/${found.id}`);
    assert.ok((await page.getByText('Search returns nothing').count()) > 0);
    await page.locator('select[name=state]').selectOption('in_progress');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('form[action$="/work_notes"] textarea[name=body]').fill('Reindexing now');
    await page.locator('form[action$="/work_notes"] button').click();
    await shot('itsm-record');

    await page.goto(`${sandbox.base}/jira/browse/${key}`);
    await reloadUntil('Reindexing now');
    assert.equal(await page.locator('[data-status]').first().getAttribute('data-status'), 'In Progress');
    await page.getByLabel('Add a comment (Markdown)').fill('Thanks, watching it');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByRole('button', { name: /^Done → Done$/ }).click();
    assert.equal(await page.locator('[data-status]').first().getAttribute('data-status'), 'Done');
    await shot('jira-issue-synced');

    await page.goto(`${sandbox.info.itsmBaseUrl}/records/incidents/${found.id}`);
    await reloadUntil('Thanks, watching it');
    assert.ok((await page.locator('select[name=state] option[selected]').textContent())?.includes('resolved'));

    await page.goto(`${sandbox.base}/`);
    await waitFor('the activity feed', async () => ((await page.locator('#activity tr').count()) > 0 ? true : undefined));
    await shot('home');

    await page.goto(`${sandbox.base}/jira/browse/${key}`);
    await page.getByRole('button', { name: 'Delete issue' }).click();
    assert.ok(page.url().endsWith('/jira'));
    await waitFor('the incident closed', async () => {
      const record = incident.parse((await api.itsm('GET', `/incidents/${found.id}`)).body);
      return record.state === 'closed' ? true : undefined;
    });
    await page.goto(`${sandbox.base}/admin`);
    await page.frameLocator('iframe#forge-app').getByText('StackFlow').first().waitFor({ timeout: 15_000 });
    await shot('admin');
  });

  test('a bad form answers with what to fix, and changes nothing', async () => {
    // Jira's search trails its writes: counted once it has caught up, before and after.
    const caughtUp = () => new Promise((resolve) => setTimeout(resolve, DEFAULT_SEARCH_LAG_MS));
    await caughtUp();
    const before = z.object({ issues: z.array(z.unknown()) }).parse((await api.jira('GET', '/search/jql?jql=project%20%3D%20OPS')).body).issues.length;
    await page.goto(`${sandbox.base}/jira`);
    await page.getByLabel('Summary').fill('   ');
    await page.getByLabel('Summary').evaluate((input) => input.removeAttribute('required'));
    await page.getByRole('button', { name: 'Create' }).click();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /summary/i);
    await caughtUp();
    const after = z.object({ issues: z.array(z.unknown()) }).parse((await api.jira('GET', '/search/jql?jql=project%20%3D%20OPS')).body).issues.length;
    assert.equal(after, before);
  });

  test('Ctrl-C stops it cleanly', async () => {
    assert.equal(await sandbox.interrupt(), 0, sandbox.output());
  });
});

describe('the sandbox with --data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-sandbox-'));
  const file = join(dir, 'sandbox.data');
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('keeps Jira, StackFlow and the links between runs', async () => {
    const first = await startSandboxProcess(['--data', file]);
    let api = clients(first);
    let key = '';
    try {
      const created = await api.jira('POST', '/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Bug' }, summary: 'Kept between runs' } });
      key = (created.body as { key: string }).key;
      await waitFor('the incident', () => incidentFor(api, key));
      await sleep(1500);
    } finally {
      assert.equal(await first.interrupt(), 0, first.output());
    }

    const second = await startSandboxProcess(['--data', file]);
    api = clients(second);
    try {
      assert.equal(second.info.inboundSecret, first.info.inboundSecret, 'the same connection, not a new one');
      assert.equal((await issue(api, key)).fields.summary, 'Kept between runs');
      const found = await incidentFor(api, key);
      assert.ok(found, 'the incident is still there');
      await api.jira('PUT', `/issue/${key}`, { fields: { summary: 'Kept, and still linked' } });
      await waitFor('the linked incident updated', async () => ((await incidentFor(api, key))?.short_description === 'Kept, and still linked' ? true : undefined));
      const incidents = z.object({ result: z.array(incident) }).parse((await api.itsm('GET', '/incidents')).body).result;
      assert.equal(incidents.length, 1, 'the update went to the linked incident, not a new one');
    } finally {
      assert.equal(await second.interrupt(), 0, second.output());
    }
  });
});

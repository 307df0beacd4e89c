// The sandbox's small Jira: an issue list and an issue view where a person creates, edits,
// transitions, comments on and deletes issues. Every action goes through the Jira simulator's REST
// API as the demo admin, so Tandem sees the same events a real site sends. Server-rendered, every
// value escaped, plain forms (no JavaScript).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { adfToMarkdown, markdownToAdf } from '../../src/adf';
import { escapeHtml } from '../external/html';
import { readForm, redirect, sendHtml } from './http';

export interface JiraRest {
  (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

const named = z.object({ id: z.string(), name: z.string() });
const user = z.object({ accountId: z.string(), displayName: z.string(), emailAddress: z.string().optional() });
const status = z.object({ name: z.string(), statusCategory: z.object({ key: z.string() }) });
const issueFields = z.object({
  summary: z.string(),
  description: z.unknown().optional(),
  status,
  issuetype: named,
  project: z.object({ key: z.string() }),
  priority: named.nullable().optional(),
  assignee: user.nullable().optional(),
  labels: z.array(z.string()).optional(),
  resolution: named.nullable().optional(),
  updated: z.string().optional(),
});
const issue = z.object({ id: z.string(), key: z.string(), fields: issueFields });
const searchAnswer = z.object({ issues: z.array(issue) });
const transitions = z.object({
  transitions: z.array(z.object({ id: z.string(), name: z.string(), to: status, fields: z.record(z.string(), z.object({ required: z.boolean() })).optional() })),
});
const comments = z.object({
  comments: z.array(z.object({ id: z.string(), author: user.optional(), body: z.unknown(), created: z.string() })),
});
const remoteLinks = z.array(z.object({ object: z.object({ url: z.string(), title: z.string() }) }));
const jiraErrors = z.object({ errorMessages: z.array(z.string()).optional(), errors: z.record(z.string(), z.string()).optional() });

const ISSUE_FIELDS = 'summary,description,status,issuetype,project,priority,assignee,labels,resolution,updated';
const KEY_PATTERN = /^[A-Z][A-Z0-9_]*-\d+$/;

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#172b4d}header{background:#0052cc;color:#fff;padding:10px 24px}
header a{color:#fff;margin-right:16px}main{padding:16px 24px;max-width:1100px}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #dfe1e6;padding:6px 8px;text-align:left;vertical-align:top}.lozenge{font-size:11px;font-weight:700;text-transform:uppercase;padding:2px 4px;border-radius:3px;background:#dfe1e6}
.lozenge.indeterminate{background:#deebff;color:#0747a6}.lozenge.done{background:#e3fcef;color:#006644}.md{white-space:pre-wrap}
form{margin:8px 0}label{display:block;margin:6px 0}input[type=text],textarea,select{font:inherit;min-width:320px}textarea{width:100%;min-height:70px}
.comment{border:1px solid #dfe1e6;border-radius:3px;padding:8px;margin:8px 0}.muted{color:#6b778c}.error{background:#ffebe6;padding:8px}
.columns{display:grid;grid-template-columns:2fr 1fr;gap:24px}.inline{display:inline}button{font:inherit}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Jira (Tandem sandbox)</title><style>${STYLE}</style></head>
<body><header><a href="/">Tandem sandbox</a><a href="/jira">Jira issues</a><a href="/itsm">StackFlow</a><a href="/admin">Tandem admin</a></header><main>${body}</main></body></html>`;
}

function lozenge(value: z.infer<typeof status>): string {
  return `<span class="lozenge ${escapeHtml(value.statusCategory.key)}" data-status="${escapeHtml(value.name)}">${escapeHtml(value.name)}</span>`;
}

function options(values: ReadonlyArray<{ value: string; label: string }>, selected?: string): string {
  return values.map((v) => `<option value="${escapeHtml(v.value)}"${v.value === selected ? ' selected' : ''}>${escapeHtml(v.label)}</option>`).join('');
}

/** Jira's error answer as one line a person can act on. */
function jiraMessage(body: unknown): string {
  const parsed = jiraErrors.safeParse(body);
  if (!parsed.success) return 'Jira refused the change.';
  const parts = [...(parsed.data.errorMessages ?? []), ...Object.entries(parsed.data.errors ?? {}).map(([field, message]) => `${field}: ${message}`)];
  return parts.length > 0 ? parts.join(' ') : 'Jira refused the change.';
}

class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class SandboxJiraPages {
  constructor(
    private readonly rest: JiraRest,
    /** The people an issue can be assigned to (Jira's user picker). */
    private readonly people: () => Array<{ accountId: string; displayName: string }>,
    /** The app's issue modules on an issue, hosted as Forge hosts them (see ForgeEmulator.issueModules). */
    private readonly appModules?: (issueKey: string) => {
      panels: Array<{ key: string; title: string; frameUrl: string }>;
      actions: Array<{ key: string; title: string; pageUrl: string }>;
    },
  ) {}

  /** Serves /jira and /jira/browse/…; false for anything else (the REST API is served elsewhere). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path !== '/jira' && !path.startsWith('/jira/browse/') && path !== '/jira/create') return false;
    const method = req.method ?? 'GET';
    try {
      if (path === '/jira' && method === 'GET') sendHtml(res, 200, await this.listPage());
      else if (path === '/jira/create' && method === 'POST') redirect(res, `/jira/browse/${await this.create(await readForm(req))}`);
      else if (path.startsWith('/jira/browse/')) await this.issueRoute(req, res, path.slice('/jira/browse/'.length).split('/'), method);
      else sendHtml(res, 405, page('Not allowed', '<p class="error">Use the forms on the pages.</p>'));
    } catch (error) {
      const status = error instanceof PageError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      sendHtml(res, status, page('Jira refused', `<p class="error" role="alert">${escapeHtml(message)}</p><p><a href="javascript:history.back()">Back</a> · <a href="/jira">All issues</a></p>`));
    }
    return true;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const answer = await this.rest(method, path, body);
    if (answer.status >= 400) throw new PageError(answer.status === 404 ? 404 : 400, jiraMessage(answer.body));
    return answer.body;
  }

  private async listPage(): Promise<string> {
    const found = searchAnswer.parse(await this.call('GET', `/rest/api/3/search/jql?jql=${encodeURIComponent('project in (OPS, INFRA) ORDER BY created DESC')}&fields=${ISSUE_FIELDS}&maxResults=100`));
    const priorities = await this.priorities();
    const rows = found.issues
      .map(
        (i) => `<tr data-issue="${escapeHtml(i.key)}"><td><a href="/jira/browse/${escapeHtml(i.key)}">${escapeHtml(i.key)}</a></td><td>${escapeHtml(i.fields.issuetype.name)}</td>
<td>${escapeHtml(i.fields.summary)}</td><td>${lozenge(i.fields.status)}</td><td>${escapeHtml(i.fields.priority?.name ?? '')}</td><td>${escapeHtml(i.fields.assignee?.displayName ?? 'Unassigned')}</td></tr>`,
      )
      .join('');
    const types = [
      { value: 'OPS/Bug', label: 'OPS · Bug' },
      { value: 'OPS/Task', label: 'OPS · Task' },
      { value: 'INFRA/Task', label: 'INFRA · Task' },
    ];
    return page(
      'Issues',
      `<h1>Issues</h1>
<form method="post" action="/jira/create" aria-label="Create issue"><fieldset><legend>Create issue</legend>
<label>Project and type <select name="type">${options(types, 'OPS/Bug')}</select></label>
<label>Summary <input type="text" name="summary" required maxlength="255"></label>
<label>Description (Markdown) <textarea name="description"></textarea></label>
<label>Priority <select name="priority">${options(priorities, 'Medium')}</select></label>
<button type="submit">Create</button></fieldset></form>
${found.issues.length === 0 ? '<p class="muted">No issues yet. Create one above; Tandem sends OPS bugs and INFRA tasks to StackFlow.</p>' : `<table><thead><tr><th>Key</th><th>Type</th><th>Summary</th><th>Status</th><th>Priority</th><th>Assignee</th></tr></thead><tbody>${rows}</tbody></table>`}`,
    );
  }

  private async priorities(): Promise<Array<{ value: string; label: string }>> {
    return z
      .array(named)
      .parse(await this.call('GET', '/rest/api/3/priority'))
      .map((p) => ({ value: p.name, label: p.name }));
  }

  private users(): Array<{ value: string; label: string }> {
    return this.people().map((u) => ({ value: u.accountId, label: u.displayName }));
  }

  private async create(form: URLSearchParams): Promise<string> {
    const [project, type] = (form.get('type') ?? '').split('/');
    const summary = (form.get('summary') ?? '').trim();
    if (!project || !type) throw new PageError(400, 'Choose a project and issue type.');
    if (summary === '') throw new PageError(400, 'Give the issue a summary.');
    const description = (form.get('description') ?? '').trim();
    const priority = form.get('priority');
    const created = z
      .object({ key: z.string() })
      .parse(
        await this.call('POST', '/rest/api/3/issue', {
          fields: {
            project: { key: project },
            issuetype: { name: type },
            summary,
            ...(description === '' ? {} : { description: markdownToAdf(description) }),
            ...(priority ? { priority: { name: priority } } : {}),
          },
        }),
      );
    return created.key;
  }

  private async issueRoute(req: IncomingMessage, res: ServerResponse, segments: string[], method: string): Promise<void> {
    const [rawKey, action, commentId, commentAction] = segments;
    const key = decodeURIComponent(rawKey ?? '').toUpperCase();
    if (!KEY_PATTERN.test(key)) throw new PageError(404, 'There is no such issue.');
    const base = `/rest/api/3/issue/${key}`;
    if (method === 'GET' && action === undefined) {
      sendHtml(res, 200, await this.issuePage(key));
      return;
    }
    if (method !== 'POST') throw new PageError(405, 'Use the forms on the issue page.');
    const form = await readForm(req);
    const text = (name: string): string => (form.get(name) ?? '').trim();
    switch (action) {
      case 'edit': {
        const fields: Record<string, unknown> = { summary: text('summary') };
        fields.description = text('description') === '' ? null : markdownToAdf(text('description'));
        if (text('priority') !== '') fields.priority = { name: text('priority') };
        fields.labels = text('labels')
          .split(/[\s,]+/)
          .filter((l) => l !== '');
        await this.call('PUT', base, { fields });
        if (form.has('assignee')) await this.call('PUT', `${base}/assignee`, { accountId: text('assignee') === '' ? null : text('assignee') });
        break;
      }
      case 'transition': {
        const resolution = text('resolution');
        await this.call('POST', `${base}/transitions`, { transition: { id: text('transition') }, ...(resolution === '' ? {} : { fields: { resolution: { name: resolution } } }) });
        break;
      }
      case 'comment': {
        if (commentId === undefined) await this.call('POST', `${base}/comment`, { body: markdownToAdf(this.required(text('body'), 'Write a comment first.')) });
        else if (commentAction === 'edit') await this.call('PUT', `${base}/comment/${encodeURIComponent(commentId)}`, { body: markdownToAdf(this.required(text('body'), 'A comment cannot be empty.')) });
        else if (commentAction === 'delete') await this.call('DELETE', `${base}/comment/${encodeURIComponent(commentId)}`);
        else throw new PageError(404, 'No such action.');
        break;
      }
      case 'delete':
        await this.call('DELETE', base);
        redirect(res, '/jira');
        return;
      default:
        throw new PageError(404, 'No such action.');
    }
    redirect(res, `/jira/browse/${key}`);
  }

  private required(value: string, message: string): string {
    if (value === '') throw new PageError(400, message);
    return value;
  }

  /** The app's panels in the sidebar and its actions, as Jira's issue view shows them. */
  private appSection(key: string): string {
    const modules = this.appModules?.(key);
    if (!modules) return '';
    const panels = modules.panels
      .map((p) => `<section class="app-panel" data-module="${escapeHtml(p.key)}"><h2>${escapeHtml(p.title)}</h2><iframe title="${escapeHtml(p.title)}" src="${escapeHtml(p.frameUrl)}" style="width:100%;min-height:560px;border:1px solid #dfe1e6;border-radius:3px"></iframe></section>`)
      .join('');
    const actions = modules.actions.map((a) => `<li><a href="${escapeHtml(a.pageUrl)}" data-module="${escapeHtml(a.key)}">${escapeHtml(a.title)}</a></li>`).join('');
    return `${panels}${actions ? `<nav aria-label="Apps"><h2>Apps</h2><ul>${actions}</ul></nav>` : ''}`;
  }

  private async issuePage(key: string): Promise<string> {
    const base = `/rest/api/3/issue/${key}`;
    const found = issue.parse(await this.call('GET', `${base}?fields=${ISSUE_FIELDS}`));
    const users = this.users();
    const [moves, notes, links, priorities] = await Promise.all([
      this.call('GET', `${base}/transitions?expand=transitions.fields`).then((b) => transitions.parse(b)),
      this.call('GET', `${base}/comment?orderBy=created`).then((b) => comments.parse(b)),
      this.call('GET', `${base}/remotelink`).then((b) => remoteLinks.parse(b)),
      this.priorities(),
    ]);
    const f = found.fields;
    const description = f.description ? adfToMarkdown(f.description) : '';
    const transitionForms = moves.transitions
      .map((t) => {
        const needsResolution = t.fields?.resolution?.required === true;
        return `<form method="post" action="/jira/browse/${key}/transition" class="inline"><input type="hidden" name="transition" value="${escapeHtml(t.id)}">${
          needsResolution ? `<input type="hidden" name="resolution" value="Done">` : ''
        }<button type="submit">${escapeHtml(t.name)} → ${escapeHtml(t.to.name)}</button></form> `;
      })
      .join('');
    const commentList = notes.comments
      .map(
        (c) => `<div class="comment" data-comment="${escapeHtml(c.id)}"><div class="muted">${escapeHtml(c.author?.displayName ?? 'Someone')} · ${escapeHtml(c.created)}</div>
<div class="md">${escapeHtml(adfToMarkdown(c.body))}</div>
<details><summary>Edit or delete</summary>
<form method="post" action="/jira/browse/${key}/comment/${escapeHtml(c.id)}/edit"><label>Comment <textarea name="body">${escapeHtml(adfToMarkdown(c.body))}</textarea></label><button type="submit">Save comment</button></form>
<form method="post" action="/jira/browse/${key}/comment/${escapeHtml(c.id)}/delete"><button type="submit">Delete comment</button></form></details></div>`,
      )
      .join('');
    const linkList = links.map((l) => `<li><a href="${escapeHtml(l.object.url)}">${escapeHtml(l.object.title)}</a></li>`).join('');
    return page(
      `${key} ${f.summary}`,
      `<p class="muted"><a href="/jira">Issues</a> / ${escapeHtml(f.project.key)} / ${escapeHtml(f.issuetype.name)}</p>
<h1><span id="issue-key">${escapeHtml(key)}</span> <span id="issue-summary">${escapeHtml(f.summary)}</span></h1>
<div class="columns"><section>
<h2>Description</h2><div class="md" id="issue-description">${description === '' ? '<span class="muted">None</span>' : escapeHtml(description)}</div>
<h2>Comments</h2>${commentList || '<p class="muted">No comments yet.</p>'}
<form method="post" action="/jira/browse/${key}/comment" aria-label="Add comment"><label>Add a comment (Markdown) <textarea name="body"></textarea></label><button type="submit">Add comment</button></form>
<h2>Edit</h2>
<form method="post" action="/jira/browse/${key}/edit" aria-label="Edit issue">
<label>Summary <input type="text" name="summary" value="${escapeHtml(f.summary)}" required maxlength="255"></label>
<label>Description (Markdown) <textarea name="description">${escapeHtml(description)}</textarea></label>
<label>Priority <select name="priority">${options(priorities, f.priority?.name)}</select></label>
<label>Assignee <select name="assignee">${options([{ value: '', label: 'Unassigned' }, ...users], f.assignee?.accountId ?? '')}</select></label>
<label>Labels <input type="text" name="labels" value="${escapeHtml((f.labels ?? []).join(' '))}"></label>
<button type="submit">Save</button></form>
</section><aside>
<p>Status: ${lozenge(f.status)}${f.resolution ? ` <span class="muted">(${escapeHtml(f.resolution.name)})</span>` : ''}</p>
<div aria-label="Transitions">${transitionForms}</div>
<p>Priority: <span id="issue-priority">${escapeHtml(f.priority?.name ?? 'None')}</span></p>
<p>Assignee: <span id="issue-assignee">${escapeHtml(f.assignee?.displayName ?? 'Unassigned')}</span></p>
<p>Labels: ${escapeHtml((f.labels ?? []).join(', ') || 'None')}</p>
<h2>Links</h2>${linkList ? `<ul id="issue-links">${linkList}</ul>` : '<p class="muted">None yet.</p>'}
${this.appSection(key)}
<form method="post" action="/jira/browse/${key}/delete"><button type="submit">Delete issue</button></form>
</aside></div>`,
    );
  }
}

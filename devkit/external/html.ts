// The reference ITSM's plain HTML view: server-rendered, every value escaped, forms that post back
// (no JavaScript), so a person in the sandbox can change records the way an agent would.
import { MODULES, PRIORITIES, STATES, type ItsmModule, type ItsmRecord, type WorkNote } from './model';

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#172b4d}table{border-collapse:collapse}
td,th{border:1px solid #dfe1e6;padding:4px 8px;text-align:left;vertical-align:top}.md{white-space:pre-wrap}
.note{border:1px solid #dfe1e6;padding:8px;margin:8px 0}.muted{color:#6b778c}form{margin:12px 0}label{display:block;margin:4px 0}
.error{background:#ffebe6;padding:8px}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · StackFlow (Tandem devkit)</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

function options(values: readonly string[], selected: string): string {
  return values.map((v) => `<option value="${escapeHtml(v)}"${v === selected ? ' selected' : ''}>${escapeHtml(v)}</option>`).join('');
}

export function renderIndex(base: string, records: Record<ItsmModule, ItsmRecord[]>): string {
  const sections = MODULES.map((module) => {
    const rows = records[module]
      .map(
        (r) =>
          `<tr><td><a href="${escapeHtml(`${base}/records/${module}/${encodeURIComponent(r.id)}`)}">${escapeHtml(r.number)}</a></td><td>${escapeHtml(r.short_description)}</td><td>${escapeHtml(r.state)}</td><td>${escapeHtml(r.priority)}</td><td>${escapeHtml(r.assigned_to ?? '')}</td><td>${escapeHtml(r.jira_issue_key ?? '')}</td></tr>`,
      )
      .join('');
    const table =
      rows === ''
        ? '<p class="muted">No records.</p>'
        : `<table><thead><tr><th>Number</th><th>Short description</th><th>State</th><th>Priority</th><th>Assigned to</th><th>Jira issue</th></tr></thead><tbody>${rows}</tbody></table>`;
    const form = `<form method="post" action="${escapeHtml(`${base}/records/${module}`)}"><label>Short description <input name="short_description" required></label><label>Priority <select name="priority">${options(PRIORITIES, 'P3')}</select></label><button type="submit">Create</button></form>`;
    return `<h2>${escapeHtml(module)}</h2>${table}${form}`;
  }).join('');
  return page('Records', `<h1>StackFlow records</h1>${sections}`);
}

function noteHtml(note: WorkNote): string {
  const who = note.author.email ? `${note.author.name} <${note.author.email}>` : note.author.name;
  return `<div class="note" id="note-${escapeHtml(note.id)}"><div class="muted">${escapeHtml(who)} · ${escapeHtml(note.created_at)}</div><div class="md">${escapeHtml(note.body)}</div></div>`;
}

export function renderRecord(base: string, module: ItsmModule, record: ItsmRecord, notes: WorkNote[], error?: string): string {
  const self = `${base}/records/${module}/${encodeURIComponent(record.id)}`;
  const rows = Object.entries(record)
    .map(([field, value]) => `<tr><th>${escapeHtml(field)}</th><td class="md">${escapeHtml(value === null ? '' : value)}</td></tr>`)
    .join('');
  const edit = `<form method="post" action="${escapeHtml(self)}"><h2>Edit</h2>
<label>Short description <input name="short_description" value="${escapeHtml(record.short_description)}"></label>
<label>State <select name="state">${options(STATES, record.state)}</select></label>
<label>Priority <select name="priority">${options(PRIORITIES, record.priority)}</select></label>
<label>Assigned to <input name="assigned_to" value="${escapeHtml(record.assigned_to ?? '')}"></label>
<button type="submit">Save</button></form>`;
  const addNote = `<form method="post" action="${escapeHtml(`${self}/work_notes`)}"><h2>Add a work note</h2><label><textarea name="body" rows="4" cols="60" required></textarea></label><button type="submit">Add</button></form>`;
  const body = `<p><a href="${escapeHtml(`${base}/`)}">All records</a></p><h1>${escapeHtml(record.number)}: ${escapeHtml(record.short_description)}</h1>
${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}<table>${rows}</table>${edit}<h2>Work notes</h2>${notes.length === 0 ? '<p class="muted">None yet.</p>' : notes.map(noteHtml).join('')}${addNote}`;
  return page(`${record.number}`, body);
}

export function renderMessage(title: string, message: string, base: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p class="error">${escapeHtml(message)}</p><p><a href="${escapeHtml(`${base}/`)}">All records</a></p>`);
}

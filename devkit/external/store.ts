// The reference ITSM's in-memory records and work notes. Every change is queued as a StoreChange;
// the service drains them after each operation and turns them into outbound events.
import { randomUUID } from 'node:crypto';
import {
  ItsmError,
  MODULES,
  NUMBER_PREFIX,
  type ItsmModule,
  type ItsmRecord,
  type NoteAuthor,
  type RecordCreate,
  type RecordPatch,
  type WorkNote,
} from './model';

export type ChangeType = 'record.created' | 'record.updated' | 'record.deleted' | 'comment.created' | 'comment.updated' | 'comment.deleted';

export interface StoreChange {
  type: ChangeType;
  module: ItsmModule;
  /** The record as it stood after the change (before it, for record.deleted). */
  record: ItsmRecord;
  /** Comment events only. */
  note?: WorkNote;
  /** record.updated: the fields whose values changed. */
  changedFields?: string[];
}

export interface RecordFilter {
  jira_issue_key?: string;
  number?: string;
  state?: string;
  /** Records changed at or after this time (ISO 8601). */
  updated_since?: string;
}

/** One page of a listing, oldest change first; `next_cursor` is null on the last page. */
export interface RecordPage {
  result: ItsmRecord[];
  next_cursor: string | null;
}

/** Records a list page holds unless the caller asks for fewer (or more, up to the most). */
export const LIST_PAGE_DEFAULT = 100;
export const LIST_PAGE_MOST = 1000;

/**
 * A list cursor names the last record a page held by (updated_at, id). Reading on from there never
 * skips a record: one changed while the listing runs moves behind the cursor and is listed again.
 */
function encodeCursor(record: ItsmRecord): string {
  return Buffer.from(JSON.stringify([record.updated_at, record.id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') return [parsed[0], parsed[1]];
  } catch {
    // answered below
  }
  throw new ItsmError(400, 'Invalid cursor', 'Pass the next_cursor of the previous page unchanged', 'cursor');
}

const byChange = (a: ItsmRecord, b: ItsmRecord): number => (a.updated_at === b.updated_at ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.updated_at < b.updated_at ? -1 : 1);

const FIRST_NUMBER = 1001;

interface StoredNote extends WorkNote {
  /** The Jira comment this note came from, so later comment events find it. */
  jiraCommentId?: string;
}

/** Opaque 32-hex ids, the way ITSM tools name rows. */
const newId = (): string => randomUUID().replace(/-/g, '');

function copyNote(note: StoredNote): WorkNote {
  return { id: note.id, body: note.body, author: { ...note.author }, created_at: note.created_at, updated_at: note.updated_at };
}

export interface ItsmStoreDump {
  rows: Map<ItsmModule, Map<string, ItsmRecord>>;
  noteRows: Map<string, StoredNote[]>;
  counters: Map<ItsmModule, number>;
}

export class ItsmStore {
  private readonly rows = new Map<ItsmModule, Map<string, ItsmRecord>>();
  private readonly noteRows = new Map<string, StoredNote[]>();
  private readonly counters = new Map<ItsmModule, number>();
  private pending: StoreChange[] = [];

  constructor(private readonly clock: () => number) {
    this.reset();
  }

  reset(): void {
    for (const module of MODULES) {
      this.rows.set(module, new Map());
      this.counters.set(module, FIRST_NUMBER);
    }
    this.noteRows.clear();
    this.pending = [];
  }

  /** Records, notes and numbering, for the sandbox's data file (structured-clone safe). */
  dump(): ItsmStoreDump {
    return structuredClone({ rows: this.rows, noteRows: this.noteRows, counters: this.counters });
  }

  load(dump: ItsmStoreDump): void {
    this.reset();
    const copy = structuredClone(dump);
    for (const [module, rows] of copy.rows) this.rows.set(module, rows);
    for (const [key, notes] of copy.noteRows) this.noteRows.set(key, notes);
    for (const [module, counter] of copy.counters) this.counters.set(module, counter);
  }

  /** The changes made since the last drain, oldest first. */
  drain(): StoreChange[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  private now(): string {
    return new Date(this.clock()).toISOString();
  }

  private table(module: ItsmModule): Map<string, ItsmRecord> {
    const table = this.rows.get(module);
    if (table === undefined) throw new ItsmError(404, `Unknown module '${module}'`);
    return table;
  }

  list(module: ItsmModule, filter: RecordFilter = {}): ItsmRecord[] {
    return [...this.table(module).values()]
      .filter((r) => filter.jira_issue_key === undefined || r.jira_issue_key === filter.jira_issue_key)
      .filter((r) => filter.number === undefined || r.number === filter.number)
      .filter((r) => filter.state === undefined || r.state === filter.state)
      .filter((r) => filter.updated_since === undefined || r.updated_at >= filter.updated_since)
      .map((r) => ({ ...r }));
  }

  /** A page of the module's records matching the filter, in order of their last change (then id). */
  page(module: ItsmModule, filter: RecordFilter, options: { limit?: number; cursor?: string } = {}): RecordPage {
    const limit = options.limit ?? LIST_PAGE_DEFAULT;
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const rows = this.list(module, filter)
      .sort(byChange)
      .filter((r) => after === undefined || r.updated_at > after[0] || (r.updated_at === after[0] && r.id > after[1]));
    const result = rows.slice(0, limit);
    const last = result[result.length - 1];
    return { result, next_cursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  get(module: ItsmModule, id: string): ItsmRecord | undefined {
    const found = this.table(module).get(id);
    return found && { ...found };
  }

  /** Like get, but a missing record is a 404. */
  require(module: ItsmModule, id: string): ItsmRecord {
    const found = this.get(module, id);
    if (found === undefined) throw new ItsmError(404, 'No Record found', `No ${module} record with id ${id}`);
    return found;
  }

  findByIssueKey(key: string): { module: ItsmModule; record: ItsmRecord } | undefined {
    for (const module of MODULES) {
      const record = this.list(module, { jira_issue_key: key })[0];
      if (record) return { module, record };
    }
    return undefined;
  }

  create(module: ItsmModule, fields: RecordCreate): ItsmRecord {
    const table = this.table(module);
    const n = this.counters.get(module) ?? FIRST_NUMBER;
    this.counters.set(module, n + 1);
    const at = this.now();
    const record: ItsmRecord = {
      id: newId(),
      number: `${NUMBER_PREFIX[module]}${String(n).padStart(7, '0')}`,
      short_description: fields.short_description,
      description: fields.description,
      priority: fields.priority,
      state: fields.state,
      assigned_to: fields.assigned_to,
      assignment_group: fields.assignment_group,
      category: fields.category,
      jira_issue_key: fields.jira_issue_key,
      jira_issue_url: fields.jira_issue_url,
      created_at: at,
      updated_at: at,
    };
    table.set(record.id, record);
    this.noteRows.set(`${module}/${record.id}`, []);
    this.pending.push({ type: 'record.created', module, record: { ...record } });
    return { ...record };
  }

  /** Applies the fields whose values differ; a patch that changes nothing is no change (no event). */
  update(module: ItsmModule, id: string, patch: RecordPatch): { record: ItsmRecord; changed: string[] } {
    this.require(module, id);
    const record = this.table(module).get(id) as ItsmRecord;
    const changed: string[] = [];
    const writable = record as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined || writable[field] === value) continue;
      writable[field] = value;
      changed.push(field);
    }
    if (changed.length > 0) {
      record.updated_at = this.now();
      this.pending.push({ type: 'record.updated', module, record: { ...record }, changedFields: changed });
    }
    return { record: { ...record }, changed };
  }

  /** Deleting a record takes its work notes with it (one record.deleted, no comment events). */
  delete(module: ItsmModule, id: string): ItsmRecord {
    const record = this.require(module, id);
    this.table(module).delete(id);
    this.noteRows.delete(`${module}/${id}`);
    this.pending.push({ type: 'record.deleted', module, record });
    return record;
  }

  private noteList(module: ItsmModule, id: string): StoredNote[] {
    this.require(module, id);
    const key = `${module}/${id}`;
    let list = this.noteRows.get(key);
    if (list === undefined) {
      list = [];
      this.noteRows.set(key, list);
    }
    return list;
  }

  notes(module: ItsmModule, id: string): WorkNote[] {
    return this.noteList(module, id).map(copyNote);
  }

  note(module: ItsmModule, id: string, noteId: string): WorkNote {
    const found = this.noteList(module, id).find((n) => n.id === noteId);
    if (found === undefined) throw new ItsmError(404, 'No Record found', `No work note ${noteId} on ${module} record ${id}`);
    return copyNote(found);
  }

  addNote(module: ItsmModule, id: string, body: string, author: NoteAuthor, jiraCommentId?: string): WorkNote {
    const list = this.noteList(module, id);
    const at = this.now();
    const note: StoredNote = { id: newId(), body, author: { ...author }, created_at: at, updated_at: at };
    if (jiraCommentId !== undefined) note.jiraCommentId = jiraCommentId;
    list.push(note);
    this.pending.push({ type: 'comment.created', module, record: this.require(module, id), note: copyNote(note) });
    return copyNote(note);
  }

  updateNote(module: ItsmModule, id: string, noteId: string, body: string): WorkNote {
    this.note(module, id, noteId);
    const note = this.noteList(module, id).find((n) => n.id === noteId) as StoredNote;
    if (note.body !== body) {
      note.body = body;
      note.updated_at = this.now();
      this.pending.push({ type: 'comment.updated', module, record: this.require(module, id), note: copyNote(note) });
    }
    return copyNote(note);
  }

  deleteNote(module: ItsmModule, id: string, noteId: string): WorkNote {
    const removed = this.note(module, id, noteId);
    const list = this.noteList(module, id);
    list.splice(
      list.findIndex((n) => n.id === noteId),
      1,
    );
    this.pending.push({ type: 'comment.deleted', module, record: this.require(module, id), note: removed });
    return removed;
  }

  noteForJiraComment(module: ItsmModule, id: string, jiraCommentId: string): WorkNote | undefined {
    const found = this.noteList(module, id).find((n) => n.jiraCommentId === jiraCommentId);
    return found && copyNote(found);
  }
}

// The record REST protocol: records and their work notes through the tool's own API, at the paths
// the connection configures per module. Every answer is checked with zod before Tandem trusts it.
import * as z from 'zod';
import { fillRestPath, parseToolDescription, restPathsFor, type RecordRestConnection, type RestOperation, type ToolDescription } from '../mapping';
import type { ClockPort, ExternalPort, ExternalResponse } from '../ports';
import { joinUrl, sendToTool, unexpectedAnswer } from './http';
import { fail, ok, type ConnectorResult } from './outcome';

/** A record as the tool answered it. */
export interface ToolRecord {
  id: string;
  /** The human-facing number (e.g. INC0012345), when the tool has one. */
  number?: string;
  /** Where the record opens in the tool; shown in Jira on the link. */
  url: string;
  /** The record's fields as answered, envelope removed. */
  fields: Record<string, unknown>;
}

/** When the record last changed, as the tool says in its fields (its names for it vary); undefined when it does not say. */
export const recordUpdatedAt = (record: ToolRecord): unknown => record.fields.updated_at ?? record.fields.updatedAt ?? record.fields.updated ?? record.fields.modified_at;

export interface WorkNote {
  /** Undefined when the tool confirmed the note without naming it. */
  id?: string;
}

export interface NoteAuthor {
  displayName?: string;
  email?: string;
}

/**
 * Connector settings the connection schema does not hold (yet); the sync layer passes them in.
 * The optional ones default to the record REST defaults; the clock is always the platform's.
 */
export interface RecordRestOptions {
  /**
   * Where a record opens when the tool's answer names no `url`/`link`. Placeholders: `{baseUrl}`,
   * `{module}`, `{id}`, `{number}` (falls back to the id). Default `{baseUrl}/records/{module}/{id}`.
   */
  recordUrlTemplate?: string;
  /** Send `author` with work notes; off unless the tool is known to accept it. */
  sendNoteAuthor?: boolean;
  /** The platform's clock, for Retry-After dates. */
  clock: Pick<ClockPort, 'now'>;
}

export const DEFAULT_RECORD_URL_TEMPLATE = '{baseUrl}/records/{module}/{id}';

/** One page of a module's records, and the cursor of the next (absent on the last page). */
export interface RecordPage {
  records: ToolRecord[];
  nextCursor?: string;
}

/** Records a list page asks for. */
export const RECORD_PAGE_SIZE = 100;

export interface RecordRestConnector {
  /** `idempotencyKey` must be stable for the Jira issue, so a retried or racing create makes one record. */
  createRecord(input: { module: string; fields: Record<string, unknown>; idempotencyKey: string }): Promise<ConnectorResult<ToolRecord>>;
  /** The record when the tool answered with it; undefined for an empty answer (e.g. 204). */
  updateRecord(input: { module: string; id: string; fields: Record<string, unknown> }): Promise<ConnectorResult<ToolRecord | undefined>>;
  getRecord(input: { module: string; id: string }): Promise<ConnectorResult<ToolRecord>>;
  deleteRecord(input: { module: string; id: string }): Promise<ConnectorResult<void>>;
  /** The record already made for a Jira issue, if any. */
  findRecordByIssueKey(input: { module: string; issueKey: string }): Promise<ConnectorResult<ToolRecord | undefined>>;
  /**
   * One page of the module's records (the connection's `listRecords` path, with `limit`, `cursor`
   * and `updated_since` added). A connection whose tool cannot list fails permanently, saying so.
   */
  listRecords(input: { module: string; cursor?: string; updatedSince?: string; limit?: number }): Promise<ConnectorResult<RecordPage>>;
  /** `body` is Markdown. An idempotency key, when given, keeps a retried note from being added twice. */
  addWorkNote(input: { module: string; id: string; body: string; author?: NoteAuthor; idempotencyKey?: string }): Promise<ConnectorResult<WorkNote>>;
  updateWorkNote(input: { module: string; id: string; noteId: string; body: string }): Promise<ConnectorResult<void>>;
  deleteWorkNote(input: { module: string; id: string; noteId: string }): Promise<ConnectorResult<void>>;
  /**
   * What the tool says about itself (the connection's `describe` path): modules, fields with types,
   * states. Undefined when the tool cannot describe itself (no path, or the tool has no such address).
   */
  describe(): Promise<ConnectorResult<ToolDescription | undefined>>;
}

// ---------------------------------------------------------------- answers

const idValue = z.union([z.string().trim().min(1), z.number().int().nonnegative()]).transform(String);

const recordAnswer = z.looseObject({
  id: idValue,
  number: z.union([z.string().trim().min(1), z.number()]).transform(String).optional(),
});
type RecordAnswer = z.infer<typeof recordAnswer>;

/** `{id, …}` or the `{result: {id, …}}` envelope. */
const recordOrEnvelope = z.union([z.object({ result: recordAnswer }).transform((a) => a.result), recordAnswer]);

const recordList = z.array(z.unknown());
/** `[…]` or `{result|records|items|data: […]}`. */
const listOrEnvelope = z.union([
  recordList,
  z.object({ result: recordList }).transform((a) => a.result),
  z.object({ records: recordList }).transform((a) => a.records),
  z.object({ items: recordList }).transform((a) => a.items),
  z.object({ data: recordList }).transform((a) => a.data),
]);

/** The next page's cursor in the body (`next_cursor`, `nextCursor`, `cursor.next`), when the tool puts it there. */
const cursorInBody = z
  .looseObject({
    next_cursor: z.string().nullable().optional(),
    nextCursor: z.string().nullable().optional(),
    cursor: z.looseObject({ next: z.string().nullable().optional() }).nullable().optional(),
  })
  .transform((a) => a.next_cursor ?? a.nextCursor ?? a.cursor?.next ?? undefined)
  .catch(undefined);

/**
 * The next page's cursor in an RFC 8288 `Link` header, as Sentry pages: the `rel="next"` link's
 * `cursor` query parameter (or its `cursor="…"` attribute); a link marked `results="false"` has no page.
 */
export function cursorInLinkHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match) continue;
    const params = match[2] ?? '';
    if (!/;\s*rel="?next"?/i.test(params) || /;\s*results="?false"?/i.test(params)) continue;
    const attribute = /;\s*cursor="([^"]*)"/i.exec(params)?.[1];
    if (attribute) return attribute;
    try {
      const cursor = new URL(match[1] ?? '', 'https://link.invalid/').searchParams.get('cursor');
      if (cursor) return cursor;
    } catch {
      // not a URL: no cursor
    }
  }
  return undefined;
}

/** True when an answer reads as a list of records (bare or in an envelope). */
export function readsAsRecordList(body: string): boolean {
  return listOrEnvelope.safeParse(parseJson(body)).success;
}

function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- the connector

/** Adds query parameters to a filled path that may already carry some. */
function withQuery(path: string, query: Record<string, string>): string {
  const extra = new URLSearchParams(query).toString();
  return extra === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${extra}`;
}

/** Ids end up in paths; these would change which path is addressed. */
function badId(value: string): boolean {
  return value.trim() === '' || value === '.' || value === '..';
}

export function recordRestConnector(
  connection: RecordRestConnection,
  secret: string | undefined,
  port: ExternalPort,
  options: RecordRestOptions,
): RecordRestConnector {
  const baseUrl = connection.baseUrl.replace(/\/+$/, '');
  const urlTemplate = options.recordUrlTemplate ?? DEFAULT_RECORD_URL_TEMPLATE;

  function recordUrl(module: string, answer: RecordAnswer): string {
    // The tool's own link wins, but only an http(s) one: it is shown in Jira and opened by people.
    for (const candidate of [answer.url, answer.link]) {
      if (typeof candidate !== 'string' || candidate.trim() === '') continue;
      try {
        const url = new URL(candidate.trim(), `${baseUrl}/`);
        if (url.protocol === 'https:' || url.protocol === 'http:') return url.toString();
      } catch {
        // not a URL: try the next, then the template
      }
    }
    return urlTemplate.replace(/\{(\w+)\}/g, (match, name: string) => {
      if (name === 'baseUrl') return baseUrl;
      if (name === 'module') return encodeURIComponent(module);
      if (name === 'id') return encodeURIComponent(answer.id);
      if (name === 'number') return encodeURIComponent(answer.number ?? answer.id);
      return match;
    });
  }

  function toRecord(module: string, answer: RecordAnswer): ToolRecord {
    const record: ToolRecord = { id: answer.id, url: recordUrl(module, answer), fields: { ...answer } };
    if (answer.number !== undefined) record.number = answer.number;
    return record;
  }

  async function call(
    operation: RestOperation,
    values: Record<string, string>,
    extra: { body?: unknown; headers?: Record<string, string>; query?: Record<string, string> } = {},
  ): Promise<ConnectorResult<{ response: ExternalResponse; url: string }>> {
    for (const name of ['id', 'noteId'] as const) {
      const value = values[name];
      if (value !== undefined && badId(value)) {
        return fail({ retry: 'permanent', reason: 'bad-config', explanation: `"${value}" cannot be used as a ${name === 'id' ? 'record' : 'work note'} id.` });
      }
    }
    const template = restPathsFor(connection, values.module ?? '')[operation];
    if (template === null) {
      return fail({ retry: 'permanent', reason: 'bad-config', explanation: `${connection.name} cannot list its records, so Tandem cannot read them a page at a time.` });
    }
    let line: ReturnType<typeof fillRestPath>;
    try {
      line = fillRestPath(template, values);
      if (extra.query) line = { ...line, path: withQuery(line.path, extra.query) };
    } catch {
      return fail({
        retry: 'permanent',
        reason: 'bad-config',
        explanation: `The connection's path for ${operation} (${template}) uses a placeholder Tandem cannot fill: use {module}, {id}, {noteId} or {key}.`,
      });
    }
    const url = joinUrl(baseUrl, line.path);
    const sent = await sendToTool({
      port,
      auth: connection.auth,
      secret,
      method: line.method,
      url,
      ...(extra.headers ? { headers: extra.headers } : {}),
      ...(extra.body === undefined ? {} : { body: JSON.stringify(extra.body) }),
      clock: options.clock,
    });
    return sent.ok ? ok({ response: sent.value, url }) : sent;
  }

  return {
    async createRecord({ module, fields, idempotencyKey }) {
      const sent = await call('createRecord', { module }, { body: fields, headers: { 'Idempotency-Key': idempotencyKey } });
      if (!sent.ok) return sent;
      const answer = recordOrEnvelope.safeParse(parseJson(sent.value.response.body));
      if (!answer.success) return fail(unexpectedAnswer(sent.value.url, 'its answer to the create names no record id'));
      return ok(toRecord(module, answer.data));
    },

    async updateRecord({ module, id, fields }) {
      const sent = await call('updateRecord', { module, id }, { body: fields });
      if (!sent.ok) return sent;
      // The update went through; an answer without a readable record is still a success.
      const answer = recordOrEnvelope.safeParse(parseJson(sent.value.response.body));
      return ok(answer.success ? toRecord(module, answer.data) : undefined);
    },

    async getRecord({ module, id }) {
      const sent = await call('getRecord', { module, id });
      if (!sent.ok) return sent;
      const answer = recordOrEnvelope.safeParse(parseJson(sent.value.response.body));
      if (!answer.success) return fail(unexpectedAnswer(sent.value.url, 'its answer names no record id'));
      return ok(toRecord(module, answer.data));
    },

    async deleteRecord({ module, id }) {
      const sent = await call('deleteRecord', { module, id });
      return sent.ok ? ok(undefined) : sent;
    },

    async findRecordByIssueKey({ module, issueKey }) {
      const sent = await call('findByIssueKey', { module, key: issueKey });
      if (!sent.ok) return sent;
      const list = listOrEnvelope.safeParse(parseJson(sent.value.response.body));
      if (!list.success) return fail(unexpectedAnswer(sent.value.url, 'its answer to the search is not a list of records'));
      const records = list.data.flatMap((item) => {
        const parsed = recordAnswer.safeParse(item);
        return parsed.success ? [parsed.data] : [];
      });
      // A record naming the issue is certain; otherwise a single result is taken as the filtered
      // answer. Several unnamed results mean the tool ignored the filter: guessing could link the
      // issue to someone else's record.
      const named = records.find((record) => record.jira_issue_key === issueKey);
      if (named) return ok(toRecord(module, named));
      const unnamed = records.filter((record) => record.jira_issue_key === undefined);
      if (records.length === 0 || unnamed.length === 0) return ok(undefined);
      const only = unnamed[0];
      if (unnamed.length === 1 && only) return ok(toRecord(module, only));
      return fail(unexpectedAnswer(sent.value.url, `its search for ${issueKey} returned ${unnamed.length} records and none names the issue`));
    },

    async listRecords({ module, cursor, updatedSince, limit }) {
      const query: Record<string, string> = { limit: String(limit ?? RECORD_PAGE_SIZE) };
      if (cursor) query.cursor = cursor;
      if (updatedSince) query.updated_since = updatedSince;
      const sent = await call('listRecords', { module }, { query });
      if (!sent.ok) return sent;
      const raw = parseJson(sent.value.response.body);
      const list = listOrEnvelope.safeParse(raw);
      if (!list.success) return fail(unexpectedAnswer(sent.value.url, 'its answer to the listing is not a list of records'));
      const records: ToolRecord[] = [];
      for (const item of list.data) {
        const parsed = recordAnswer.safeParse(item);
        // A row without an id cannot be linked or read again; it is left out, not guessed at.
        if (parsed.success) records.push(toRecord(module, parsed.data));
      }
      const next = cursorInBody.parse(raw) ?? cursorInLinkHeader(sent.value.response.headers.link);
      // A cursor that names the page just read would list it forever.
      return ok(next && next !== cursor ? { records, nextCursor: next } : { records });
    },

    async addWorkNote({ module, id, body, author, idempotencyKey }) {
      const payload: Record<string, unknown> = { body };
      if (options.sendNoteAuthor && author) payload.author = author;
      const sent = await call('addNote', { module, id }, { body: payload, ...(idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}) });
      if (!sent.ok) return sent;
      // The note exists now; failing over a missing id would make a retry add it twice.
      const answer = recordOrEnvelope.safeParse(parseJson(sent.value.response.body));
      return ok(answer.success ? { id: answer.data.id } : {});
    },

    async updateWorkNote({ module, id, noteId, body }) {
      const sent = await call('updateNote', { module, id, noteId }, { body: { body } });
      return sent.ok ? ok(undefined) : sent;
    },

    async deleteWorkNote({ module, id, noteId }) {
      const sent = await call('deleteNote', { module, id, noteId });
      return sent.ok ? ok(undefined) : sent;
    },

    async describe() {
      if (connection.paths.describe === null) return ok(undefined);
      const sent = await call('describe', {});
      // The endpoint is optional in the contract: a tool without it answers 404 (or 405).
      if (!sent.ok) return sent.failure.status === 404 || sent.failure.status === 405 ? ok(undefined) : sent;
      const description = parseToolDescription(parseJson(sent.value.response.body));
      if (!description) return fail(unexpectedAnswer(sent.value.url, 'its answer to describe names no modules with fields'));
      return ok(description);
    },
  };
}

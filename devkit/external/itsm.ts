// The reference external tool of Tandem's devkit: a small, real HTTP service shaped like the
// StackFlow ITSM. Tests and the sandbox point Tandem at it. It keeps incidents and changes with work
// notes behind a bearer-token REST API, takes Jira webhooks the way StackFlow's guide describes,
// sends every change to Tandem's web trigger (signed, retried, in order per record), can be made to
// fail on purpose, and shows its records as plain HTML.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { renderIndex, renderMessage, renderRecord } from './html';
import { bodyForLog, errorAnswer, parseJsonBody, readBody, redactHeaders, redirect, writeAnswer, writeHtml, type Answer } from './http';
import { applyJiraWebhook, DEFAULT_PROJECT_MAPPING, parseJiraWebhook, type ProjectMapping } from './jira-webhook';
import {
  describeItsm,
  isModule,
  ItsmError,
  MODULES,
  noteCreateSchema,
  notePatchSchema,
  parseWrite,
  recordCreateSchema,
  recordPatchSchema,
  type ItsmModule,
  type ItsmRecord,
  type NoteAuthor,
  type WorkNote,
} from './model';
import { DEFAULT_RETRY_DELAYS_MS, OutboundSender, type OutboundTarget, type OutboxEntry, type TandemEvent } from './outbound';
import { HUB_SIGNATURE_HEADER, verifyHubSignature } from './signing';
import { ItsmStore, LIST_PAGE_MOST, type ItsmStoreDump, type RecordFilter, type StoreChange } from './store';

export { signTandemRequest, verifyTandemSignature, signHubSignature, verifyHubSignature, TANDEM_SIGNATURE_HEADER, HUB_SIGNATURE_HEADER } from './signing';
export type { ItsmModule, ItsmRecord, WorkNote, NoteAuthor } from './model';
export type { OutboxEntry, TandemEvent, OutboundTarget } from './outbound';
export type { ItsmStoreDump } from './store';
export type { ProjectMapping } from './jira-webhook';

export interface ReferenceItsmOptions {
  /** The API token; requests must carry `Authorization: Bearer <token>`. */
  token: string;
  /** Where the service lives on a shared server, e.g. '/itsm' in the sandbox. Default ''. */
  basePath?: string;
  /** Epoch ms; for timestamps, signatures and Idempotency-Key expiry. */
  clock?: () => number;
  /** Where change events go (Tandem's web trigger) and the secret that signs them. */
  outbound?: OutboundTarget;
  /** Waits between tries of a failed send; default [200, 1000] (three tries). [] means no retry. */
  retryDelaysMs?: number[];
  /** When set, the Jira webhook endpoint requires a matching X-Hub-Signature. */
  webhookSecret?: string;
  /** For the random 503s of `errorRate`; default a seeded generator, so runs repeat. */
  random?: () => number;
  /** The service's address as others see it, for record links in events; default the listening or requested address. */
  publicUrl?: string;
  /** Jira projects to StackFlow modules for the webhook endpoint; default the guide's example (OPS Bug → incidents, INFRA Task → changes). */
  projectMapping?: ProjectMapping[];
  /** Jira comments become work notes; default true. */
  syncComments?: boolean;
  /** Who API work notes are written by when the request names no author. */
  apiUser?: NoteAuthor;
  /** Who changes made in the HTML view (and through the direct methods) are made by. */
  agentUser?: NoteAuthor;
  /**
   * Told when the tool starts holding an answer (a timeout fault, `latencyMs`): the request as its
   * caller addressed it and how long the hold lasts (null: for ever). A test harness uses it to let
   * the caller's own time limit pass at once (ForgeEmulator.passEgressDeadlines).
   */
  onHold?: (request: { method: string; url: string; holdMs: number | null }) => void;
}

/**
 * What a request can meet in the mix (`ItsmFaults.mix`), each drawn per API request from the seeded
 * generator: error answers (`429` with Retry-After), answers later than Tandem's 10 s limit with the
 * change made (`timeoutAfter`) or not (`timeoutBefore`), connections reset before or after the change
 * (`resetBefore`, `resetAfter`), and answers held back a random while (`outOfOrder`), so answers to
 * later requests overtake them.
 */
export const FAULT_KINDS = ['500', '502', '503', '429', 'timeoutAfter', 'timeoutBefore', 'resetBefore', 'resetAfter', 'outOfOrder'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults of the events the tool sends to Tandem's web trigger. */
export interface EventFaults {
  /** 0..1: share of events sent twice (as a tool resends when the answer to its first send was lost). */
  duplicate?: number | undefined;
  /** 0..1: share of events sent on their own, after a random wait, instead of in order behind the record's earlier events. */
  reorder?: number | undefined;
  /** The longest wait of a reordered event or of a duplicate's second send, ms; default 3000. */
  delayMaxMs?: number | undefined;
  /** 0..1: share of events never sent (a webhook lost on the way): only a reconciliation sweep finds the change. */
  drop?: number | undefined;
}

export interface ItsmFaults {
  /** 0..1: share of API calls answered 503. */
  errorRate?: number | undefined;
  /** Every API call is answered with this status and a JSON error. */
  status?: number | undefined;
  /** Every API answer waits this long (the change is made first, as with a slow real tool). */
  latencyMs?: number | undefined;
  /** Connections are destroyed without an answer. */
  down?: boolean | undefined;
  /** Sent as Retry-After with fault answers (default 1 for the mix's 429s). */
  retryAfterSeconds?: number | undefined;
  /** The error message of `status` answers, e.g. a validation rule the tool enforces. */
  message?: string | undefined;
  /** Per kind, the share of API requests that meet it (together at most 1); drawn per request, seeded. */
  mix?: { [K in FaultKind]?: number | undefined } | undefined;
  /** How long a timeout holds its answer, ms (default 10 500, past Tandem's 10 s); null: it never answers, the caller gives up. */
  timeoutMs?: number | null | undefined;
  /** The longest hold of an out-of-order answer, ms (default 2000). */
  outOfOrderMaxMs?: number | undefined;
  /** Faults of the events sent to Tandem. */
  events?: EventFaults | undefined;
}

export interface RequestLogEntry {
  at: string;
  method: string;
  /** Path below basePath, with the query. */
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON when it parses, else the text. */
  body: unknown;
  /** Undefined when the connection was destroyed (down, a reset) or the caller left before the answer. */
  status?: number;
  fault?: 'down' | 'status' | 'errorRate' | FaultKind;
}

const share = z.number().min(0).max(1);
const faultsSchema = z.strictObject({
  errorRate: share.optional(),
  status: z.number().int().min(400).max(599).optional(),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  down: z.boolean().optional(),
  retryAfterSeconds: z.number().int().min(0).max(86_400).optional(),
  message: z.string().min(1).max(500).optional(),
  mix: z
    .strictObject(Object.fromEntries(FAULT_KINDS.map((kind) => [kind, share.optional()])) as Record<FaultKind, z.ZodOptional<typeof share>>)
    .refine((mix) => Object.values(mix).reduce<number>((sum, v) => sum + (v ?? 0), 0) <= 1 + 1e-9, 'the shares add up to more than 1')
    .optional(),
  timeoutMs: z.number().int().min(0).max(600_000).nullable().optional(),
  outOfOrderMaxMs: z.number().int().min(0).max(120_000).optional(),
  events: z
    .strictObject({ duplicate: share.optional(), reorder: share.optional(), delayMaxMs: z.number().int().min(0).max(600_000).optional(), drop: share.optional() })
    .optional(),
  /** Reseeds the random generator behind errorRate, the mix and the event faults. */
  seed: z.number().int().optional(),
});
export type FaultsInput = z.input<typeof faultsSchema>;

export const DEFAULT_FAULT_TIMEOUT_MS = 10_500;
const DEFAULT_OUT_OF_ORDER_MAX_MS = 2_000;

const outboundSchema = z.strictObject({ url: z.url({ protocol: /^https?$/ }), secret: z.string().min(1) });

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const DEFAULT_API_USER: NoteAuthor = { name: 'Integration User', email: 'integration@stackflow.example' };
const DEFAULT_AGENT: NoteAuthor = { name: 'Sam Agent', email: 'sam.agent@stackflow.example' };

const STATUS_MESSAGES: Record<number, string> = {
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** A small seeded generator (mulberry32), so fault runs repeat. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** JSON with sorted keys, so an Idempotency-Key retry matches whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

function decodeSegments(path: string): string[] {
  try {
    return path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch {
    throw new ItsmError(400, 'Invalid path', 'The path is not correctly URL-encoded');
  }
}

function moduleOf(name: string | undefined): ItsmModule {
  if (name === undefined || !isModule(name)) {
    throw new ItsmError(404, `Unknown module '${name ?? ''}'`, `Modules: ${MODULES.join(', ')}`);
  }
  return name;
}

function notAllowed(allowed: string[]): ItsmError {
  return new ItsmError(405, 'Method not allowed', `Use ${allowed.join(', ')}`, undefined, { Allow: allowed.join(', ') });
}

/** Waits `ms` (null: for ever) before an answer; false when the caller hung up first. */
function holdAnswer(res: ServerResponse, ms: number | null): Promise<boolean> {
  return new Promise((resolve) => {
    if (res.destroyed || res.writableEnded) return resolve(false);
    const timer = ms === null ? undefined : setTimeout(() => done(true), ms);
    function done(stayed: boolean): void {
      if (timer !== undefined) clearTimeout(timer);
      res.off('close', closed);
      resolve(stayed && !res.destroyed);
    }
    function closed(): void {
      done(false);
    }
    res.on('close', closed);
  });
}

function faultAnswer(status: number, retryAfterSeconds: number | undefined, given?: string): Answer {
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
  const message = given ?? (STATUS_MESSAGES[status] ?? `Request failed (${status})`);
  return { status, headers, body: { error: { message, detail: 'Fault injected by the Tandem devkit' }, status: 'failure' } };
}

export class ReferenceItsm {
  readonly requests: RequestLogEntry[] = [];
  private readonly store: ItsmStore;
  private readonly sender: OutboundSender;
  private readonly clock: () => number;
  private readonly basePath: string;
  private readonly token: string;
  private webhookSecret: string | undefined;
  private random: () => number;
  private readonly customRandom: boolean;
  private faults: ItsmFaults = {};
  private inFlight = 0;
  private readonly idempotency = new Map<string, { fingerprint: string; at: number; answer: Answer }>();
  private server: Server | undefined;
  private listenOrigin: string | undefined;
  private seenHost: string | undefined;

  constructor(private readonly options: ReferenceItsmOptions) {
    this.token = options.token;
    this.basePath = (options.basePath ?? '').replace(/\/+$/, '');
    if (this.basePath !== '' && !this.basePath.startsWith('/')) throw new Error(`basePath must start with '/': ${this.basePath}`);
    this.clock = options.clock ?? Date.now;
    this.store = new ItsmStore(this.clock);
    this.sender = new OutboundSender(this.clock, options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS);
    this.sender.target = options.outbound;
    this.webhookSecret = options.webhookSecret;
    this.customRandom = options.random !== undefined;
    this.random = options.random ?? seededRandom(1);
  }

  // ---------------------------------------------------------------- accessors for tests

  records(module: ItsmModule): ItsmRecord[] {
    return this.store.list(module);
  }

  record(module: ItsmModule, id: string): ItsmRecord | undefined {
    return this.store.get(module, id);
  }

  /** The record linked to a Jira issue, in whichever module. */
  recordForIssue(issueKey: string): (ItsmRecord & { module: ItsmModule }) | undefined {
    const found = this.store.findByIssueKey(issueKey);
    return found && { ...found.record, module: found.module };
  }

  notes(module: ItsmModule, id: string): WorkNote[] {
    return this.store.get(module, id) ? this.store.notes(module, id) : [];
  }

  get outbox(): readonly OutboxEntry[] {
    return this.sender.outbox;
  }

  /** Resolves when every outbound send has settled (delivered, failed for good, or cancelled). */
  whenIdle(): Promise<void> {
    return this.sender.whenIdle();
  }

  /** The base URL Tandem should use (with basePath); also the root of the HTML view. */
  get baseUrl(): string {
    const origin = this.options.publicUrl?.replace(/\/+$/, '');
    if (origin !== undefined) return origin;
    return `${this.listenOrigin ?? `http://${this.seenHost ?? 'localhost'}`}${this.basePath}`;
  }

  recordUrl(module: ItsmModule, id: string): string {
    return `${this.baseUrl}/records/${module}/${encodeURIComponent(id)}`;
  }

  /** The records and notes, for the sandbox's data file; no events are sent for a load. */
  dump(): ItsmStoreDump {
    return this.store.dump();
  }

  load(dump: ItsmStoreDump): void {
    this.store.load(dump);
  }

  // ---------------------------------------------------------------- configuration

  setFaults(input: FaultsInput): ItsmFaults {
    const parsed = faultsSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.code === 'unrecognized_keys' ? issue.keys[0] : issue?.path.map(String).join('.');
      throw new ItsmError(400, `Invalid value for field '${field ?? ''}'`, issue?.message, field);
    }
    const { seed, ...faults } = parsed.data;
    if (seed !== undefined) this.random = seededRandom(seed);
    this.faults = faults;
    this.sender.faults = faults.events && { ...faults.events, random: () => this.random() };
    return { ...this.faults };
  }

  clearFaults(): void {
    this.faults = {};
    this.sender.faults = undefined;
  }

  /** True while an API request is being answered or an event is waiting to go out or being sent. */
  get busy(): boolean {
    return this.inFlight > 0 || this.sender.busy;
  }

  setOutbound(target: OutboundTarget | undefined): void {
    this.sender.target = target && { ...target };
  }

  setWebhookSecret(secret: string | undefined): void {
    this.webhookSecret = secret;
  }

  setRetryDelays(delaysMs: number[]): void {
    this.sender.retryDelaysMs = [...delaysMs];
  }

  /** Forgets records, notes, numbering, idempotency keys, logs and faults; keeps the outbound target. */
  async reset(): Promise<void> {
    this.store.reset();
    this.idempotency.clear();
    this.requests.length = 0;
    this.faults = {};
    this.sender.faults = undefined;
    if (!this.customRandom) this.random = seededRandom(1);
    await this.sender.reset();
  }

  state(): {
    baseUrl: string;
    modules: Record<ItsmModule, Array<ItsmRecord & { work_notes: WorkNote[] }>>;
    faults: ItsmFaults;
    outbound: { url: string } | null;
    webhookSignatureRequired: boolean;
    outbox: readonly OutboxEntry[];
    requests: RequestLogEntry[];
  } {
    const modules = Object.fromEntries(
      MODULES.map((m) => [m, this.store.list(m).map((r) => ({ ...r, work_notes: this.store.notes(m, r.id) }))]),
    ) as Record<ItsmModule, Array<ItsmRecord & { work_notes: WorkNote[] }>>;
    const target = this.sender.target;
    return {
      baseUrl: this.baseUrl,
      modules,
      faults: { ...this.faults },
      outbound: target ? { url: target.url } : null,
      webhookSignatureRequired: this.webhookSecret !== undefined,
      outbox: this.sender.outbox,
      requests: this.requests,
    };
  }

  // ---------------------------------------------------------------- changes made "in the tool"

  /** A person creates a record in StackFlow (validated like the API; the event goes out). */
  createRecord(module: ItsmModule, fields: unknown): ItsmRecord {
    return this.act(() => this.store.create(module, parseWrite(recordCreateSchema, fields)));
  }

  updateRecord(module: ItsmModule, id: string, patch: unknown): ItsmRecord {
    return this.act(() => this.store.update(module, id, parseWrite(recordPatchSchema, patch)).record);
  }

  deleteRecord(module: ItsmModule, id: string): void {
    this.act(() => this.store.delete(module, id));
  }

  addNote(module: ItsmModule, id: string, body: string, author: NoteAuthor = this.options.agentUser ?? DEFAULT_AGENT): WorkNote {
    return this.act(() => this.store.addNote(module, id, parseWrite(notePatchSchema, { body }).body, author));
  }

  updateNote(module: ItsmModule, id: string, noteId: string, body: string): WorkNote {
    return this.act(() => this.store.updateNote(module, id, noteId, parseWrite(notePatchSchema, { body }).body));
  }

  deleteNote(module: ItsmModule, id: string, noteId: string): void {
    this.act(() => this.store.deleteNote(module, id, noteId));
  }

  private act<T>(change: () => T): T {
    try {
      return change();
    } finally {
      this.publish(this.store.drain());
    }
  }

  /** Queues the events for changes, in the order they were made; sends wait for `after`. */
  private publish(changes: StoreChange[], after?: Promise<void>): void {
    for (const change of changes) {
      this.sender.enqueue(`${change.module}/${change.record.id}`, this.toEvent(change), after);
    }
  }

  private toEvent(change: StoreChange): TandemEvent {
    const { id, ...fields } = change.record;
    const event: TandemEvent = {
      eventId: randomUUID(),
      type: change.type,
      occurredAt: new Date(this.clock()).toISOString(),
      record: {
        module: change.module,
        id,
        number: change.record.number,
        url: this.recordUrl(change.module, id),
        ...(change.record.jira_issue_key ? { jiraIssueKey: change.record.jira_issue_key } : {}),
        fields,
      },
    };
    if (change.note) {
      const { author } = change.note;
      event.comment = {
        id: change.note.id,
        author: author.email ? { name: author.name, email: author.email } : { name: author.name },
        body: change.note.body,
      };
    }
    return event;
  }

  // ---------------------------------------------------------------- HTTP

  /** Serves the request when its path is this service's; false otherwise (the caller answers). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = this.ownPath(url.pathname);
    if (path === undefined) return false;
    if (req.headers.host) this.seenHost = req.headers.host;
    try {
      if (path === '/__control' || path.startsWith('/__control/')) await this.control(req, res, path);
      else if (path === '/api' || path.startsWith('/api/')) await this.api(req, res, path, url);
      else if (this.faults.down) req.socket.destroy();
      else await this.html(req, res, path);
    } catch (error) {
      if (res.headersSent) res.destroy();
      else writeAnswer(res, errorAnswer(error));
    }
    return true;
  }

  /** The path below basePath when it is one of ours. */
  private ownPath(pathname: string): string | undefined {
    let path = pathname;
    if (this.basePath !== '') {
      if (pathname !== this.basePath && !pathname.startsWith(`${this.basePath}/`)) return undefined;
      path = pathname.slice(this.basePath.length) || '/';
      return path;
    }
    const ours = path === '/' || ['/api', '/records', '/__control'].some((p) => path === p || path.startsWith(`${p}/`));
    return ours ? path : undefined;
  }

  listen(port = 0): Promise<string> {
    if (this.server) return Promise.reject(new Error('Already listening'));
    const server = createServer((req, res) => {
      void this.handle(req, res).then((own) => {
        if (!own) writeAnswer(res, { status: 404, body: { error: { message: 'Not found' }, status: 'failure' } });
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address() as AddressInfo;
        this.listenOrigin = `http://127.0.0.1:${address.port}`;
        resolve(`${this.listenOrigin}${this.basePath}`);
      });
    });
  }

  /** Cancels outbound sends still waiting and stops the server. */
  async close(): Promise<void> {
    await this.sender.stop();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async api(req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> {
    this.inFlight += 1;
    try {
      await this.apiRequest(req, res, path, url);
    } finally {
      this.inFlight -= 1;
    }
  }

  /** The fault the mix draws for one request, if any. */
  private drawFault(mix: ItsmFaults['mix']): FaultKind | undefined {
    if (mix === undefined) return undefined;
    let draw = this.random();
    for (const kind of FAULT_KINDS) {
      const rate = mix[kind] ?? 0;
      if (draw < rate) return kind;
      draw -= rate;
    }
    return undefined;
  }

  private async apiRequest(req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const entry: RequestLogEntry = {
      at: new Date(this.clock()).toISOString(),
      method,
      path: `${path}${url.search}`,
      headers: redactHeaders(req.headers),
      body: undefined,
    };
    this.requests.push(entry);
    const faults = this.faults;
    if (faults.down) {
      entry.fault = 'down';
      req.socket.destroy();
      return;
    }
    let answer: Answer;
    let changes: StoreChange[];
    let drawn: FaultKind | undefined;
    let raw: Buffer | undefined;
    try {
      raw = await readBody(req);
      entry.body = bodyForLog(raw);
      drawn = faults.status === undefined ? this.drawFault(faults.mix) : undefined;
      if (drawn !== undefined) entry.fault = drawn;
      if (faults.status !== undefined) {
        entry.fault = 'status';
        answer = faultAnswer(faults.status, faults.retryAfterSeconds, faults.message);
      } else if (faults.errorRate !== undefined && faults.errorRate > 0 && this.random() < faults.errorRate) {
        entry.fault = 'errorRate';
        answer = faultAnswer(503, faults.retryAfterSeconds);
      } else if (drawn === '500' || drawn === '502' || drawn === '503') {
        answer = faultAnswer(Number(drawn), faults.retryAfterSeconds);
      } else if (drawn === '429') {
        answer = faultAnswer(429, faults.retryAfterSeconds ?? 1);
      } else if (drawn === 'timeoutBefore' || drawn === 'resetBefore') {
        answer = faultAnswer(504, undefined);
      } else {
        answer = this.apiAnswer(req, method, decodeSegments(path).slice(1), url.searchParams, raw);
      }
    } catch (error) {
      answer = errorAnswer(error);
    } finally {
      changes = this.store.drain();
    }
    if (drawn === 'resetBefore' || drawn === 'resetAfter') {
      // The change (resetAfter) is made and its events go out; the caller only sees its connection drop.
      this.publish(changes);
      req.socket.destroy();
      return;
    }
    if (drawn === 'timeoutBefore' || drawn === 'timeoutAfter' || drawn === 'outOfOrder') {
      // The tool's events do not wait for a slow answer: they go out as soon as the change is made.
      this.publish(changes);
      const holdMs = drawn === 'outOfOrder' ? Math.floor(this.random() * (faults.outOfOrderMaxMs ?? DEFAULT_OUT_OF_ORDER_MAX_MS)) : faults.timeoutMs === undefined ? DEFAULT_FAULT_TIMEOUT_MS : faults.timeoutMs;
      this.heldFor(req, holdMs);
      const stayed = await holdAnswer(res, holdMs);
      if (!stayed) return;
      entry.status = answer.status;
      writeAnswer(res, answer);
      return;
    }
    // Events are queued now, so they keep the order the changes were made in, but go out after the answer.
    let answered: () => void = () => undefined;
    this.publish(changes, new Promise<void>((resolve) => (answered = resolve)));
    try {
      if (faults.latencyMs) {
        this.heldFor(req, faults.latencyMs);
        // A caller that gives up ends the wait: nobody is left to answer.
        if (!(await holdAnswer(res, faults.latencyMs))) return;
      }
      entry.status = answer.status;
      writeAnswer(res, answer);
    } finally {
      answered();
    }
  }

  private heldFor(req: IncomingMessage, holdMs: number | null): void {
    this.options.onHold?.({ method: req.method ?? 'GET', url: new URL(req.url ?? '/', this.listenOrigin ?? 'http://localhost').href, holdMs });
  }

  private authorized(header: string | undefined): boolean {
    const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
    return match?.[1] !== undefined && timingSafeEqual(sha256(match[1].trim()), sha256(this.token));
  }

  private apiAnswer(req: IncomingMessage, method: string, segments: string[], query: URLSearchParams, raw: Buffer): Answer {
    const isWebhook = segments.length === 3 && segments[0] === 'webhooks' && segments[1] === 'inbound' && segments[2] === 'jira';
    const authorization = req.headers.authorization;
    // Jira sends webhooks without the API token; a token that is sent must still be right.
    if (isWebhook ? authorization !== undefined && !this.authorized(authorization) : !this.authorized(authorization)) {
      throw new ItsmError(401, 'User Not Authenticated', 'Required to provide Auth information', undefined, { 'WWW-Authenticate': 'Bearer realm="StackFlow"' });
    }
    const key = req.headers['idempotency-key'];
    const run = (): Answer => (isWebhook ? this.webhook(req, method, raw) : this.route(method, segments, query, raw));
    if (method !== 'POST' || typeof key !== 'string' || key === '') return run();
    if (key.length > 255) throw new ItsmError(400, 'Invalid Idempotency-Key', 'At most 255 characters', 'Idempotency-Key');

    const now = this.clock();
    for (const [k, v] of this.idempotency) if (now - v.at >= IDEMPOTENCY_TTL_MS) this.idempotency.delete(k);
    const body = bodyForLog(raw);
    const fingerprint = sha256(`${method} /${segments.join('/')}\n${typeof body === 'string' ? body : canonical(body)}`).toString('hex');
    const seen = this.idempotency.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        throw new ItsmError(422, 'Idempotency-Key reused', `The key ${key} was first used with a different request; use a new key for a new request`, 'Idempotency-Key');
      }
      return { ...seen.answer, headers: { ...seen.answer.headers, 'Idempotent-Replayed': 'true' } };
    }
    const answer = run();
    // Only answers that did something are kept: a failed request may be retried with the same key.
    if (answer.status >= 200 && answer.status < 300) this.idempotency.set(key, { fingerprint, at: now, answer });
    return answer;
  }

  private webhook(req: IncomingMessage, method: string, raw: Buffer): Answer {
    if (method !== 'POST') throw notAllowed(['POST']);
    if (this.webhookSecret !== undefined) {
      const header = req.headers[HUB_SIGNATURE_HEADER.toLowerCase()];
      if (!verifyHubSignature(this.webhookSecret, raw, typeof header === 'string' ? header : undefined)) {
        throw new ItsmError(401, 'Invalid webhook signature', `${HUB_SIGNATURE_HEADER} is missing or does not match the body`, HUB_SIGNATURE_HEADER);
      }
    }
    const body = parseJiraWebhook(parseJsonBody(raw));
    const outcome = applyJiraWebhook(this.store, body, {
      mapping: this.options.projectMapping ?? DEFAULT_PROJECT_MAPPING,
      syncComments: this.options.syncComments ?? true,
    });
    return { status: 200, body: { result: outcome } };
  }

  private route(method: string, segments: string[], query: URLSearchParams, raw: Buffer): Answer {
    const [moduleName, id, sub, noteId, ...rest] = segments;
    if (moduleName === 'describe' && id === undefined) {
      if (method !== 'GET') throw notAllowed(['GET']);
      return { status: 200, body: describeItsm() };
    }
    const module = moduleOf(moduleName);
    if (rest.length > 0) throw new ItsmError(404, 'Not found', 'No such resource');
    if (id === undefined) {
      if (method === 'GET') {
        const filter: RecordFilter = {};
        for (const name of ['jira_issue_key', 'number', 'state'] as const) {
          const value = query.get(name);
          if (value !== null) filter[name] = value;
        }
        const since = query.get('updated_since');
        if (since !== null) {
          const at = Date.parse(since);
          if (!/^\d{4}-\d{2}-\d{2}T/.test(since) || !Number.isFinite(at)) throw new ItsmError(400, 'Invalid updated_since', 'An ISO 8601 date and time, e.g. 2026-11-01T00:00:00Z', 'updated_since');
          filter.updated_since = new Date(at).toISOString();
        }
        const rawLimit = query.get('limit');
        const limit = rawLimit === null ? undefined : Number(rawLimit);
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > LIST_PAGE_MOST)) {
          throw new ItsmError(400, 'Invalid limit', `A whole number from 1 to ${LIST_PAGE_MOST}`, 'limit');
        }
        const cursor = query.get('cursor');
        return { status: 200, body: this.store.page(module, filter, { ...(limit === undefined ? {} : { limit }), ...(cursor === null || cursor === '' ? {} : { cursor }) }) };
      }
      if (method === 'POST') return { status: 201, body: this.store.create(module, parseWrite(recordCreateSchema, parseJsonBody(raw))) };
      throw notAllowed(['GET', 'POST']);
    }
    if (sub === undefined) {
      if (method === 'GET') return { status: 200, body: this.store.require(module, id) };
      if (method === 'PATCH') return { status: 200, body: this.store.update(module, id, parseWrite(recordPatchSchema, parseJsonBody(raw))).record };
      if (method === 'DELETE') {
        this.store.delete(module, id);
        return { status: 204 };
      }
      throw notAllowed(['GET', 'PATCH', 'DELETE']);
    }
    if (sub !== 'work_notes') throw new ItsmError(404, 'Not found', `No resource ${sub} on a record`);
    if (noteId === undefined) {
      if (method === 'GET') return { status: 200, body: { result: this.store.notes(module, id) } };
      if (method === 'POST') {
        this.store.require(module, id);
        const input = parseWrite(noteCreateSchema, parseJsonBody(raw));
        const apiUser = this.options.apiUser ?? DEFAULT_API_USER;
        const author: NoteAuthor = input.author
          ? { name: input.author.name ?? input.author.displayName ?? input.author.email ?? apiUser.name, email: input.author.email ?? null }
          : { ...apiUser };
        return { status: 201, body: this.store.addNote(module, id, input.body, author) };
      }
      throw notAllowed(['GET', 'POST']);
    }
    if (method === 'GET') return { status: 200, body: this.store.note(module, id, noteId) };
    if (method === 'PATCH') {
      this.store.note(module, id, noteId);
      return { status: 200, body: this.store.updateNote(module, id, noteId, parseWrite(notePatchSchema, parseJsonBody(raw)).body) };
    }
    if (method === 'DELETE') {
      this.store.deleteNote(module, id, noteId);
      return { status: 204 };
    }
    throw notAllowed(['GET', 'PATCH', 'DELETE']);
  }

  // ---------------------------------------------------------------- control API (tests, sandbox UI)

  private async control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const what = path.slice('/__control'.length).replace(/\/+$/, '');
    let answer: Answer;
    try {
      if (what === '/state' && method === 'GET') answer = { status: 200, body: this.state() };
      else if (what === '/faults' && method === 'POST') answer = { status: 200, body: { faults: this.setFaults(parseJsonBody(raw) as FaultsInput) } };
      else if (what === '/faults' && method === 'DELETE') {
        this.clearFaults();
        answer = { status: 200, body: { faults: {} } };
      } else if (what === '/outbound' && method === 'POST') {
        const parsed = outboundSchema.safeParse(parseJsonBody(raw));
        if (!parsed.success) {
          const field = parsed.error.issues[0]?.path.map(String).join('.') ?? '';
          throw new ItsmError(400, `Invalid value for field '${field}'`, parsed.error.issues[0]?.message, field);
        }
        this.setOutbound(parsed.data);
        answer = { status: 200, body: { outbound: { url: parsed.data.url } } };
      } else if (what === '/outbound' && method === 'DELETE') {
        this.setOutbound(undefined);
        answer = { status: 200, body: { outbound: null } };
      } else if (what === '/reset' && method === 'POST') {
        await this.reset();
        answer = { status: 200, body: { reset: true } };
      } else {
        answer = { status: 404, body: { error: { message: 'Not found', detail: 'Control: GET /state, POST|DELETE /faults, POST|DELETE /outbound, POST /reset' }, status: 'failure' } };
      }
    } catch (error) {
      answer = errorAnswer(error);
    }
    writeAnswer(res, answer);
  }

  // ---------------------------------------------------------------- HTML view

  private async html(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    const segments = decodeSegments(path);
    const base = this.basePath;
    if (segments.length === 0) {
      if (method !== 'GET') return writeHtml(res, 405, renderMessage('Method not allowed', 'Use GET', base));
      const all = Object.fromEntries(MODULES.map((m) => [m, this.store.list(m)])) as Record<ItsmModule, ItsmRecord[]>;
      return writeHtml(res, 200, renderIndex(base, all));
    }
    const [first, moduleName, id, sub, ...rest] = segments;
    if (first !== 'records' || moduleName === undefined || !isModule(moduleName) || rest.length > 0) {
      return writeHtml(res, 404, renderMessage('Not found', 'There is no such page.', base));
    }
    const module = moduleName;
    const pageOf = (recordId: string): string => `${base}/records/${module}/${encodeURIComponent(recordId)}`;
    if (method === 'GET') {
      const record = id === undefined || sub !== undefined ? undefined : this.store.get(module, id);
      if (!record) return writeHtml(res, 404, renderMessage('Not found', 'No such record.', base));
      return writeHtml(res, 200, renderRecord(base, module, record, this.store.notes(module, record.id)));
    }
    if (method !== 'POST') return writeHtml(res, 405, renderMessage('Method not allowed', 'Use GET or POST', base));

    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const value = (name: string): string | undefined => form.get(name) ?? undefined;
    try {
      if (id === undefined) {
        const record = this.createRecord(module, { short_description: value('short_description') ?? '', ...(value('priority') ? { priority: value('priority') } : {}) });
        return redirect(res, pageOf(record.id));
      }
      if (sub === undefined) {
        const patch: Record<string, unknown> = {};
        for (const name of ['short_description', 'state', 'priority'] as const) {
          const v = value(name);
          if (v !== undefined) patch[name] = v;
        }
        const assignee = value('assigned_to');
        if (assignee !== undefined) patch.assigned_to = assignee.trim() === '' ? null : assignee.trim();
        this.updateRecord(module, id, patch);
        return redirect(res, pageOf(id));
      }
      if (sub === 'work_notes') {
        this.addNote(module, id, value('body') ?? '');
        return redirect(res, pageOf(id));
      }
      if (sub === 'delete') {
        this.deleteRecord(module, id);
        return redirect(res, `${base}/`);
      }
      return writeHtml(res, 404, renderMessage('Not found', 'There is no such page.', base));
    } catch (error) {
      if (!(error instanceof ItsmError)) throw error;
      const message = error.detail ? `${error.message}: ${error.detail}` : error.message;
      const record = id === undefined ? undefined : this.store.get(module, id);
      if (record && error.status === 400) return writeHtml(res, 400, renderRecord(base, module, record, this.store.notes(module, record.id), message));
      return writeHtml(res, error.status, renderMessage('Could not save', message, base));
    }
  }
}

// The inbound door: the external tool's events through the web trigger, into Jira. Every byte is
// the caller's until proven otherwise, so the order is fixed: size and content type, the connection,
// the signature over the raw body (before anything the body says is acted on: its event and record
// ids only name keys read with the configuration), the body's schema, dedupe by event id, then the
// mapping and Jira. Refusals name the problem and never a secret; Jira being busy queues the
// event (202) so nothing accepted is lost. See docs/inbound-api.md for the contract.
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { inboundOptionsOf, parseConfig, type Connection } from '../mapping';
import { MAX_ATTEMPTS, MAX_DELAY_SECONDS, retryDelaySeconds, type InboundDelivery } from './delivery';
import { AUTH_REFUSAL_TEXT, NAMED_NO_CONNECTION, NAMED_UNKNOWN_CONNECTION, readRetiredSecret, retiredSecretReason, SIGNATURE_HEADER, verifyBearer, verifyHmac } from './inbound-auth';
import { notePreviousSecretUse, refusedKey, refusedWrites, type Refusal } from './inbound-refusals';
import { applyEvent } from './inbound/apply';
import { claimDedupe, dedupeWrites, duplicateAnswer, PENDING_RECORD_SECONDS, pendingRecordKey, RecordBusy, type DeferredDedupe, type InboundRun } from './inbound/run';
import { inboundEventSchema, parseInboundEvent, peekEventKeys, type EventKeys, type InboundEvent } from './inbound-event';
import { commentIntentKey, recordTombstoneKey } from './notes';
import { keysRead } from './read-ahead';
import {
  answer,
  checkEnvelope,
  connectionIdOf,
  headerOf,
  nextHealth,
  parseJsonBody,
  refusal,
  SERVICE_INFO,
  UNAUTHORIZED,
  type InboundAnswer,
  type InboundHealth,
  type InboundRequest,
} from './inbound-request';
import { activityWrite, clearFailureWrite, failureWrites } from './journal';
import { isTransientJiraError, JiraRequestError, type Ports, type StoreWrite } from './ports';
import type { LockHolder } from './sync-lock';
import { CONFIG_KEY, createIntentKey, inboundHealthKey, inboundSecretKey, keyPart, previousInboundSecretKey, readInboundHealth, recordIndexKey, retiredInboundSecretKey, type FailureSubject } from './state';

/** Dedupe marker of an event id: the same event twice applies once. */
export const inboundEventKey = (connectionId: string, eventId: string) => `inbound:${keyPart(connectionId)}:${keyPart(eventId)}`;
/** An event that could not be applied after every retry, kept for the admin (30 days). */
export const inboundFailedKey = (connectionId: string, eventId: string) => `inbound-failed:${keyPart(connectionId)}:${keyPart(eventId)}`;
/** A part of a kept event too large for one storage value; the record under inboundFailedKey says how many. */
export const inboundFailedPartKey = (connectionId: string, eventId: string, part: number) => `inbound-failed-part:${keyPart(connectionId)}:${keyPart(eventId)}:${part}`;
const inboundStashKey = (connectionId: string, eventId: string, attempt: number) => `inbound-stash:${keyPart(connectionId)}:${keyPart(eventId)}:${attempt}`;

const DEDUPE_SECONDS = 25 * 60 * 60;

/** What is read ahead of an event: its dedupe marker, its record's index, tombstone and create mark, and its comment's. */
function keysAhead(connectionId: string, event: EventKeys): string[] {
  const marker = inboundEventKey(connectionId, event.eventId);
  if (!event.record) return [marker];
  const { module, id } = event.record;
  const keys = [marker, recordIndexKey(connectionId, module, id), recordTombstoneKey(connectionId, module, id), createIntentKey(connectionId, module, id)];
  return event.comment ? [...keys, commentIntentKey(connectionId, event.comment.id)] : keys;
}
const STASH_SECONDS = 2 * 24 * 60 * 60;
const FAILED_SECONDS = 30 * 24 * 60 * 60;
/**
 * The delivery consumer may run up to 900 s, so Forge takes at most 100 KB an event for it
 * (https://developer.atlassian.com/platform/forge/limits-async-events/); larger events wait in
 * storage in parts, leaving room for the message around the event.
 */
const INLINE_DELIVERY_BYTES = 90_000;
/** A storage value holds at most 240 KiB: a kept event larger than this goes in parts. */
const INLINE_KEPT_BYTES = 200_000;
/** Each part stays under the value limit (245,760 bytes) once stored as a JSON string, escapes and UTF-8 counted. */
const PART_BYTES = 230_000;
/** Text is cut in slices of this many characters (at most 3 bytes each once stored), then slices are packed into parts. */
const PART_SLICE_CHARS = 40_000;
/**
 * Parts of one event (a delivery names at most 25). A 1 MB body needs at most 13 when every
 * character is a quote, and 23 when it is all numbers written short (9e20 is 21 digits parsed).
 */
const MAX_EVENT_PARTS = 25;

/** A kept event: inline when it fits one storage value, else the number of its parts. */
const keptInboundSchema = z.object({
  connectionId: z.string(),
  failedAt: z.string(),
  reason: z.string(),
  event: z.unknown().optional(),
  parts: z.number().int().min(1).max(MAX_EVENT_PARTS).optional(),
  /** How Sync existing found the issue the event's record names, so the admin's retry links it the same way. */
  matchedBy: z.literal('summary-and-day').optional(),
});

/**
 * Cuts text into parts that each fit one storage value once stored as a JSON string. Slices are
 * measured as stored, so quotes, backslashes and multi-byte characters never push a part over.
 */
export function partsOf(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let size = 2;
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + PART_SLICE_CHARS);
    // Never between the halves of a surrogate pair: each part stays well-formed text on its own.
    if (end < text.length && /[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
    const slice = text.slice(i, end);
    i = end;
    const bytes = Buffer.byteLength(JSON.stringify(slice), 'utf8') - 2;
    if (current !== '' && size + bytes > PART_BYTES) {
      parts.push(current);
      current = '';
      size = 2;
    }
    current += slice;
    size += bytes;
  }
  if (current !== '') parts.push(current);
  return parts;
}
/**
 * When another event holds a record's create lock (or its link, or a delivery of its issue, is still
 * to come), look again after this long, twice as long each attempt: the attempts then outlast a lock
 * its crashed holder left (120 s) and Jira's search catching up with a create (5 min) many times over.
 */
const BUSY_RETRY_SECONDS = 15;

function busyRetrySeconds(attempt: number): number {
  return Math.min(MAX_DELAY_SECONDS, BUSY_RETRY_SECONDS * 2 ** Math.max(0, attempt - 1));
}
/** Longer than a web trigger may run (55 s): a try of an event that began this long ago is over. */
const EARLIER_TRY_SECONDS = 60;

// ---------------------------------------------------------------- the web trigger

export async function handleInbound(ports: Ports, request: InboundRequest): Promise<InboundAnswer> {
  const envelope = checkEnvelope(request);
  const named = connectionIdOf(request);
  if (named === undefined) {
    if (request.method.toUpperCase() === 'GET') return SERVICE_INFO;
    await noteRefusal(ports, { connectionId: undefined, reason: NAMED_NO_CONNECTION });
    return envelope ?? refusal('unknown_connection', 'Name the connection: add /<connectionId> to this URL');
  }
  if ('invalid' in named) {
    await noteRefusal(ports, { connectionId: undefined, reason: NAMED_UNKNOWN_CONNECTION });
    return envelope ?? refusal('unknown_connection', 'No connection with that id is configured');
  }
  const connectionId = named.id;

  // The event's dedupe marker and its record's index and tombstone are read with the configuration,
  // keyed by what the body says before its signature is checked: nothing is done with them until it holds.
  const rawBody = request.body ?? '';
  const json = envelope ? undefined : parseJsonBody(rawBody);
  const peeked = json?.ok ? peekEventKeys(json.value) : undefined;
  const aheadKeys = peeked ? keysAhead(connectionId, peeked) : [];
  const found = await ports.store.getMany([CONFIG_KEY, inboundHealthKey(connectionId), ...aheadKeys]);
  const config = parseConfig(found.get(CONFIG_KEY) ?? { version: 1, connections: [] });
  if (!config.ok) {
    console.error('Tandem could not read its saved configuration', config.errors.slice(0, 3));
    return refusal('unavailable', 'Tandem cannot read its configuration right now; try again later');
  }
  const connection = config.config.connections.find((c) => c.id === connectionId);
  if (!connection) {
    await noteRefusal(ports, { connectionId: undefined, namedConnection: connectionId, reason: NAMED_UNKNOWN_CONNECTION });
    return envelope ?? refusal('unknown_connection', `No connection ${connectionId} is configured`);
  }
  const health = readInboundHealth(found.get(inboundHealthKey(connectionId)));
  const refused = async (result: InboundAnswer, reason: string): Promise<InboundAnswer> => {
    await noteRefusal(ports, { connectionId, reason }, healthWrites(ports, connectionId, health, { refused: reason }));
    return result;
  };
  if (envelope) return refused(envelope, `A request was refused: ${String(envelope.body.message)}`);

  const auth = await authenticate(ports, connection, request, rawBody);
  if (!auth.ok) return refused(UNAUTHORIZED, auth.reason);
  if (auth.secret === 'previous') await notePreviousSecretUse(ports, connectionId).catch(() => undefined);
  if (!connection.enabled) return refusal('connection_disabled', `The connection ${connection.name} is switched off in Tandem`);

  if (!json) return refusal('internal_error', 'Tandem could not read this request');
  if (!json.ok) return refused(json.answer, `An event was refused: ${String(json.answer.body.message)}`);
  const parsed = parseInboundEvent(json.value);
  if (!parsed.ok) {
    const where = parsed.problem.path === '' ? 'the body' : parsed.problem.path;
    return refused(refusal('invalid_body', `${where}: ${parsed.problem.message}`, parsed.problem.path), `An event was refused: ${where}: ${parsed.problem.message}`.slice(0, 300));
  }
  const event = parsed.event;

  const ahead = keysRead(aheadKeys, found);
  const marker = inboundEventKey(connectionId, event.eventId);
  const dedupe: DeferredDedupe = { key: marker, value: { at: new Date(ports.clock.now()).toISOString(), type: event.type }, ttlSeconds: DEDUPE_SECONDS, written: false };
  const run: InboundRun = { ports, connection, pending: healthWrites(ports, connectionId, health, { accepted: true }), attempt: 1, ahead, dedupe };
  // A linked record's change marks the event received in the transaction that saves the change, under
  // the pair's lock, where it looks for the marker again; anything else marks it before it starts.
  const linkedChange = (event.type === 'record.created' || event.type === 'record.updated') && ahead.get(recordIndexKey(connectionId, event.record.module, event.record.id)) !== undefined;
  if (ahead.get(marker) !== undefined || (!linkedChange && !(await claimDedupe(run)))) {
    if (event.type === 'record.created' && !linkedChange && ahead.get(createIntentKey(connectionId, event.record.module, event.record.id)) !== undefined) {
      // Received before, by a try that began making the record's issue and stopped before linking it
      // (it died, or still runs): applied again once that try is surely over, it finds that issue.
      return retryLater(run, event, EARLIER_TRY_SECONDS, 'An earlier try of this event stopped while making the record’s Jira issue', { spendsAttempt: false });
    }
    if ((event.type === 'comment.created' || event.type === 'comment.updated') && ahead.get(commentIntentKey(connectionId, event.comment.id)) !== undefined) {
      // The same for a note's Jira comment: applied again, the try finds the comment by its property.
      return retryLater(run, event, EARLIER_TRY_SECONDS, 'An earlier try of this event stopped while adding the note’s Jira comment', { spendsAttempt: false });
    }
    await noteHealth(ports, connectionId, health, { accepted: true });
    return duplicateAnswer(event.eventId);
  }
  const result = await applyGuarded(run, event);
  // Only what was applied (200) or queued (202) counts as received: anything else may be sent again.
  if (result.status >= 300 && dedupe.written) await ports.store.delete(marker).catch(() => undefined);
  if (run.pending.length > 0) await ports.store.writeAll(run.pending.splice(0)).catch(() => undefined);
  return result;
}

async function authenticate(
  ports: Ports,
  connection: Connection,
  request: InboundRequest,
  rawBody: string,
): Promise<{ ok: true; secret: 'current' | 'previous' } | { ok: false; reason: string }> {
  const mode = inboundOptionsOf(connection).auth;
  const verify = (current: string | undefined, previous: string | undefined) =>
    mode === 'bearer'
      ? verifyBearer({ header: headerOf(request, 'authorization'), current, previous })
      : verifyHmac({ header: headerOf(request, SIGNATURE_HEADER), rawBody, nowSeconds: Math.floor(ports.clock.now() / 1000), current, previous });
  const current = await ports.store.getSecret(inboundSecretKey(connection.id));
  let result = verify(current, undefined);
  // The previous secret is read only when the current one does not match: one storage read per
  // event outside a rotation.
  if (!result.ok && (result.reason === 'wrong-credentials' || result.reason === 'no-secret')) {
    result = verify(current, await ports.store.getSecret(previousInboundSecretKey(connection.id)));
  }
  if (result.ok) return result;
  if (result.reason === 'wrong-credentials') {
    // Only for the admin's record: a tool still signing with a retired secret is told apart from a stranger.
    const retired = readRetiredSecret(await ports.store.getSecret(retiredInboundSecretKey(connection.id)), ports.clock.now());
    if (retired && verify(retired.secret, undefined).ok) return { ok: false, reason: retiredSecretReason(retired.retiredAt) };
  }
  return { ok: false, reason: AUTH_REFUSAL_TEXT[result.reason] };
}

/** Counts a refused call for the admin's Activity tab, with the health record's change when there is one. Bookkeeping: never changes the answer. */
async function noteRefusal(ports: Ports, refusal: Refusal, alongside: StoreWrite[] = []): Promise<void> {
  try {
    const current = await ports.store.get(refusedKey(ports.clock.now(), refusal.connectionId));
    const writes = [...refusedWrites(ports, current, refusal), ...alongside];
    if (writes.length > 0) await ports.store.writeAll(writes);
  } catch (error) {
    console.error('Could not count a refused inbound call', error instanceof Error ? error.name : 'unknown error');
  }
}

// ---------------------------------------------------------------- health


function healthWrites(ports: Ports, connectionId: string, current: InboundHealth, outcome: { accepted: true } | { refused: string }): StoreWrite[] {
  const next = nextHealth(current, ports.clock.now(), outcome);
  return next ? [{ key: inboundHealthKey(connectionId), value: next }] : [];
}

async function noteHealth(ports: Ports, connectionId: string, current: InboundHealth, outcome: { accepted: true } | { refused: string }): Promise<void> {
  const writes = healthWrites(ports, connectionId, current, outcome);
  // Bookkeeping: a failed write must not change the answer.
  if (writes.length > 0) await ports.store.writeAll(writes).catch(() => undefined);
}

// ---------------------------------------------------------------- applying, queueing, retries

/** Applies the event; Jira being busy queues it, anything unexpected is kept and answered plainly. */
async function applyGuarded(run: InboundRun, event: InboundEvent): Promise<InboundAnswer> {
  try {
    return await applyEvent(run, event);
  } catch (error) {
    if (error instanceof RecordBusy) {
      if (error.waitSeconds !== undefined) return retryLater(run, event, error.waitSeconds, error.message, { spendsAttempt: false });
      return retryLater(run, event, busyRetrySeconds(run.attempt), error.message);
    }
    if (isTransientJiraError(error)) {
      const delay = retryDelaySeconds(run.attempt, error.retryAfterSeconds);
      // Waiting for Jira's hourly quota spends no attempt: the event is applied once it resets.
      if (error.quota) return retryLater(run, event, delay, 'Tandem has used its hourly Jira quota', { spendsAttempt: false });
      return retryLater(run, event, delay, error.status === 429 ? 'Jira is rate-limiting Tandem' : `Jira had a temporary problem (HTTP ${error.status})`);
    }
    const status = error instanceof JiraRequestError ? error.status : undefined;
    const message = error instanceof Error ? error.message.slice(0, 300) : 'unknown error';
    console.error('An inbound event could not be applied', run.connection.id, event.type, message);
    await run.ports.store
      .writeAll([activityWrite(run.ports, { connectionId: run.connection.id, direction: 'inbound', outcome: 'failed', summary: `${event.type} ${event.eventId} could not be applied`, details: [message] })])
      .catch(() => undefined);
    if (typeof status === 'number') return refusal('jira_refused', `Jira refused the change (HTTP ${status})`);
    return refusal('internal_error', 'Tandem could not apply this event; it was not applied and may be sent again');
  }
}

async function retryLater(run: InboundRun, event: InboundEvent, delaySeconds: number, why: string, options: { spendsAttempt: boolean } = { spendsAttempt: true }): Promise<InboundAnswer> {
  const { ports, connection } = run;
  const base = { connectionId: connection.id, direction: 'inbound' as const, ...('record' in event && event.record ? { externalId: event.record.id } : {}) };
  const next = options.spendsAttempt ? run.attempt + 1 : run.attempt;
  if (options.spendsAttempt && run.attempt >= MAX_ATTEMPTS) {
    await keepInbound(run, event, why, 'transient', `could not be applied after ${MAX_ATTEMPTS} attempts`);
    return refusal('unavailable', `${why}; the event was kept for the admin`);
  }
  const delivery = await deliveryFor(run, event, next);
  if (!delivery) {
    // Not expected from a 1 MB body (see MAX_EVENT_PARTS), but never lost silently.
    if (run.attempt > 1) await keepInbound(run, event, `${why}; the event is too large to queue again`, 'permanent', 'could not be queued again');
    return refusal('unavailable', 'Tandem could not queue this event; send it again later');
  }
  try {
    await ports.queue.push({ type: 'delivery', delivery }, delaySeconds);
  } catch (error) {
    console.error('Could not queue an inbound event', error instanceof Error ? error.message.slice(0, 200) : 'unknown error');
    return refusal('unavailable', 'Tandem could not accept the event right now; send it again later');
  }
  await ports.store
    .writeAll([
      activityWrite(ports, { ...base, outcome: 'retrying', summary: `${event.type} ${event.eventId} will be applied in ${delaySeconds} s (attempt ${next} of ${MAX_ATTEMPTS})`, details: [why] }),
      ...(event.type === 'record.created'
        ? [{ key: pendingRecordKey(connection.id, event.record.module, event.record.id), value: { at: new Date(ports.clock.now()).toISOString() }, ttlSeconds: PENDING_RECORD_SECONDS }]
        : []),
      // Queued counts as received: the same event sent again meanwhile is a duplicate.
      ...dedupeWrites(run),
      ...run.pending.splice(0),
    ])
    .catch(() => undefined);
  return answer('queued', { eventId: event.eventId, retryInSeconds: delaySeconds, message: `${why}; the event is queued and will be applied` });
}

/** Keeps an event that could not be applied for the admin: listed with the failures, retried from there. */
async function keepInbound(run: InboundRun, event: InboundEvent, why: string, retry: 'transient' | 'permanent', what: string): Promise<void> {
  const { ports, connection } = run;
  const label = ('record' in event && event.record ? (event.record.jiraIssueKey ?? event.record.number ?? event.record.id) : undefined) ?? event.eventId;
  // The event itself, so a retry from the admin page can apply it: in parts when it is larger than
  // one storage value (a body may be 1 MB, a value 240 KiB), written before the record naming them.
  const text = JSON.stringify(event);
  const parts = Buffer.byteLength(text, 'utf8') <= INLINE_KEPT_BYTES ? [] : partsOf(text);
  const keepable = parts.length <= MAX_EVENT_PARTS;
  const explanation = keepable ? why : `${why}; the event is too large to keep for a retry, so the tool must send it again`;
  if (keepable) for (const [i, part] of parts.entries()) await ports.store.set(inboundFailedPartKey(connection.id, event.eventId, i), part, FAILED_SECONDS);
  else console.error('An inbound event is too large to keep for a retry', connection.id, event.eventId);
  const kept = await failureWrites(ports, {
    connectionId: connection.id,
    subject: { kind: 'inbound', issueId: '', issueKey: label, eventId: event.eventId },
    operation: `Applying ${event.type} ${event.eventId} to Jira`,
    failure: { retry, reason: retry === 'transient' ? 'server-error' : 'unexpected-answer', explanation },
    attempts: run.attempt,
  });
  const record: z.infer<typeof keptInboundSchema> = {
    connectionId: connection.id,
    failedAt: new Date(ports.clock.now()).toISOString(),
    reason: explanation,
    ...(!keepable ? {} : parts.length === 0 ? { event } : { parts: parts.length }),
    ...(run.matchedBy ? { matchedBy: run.matchedBy } : {}),
  };
  await ports.store.writeAll([
    { key: inboundFailedKey(connection.id, event.eventId), value: record, ttlSeconds: FAILED_SECONDS },
    ...kept,
    activityWrite(ports, {
      connectionId: connection.id,
      direction: 'inbound',
      outcome: 'failed',
      ...('record' in event && event.record ? { externalId: event.record.id } : {}),
      summary: `${event.type} ${event.eventId} ${what}`,
      details: [explanation],
    }),
  ]);
}

/**
 * The delivery that applies a kept inbound event again (the admin's retry), or undefined once it
 * expired. It names the kept event rather than carrying it: a queue message holds at most 200 KB.
 */
export async function keptInboundDelivery(ports: Ports, connectionId: string, eventId: string): Promise<InboundDelivery | undefined> {
  const kept = keptInboundSchema.safeParse(await ports.store.get(inboundFailedKey(connectionId, eventId)));
  if (!kept.success || (kept.data.event === undefined && kept.data.parts === undefined)) return undefined;
  return { kind: 'inbound', connectionId, keptEventId: eventId, attempt: 1, ...(kept.data.matchedBy ? { matchedBy: kept.data.matchedBy } : {}) };
}

/**
 * The admin's retry of a status Jira could not reach, or of a field it refused: the record's value
 * alone, applied as an update of the record, so nothing else of the original change is written again.
 */
export function statusRetryDelivery(connectionId: string, subject: Extract<FailureSubject, { kind: 'status' | 'field' }>): InboundDelivery {
  return {
    kind: 'inbound',
    connectionId,
    event: {
      eventId: `status-retry-${randomUUID()}`,
      type: 'record.updated',
      occurredAt: subject.occurredAt,
      record: { module: subject.module, id: subject.recordId, fields: subject.fields },
    },
    attempt: 1,
  };
}

async function readKeptEvent(ports: Ports, connectionId: string, eventId: string): Promise<{ event: InboundEvent; parts: string[] } | undefined> {
  const kept = keptInboundSchema.safeParse(await ports.store.get(inboundFailedKey(connectionId, eventId)));
  if (!kept.success) return undefined;
  if (kept.data.parts === undefined) {
    const event = inboundEventSchema.safeParse(kept.data.event);
    return event.success ? { event: event.data, parts: [] } : undefined;
  }
  const keys = Array.from({ length: kept.data.parts }, (_, i) => inboundFailedPartKey(connectionId, eventId, i));
  const event = await joinParts(ports, keys);
  return event && { event, parts: keys };
}

/** A queue message for the event: the event itself when small, else a reference to its parts in storage. */
async function deliveryFor(run: InboundRun, event: InboundEvent, attempt: number): Promise<InboundDelivery | undefined> {
  const text = JSON.stringify(event);
  const matched = run.matchedBy ? { matchedBy: run.matchedBy } : {};
  if (Buffer.byteLength(text, 'utf8') <= INLINE_DELIVERY_BYTES) return { kind: 'inbound', connectionId: run.connection.id, event, attempt, ...matched };
  // Its own key each time: a wait for Jira's quota queues the event again at the same attempt, and the
  // delivery being run deletes its parts once it is done.
  const key = `${inboundStashKey(run.connection.id, event.eventId, attempt)}.${run.ports.clock.now()}`;
  const parts = partsOf(text);
  if (parts.length > MAX_EVENT_PARTS) return undefined;
  for (const [i, part] of parts.entries()) await run.ports.store.set(`${key}:${i}`, part, STASH_SECONDS);
  return { kind: 'inbound', connectionId: run.connection.id, stash: { key, parts: parts.length }, attempt, ...matched };
}

async function unstash(ports: Ports, stash: { key: string; parts: number }): Promise<InboundEvent | undefined> {
  return joinParts(ports, Array.from({ length: stash.parts }, (_, i) => `${stash.key}:${i}`));
}

/** The event whose JSON text was cut into these parts, or undefined when one is gone. */
async function joinParts(ports: Ports, keys: readonly string[]): Promise<InboundEvent | undefined> {
  const found = await ports.store.getMany(keys);
  const parts = keys.map((k) => found.get(k));
  if (parts.some((p) => typeof p !== 'string')) return undefined;
  try {
    const parsed = inboundEventSchema.safeParse(JSON.parse(parts.join('')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A queued inbound event (the consumer of the delivery queue calls this for `kind: 'inbound'`):
 * applied against the current state, as if it had just come in; queued again while Jira is busy.
 */
export async function runInboundDelivery(ports: Ports, delivery: InboundDelivery, holder?: LockHolder): Promise<InboundAnswer | undefined> {
  const raw = await ports.store.get(CONFIG_KEY);
  const config = raw === undefined ? undefined : parseConfig(raw);
  if (!config?.ok) return undefined;
  const connection = config.config.connections.find((c) => c.id === delivery.connectionId);
  if (!connection || !connection.enabled) return undefined;
  const kept = delivery.keptEventId === undefined ? undefined : await readKeptEvent(ports, delivery.connectionId, delivery.keptEventId);
  const event = delivery.event ?? kept?.event ?? (delivery.stash ? await unstash(ports, delivery.stash) : undefined);
  if (!event) {
    console.error('A queued inbound event could not be read back', delivery.connectionId);
    return undefined;
  }
  const run: InboundRun = { ports, connection, pending: [], attempt: delivery.attempt, ...(holder ? { holder } : {}), ...(delivery.matchedBy ? { matchedBy: delivery.matchedBy } : {}) };
  const answer = await applyGuarded(run, event);
  const subject = { kind: 'inbound' as const, issueId: '', issueKey: '', eventId: event.eventId };
  if (answer.status < 300 && answer.status !== 202) {
    // Applied: a failure kept for this event (the admin's retry) is resolved, and the kept event with it.
    await ports.store.writeAll([clearFailureWrite(connection.id, subject), ...(kept ? [{ key: inboundFailedKey(connection.id, event.eventId), delete: true as const }] : [])]);
    if (kept && kept.parts.length > 0) await ports.store.writeAll(kept.parts.map((key) => ({ key, delete: true as const }))).catch(() => undefined);
  } else if (answer.status >= 400 && answer.status !== 503) {
    // Nobody waits for this answer: keep what Jira refused, so the admin sees it.
    await keepInbound(run, event, describeAnswer(answer), 'permanent', 'was refused');
  }
  if (delivery.stash) {
    // Parts are removed once the event no longer waits; a re-queued event gets its own parts.
    for (let i = 0; i < delivery.stash.parts; i++) await ports.store.delete(`${delivery.stash.key}:${i}`).catch(() => undefined);
  }
  return answer;
}

function describeAnswer(answer: InboundAnswer): string {
  return typeof answer.body.message === 'string' ? answer.body.message : `HTTP ${answer.status}`;
}

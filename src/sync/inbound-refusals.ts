// Calls the inbound web trigger refused (a bad signature, a retired secret, a connection nobody
// configured…), counted for the admin's Activity tab with their reasons and times, never with what
// the caller sent. Anyone can call the trigger, so the record is bounded: one value a connection an
// hour (and one for calls naming no configured connection), a few reasons each, kept 7 days, and no
// more writes once an hour's count reaches the cap. Also counted: calls signed with the previous
// secret during a rotation, so the admin knows what retiring it would refuse.
import * as z from 'zod';
import type { RefusedCalls } from '../contract/admin';
import type { Ports, StoreWrite } from './ports';
import { keyPart } from './state';

export const REFUSED_PREFIX = 'refused:';
export const REFUSED_TTL_SECONDS = 7 * 24 * 60 * 60;
/** An hour's refusals of one connection are counted up to this many; past it, "at least". */
export const REFUSED_COUNT_CAP = 500;
/** Distinct reasons kept in one hour's record; the rest are counted under the last one. */
const MAX_REASONS = 8;
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

const hourOf = (atMs: number) => Math.floor(atMs / HOUR_MS) * HOUR_MS;
/** Newest hour first in key order: the hour is stored inverted. */
const invertedHour = (hourMs: number) => (9_999_999_999_999 - hourMs).toString().padStart(13, '0');

/** Where an hour's refusals are counted: a configured connection's, or those naming none. */
export function refusedKey(atMs: number, connectionId: string | undefined): string {
  return `${REFUSED_PREFIX}${invertedHour(hourOf(atMs))}:${connectionId === undefined ? 'unknown' : `c:${keyPart(connectionId)}`}`;
}

const OTHER_REASON = 'Other reasons';

const refusedSchema = z.object({
  connectionId: z.string().optional(),
  /** The last connection id a call named that no connection has (a well-formed id only). */
  namedConnection: z.string().max(64).optional(),
  firstAt: z.string(),
  lastAt: z.string(),
  count: z.number().int().min(0),
  reasons: z.record(z.string(), z.number().int().min(0)),
});
type Refused = z.infer<typeof refusedSchema>;

export interface Refusal {
  /** Undefined when the call named no configured connection. */
  connectionId: string | undefined;
  namedConnection?: string | undefined;
  /** In Tandem's words (never the caller's). */
  reason: string;
}

/** The hour's record with one more refusal, or undefined once the cap is reached (nothing is written). Pure. */
export function nextRefused(current: unknown, atMs: number, refusal: Refusal): Refused | undefined {
  const at = new Date(atMs).toISOString();
  const parsed = refusedSchema.safeParse(current);
  const now: Refused = parsed.success ? parsed.data : { firstAt: at, lastAt: at, count: 0, reasons: {} };
  if (now.count >= REFUSED_COUNT_CAP) return undefined;
  const known = refusal.reason in now.reasons || Object.keys(now.reasons).length < MAX_REASONS - 1;
  const reason = known ? refusal.reason : OTHER_REASON;
  return {
    ...(refusal.connectionId === undefined ? {} : { connectionId: refusal.connectionId }),
    ...(refusal.namedConnection === undefined ? (now.namedConnection ? { namedConnection: now.namedConnection } : {}) : { namedConnection: refusal.namedConnection.slice(0, 64) }),
    firstAt: now.firstAt,
    lastAt: at,
    count: now.count + 1,
    reasons: { ...now.reasons, [reason]: (now.reasons[reason] ?? 0) + 1 },
  };
}

/** The write counting a refusal, given the hour's record as read; none once the hour is at its cap. */
export function refusedWrites(ports: Pick<Ports, 'clock'>, current: unknown, refusal: Refusal): StoreWrite[] {
  const at = ports.clock.now();
  const next = nextRefused(current, at, refusal);
  return next ? [{ key: refusedKey(at, refusal.connectionId), value: next, ttlSeconds: REFUSED_TTL_SECONDS }] : [];
}

/** The hours of refusals, newest first, at most a week's for one connection or for all (100 records). */
export async function listRefused(ports: Pick<Ports, 'store' | 'clock'>, connectionId?: string): Promise<{ calls: RefusedCalls[]; last24h: number }> {
  const calls: RefusedCalls[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await ports.store.list(REFUSED_PREFIX, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const entry of page.entries) {
      const parsed = refusedSchema.safeParse(entry.value);
      if (!parsed.success) continue;
      if (connectionId !== undefined && parsed.data.connectionId !== connectionId) continue;
      const { reasons, count, ...rest } = parsed.data;
      calls.push({
        ...rest,
        id: entry.key,
        count,
        capped: count >= REFUSED_COUNT_CAP,
        reasons: Object.entries(reasons)
          .map(([reason, n]) => ({ reason, count: n }))
          .sort((a, b) => b.count - a.count),
      });
    }
    cursor = page.cursor;
    pages++;
  } while (cursor && calls.length < 100 && pages < 20);
  const since = ports.clock.now() - DAY_MS;
  const last24h = calls.filter((c) => Date.parse(c.lastAt) >= since).reduce((sum, c) => sum + c.count, 0);
  return { calls: calls.slice(0, 100), last24h };
}

// ---------------------------------------------------------------- the previous secret's use

const previousUsePrefix = (connectionId: string) => `previous-secret-use:${keyPart(connectionId)}:`;
const previousUseKey = (connectionId: string, atMs: number) => `${previousUsePrefix(connectionId)}${hourOf(atMs)}`;
const useSchema = z.object({ count: z.number().int().min(0) });

/** Counts a call signed with the previous secret (one value an hour, kept a day). */
export async function notePreviousSecretUse(ports: Pick<Ports, 'store' | 'clock'>, connectionId: string): Promise<void> {
  const key = previousUseKey(connectionId, ports.clock.now());
  const parsed = useSchema.safeParse(await ports.store.get(key));
  await ports.store.set(key, { count: (parsed.success ? parsed.data.count : 0) + 1 }, DAY_MS / 1000 + 60 * 60);
}

/** How many calls were signed with the previous secret in the last 24 hours (whole hours). */
export async function previousSecretCalls24h(ports: Pick<Ports, 'store' | 'clock'>, connectionId: string): Promise<number> {
  const now = ports.clock.now();
  const keys = Array.from({ length: 25 }, (_, i) => previousUseKey(connectionId, now - i * HOUR_MS));
  const found = await ports.store.getMany(keys);
  let total = 0;
  // Whole hours: the oldest one may reach up to an hour past the day, which errs towards caution.
  for (const key of keys) {
    const parsed = useSchema.safeParse(found.get(key));
    if (parsed.success) total += parsed.data.count;
  }
  return total;
}

/** A rotation or a retirement starts the previous secret's count afresh. */
export async function clearPreviousSecretUse(ports: Pick<Ports, 'store'>, connectionId: string): Promise<void> {
  const page = await ports.store.list(previousUsePrefix(connectionId), { limit: 100 });
  for (const entry of page.entries) await ports.store.delete(entry.key);
}

/**
 * The refused calls counted for a connection, removed with the connection. The records are keyed by
 * hour first (newest first for the Activity tab), so the week's records are read and this
 * connection's deleted: at most a week of hours per connection, read in pages of 100.
 */
export async function removeRefused(ports: Pick<Ports, 'store'>, connectionId: string): Promise<number> {
  const suffix = `:c:${keyPart(connectionId)}`;
  const keys: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await ports.store.list(REFUSED_PREFIX, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const entry of page.entries) if (entry.key.endsWith(suffix)) keys.push(entry.key);
    cursor = page.cursor;
    if (!cursor) break;
  }
  // Deleted after reading, so no page is skipped under the cursor.
  for (const key of keys) await ports.store.delete(key);
  return keys.length;
}

// A pair's sync lock names who holds it. A delivery whose invocation died while holding it (a crash,
// a timeout) is retried by the platform with the same event: that retry is the holder, so it takes
// its own lock over at once instead of waiting out the lock's lifetime behind itself.
import * as z from 'zod';
import { hashValue, parseDateValue } from '../mapping';
import type { Ports, StoreWrite } from './ports';
import { SYNC_LOCK_SECONDS } from './state';

/** Who runs a delivery: an id the platform's retry of the same invocation carries again. */
export interface LockHolder {
  id: string;
  /** This is the platform's retry of that invocation (its event carries `retryContext`): the holder may have died. */
  retry: boolean;
}

const lockValueSchema = z.object({ at: z.string(), holder: z.string().optional() });
const eventSchema = z.record(z.string(), z.unknown());

/**
 * The holder of a product event's delivery: the event as Jira sent it (a retry is the same event
 * with `retryContext` added), so two different events never share a holder.
 */
export function holderOfEvent(event: unknown): LockHolder | undefined {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) return undefined;
  const { retryContext, ...sent } = parsed.data;
  return { id: `event-${hashValue(sent)}`, retry: retryContext !== undefined && retryContext !== null };
}

/** The holder of a queued delivery: Forge's event id, which its retries keep. */
export function holderOfQueueEvent(eventId: string, retryContext: unknown): LockHolder {
  return { id: `queue-${eventId}`, retry: retryContext !== undefined && retryContext !== null };
}

/**
 * Takes the lock: true when it was free, or when it is held by this holder and this try is the
 * platform's retry of it (the earlier try died; nobody else may run meanwhile).
 */
export async function takeSyncLock(ports: Ports, key: string, holder: LockHolder | undefined): Promise<boolean> {
  const value = { at: new Date(ports.clock.now()).toISOString(), ...(holder ? { holder: holder.id } : {}) };
  if (await ports.store.create(key, value, SYNC_LOCK_SECONDS)) return true;
  if (!holder?.retry) return false;
  const held = lockValueSchema.safeParse(await ports.store.get(key));
  return held.success && held.data.holder === holder.id;
}

/**
 * A live try holds a lock for the few seconds its Jira calls and tool call take (a tool call gives up
 * after 10 s). A lock taken longer ago is a slow try's or a dead one's: waiting for it in this
 * invocation would most likely end queued anyway, after spending the wait.
 */
export const LIVE_HOLD_SECONDS = 15;

/** Whether a lock's stored value says it was taken longer ago than a live try holds one. */
export function heldPastLiveHold(value: unknown, now: number): boolean {
  const held = lockValueSchema.safeParse(value);
  return held.success && pastLiveHold(held.data.at, now);
}

/** Whether `at` (an ISO date, or Jira's) is LIVE_HOLD_SECONDS or more before `now`: later than a live try runs. */
export function pastLiveHold(at: unknown, now: number): boolean {
  const ms = parseDateValue(at)?.ms;
  return ms !== undefined && now - ms >= LIVE_HOLD_SECONDS * 1000;
}

/** The lock's release, written with a delivery's last transaction so it costs no call of its own. */
export const releaseSyncLock = (key: string): StoreWrite => ({ key, delete: true });

// The activity log and the kept failures: what the admin page shows. Entries are written in the
// same transaction as the state they describe where possible, so the log never lies.
import { randomUUID } from 'node:crypto';
import type { DeliveryFailure } from '../connectors';
import type { Ports, StoreWrite } from './ports';
import { ACTIVITY_TTL_SECONDS, activityKey, failureKey, failureSchema, failureSubjectKey, type Activity, type Failure, type FailureSubject } from './state';

export function activityWrite(ports: Pick<Ports, 'clock'>, entry: Omit<Activity, 'at' | 'details'> & { details?: string[] }): StoreWrite {
  const now = ports.clock.now();
  const value: Activity = { ...entry, at: new Date(now).toISOString(), details: entry.details ?? [] };
  return { key: activityKey(now, randomUUID()), value, ttlSeconds: ACTIVITY_TTL_SECONDS };
}

/** Words that promise another try, which a kept failure must not say. */
const WILL_TRY_AGAIN = /[;,]?\s*(?:Tandem|it) will try again(?: later)?/g;

/** A failure's explanation as the Failures list shows it: a kept one says that Tandem stopped, never that it will try again. */
export function failureExplanation(failure: DeliveryFailure, attempts: number, retrying: boolean): string {
  if (retrying) return failure.explanation;
  const plain = failure.explanation.replace(WILL_TRY_AGAIN, '').trim();
  if (failure.retry !== 'transient') return plain;
  return `${plain.replace(/[.;,]?$/, '.')} Tandem stopped after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}: choose Retry once the cause is fixed.`;
}

/**
 * The failure record for a subject, merged with what was kept before (attempts, first seen).
 * `attempts` is how many more tries failed; `nextAttemptAt` says Tandem will try again by itself then.
 */
export async function failureWrites(
  ports: Pick<Ports, 'store' | 'clock'>,
  input: { connectionId: string; subject: FailureSubject; operation: string; failure: DeliveryFailure; attempts: number; nextAttemptAt?: string },
): Promise<StoreWrite[]> {
  const key = failureKey(input.connectionId, failureSubjectKey(input.subject));
  const previous = failureSchema.safeParse(await ports.store.get(key));
  const at = new Date(ports.clock.now()).toISOString();
  const attempts = (previous.success ? previous.data.attempts : 0) + input.attempts;
  const value: Failure = {
    connectionId: input.connectionId,
    subject: input.subject,
    operation: input.operation,
    retry: input.failure.retry,
    ...(input.failure.status === undefined ? {} : { status: input.failure.status }),
    ...(input.failure.toolMessage === undefined ? {} : { toolMessage: input.failure.toolMessage }),
    explanation: failureExplanation(input.failure, attempts, input.nextAttemptAt !== undefined),
    attempts,
    firstAt: previous.success ? previous.data.firstAt : at,
    lastAt: at,
    ...(input.nextAttemptAt === undefined ? {} : { nextAttemptAt: input.nextAttemptAt }),
  };
  return [{ key, value }];
}

/** Once a subject syncs again, its kept failure is resolved. */
export function clearFailureWrite(connectionId: string, subject: FailureSubject): StoreWrite {
  return { key: failureKey(connectionId, failureSubjectKey(subject)), delete: true };
}

export function describeFailure(failure: DeliveryFailure): string {
  const status = failure.status === undefined ? '' : ` (HTTP ${failure.status})`;
  const tool = failure.toolMessage ? ` The tool said: ${failure.toolMessage}` : '';
  return `${failure.explanation}${status}.${tool}`.replace(/\.\./g, '.');
}

/**
 * A skipped field as the activity log lists it: the reason names the value; a value no table row
 * carries also gets the fix.
 */
export function skipLine(skip: { field: string; reason: string }, direction: 'outbound' | 'inbound'): string {
  if (!/\bno row\b|\bhas no\b/.test(skip.reason)) return `${skip.field}: ${skip.reason}`;
  const [done, verb] = direction === 'outbound' ? ['sent', 'send'] : ['applied', 'apply'];
  return `${skip.field}: ${skip.reason}; nothing was ${done} for it. Add the value on Mappings to ${verb} it`;
}

// Forge async events: pushes become deliveries to the queue's consumer, retried the way Forge
// retries them (InvocationError with retryAfter and retryData, at most 4 retries).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PlatformClock } from './clock';

export const MAX_RETRIES = 4;
export const MAX_RETRY_AFTER_SECONDS = 900;
const PUSHES_PER_MINUTE = 500;
/** Forge's limit for one push, measured as @forge/events measures it: the events as JSON. */
const MAX_PUSH_KB = 200;
/** Forge's limit for one event when its consumer's function may run longer than 55 s. */
export const LONG_RUNNING_MAX_EVENT_KB = 100;

const pushRequestSchema = z.object({
  queueName: z.string().min(1),
  jobId: z.string().min(1),
  payload: z.array(z.looseObject({ body: z.record(z.string(), z.unknown()), delayInSeconds: z.number().min(0).max(900).optional() })).min(1).max(50),
});

export interface RetryContext {
  retryCount: number;
  retryReason: string;
  retryData?: unknown;
}

export interface QueueEvent {
  body: Record<string, unknown>;
  queueName: string;
  jobId: string;
  eventId: string;
  retryContext?: RetryContext;
}

export interface FailedEvent {
  event: QueueEvent;
  attempts: number;
  reason: string;
  failedAt: number;
}

/** What a consumer invocation came to, as the emulator saw it. */
export type ConsumerOutcome =
  | { kind: 'done' }
  | { kind: 'retry'; retryAfterSeconds: number; retryReason: string; retryData?: unknown }
  | { kind: 'failed'; reason: string };

interface Delivery {
  event: QueueEvent;
  dueAt: number;
  attempts: number;
}

export type Deliver = (event: QueueEvent) => Promise<ConsumerOutcome>;

export class QueueService {
  private readonly pending: Delivery[] = [];
  private readonly pushTimes: number[] = [];
  readonly failed: FailedEvent[] = [];
  readonly delivered: QueueEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly clock: PlatformClock,
    private readonly hasConsumer: (queueName: string) => boolean,
    private readonly deliver: Deliver,
    /** The most one event may hold for this queue's consumer, when Forge sets a limit of its own for it. */
    private readonly maxEventKb: (queueName: string) => number | undefined = () => undefined,
  ) {}

  /** Serves `POST /webhook/queue/publish/...` as Forge does: 201 on success. */
  push(rawBody: unknown): { status: number; body: unknown } {
    const parsed = pushRequestSchema.safeParse(rawBody);
    if (!parsed.success) return { status: 400, body: { message: `Invalid push request: ${parsed.error.issues[0]?.message ?? 'bad body'}` } };
    const now = this.clock.now();
    while (this.pushTimes.length > 0 && (this.pushTimes[0] ?? 0) <= now - 60_000) this.pushTimes.shift();
    const { queueName, jobId, payload } = parsed.data;
    // @forge/events checks this before sending; the service checks it again for any other client.
    if (Buffer.byteLength(JSON.stringify(payload)) / 1024 > MAX_PUSH_KB) {
      return { status: 413, body: { message: `The events of one push may be at most ${MAX_PUSH_KB} KB` } };
    }
    // A consumer whose function may run longer than 55 s takes events of at most 100 KB each
    // (https://developer.atlassian.com/platform/forge/limits-async-events/).
    const eventLimit = this.maxEventKb(queueName);
    if (eventLimit !== undefined && payload.some((item) => Buffer.byteLength(JSON.stringify(item)) / 1024 > eventLimit)) {
      return { status: 413, body: { message: `Each event for a consumer with a timeout over 55 s may be at most ${eventLimit} KB` } };
    }
    if (this.pushTimes.length + payload.length > PUSHES_PER_MINUTE) {
      return { status: 429, body: { message: 'Too many events pushed in the last minute' } };
    }
    for (const item of payload) {
      this.pushTimes.push(now);
      const event: QueueEvent = { body: item.body, queueName, jobId, eventId: randomUUID() };
      if (!this.hasConsumer(queueName)) {
        this.failed.push({ event, attempts: 0, reason: `No consumer is declared in the manifest for queue ${queueName}`, failedAt: now });
        continue;
      }
      this.pending.push({ event, dueAt: now + (item.delayInSeconds ?? 0) * 1000, attempts: 0 });
    }
    this.schedule();
    return { status: 201, body: {} };
  }

  /** Queues one event from inside the platform (a product event for a trigger). */
  enqueue(queueName: string, body: Record<string, unknown>): void {
    const event: QueueEvent = { body, queueName, jobId: randomUUID(), eventId: randomUUID() };
    this.pending.push({ event, dueAt: this.clock.now(), attempts: 0 });
    this.schedule();
  }

  /** Deliveries waiting for their time, soonest first. */
  waiting(): Array<{ event: QueueEvent; dueAt: number }> {
    return [...this.pending].sort((a, b) => a.dueAt - b.dueAt).map((d) => ({ event: d.event, dueAt: d.dueAt }));
  }

  get busy(): boolean {
    return this.running > 0 || this.pending.some((d) => d.dueAt <= this.clock.now());
  }

  /** Runs what is due now; call after moving a virtual clock. */
  schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.clock.now();
    const due = this.pending.filter((d) => d.dueAt <= now);
    for (const delivery of due) {
      this.pending.splice(this.pending.indexOf(delivery), 1);
      this.running += 1;
      setImmediate(() => {
        void this.run(delivery).finally(() => {
          this.running -= 1;
          this.notifyIdle();
        });
      });
    }
    const next = this.pending.reduce<number | undefined>((min, d) => (min === undefined || d.dueAt < min ? d.dueAt : min), undefined);
    // With a real clock, wait for the next delivery; a virtual clock only moves when told to.
    if (next !== undefined && !this.clock.virtual) {
      this.timer = setTimeout(() => this.schedule(), Math.max(0, next - now));
      this.timer.unref();
    }
    this.notifyIdle();
  }

  private async run(delivery: Delivery): Promise<void> {
    delivery.attempts += 1;
    let outcome: ConsumerOutcome;
    try {
      outcome = await this.deliver(delivery.event);
    } catch (error) {
      outcome = { kind: 'failed', reason: error instanceof Error ? error.message : String(error) };
    }
    if (outcome.kind === 'done') {
      this.delivered.push(delivery.event);
      return;
    }
    const retryCount = delivery.event.retryContext?.retryCount ?? 0;
    if (outcome.kind === 'retry' && retryCount < MAX_RETRIES) {
      const retryAfter = Math.min(Math.max(outcome.retryAfterSeconds, 1), MAX_RETRY_AFTER_SECONDS);
      const event: QueueEvent = {
        ...delivery.event,
        retryContext: { retryCount: retryCount + 1, retryReason: outcome.retryReason, ...(outcome.retryData === undefined ? {} : { retryData: outcome.retryData }) },
      };
      this.pending.push({ event, dueAt: this.clock.now() + retryAfter * 1000, attempts: delivery.attempts });
      this.schedule();
      return;
    }
    this.failed.push({
      event: delivery.event,
      attempts: delivery.attempts,
      reason: outcome.kind === 'retry' ? `Gave up after ${MAX_RETRIES} retries (${outcome.retryReason})` : outcome.reason,
      failedAt: this.clock.now(),
    });
  }

  /** Resolves once nothing is running and nothing is due now (later deliveries may still wait). */
  whenIdle(): Promise<void> {
    // Virtual time follows real time too, so a delivery may have fallen due since the last look.
    if (this.pending.some((d) => d.dueAt <= this.clock.now())) this.schedule();
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    // Virtual time follows real time too: a delivery may have fallen due while others ran, and with
    // no timer for a virtual clock nothing else would start it (waiters would wait for ever).
    if (this.running === 0 && !this.stopped && this.pending.some((d) => d.dueAt <= this.clock.now())) {
      this.schedule();
      return;
    }
    if (this.busy) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.pending.length = 0;
    this.notifyIdle();
  }
}

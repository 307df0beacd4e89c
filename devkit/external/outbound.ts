// Sends the reference ITSM's change events to Tandem's web trigger, signed, in order per record,
// retrying network errors, 5xx and 429 with backoff (never other 4xx). Every send is logged in the outbox.
import type { ChangeType } from './store';
import { signTandemRequest, TANDEM_SIGNATURE_HEADER } from './signing';

/** Tandem's inbound event format. */
export interface TandemEvent {
  eventId: string;
  type: ChangeType;
  occurredAt: string;
  record: {
    module: string;
    id: string;
    number: string;
    url: string;
    jiraIssueKey?: string;
    fields: Record<string, unknown>;
  };
  comment?: { id: string; author: { name: string; email?: string }; body: string };
}

export interface OutboundTarget {
  url: string;
  secret: string;
}

export interface SendAttempt {
  at: string;
  signature: string;
  /** The answer's status; absent when no answer came (network error). */
  status?: number;
  error?: string;
}

export interface OutboxEntry {
  eventId: string;
  type: ChangeType;
  /** `module/id`: sends for one record go out one after another. */
  recordKey: string;
  /** Null when no outbound URL was configured at the time of the change. */
  url: string | null;
  /** The exact bytes sent. */
  body: string;
  event: TandemEvent;
  attempts: SendAttempt[];
  state: 'queued' | 'sending' | 'delivered' | 'failed' | 'skipped' | 'cancelled' | 'dropped';
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [200, 1000];
const SEND_TIMEOUT_MS = 10_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** Event faults with the generator that draws them (see EventFaults in itsm.ts). */
export interface SenderFaults {
  duplicate?: number | undefined;
  reorder?: number | undefined;
  delayMaxMs?: number | undefined;
  drop?: number | undefined;
  random: () => number;
}

const DEFAULT_EVENT_DELAY_MAX_MS = 3_000;

export class OutboundSender {
  target: OutboundTarget | undefined;
  /** Events sent twice or out of order, on purpose. */
  faults: SenderFaults | undefined;
  private entries: OutboxEntry[] = [];
  private readonly chains = new Map<string, Promise<void>>();
  private abort = new AbortController();

  constructor(
    private readonly clock: () => number,
    /** One delay per retry: [200, 1000] means three tries in all. */
    public retryDelaysMs: readonly number[] = DEFAULT_RETRY_DELAYS_MS,
  ) {}

  get outbox(): readonly OutboxEntry[] {
    return this.entries;
  }

  /** `after`: the send waits for it (the API answer being written), without holding up other records. */
  enqueue(recordKey: string, event: TandemEvent, after: Promise<void> = Promise.resolve()): OutboxEntry {
    const target = this.target;
    const entry: OutboxEntry = {
      eventId: event.eventId,
      type: event.type,
      recordKey,
      url: target?.url ?? null,
      body: JSON.stringify(event),
      event,
      attempts: [],
      state: target ? 'queued' : 'skipped',
    };
    this.entries.push(entry);
    if (!target) return entry;
    const signal = this.abort.signal;
    const faults = this.faults;
    if (faults !== undefined && (faults.drop ?? 0) > 0 && faults.random() < (faults.drop ?? 0)) {
      // Lost on the way: logged, never sent.
      entry.state = 'dropped';
      return entry;
    }
    const delayMaxMs = faults?.delayMaxMs ?? DEFAULT_EVENT_DELAY_MAX_MS;
    const reordered = faults !== undefined && (faults.reorder ?? 0) > 0 && faults.random() < (faults.reorder ?? 0);
    const duplicated = faults !== undefined && (faults.duplicate ?? 0) > 0 && faults.random() < (faults.duplicate ?? 0);
    // A reordered event goes on its own after a random wait, so the record's later events may overtake it.
    const key = reordered ? `${recordKey}#${entry.eventId}` : recordKey;
    const wait = reordered && faults ? Math.floor(faults.random() * delayMaxMs) : 0;
    const previous = reordered ? Promise.resolve() : (this.chains.get(recordKey) ?? Promise.resolve());
    const next = Promise.all([previous, after])
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => sleep(wait, signal))
      .then(() => this.deliver(entry, target, signal));
    this.track(key, next);
    if (duplicated && faults) {
      const again = Math.floor(faults.random() * delayMaxMs);
      // The same event once more, as a tool resends when it did not get the first answer; later
      // events of the record do not wait for it.
      this.track(`${recordKey}#again#${entry.eventId}`, next.then(() => sleep(again, signal)).then(() => this.deliver(entry, target, signal)));
    }
    return entry;
  }

  private track(key: string, send: Promise<void>): void {
    this.chains.set(key, send);
    void send.then(() => {
      if (this.chains.get(key) === send) this.chains.delete(key);
    });
  }

  /** True while an event waits to go out or is being sent. */
  get busy(): boolean {
    return this.chains.size > 0;
  }

  /** Resolves when every queued send has been delivered, has failed for good or was cancelled. */
  async whenIdle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** Cancels sends in flight and waiting, and forgets the outbox. */
  async reset(): Promise<void> {
    this.abort.abort();
    await this.whenIdle();
    this.abort = new AbortController();
    this.entries = [];
  }

  /** Cancels what is queued; for shutting down. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.whenIdle();
  }

  private async deliver(entry: OutboxEntry, target: OutboundTarget, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) {
        entry.state = 'cancelled';
        return;
      }
      entry.state = 'sending';
      const signature = signTandemRequest(target.secret, entry.body, this.clock() / 1000);
      const record: SendAttempt = { at: new Date(this.clock()).toISOString(), signature };
      entry.attempts.push(record);
      let retryable: boolean;
      try {
        const response = await fetch(target.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', [TANDEM_SIGNATURE_HEADER]: signature },
          body: entry.body,
          signal: AbortSignal.any([signal, AbortSignal.timeout(SEND_TIMEOUT_MS)]),
        });
        await response.arrayBuffer();
        record.status = response.status;
        if (response.ok) {
          entry.state = 'delivered';
          return;
        }
        retryable = response.status >= 500 || response.status === 429;
      } catch (error) {
        record.error = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
        retryable = true;
      }
      const delay = this.retryDelaysMs[attempt];
      if (!retryable || delay === undefined) {
        entry.state = signal.aborted ? 'cancelled' : 'failed';
        return;
      }
      await sleep(delay, signal);
    }
  }
}

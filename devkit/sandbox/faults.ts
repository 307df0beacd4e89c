// Faults of the platform around Tandem, for the sandbox and the chaos run: Jira's product events
// delivered late, twice, out of order or not at all, and Tandem's functions dying between a tool write and their
// storage write. The tool's own faults live in the reference ITSM (`/itsm/__control/faults`), Jira's
// rate limits in the Jira simulator (`/jira/__control/faults`).
//
// Forge hands product events to a trigger asynchronously, retries them (app and platform level
// errors: https://developer.atlassian.com/platform/forge/events-reference/product_events/, "Retry
// product events"), and Tandem does not count on one arriving once, in order or at once
// (docs/architecture.md, "Current values"). The emulator's holdProductEvents / deliverProductEvent
// let a test do that by hand; this does it at random, seeded, for as long as it is switched on.
import { z } from 'zod';
import type { ForgeEmulator } from '../forge/emulator';
import type { PlatformClock } from '../forge/clock';
import type { ProductEvent } from '../jira/types';
import { seededRandom } from '../external/itsm';

const share = z.number().min(0).max(1);

export const platformFaultsSchema = z.strictObject({
  productEvents: z
    .strictObject({
      /** Share of product events delivered late, after up to `maxDelayMs` (later events overtake them). */
      late: share.optional(),
      /** Share of product events delivered twice, the copy up to `maxDelayMs` later. */
      duplicate: share.optional(),
      maxDelayMs: z.number().int().min(0).max(900_000).optional(),
      /** Share of product events lost (never delivered): only Tandem's reconciliation sweep finds those changes. */
      drop: share.optional(),
    })
    .optional(),
  /** Share of Tandem invocations that die at their first storage write after a tool write (or, with `after: 'tool-or-jira-write'`, a Jira write too). */
  crashes: z
    .strictObject({ rate: share.optional(), next: z.number().int().min(0).max(1000).optional(), after: z.enum(['tool-write', 'tool-or-jira-write']).optional() })
    .optional(),
  seed: z.number().int().optional(),
});
export type PlatformFaultsInput = z.input<typeof platformFaultsSchema>;
export type PlatformFaultSettings = z.output<typeof platformFaultsSchema>;

const DEFAULT_MAX_DELAY_MS = 8_000;

interface HeldEvent {
  event: ProductEvent;
  dueAt: number;
}

/** Holds Jira's product events and hands them to Tandem's triggers late, twice or out of order. */
export class ProductEventFaults {
  private held: HeldEvent[] = [];
  private late = 0;
  private duplicate = 0;
  private maxDelayMs = DEFAULT_MAX_DELAY_MS;
  private active = false;
  private timer: NodeJS.Timeout | undefined;
  /** Events delivered late and twice so far, for the record. */
  readonly counts = { delivered: 0, late: 0, duplicated: 0 };

  constructor(
    private readonly emulator: ForgeEmulator,
    private readonly clock: PlatformClock,
    private random: () => number = seededRandom(1),
  ) {}

  set(settings: NonNullable<PlatformFaultSettings['productEvents']>, random?: () => number): void {
    if (random) this.random = random;
    this.late = settings.late ?? 0;
    this.duplicate = settings.duplicate ?? 0;
    this.maxDelayMs = settings.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    if (!this.active) {
      this.active = true;
      this.emulator.holdProductEvents();
    }
    // With a real clock nobody else moves time on, so held events are handed over on a timer.
    if (!this.clock.virtual && !this.timer) {
      this.timer = setInterval(() => this.pump(), 50);
      this.timer.unref();
    }
  }

  get settings(): { late: number; duplicate: number; maxDelayMs: number } | undefined {
    return this.active ? { late: this.late, duplicate: this.duplicate, maxDelayMs: this.maxDelayMs } : undefined;
  }

  /** Events held back and not yet delivered. */
  get pending(): number {
    return this.held.length;
  }

  /** When the next held event falls due (epoch ms), if any. */
  nextDueAt(): number | undefined {
    return this.held.reduce<number | undefined>((min, h) => (min === undefined || h.dueAt < min ? h.dueAt : min), undefined);
  }

  /** Takes the events Jira emitted since the last look and delivers those that are due. */
  pump(): void {
    if (!this.active) return;
    const now = this.clock.now();
    for (const event of this.emulator.releaseProductEvents()) {
      const late = this.random() < this.late;
      this.held.push({ event, dueAt: late ? now + Math.floor(this.random() * this.maxDelayMs) : now });
      if (late) this.counts.late += 1;
      if (this.random() < this.duplicate) {
        this.held.push({ event, dueAt: now + Math.floor(this.random() * this.maxDelayMs) });
        this.counts.duplicated += 1;
      }
    }
    this.emulator.holdProductEvents();
    const due = this.held.filter((h) => h.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
    this.held = this.held.filter((h) => h.dueAt > now);
    for (const { event } of due) {
      this.counts.delivered += 1;
      this.emulator.deliverProductEvent(event);
    }
  }

  /** Stops holding: everything held is delivered now, in due order, and later events go straight through. */
  clear(): void {
    if (!this.active) return;
    this.pump();
    const rest = this.held.sort((a, b) => a.dueAt - b.dueAt);
    this.held = [];
    for (const event of this.emulator.releaseProductEvents()) rest.push({ event, dueAt: 0 });
    this.active = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const { event } of rest) {
      this.counts.delivered += 1;
      this.emulator.deliverProductEvent(event);
    }
  }
}

/** The platform faults of one sandbox: product events and crashes (Jira's 429s: /jira/__control/faults). */
export class PlatformFaults {
  readonly productEvents: ProductEventFaults;
  private current: PlatformFaultSettings = {};

  constructor(
    private readonly emulator: ForgeEmulator,
    clock: PlatformClock,
  ) {
    this.productEvents = new ProductEventFaults(emulator, clock);
  }

  /** Replaces every platform fault with these (absent parts are switched off). */
  set(input: unknown): PlatformFaultSettings {
    const settings = platformFaultsSchema.parse(input);
    const random = seededRandom(settings.seed ?? 1);
    if (settings.productEvents) this.productEvents.set(settings.productEvents, random);
    else this.productEvents.clear();
    this.emulator.dropProductEvents(settings.productEvents?.drop ?? 0, random);
    if (settings.crashes) this.emulator.crashes.set({ ...settings.crashes, random });
    else this.emulator.crashes.clear();
    this.current = settings;
    return settings;
  }

  clear(): void {
    this.set({});
  }

  get settings(): PlatformFaultSettings {
    return this.current;
  }
}

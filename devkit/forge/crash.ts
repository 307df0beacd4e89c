// Fault injection: an invocation that dies between a write to the external tool and its next
// storage write, as a function does when its runtime runs out of memory or is stopped mid-way. The
// tool has the change; storage never hears of it; nothing after that point of the function runs.
//
// What the platform then does follows what it does for a function that did not finish: a web
// trigger's caller gets Forge's 500, and a trigger or queue consumer is retried as the platform
// retries its own errors (https://developer.atlassian.com/platform/forge/events-reference/product_events/,
// "Retry platform level errors"), with the reason @forge/events names for a runtime that died
// (`InvocationErrorCode.FUNCTION_OUT_OF_MEMORY`), within the same limit of retries as a timeout.

/** KVS operations that change storage (paths of @forge/kvs's `__forge_fetch__` calls). */
const KVS_WRITES = new Set([
  '/api/v1/set',
  '/api/v1/delete',
  '/api/v1/batch/set',
  '/api/v1/batch/delete',
  '/api/v1/transaction',
  '/api/v1/secret/set',
  '/api/v1/secret/delete',
  '/api/v1/entity/set',
  '/api/v1/entity/delete',
]);

export const CRASH_RETRY_REASON = 'FUNCTION_OUT_OF_MEMORY';

export function isKvsWrite(path: string): boolean {
  return KVS_WRITES.has(path.split('?')[0] ?? path);
}

export interface CrashSettings {
  /** 0..1: share of invocations that die at their first storage write after a tool write. */
  rate?: number | undefined;
  /** The next this many such invocations die there, whatever the rate. */
  next?: number | undefined;
  /** Draws the rate; a seeded generator makes runs repeat. Default Math.random. */
  random?: () => number;
  /**
   * What write comes before the death: the tool's (the default), or a Jira write too (an issue
   * created from a record, whose link is never saved). Jira's searches by POST are reads.
   */
  after?: 'tool-write' | 'tool-or-jira-write' | undefined;
  /** Only invocations of this function die (e.g. `on-bulk-step`); others are not weighed. */
  functionKey?: string;
}

export interface CrashRecord {
  functionKey: string;
  moduleKey: string;
  /** The storage operation that never ran. */
  kvsPath: string;
  /** Epoch ms on the platform's clock. */
  at: number;
}

export class CrashControl {
  readonly crashed: CrashRecord[] = [];
  private rate = 0;
  private next = 0;
  private random: () => number = Math.random;
  private after: NonNullable<CrashSettings['after']> = 'tool-write';
  private functionKey: string | undefined;

  set(settings: CrashSettings): void {
    this.rate = settings.rate ?? 0;
    this.next = settings.next ?? 0;
    this.after = settings.after ?? 'tool-write';
    this.functionKey = settings.functionKey;
    if (settings.random) this.random = settings.random;
  }

  clear(): void {
    this.rate = 0;
    this.next = 0;
    this.after = 'tool-write';
    this.functionKey = undefined;
  }

  /** Whether an invocation of this function that wrote this is weighed at its next storage write. */
  weighs(functionKey: string, wrote: { tool: boolean; jira: boolean }): boolean {
    if (this.functionKey !== undefined && functionKey !== this.functionKey) return false;
    return wrote.tool || (this.after === 'tool-or-jira-write' && wrote.jira);
  }

  get settings(): { rate: number; next: number } {
    return { rate: this.rate, next: this.next };
  }

  /** Asked once per invocation, at its first storage write after a tool write. */
  shouldCrash(): boolean {
    if (this.next > 0) {
      this.next -= 1;
      return true;
    }
    return this.rate > 0 && this.random() < this.rate;
  }
}

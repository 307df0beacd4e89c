// What the app asked of the platform: tests assert on it and bench/ prints it.

export interface InvocationRecord {
  invocationId: string;
  moduleKey: string;
  functionKey: string;
  kind: 'trigger' | 'webtrigger' | 'consumer' | 'resolver';
  startedAt: number;
  /** When it started on the platform's clock (virtual in tests), as Jira and the tool date what they do. */
  at: number;
  durationMs: number;
  outcome: 'ok' | 'error' | 'retry' | 'timeout';
  error?: string;
}

export class PlatformCalls {
  /** Jira REST calls by `METHOD /path/{template}`. */
  readonly jira = new Map<string, number>();
  /** KVS operations by kind (a batch of 25 keys is one operation). */
  readonly kvs = new Map<string, number>();
  /** Queue pushes and the events they carried. */
  queuePushes = 0;
  queueEvents = 0;
  /** Requests to external hosts by `METHOD host`. */
  readonly egress = new Map<string, number>();

  count(map: Map<string, number>, key: string, by = 1): void {
    map.set(key, (map.get(key) ?? 0) + by);
  }

  total(map: Map<string, number>): number {
    let sum = 0;
    for (const n of map.values()) sum += n;
    return sum;
  }

  reset(): void {
    this.jira.clear();
    this.kvs.clear();
    this.egress.clear();
    this.queuePushes = 0;
    this.queueEvents = 0;
  }

  snapshot(): { jira: Record<string, number>; kvs: Record<string, number>; queuePushes: number; queueEvents: number; egress: Record<string, number> } {
    return {
      jira: Object.fromEntries(this.jira),
      kvs: Object.fromEntries(this.kvs),
      queuePushes: this.queuePushes,
      queueEvents: this.queueEvents,
      egress: Object.fromEntries(this.egress),
    };
  }
}

// Jira Cloud's rate limits as the simulator answers them: the switchable limits a test or the
// sandbox turns on (burst, hourly quota, 503) and the per-issue write limit, which is always on.
//
// What Jira sends, from https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ (points-based
// limits, enforced since 2 March 2026):
// - a 429 names its limit in `RateLimit-Reason`: `jira-burst-based`, `jira-quota-global-based`,
//   `jira-quota-tenant-based` or `jira-per-issue-on-write`;
// - it usually carries `Retry-After` (seconds); some 429s lack it and give `X-RateLimit-Reset` (an ISO
//   time, `yyyy-MM-ddTHH:mmZ`) instead;
// - hourly quota answers also carry the beta quota headers `Beta-RateLimit-Policy` (`q=<points>;w=3600`)
//   and `Beta-RateLimit` (`r=<points left>;t=<seconds to reset>`), and they last until the hour resets;
// - some 503s (a resource limit) carry `Retry-After` and are to be handled the same way.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { JiraError } from './http';

export const RATE_LIMIT_REASONS = ['jira-burst-based', 'jira-quota-global-based', 'jira-quota-tenant-based', 'jira-per-issue-on-write'] as const;
export type RateLimitReason = (typeof RATE_LIMIT_REASONS)[number];

/** Tier 1 of the hourly points quota an app gets (shared by all its installations). */
const QUOTA_POINTS_PER_HOUR = 65_000;

export const rateLimitSettingsSchema = z.strictObject({
  /**
   * What Jira answers: `429` (a burst or per-issue 429 with `Retry-After`), `429-reset-only` (a 429
   * with `X-RateLimit-Reset` and no `Retry-After`), `quota` (the hourly quota: every request is refused
   * until the reset), `503` (service unavailable, with `Retry-After` unless `retryAfterSeconds` is 0).
   */
  kind: z.enum(['429', '429-reset-only', 'quota', '503']).default('429'),
  /** Every Nth request (counted from this call) is refused; 1 (every request) when absent. Not for `quota`. */
  every: z.number().int().min(1).default(1),
  /** Seconds until the limit lifts: `Retry-After`, or the reset time of `429-reset-only` and `quota`. */
  retryAfterSeconds: z.number().int().min(0).max(24 * 3600).default(5),
  reason: z.enum(RATE_LIMIT_REASONS).optional(),
});

export type RateLimitSettings = z.input<typeof rateLimitSettingsSchema>;
type Settings = z.output<typeof rateLimitSettingsSchema>;

/** Switches for Jira's rate limits: the scripted one is off by default, the per-issue write limit on. */
export class RateLimitControl {
  /** Jira's per-issue write limit (20 writes in 2 s, 100 in 30 s, on the simulator's clock). */
  perIssueWrites = true;
  private settings: (Settings & { since: number }) | undefined;
  private counted = 0;

  constructor(private readonly now: () => number) {}

  /** Turns a limit on (replacing any other); throws a ZodError for settings Jira could not send. */
  set(input: RateLimitSettings): void {
    const settings = rateLimitSettingsSchema.parse(input);
    this.settings = { ...settings, since: this.now() };
    this.counted = 0;
  }

  clear(): void {
    this.settings = undefined;
    this.counted = 0;
  }

  /** What is switched on, for the control API. */
  state(): (Settings & { until?: string }) | null {
    if (!this.settings) return null;
    const { since, ...settings } = this.settings;
    return settings.kind === 'quota' ? { ...settings, until: new Date(since + settings.retryAfterSeconds * 1000).toISOString() } : settings;
  }

  /** Counts a request; returns the refusal to answer when a switched-on limit hits it. */
  check(): JiraError | undefined {
    const s = this.settings;
    if (!s) return undefined;
    const now = this.now();
    if (s.kind === 'quota') {
      // The quota stays spent until its reset, however many requests come meanwhile.
      const resetAt = s.since + s.retryAfterSeconds * 1000;
      if (now >= resetAt) {
        this.clear();
        return undefined;
      }
      return quotaExceeded(resetAt, now, s.reason ?? 'jira-quota-global-based');
    }
    this.counted += 1;
    if (this.counted % s.every !== 0) return undefined;
    if (s.kind === '503') {
      return new JiraError(503, ['Service unavailable. Try again later.'], {}, { date: httpDate(now), ...(s.retryAfterSeconds > 0 ? { 'retry-after': String(s.retryAfterSeconds) } : {}) });
    }
    if (s.kind === '429-reset-only') {
      return new JiraError(429, ['Rate limit exceeded.'], {}, { date: httpDate(now), 'x-ratelimit-reset': resetStamp(now + s.retryAfterSeconds * 1000), 'ratelimit-reason': s.reason ?? 'jira-burst-based' });
    }
    return rateLimited(s.retryAfterSeconds, s.reason ?? 'jira-burst-based', now);
  }
}

/** A 429 with `Retry-After` (and `X-RateLimit-Reset`, as Jira sends both when it can). */
export function rateLimited(retryAfterSeconds: number, reason: RateLimitReason, now?: number): JiraError {
  return new JiraError(429, ['Rate limit exceeded.'], {}, {
    'retry-after': String(retryAfterSeconds),
    'ratelimit-reason': reason,
    ...(now === undefined ? {} : { date: httpDate(now), 'x-ratelimit-reset': resetStamp(now + retryAfterSeconds * 1000) }),
  });
}

function quotaExceeded(resetAt: number, now: number, reason: RateLimitReason): JiraError {
  const seconds = Math.max(1, Math.ceil((resetAt - now) / 1000));
  return new JiraError(429, ['Rate limit exceeded.'], {}, {
    date: httpDate(now),
    'retry-after': String(seconds),
    'ratelimit-reason': reason,
    'x-ratelimit-reset': resetStamp(resetAt),
    'beta-ratelimit-policy': `q=${QUOTA_POINTS_PER_HOUR};w=3600`,
    'beta-ratelimit': `r=0;t=${seconds}`,
  });
}

/** The `Date` every Jira answer carries, on the simulator's clock (a reset time is read against it). */
function httpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}

/**
 * `X-RateLimit-Reset` as Jira writes it: an ISO 8601 time to the minute (`yyyy-MM-ddTHH:mmZ`), rounded
 * up so that waiting until it is never too early.
 */
function resetStamp(epochMs: number): string {
  const minute = Math.ceil(epochMs / 60_000) * 60_000;
  return `${new Date(minute).toISOString().slice(0, 16)}Z`;
}

/**
 * The control API over HTTP, next to the tool's own (`…/__control/faults`): `GET` says what is on,
 * `POST` a JSON body of RateLimitSettings turns a limit on, `DELETE` turns it off. For tests and demos.
 */
export function rateLimitControlRoute(control: RateLimitControl, path: string): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    if (new URL(req.url ?? '/', 'http://control.invalid').pathname.replace(/\/+$/, '') !== path) return false;
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const method = req.method ?? 'GET';
    if (method === 'GET') send(200, { faults: control.state() });
    else if (method === 'DELETE') {
      control.clear();
      send(200, { faults: null });
    } else if (method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      let raw: unknown;
      try {
        raw = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        raw = undefined;
      }
      const parsed = rateLimitSettingsSchema.safeParse(raw);
      if (!parsed.success) {
        send(400, { error: { message: `Invalid faults: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}` } });
        return true;
      }
      control.set(parsed.data);
      send(200, { faults: control.state() });
    } else send(405, { error: { message: 'Use GET, POST or DELETE' } });
    return true;
  };
}

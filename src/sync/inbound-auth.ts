// Who may call the inbound web trigger: a request signed with the connection's inbound secret
// (HMAC-SHA256 over "<t>.<raw body>", at most 5 minutes off), or, for tools that can only send a
// fixed header, that secret as a bearer token. Comparisons take the same time whatever matches, and
// during a rotation the previous secret is accepted too. Pure: the secrets are handed in.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/** How far the signed time may be from now, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
export const SIGNATURE_HEADER = 'x-tandem-signature';

export interface ParsedSignature {
  timestamp: number;
  /** Every v1 value the header carries (a tool may sign with two secrets while rotating). */
  signatures: Buffer[];
}

/** Why a request was refused; for the admin's health record only, never for the caller. */
export type AuthRefusal = 'missing-credentials' | 'malformed-credentials' | 'stale-timestamp' | 'wrong-credentials' | 'no-secret';

export type AuthResult = { ok: true; secret: 'current' | 'previous' } | { ok: false; reason: AuthRefusal };

/** Reads `t=<unix seconds>,v1=<64 hex>[,v1=…]`; anything else is malformed. */
export function parseSignatureHeader(header: string): ParsedSignature | undefined {
  if (header.length > 1000) return undefined;
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't') {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
      timestamp = Number(value);
    } else if (name === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return undefined;
      signatures.push(Buffer.from(value, 'hex'));
    }
    // Other schemes (v0, v2…) are ignored, so a tool can add one later without breaking this one.
  }
  if (timestamp === undefined || signatures.length === 0 || signatures.length > 4) return undefined;
  return { timestamp, signatures };
}

/** The signature a tool sends: hex HMAC-SHA256(secret, "<t>.<raw body>"). */
export function signatureOf(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody, 'utf8').digest('hex');
}

/** The header value for a body, as a tool would build it (tests and docs use it). */
export function signatureHeader(secret: string, rawBody: string, timestamp: number): string {
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, rawBody)}`;
}

function secretsOf(current: string | undefined, previous: string | undefined): Array<{ which: 'current' | 'previous'; secret: string }> {
  const out: Array<{ which: 'current' | 'previous'; secret: string }> = [];
  if (current) out.push({ which: 'current', secret: current });
  if (previous) out.push({ which: 'previous', secret: previous });
  return out;
}

export function verifyHmac(input: {
  header: string | undefined;
  rawBody: string;
  nowSeconds: number;
  current: string | undefined;
  previous: string | undefined;
}): AuthResult {
  const secrets = secretsOf(input.current, input.previous);
  if (secrets.length === 0) return { ok: false, reason: 'no-secret' };
  if (input.header === undefined || input.header.trim() === '') return { ok: false, reason: 'missing-credentials' };
  const parsed = parseSignatureHeader(input.header);
  if (!parsed) return { ok: false, reason: 'malformed-credentials' };
  if (Math.abs(input.nowSeconds - parsed.timestamp) > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'stale-timestamp' };
  let matched: 'current' | 'previous' | undefined;
  // Every secret against every signature, so the time taken says nothing about which one matched.
  for (const { which, secret } of secrets) {
    const expected = Buffer.from(signatureOf(secret, parsed.timestamp, input.rawBody), 'hex');
    for (const signature of parsed.signatures) {
      if (timingSafeEqual(expected, signature) && matched === undefined) matched = which;
    }
  }
  return matched ? { ok: true, secret: matched } : { ok: false, reason: 'wrong-credentials' };
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export function verifyBearer(input: { header: string | undefined; current: string | undefined; previous: string | undefined }): AuthResult {
  const secrets = secretsOf(input.current, input.previous);
  if (secrets.length === 0) return { ok: false, reason: 'no-secret' };
  if (input.header === undefined || input.header.trim() === '') return { ok: false, reason: 'missing-credentials' };
  const match = /^Bearer[ \t]+(\S{1,4096})[ \t]*$/i.exec(input.header);
  if (!match?.[1]) return { ok: false, reason: 'malformed-credentials' };
  // Digests have equal lengths whatever the token, so the comparison leaks neither length nor content.
  const given = digest(match[1]);
  let matched: 'current' | 'previous' | undefined;
  for (const { which, secret } of secrets) {
    if (timingSafeEqual(digest(secret), given) && matched === undefined) matched = which;
  }
  return matched ? { ok: true, secret: matched } : { ok: false, reason: 'wrong-credentials' };
}

export const AUTH_REFUSAL_TEXT: Record<AuthRefusal, string> = {
  'missing-credentials': 'A request came without a signature or token',
  'malformed-credentials': 'A request came with a signature or token Tandem could not read',
  'stale-timestamp': 'A request came with a signature more than 5 minutes from now (check the tool’s clock)',
  'wrong-credentials': 'A request came with a signature or token that matches no inbound secret',
  'no-secret': 'A request came, but no inbound secret is set for this connection',
};

/** Why calls naming no configured connection are refused (the id a call named is kept apart, never in the reason). */
export const NAMED_NO_CONNECTION = 'A call named no connection in its URL';
export const NAMED_UNKNOWN_CONNECTION = 'A call named a connection that is not configured';

/**
 * A retired secret is kept this long (in secret storage, accepted by nothing) only so that calls
 * still signed with it are listed as "retired secret" rather than as a stranger's.
 */
export const RETIRED_SECRET_MS = 30 * 24 * 60 * 60 * 1000;
const retiredSchema = z.object({ secret: z.string().min(1), retiredAt: z.string() });
export type RetiredSecret = z.infer<typeof retiredSchema>;

/** What secret storage holds for a retired secret. */
export function retiredSecretValue(secret: string, retiredAtMs: number): string {
  return JSON.stringify({ secret, retiredAt: new Date(retiredAtMs).toISOString() });
}

/** The retired secret, while it is recent enough to be worth telling apart. */
export function readRetiredSecret(value: string | undefined, nowMs: number): RetiredSecret | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = retiredSchema.safeParse(JSON.parse(value) as unknown);
    if (!parsed.success || nowMs - Date.parse(parsed.data.retiredAt) > RETIRED_SECRET_MS) return undefined;
    return parsed.data;
  } catch {
    return undefined;
  }
}

export function retiredSecretReason(retiredAt: string): string {
  return `A request came signed with the inbound secret retired on ${retiredAt.slice(0, 10)}: the tool still uses it; give it the current secret`;
}

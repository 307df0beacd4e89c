// Signatures the reference ITSM uses: Tandem's inbound format (X-Tandem-Signature) for the events it
// sends, and Jira's X-Hub-Signature for the webhooks it receives. Tandem's own tests sign with these too.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TANDEM_SIGNATURE_HEADER = 'X-Tandem-Signature';
export const HUB_SIGNATURE_HEADER = 'X-Hub-Signature';

function hmacHex(secret: string, data: string | Buffer): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

/** Equal-length hex strings compared in constant time; anything else is unequal. */
function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length || !/^[0-9a-f]*$/i.test(a)) return false;
  return timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`: the X-Tandem-Signature value. */
export function signTandemRequest(secret: string, body: string, nowSeconds: number): string {
  const t = Math.floor(nowSeconds);
  return `t=${t},v1=${hmacHex(secret, `${t}.${body}`)}`;
}

/** Checks an X-Tandem-Signature value; a timestamp further than `toleranceSeconds` from now fails. */
export function verifyTandemSignature(
  secret: string,
  body: string,
  header: string | undefined,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (header === undefined) return false;
  const parts = new Map<string, string[]>();
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    parts.set(name, [...(parts.get(name) ?? []), part.slice(eq + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = hmacHex(secret, `${t}.${body}`);
  // Several v1 values are allowed so a secret can be rotated.
  return (parts.get('v1') ?? []).some((v) => sameHex(v, expected));
}

/** `sha256=<hex HMAC-SHA256(secret, raw body)>`, as Jira Cloud signs webhooks. */
export function signHubSignature(secret: string, body: string | Buffer): string {
  return `sha256=${hmacHex(secret, body)}`;
}

export function verifyHubSignature(secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false;
  return sameHex(header.slice('sha256='.length), hmacHex(secret, body));
}

// A push URL often carries the tool's key (an incident tool's `?integration_key=…`): whoever has the
// URL can post to the tool. Such a URL is a secret: Forge secret storage holds it, and the
// configuration keeps it with every key replaced by a mask, for the page to show and for export.

export const PUSH_URL_MASK = '****';

/** Query values and a password are what a URL can carry a key in. */
function keyedParts(url: URL): { params: string[]; password: boolean } {
  return { params: [...new Set([...url.searchParams.keys()])], password: url.password !== '' || url.username !== '' };
}

/** True when the URL carries something that is not masked yet: it must go to secret storage. */
export function pushUrlCarriesKey(address: string): boolean {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return false;
  }
  const parts = keyedParts(url);
  if (parts.password && url.password !== PUSH_URL_MASK) return true;
  return [...url.searchParams.values()].some((value) => value !== PUSH_URL_MASK);
}

/** The URL as the page shows it: the same address with each query value and any credentials masked. */
export function maskPushUrl(address: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return address;
  }
  const masked = new URL(`${url.origin}${url.pathname}`);
  if (url.username !== '' || url.password !== '') {
    masked.username = PUSH_URL_MASK;
    masked.password = PUSH_URL_MASK;
  }
  for (const name of keyedParts(url).params) masked.searchParams.set(name, PUSH_URL_MASK);
  return masked.toString();
}

/** True when the address is a masked one: the real URL is in secret storage (or, after an import, still to be set). */
export function isMaskedPushUrl(address: string): boolean {
  try {
    const url = new URL(address);
    return url.password === PUSH_URL_MASK || [...url.searchParams.values()].some((value) => value === PUSH_URL_MASK);
  } catch {
    return false;
  }
}

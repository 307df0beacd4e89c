// Forge egress rules: an entry is a host, `*.host` (subdomains only, not host itself), a URL or `*`.

export function egressAllows(entries: readonly string[], url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return entries.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (entry === '*') return true;
    let pattern = entry;
    let scheme: string | undefined;
    const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//.exec(entry);
    if (schemeMatch) {
      scheme = schemeMatch[1];
      pattern = entry.slice(schemeMatch[0].length);
    }
    pattern = pattern.replace(/[/:].*$/, '');
    if (scheme && `${scheme}:` !== url.protocol) return false;
    if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host !== pattern.slice(2);
    return host === pattern;
  });
}

/** The error Forge's runtime raises for a fetch to a host the manifest does not allow. */
export function egressDeniedError(url: string): Error {
  const error = new Error(
    `URL not included in the external fetch backend permissions: ${url}. Visit go.atlassian.com/forge-egress for more information.`,
  );
  error.name = 'REQUEST_EGRESS_ALLOWLIST_ERR';
  return error;
}

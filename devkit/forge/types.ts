// Shapes shared by the Forge emulator and the pieces that plug into it.

/** What a Custom UI page's `invoke(functionKey, payload)` becomes on the emulator side. */
export interface ResolverCall {
  /** The manifest module whose page made the call, e.g. `tandem-admin`. */
  moduleKey: string;
  /** The resolver definition key the page passed to `invoke`, e.g. `getConfig`. */
  functionKey: string;
  payload: unknown;
  /** The Jira user the page is shown to. */
  accountId: string;
  /** The issue the page is shown on (jira:issueContext, jira:issueAction); absent elsewhere. */
  issueKey?: string;
}

/** Resolves with the resolver's return value; rejects with an Error whose message the bridge passes to the page. */
export type ResolverInvoker = (call: ResolverCall) => Promise<unknown>;

/** The context object `view.getContext()` returns to a page (subset of what Jira provides). */
export interface PageContext {
  accountId: string;
  cloudId: string;
  siteUrl: string;
  localId: string;
  locale: string;
  timezone: string;
  moduleKey: string;
  environmentId: string;
  environmentType: 'DEVELOPMENT' | 'STAGING' | 'PRODUCTION';
  extension: Record<string, unknown>;
  theme?: { colorMode: 'light' | 'dark' };
}

// The admin page's backend entry: @forge/resolver, wrapped so handlers never import @forge/* themselves.
import Resolver from '@forge/resolver';

export interface ResolverRequest {
  payload: unknown;
  /** The Jira user calling from the page; absent only if Forge could not tell. */
  accountId: string | undefined;
}

export type ResolverHandler = (request: ResolverRequest) => Promise<unknown>;

export function makeResolver(handlers: Record<string, ResolverHandler>): ReturnType<Resolver['getDefinitions']> {
  const resolver = new Resolver();
  for (const [name, handler] of Object.entries(handlers)) {
    resolver.define(name, async ({ payload, context }) => {
      const accountId = (context as { accountId?: unknown }).accountId;
      return (await handler({ payload, accountId: typeof accountId === 'string' ? accountId : undefined })) as never;
    });
  }
  return resolver.getDefinitions();
}

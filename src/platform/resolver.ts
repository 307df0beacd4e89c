// The admin page's backend entry: @forge/resolver, wrapped so handlers never import @forge/* themselves.
import Resolver from '@forge/resolver';

export interface ResolverRequest {
  payload: unknown;
  /** The Jira user calling from the page; absent only if Forge could not tell. */
  accountId: string | undefined;
  /**
   * Where the page is shown, as Forge puts it in the resolver's context (`context.extension`: for
   * jira:issueContext and jira:issueAction, `{type, issue: {id, key, type, typeId}, project: {id, key, type}}`).
   * Never trust the payload for this: the page could send any issue.
   */
  extension: unknown;
}

export type ResolverHandler = (request: ResolverRequest) => Promise<unknown>;

export function makeResolver(handlers: Record<string, ResolverHandler>): ReturnType<Resolver['getDefinitions']> {
  const resolver = new Resolver();
  for (const [name, handler] of Object.entries(handlers)) {
    resolver.define(name, async ({ payload, context }) => {
      const { accountId, extension } = context as { accountId?: unknown; extension?: unknown };
      return (await handler({ payload, accountId: typeof accountId === 'string' ? accountId : undefined, extension })) as never;
    });
  }
  return resolver.getDefinitions();
}

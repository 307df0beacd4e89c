// The one place the pages invoke the backend. The resolver's name picks the payload and the
// answer from src/contract, so a payload cannot drift from what the resolver parses. Every answer
// is `{ok: true, …}` or `{ok: false, error: {code, message}}`: a call that never reached the
// resolver (the bridge or the network failed) comes back the same way, with code FAILED, so a
// page handles one shape and decides by the code. The issue page's calls go through `invokeResolver` too.
import { invoke } from '@forge/bridge';
import type { AdminCallName, AdminCalls, AdminFailure } from '../../../src/contract/admin';

export type AdminRequest<K extends AdminCallName> = AdminCalls[K]['request'];
export type AdminAnswer<K extends AdminCallName> = AdminCalls[K]['response'];

/** Calls whose payload has nothing required may leave it out. */
type Payload<K extends AdminCallName> = Record<string, never> extends AdminRequest<K> ? [payload?: AdminRequest<K>] : [payload: AdminRequest<K>];

/** Invokes one resolver function; a call the bridge could not make answers FAILED instead of throwing. */
export async function invokeResolver<Answer>(name: string, payload: object): Promise<Answer | AdminFailure> {
  try {
    // Without `metadata` the bridge resolves with the resolver's return value itself.
    return (await invoke<Answer>(name, payload as Record<string, never>)) as Answer;
  } catch (error) {
    return {
      ok: false,
      error: { code: 'FAILED', message: `Tandem could not be reached just now (${error instanceof Error ? error.message : String(error)}). Try again.` },
    };
  }
}

export async function call<K extends AdminCallName>(name: K, ...[payload]: Payload<K>): Promise<AdminAnswer<K>> {
  // The contract checks that every answer may be such a failure.
  return (await invokeResolver<AdminAnswer<K>>(name, payload ?? {})) as AdminAnswer<K>;
}

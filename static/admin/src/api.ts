// The one place the admin page invokes the backend. The resolver's name picks the payload and the
// answer from src/contract, so a payload cannot drift from what the resolver parses. Every answer
// is `{ok: true, …}` or `{ok: false, error: {code, message}}`: a call that never reached the
// resolver (the bridge or the network failed) comes back the same way, with code FAILED, so the
// page handles one shape and decides by the code.
import { invoke } from '@forge/bridge';
import type { AdminCallName, AdminCalls, AdminFailure } from '../../../src/contract/admin';

export type AdminRequest<K extends AdminCallName> = AdminCalls[K]['request'];
export type AdminAnswer<K extends AdminCallName> = AdminCalls[K]['response'];

/** Calls whose payload has nothing required may leave it out. */
type Payload<K extends AdminCallName> = Record<string, never> extends AdminRequest<K> ? [payload?: AdminRequest<K>] : [payload: AdminRequest<K>];

export async function call<K extends AdminCallName>(name: K, ...[payload]: Payload<K>): Promise<AdminAnswer<K>> {
  try {
    // Without `metadata` the bridge resolves with the resolver's return value itself.
    return (await invoke<AdminAnswer<K>>(name, (payload ?? {}) as Record<string, never>)) as AdminAnswer<K>;
  } catch (error) {
    const failed: AdminFailure = {
      ok: false,
      error: { code: 'FAILED', message: `Tandem could not be reached just now (${error instanceof Error ? error.message : String(error)}). Try again.` },
    };
    // The contract checks that every answer may be such a failure.
    return failed as AdminAnswer<K>;
  }
}

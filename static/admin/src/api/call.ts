// The one place the page invokes the backend. Each resolver call has its own small module beside
// this one; all share the contract's types, so a payload cannot drift from what the resolver parses.
import { invoke } from '@forge/bridge';
import type { AdminCallName, AdminCalls } from '../../../../src/contract/admin';

export function call<K extends AdminCallName>(name: K, payload: AdminCalls[K]['request']): Promise<AdminCalls[K]['response']> {
  // Without `metadata` the bridge resolves with the resolver's return value itself.
  return invoke<AdminCalls[K]['response']>(name, payload as unknown as Record<string, never>) as Promise<AdminCalls[K]['response']>;
}

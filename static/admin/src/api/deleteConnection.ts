import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** Deletes a connection with its links, shadows and failures; records and issues stay. */
export function deleteConnection(request: AdminCalls['deleteConnection']['request']): Promise<AdminCalls['deleteConnection']['response']> {
  return call('deleteConnection', request);
}

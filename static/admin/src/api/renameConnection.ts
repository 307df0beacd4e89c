import type { AdminCalls, RenameConnectionRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** Renames a connection; its id, links and secrets stay. */
export function renameConnection(request: RenameConnectionRequest): Promise<AdminCalls['renameConnection']['response']> {
  return call('renameConnection', request);
}

import type { AddConnectionRequest, AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** Adds a connection from a preset (or a blank one) and saves it. */
export function addConnection(request: AddConnectionRequest): Promise<AdminCalls['addConnection']['response']> {
  return call('addConnection', request);
}

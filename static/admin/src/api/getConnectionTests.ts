import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** The last test of each connection, with when it ran. */
export function getConnectionTests(): Promise<AdminCalls['getConnectionTests']['response']> {
  return call('getConnectionTests', {});
}

import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** Jira's priorities, for the priority table. */
export function getJiraPriorities(): Promise<AdminCalls['getJiraPriorities']['response']> {
  return call('getJiraPriorities', {});
}

import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** Jira's fields with their types, for the field picker. */
export function getJiraFields(): Promise<AdminCalls['getJiraFields']['response']> {
  return call('getJiraFields', {});
}

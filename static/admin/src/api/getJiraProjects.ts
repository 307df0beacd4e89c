import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** Jira's projects, for the project picker. */
export function getJiraProjects(): Promise<AdminCalls['getJiraProjects']['response']> {
  return call('getJiraProjects', {});
}

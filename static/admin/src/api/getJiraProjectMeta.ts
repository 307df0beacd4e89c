import type { AdminCalls, ProjectRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** A project's issue types and statuses (with categories). */
export function getJiraProjectMeta(request: ProjectRequest): Promise<AdminCalls['getJiraProjectMeta']['response']> {
  return call('getJiraProjectMeta', request);
}

import type { AdminCalls, CheckFieldMappingRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** Whether a Jira field can carry a tool field, and why not. */
export function checkFieldMapping(request: CheckFieldMappingRequest): Promise<AdminCalls['checkFieldMapping']['response']> {
  return call('checkFieldMapping', request);
}

import type { AdminCalls, SaveConfigRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** Saves the whole configuration if nobody else saved since `revision`; errors come back per field. */
export function saveConfig(request: SaveConfigRequest): Promise<AdminCalls['saveConfig']['response']> {
  return call('saveConfig', request);
}

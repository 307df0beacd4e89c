import type { AdminCalls, ImportConfigRequest } from '../../../../src/contract/admin';
import { call } from './call';

/** Replaces the configuration with an exported one, checked like a save. */
export function importConfig(request: ImportConfigRequest): Promise<AdminCalls['importConfig']['response']> {
  return call('importConfig', request);
}

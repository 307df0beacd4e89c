import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** The saved configuration, its revision and the presets a connection can start from. */
export function getConfig(): Promise<AdminCalls['getConfig']['response']> {
  return call('getConfig', {});
}

import type { AdminCalls } from '../../../../src/contract/admin';
import { call } from './call';

/** The configuration as JSON, without secrets. */
export function exportConfig(): Promise<AdminCalls['exportConfig']['response']> {
  return call('exportConfig', {});
}

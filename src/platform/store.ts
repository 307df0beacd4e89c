// Forge storage (@forge/kvs): the only place the app touches it.
import { kvs } from '@forge/kvs';
import type { StorePort } from '../sync/ports';

export const forgeStore: StorePort = {
  async get(key) {
    return kvs.get(key);
  },
  async set(key, value) {
    await kvs.set(key, value as never);
  },
};

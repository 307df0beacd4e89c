// Forge storage (@forge/kvs): the only place the app touches it.
import { kvs, WhereConditions, type TtlUnit } from '@forge/kvs';
import type { StorePort, StoreWrite } from '../ports';

/** Forge's batch and transaction limit. */
const BATCH = 25;

const ttl = (seconds: number | undefined): { ttl: { value: number; unit: TtlUnit } } | Record<string, never> =>
  seconds === undefined ? {} : { ttl: { value: Math.max(1, Math.ceil(seconds)), unit: 'SECONDS' } };

export const forgeStore: StorePort = {
  async get(key) {
    return kvs.get<unknown>(key);
  },

  async getMany(keys) {
    const found = new Map<string, unknown>();
    for (let i = 0; i < keys.length; i += BATCH) {
      const chunk = keys.slice(i, i + BATCH);
      if (chunk.length === 1) {
        const value = await kvs.get<unknown>(chunk[0] as string);
        if (value !== undefined) found.set(chunk[0] as string, value);
        continue;
      }
      const result = await kvs.batchGet<unknown>(chunk.map((key) => ({ key })));
      for (const item of result.successfulKeys) found.set(item.key, item.value);
    }
    return found;
  },

  async set(key, value, ttlSeconds) {
    await kvs.set(key, value, ttl(ttlSeconds));
  },

  async create(key, value, ttlSeconds) {
    try {
      await kvs.set(key, value, { keyPolicy: 'FAIL_IF_EXISTS', ...ttl(ttlSeconds) });
      return true;
    } catch (error) {
      // The service's conflict code is not documented; if the key is there, someone else created it.
      if ((await kvs.get<unknown>(key)) !== undefined) return false;
      throw error;
    }
  },

  async delete(key) {
    await kvs.delete(key);
  },

  async list(prefix, options) {
    let query = kvs.query().where('key', WhereConditions.beginsWith(prefix)).limit(Math.min(options?.limit ?? 100, 100));
    if (options?.cursor) query = query.cursor(options.cursor);
    const page = await query.getMany<unknown>();
    return { entries: page.results.map((r) => ({ key: r.key, value: r.value })), ...(page.nextCursor ? { cursor: page.nextCursor } : {}) };
  },

  async writeAll(writes: readonly StoreWrite[]) {
    if (writes.length === 0) return;
    if (writes.length > BATCH) throw new Error(`At most ${BATCH} writes can be made together, not ${writes.length}`);
    const only = writes[0];
    if (writes.length === 1 && only) {
      if ('delete' in only) await kvs.delete(only.key);
      else await kvs.set(only.key, only.value, ttl(only.ttlSeconds));
      return;
    }
    const transaction = kvs.transact();
    for (const write of writes) {
      if ('delete' in write) transaction.delete(write.key);
      else transaction.set(write.key, write.value, undefined, ttl(write.ttlSeconds));
    }
    await transaction.execute();
  },

  async getSecret(key) {
    const value = await kvs.getSecret<unknown>(key);
    return typeof value === 'string' ? value : undefined;
  },

  async setSecret(key, value) {
    await kvs.setSecret(key, value);
  },

  async deleteSecret(key) {
    await kvs.deleteSecret(key);
  },
};

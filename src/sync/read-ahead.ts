// Keys read ahead: a store that answers some keys from one batch read made earlier, so each part of
// a change that needs a key or two (a kept failure, the published state) costs no call of its own.
// What the change writes through it is what a later read sees.
import type { StorePort } from './ports';

/** The keys read, each with its value or undefined when it was absent. */
export function keysRead(keys: readonly string[], found: ReadonlyMap<string, unknown>): Map<string, unknown> {
  return new Map(keys.map((key) => [key, found.get(key)]));
}

export function readAheadStore(store: StorePort, read: ReadonlyMap<string, unknown>): StorePort {
  const known = new Map(read);
  const forget = (key: string) => known.delete(key);
  const wrote = (key: string, value: unknown) => known.set(key, structuredClone(value));
  return {
    get: (key) => (known.has(key) ? Promise.resolve(structuredClone(known.get(key))) : store.get(key)),
    async getMany(keys) {
      const found = new Map<string, unknown>();
      const rest: string[] = [];
      for (const key of keys) {
        if (!known.has(key)) rest.push(key);
        else if (known.get(key) !== undefined) found.set(key, structuredClone(known.get(key)));
      }
      if (rest.length > 0) for (const [key, value] of await store.getMany(rest)) found.set(key, value);
      return found;
    },
    async set(key, value, ttlSeconds) {
      forget(key);
      await store.set(key, value, ttlSeconds);
      wrote(key, value);
    },
    async create(key, value, ttlSeconds) {
      forget(key);
      const created = await store.create(key, value, ttlSeconds);
      if (created) wrote(key, value);
      return created;
    },
    async delete(key) {
      forget(key);
      await store.delete(key);
      wrote(key, undefined);
    },
    list: (prefix, options) => store.list(prefix, options),
    async writeAll(writes) {
      for (const write of writes) forget(write.key);
      await store.writeAll(writes);
      for (const write of writes) wrote(write.key, 'delete' in write ? undefined : write.value);
    },
    getSecret: (key) => store.getSecret(key),
    setSecret: (key, value) => store.setSecret(key, value),
    deleteSecret: (key) => store.deleteSecret(key),
  };
}

// Plain in-memory ports (src/ports) for edge cases of the use cases that need no platform: a Map for
// the store, an array for the queue, a clock that moves only when told, and a Jira that answers only
// what a test gives it. No Forge or Jira rule is modelled here (the devkit is where those live), so a
// test on these ports asserts what the use case decides, never what the platform would allow.
import type { ClockPort, JiraPort, Ports, QueueMessage, StorePort, StoreWrite } from '../../src/sync/ports';
import { fakePort, type FakePort } from '../unit/connectors/fake-port';

export interface MemoryStore extends StorePort {
  values: Map<string, unknown>;
  secrets: Map<string, string>;
}

export function memoryStore(): MemoryStore {
  const values = new Map<string, unknown>();
  const secrets = new Map<string, string>();
  const apply = (write: StoreWrite) => ('delete' in write ? values.delete(write.key) : values.set(write.key, structuredClone(write.value)));
  return {
    values,
    secrets,
    async get(key) {
      return structuredClone(values.get(key));
    },
    async getMany(keys) {
      return new Map(keys.filter((key) => values.has(key)).map((key) => [key, structuredClone(values.get(key))]));
    },
    async set(key, value) {
      values.set(key, structuredClone(value));
    },
    async create(key, value) {
      if (values.has(key)) return false;
      values.set(key, structuredClone(value));
      return true;
    },
    async delete(key) {
      values.delete(key);
    },
    async list(prefix, options = {}) {
      const keys = [...values.keys()].filter((key) => key.startsWith(prefix)).sort();
      const start = options.cursor === undefined ? 0 : keys.findIndex((key) => key > (options.cursor ?? ''));
      const page = (start < 0 ? [] : keys.slice(start)).slice(0, options.limit ?? 100);
      const last = page.at(-1);
      const more = last !== undefined && keys.indexOf(last) < keys.length - 1;
      return { entries: page.map((key) => ({ key, value: structuredClone(values.get(key)) })), ...(more ? { cursor: last } : {}) };
    },
    async writeAll(writes) {
      for (const write of writes) apply(write);
    },
    async getSecret(key) {
      return secrets.get(key);
    },
    async setSecret(key, value) {
      secrets.set(key, value);
    },
    async deleteSecret(key) {
      secrets.delete(key);
    },
  };
}

export interface MemoryClock extends ClockPort {
  advance(ms: number): void;
}

/** Time stands still unless a test (or a sleep) moves it. */
export function memoryClock(start = Date.UTC(2026, 11, 6, 9, 0)): MemoryClock {
  let now = start;
  return {
    now: () => now,
    async sleep(ms) {
      now += ms;
    },
    advance(ms) {
      now += ms;
    },
  };
}

/** A Jira that answers only the calls a test gives it; any other call fails the test, naming the call. */
export function memoryJira(answers: Partial<JiraPort>): JiraPort & { called: string[] } {
  const called: string[] = [];
  return new Proxy(answers as JiraPort & { called: string[] }, {
    get(target, name: string) {
      if (name === 'called') return called;
      const answer = target[name as keyof JiraPort];
      return (...args: unknown[]) => {
        called.push(name);
        if (typeof answer !== 'function') return Promise.reject(new Error(`the test's Jira does not answer ${name}`));
        return (answer as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
}

export interface MemoryPorts extends Ports {
  store: MemoryStore;
  clock: MemoryClock;
  external: FakePort & { addressRefusal(url: string): string | undefined };
  jira: JiraPort & { called: string[] };
  /** Every message queued, with its delay. */
  queued: Array<{ message: QueueMessage; delayInSeconds: number | undefined }>;
}

export function memoryPorts(options: { jira?: Partial<JiraPort>; external?: FakePort } = {}): MemoryPorts {
  const queued: MemoryPorts['queued'] = [];
  const external = options.external ?? fakePort();
  return {
    store: memoryStore(),
    clock: memoryClock(),
    jira: memoryJira(options.jira ?? {}),
    external: Object.assign(external, { addressRefusal: () => undefined }),
    queue: {
      async push(message, delayInSeconds) {
        queued.push({ message: structuredClone(message), delayInSeconds });
      },
    },
    queued,
  };
}

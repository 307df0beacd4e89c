// The Forge storage service (@forge/kvs's backend) for one installation, in memory.
// Request and response shapes follow what the real @forge/kvs client sends and reads
// (node_modules/@forge/kvs/out/storage-api.js); error codes follow Atlassian's KVS error
// documentation where it names one, and are marked "guessed" where nothing settled them.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export type KvsOperationKind =
  | 'get'
  | 'set'
  | 'delete'
  | 'query'
  | 'batchGet'
  | 'batchSet'
  | 'batchDelete'
  | 'transact'
  | 'secretGet'
  | 'secretSet'
  | 'secretDelete'
  | 'entityGet'
  | 'entitySet'
  | 'entityDelete'
  | 'entityQuery';

/** One platform call; `keys` is how many keys it named (batch items, transaction operations, query results). */
export interface KvsOperation {
  kind: KvsOperationKind;
  keys: number;
}

/** An entity as declared under `app.storage.entities` in the manifest. */
export interface KvsEntityDefinition {
  name: string;
  attributes?: Record<string, { type: string }>;
  indexes?: Array<string | { name: string; range: string[]; partition?: string[] }>;
}

export interface KvsServiceOptions {
  /** Epoch ms; drives TTL expiry and the createdAt/updatedAt metadata. */
  clock?: () => number;
  /** JSON file: loaded at start if present, rewritten (atomic rename) after each write. */
  file?: string;
  onOperation?: (op: KvsOperation) => void;
  /**
   * The manifest's custom entities. With them, entity queries accept only declared indexes; without
   * a definition for an entity, an index name is taken as the (range) attribute of the same name.
   */
  entities?: KvsEntityDefinition[];
}

export interface KvsStoredItem {
  value: unknown;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  /** Epoch ms after which the item behaves as absent. */
  expiresAt?: number | undefined;
}

export interface KvsSnapshot {
  kv: Record<string, KvsStoredItem>;
  secrets: Record<string, KvsStoredItem>;
  entities: Record<string, Record<string, KvsStoredItem>>;
}

export interface KvsResponse {
  status: number;
  body?: unknown;
}

export const KVS_LIMITS = {
  keyLength: 500,
  valueBytes: 240 * 1024,
  secretBytes: 128 * 1024,
  valueDepth: 32,
  queryLimit: 100,
  /** What a query returns when it names no limit (the legacy storage API's default; unconfirmed for kvs). */
  defaultQueryLimit: 10,
  batchItems: 25,
  /**
   * A KVS transaction: at most 25 operations, each key once, a 4MB payload (read as 4,000,000 bytes,
   * the stricter reading); a batchSet has the same payload limit.
   * https://developer.atlassian.com/platform/forge/storage-reference/transactions/,
   * https://developer.atlassian.com/platform/forge/storage-reference/batchops/
   */
  transactionOperations: 25,
  transactionPayloadBytes: 4_000_000,
  entityNameMin: 3,
  entityNameMax: 60,
} as const;

// The key pattern from Atlassian's KVS error documentation: /^(?!\s+$)[a-zA-Z0-9:._\s-#]+$/.
const KEY_PATTERN = /^(?!\s+$)[a-zA-Z0-9:._\s\-#]+$/;

/** A failed request: becomes a non-2xx response with the `{code, message}` body the client parses. */
export class KvsFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'KvsFailure';
  }
}

const badRequest = (message = 'Provided request body is invalid') => new KvsFailure(400, 'BAD_REQUEST', message);
/** A body larger than a transaction or batch set may carry. Guessed code: the pages name none. */
function checkPayload(body: unknown, what: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(body ?? null), 'utf8');
  if (bytes > KVS_LIMITS.transactionPayloadBytes) throw new KvsFailure(413, 'PAYLOAD_TOO_LARGE', `${what} carries at most ${KVS_LIMITS.transactionPayloadBytes} bytes, got ${bytes}`);
}

const KEY_NOT_FOUND_MESSAGE = 'Provided key does not exist';

// ---- request bodies ------------------------------------------------------------------------------

const MetadataFieldSchema = z.enum(['CREATED_AT', 'UPDATED_AT', 'EXPIRE_TIME']);
type MetadataField = z.infer<typeof MetadataFieldSchema>;
const GetOptionsSchema = z.object({ metadataFields: z.array(MetadataFieldSchema).optional() }).optional();
const TtlSchema = z.object({ value: z.number(), unit: z.enum(['SECONDS', 'MINUTES', 'HOURS', 'DAYS']) });
const SetOptionsSchema = z
  .object({
    ttl: TtlSchema.optional(),
    keyPolicy: z.enum(['OVERRIDE', 'FAIL_IF_EXISTS']).optional(),
    returnValue: z.enum(['PREVIOUS', 'LATEST']).optional(),
    returnMetadataFields: z.array(MetadataFieldSchema).optional(),
  })
  .optional();
type SetOptions = z.infer<typeof SetOptionsSchema>;

const CONDITIONS = [
  'BEGINS_WITH',
  'BETWEEN',
  'CONTAINS',
  'NOT_CONTAINS',
  'EQUAL_TO',
  'NOT_EQUAL_TO',
  'EXISTS',
  'NOT_EXISTS',
  'GREATER_THAN',
  'GREATER_THAN_EQUAL_TO',
  'LESS_THAN',
  'LESS_THAN_EQUAL_TO',
] as const;
const ClauseSchema = z.object({ condition: z.enum(CONDITIONS), values: z.array(z.unknown()) });
type Clause = z.infer<typeof ClauseSchema>;
const FilterItemSchema = ClauseSchema.extend({ property: z.string() });
type FilterItem = z.infer<typeof FilterItemSchema>;
const FiltersSchema = z.object({ and: z.array(FilterItemSchema).optional(), or: z.array(FilterItemSchema).optional() });
type Filters = z.infer<typeof FiltersSchema>;

const KeyBody = z.object({ key: z.string() });
const GetBody = KeyBody.extend({ options: GetOptionsSchema });
const SetBody = KeyBody.extend({ value: z.unknown(), options: SetOptionsSchema });
const EntityKeyBody = KeyBody.extend({ entityName: z.string() });
const EntityGetBody = EntityKeyBody.extend({ options: GetOptionsSchema });
const EntitySetBody = EntityKeyBody.extend({ value: z.unknown(), options: SetOptionsSchema });
const QueryBody = z.object({
  limit: z.number().optional(),
  after: z.string().optional(),
  where: z
    .array(z.object({ property: z.string(), condition: z.string(), values: z.array(z.unknown()) }))
    .optional(),
  options: GetOptionsSchema,
});
const EntityQueryBody = z.object({
  entityName: z.string(),
  indexName: z.string(),
  partition: z.array(z.unknown()).optional(),
  range: ClauseSchema.optional(),
  filters: FiltersSchema.optional(),
  sort: z.enum(['ASC', 'DESC']).optional(),
  cursor: z.string().optional(),
  limit: z.number().optional(),
  options: GetOptionsSchema,
});
const BatchGetBody = z.array(z.object({ key: z.string(), entityName: z.string().optional(), options: GetOptionsSchema }));
const BatchSetBody = z.array(
  z.object({
    key: z.string(),
    entityName: z.string().optional(),
    value: z.unknown(),
    options: z.object({ ttl: TtlSchema.optional() }).optional(),
  }),
);
const BatchDeleteBody = z.array(z.object({ key: z.string(), entityName: z.string().optional() }));
const TransactionBody = z.object({
  set: z
    .array(
      z.object({
        key: z.string(),
        value: z.unknown(),
        entityName: z.string().optional(),
        conditions: FiltersSchema.optional(),
        options: z.object({ ttl: TtlSchema.optional() }).optional(),
      }),
    )
    .optional(),
  delete: z
    .array(z.object({ key: z.string(), entityName: z.string().optional(), conditions: FiltersSchema.optional() }))
    .optional(),
  check: z.array(z.object({ key: z.string(), entityName: z.string().optional(), conditions: FiltersSchema })).optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw badRequest();
  return result.data;
}

const StoredItemSchema = z.object({
  value: z.unknown(),
  createdAt: z.number(),
  updatedAt: z.number(),
  expiresAt: z.number().optional(),
});
const SnapshotSchema = z.object({
  kv: z.record(z.string(), StoredItemSchema),
  secrets: z.record(z.string(), StoredItemSchema),
  entities: z.record(z.string(), z.record(z.string(), StoredItemSchema)),
});

// ---- the service ---------------------------------------------------------------------------------

type Scope = { kind: 'kv' } | { kind: 'secret' } | { kind: 'entity'; name: string };

interface IndexDefinition {
  range: string;
  partition: string[];
}

const ROUTES: Record<string, KvsOperationKind> = {
  '/api/v1/get': 'get',
  '/api/v1/set': 'set',
  '/api/v1/delete': 'delete',
  '/api/v1/query': 'query',
  '/api/v1/batch/get': 'batchGet',
  '/api/v1/batch/set': 'batchSet',
  '/api/v1/batch/delete': 'batchDelete',
  '/api/v1/transaction': 'transact',
  '/api/v1/secret/get': 'secretGet',
  '/api/v1/secret/set': 'secretSet',
  '/api/v1/secret/delete': 'secretDelete',
  '/api/v1/entity/get': 'entityGet',
  '/api/v1/entity/set': 'entitySet',
  '/api/v1/entity/delete': 'entityDelete',
  '/api/v1/entity/query': 'entityQuery',
};

export class KvsService {
  private readonly clock: () => number;
  private readonly file: string | undefined;
  private readonly onOperation: ((op: KvsOperation) => void) | undefined;
  private readonly entityDefs: Map<string, Map<string, IndexDefinition>> | undefined;
  private kv = new Map<string, KvsStoredItem>();
  private secrets = new Map<string, KvsStoredItem>();
  private entities = new Map<string, Map<string, KvsStoredItem>>();

  constructor(options: KvsServiceOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.file = options.file;
    this.onOperation = options.onOperation;
    this.entityDefs = options.entities ? indexDefinitions(options.entities) : undefined;
    if (this.file && existsSync(this.file)) {
      const parsed = SnapshotSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      if (!parsed.success) throw new Error(`${this.file} is not a KVS snapshot: ${parsed.error.message}`);
      this.load(parsed.data);
    }
  }

  async handle(path: string, body: unknown): Promise<KvsResponse> {
    const kind = ROUTES[path];
    if (!kind) return { status: 404, body: { code: 'NOT_FOUND', message: `The devkit's KVS has no operation at ${path}` } };
    let keys = namedKeys(kind, body);
    try {
      const { response, resultKeys } = this.dispatch(kind, body);
      if (resultKeys !== undefined) keys = resultKeys;
      return response;
    } catch (error) {
      if (error instanceof KvsFailure) return { status: error.status, body: { code: error.code, message: error.message } };
      throw error;
    } finally {
      this.onOperation?.({ kind, keys });
    }
  }

  /** A deep copy of everything stored, expired items included (they carry their expiry). */
  snapshot(): KvsSnapshot {
    return structuredClone({
      kv: Object.fromEntries(this.kv),
      secrets: Object.fromEntries(this.secrets),
      entities: Object.fromEntries([...this.entities].map(([name, items]) => [name, Object.fromEntries(items)])),
    });
  }

  restore(snapshot: KvsSnapshot): void {
    this.load(structuredClone(snapshot));
    this.save();
  }

  clear(): void {
    this.kv.clear();
    this.secrets.clear();
    this.entities.clear();
    this.save();
  }

  /** What the app has stored and can still read (expired items left out), for test assertions. */
  entries(): { kv: Record<string, unknown>; secrets: Record<string, unknown>; entities: Record<string, Record<string, unknown>> } {
    const live = (items: Map<string, KvsStoredItem>) =>
      Object.fromEntries([...items].filter(([, item]) => !this.expired(item)).map(([key, item]) => [key, structuredClone(item.value)]));
    return {
      kv: live(this.kv),
      secrets: live(this.secrets),
      entities: Object.fromEntries([...this.entities].map(([name, items]) => [name, live(items)])),
    };
  }

  // ---- dispatch -----------------------------------------------------------------------------------

  private dispatch(kind: KvsOperationKind, body: unknown): { response: KvsResponse; resultKeys?: number } {
    switch (kind) {
      case 'get':
      case 'secretGet': {
        const req = parse(GetBody, body);
        return { response: this.getOne(kind === 'get' ? { kind: 'kv' } : { kind: 'secret' }, req.key, req.options?.metadataFields) };
      }
      case 'entityGet': {
        const req = parse(EntityGetBody, body);
        return { response: this.getOne(this.entityScope(req.entityName), req.key, req.options?.metadataFields) };
      }
      case 'set':
      case 'secretSet': {
        const req = parse(SetBody, body);
        return { response: this.setOne(kind === 'set' ? { kind: 'kv' } : { kind: 'secret' }, req.key, req.value, req.options) };
      }
      case 'entitySet': {
        const req = parse(EntitySetBody, body);
        return { response: this.setOne(this.entityScope(req.entityName), req.key, req.value, req.options) };
      }
      case 'delete':
      case 'secretDelete': {
        const req = parse(KeyBody, body);
        return { response: this.deleteOne(kind === 'delete' ? { kind: 'kv' } : { kind: 'secret' }, req.key) };
      }
      case 'entityDelete': {
        const req = parse(EntityKeyBody, body);
        return { response: this.deleteOne(this.entityScope(req.entityName), req.key) };
      }
      case 'query':
        return this.query(parse(QueryBody, body));
      case 'entityQuery':
        return this.entityQuery(parse(EntityQueryBody, body));
      case 'batchGet':
        return { response: this.batchGet(parse(BatchGetBody, body)) };
      case 'batchSet':
        checkPayload(body, 'A batch set');
        return { response: this.batchSet(parse(BatchSetBody, body)) };
      case 'batchDelete':
        return { response: this.batchDelete(parse(BatchDeleteBody, body)) };
      case 'transact':
        checkPayload(body, 'A transaction');
        return { response: this.transact(parse(TransactionBody, body)) };
    }
  }

  // ---- single-key operations ----------------------------------------------------------------------

  private getOne(scope: Scope, key: string, fields: MetadataField[] | undefined): KvsResponse {
    validateKey(key);
    const item = this.live(scope, key);
    if (!item) throw new KvsFailure(404, 'KEY_NOT_FOUND', KEY_NOT_FOUND_MESSAGE);
    return { status: 200, body: this.describe(key, item, fields) };
  }

  private setOne(scope: Scope, key: string, value: unknown, options: SetOptions): KvsResponse {
    validateKey(key);
    validateValue(scope, value);
    const ttlMs = options?.ttl ? ttlToMs(options.ttl) : undefined;
    const previous = this.live(scope, key);
    if (options?.keyPolicy === 'FAIL_IF_EXISTS' && previous) {
      // Guessed: Atlassian documents no code for this; 409 KEY_CONFLICT is what a third-party write-up reports.
      throw new KvsFailure(409, 'KEY_CONFLICT', 'The key already exists');
    }
    const item = this.write(scope, key, value, ttlMs, previous);
    this.save();
    if (!options?.returnValue) return { status: 204 };
    const returned = options.returnValue === 'PREVIOUS' ? previous : item;
    // With nothing to return (no previous value), an empty 204 makes the client resolve to undefined.
    if (!returned) return { status: 204 };
    return { status: 200, body: this.describe(key, returned, options.returnMetadataFields ?? []) };
  }

  private deleteOne(scope: Scope, key: string): KvsResponse {
    validateKey(key);
    const bucket = this.bucket(scope);
    const existed = this.live(scope, key) !== undefined;
    bucket.delete(key);
    if (!existed) throw new KvsFailure(404, 'KEY_NOT_FOUND', KEY_NOT_FOUND_MESSAGE);
    this.save();
    return { status: 204 };
  }

  // ---- queries ------------------------------------------------------------------------------------

  private query(req: z.infer<typeof QueryBody>): { response: KvsResponse; resultKeys: number } {
    const limit = validateLimit(req.limit);
    let prefix = '';
    for (const where of req.where ?? []) {
      if (where.property !== 'key' || where.condition !== 'BEGINS_WITH' || where.values.length !== 1) {
        throw badRequest('Only `key` BEGINS_WITH a single value is supported in a query');
      }
      prefix = String(where.values[0]);
    }
    const after = req.after === undefined ? undefined : decodeCursor(req.after).k;
    const keys = [...this.kv.keys()]
      .filter((key) => key.startsWith(prefix) && (after === undefined || key > after))
      .filter((key) => this.live({ kind: 'kv' }, key))
      .sort(compareStrings);
    const page = keys.slice(0, limit);
    const data = page.map((key) => this.describe(key, this.kv.get(key) as KvsStoredItem, req.options?.metadataFields));
    const last = page[page.length - 1];
    const body: { data: unknown[]; cursor?: string } = { data };
    if (keys.length > limit && last !== undefined) body.cursor = encodeCursor({ k: last });
    return { response: { status: 200, body }, resultKeys: data.length };
  }

  private entityQuery(req: z.infer<typeof EntityQueryBody>): { response: KvsResponse; resultKeys: number } {
    const scope = this.entityScope(req.entityName);
    const index = this.index(req.entityName, req.indexName);
    const limit = validateLimit(req.limit);
    const partition = req.partition ?? [];
    if (partition.length !== index.partition.length) {
      throw badRequest(`Index ${req.indexName} of ${req.entityName} needs ${index.partition.length} partition value(s)`);
    }
    const bucket = this.bucket(scope);
    const descending = req.sort === 'DESC';
    type Row = { key: string; item: KvsStoredItem; range: unknown };
    const rows: Row[] = [];
    for (const [key, item] of bucket) {
      if (this.expired(item)) continue;
      const value = item.value;
      const range = attribute(value, index.range);
      // Like any sparse index: an item without the range attribute is not in it.
      if (range === undefined) continue;
      if (!index.partition.every((name, i) => attribute(value, name) === partition[i])) continue;
      if (req.range && !clauseHolds(range, req.range)) continue;
      if (req.filters && !filtersHold(value, req.filters)) continue;
      rows.push({ key, item, range });
    }
    const order = (a: { key: string; range: unknown }, b: { key: string; range: unknown }) =>
      compareValues(a.range, b.range) || compareStrings(a.key, b.key);
    rows.sort((a, b) => (descending ? -order(a, b) : order(a, b)));
    let start = 0;
    if (req.cursor !== undefined) {
      const cursor = decodeCursor(req.cursor);
      const position = { key: cursor.k, range: cursor.r };
      start = rows.findIndex((row) => (descending ? order(row, position) < 0 : order(row, position) > 0));
      if (start < 0) start = rows.length;
    }
    const page = rows.slice(start, start + limit);
    const data = page.map((row) => this.describe(row.key, row.item, req.options?.metadataFields));
    const last = page[page.length - 1];
    const body: { data: unknown[]; cursor?: string } = { data };
    if (start + limit < rows.length && last) body.cursor = encodeCursor({ k: last.key, r: last.range });
    return { response: { status: 200, body }, resultKeys: data.length };
  }

  // ---- batches ------------------------------------------------------------------------------------

  private batchGet(items: z.infer<typeof BatchGetBody>): KvsResponse {
    validateBatchSize(items.length);
    const successfulKeys: unknown[] = [];
    const failedKeys: unknown[] = [];
    for (const item of items) {
      const id = batchId(item.key, item.entityName);
      try {
        const scope = this.scopeOf(item.entityName);
        validateKey(item.key);
        const stored = this.live(scope, item.key);
        if (!stored) throw new KvsFailure(404, 'KEY_NOT_FOUND', 'Key does not exist');
        successfulKeys.push({ ...id, ...this.describe(item.key, stored, item.options?.metadataFields) });
      } catch (error) {
        failedKeys.push(batchFailure(id, error));
      }
    }
    return { status: 200, body: { successfulKeys, failedKeys } };
  }

  private batchSet(items: z.infer<typeof BatchSetBody>): KvsResponse {
    validateBatchSize(items.length);
    const successfulKeys: unknown[] = [];
    const failedKeys: unknown[] = [];
    for (const item of items) {
      const id = batchId(item.key, item.entityName);
      try {
        const scope = this.scopeOf(item.entityName);
        validateKey(item.key);
        validateValue(scope, item.value);
        const ttlMs = item.options?.ttl ? ttlToMs(item.options.ttl) : undefined;
        this.write(scope, item.key, item.value, ttlMs, this.live(scope, item.key));
        successfulKeys.push(id);
      } catch (error) {
        failedKeys.push(batchFailure(id, error));
      }
    }
    if (successfulKeys.length > 0) this.save();
    return { status: 200, body: { successfulKeys, failedKeys } };
  }

  private batchDelete(items: z.infer<typeof BatchDeleteBody>): KvsResponse {
    validateBatchSize(items.length);
    const successfulKeys: unknown[] = [];
    const failedKeys: unknown[] = [];
    for (const item of items) {
      const id = batchId(item.key, item.entityName);
      try {
        const scope = this.scopeOf(item.entityName);
        validateKey(item.key);
        const existed = this.live(scope, item.key) !== undefined;
        this.bucket(scope).delete(item.key);
        if (!existed) throw new KvsFailure(404, 'KEY_NOT_FOUND', 'Key does not exist');
        successfulKeys.push(id);
      } catch (error) {
        failedKeys.push(batchFailure(id, error));
      }
    }
    if (successfulKeys.length > 0) this.save();
    return { status: 200, body: { successfulKeys, failedKeys } };
  }

  // ---- transactions -------------------------------------------------------------------------------

  private transact(req: z.infer<typeof TransactionBody>): KvsResponse {
    const sets = req.set ?? [];
    const deletes = req.delete ?? [];
    const checks = req.check ?? [];
    const count = sets.length + deletes.length + checks.length;
    if (count === 0) throw badRequest('A transaction needs at least one operation');
    if (count > KVS_LIMITS.transactionOperations) {
      // Guessed code; the limit itself (25 operations) is documented.
      throw badRequest(`A transaction can contain at most ${KVS_LIMITS.transactionOperations} operations, got ${count}`);
    }
    // Everything is validated and every condition evaluated before anything is written: all or nothing.
    const seen = new Set<string>();
    const unique = (key: string, entityName: string | undefined) => {
      const id = `${entityName ?? ''}\u0000${key}`;
      if (seen.has(id)) throw badRequest(`Key ${key} is used more than once in the transaction`);
      seen.add(id);
    };
    // Conditions and checks are the Custom Entity Store's: a key-value set or delete is unconditional
    // (no key policy either), so "create if absent" cannot be part of a transaction.
    // https://developer.atlassian.com/platform/forge/storage-reference/transactions/,
    // https://developer.atlassian.com/platform/forge/storage-reference/transactions-entities/
    for (const op of [...sets, ...deletes, ...checks]) {
      if (op.entityName === undefined && 'conditions' in op && op.conditions !== undefined) {
        // Guessed code: the REST description's untyped items carry no conditions.
        throw badRequest(`Conditions apply to custom entities only; key ${op.key} names no entity`);
      }
    }
    const conditionFailed = (key: string) =>
      // Guessed code and status: Atlassian documents none for a failed transaction condition.
      new KvsFailure(409, 'CONDITION_CHECK_FAILED', `The transaction was cancelled: the condition on key ${key} was not met`);
    const writes: Array<{ scope: Scope; key: string; value: unknown; ttlMs: number | undefined }> = [];
    for (const op of sets) {
      const scope = this.scopeOf(op.entityName);
      validateKey(op.key);
      unique(op.key, op.entityName);
      validateValue(scope, op.value);
      if (op.conditions && !filtersHold(this.live(scope, op.key)?.value, op.conditions)) throw conditionFailed(op.key);
      writes.push({ scope, key: op.key, value: op.value, ttlMs: op.options?.ttl ? ttlToMs(op.options.ttl) : undefined });
    }
    const removals: Array<{ scope: Scope; key: string }> = [];
    for (const op of deletes) {
      const scope = this.scopeOf(op.entityName);
      validateKey(op.key);
      unique(op.key, op.entityName);
      if (op.conditions && !filtersHold(this.live(scope, op.key)?.value, op.conditions)) throw conditionFailed(op.key);
      removals.push({ scope, key: op.key });
    }
    for (const op of checks) {
      const scope = this.scopeOf(op.entityName);
      validateKey(op.key);
      unique(op.key, op.entityName);
      // A check needs the key to exist and to meet its conditions.
      const current = this.live(scope, op.key);
      if (!current || !filtersHold(current.value, op.conditions)) throw conditionFailed(op.key);
    }
    for (const w of writes) this.write(w.scope, w.key, w.value, w.ttlMs, this.live(w.scope, w.key));
    for (const r of removals) this.bucket(r.scope).delete(r.key);
    this.save();
    return { status: 204 };
  }

  // ---- storage ------------------------------------------------------------------------------------

  private write(scope: Scope, key: string, value: unknown, ttlMs: number | undefined, previous: KvsStoredItem | undefined): KvsStoredItem {
    const now = this.clock();
    const item: KvsStoredItem = { value: structuredClone(value), createdAt: previous?.createdAt ?? now, updatedAt: now };
    if (ttlMs !== undefined) item.expiresAt = now + ttlMs;
    this.bucket(scope).set(key, item);
    return item;
  }

  private bucket(scope: Scope): Map<string, KvsStoredItem> {
    if (scope.kind === 'kv') return this.kv;
    if (scope.kind === 'secret') return this.secrets;
    let items = this.entities.get(scope.name);
    if (!items) {
      items = new Map();
      this.entities.set(scope.name, items);
    }
    return items;
  }

  /** The item if present and unexpired; an expired one is dropped on the way. */
  private live(scope: Scope, key: string): KvsStoredItem | undefined {
    const bucket = this.bucket(scope);
    const item = bucket.get(key);
    if (!item) return undefined;
    if (this.expired(item)) {
      bucket.delete(key);
      return undefined;
    }
    return item;
  }

  private expired(item: KvsStoredItem): boolean {
    return item.expiresAt !== undefined && item.expiresAt <= this.clock();
  }

  private describe(key: string, item: KvsStoredItem, fields: MetadataField[] | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = { key, value: structuredClone(item.value) };
    // The client's own tests show epoch seconds for createdAt/updatedAt and an ISO string for expireTime.
    if (fields?.includes('CREATED_AT')) out.createdAt = Math.floor(item.createdAt / 1000);
    if (fields?.includes('UPDATED_AT')) out.updatedAt = Math.floor(item.updatedAt / 1000);
    if (item.expiresAt !== undefined && (fields === undefined || fields.includes('EXPIRE_TIME'))) {
      out.expireTime = new Date(item.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    return out;
  }

  private scopeOf(entityName: string | undefined): Scope {
    return entityName === undefined ? { kind: 'kv' } : this.entityScope(entityName);
  }

  private entityScope(name: string): Scope {
    if (name.length < KVS_LIMITS.entityNameMin) {
      throw new KvsFailure(400, 'ENTITY_TYPE_TOO_SHORT', `Entity name must have at least ${KVS_LIMITS.entityNameMin} characters`);
    }
    if (name.length > KVS_LIMITS.entityNameMax) {
      throw new KvsFailure(400, 'ENTITY_TYPE_TOO_LARGE', `Entity name must have at most ${KVS_LIMITS.entityNameMax} characters`);
    }
    if (this.entityDefs && !this.entityDefs.has(name)) {
      // Guessed code: the real service refuses an entity the manifest does not declare.
      throw new KvsFailure(400, 'ENTITY_NOT_FOUND', `Entity ${name} is not declared in the manifest (app.storage.entities)`);
    }
    return { kind: 'entity', name };
  }

  private index(entityName: string, indexName: string): IndexDefinition {
    const declared = this.entityDefs?.get(entityName);
    if (!declared) return { range: indexName, partition: [] };
    const index = declared.get(indexName);
    if (!index) throw new KvsFailure(400, 'INDEX_NOT_FOUND', `Entity ${entityName} has no index ${indexName}`);
    return index;
  }

  private load(snapshot: KvsSnapshot): void {
    this.kv = new Map(Object.entries(snapshot.kv));
    this.secrets = new Map(Object.entries(snapshot.secrets));
    this.entities = new Map(Object.entries(snapshot.entities).map(([name, items]) => [name, new Map(Object.entries(items))]));
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.snapshot()));
    // Rename is atomic, so a crash mid-write never leaves a half-written store behind.
    renameSync(temporary, this.file);
  }
}

// ---- helpers -------------------------------------------------------------------------------------

function indexDefinitions(entities: KvsEntityDefinition[]): Map<string, Map<string, IndexDefinition>> {
  const defs = new Map<string, Map<string, IndexDefinition>>();
  for (const entity of entities) {
    const indexes = new Map<string, IndexDefinition>();
    for (const index of entity.indexes ?? []) {
      if (typeof index === 'string') indexes.set(index, { range: index, partition: [] });
      else {
        const range = index.range[0];
        if (range !== undefined) indexes.set(index.name, { range, partition: index.partition ?? [] });
      }
    }
    defs.set(entity.name, indexes);
  }
  return defs;
}

function namedKeys(kind: KvsOperationKind, body: unknown): number {
  if (kind === 'batchGet' || kind === 'batchSet' || kind === 'batchDelete') return Array.isArray(body) ? body.length : 0;
  if (kind === 'transact') {
    if (typeof body !== 'object' || body === null) return 0;
    return ['set', 'delete', 'check'].reduce((sum, name) => {
      const ops: unknown = Reflect.get(body, name);
      return sum + (Array.isArray(ops) ? ops.length : 0);
    }, 0);
  }
  if (kind === 'query' || kind === 'entityQuery') return 0;
  return 1;
}

function validateKey(key: string): void {
  if (key.length === 0) throw new KvsFailure(400, 'KEY_TOO_SHORT', 'The key must not be empty');
  if (key.length > KVS_LIMITS.keyLength) {
    throw new KvsFailure(400, 'KEY_TOO_LONG', `The key has exceeded the maximum ${KVS_LIMITS.keyLength} characters`);
  }
  if (!KEY_PATTERN.test(key)) throw new KvsFailure(400, 'INVALID_KEY', `The key does not match the regex: ${KEY_PATTERN.source}`);
}

function validateValue(scope: Scope, value: unknown): void {
  // The REST schema allows string, boolean, number, array and object values; the client drops `undefined`.
  if (value === undefined || value === null) throw badRequest('A value is required (string, number, boolean, array or object)');
  if (scope.kind === 'entity' && (typeof value !== 'object' || Array.isArray(value))) {
    throw badRequest('An entity value must be an object of attributes');
  }
  if (depth(value) > KVS_LIMITS.valueDepth) {
    throw new KvsFailure(400, 'MAX_DEPTH', `The value has exceeded the maximum object depth (${KVS_LIMITS.valueDepth}) limit`);
  }
  const max = scope.kind === 'secret' ? KVS_LIMITS.secretBytes : KVS_LIMITS.valueBytes;
  const size = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (size > max) {
    throw new KvsFailure(400, 'MAX_SIZE', `The value has exceeded the maximum size limit (${size} bytes > ${max} bytes)`);
  }
}

function depth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
  let deepest = 0;
  for (const child of children) deepest = Math.max(deepest, depth(child));
  return deepest + 1;
}

function validateLimit(limit: number | undefined): number {
  if (limit === undefined) return KVS_LIMITS.defaultQueryLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > KVS_LIMITS.queryLimit) {
    // Guessed code; the 100 ceiling is documented.
    throw badRequest(`The query limit must be an integer from 1 to ${KVS_LIMITS.queryLimit}, got ${limit}`);
  }
  return limit;
}

function validateBatchSize(size: number): void {
  if (size > KVS_LIMITS.batchItems) {
    // Guessed code; the 25-item ceiling is documented.
    throw badRequest(`A batch can contain at most ${KVS_LIMITS.batchItems} items, got ${size}`);
  }
}

function ttlToMs(ttl: z.infer<typeof TtlSchema>): number {
  if (!Number.isInteger(ttl.value) || ttl.value <= 0) throw badRequest(`TTL must be a positive integer, got ${ttl.value}`);
  const unit = { SECONDS: 1_000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 }[ttl.unit];
  return ttl.value * unit;
}

function batchId(key: string, entityName: string | undefined): { key: string; entityName?: string } {
  return entityName === undefined ? { key } : { key, entityName };
}

function batchFailure(id: { key: string; entityName?: string }, error: unknown): unknown {
  if (!(error instanceof KvsFailure)) throw error;
  return { ...id, error: { code: error.code, message: error.message } };
}

function encodeCursor(position: { k: string; r?: unknown }): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { k: string; r?: unknown } {
  try {
    const parsed = z.object({ k: z.string(), r: z.unknown().optional() }).safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // falls through to the error below
  }
  throw badRequest('The cursor is invalid');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Numbers before strings before anything else, each ordered naturally. */
function compareValues(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  return compareStrings(JSON.stringify(a) ?? '', JSON.stringify(b) ?? '');
}

function attribute(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.prototype.hasOwnProperty.call(value, name) ? Reflect.get(value, name) : undefined;
}

function filtersHold(value: unknown, filters: Filters): boolean {
  const test = (item: FilterItem) => clauseHolds(attribute(value, item.property), item);
  if (filters.and && !filters.and.every(test)) return false;
  if (filters.or && filters.or.length > 0 && !filters.or.some(test)) return false;
  return true;
}

function clauseHolds(actual: unknown, clause: Clause): boolean {
  const [first, second] = clause.values;
  const comparable = (v: unknown) => (typeof v === 'number' && typeof actual === 'number') || (typeof v === 'string' && typeof actual === 'string');
  switch (clause.condition) {
    case 'EXISTS':
      return actual !== undefined;
    case 'NOT_EXISTS':
      return actual === undefined;
    case 'EQUAL_TO':
      return actual === first;
    case 'NOT_EQUAL_TO':
      return actual !== first;
    case 'BEGINS_WITH':
      return typeof actual === 'string' && actual.startsWith(String(first));
    case 'CONTAINS':
      return contains(actual, first);
    case 'NOT_CONTAINS':
      return !contains(actual, first);
    case 'GREATER_THAN':
      return comparable(first) && compareValues(actual, first) > 0;
    case 'GREATER_THAN_EQUAL_TO':
      return comparable(first) && compareValues(actual, first) >= 0;
    case 'LESS_THAN':
      return comparable(first) && compareValues(actual, first) < 0;
    case 'LESS_THAN_EQUAL_TO':
      return comparable(first) && compareValues(actual, first) <= 0;
    case 'BETWEEN':
      return comparable(first) && comparable(second) && compareValues(actual, first) >= 0 && compareValues(actual, second) <= 0;
  }
}

function contains(actual: unknown, needle: unknown): boolean {
  if (typeof actual === 'string') return actual.includes(String(needle));
  if (Array.isArray(actual)) return actual.includes(needle);
  return false;
}

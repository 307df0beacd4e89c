// A stand-in of Craft.io (seed guide 001) for Tandem's conformance tests: items of several item
// types (epics, features, initiatives, and the items that secondary Jira types land in) behind a
// records API (`Authorization: Bearer <token>`, Tandem's default record REST paths), and every
// change a person makes to an item sent to Tandem's inbound URL, signed. Craft.io's type mapping
// (which types sync, which are Ignore, which are one way) is the connection's, so the stand-in sends
// changes of every type and Tandem decides. Changes made through the API are not sent back.
//
// The guide's "hierarchical links, Sprints allocation": an item names its parent item (parent_id)
// and its sprint by name, from the workspace's sprints (the Jira board's, once connected). Its
// primary fields: components, story points, release (releases/quarters) and team. Custom fields
// are the workspace's own, each of one type; a value of another type, a sprint, release or team
// the workspace does not have, or a parent that would make a cycle, is refused with 400 naming it.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ToolError, ToolServer, bearerMatches, parseBody, recordEvent, sendToTandem, type Answer, type TandemAnswer, type TandemTarget, type ToolRequest } from './common';

export const CRAFTIO_ITEM_TYPES = ['epics', 'features', 'items', 'initiatives'] as const;
export type CraftioItemType = (typeof CRAFTIO_ITEM_TYPES)[number];
export const CRAFTIO_STATUSES = ['backlog', 'in_progress', 'done'] as const;

/** The types a Craft.io custom field may have (the guide: the same type on both sides to map). */
export const CRAFTIO_FIELD_TYPES = ['text', 'paragraph', 'number', 'date', 'datetime', 'single-select', 'multi-select', 'cascading', 'checkbox', 'user', 'user-list', 'url', 'labels'] as const;
export type CraftioFieldType = (typeof CRAFTIO_FIELD_TYPES)[number];

export interface CraftioCustomField {
  key: string;
  type: CraftioFieldType;
  /** Choices of a select; for a cascading select, `Parent / Child` paths. */
  options?: string[];
}

export interface CraftioItem {
  id: string;
  /** e.g. FEAT-3 */
  number: string;
  url: string;
  title: string;
  /** Markdown. */
  description: string;
  status: (typeof CRAFTIO_STATUSES)[number];
  tags: string[];
  /** The owner's email. */
  owner: string | null;
  /** YYYY-MM-DD */
  due_date: string | null;
  jira_issue_key: string | null;
  /** The parent item's id (any item type). */
  parent_id: string | null;
  /** A sprint of the workspace, by name. */
  sprint: string | null;
  /** A release (or quarter) of the workspace, by name. */
  release: string | null;
  components: string[];
  story_points: number | null;
  /** A team of the workspace, by name. */
  team: string | null;
  /** Custom field key → value. */
  custom: Record<string, unknown>;
}

const builtIn = {
  title: z.string().trim().min(1).max(255),
  description: z.string().max(100_000),
  status: z.enum(CRAFTIO_STATUSES),
  tags: z.array(z.string().min(1)),
  owner: z.email().nullable(),
  due_date: z.iso.date().nullable(),
  jira_issue_key: z.string().nullable(),
  parent_id: z.string().min(1).nullable(),
  sprint: z.string().min(1).nullable(),
  release: z.string().min(1).nullable(),
  components: z.array(z.string().min(1)),
  story_points: z.number().nonnegative().nullable(),
  team: z.string().min(1).nullable(),
};
type BuiltIn = { [K in keyof typeof builtIn]?: z.infer<(typeof builtIn)[K]> };
export type ItemFields = BuiltIn & Record<string, unknown>;

function customSchema(field: CraftioCustomField): z.ZodType {
  const options = field.options ?? [];
  const choice = z.string().refine((v) => options.includes(v), { message: `not a choice of ${field.key} (${options.join(', ')})` });
  switch (field.type) {
    case 'text':
      return z.string().max(255).nullable();
    case 'paragraph':
      return z.string().max(100_000).nullable();
    case 'number':
      return z.number().nullable();
    case 'date':
      return z.iso.date().nullable();
    case 'datetime':
      return z.iso.datetime({ offset: true }).nullable();
    case 'single-select':
    case 'cascading':
      return choice.nullable();
    case 'multi-select':
      return z.array(choice);
    case 'checkbox':
      return z.boolean();
    case 'user':
      return z.email().nullable();
    case 'user-list':
      return z.array(z.email());
    case 'url':
      return z.url({ protocol: /^https?$/ }).nullable();
    case 'labels':
      return z.array(z.string().min(1));
  }
}

const emptyOf = (type: CraftioFieldType): unknown => (type === 'multi-select' || type === 'user-list' || type === 'labels' ? [] : type === 'checkbox' ? false : null);

/** Objective, Key result, Value and Effort: the default fields the guide names. */
export const CRAFTIO_DEFAULT_FIELDS: CraftioCustomField[] = [
  { key: 'objective', type: 'text' },
  { key: 'key_result', type: 'paragraph' },
  { key: 'value', type: 'number' },
  { key: 'effort', type: 'number' },
];

const PREFIX: Record<CraftioItemType, string> = { epics: 'EPIC', features: 'FEAT', items: 'ITEM', initiatives: 'INIT' };

export interface CraftioOptions {
  token: string;
  /** Epoch ms, for the events' occurredAt and signatures; pass the platform's clock in tests. */
  clock?: () => number;
  /** The workspace's sprints (from the Jira board), releases/quarters and teams, by name. */
  sprints?: string[];
  releases?: string[];
  teams?: string[];
  /** Custom fields beside the default ones. */
  customFields?: CraftioCustomField[];
}

/** The workspace's items, for the sandbox's `--data` file. */
export interface CraftioDump {
  items: Array<CraftioItem & { type: CraftioItemType }>;
  counter: number;
}

export class CraftioStandIn extends ToolServer {
  /** Where changes go: Tandem's inbound URL for the connection and its secret. */
  tandem: TandemTarget | undefined;
  readonly sprints: string[];
  readonly releases: string[];
  readonly teams: string[];
  readonly customFields: CraftioCustomField[];
  private readonly store = new Map<CraftioItemType, Map<string, CraftioItem>>(CRAFTIO_ITEM_TYPES.map((t) => [t, new Map()]));
  private readonly clock: () => number;
  private readonly createSchema: z.ZodType<ItemFields>;
  private readonly patchSchema: z.ZodType<ItemFields>;
  private counter = 0;

  constructor(private readonly options: CraftioOptions) {
    super();
    this.clock = options.clock ?? Date.now;
    this.sprints = options.sprints ?? [];
    this.releases = options.releases ?? [];
    this.teams = options.teams ?? [];
    this.customFields = [...CRAFTIO_DEFAULT_FIELDS, ...(options.customFields ?? [])];
    const shape: Record<string, z.ZodType> = { ...builtIn };
    for (const field of this.customFields) shape[field.key] = customSchema(field);
    const all = z.strictObject(shape).partial();
    this.patchSchema = all as unknown as z.ZodType<ItemFields>;
    this.createSchema = all.required({ title: true }) as unknown as z.ZodType<ItemFields>;
  }

  dump(): CraftioDump {
    return { items: CRAFTIO_ITEM_TYPES.flatMap((type) => this.items(type).map((item) => ({ ...item, type }))), counter: this.counter };
  }

  /** Replaces the items with a dump's; numbers go on after the highest kept. */
  load(dump: CraftioDump): void {
    for (const bucket of this.store.values()) bucket.clear();
    for (const { type, ...item } of dump.items) this.bucket(type).set(item.id, structuredClone(item));
    this.counter = dump.counter;
  }

  items(type: CraftioItemType): Array<CraftioItem> {
    return [...this.bucket(type).values()].map((i) => structuredClone(i));
  }

  /** Any item by id, with its type. */
  item(id: string): (CraftioItem & { type: CraftioItemType }) | undefined {
    for (const type of CRAFTIO_ITEM_TYPES) {
      const found = this.bucket(type).get(id);
      if (found) return { ...structuredClone(found), type };
    }
    return undefined;
  }

  itemForIssue(issueKey: string): (CraftioItem & { type: CraftioItemType }) | undefined {
    for (const type of CRAFTIO_ITEM_TYPES) {
      const found = [...this.bucket(type).values()].find((i) => i.jira_issue_key === issueKey);
      if (found) return { ...structuredClone(found), type };
    }
    return undefined;
  }

  /** A person adds an item in Craft.io; the change goes to Tandem. */
  async createItem(type: CraftioItemType, fields: ItemFields & { title: string }): Promise<{ item: CraftioItem; answer: TandemAnswer }> {
    const item = this.add(type, this.parseFields(this.createSchema, fields));
    return { item: structuredClone(item), answer: await this.send('record.created', type, item) };
  }

  /** A person edits an item in Craft.io; the changed fields go to Tandem. */
  async updateItem(type: CraftioItemType, id: string, patch: ItemFields): Promise<TandemAnswer> {
    const item = this.require(type, id);
    const changes = this.parseFields(this.patchSchema, patch, id);
    this.apply(item, changes);
    return this.send('record.updated', type, item, changes);
  }

  /** The item as the API and events give it: custom fields beside the built-in ones. */
  private flat(item: CraftioItem): Record<string, unknown> {
    const { custom, ...rest } = item;
    return { ...rest, ...structuredClone(custom) };
  }

  /** Holds the changes Craft.io sends from now on, as a webhook delivered late would (see releaseHeld). */
  holdEvents(): void {
    this.held ??= [];
  }

  /** Stops holding; the function returned sends what was held, in order, when the test wants it to arrive. */
  releaseHeld(): () => Promise<TandemAnswer[]> {
    const held = this.held ?? [];
    this.held = undefined;
    return async () => {
      const answers: TandemAnswer[] = [];
      for (const send of held) answers.push(await send());
      return answers;
    };
  }

  private held: Array<() => Promise<TandemAnswer>> | undefined;

  private send(type: 'record.created' | 'record.updated', itemType: CraftioItemType, item: CraftioItem, changed?: ItemFields): Promise<TandemAnswer> {
    const target = this.tandem;
    if (!target) throw new Error('No Jira integration is connected: set `tandem` first');
    const { id, number, url, jira_issue_key: key, ...all } = this.flat(item) as Record<string, unknown> & Pick<CraftioItem, 'id' | 'number' | 'url' | 'jira_issue_key'>;
    const fields: Record<string, unknown> = changed ? { ...changed } : { ...all };
    delete fields.jira_issue_key;
    const record = { module: itemType, id, number, url, ...(key ? { jiraIssueKey: key } : {}), fields };
    const event = recordEvent(type, record, this.clock());
    const go = () => sendToTandem(target, event, this.clock());
    if (!this.held) return go();
    this.held.push(go);
    return Promise.resolve({ status: 0, body: { held: true } });
  }

  private bucket(type: CraftioItemType): Map<string, CraftioItem> {
    const found = this.store.get(type);
    if (!found) throw new ToolError(404, `Unknown item type ${type}`);
    return found;
  }

  private require(type: CraftioItemType, id: string): CraftioItem {
    const item = this.bucket(type).get(id);
    if (!item) throw new ToolError(404, `No ${type} item ${id}`);
    return item;
  }

  private find(id: string): CraftioItem | undefined {
    for (const bucket of this.store.values()) {
      const found = bucket.get(id);
      if (found) return found;
    }
    return undefined;
  }

  /** The workspace's own rules over a parsed change: known sprint, release and team, a parent that exists and makes no cycle. */
  private check(changes: ItemFields, itemId?: string): void {
    const known = (field: 'sprint' | 'release' | 'team', list: string[]) => {
      const value = changes[field];
      if (typeof value === 'string' && !list.includes(value)) throw new ToolError(400, `${field}: the workspace has no ${field} named "${value}"`);
    };
    known('sprint', this.sprints);
    known('release', this.releases);
    known('team', this.teams);
    const parentId = changes.parent_id;
    if (typeof parentId === 'string') {
      if (!this.find(parentId)) throw new ToolError(400, `parent_id: no item ${parentId}`);
      for (let at: string | null = parentId, steps = 0; at !== null && steps < 100; steps++) {
        if (at === itemId) throw new ToolError(400, `parent_id: ${parentId} is below this item, so it cannot be its parent`);
        at = this.find(at)?.parent_id ?? null;
      }
    }
  }

  private parseFields(schema: z.ZodType<ItemFields>, input: unknown, itemId?: string): ItemFields {
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`Not a valid item: ${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? ''}`);
    }
    this.check(parsed.data, itemId);
    return parsed.data;
  }

  private apply(item: CraftioItem, changes: ItemFields): void {
    const custom = new Set(this.customFields.map((f) => f.key));
    for (const [key, value] of Object.entries(changes)) {
      if (custom.has(key)) item.custom[key] = value;
      else (item as unknown as Record<string, unknown>)[key] = value;
    }
  }

  private add(type: CraftioItemType, fields: ItemFields): CraftioItem {
    this.counter += 1;
    const id = randomUUID().slice(0, 13);
    const item: CraftioItem = {
      id,
      number: `${PREFIX[type]}-${this.counter}`,
      url: `${this.baseUrl}/workspace/${type}/${id}`,
      title: String(fields.title),
      description: '',
      status: 'backlog',
      tags: [],
      owner: null,
      due_date: null,
      jira_issue_key: null,
      parent_id: null,
      sprint: null,
      release: null,
      components: [],
      story_points: null,
      team: null,
      custom: Object.fromEntries(this.customFields.map((f) => [f.key, emptyOf(f.type)])),
    };
    this.apply(item, fields);
    this.bucket(type).set(id, item);
    return item;
  }

  // ---------------------------------------------------------------- the records API

  private parseRequest(schema: z.ZodType<ItemFields>, raw: Buffer, itemId?: string): ItemFields {
    const fields = parseBody(schema, raw);
    this.check(fields, itemId);
    return fields;
  }

  protected route(request: ToolRequest): Answer {
    const header = request.headers.authorization;
    if (!bearerMatches(typeof header === 'string' ? header : undefined, this.options.token)) throw new ToolError(401, 'Invalid API token');
    const [api, typeName, id, ...rest] = request.path.split('/').filter((s) => s !== '').map(decodeURIComponent);
    const type = CRAFTIO_ITEM_TYPES.find((t) => t === typeName);
    if (api !== 'api' || type === undefined || rest.length > 0) throw new ToolError(404, 'Not found');
    if (id === undefined) {
      if (request.method === 'GET') {
        const key = request.query.get('jira_issue_key');
        return { status: 200, body: { items: this.items(type).filter((i) => key === null || i.jira_issue_key === key).map((i) => this.flat(i)) } };
      }
      if (request.method === 'POST') return { status: 201, body: this.flat(this.add(type, this.parseRequest(this.createSchema, request.raw))) };
      throw new ToolError(405, 'Use GET or POST');
    }
    const item = this.require(type, id);
    if (request.method === 'GET') return { status: 200, body: this.flat(item) };
    if (request.method === 'PATCH') {
      this.apply(item, this.parseRequest(this.patchSchema, request.raw, id));
      return { status: 200, body: this.flat(item) };
    }
    if (request.method === 'DELETE') {
      this.bucket(type).delete(id);
      return { status: 204 };
    }
    throw new ToolError(405, 'Use GET, PATCH or DELETE');
  }
}

// A stand-in of Craft.io (seed guide 001) for Tandem's conformance tests: items of several item
// types (epics, features, initiatives, and the items that secondary Jira types land in) behind a
// records API (`Authorization: Bearer <token>`, Tandem's default record REST paths), and every
// change a person makes to an item sent to Tandem's inbound URL, signed. Craft.io's type mapping
// (which types sync, which are Ignore, which are one way) is the connection's, so the stand-in sends
// changes of every type and Tandem decides. Changes made through the API are not sent back.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ToolError, ToolServer, bearerMatches, parseBody, recordEvent, sendToTandem, type Answer, type TandemAnswer, type TandemTarget, type ToolRequest } from './common';

export const CRAFTIO_ITEM_TYPES = ['epics', 'features', 'items', 'initiatives'] as const;
export type CraftioItemType = (typeof CRAFTIO_ITEM_TYPES)[number];
export const CRAFTIO_STATUSES = ['backlog', 'in_progress', 'done'] as const;

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
}

const fieldsSchema = z.strictObject({
  title: z.string().trim().min(1).max(255),
  description: z.string().max(100_000),
  status: z.enum(CRAFTIO_STATUSES),
  tags: z.array(z.string().min(1)),
  owner: z.email().nullable(),
  due_date: z.iso.date().nullable(),
  jira_issue_key: z.string().nullable(),
});
const createSchema = fieldsSchema.partial().required({ title: true });
const patchSchema = fieldsSchema.partial();
type ItemFields = z.infer<typeof patchSchema>;

const PREFIX: Record<CraftioItemType, string> = { epics: 'EPIC', features: 'FEAT', items: 'ITEM', initiatives: 'INIT' };

export interface CraftioOptions {
  token: string;
  /** Epoch ms, for the events' occurredAt and signatures; pass the platform's clock in tests. */
  clock?: () => number;
}

export class CraftioStandIn extends ToolServer {
  /** Where changes go: Tandem's inbound URL for the connection and its secret. */
  tandem: TandemTarget | undefined;
  private readonly store = new Map<CraftioItemType, Map<string, CraftioItem>>(CRAFTIO_ITEM_TYPES.map((t) => [t, new Map()]));
  private readonly clock: () => number;
  private counter = 0;

  constructor(private readonly options: CraftioOptions) {
    super();
    this.clock = options.clock ?? Date.now;
  }

  items(type: CraftioItemType): CraftioItem[] {
    return [...this.bucket(type).values()].map((i) => ({ ...i }));
  }

  itemForIssue(issueKey: string): (CraftioItem & { type: CraftioItemType }) | undefined {
    for (const type of CRAFTIO_ITEM_TYPES) {
      const found = [...this.bucket(type).values()].find((i) => i.jira_issue_key === issueKey);
      if (found) return { ...found, type };
    }
    return undefined;
  }

  /** A person adds an item in Craft.io; the change goes to Tandem. */
  async createItem(type: CraftioItemType, fields: ItemFields & { title: string }): Promise<{ item: CraftioItem; answer: TandemAnswer }> {
    const item = this.add(type, parseFields(createSchema, fields));
    return { item: { ...item }, answer: await this.send('record.created', type, item) };
  }

  /** A person edits an item in Craft.io; the changed fields go to Tandem. */
  async updateItem(type: CraftioItemType, id: string, patch: ItemFields): Promise<TandemAnswer> {
    const item = this.require(type, id);
    const changes = parseFields(patchSchema, patch);
    Object.assign(item, changes);
    return this.send('record.updated', type, item, changes);
  }

  private send(type: 'record.created' | 'record.updated', itemType: CraftioItemType, item: CraftioItem, changed?: ItemFields): Promise<TandemAnswer> {
    if (!this.tandem) throw new Error('No Jira integration is connected: set `tandem` first');
    const { id, number, url, jira_issue_key: key, ...all } = item;
    const fields: Record<string, unknown> = changed ? { ...changed } : { ...all };
    delete fields.jira_issue_key;
    const record = { module: itemType, id, number, url, ...(key ? { jiraIssueKey: key } : {}), fields };
    return sendToTandem(this.tandem, recordEvent(type, record, this.clock()), this.clock());
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

  private add(type: CraftioItemType, fields: ItemFields & { title: string }): CraftioItem {
    this.counter += 1;
    const id = randomUUID().slice(0, 13);
    const item: CraftioItem = {
      id,
      number: `${PREFIX[type]}-${this.counter}`,
      url: `${this.baseUrl}/workspace/${type}/${id}`,
      title: fields.title,
      description: fields.description ?? '',
      status: fields.status ?? 'backlog',
      tags: fields.tags ?? [],
      owner: fields.owner ?? null,
      due_date: fields.due_date ?? null,
      jira_issue_key: fields.jira_issue_key ?? null,
    };
    this.bucket(type).set(id, item);
    return item;
  }

  // ---------------------------------------------------------------- the records API

  protected route(request: ToolRequest): Answer {
    const header = request.headers.authorization;
    if (!bearerMatches(typeof header === 'string' ? header : undefined, this.options.token)) throw new ToolError(401, 'Invalid API token');
    const [api, typeName, id, ...rest] = request.path.split('/').filter((s) => s !== '').map(decodeURIComponent);
    const type = CRAFTIO_ITEM_TYPES.find((t) => t === typeName);
    if (api !== 'api' || type === undefined || rest.length > 0) throw new ToolError(404, 'Not found');
    if (id === undefined) {
      if (request.method === 'GET') {
        const key = request.query.get('jira_issue_key');
        return { status: 200, body: { items: this.items(type).filter((i) => key === null || i.jira_issue_key === key) } };
      }
      if (request.method === 'POST') return { status: 201, body: this.add(type, parseBody(createSchema, request.raw)) };
      throw new ToolError(405, 'Use GET or POST');
    }
    const item = this.require(type, id);
    if (request.method === 'GET') return { status: 200, body: item };
    if (request.method === 'PATCH') {
      Object.assign(item, parseBody(patchSchema, request.raw));
      return { status: 200, body: item };
    }
    if (request.method === 'DELETE') {
      this.bucket(type).delete(id);
      return { status: 204 };
    }
    throw new ToolError(405, 'Use GET, PATCH or DELETE');
  }
}

function parseFields<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new Error(`Not a valid item: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

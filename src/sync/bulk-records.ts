// Sync existing, tool → Jira: a module's records (optionally those changed since a date), read a page
// at a time by the tool's cursor (`listRecords`). Each record goes through the ordinary inbound path
// as a record.created event: a record already linked is brought up to date, one that names its issue
// (the connection's issue key field) is linked to it, any other becomes an issue.
import { recordRestConnector, type ToolRecord } from '../connectors';
import { planRecordToJira, type BulkItemPlan, type BulkRecord, type Connection, type CounterpartIndex } from '../mapping';
import { runInboundDelivery } from './inbound';
import type { Ports } from './ports';
import { authSecretKey, recordIndexKey, recordIndexSchema } from './state';

export interface RecordPageItems {
  records: Array<{ record: ToolRecord; facts: BulkRecord; linkedIssue?: { id: string; label: string } }>;
  nextCursor?: string;
}

/** One page of the module's records; undefined (with the reason) when the tool cannot list them. */
export async function recordPage(ports: Ports, connection: Connection, input: { module: string; cursor?: string; updatedSince?: string; limit: number }): Promise<RecordPageItems | string> {
  if (connection.protocol !== 'record-rest' || connection.paths.listRecords === null) return `${connection.name} cannot list its records, so there is nothing to sync from it`;
  const secret = connection.auth.kind === 'none' ? undefined : await ports.store.getSecret(authSecretKey(connection.id));
  const connector = recordRestConnector(connection, secret, ports.external, { clock: ports.clock });
  const page = await connector.listRecords({ module: input.module, limit: input.limit, ...(input.cursor ? { cursor: input.cursor } : {}), ...(input.updatedSince ? { updatedSince: input.updatedSince } : {}) });
  if (!page.ok) return `${connection.name} did not list its ${input.module}: ${page.failure.explanation}`;
  const keys = page.value.records.map((r) => recordIndexKey(connection.id, input.module, r.id));
  const linked = await ports.store.getMany(keys);
  const summaryField = connection.projects.filter((p) => p.module === input.module).flatMap((p) => p.fields ?? connection.fields).find((m) => m.jira === 'summary')?.tool;
  return {
    records: page.value.records.map((record) => {
      const index = recordIndexSchema.safeParse(linked.get(recordIndexKey(connection.id, input.module, record.id)));
      const key = connection.issueKeyField ? record.fields[connection.issueKeyField] : undefined;
      const summary = summaryField ? record.fields[summaryField] : undefined;
      const facts: BulkRecord = {
        id: record.id,
        module: input.module,
        ...(record.number ? { number: record.number } : {}),
        ...(typeof key === 'string' && key ? { issueKey: key } : {}),
        ...(typeof summary === 'string' ? { summary } : {}),
      };
      return { record, facts, ...(index.success ? { linkedIssue: { id: index.data.issueId, label: index.data.issueKey } } : {}) };
    }),
    ...(page.value.nextCursor ? { nextCursor: page.value.nextCursor } : {}),
  };
}

/** What a record becomes; a record naming an issue key is taken to name an issue Jira has (the inbound path checks). */
export function planRecord(connection: Connection, item: RecordPageItems['records'][number]): BulkItemPlan {
  const named: CounterpartIndex<{ id: string; key: string; projectKey: string; issueTypeName: string; summary: string }> | undefined = item.facts.issueKey
    ? { byIssueKey: new Map([[item.facts.issueKey, { id: '', key: item.facts.issueKey, projectKey: '', issueTypeName: '', summary: '' }]]), bySummaryDay: new Map() }
    : undefined;
  return planRecordToJira({ connection, record: item.facts, linkedIssue: item.linkedIssue, issues: named, matchRule: 'reference' });
}

/** The record through the inbound path, as if the tool had just announced it. */
export async function syncRecord(ports: Ports, connection: Connection, item: RecordPageItems['records'][number], jobId: string, at: string): Promise<'failed' | 'done' | { later: number }> {
  const { record, facts } = item;
  const eventId = `bulk-${jobId}-${facts.module}-${record.id}`.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 100);
  const answer = await runInboundDelivery(ports, {
    kind: 'inbound',
    connectionId: connection.id,
    attempt: 1,
    event: {
      eventId,
      type: 'record.created',
      occurredAt: at.replace(/\.\d+Z$/, 'Z'),
      record: {
        module: facts.module,
        id: record.id,
        url: record.url,
        fields: record.fields,
        ...(record.number ? { number: record.number } : {}),
        ...(facts.issueKey && /^[A-Z][A-Z0-9_]{1,9}-[1-9][0-9]{0,9}$/.test(facts.issueKey) ? { jiraIssueKey: facts.issueKey } : {}),
      },
    },
  });
  const linked = await ports.store.get(recordIndexKey(connection.id, facts.module, record.id));
  if (linked !== undefined) return 'done';
  // Jira was busy (429, 5xx): the event waits on the queue; the job waits as long and does the record again.
  const retryIn = answer?.status === 202 ? answer.body.retryInSeconds : undefined;
  return typeof retryIn === 'number' ? { later: ports.clock.now() + retryIn * 1000 } : 'failed';
}

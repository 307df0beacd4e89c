// "Sync now" for one issue by its key, from the admin page: the same as the tool's sync.requested
// event. The issue goes through its ordinary delivery on the queue: a record that names it is linked,
// never duplicated; otherwise one is made; a linked one is brought up to date.
import { findProjectMapping, parseConfig } from '../mapping';
import { BulkError } from './bulk';
import type { Ports } from './ports';
import { CONFIG_KEY } from './state';

export async function syncIssueNow(ports: Ports, input: { connectionId: string; issueKey: string }): Promise<{ issueKey: string; message: string }> {
  const raw = await ports.store.get(CONFIG_KEY);
  const parsed = raw === undefined ? undefined : parseConfig(raw);
  const connection = parsed?.ok ? parsed.config.connections.find((c) => c.id === input.connectionId) : undefined;
  if (!connection) throw new BulkError('NOT_FOUND', 'There is no such connection.');
  const issue = await ports.jira.getIssue(input.issueKey, ['summary']);
  if (!issue) throw new BulkError('NOT_FOUND', `There is no issue ${input.issueKey} that Tandem can see.`);
  const mapping = issue.project && issue.issueType ? findProjectMapping(connection, { projectKey: issue.project.key, issueTypeName: issue.issueType.name }) : undefined;
  if (!mapping) throw new BulkError('INVALID', `${issue.key} is in no project and issue type ${connection.name} maps.`);
  if (mapping.direction === 'tool-to-jira') throw new BulkError('INVALID', `${issue.key} is mapped tool to Jira only, so Tandem does not send it.`);
  if (!connection.enabled) throw new BulkError('INVALID', `${connection.name} is disconnected: connect it first.`);
  await ports.queue.push({ type: 'delivery', delivery: { kind: 'issue', connectionId: connection.id, issueId: issue.id, issueKey: issue.key, attempt: 1 } });
  return { issueKey: issue.key, message: `${issue.key} will be sent to ${connection.name} shortly` };
}

// Tool → Jira: what an authenticated, parsed inbound event does to Jira. A record's changed fields
// go in one edit, then a status change (record-update); a new record becomes an issue under a create
// lock (record-create); a deleted record follows the connection's option (record-delete); comments
// follow by the tool's comment id (comments). Only fields that differ from the link's shadow are
// written, so an echo of Tandem's own push writes nothing. Jira's 429 and 5xx are thrown to the
// caller, which queues the event; the plan is made again on retry.
import { findProjectMapping } from '../../mapping';
import type { InboundEvent } from '../inbound-event';
import type { InboundAnswer } from '../inbound-request';
import { answer, refusal } from '../inbound-request';
import { applyComment } from './comments';
import { deleteRecord } from './record-delete';
import { applyRecord } from './record-update';
import { commit, deliverIssue, type InboundRun } from './run';

export async function applyEvent(run: InboundRun, event: InboundEvent): Promise<InboundAnswer> {
  switch (event.type) {
    case 'sync.requested':
      return requestSync(run, event.jiraIssueKey);
    case 'ping':
      return answer('ok', { message: `Signature verified: Tandem takes events for ${run.connection.name}` });
    case 'record.created':
    case 'record.updated':
      return applyRecord(run, event);
    case 'record.deleted':
      return deleteRecord(run, event);
    case 'comment.created':
    case 'comment.updated':
    case 'comment.deleted':
      return applyComment(run, event);
  }
}

/** sync.requested: the tool asks for an issue to be sent to it now. */
async function requestSync(run: InboundRun, issueKey: string): Promise<InboundAnswer> {
  const issue = await run.ports.jira.getIssue(issueKey, ['summary']);
  if (!issue) return refusal('unknown_issue', `There is no issue ${issueKey} that Tandem can see`, 'jiraIssueKey');
  const mapping = issue.project && issue.issueType ? findProjectMapping(run.connection, { projectKey: issue.project.key, issueTypeName: issue.issueType.name }) : undefined;
  if (!mapping) return refusal('issue_not_mapped', `${issue.key} is in no project and issue type this connection maps`, 'jiraIssueKey');
  if (mapping.direction === 'tool-to-jira') return refusal('direction_tool_to_jira', `${issue.key} is mapped tool to Jira only, so Tandem does not send it`, 'jiraIssueKey');
  await deliverIssue(run, run.connection.id, issue);
  await commit(run, []);
  return answer('queued', { issueKey: issue.key, message: `${issue.key} will be sent to the tool shortly` });
}

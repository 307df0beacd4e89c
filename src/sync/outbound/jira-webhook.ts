// The Jira-webhook push: each Jira event is forwarded to the tool's push URL as Jira's own webhooks
// would send it, changelog included, for issues the connection maps and its JQL filter matches.
import { jiraWebhookBodyFor, pushJiraWebhook, type JiraWebhookEvent, type WebhookCommentSource } from '../../connectors';
import type { JiraWebhookConnection } from '../../mapping';
import type { Delivery } from '../delivery';
import { activityWrite, clearFailureWrite } from '../journal';
import type { JiraIssue } from '../ports';
import { authSecretKey, signingSecretKey } from '../state';
import type { OutboundProtocol } from './protocol';
import { jiraFieldsOf, mappingFor, passesFilter, unwrap, type Changelog, type Run } from './run';

export function jiraWebhookProtocol(connection: JiraWebhookConnection): OutboundProtocol {
  return {
    // Each event is forwarded as it came; two pushes of one issue at once are two events.
    oneAtATime: false,
    // The mapping and filter are asked of every event, once the issue is read.
    concerns: () => true,
    async deliver(run, change, attempt) {
      switch (change.kind) {
        case 'issue-created':
        case 'issue-updated':
          return pushIssue(run, connection, {
            event: change.kind === 'issue-created' ? 'jira:issue_created' : 'jira:issue_updated',
            payloadFields: change.payload.fields,
            changelog: change.changelog,
            attempt,
            actorAccountId: change.actorAccountId,
          });
        case 'issue-deleted':
          return pushIssue(run, connection, { event: 'jira:issue_deleted', payloadFields: change.payload.fields, attempt });
        case 'comment-saved':
          if (!change.comment) return;
          return pushComment(run, connection, change.commentId, change.comment);
        case 'comment-deleted':
          return pushComment(run, connection, change.commentId, undefined);
      }
    },
    redeliver: (run, delivery) => redeliver(run, connection, delivery),
  };
}

async function redeliver(run: Run, connection: JiraWebhookConnection, delivery: Delivery): Promise<void> {
  if (delivery.kind !== 'issue') return;
  const issue = await run.ports.jira.getIssue(delivery.issueId, jiraFieldsOf(connection));
  if (!issue) return;
  run.issueKey = issue.key;
  await pushIssue(run, connection, { event: 'jira:issue_updated', fresh: issue, attempt: delivery.attempt });
}

interface IssuePush {
  event: JiraWebhookEvent;
  /** The issue as just read from Jira, when it was. */
  fresh?: JiraIssue;
  /** The fields the event carried. */
  payloadFields?: Record<string, unknown>;
  changelog?: Changelog | undefined;
  attempt: number;
  actorAccountId?: string | undefined;
}

async function pushIssue(run: Run, connection: JiraWebhookConnection, push: IssuePush): Promise<void> {
  const { ports } = run;
  const { event } = push;
  let fields = push.fresh?.fields ?? push.payloadFields ?? {};
  const projectMapping = mappingFor(connection, fields);
  if (!projectMapping) return;
  if (event !== 'jira:issue_deleted' && !(await passesFilter(run, projectMapping))) return;
  if (!push.fresh && event !== 'jira:issue_deleted') {
    // The push carries the issue as Jira's webhooks do, so read the fields events leave out.
    const issue = await ports.jira.getIssue(run.issueId, jiraFieldsOf(connection));
    if (!issue) return;
    fields = issue.fields;
  }
  await send(run, connection, {
    event,
    fields,
    mapped: { projectKey: projectMapping.projectKey, issueType: projectMapping.issueType },
    changelog: push.changelog,
    actorAccountId: push.actorAccountId,
  });
}

async function pushComment(run: Run, connection: JiraWebhookConnection, commentId: string, comment: WebhookCommentSource | undefined): Promise<void> {
  if (!connection.options.syncComments) return;
  const issue = await run.ports.jira.getIssue(run.issueId, jiraFieldsOf(connection));
  if (!issue) return;
  const projectMapping = mappingFor(connection, issue.fields);
  if (!projectMapping || !(await passesFilter(run, projectMapping))) return;
  await send(run, connection, {
    event: comment ? 'comment_created' : 'comment_deleted',
    fields: issue.fields,
    mapped: { projectKey: projectMapping.projectKey, issueType: projectMapping.issueType },
    comment: comment ?? { id: commentId, body: { type: 'doc', version: 1, content: [] }, author: undefined },
  });
}

interface Push {
  event: JiraWebhookEvent;
  fields: Record<string, unknown>;
  mapped: { projectKey: string; issueType: string };
  changelog?: Changelog | undefined;
  actorAccountId?: string | undefined;
  comment?: WebhookCommentSource;
}

async function send(run: Run, connection: JiraWebhookConnection, push: Push): Promise<void> {
  const { ports } = run;
  const now = ports.clock.now();
  const body = jiraWebhookBodyFor({
    event: push.event,
    issue: { id: run.issueId, key: run.issueKey, fields: push.fields },
    mapped: push.mapped,
    timestamp: now,
    actorAccountId: push.actorAccountId,
    changelog: push.changelog,
    comment: push.comment,
  });
  const secrets = {
    ...(connection.auth.kind === 'none' ? {} : { auth: await ports.store.getSecret(authSecretKey(connection.id)) }),
    ...(connection.webhook.sign ? { signing: await ports.store.getSecret(signingSecretKey(connection.id)) } : {}),
  };
  unwrap(`Pushing ${push.event} for ${run.issueKey}`, await pushJiraWebhook(connection, secrets, ports.external, body, { deliveryId: `${connection.id}-${run.issueId}-${now}` }));
  await ports.store.writeAll([
    clearFailureWrite(connection.id, { kind: 'issue', issueId: run.issueId, issueKey: run.issueKey }),
    activityWrite(ports, {
      connectionId: connection.id,
      direction: 'outbound',
      outcome: 'synced',
      issueKey: run.issueKey,
      summary: `Pushed ${push.event} for ${run.issueKey}${push.comment ? ` (comment ${push.comment.id})` : ''}`,
    }),
  ]);
}

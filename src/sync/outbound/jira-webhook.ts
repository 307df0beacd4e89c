// The Jira-webhook push: each Jira event about an issue the connection maps (and its JQL filter
// matches) is forwarded to the tool's push URL as Jira's own webhooks would send it. A retry sends the
// same event with the same X-Atlassian-Webhook-Identifier, the issue as Jira holds it by then.
import { randomUUID } from 'node:crypto';
import { jiraWebhookBodyFor, pushJiraWebhook } from '../../connectors';
import { isMaskedPushUrl, type JiraWebhookConnection } from '../../mapping';
import type { Delivery, WebhookPush } from '../delivery';
import { activityWrite, clearFailureWrite } from '../journal';
import type { IssueFacts, JiraComment, JiraUserRef } from '../ports';
import { authSecretKey, pushedKey, pushUrlSecretKey, signingSecretKey } from '../state';
import type { OutboundProtocol } from './protocol';
import { commentDeleted, deliveryFor, mappingFor, named, passesFilter, subjectOf, subjectOfDelivery, unwrap, type OutboundChange, type Run } from './run';

/** Jira's push carries every field of the issue. */
const ALL_FIELDS = ['*all'];

export function jiraWebhookProtocol(connection: JiraWebhookConnection): OutboundProtocol {
  return {
    // Each event is forwarded as it came; two pushes of one issue at once are two events.
    oneAtATime: false,
    // The mapping and filter are asked once the issue is read. (The issue update a comment change also
    // fires is dropped before any connection: the comment's own event is pushed.)
    concerns: () => true,
    deliveryOf: (run, change) => ({ ...deliveryFor(connection.id, subjectOf(change), 1), push: pushOf(run, change) }),
    deliver: (run, change, delivery) => push(run, connection, delivery, change),
    redeliver: (run, delivery) => push(run, connection, delivery, undefined),
  };
}

/** The event a change makes, and what its retries must send again. */
function pushOf(run: Run, change: OutboundChange): WebhookPush {
  const base = { webhookId: randomUUID(), timestamp: run.ports.clock.now() };
  switch (change.kind) {
    case 'issue-created':
    case 'issue-updated':
      return {
        ...base,
        event: change.kind === 'issue-created' ? 'jira:issue_created' : 'jira:issue_updated',
        ...(change.actorAccountId ? { actorAccountId: change.actorAccountId } : {}),
        ...(change.changelog ? { changelog: change.changelog } : {}),
      };
    case 'issue-deleted':
      // The issue is gone: its last fields travel with the retry.
      return { ...base, event: 'jira:issue_deleted', issue: change.payload, ...(change.actorAccountId ? { actorAccountId: change.actorAccountId } : {}) };
    case 'comment-saved':
      return { ...base, event: change.edited ? 'comment_updated' : 'comment_created' };
    case 'comment-deleted':
      // The comment is gone: as it was, it travels with the retry.
      return { ...base, event: 'comment_deleted', ...(change.comment ? { comment: change.comment } : {}) };
  }
}

/** A delivery queued without its event (a retry the admin or the tool asked for) pushes the issue as it is now. */
function pushFor(run: Run, delivery: Delivery): WebhookPush | undefined {
  if (delivery.push) return delivery.push;
  if (delivery.kind !== 'issue') return undefined;
  return { event: 'jira:issue_updated', webhookId: randomUUID(), timestamp: run.ports.clock.now() };
}

/** The issue the push is about: read from Jira, or for a deletion, as the event left it. */
async function issueFor(run: Run, details: WebhookPush, change: OutboundChange | undefined): Promise<IssueFacts | undefined> {
  if (details.event !== 'jira:issue_deleted') {
    const issue = await run.ports.jira.getIssue(run.issueId, ALL_FIELDS);
    if (issue) run.issueKey = issue.key;
    // A comment deleted with its issue is still pushed, with the issue as the event left it.
    if (!issue && details.event === 'comment_deleted' && change?.kind === 'comment-deleted') return change.payload;
    return issue;
  }
  if (change?.kind === 'issue-deleted') return change.payload;
  return details.issue;
}

/** The comment of a comment event: from the event, read again on a retry, or as it was when deleted. */
async function commentFor(run: Run, delivery: Delivery, details: WebhookPush, change: OutboundChange | undefined): Promise<JiraComment | undefined> {
  if (delivery.kind !== 'comment') return undefined;
  if (details.event === 'comment_deleted') {
    return details.comment ?? (change?.kind === 'comment-deleted' ? change.comment : undefined) ?? { id: delivery.commentId, body: undefined, author: undefined };
  }
  // Deleted since (this event late or replayed): its deletion was pushed already, so nothing is.
  if (await commentDeleted(run, delivery.commentId)) return undefined;
  if (change?.kind === 'comment-saved' && change.comment) return change.comment;
  // Deleted since: its deletion is pushed by its own event.
  return run.ports.jira.getComment(run.issueId, delivery.commentId);
}

/** Names every user the push shows: product events carry account ids only. */
async function withNames(run: Run, issue: IssueFacts, comment: JiraComment | undefined): Promise<{ issue: IssueFacts; comment: JiraComment | undefined }> {
  const users: Record<string, JiraUserRef> = { ...issue.users };
  for (const role of ['assignee', 'reporter', 'creator']) {
    const user = users[role];
    if (user) users[role] = await named(run, user);
  }
  const namedComment = comment && {
    ...comment,
    author: comment.author && (await named(run, comment.author)),
    updateAuthor: comment.updateAuthor && (await named(run, comment.updateAuthor)),
  };
  return { issue: { ...issue, users }, comment: namedComment };
}

async function push(run: Run, connection: JiraWebhookConnection, delivery: Delivery, change: OutboundChange | undefined): Promise<void> {
  const { ports } = run;
  const details = pushFor(run, delivery);
  if (!details) return;
  const commentEvent = details.event.startsWith('comment_');
  if (commentEvent && !connection.options.syncComments) return;
  // The event says where the issue is: one the connection does not map costs nothing more.
  const carried = change && 'payload' in change ? change.payload : undefined;
  if (carried?.project && carried.issueType && !mappingFor(connection, carried)) return;
  const found = await issueFor(run, details, change);
  if (!found) return;
  const projectMapping = mappingFor(connection, found);
  if (!projectMapping) return;
  if (details.event === 'jira:issue_deleted') {
    // A deleted issue can no longer be matched, so the filter speaks through what was pushed: an issue
    // the filter kept out (never pushed) sends nothing; one the tool was told of is deleted there too,
    // even if it left the filter since.
    if (projectMapping.jql && (await ports.store.get(pushedKey(connection.id, run.issueId))) === undefined) return;
  } else if (!(await passesFilter(run, projectMapping))) return;
  const comment = await commentFor(run, delivery, details, change);
  if (commentEvent && !comment) return;
  const { issue, comment: shown } = await withNames(run, found, comment);
  const body = jiraWebhookBodyFor({
    event: details.event,
    issue: { ...issue, id: run.issueId, key: run.issueKey },
    mapped: { projectKey: projectMapping.projectKey, issueType: projectMapping.issueType },
    timestamp: details.timestamp,
    // Jira names who acted on issue events; comment events carry the comment's authors instead.
    user: details.actorAccountId && !commentEvent ? await named(run, { accountId: details.actorAccountId }) : undefined,
    changelog: details.changelog,
    comment: shown,
  });
  const secrets = {
    ...(connection.auth.kind === 'none' ? {} : { auth: await ports.store.getSecret(authSecretKey(connection.id)) }),
    ...(connection.webhook.sign ? { signing: await ports.store.getSecret(signingSecretKey(connection.id)) } : {}),
    ...(isMaskedPushUrl(connection.webhook.pushUrl) ? { pushUrl: await ports.store.getSecret(pushUrlSecretKey(connection.id)) } : {}),
  };
  unwrap(`Pushing ${details.event} for ${run.issueKey}`, await pushJiraWebhook(connection, secrets, ports.external, body, { deliveryId: details.webhookId, clock: ports.clock }));
  const updated = typeof found.fields.updated === 'string' ? found.fields.updated : undefined;
  await ports.store.writeAll([
    // What the sweep compares with: in the same transaction, so it costs no storage call of its own.
    ...(details.event === 'jira:issue_deleted'
      ? [{ key: pushedKey(connection.id, run.issueId), delete: true as const }]
      : updated
        ? [{ key: pushedKey(connection.id, run.issueId), value: { updated } }]
        : []),
    clearFailureWrite(connection.id, subjectOfDelivery(delivery)),
    activityWrite(ports, {
      connectionId: connection.id,
      direction: 'outbound',
      outcome: 'synced',
      issueKey: run.issueKey,
      summary: `Pushed ${details.event} for ${run.issueKey}${comment ? ` (comment ${comment.id})` : ''}`,
    }),
  ]);
}

// Forge product-event triggers (manifest: tandem-issue-events, tandem-comment-events): parse the
// event, hand it to the outbound sync. Events the app caused never get here (ignoreSelf).
import { forgePorts } from '../platform/ports';
import { syncOutbound, type OutboundChange } from '../sync/outbound';
import { commentEventSchema, issueEventSchema } from './schemas';

export async function onIssueEvent(event: unknown): Promise<void> {
  const parsed = issueEventSchema.safeParse(event);
  // A shape we do not understand is logged, not retried: retrying cannot make it parse.
  if (!parsed.success) {
    console.warn('Ignored an issue event of unexpected shape', parsed.error.issues[0]?.path.join('.'));
    return;
  }
  const { eventType, issue, changelog, atlassianId } = parsed.data;
  const payload = { fields: issue.fields };
  const change: OutboundChange =
    eventType === 'avi:jira:deleted:issue'
      ? { kind: 'issue-deleted', issueId: issue.id, issueKey: issue.key, payload }
      : {
          kind: eventType === 'avi:jira:created:issue' ? 'issue-created' : 'issue-updated',
          issueId: issue.id,
          issueKey: issue.key,
          payload,
          ...(changelog ? { changelog } : {}),
          ...(atlassianId ? { actorAccountId: atlassianId } : {}),
        };
  await syncOutbound(forgePorts, change);
}

export async function onCommentEvent(event: unknown): Promise<void> {
  const parsed = commentEventSchema.safeParse(event);
  if (!parsed.success) {
    console.warn('Ignored a comment event of unexpected shape', parsed.error.issues[0]?.path.join('.'));
    return;
  }
  const { eventType, issue, comment } = parsed.data;
  const base = { issueId: issue.id, issueKey: issue.key, commentId: comment.id };
  await syncOutbound(
    forgePorts,
    eventType === 'avi:jira:deleted:comment'
      ? { kind: 'comment-deleted', ...base }
      : {
          kind: 'comment-saved',
          ...base,
          // The event's body is what was saved; a retry reads the comment again instead.
          comment: { id: comment.id, body: comment.body, author: comment.author ? { accountId: comment.author.accountId, displayName: comment.author.displayName } : undefined },
          payload: { fields: issue.fields },
        },
  );
}

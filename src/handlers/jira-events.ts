// Forge product-event triggers (manifest: tandem-issue-events, tandem-comment-events): parse the
// event, hand it to the outbound sync. Events the app caused never get here (ignoreSelf).
import { issueFactsOf } from '../platform/issue';
import { forgePorts } from '../platform/ports';
import type { JiraComment, JiraUserRef } from '../sync/ports';
import { syncOutbound, type OutboundChange } from '../sync/outbound';
import { holderOfEvent } from '../sync/sync-lock';
import { commentEventSchema, issueEventSchema } from './schemas';

export async function onIssueEvent(event: unknown): Promise<void> {
  const parsed = issueEventSchema.safeParse(event);
  // A shape we do not understand is logged, not retried: retrying cannot make it parse.
  if (!parsed.success) {
    console.warn('Ignored an issue event of unexpected shape', parsed.error.issues[0]?.path.join('.'));
    return;
  }
  const { eventType, issue, changelog, atlassianId } = parsed.data;
  const payload = issueFactsOf(issue.fields);
  const change: OutboundChange =
    eventType === 'avi:jira:deleted:issue'
      ? { kind: 'issue-deleted', issueId: issue.id, issueKey: issue.key, payload, ...(atlassianId ? { actorAccountId: atlassianId } : {}) }
      : {
          kind: eventType === 'avi:jira:created:issue' ? 'issue-created' : 'issue-updated',
          issueId: issue.id,
          issueKey: issue.key,
          payload,
          ...(changelog ? { changelog } : {}),
          ...(atlassianId ? { actorAccountId: atlassianId } : {}),
        };
  await syncOutbound(forgePorts, change, holderOfEvent(event));
}

const userRef = (user: { accountId: string; displayName?: string | undefined } | undefined): JiraUserRef | undefined =>
  user && { accountId: user.accountId, ...(user.displayName ? { displayName: user.displayName } : {}) };

export async function onCommentEvent(event: unknown): Promise<void> {
  const parsed = commentEventSchema.safeParse(event);
  if (!parsed.success) {
    console.warn('Ignored a comment event of unexpected shape', parsed.error.issues[0]?.path.join('.'));
    return;
  }
  const { eventType, issue, comment } = parsed.data;
  const base = { issueId: issue.id, issueKey: issue.key, commentId: comment.id, payload: issueFactsOf(issue.fields) };
  // The event's comment is what was saved (or, deleted, what it was); a retry reads the comment again.
  const saved: JiraComment = {
    id: comment.id,
    body: comment.body,
    author: userRef(comment.author),
    updateAuthor: userRef(comment.updateAuthor),
    created: comment.created,
    updated: comment.updated,
  };
  await syncOutbound(
    forgePorts,
    eventType === 'avi:jira:deleted:comment'
      ? { kind: 'comment-deleted', ...base, comment: saved }
      : // Forge reports an edit as another `commented` event: an edited comment was updated after it was made.
        { kind: 'comment-saved', ...base, comment: saved, edited: comment.created !== undefined && comment.updated !== undefined && comment.updated !== comment.created },
    holderOfEvent(event),
  );
}

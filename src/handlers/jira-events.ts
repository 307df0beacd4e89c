// Forge product-event triggers (manifest: tandem-issue-events, tandem-comment-events).
import { forgePorts } from '../platform/ports';
import { noteIssueChange } from '../sync/changes';
import { commentEventSchema, issueEventSchema } from './schemas';

export async function onIssueEvent(event: unknown): Promise<void> {
  const parsed = issueEventSchema.safeParse(event);
  // A shape we do not understand is logged, not retried: retrying cannot make it parse.
  if (!parsed.success) {
    console.warn('Ignored an issue event of unexpected shape', parsed.error.issues[0]?.path.join('.'));
    return;
  }
  await noteIssueChange(forgePorts, { eventType: parsed.data.eventType, issueId: parsed.data.issue.id, issueKey: parsed.data.issue.key });
}

export async function onCommentEvent(event: unknown): Promise<void> {
  const parsed = commentEventSchema.safeParse(event);
  if (!parsed.success) {
    console.warn('Ignored a comment event of unexpected shape', parsed.error.issues[0]?.path.join('.'));
    return;
  }
  await noteIssueChange(forgePorts, { eventType: parsed.data.eventType, issueId: parsed.data.issue.id, issueKey: parsed.data.issue.key });
}

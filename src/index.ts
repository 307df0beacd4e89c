// The functions manifest.yml names, and nothing else.
export { onIssueEvent, onCommentEvent } from './handlers/jira-events';
export { onInbound } from './handlers/inbound';
export { onDelivery } from './handlers/delivery';
export { onBulkStep } from './handlers/bulk';
export { adminResolver } from './handlers/admin';
export { issueResolver } from './handlers/issue';
export { onSweep } from './handlers/sweep';

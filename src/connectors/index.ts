// How Tandem talks to an external tool: the record REST protocol, the Jira-webhook-compatible
// push, and the one classification of outcomes they share. Requests go through ExternalPort only.
export * from './outcome';
export { authHeaders, joinUrl } from './http';
export * from './record-rest';
export * from './jira-webhook';
export * from './jira-webhook-issue';
export * from './test-connection';

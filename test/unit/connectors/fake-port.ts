// An in-memory ExternalPort: records every request and answers from a script.
import { ExternalFailure, type ExternalPort, type ExternalRequest, type ExternalResponse } from '../../../src/sync/ports';
import { connectionSchema, type ConnectionInput, type JiraWebhookConnection, type RecordRestConnection } from '../../../src/mapping';

export type Scripted = Partial<ExternalResponse> | ExternalFailure | ((request: ExternalRequest) => Partial<ExternalResponse> | ExternalFailure);

export interface FakePort extends ExternalPort {
  requests: ExternalRequest[];
  /** The last request; fails the test when none was sent. */
  last(): ExternalRequest;
}

/** Answers in order; the last answer repeats. Default: 200 with `{}`. */
export function fakePort(...script: Scripted[]): FakePort {
  const requests: ExternalRequest[] = [];
  return {
    requests,
    last() {
      const request = requests.at(-1);
      if (!request) throw new Error('no request was sent');
      return request;
    },
    async send(request) {
      requests.push(request);
      const step = script[Math.min(requests.length - 1, script.length - 1)] ?? {};
      const answer = typeof step === 'function' ? step(request) : step;
      if (answer instanceof ExternalFailure) throw answer;
      return { status: answer.status ?? 200, headers: answer.headers ?? {}, body: answer.body ?? '{}' };
    },
  };
}

/** The platform's clock as the connectors read it: a fixed instant, so Retry-After dates are exact. */
export const clock = { now: () => Date.parse('2026-06-01T12:00:00Z') };

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Partial<ExternalResponse> => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export function restConnection(overrides: Partial<Extract<ConnectionInput, { protocol: 'record-rest' }>> = {}): RecordRestConnection {
  const parsed = connectionSchema.parse({
    id: 'sf',
    name: 'StackFlow',
    protocol: 'record-rest',
    baseUrl: 'https://acme.stackflow-tech.com/prod',
    auth: { kind: 'bearer' },
    projects: [{ projectKey: 'OPS', issueType: 'Bug', module: 'incidents' }],
    ...overrides,
  });
  if (parsed.protocol !== 'record-rest') throw new Error('expected a record REST connection');
  return parsed;
}

export function webhookConnection(overrides: Partial<Extract<ConnectionInput, { protocol: 'jira-webhook' }>> = {}): JiraWebhookConnection {
  const parsed = connectionSchema.parse({
    id: 'fd',
    name: 'Flashduty',
    protocol: 'jira-webhook',
    webhook: { pushUrl: 'https://api.flashcat.cloud/event/push/change/jira?integration_key=abc' },
    ...overrides,
  });
  if (parsed.protocol !== 'jira-webhook') throw new Error('expected a Jira webhook connection');
  return parsed;
}

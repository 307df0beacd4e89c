// Shared set-up for the Jira simulator's tests: a seeded site, a request helper and an event log.
import assert from 'node:assert/strict';
import { JiraSimulator } from '../../../devkit/jira/simulator';
import type { JiraActor, ProductEvent } from '../../../devkit/jira/types';

export const APP = 'app-account-tandem-test';
export const START = Date.parse('2026-11-22T07:02:00.000Z');

export function adf(text: string): Record<string, unknown> {
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Reads a nested value of a JSON body: `at(body, 'fields', 'status', 'name')`. */
export function at(value: unknown, ...path: Array<string | number>): unknown {
  let current = value;
  for (const step of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

/** A JSON array inside a body (fails the test when it is not one). */
export function list(value: unknown, ...path: Array<string | number>): unknown[] {
  const found = at(value, ...path);
  assert.ok(Array.isArray(found), `expected an array at ${path.join('.')}`);
  return found;
}

export interface Site {
  sim: JiraSimulator;
  clock: { now: number };
  events: ProductEvent[];
  alice: { accountId: string };
  bob: { accountId: string };
  carol: { accountId: string };
  severity: { id: string; options: Array<{ id: string; value: string }> };
  call(method: string, path: string, body?: unknown, actor?: JiraActor): Promise<Reply>;
}

/** OPS (default workflow), users Alice (admin), Bob, Carol (hidden email), a Severity select field. */
export function site(options: { requiredField?: boolean } = {}): Site {
  const clock = { now: START };
  const sim = new JiraSimulator({ appAccountId: APP, clock: () => clock.now });
  const alice = sim.addUser({ displayName: 'Alice Admin', emailAddress: 'alice@example.com', admin: true });
  const bob = sim.addUser({ displayName: 'Bob Builder', emailAddress: 'bob@example.com' });
  const carol = sim.addUser({ displayName: 'Carol Quiet', emailAddress: 'carol@example.com', emailHidden: true });
  sim.addProject({ key: 'OPS', name: 'Operations', issueTypes: ['Bug', 'Task'] });
  const severity = sim.addCustomField({ name: 'Severity', schemaType: 'option', options: ['Sev1', 'Sev2', 'Sev3'], required: options.requiredField ?? false });
  const events: ProductEvent[] = [];
  sim.onEvent((e) => events.push(e));
  const call: Site['call'] = async (method, path, body, actor = { kind: 'user', accountId: alice.accountId }) => {
    const response = await sim.handle({
      method,
      path: `/rest/api/3${path}`,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      actor,
    });
    const parsed: unknown = response.body === '' ? undefined : JSON.parse(response.body);
    return { status: response.status, headers: response.headers, body: parsed };
  };
  return { sim, clock, events, alice, bob, carol, severity, call };
}

export async function createIssue(s: Site, summary: string, extra: Record<string, unknown> = {}, actor?: JiraActor): Promise<{ id: string; key: string }> {
  const response = await s.call('POST', '/issue', { fields: { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary, ...extra } }, actor);
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return { id: String(at(response.body, 'id')), key: String(at(response.body, 'key')) };
}

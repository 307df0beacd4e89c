// "Test connection" on the admin page: one cheap authenticated request, explained in plain words.
import type { Connection } from '../mapping';
import type { ClockPort, ExternalPort } from '../ports';
import { fillRestPath, restPathsFor } from '../mapping';
import { joinUrl, sendToTool } from './http';
import { readsAsRecordList } from './record-rest';
import { explainFailure, type ConnectionVerdict } from './outcome';

/** An issue key no Jira project can have, so the search finds nothing and changes nothing. */
export const CONNECTION_TEST_KEY = '__tandem_connection_test__';

export interface ConnectionTestResult {
  verdict: ConnectionVerdict;
  message: string;
  status?: number;
  /** The tool's own message, redacted and trimmed. */
  toolMessage?: string;
}

/**
 * Record REST: a search by an impossible issue key in the first mapped module (`incidents` when
 * none is mapped yet). Jira-webhook push: nothing is sent, since the only request such a tool
 * takes is an event, and a test event would show up in the tool as a real change.
 */
export async function testConnection(
  connection: Connection,
  secret: string | undefined,
  port: ExternalPort,
  options: { clock: Pick<ClockPort, 'now'> },
): Promise<ConnectionTestResult> {
  if (connection.protocol === 'jira-webhook') {
    return {
      verdict: 'not-testable',
      message: 'A push connection cannot be tested without sending an event; the first change in a mapped project will show whether the tool accepts it.',
    };
  }
  const module = connection.projects[0]?.module ?? 'incidents';
  let line: ReturnType<typeof fillRestPath>;
  try {
    line = fillRestPath(restPathsFor(connection, module).findByIssueKey, { module, key: CONNECTION_TEST_KEY });
  } catch {
    return { verdict: 'tool-error', message: "The connection's search path uses a placeholder Tandem cannot fill: use {module} and {key}." };
  }
  const sent = await sendToTool({
    port,
    auth: connection.auth,
    secret,
    method: 'GET',
    url: joinUrl(connection.baseUrl, line.path),
    clock: options.clock,
  });
  if (sent.ok) {
    // A sign-in page or a web site at the base URL answers 200 too; only the tool's API answers with records.
    if (!readsAsRecordList(sent.value.body)) {
      return { verdict: 'wrong-url', message: "The address answered, but not like the tool's API: check the connection's base URL and search path.", status: sent.value.status };
    }
    return { ...explainFailure(undefined), status: sent.value.status };
  }
  const { failure } = sent;
  const result: ConnectionTestResult = { ...explainFailure(failure) };
  if (failure.status !== undefined) result.status = failure.status;
  if (failure.toolMessage !== undefined) result.toolMessage = failure.toolMessage;
  return result;
}

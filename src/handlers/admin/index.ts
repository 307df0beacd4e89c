// The admin page's resolver (manifest: admin-resolver). Every call first checks the caller is a Jira
// admin (anyone else gets a FORBIDDEN answer and nothing happens), then parses its payload, then runs
// one use case. Every refusal comes back as `{ok: false, error}` with its code, so the page can place it.
import type { z } from 'zod';
import type { AdminCallName, AdminCalls, AdminError, ConnectionVerdict, FieldError } from '../../contract/admin';
import type { ConnectionVerdict as ConnectorVerdict } from '../../connectors';
import { checkFieldMapping, fieldMappingSchema, transformFits } from '../../mapping';
import { forgeAdminPorts } from '../../platform/jira-meta';
import { makeResolver, type ResolverHandler } from '../../platform/resolver';
import {
  addConnectionChange,
  commitConfig,
  connectionChange,
  exportableConfig,
  failure,
  importChange,
  presetSummaries,
  readStoredConfig,
} from '../../sync/admin-config';
import { connectionTests, deleteConnection, setConnectionSecret, testSavedConnection, toolDescriptionOf } from '../../sync/admin-connections';
import { inboundViews, retirePreviousInboundSecret, rotateInboundSecret } from '../../sync/admin-inbound';
import { discardFailure, listDelivered, listFailures, readActivity, retryFailures, retryOneFailure } from '../../sync/admin-journal';
import type { AdminPorts } from '../../sync/admin-ports';
import { listRefused } from '../../sync/inbound-refusals';
import { listSweeps } from '../../sync/sweep';
import { BulkError, controlBulkSync, getBulkSync, previewBulkSync, startBulkSync } from '../../sync/bulk';
import { forgeBulkQueue } from '../../platform/bulk-queue';
import { syncIssueNow } from '../../sync/sync-now';
import { payloads } from './schemas';

const APP_VERSION = '0.1.0';

// The page's copy of the verdicts must stay the connectors' own.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const verdictsAgree: Same<ConnectionVerdict, ConnectorVerdict> = true;
void verdictsAgree;

/** The caller's account id when they are a Jira admin. */
async function adminOf(ports: AdminPorts, accountId: string | undefined): Promise<string | undefined> {
  // Forge names the caller (the invocation's principal); Jira is asked about that user, as that user.
  return accountId && (await ports.jira.invokingUserIsAdmin()) ? accountId : undefined;
}

function invalidPayload(error: z.ZodError): { ok: false; error: AdminError } {
  const fieldErrors: FieldError[] = error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  const first = fieldErrors[0];
  return failure('INVALID', first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'The request could not be read.', fieldErrors);
}

type Run<K extends AdminCallName> = (input: z.infer<(typeof payloads)[K]>, ctx: { ports: AdminPorts; accountId: string }) => Promise<AdminCalls[K]['response']>;

function jiraFailed(what: string): { ok: false; error: AdminError } {
  return failure('FAILED', `Jira did not list its ${what} just now. Try again in a moment.`);
}

/** Wraps one call: admin check, payload check, the use case, and a plain answer for anything unexpected. */
function call<K extends AdminCallName>(name: K, run: Run<K>, ports: AdminPorts = forgeAdminPorts): ResolverHandler {
  return async ({ payload, accountId }) => {
    const admin = await adminOf(ports, accountId);
    if (!admin) return failure('FORBIDDEN', 'Only Jira administrators can configure Tandem.');
    const parsed = payloads[name].safeParse(payload ?? {});
    if (!parsed.success) return invalidPayload(parsed.error);
    try {
      return await run(parsed.data as z.infer<(typeof payloads)[K]>, { ports, accountId: admin });
    } catch (error) {
      // The name and the call only: a message could quote a request, and a request could hold a secret.
      console.error(`Admin call ${name} failed`, error instanceof Error ? error.name : typeof error);
      return failure('FAILED', 'Tandem could not finish this just now. Try again; if it keeps failing, the app’s logs say more.');
    }
  };
}

/** A Sync existing call: its refusals (no such connection, a job already running, a query Jira refuses) come back in place. */
async function bulk<T extends object>(work: () => Promise<T>): Promise<({ ok: true } & T) | { ok: false; error: AdminError }> {
  try {
    return { ok: true, ...(await work()) };
  } catch (error) {
    if (error instanceof BulkError) return failure(error.code, error.message);
    throw error;
  }
}

const definitions: { [K in AdminCallName]: Run<K> } = {
  previewBulkSync: (input, { ports }) => bulk(async () => ({ preview: await previewBulkSync(ports, input) })),
  startBulkSync: (input, { ports, accountId }) => bulk(async () => ({ job: await startBulkSync({ ...ports, bulkQueue: forgeBulkQueue }, input, accountId, input.total) })),
  getBulkSync: (input, { ports }) =>
    bulk(async () => {
      const job = await getBulkSync(ports, input.connectionId);
      return job ? { job } : {};
    }),
  pauseBulkSync: (input, { ports, accountId }) => bulk(async () => ({ job: await controlBulkSync({ ...ports, bulkQueue: forgeBulkQueue }, input.connectionId, 'pause', accountId) })),
  resumeBulkSync: (input, { ports, accountId }) => bulk(async () => ({ job: await controlBulkSync({ ...ports, bulkQueue: forgeBulkQueue }, input.connectionId, 'resume', accountId) })),
  syncIssueNow: (input, { ports }) => bulk(() => syncIssueNow(ports, input)),
  cancelBulkSync: (input, { ports, accountId }) => bulk(async () => ({ job: await controlBulkSync({ ...ports, bulkQueue: forgeBulkQueue }, input.connectionId, 'cancel', accountId) })),

  async getOverview(_input, { ports, accountId }) {
    const [stored, displayName] = await Promise.all([readStoredConfig(ports), ports.meta.viewerName().catch(() => undefined)]);
    return {
      ok: true,
      appVersion: APP_VERSION,
      connections: stored.ok ? stored.view.config.connections.length : 0,
      viewer: { accountId, ...(displayName ? { displayName } : {}) },
    };
  },

  async getConfig(_input, { ports }) {
    const stored = await readStoredConfig(ports);
    if (!stored.ok) return stored;
    return { ok: true, ...stored.view, presets: presetSummaries() };
  },

  async saveConfig({ config, revision }, { ports, accountId }) {
    return commitConfig(ports, { revision, accountId, change: () => ({ ok: true, next: config }) });
  },

  async addConnection({ revision, presetId, name, url }, { ports, accountId }) {
    let connectionId = '';
    const saved = await commitConfig(ports, { revision, accountId, change: addConnectionChange(ports, presetId, name, url, (id) => (connectionId = id)) });
    return saved.ok ? { ...saved, connectionId } : saved;
  },

  async renameConnection({ revision, connectionId, name }, { ports, accountId }) {
    return commitConfig(ports, { revision, accountId, checkJira: false, change: connectionChange(connectionId, (c) => ({ ...c, name })) });
  },

  async setConnectionEnabled({ revision, connectionId, enabled }, { ports, accountId }) {
    // Links and shadows stay where they are, so reconnecting resumes where the connection stopped.
    return commitConfig(ports, { revision, accountId, checkJira: false, change: connectionChange(connectionId, (c) => ({ ...c, enabled })) });
  },

  async setConnectionSecret(input, { ports, accountId }) {
    return setConnectionSecret(ports, accountId, input);
  },

  async testConnection({ connectionId }, { ports }) {
    return testSavedConnection(ports, connectionId);
  },

  async getConnectionTests(_input, { ports }) {
    return connectionTests(ports);
  },

  async deleteConnection(input, { ports, accountId }) {
    return deleteConnection(ports, accountId, input);
  },

  async getInbound({ connectionId }, { ports }) {
    return inboundViews(ports, connectionId);
  },

  async setInboundSecret({ connectionId, secret }, { ports }) {
    return rotateInboundSecret(ports, connectionId, secret);
  },

  async retirePreviousInboundSecret({ connectionId }, { ports }) {
    return retirePreviousInboundSecret(ports, connectionId);
  },

  async getJiraProjects(_input, { ports }) {
    try {
      return { ok: true, projects: await ports.meta.projects() };
    } catch {
      return jiraFailed('projects');
    }
  },

  async getJiraProjectMeta({ projectKey }, { ports }) {
    let issueTypes: Awaited<ReturnType<AdminPorts['meta']['issueTypes']>>;
    let statuses: Awaited<ReturnType<AdminPorts['meta']['statuses']>>;
    try {
      [issueTypes, statuses] = await Promise.all([ports.meta.issueTypes(projectKey), ports.meta.statuses(projectKey)]);
    } catch {
      return jiraFailed(`issue types and statuses of ${projectKey}`);
    }
    if (!issueTypes || !statuses) return failure('NOT_FOUND', `Jira has no project ${projectKey}, or Tandem cannot see it.`);
    return { ok: true, projectKey, issueTypes, statuses };
  },

  async getJiraBoards({ projectKey }, { ports }) {
    let boards: Awaited<ReturnType<AdminPorts['meta']['boards']>>;
    try {
      boards = await ports.meta.boards(projectKey);
    } catch {
      return jiraFailed(`boards of ${projectKey}`);
    }
    if (!boards) return failure('NOT_FOUND', `Jira has no project ${projectKey}, or Tandem cannot see it.`);
    return { ok: true, projectKey, boards };
  },

  async getJiraPriorities(_input, { ports }) {
    try {
      return { ok: true, priorities: await ports.meta.priorities() };
    } catch {
      return jiraFailed('priorities');
    }
  },

  async getJiraFields(_input, { ports }) {
    try {
      return { ok: true, fields: await ports.meta.fields() };
    } catch {
      return jiraFailed('fields');
    }
  },

  async checkFieldMapping({ mapping, toolType }, { ports }) {
    const parsed = fieldMappingSchema.safeParse(mapping);
    if (!parsed.success) return invalidPayload(parsed.error);
    let fields: Awaited<ReturnType<AdminPorts['meta']['fields']>>;
    try {
      fields = await ports.meta.fields();
    } catch {
      return jiraFailed('fields');
    }
    const field = fields.find((f) => f.id === parsed.data.jira);
    if (!field) return { ok: true, fits: false, message: `Jira has no field ${parsed.data.jira}: pick one from the list.` };
    const check = checkFieldMapping(parsed.data, field, toolType);
    const transforms = transformFits(field, toolType);
    return check.ok ? { ok: true, fits: true, transforms } : { ok: true, fits: false, message: check.message, transforms };
  },

  async getToolDescription({ connectionId }, { ports }) {
    return toolDescriptionOf(ports, connectionId);
  },

  async getActivity({ connectionId, issueKey, cursor, limit }, { ports }) {
    return readActivity(ports, {
      limit,
      ...(connectionId ? { connectionId } : {}),
      ...(issueKey ? { issueKey } : {}),
      ...(cursor ? { cursor } : {}),
    });
  },

  async getFailures({ connectionId }, { ports }) {
    const [failures, delivered] = await Promise.all([listFailures(ports, connectionId), listDelivered(ports)]);
    return { ok: true, failures, delivered };
  },

  async getRefusedCalls({ connectionId }, { ports }) {
    return { ok: true, ...(await listRefused(ports, connectionId)) };
  },

  async getSweeps(_input, { ports }) {
    return { ok: true, sweeps: await listSweeps(ports) };
  },

  async retryFailure({ id }, { ports }) {
    return retryOneFailure(ports, id);
  },

  async retryAllFailures({ connectionId }, { ports }) {
    const failures = await listFailures(ports, connectionId);
    return retryFailures(
      ports,
      failures.filter((f) => f.state === 'failed').map((f) => f.id),
    );
  },

  async discardFailure({ id }, { ports }) {
    return discardFailure(ports, id);
  },

  async exportConfig(_input, { ports }) {
    const stored = await readStoredConfig(ports);
    if (!stored.ok) return stored;
    const date = new Date(ports.clock.now()).toISOString().slice(0, 10);
    return { ok: true, fileName: `tandem-config-${date}.json`, json: `${JSON.stringify(exportableConfig(stored.view.config), null, 2)}\n` };
  },

  async importConfig({ json, revision }, { ports, accountId }) {
    return commitConfig(ports, { revision, accountId, change: importChange(json) });
  },
};

/** The resolver's calls on the given ports; tests may hand in others. */
export function adminHandlers(ports: AdminPorts = forgeAdminPorts): Record<AdminCallName, ResolverHandler> {
  const out = {} as Record<AdminCallName, ResolverHandler>;
  for (const name of Object.keys(definitions) as AdminCallName[]) {
    out[name] = call(name, definitions[name] as Run<typeof name>, ports);
  }
  return out;
}

export const adminResolver = makeResolver(adminHandlers());

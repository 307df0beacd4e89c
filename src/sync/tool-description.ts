// What a connection's tool says about itself (modules, fields with types, states), for the mapping
// editor's lists and the save's check. A tool that cannot describe itself is said so, in words the
// admin can act on: the names are then typed in, as the tool's documentation gives them.
import { recordRestConnector } from '../connectors';
import { checkAgainstDescription, type Connection, type ConfigError, type TandemConfig, type ToolDescription } from '../mapping';
import type { Ports } from './ports';
import { authSecretKey } from './state';

export type Described = { described: true; description: ToolDescription } | { described: false; reason: string; unreachable?: boolean };

/** Asks the connection's tool to describe itself (one request, the connection's `describe` path). */
export async function describeTool(ports: Pick<Ports, 'store' | 'external' | 'clock'>, connection: Connection): Promise<Described> {
  if (connection.protocol !== 'record-rest') {
    return { described: false, reason: `${connection.name} only receives Jira’s events, so it cannot describe itself: type the module and field names its documentation gives.` };
  }
  if (connection.paths.describe === null) {
    return { described: false, reason: `${connection.name} cannot describe itself: type the module, field and state names its documentation gives.` };
  }
  const secret = connection.auth.kind === 'none' ? undefined : await ports.store.getSecret(authSecretKey(connection.id));
  const answer = await recordRestConnector(connection, secret, ports.external, { clock: ports.clock }).describe();
  if (!answer.ok) {
    return { described: false, unreachable: true, reason: `${connection.name} did not describe itself just now (${answer.failure.explanation.replace(/\.$/, '')}): type the names, or reload to ask again.` };
  }
  if (!answer.value) {
    return { described: false, reason: `${connection.name} has no describe endpoint (${connection.paths.describe}), so it cannot describe itself: type the module, field and state names its documentation gives.` };
  }
  return { described: true, description: answer.value };
}

/**
 * At save: each record REST connection whose tool describes itself has its mapped modules, tool
 * fields and states checked against that description. A tool that did not answer just now never
 * holds up a save; the warning says what was not checked.
 */
export async function checkAgainstTools(
  ports: Pick<Ports, 'store' | 'external' | 'clock'>,
  config: TandemConfig,
): Promise<{ errors: ConfigError[]; warnings: string[]; fieldTypes: Array<Record<string, string> | undefined> }> {
  const results = await Promise.all(
    config.connections.map(async (connection, c) => {
      const mapsSomething = connection.projects.length > 0 || connection.fields.length > 0;
      if (connection.protocol !== 'record-rest' || connection.paths.describe === null || !mapsSomething) return { errors: [], warnings: [], fieldTypes: undefined };
      const described = await describeTool(ports, connection);
      if (!described.described) {
        return { errors: [], warnings: described.unreachable ? [`${connection.name} did not describe itself just now, so its modules, fields and states were not checked.`] : [], fieldTypes: undefined };
      }
      return { errors: checkAgainstDescription(connection, c, described.description), warnings: [], fieldTypes: describedFieldTypes(connection, described.description) };
    }),
  );
  return { errors: results.flatMap((r) => r.errors), warnings: results.flatMap((r) => r.warnings), fieldTypes: results.map((r) => r.fieldTypes) };
}

/** Each tool field's described type, from the modules the connection maps (all of them when it maps none), as the mapping editor reads them. */
function describedFieldTypes(connection: Connection, description: ToolDescription): Record<string, string> {
  const mapped = description.modules.filter((m) => connection.projects.some((p) => p.module === m.name));
  const types: Record<string, string> = {};
  for (const module of mapped.length > 0 ? mapped : description.modules) {
    for (const field of module.fields) types[field.name] ??= field.type;
  }
  return types;
}

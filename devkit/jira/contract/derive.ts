// Derives the committed Jira contract from Atlassian's full OpenAPI description of the Jira Cloud
// platform REST API: only the operations the simulator serves (which include every call the app
// makes, since an unserved call fails every test), only the component schemas they reach, and
// none of the prose (descriptions, summaries, examples). What stays is what the checks read:
// parameters, request and response schemas, and the scopes @forge/lint maps each call to.
//
// `npm run contract:update -- <swagger-v3.v3.json>` writes it; test/devkit/contract/committed.test.ts
// regenerates it from the full description when one is at hand and fails on any drift.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

type Json = Record<string, unknown>;

export interface ContractSource {
  /** The file name as Atlassian publishes it. */
  file: string;
  /** `info.version` of the description. */
  version: string;
  /** sha256 of the file's bytes, hex. */
  sha256: string;
}

export interface OperationRef {
  method: string;
  /** A path template, e.g. `/rest/api/3/issue/{issueIdOrKey}`; placeholder names may differ from the spec's. */
  path: string;
}

const REPO_ROOT = path.join(__dirname, '..', '..', '..');

/** The committed contract, read by the simulator's checks and by the @forge/lint scope check. */
export const COMMITTED_CONTRACT = path.join(REPO_ROOT, 'devkit', 'jira', 'contract', 'jira-platform.openapi.json');

/**
 * Jira Software's description (the Agile REST API, /rest/agile/1.0): TANDEM_JIRA_SOFTWARE_OPENAPI_SOURCE,
 * else software-swagger.v3.json beside the platform description.
 */
export function defaultSoftwareSourcePath(platformSource: string | undefined): string | undefined {
  const fromEnv = process.env['TANDEM_JIRA_SOFTWARE_OPENAPI_SOURCE'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (platformSource === undefined) return undefined;
  const beside = path.join(path.dirname(platformSource), 'software-swagger.v3.json');
  return existsSync(beside) ? beside : undefined;
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Keys that are prose or tooling hints and change nothing a check reads. Schema keywords such as
// readOnly, nullable or discriminator stay: the checker gives them meaning.
const PROSE = new Set(['description', 'summary', 'example', 'examples', 'externalDocs', 'tags', 'operationId', 'title']);
// Of the vendor extensions, only the scopes are read (by @forge/lint's permission linter).
const KEPT_EXTENSIONS = new Set(['x-atlassian-oauth2-scopes']);

function keepKey(key: string): boolean {
  if (PROSE.has(key)) return false;
  return !key.startsWith('x-') || KEPT_EXTENSIONS.has(key);
}

/** Strips prose from a schema, keeping property names (a property may be called `description`). */
function stripSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(stripSchema);
  if (!isRecord(schema)) return schema;
  if (typeof schema['$ref'] === 'string') return { $ref: schema['$ref'] };
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!keepKey(key)) continue;
    if (key === 'properties' && isRecord(value)) {
      const props: Json = {};
      for (const [name, prop] of Object.entries(value)) props[name] = stripSchema(prop);
      out[key] = props;
    } else if (key === 'enum' || key === 'required' || key === 'default') {
      out[key] = value;
    } else {
      out[key] = stripSchema(value);
    }
  }
  return out;
}

function stripContent(content: unknown): unknown {
  if (!isRecord(content)) return content;
  const out: Json = {};
  for (const [type, media] of Object.entries(content)) {
    out[type] = isRecord(media) && media['schema'] !== undefined ? { schema: stripSchema(media['schema']) } : {};
  }
  return out;
}

function stripOperation(op: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(op)) {
    if (!keepKey(key)) continue;
    switch (key) {
      case 'parameters':
        out[key] = Array.isArray(value)
          ? value.map((p) => {
              if (!isRecord(p)) return p;
              const param: Json = {};
              for (const [k, v] of Object.entries(p)) if (keepKey(k)) param[k] = k === 'schema' ? stripSchema(v) : v;
              return param;
            })
          : value;
        break;
      case 'requestBody':
        out[key] = isRecord(value) ? { ...(value['required'] === true ? { required: true } : {}), content: stripContent(value['content']) } : value;
        break;
      case 'responses': {
        const responses: Json = {};
        for (const [status, response] of Object.entries(isRecord(value) ? value : {})) {
          // OpenAPI requires a description on a response; an empty one keeps the file a valid description.
          responses[status] = isRecord(response) && response['content'] !== undefined ? { description: '', content: stripContent(response['content']) } : { description: '' };
        }
        out[key] = responses;
        break;
      }
      default:
        out[key] = value;
    }
  }
  return out;
}

/** Points every component reference at its name with a prefix (the Software description's own names). */
function prefixRefs(value: unknown, prefix: string): unknown {
  if (Array.isArray(value)) return value.map((item) => prefixRefs(item, prefix));
  if (!isRecord(value)) return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/') ? `#/components/schemas/${prefix}${child.slice('#/components/schemas/'.length)}` : prefixRefs(child, prefix);
  }
  return out;
}

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, into);
    return;
  }
  if (!isRecord(value)) return;
  const ref = value['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) into.add(ref.slice('#/components/schemas/'.length));
  for (const child of Object.values(value)) collectRefs(child, into);
}

// ---------------------------------------------------------------------------------------------
// Matching a served route to the spec's template: literal segments win over templated ones, as
// Jira's router (and the checker) match them.

function segments(p: string): string[] {
  return p.replace(/\/$/, '').split('/').slice(1);
}

function isParam(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}

function findTemplate(templates: string[], wanted: string): string | undefined {
  const want = segments(wanted);
  const candidates = templates
    .map((t) => ({ t, s: segments(t) }))
    .filter(({ s }) => s.length === want.length && s.every((seg, i) => (isParam(want[i] ?? '') ? isParam(seg) : seg === want[i] || isParam(seg))));
  // Prefer the template with literals earliest where the route has literals.
  candidates.sort((a, b) => {
    for (let i = 0; i < want.length; i += 1) {
      const la = !isParam(a.s[i] ?? ''), lb = !isParam(b.s[i] ?? '');
      if (la !== lb) return la ? -1 : 1;
    }
    return 0;
  });
  return candidates[0]?.t;
}

export interface DerivedContract {
  contract: Json;
  /** Served operations the description does not have (a simulator route Jira lacks). */
  missing: OperationRef[];
}

interface Trimmed {
  paths: Map<string, Json>;
  schemas: Json;
  source: ContractSource;
  missing: OperationRef[];
  kept: number;
}

/** The operations of one description, with the component schemas they reach, prose stripped. */
function trim(sourceText: string, sourceFile: string, operations: OperationRef[], prefix: string): Trimmed {
  const spec: unknown = JSON.parse(sourceText);
  if (!isRecord(spec) || !isRecord(spec['paths']) || !isRecord(spec['components']) || !isRecord(spec['components']['schemas'])) {
    throw new Error(`${sourceFile} does not look like an OpenAPI description (no paths or components.schemas)`);
  }
  const paths = spec['paths'];
  const schemas = spec['components']['schemas'];
  const info = isRecord(spec['info']) ? spec['info'] : {};
  const templates = Object.keys(paths);

  const kept = new Map<string, Json>();
  const missing: OperationRef[] = [];
  for (const op of operations) {
    const template = findTemplate(templates, op.path);
    const item = template === undefined ? undefined : paths[template];
    const raw = isRecord(item) ? item[op.method.toLowerCase()] : undefined;
    if (template === undefined || !isRecord(raw)) {
      missing.push(op);
      continue;
    }
    const entry = kept.get(template) ?? {};
    entry[op.method.toLowerCase()] = prefix === '' ? stripOperation(raw) : (prefixRefs(stripOperation(raw), prefix) as Json);
    kept.set(template, entry);
  }

  // Component schemas reachable from the kept operations, transitively (read under their own names).
  const reached = new Set<string>();
  for (const entry of kept.values()) collectRefs(entry, reached);
  const queue = [...reached].map((name) => name.slice(prefix.length));
  const own = new Set(queue);
  while (queue.length > 0) {
    const name = queue.pop() ?? '';
    const found = new Set<string>();
    collectRefs(schemas[name], found);
    for (const next of found) {
      if (!own.has(next)) {
        own.add(next);
        queue.push(next);
      }
    }
  }
  const keptSchemas: Json = {};
  for (const name of [...own].sort()) {
    if (schemas[name] !== undefined) keptSchemas[prefix + name] = prefix === '' ? stripSchema(schemas[name]) : prefixRefs(stripSchema(schemas[name]), prefix);
  }
  const source: ContractSource = {
    file: path.basename(sourceFile),
    version: typeof info['version'] === 'string' ? info['version'] : 'unknown',
    sha256: createHash('sha256').update(sourceText).digest('hex'),
  };
  return { paths: kept, schemas: keptSchemas, source, missing, kept: operations.length - missing.length };
}

/** A second description: Jira Software's, for the Agile REST API operations. */
export interface SoftwareSource {
  text: string;
  file: string;
}

const AGILE = '/rest/agile/';
/** Software's component names are prefixed, as several (IssueBean, UserBean…) differ from the platform's. */
const SOFTWARE_PREFIX = 'Software';

/**
 * The trimmed contract for `operations`, from the full description's text: platform operations from
 * it, Agile REST API operations (`/rest/agile/…`) from Jira Software's description when given
 * (without it they count as missing).
 */
export function deriveContract(sourceText: string, sourceFile: string, operations: OperationRef[], software?: SoftwareSource): DerivedContract {
  const agileOps = operations.filter((op) => op.path.startsWith(AGILE));
  const platform = trim(sourceText, sourceFile, operations.filter((op) => !op.path.startsWith(AGILE)), '');
  const agile = software && agileOps.length > 0 ? trim(software.text, software.file, agileOps, SOFTWARE_PREFIX) : undefined;
  const missing = [...platform.missing, ...(agile ? agile.missing : agileOps)];

  const all = new Map([...platform.paths, ...(agile?.paths ?? new Map<string, Json>())]);
  const keptPaths: Json = {};
  for (const template of [...all.keys()].sort()) {
    const methods = all.get(template) ?? {};
    const ordered: Json = {};
    for (const method of Object.keys(methods).sort()) ordered[method] = methods[method];
    keptPaths[template] = ordered;
  }
  const merged: Json = { ...platform.schemas, ...(agile?.schemas ?? {}) };
  const keptSchemas: Json = {};
  for (const name of Object.keys(merged).sort()) keptSchemas[name] = merged[name];

  const spec = JSON.parse(sourceText) as Json;
  const info = isRecord(spec['info']) ? spec['info'] : {};
  const contract: Json = {
    openapi: typeof spec['openapi'] === 'string' ? spec['openapi'] : '3.0.1',
    info: { title: typeof info['title'] === 'string' ? info['title'] : 'Jira Cloud platform REST API', version: platform.source.version },
    'x-tandem-source': { ...platform.source, derivedBy: 'npm run contract:update', operations: platform.kept },
    ...(agile ? { 'x-tandem-software-source': { ...agile.source, derivedBy: 'npm run contract:update', operations: agile.kept, schemaPrefix: SOFTWARE_PREFIX } } : {}),
    paths: keptPaths,
    components: { schemas: keptSchemas },
  };
  return { contract, missing };
}

/** The file's text exactly as `npm run contract:update` writes it. */
export function formatContract(contract: Json): string {
  return `${JSON.stringify(contract, null, 1)}\n`;
}

export function readSource(sourcePath: string): string {
  return readFileSync(sourcePath, 'utf8');
}

// Checks Jira REST traffic against Atlassian's OpenAPI description of the Jira Cloud platform API:
// the requests the app sends and the responses the simulator returns.
//
// The spec is the committed contract (jira-platform.openapi.json beside this file), derived from
// Atlassian's full description by `npm run contract:update` (see derive.ts). Loading it is done once
// per process per path; each operation's validators are compiled on
// first use, because compiling all 616 operations up front would cost seconds per test file.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { COMMITTED_CONTRACT } from './derive';

export interface ContractProblem {
  where: 'request' | 'response';
  /** e.g. `PUT /rest/api/3/issue/{issueIdOrKey}` */
  operation: string;
  /** Path inside the message + what is wrong, e.g. `body.fields.summary: must be string`. */
  message: string;
}

export interface RequestToCheck {
  method: string;
  /** Path with query string, e.g. `/rest/api/3/issue/OPS-1?fields=summary`. */
  path: string;
  /** Parsed JSON body; undefined when the request has none. */
  body?: unknown;
}

export interface ResponseToCheck {
  method: string;
  path: string;
  status: number;
  /** Parsed JSON body; undefined when the response has none. */
  body?: unknown;
}

export interface OpenApiChecker {
  checkRequest(request: RequestToCheck): ContractProblem[];
  checkResponse(response: ResponseToCheck): ContractProblem[];
  /** The matched path template, e.g. `/rest/api/3/issue/{issueIdOrKey}`, or null. */
  operationTemplate(method: string, path: string): string | null;
}

export function defaultSpecPath(): string {
  const fromEnv = process.env['TANDEM_JIRA_OPENAPI'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return COMMITTED_CONTRACT;
}

type Json = Record<string, unknown>;
type Mode = 'request' | 'response';

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown): Json | undefined {
  return isRecord(value) ? value : undefined;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 schema → JSON Schema that ajv (draft-07 mode) accepts.

const SCHEMA_DOC_ID: Record<Mode, string> = { request: 'jira-request', response: 'jira-response' };
const COMPONENT_REF = '#/components/schemas/';

// Formats the spec uses that we check; anything else (and annotation-only ones) is dropped.
const CHECKED_FORMATS = new Set(['int32', 'int64', 'double', 'float', 'date-time', 'date', 'uri', 'url', 'uuid', 'byte']);

// Keywords that are OpenAPI-only or mere annotations; dropping them keeps ajv quiet and fast.
const DROPPED_KEYWORDS = new Set([
  'description', 'example', 'examples', 'xml', 'discriminator', 'externalDocs', 'deprecated',
  'default', 'title', 'readOnly', 'writeOnly', 'nullable',
]);

function convertSchema(schema: unknown, mode: Mode): unknown {
  if (Array.isArray(schema)) return schema.map((s) => convertSchema(s, mode));
  if (!isRecord(schema)) return schema;

  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    // A $ref's siblings (e.g. `description` on Fields.properties.issuetype) are ignored by
    // OpenAPI 3.0 and rejected by strict loaders, so only the reference is kept.
    return { $ref: ref.startsWith(COMPONENT_REF) ? SCHEMA_DOC_ID[mode] + ref : ref };
  }

  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    switch (key) {
      case 'properties': {
        const props: Json = {};
        for (const [name, prop] of Object.entries(record(value) ?? {})) props[name] = convertSchema(prop, mode);
        out[key] = props;
        break;
      }
      case 'items':
      case 'additionalProperties':
      case 'not':
      case 'allOf':
      case 'anyOf':
        out[key] = convertSchema(value, mode);
        break;
      case 'oneOf':
        // With a discriminator the branches often overlap (each is "an object with a type"),
        // which oneOf would reject as ambiguous; the discriminator itself is not checked.
        out[schema['discriminator'] !== undefined ? 'anyOf' : 'oneOf'] = convertSchema(value, mode);
        break;
      case 'required': {
        // A readOnly property may be absent from a request, a writeOnly one from a response.
        const props = record(schema['properties']) ?? {};
        const skip = mode === 'request' ? 'readOnly' : 'writeOnly';
        out[key] = Array.isArray(value) ? value.filter((name) => typeof name !== 'string' || record(props[name])?.[skip] !== true) : value;
        break;
      }
      case 'format':
        if (typeof value === 'string' && CHECKED_FORMATS.has(value)) out[key] = value;
        break;
      default:
        out[key] = value;
    }
  }

  // `additionalProperties: false` beside anyOf/oneOf with no `properties` of its own (JqlQueryClause,
  // a union of clause shapes) would, read literally, refuse every property its branches define,
  // Atlassian's own jql/parse example included; the branches say what the object holds.
  if (out['additionalProperties'] === false && out['properties'] === undefined && (out['anyOf'] !== undefined || out['oneOf'] !== undefined)) {
    delete out['additionalProperties'];
  }

  if (schema['nullable'] === true) {
    const type = out['type'];
    if (typeof type === 'string') out['type'] = [type, 'null'];
    if (Array.isArray(out['enum'])) out['enum'] = [...out['enum'], null];
    if (type === undefined && out['enum'] === undefined) return { anyOf: [{ type: 'null' }, out] };
  }
  return out;
}

// Jira writes offsets without a colon (`2022-10-06T07:32:47.000+0000`), which RFC 3339's
// date-time (what ajv-formats checks) rejects; both spellings are accepted.
const JIRA_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

// ---------------------------------------------------------------------------------------------
// Operations and path matching.

interface PreparedParam {
  name: string;
  in: 'query' | 'path';
  required: boolean;
  schema: unknown;
  validate?: ValidateFunction;
}

interface Operation {
  method: string;
  template: string;
  label: string;
  raw: Json;
  params?: PreparedParam[];
  /** undefined = not compiled yet; null = nothing to check. */
  requestBody?: { validate: ValidateFunction | null; required: boolean } | null;
  responses: Map<string, ResponseCheck>;
}

interface ResponseCheck {
  /** JSON schema of the body, compiled; null when the body can't be checked (non-JSON). */
  validate: ValidateFunction | null;
  /** The response documents a body at all. */
  hasContent: boolean;
  /** The documented body has a schema that says something (not `{}` or absent). */
  describesBody: boolean;
}

interface RouteNode {
  literal: Map<string, RouteNode>;
  param?: RouteNode;
  ops: Map<string, Operation>;
}

function newNode(): RouteNode {
  return { literal: new Map(), ops: new Map() };
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

function splitPath(p: string): string[] {
  const trimmed = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
  return trimmed.split('/').slice(1);
}

function isTemplateSegment(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}

interface LoadedSpec {
  ajv: Ajv;
  routes: RouteNode;
  errorBody: ValidateFunction;
  loadMs: number;
}

const loaded = new Map<string, LoadedSpec>();

function loadSpec(specPath: string): LoadedSpec {
  const cached = loaded.get(specPath);
  if (cached) return cached;
  const started = performance.now();
  if (!existsSync(specPath)) {
    throw new Error(
      `Jira OpenAPI description not found at ${specPath}. The committed contract is ${COMMITTED_CONTRACT} ` +
        `(rebuild it with \`npm run contract:update\`); TANDEM_JIRA_OPENAPI points elsewhere.`,
    );
  }
  const spec: unknown = JSON.parse(readFileSync(specPath, 'utf8'));
  const components = record(record(record(spec)?.['components'])?.['schemas']);
  const paths = record(record(spec)?.['paths']);
  if (!components || !paths) throw new Error(`${specPath} does not look like an OpenAPI description (no paths or components.schemas)`);

  // validateSchema off: the meta-schema check walks every component and buys nothing here.
  // ownProperties: a change item without its `toString` is checked as without it, not as holding Object.prototype's.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, validateFormats: true, ownProperties: true });
  addFormats(ajv, ['int32', 'int64', 'double', 'float', 'date', 'uri', 'url', 'uuid', 'byte']);
  ajv.addFormat('date-time', JIRA_DATE_TIME);

  // Each mode gets its own copy of the components; refs are compiled only when reached.
  for (const mode of ['request', 'response'] as const) {
    const schemas: Json = {};
    for (const [name, schema] of Object.entries(components)) schemas[name] = convertSchema(schema, mode);
    ajv.addSchema({ $id: SCHEMA_DOC_ID[mode], components: { schemas } });
  }

  const routes = newNode();
  for (const [template, item] of Object.entries(paths)) {
    let node = routes;
    for (const segment of splitPath(template)) {
      if (isTemplateSegment(segment)) node = node.param ??= newNode();
      else {
        let next = node.literal.get(segment);
        if (!next) node.literal.set(segment, (next = newNode()));
        node = next;
      }
    }
    for (const [method, op] of Object.entries(record(item) ?? {})) {
      if (!HTTP_METHODS.has(method) || !isRecord(op)) continue;
      const upper = method.toUpperCase();
      node.ops.set(upper, { method: upper, template, label: `${upper} ${template}`, raw: op, responses: new Map() });
    }
  }

  // What Jira returns for errors the spec doesn't describe.
  const errorBody = ajv.compile({
    type: 'object',
    properties: {
      errorMessages: { type: 'array', items: { type: 'string' } },
      errors: { type: 'object', additionalProperties: { type: 'string' } },
      warningMessages: { type: 'array', items: { type: 'string' } },
      status: { type: 'integer' },
    },
    additionalProperties: false,
  });

  const result: LoadedSpec = { ajv, routes, errorBody, loadMs: performance.now() - started };
  loaded.set(specPath, result);
  return result;
}

/** Literal segments win over templated ones at the first segment where they differ (as Jira's router does). */
function matchNode(node: RouteNode, segments: string[], index: number): RouteNode | null {
  if (index === segments.length) return node.ops.size > 0 ? node : null;
  const segment = segments[index] ?? '';
  const literal = node.literal.get(segment);
  if (literal) {
    const found = matchNode(literal, segments, index + 1);
    if (found) return found;
  }
  if (node.param && segment !== '') return matchNode(node.param, segments, index + 1);
  return null;
}

interface Located {
  pathname: string;
  query: URLSearchParams;
  node: RouteNode | null;
  op: Operation | null;
}

function locate(spec: LoadedSpec, method: string, fullPath: string): Located {
  const q = fullPath.indexOf('?');
  const pathname = q < 0 ? fullPath : fullPath.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : fullPath.slice(q + 1));
  const node = matchNode(spec.routes, splitPath(pathname), 0);
  return { pathname, query, node, op: node?.ops.get(method.toUpperCase()) ?? null };
}

function noSuchOperation(where: ContractProblem['where'], method: string, found: Located): ContractProblem {
  let message = `no such operation in the Jira contract (${path.basename(COMMITTED_CONTRACT)} holds what the simulator serves; if Jira has it, serve it and run \`npm run contract:update\`)`;
  if (found.node) {
    const [first] = found.node.ops.values();
    message += ` (${first?.template ?? found.pathname} has ${[...found.node.ops.keys()].join(', ')} but not ${method.toUpperCase()})`;
  }
  return { where, operation: `${method.toUpperCase()} ${found.pathname}`, message };
}

// ---------------------------------------------------------------------------------------------
// Compiling an operation's pieces on first use.

function compileFor(spec: LoadedSpec, schema: unknown, mode: Mode): ValidateFunction {
  const converted = convertSchema(schema, mode);
  return spec.ajv.compile(isRecord(converted) ? converted : {});
}

function prepareParams(op: Operation): PreparedParam[] {
  if (op.params) return op.params;
  const params: PreparedParam[] = [];
  const raw = Array.isArray(op.raw['parameters']) ? op.raw['parameters'] : [];
  for (const p of raw) {
    const param = record(p);
    const where = param?.['in'];
    const name = param?.['name'];
    if (!param || typeof name !== 'string' || (where !== 'query' && where !== 'path')) continue;
    params.push({ name, in: where, required: param['required'] === true, schema: convertSchema(param['schema'] ?? {}, 'request') });
  }
  return (op.params = params);
}

function paramValidator(spec: LoadedSpec, param: PreparedParam): ValidateFunction {
  return (param.validate ??= spec.ajv.compile(isRecord(param.schema) ? param.schema : {}));
}

/** The content entry we can check against parsed JSON, if any. */
function jsonContent(content: unknown): { schema: unknown } | null {
  const entries = record(content);
  if (!entries) return null;
  for (const type of Object.keys(entries)) {
    if (type.includes('json') || type === '*/*') return { schema: record(entries[type])?.['schema'] ?? {} };
  }
  return null;
}

function prepareRequestBody(spec: LoadedSpec, op: Operation): { validate: ValidateFunction | null; required: boolean } | null {
  if (op.requestBody !== undefined) return op.requestBody;
  const body = record(op.raw['requestBody']);
  if (!body) return (op.requestBody = null);
  const json = jsonContent(body['content']);
  return (op.requestBody = {
    validate: json ? compileFor(spec, json.schema, 'request') : null,
    required: body['required'] === true,
  });
}

function documentedStatuses(op: Operation): string[] {
  return Object.keys(record(op.raw['responses']) ?? {});
}

function prepareResponse(spec: LoadedSpec, op: Operation, status: number): ResponseCheck | 'undocumented' {
  const responses = record(op.raw['responses']) ?? {};
  const key = [String(status), `${String(status).charAt(0)}XX`, 'default'].find((k) => k in responses || k.toLowerCase() in responses);
  if (key === undefined) return 'undocumented';
  const cached = op.responses.get(key);
  if (cached) return cached;
  const response = record(responses[key] ?? responses[key.toLowerCase()]) ?? {};
  const content = record(response['content']);
  const json = jsonContent(content);
  const check: ResponseCheck = {
    validate: json ? compileFor(spec, json.schema, 'response') : null,
    hasContent: content !== undefined && Object.keys(content).length > 0,
    describesBody: json !== null && isRecord(json.schema) && Object.keys(json.schema).length > 0,
  };
  op.responses.set(key, check);
  return check;
}

// ---------------------------------------------------------------------------------------------
// Turning ajv's errors into messages.

function pointerToPath(root: string, pointer: string): string {
  let out = root;
  if (pointer === '') return out;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

function describeError(root: string, error: ErrorObject): string {
  const where = pointerToPath(root, error.instancePath);
  const params: Record<string, unknown> = error.params;
  switch (error.keyword) {
    case 'required':
      return `${pointerToPath(where, `/${String(params['missingProperty'])}`)}: is required`;
    case 'additionalProperties':
      return `${where}: unexpected property ${JSON.stringify(params['additionalProperty'])}`;
    case 'enum': {
      const allowed = Array.isArray(params['allowedValues']) ? params['allowedValues'] : [];
      return `${where}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    default:
      return `${where}: ${error.message ?? error.keyword}`;
  }
}

function describeErrors(root: string, errors: ErrorObject[] | null | undefined): string[] {
  const list = errors ?? [];
  // An anyOf/oneOf failure is reported once, not with every branch's complaint.
  const unions = list.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const kept = list.filter(
    (e) => !unions.some((u) => u !== e && e.schemaPath.startsWith(u.schemaPath + '/') && e.instancePath.startsWith(u.instancePath)),
  );
  return [...new Set(kept.map((e) => describeError(root, e)))];
}

// ---------------------------------------------------------------------------------------------
// Query parameters.

function schemaType(schema: unknown): string | undefined {
  const type = record(schema)?.['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t): t is string => typeof t === 'string' && t !== 'null');
  return undefined;
}

function coerce(value: string, schema: unknown): unknown {
  switch (schemaType(schema)) {
    case 'integer':
      return /^-?\d+$/.test(value) ? Number(value) : value;
    case 'number':
      return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    default:
      return value;
  }
}

function checkParams(spec: LoadedSpec, op: Operation, found: Located): string[] {
  const messages: string[] = [];
  const params = prepareParams(op);

  // Path parameters, aligned by position with the template.
  const templateSegments = splitPath(op.template);
  const actualSegments = splitPath(found.pathname);
  templateSegments.forEach((segment, i) => {
    if (!isTemplateSegment(segment)) return;
    const name = segment.slice(1, -1);
    const param = params.find((p) => p.in === 'path' && p.name === name);
    if (!param) return;
    let raw = actualSegments[i] ?? '';
    try {
      raw = decodeURIComponent(raw);
    } catch {
      messages.push(`path.${name}: malformed percent-encoding`);
      return;
    }
    const validate = paramValidator(spec, param);
    if (!validate(coerce(raw, param.schema))) messages.push(...describeErrors(`path.${name}`, validate.errors));
  });

  const names = new Set(found.query.keys());
  for (const name of names) {
    const param = params.find((p) => p.in === 'query' && p.name === name);
    if (!param) {
      const known = params.filter((p) => p.in === 'query').map((p) => p.name);
      messages.push(`query.${name}: unknown query parameter (known: ${known.length > 0 ? known.join(', ') : 'none'})`);
      continue;
    }
    const values = found.query.getAll(name);
    let value: unknown;
    if (schemaType(param.schema) === 'array') {
      // Jira takes repeated parameters and comma-separated lists alike.
      const items = record(param.schema)?.['items'];
      value = values.flatMap((v) => v.split(',')).map((v) => coerce(v, items));
    } else {
      if (values.length > 1) messages.push(`query.${name}: given ${values.length} times but takes one value`);
      value = coerce(values[0] ?? '', param.schema);
    }
    const validate = paramValidator(spec, param);
    if (!validate(value)) messages.push(...describeErrors(`query.${name}`, validate.errors));
  }
  for (const param of params) {
    if (param.in === 'query' && param.required && !names.has(param.name)) messages.push(`query.${param.name}: required query parameter is missing`);
  }
  return messages;
}

// ---------------------------------------------------------------------------------------------

const ALWAYS_ALLOWED_ERRORS = new Set([401, 403, 404, 429]);

export function createOpenApiChecker(options: { specPath?: string } = {}): OpenApiChecker {
  const specPath = options.specPath ?? defaultSpecPath();
  const spec = loadSpec(specPath);

  return {
    operationTemplate(method, fullPath) {
      return locate(spec, method, fullPath).op?.template ?? null;
    },

    checkRequest({ method, path: fullPath, body }) {
      const found = locate(spec, method, fullPath);
      const op = found.op;
      if (!op) return [noSuchOperation('request', method, found)];
      const messages = checkParams(spec, op, found);
      const requestBody = prepareRequestBody(spec, op);
      if (!requestBody) {
        if (body !== undefined) messages.push('body: the operation takes no request body');
      } else if (body === undefined) {
        if (requestBody.required) messages.push('body: a request body is required');
      } else if (requestBody.validate && !requestBody.validate(body)) {
        messages.push(...describeErrors('body', requestBody.validate.errors));
      }
      return messages.map((message) => ({ where: 'request', operation: op.label, message }));
    },

    checkResponse({ method, path: fullPath, status, body }) {
      const found = locate(spec, method, fullPath);
      const op = found.op;
      if (!op) return [noSuchOperation('response', method, found)];
      const messages: string[] = [];
      const isError = status >= 400;
      const checkErrorShape = (): void => {
        if (body === undefined) return;
        const problems = spec.errorBody(body) ? [] : describeErrors('body', spec.errorBody.errors);
        if (isRecord(body) && !('errorMessages' in body) && !('errors' in body)) problems.push('body: has neither errorMessages nor errors');
        messages.push(...problems.map((m) => `${m} (Jira's error shape is {errorMessages: string[], errors: {[field]: string}})`));
      };

      if (status === 204 && body !== undefined) messages.push('body: a 204 response has no body');
      const check = prepareResponse(spec, op, status);
      if (check === 'undocumented') {
        if (ALWAYS_ALLOWED_ERRORS.has(status) || status >= 500) checkErrorShape();
        else messages.push(`status ${status} is not documented for this operation (documented: ${documentedStatuses(op).join(', ')})`);
      } else if (isError && !check.describesBody) {
        checkErrorShape();
      } else if (!check.hasContent) {
        if (body !== undefined && status !== 204) messages.push(`body: status ${status} documents no response body`);
      } else if (check.validate && status !== 204) {
        if (body === undefined) {
          if (!check.validate(undefined)) messages.push(`body: status ${status} documents a JSON body but none was returned`);
        } else if (!check.validate(body)) {
          messages.push(...describeErrors('body', check.validate.errors));
        }
      }
      return messages.map((message) => ({ where: 'response', operation: op.label, message }));
    },
  };
}

let defaultChecker: OpenApiChecker | undefined;

/** The matched path template for a request, using the default spec; null when nothing matches. */
export function operationTemplate(method: string, fullPath: string): string | null {
  defaultChecker ??= createOpenApiChecker();
  return defaultChecker.operationTemplate(method, fullPath);
}

/** Milliseconds spent loading and preparing the spec at `specPath` (0 if not loaded yet). */
export function specLoadMs(specPath: string = defaultSpecPath()): number {
  return loaded.get(specPath)?.loadMs ?? 0;
}

// Checks Atlassian Document Format documents against @atlaskit/adf-schema's JSON schema
// (draft-04, hence ajv-draft-04).
//
// ajv decides whether a document is valid. Its errors are not usable as they stand: every node
// sits in an anyOf of dozens of node types, so one missing `text` yields a hundred complaints
// from branches that were never meant to match. When ajv says no, a small interpreter of the
// keywords the ADF schema uses walks the document again, follows only the branches whose
// `type` matches the node, and reports the deepest problem it finds.
import Ajv, { type ValidateFunction } from 'ajv-draft-04';
import adfSchema from '@atlaskit/adf-schema/dist/json-schema/v1/full.json';

type Json = Record<string, unknown>;
type Pointer = ReadonlyArray<string | number>;

interface Problem {
  at: Pointer;
  message: string;
  /** Set when a node or mark has a type the position doesn't allow; merged across branches. */
  notAllowed?: { type: string; allowed: Set<string> };
  /** A `marks` list where the node takes none. */
  noMarks?: boolean;
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const schemaRoot: Json = adfSchema as Json;
const definitions: Json = isRecord(schemaRoot['definitions']) ? schemaRoot['definitions'] : {};

let validator: ValidateFunction | undefined;

function validate(doc: unknown): ValidateFunction {
  // Compiled on first use and kept for the process: compiling takes a few hundred ms.
  // Without ref inlining and code optimisation compiling takes a third of the time; checks stay fast.
  validator ??= new Ajv({ strict: false, allErrors: false, inlineRefs: false, code: { optimize: false } }).compile(schemaRoot);
  validator(doc);
  return validator;
}

/** Problems with an ADF document, each `path: what is wrong`; empty when it is valid ADF. */
export function checkAdf(doc: unknown): string[] {
  const ajvResult = validate(doc);
  if (ajvResult.errors == null || ajvResult.errors.length === 0) return [];
  const problems = explain(doc, schemaRoot, []);
  if (problems.length === 0) {
    // The interpreter missed something ajv caught; fall back to ajv's own first error.
    const first = ajvResult.errors[0];
    return first ? [`${formatPointer(first.instancePath.split('/').slice(1))}: ${first.message ?? first.keyword}`] : ['invalid ADF'];
  }
  const deepest = Math.max(...problems.map((p) => p.at.length));
  return [...new Set(problems.filter((p) => p.at.length === deepest).map((p) => render(doc, p)))];
}

// ---------------------------------------------------------------------------------------------

function resolve(schema: Json): Json {
  let current = schema;
  for (let hops = 0; typeof current['$ref'] === 'string' && hops < 50; hops++) {
    const ref = current['$ref'];
    const name = ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
    const target = name === undefined ? undefined : definitions[name];
    if (!isRecord(target)) return {};
    current = target;
  }
  return current;
}

const declaredTypeCache = new Map<Json, Set<string> | null>();

/** The node/mark `type` values a schema accepts, or null when it doesn't pin them down. */
function declaredTypes(schemaIn: Json): Set<string> | null {
  const schema = resolve(schemaIn);
  const cached = declaredTypeCache.get(schema);
  if (cached !== undefined) return cached;
  declaredTypeCache.set(schema, null); // guards against cycles
  let result: Set<string> | null = null;
  const typeProp = isRecord(schema['properties']) ? schema['properties']['type'] : undefined;
  if (isRecord(typeProp) && Array.isArray(typeProp['enum'])) {
    result = new Set(typeProp['enum'].filter((t): t is string => typeof t === 'string'));
  } else if (Array.isArray(schema['allOf'])) {
    for (const part of schema['allOf']) {
      const types = isRecord(part) ? declaredTypes(part) : null;
      if (types) {
        result = types;
        break;
      }
    }
  } else if (Array.isArray(schema['anyOf'])) {
    const union = new Set<string>();
    for (const branch of schema['anyOf']) {
      const types = isRecord(branch) ? declaredTypes(branch) : null;
      if (!types) {
        declaredTypeCache.set(schema, null);
        return null;
      }
      for (const t of types) union.add(t);
    }
    result = union;
  }
  declaredTypeCache.set(schema, result);
  return result;
}

function typeOk(value: unknown, type: unknown): boolean {
  switch (type) {
    case 'object':
      return isRecord(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return true;
  }
}

/** Everything wrong with `value` against `schemaIn`; empty when it matches. */
function explain(value: unknown, schemaIn: Json, at: Pointer): Problem[] {
  const schema = resolve(schemaIn);
  const problems: Problem[] = [];

  const type = schema['type'];
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type];
    if (!types.some((t) => typeOk(value, t))) return [{ at, message: `must be ${types.join(' or ')}` }];
  }
  // A node of another type: say so rather than listing everything that type lacks.
  const ownTypes = isRecord(value) && typeof value['type'] === 'string' ? declaredTypes(schema) : null;
  if (ownTypes && isRecord(value) && typeof value['type'] === 'string' && !ownTypes.has(value['type'])) {
    return [{ at, message: '', notAllowed: { type: value['type'], allowed: new Set(ownTypes) } }];
  }
  if (Array.isArray(schema['enum']) && !schema['enum'].some((v) => v === value)) {
    const allowed = schema['enum'].map((v) => JSON.stringify(v));
    return [{ at, message: allowed.length === 1 ? `must be ${allowed[0]}` : `must be one of ${allowed.join(', ')}` }];
  }

  if (typeof value === 'string') {
    if (typeof schema['minLength'] === 'number' && value.length < schema['minLength']) {
      problems.push({ at, message: schema['minLength'] === 1 ? 'must not be empty' : `must be at least ${schema['minLength']} characters` });
    }
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern'], 'u').test(value)) {
      problems.push({ at, message: `must match ${schema['pattern']}` });
    }
  }
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < schema['minimum']) problems.push({ at, message: `must be >= ${schema['minimum']}` });
    if (typeof schema['maximum'] === 'number' && value > schema['maximum']) problems.push({ at, message: `must be <= ${schema['maximum']}` });
  }
  if (Array.isArray(value)) {
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems']) {
      problems.push({ at, message: `must have at least ${schema['minItems']} item${schema['minItems'] === 1 ? '' : 's'}` });
    }
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems']) {
      if (schema['maxItems'] === 0) problems.push({ at, message: 'must be empty here', noMarks: at[at.length - 1] === 'marks' });
      else problems.push({ at, message: `must have at most ${schema['maxItems']} items` });
    }
    const items = schema['items'];
    if (isRecord(items)) value.forEach((item, i) => problems.push(...explain(item, items, [...at, i])));
  }
  if (isRecord(value)) {
    const props = isRecord(schema['properties']) ? schema['properties'] : {};
    if (Array.isArray(schema['required'])) {
      for (const name of schema['required']) {
        if (typeof name === 'string' && !(name in value)) problems.push({ at, message: `missing required property "${name}"` });
      }
    }
    const additional = schema['additionalProperties'];
    for (const [name, child] of Object.entries(value)) {
      const propSchema = props[name];
      if (isRecord(propSchema)) problems.push(...explain(child, propSchema, [...at, name]));
      else if (additional === false) problems.push({ at, message: `unexpected property "${name}"` });
      else if (isRecord(additional)) problems.push(...explain(child, additional, [...at, name]));
    }
  }

  if (Array.isArray(schema['allOf'])) {
    for (const part of schema['allOf']) if (isRecord(part)) problems.push(...explain(value, part, at));
  }
  if (Array.isArray(schema['anyOf'])) problems.push(...explainAnyOf(value, schema['anyOf'].filter(isRecord), at));
  return problems;
}

function explainAnyOf(value: unknown, branches: Json[], at: Pointer): Problem[] {
  let candidates = branches;
  const nodeType = isRecord(value) && typeof value['type'] === 'string' ? value['type'] : undefined;
  if (nodeType !== undefined) {
    const typed = branches.map((branch) => ({ branch, types: declaredTypes(branch) }));
    if (typed.every((t) => t.types !== null)) {
      candidates = typed.filter((t) => t.types?.has(nodeType)).map((t) => t.branch);
      if (candidates.length === 0) {
        const allowed = new Set(typed.flatMap((t) => [...(t.types ?? [])]));
        return [{ at, message: '', notAllowed: { type: nodeType, allowed } }];
      }
    }
  }

  let best: Problem[] | undefined;
  const all: Problem[][] = [];
  for (const branch of candidates) {
    const problems = explain(value, branch, at);
    if (problems.length === 0) return [];
    all.push(problems);
    if (!best || rank(problems) > rank(best)) best = problems;
  }
  if (!best) return [{ at, message: 'matches none of the allowed shapes' }];

  // Branches that differ only in which marks they allow (paragraph with alignment, with
  // indentation, ...) each say "not allowed"; the developer wants the union of what is allowed.
  const chosen = best.map((p) => (p.notAllowed ? { ...p, notAllowed: { type: p.notAllowed.type, allowed: new Set(p.notAllowed.allowed) } } : p));
  for (const problem of chosen) {
    if (!problem.notAllowed) continue;
    for (const other of all.flat()) {
      if (other.notAllowed && samePointer(other.at, problem.at)) for (const t of other.notAllowed.allowed) problem.notAllowed.allowed.add(t);
    }
  }
  return chosen;
}

/** Deeper problems mean the branch got further before failing; fewer problems break ties. */
function rank(problems: Problem[]): number {
  return Math.max(...problems.map((p) => p.at.length)) * 1000 - problems.length;
}

function samePointer(a: Pointer, b: Pointer): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

// ---------------------------------------------------------------------------------------------

function valueAt(doc: unknown, at: Pointer): unknown {
  let current = doc;
  for (const part of at) {
    if (Array.isArray(current) && typeof part === 'number') current = current[part];
    else if (isRecord(current) && typeof part === 'string') current = current[part];
    else return undefined;
  }
  return current;
}

function formatPointer(at: ReadonlyArray<string | number>): string {
  let out = 'doc';
  // ADF objects have no numeric keys, so a digit string is an array index (ajv's pointers are strings).
  for (const part of at) out += typeof part === 'number' || /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  return out;
}

function nodeTypeAt(doc: unknown, at: Pointer): string | undefined {
  const value = valueAt(doc, at);
  return isRecord(value) && typeof value['type'] === 'string' ? value['type'] : undefined;
}

function render(doc: unknown, problem: Problem): string {
  const where = formatPointer(problem.at);
  if (problem.notAllowed) {
    const isMark = problem.at[problem.at.length - 2] === 'marks';
    // The node that holds the content or marks list.
    const holder = nodeTypeAt(doc, problem.at.slice(0, -2));
    const place = problem.at.length === 0 ? 'as the root' : holder === undefined ? 'here' : isMark ? `on ${holder}` : `inside ${holder}`;
    const allowed = [...problem.notAllowed.allowed].sort();
    const what = isMark ? 'mark' : 'node';
    return `${where}: ${what} type "${problem.notAllowed.type}" is not allowed ${place} (allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'})`;
  }
  if (problem.noMarks) {
    const owner = nodeTypeAt(doc, problem.at.slice(0, -1)) ?? 'this node';
    const holder = nodeTypeAt(doc, problem.at.slice(0, -3));
    return `${where}: ${owner}${holder === undefined ? '' : ` inside ${holder}`} takes no marks`;
  }
  const own = problem.at.length > 0 ? nodeTypeAt(doc, problem.at) : undefined;
  return `${where}${own === undefined ? '' : ` (${own})`}: ${problem.message}`;
}

// Before a field mapping is saved, the Jira field's schema (from GET /rest/api/3/field) must be able
// to carry what the transform produces. Refusals are plain sentences for the admin page.
import type { FieldMapping, TransformKind } from './schema';
import { jiraFieldLabel } from './transforms';
import { TOOL_TYPE_KINDS, TOOL_TYPE_WORDS, typeKey } from './tool-types';

/** `schema` of an entry of GET /rest/api/3/field. */
export interface JiraFieldSchema {
  type: string;
  items?: string | undefined;
  system?: string | undefined;
  custom?: string | undefined;
  customId?: number | undefined;
}

/** An entry of GET /rest/api/3/field (only what the check reads). */
export interface JiraFieldInfo {
  id?: string | undefined;
  name?: string | undefined;
  schema?: JiraFieldSchema | undefined;
}

export type FieldCheckResult = { ok: true } | { ok: false; message: string };

const CUSTOM = 'com.atlassian.jira.plugin.system.customfieldtypes:';
const SPRINT = 'com.pyxis.greenhopper.jira:gh-sprint';
const ADF_SYSTEM_FIELDS = new Set(['description', 'environment']);
/** Set by Jira itself; never written by an app. */
const READ_ONLY_SYSTEM_FIELDS = new Set(['created', 'updated', 'creator', 'resolutiondate', 'lastViewed', 'statuscategorychangedate', 'votes', 'watches', 'worklog', 'issuekey', 'key', 'project', 'issuetype']);

/** The rich text fields hold ADF in REST API v3. */
export function holdsAdf(schema: JiraFieldSchema): boolean {
  return schema.type === 'string' && ((schema.system !== undefined && ADF_SYSTEM_FIELDS.has(schema.system)) || schema.custom === `${CUSTOM}textarea`);
}

/** What the Jira field holds, for a sentence: "Summary holds text". */
function describeJira(schema: JiraFieldSchema): string {
  switch (schema.type) {
    case 'string':
      return holdsAdf(schema) ? 'rich text' : 'text';
    case 'number':
      return 'a number';
    case 'date':
      return 'a date';
    case 'datetime':
      return 'a date and time';
    case 'option':
      return 'a choice';
    case 'option-with-child':
      return 'a choice with a sub-choice';
    case 'team':
      return 'a team';
    case 'issuelink':
      return 'an issue';
    case 'user':
      return 'a user';
    case 'priority':
      return 'a priority';
    case 'status':
      return 'a status';
    case 'array':
      switch (schema.items) {
        case 'string':
          return 'a list of labels';
        case 'option':
          return 'a list of choices';
        case 'user':
          return 'a list of users';
        case 'version':
          return 'a list of versions';
        case 'component':
          return 'a list of components';
        case 'json':
          return schema.custom === SPRINT ? 'sprints' : 'a list of values';
        default:
          return `a list of ${schema.items ?? 'values'}`;
      }
    default:
      return `a value of type ${schema.type}`;
  }
}

/** What the tool field is, by the transform that carries it: "the tool's number field risk_score". */
const TOOL_KIND: Record<TransformKind, string> = {
  text: 'text',
  'adf-markdown': 'Markdown text',
  'adf-plain': 'text',
  'user-email': 'user (email)',
  priority: 'priority',
  status: 'state',
  labels: 'labels',
  number: 'number',
  date: 'date',
  option: 'choice',
  names: 'names',
  checkbox: 'checkbox (true or false)',
  cascading: 'choice path',
  'users-email': 'user list (emails)',
  url: 'web address',
  team: 'team',
  parent: 'parent reference',
  sprint: 'sprint name',
};

function accepts(kind: TransformKind, schema: JiraFieldSchema): boolean {
  switch (kind) {
    case 'text':
      return (schema.type === 'string' && !holdsAdf(schema)) || schema.type === 'any';
    case 'adf-markdown':
    case 'adf-plain':
      return holdsAdf(schema);
    case 'user-email':
      return schema.type === 'user';
    case 'priority':
      return schema.type === 'priority';
    case 'status':
      return schema.type === 'status';
    case 'labels':
      return schema.type === 'array' && schema.items === 'string';
    case 'number':
      return schema.type === 'number';
    case 'date':
      return schema.type === 'date' || schema.type === 'datetime';
    case 'option':
      return schema.type === 'option' || (schema.type === 'array' && schema.items === 'option');
    case 'names':
      return schema.type === 'array' && (schema.items === 'version' || schema.items === 'component');
    case 'checkbox':
      return schema.type === 'array' && schema.items === 'option';
    case 'cascading':
      return schema.type === 'option-with-child';
    case 'users-email':
      return schema.type === 'array' && schema.items === 'user';
    case 'url':
      return schema.type === 'string' && !holdsAdf(schema);
    case 'team':
      return schema.type === 'team';
    case 'parent':
      return schema.type === 'issuelink' && schema.system === 'parent';
    case 'sprint':
      return schema.type === 'array' && schema.custom === SPRINT;
  }
}

/** A hint for the common mismatches, naming the transform that fits. */
function hint(kind: TransformKind, schema: JiraFieldSchema): string {
  if (holdsAdf(schema) && (kind === 'text' || kind === 'number')) return ' Use the adf-markdown or adf-plain transform for text.';
  if (kind.startsWith('adf-') && schema.type === 'string') return ' Use the text transform.';
  if (schema.type === 'array' && schema.items === 'string') return ' Use the labels transform.';
  if (schema.type === 'option' || (schema.type === 'array' && schema.items === 'option')) return ' Use the option transform with a table of choices.';
  if (schema.type === 'array' && (schema.items === 'version' || schema.items === 'component')) return ' Use the names transform.';
  if (schema.type === 'array' && schema.items === 'user') return ' Use the users-email transform.';
  if (schema.type === 'option-with-child') return ' Use the cascading transform.';
  if (schema.type === 'team') return ' Use the team transform with a table of teams.';
  return '';
}

/** Every transform, in the order the admin page lists them. */
export const TRANSFORM_KINDS: readonly TransformKind[] = ['text', 'adf-markdown', 'adf-plain', 'number', 'date', 'option', 'checkbox', 'cascading', 'labels', 'names', 'user-email', 'users-email', 'url', 'team', 'parent', 'sprint', 'priority', 'status'];

/** The tool's own type word (from its description, or a preset's table) as the transforms that carry it. */
export function transformsForToolType(toolType: string | undefined): readonly TransformKind[] | undefined {
  return toolType === undefined ? undefined : TOOL_TYPE_KINDS[typeKey(toolType)];
}

function toolTypeWords(toolType: string): string {
  return TOOL_TYPE_WORDS[typeKey(toolType)] ?? toolType;
}

export interface TransformFit {
  kind: TransformKind;
  ok: boolean;
  /** Why the transform cannot carry this field (when not ok). */
  reason?: string;
}

/**
 * Each transform with whether it fits the Jira field and, when not, why: the admin page offers the
 * ones that fit and shows the reasons for the rest. A tool field's type, when the tool says it,
 * narrows the fitting ones to those that carry that type.
 */
export function transformFits(jiraField: JiraFieldSchema | JiraFieldInfo, toolType?: readonly TransformKind[] | string): TransformFit[] {
  const toolKinds = typeof toolType === 'string' ? transformsForToolType(toolType) : toolType;
  const schema = isSchema(jiraField) ? jiraField : jiraField.schema;
  const label = jiraFieldLabel(isSchema(jiraField) ? '' : (jiraField.id ?? ''), isSchema(jiraField) ? undefined : jiraField.name) || 'This field';
  return TRANSFORM_KINDS.map((kind) => {
    if (!schema) return { kind, ok: false, reason: `Jira does not say what ${label} holds.` };
    if (!accepts(kind, schema)) return { kind, ok: false, reason: `${label} holds ${describeJira(schema)}, not ${TOOL_KIND[kind]}.${hint(kind, schema)}` };
    if (toolKinds && !toolKinds.includes(kind)) {
      return { kind, ok: false, reason: typeof toolType === 'string' ? `The tool's field is ${toolTypeWords(toolType)}, not ${TOOL_KIND[kind]}.` : `The tool's field is not ${TOOL_KIND[kind]}.` };
    }
    return { kind, ok: true };
  });
}

function isSchema(value: JiraFieldSchema | JiraFieldInfo): value is JiraFieldSchema {
  return typeof (value as JiraFieldSchema).type === 'string';
}

/**
 * Can the Jira field carry the tool field through this mapping's transform? Takes the field's
 * `schema`, or its whole entry from GET /rest/api/3/field (whose name makes nicer messages).
 */
export function checkFieldMapping(mapping: FieldMapping, jiraField: JiraFieldSchema | JiraFieldInfo, toolType?: string): FieldCheckResult {
  const schema = isSchema(jiraField) ? jiraField : jiraField.schema;
  const label = jiraFieldLabel(mapping.jira, isSchema(jiraField) ? undefined : jiraField.name);
  const kind = mapping.transform.kind;
  const toolField = `the tool's ${TOOL_KIND[kind]} field ${mapping.tool}`;

  if (!schema) return { ok: false, message: `Jira does not say what ${label} holds, so Tandem cannot map it.` };
  if (!accepts(kind, schema)) {
    return { ok: false, message: `${label} holds ${describeJira(schema)}, so it cannot carry ${toolField}.${hint(kind, schema)}` };
  }
  if (kind === 'date' && mapping.transform.kind === 'date' && mapping.transform.jiraType !== schema.type) {
    const should = schema.type === 'date' ? 'date' : 'datetime';
    return { ok: false, message: `${label} holds ${describeJira(schema)}: set the date transform's Jira type to ${should}.` };
  }
  const toolKinds = transformsForToolType(toolType);
  if (toolType !== undefined && toolKinds && !toolKinds.includes(kind)) {
    const fitting = TRANSFORM_KINDS.filter((k) => toolKinds.includes(k) && accepts(k, schema));
    const instead = fitting.length > 0 ? ` Use the ${fitting.join(' or ')} transform.` : ` No transform carries ${describeJira(schema)} to ${toolTypeWords(toolType)}: pick another field.`;
    return { ok: false, message: `The tool's field ${mapping.tool} is ${toolTypeWords(toolType)}, so the ${kind} transform cannot carry it.${instead}` };
  }
  const system = schema.system ?? mapping.jira;
  if (mapping.direction !== 'jira-to-tool' && READ_ONLY_SYSTEM_FIELDS.has(system)) {
    return { ok: false, message: `${label} is set by Jira itself and cannot be written, so map it Jira to tool only.` };
  }
  return { ok: true };
}

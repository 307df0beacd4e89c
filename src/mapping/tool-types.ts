// The tool field types Tandem knows: the record REST contract's words (a tool's `describe`) and
// Craft.io's, whose fields the connection lists with their types because Craft.io cannot describe
// them. Pure and free of imports (the admin page bundles it): the fit check, the configuration's
// schema and the admin page read the same tables.
import type { TransformKind } from './schema';

/** Field types the contract names; a tool may answer another word, which is kept as it came. */
export const TOOL_FIELD_TYPES = ['string', 'text', 'markdown', 'number', 'boolean', 'date', 'datetime', 'user', 'users', 'option', 'options', 'url', 'reference'] as const;

/**
 * The transforms that can carry a tool field of a type named in the record REST contract's
 * `describe` (TOOL_FIELD_TYPES), or in Craft.io's field types (the preset's table); undefined for a
 * word Tandem does not know, which narrows nothing. Keys are written as typeKey writes them.
 */
export const TOOL_TYPE_KINDS: Readonly<Record<string, readonly TransformKind[]>> = {
  string: ['text', 'adf-plain', 'url', 'status', 'priority', 'sprint', 'option', 'team', 'cascading'],
  text: ['text', 'adf-plain', 'adf-markdown'],
  markdown: ['adf-markdown', 'text'],
  number: ['number'],
  boolean: ['checkbox'],
  date: ['date'],
  datetime: ['date'],
  user: ['user-email'],
  users: ['users-email'],
  option: ['option', 'status', 'priority', 'team', 'sprint', 'names', 'cascading'],
  options: ['option', 'checkbox', 'labels', 'names', 'sprint'],
  url: ['url', 'text'],
  reference: ['parent'],
  // Craft.io's field types (it cannot describe them; see craftioFieldTypes).
  paragraph: ['adf-markdown', 'adf-plain', 'text'],
  numeric: ['number'],
  'date-time': ['date'],
  'date-and-time': ['date'],
  'single-select': ['option', 'priority', 'team'],
  'multi-select': ['option', 'checkbox', 'labels', 'names'],
  cascading: ['cascading'],
  'cascading-select': ['cascading'],
  checkbox: ['checkbox'],
  'user-list': ['users-email'],
  labels: ['labels'],
  'parent-item': ['parent'],
  sprint: ['sprint'],
  release: ['names'],
  team: ['team'],
  status: ['status'],
};

/** What a tool field of this type is, for a sentence: "risk_score is a number". */
export const TOOL_TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  text: 'text',
  markdown: 'Markdown text',
  number: 'a number',
  boolean: 'true or false',
  date: 'a date',
  datetime: 'a date and time',
  user: 'a user',
  users: 'a list of users',
  option: 'a choice',
  options: 'a list of choices',
  url: 'a web address',
  reference: 'a reference to another record',
  paragraph: 'rich text',
  numeric: 'a number',
  'date-time': 'a date and time',
  'date-and-time': 'a date and time',
  'single-select': 'a single choice',
  'multi-select': 'a list of choices',
  cascading: 'a choice with a sub-choice',
  'cascading-select': 'a choice with a sub-choice',
  checkbox: 'true or false',
  'user-list': 'a list of users',
  labels: 'a list of labels',
  'parent-item': 'a reference to a parent item',
  sprint: 'a sprint',
  release: 'a release',
  team: 'a team',
  status: 'a status',
};

/** A type word as the tables key it: `Single select`, `single_select` and `single-select` are one. */
export function typeKey(toolType: string): string {
  return toolType.trim().toLowerCase().replace(/[\s_]+/g, '-');
}


/** Craft.io's field types as its guide writes them, the words an admin picks from for a Craft.io field. */
export const CRAFTIO_FIELD_TYPES: readonly string[] = [
  'Text',
  'Paragraph',
  'Numeric',
  'Date',
  'Date and time',
  'Single select',
  'Multi select',
  'Cascading select',
  'Checkbox',
  'User',
  'User list',
  'URL',
  'Labels',
  'Parent item',
  'Sprint',
  'Release',
  'Team',
  'Status',
];

/** Whether the fit check knows this type word (a word it does not know would narrow nothing). */
export function isKnownToolType(toolType: string): boolean {
  return Object.hasOwn(TOOL_TYPE_KINDS, typeKey(toolType));
}

const contractKeys = new Set<string>(TOOL_FIELD_TYPES);

/**
 * The type words a connection's table is written in, for the admin to pick a new field's type from:
 * Craft.io's once the table holds a word only Craft.io uses (the preset writes Paragraph and
 * Numeric), else the record REST contract's.
 */
export function toolTypeVocabulary(table: Readonly<Record<string, string>> | undefined): readonly string[] {
  const words = Object.values(table ?? {}).map(typeKey);
  const craftio = new Set(CRAFTIO_FIELD_TYPES.map(typeKey));
  return words.some((w) => craftio.has(w) && !contractKeys.has(w)) ? CRAFTIO_FIELD_TYPES : TOOL_FIELD_TYPES;
}

/** A tool field name as the table compares names: `Risk`, ` risk ` and `RISK` are one field. */
export function toolFieldNameKey(name: string): string {
  return name.trim().toLowerCase();
}

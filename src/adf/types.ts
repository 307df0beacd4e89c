// ADF shapes Tandem produces, and the narrowing used when reading ADF that came from Jira
// (which may be anything: older documents, nodes added after this code was written, bad data).

export interface AdfMark {
  type: string;
  attrs?: Record<string, unknown>;
}

export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  marks?: AdfMark[];
  text?: string;
}

export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A node read defensively: missing or mistyped fields become empty values. */
export interface NodeView {
  type: string;
  attrs: Record<string, unknown>;
  content: readonly unknown[];
  marks: readonly unknown[];
  text: string | undefined;
}

const EMPTY: readonly unknown[] = [];
const NO_ATTRS: Record<string, unknown> = {};

export function viewNode(value: unknown): NodeView | undefined {
  if (!isRecord(value)) return undefined;
  const type = value['type'];
  if (typeof type !== 'string') return undefined;
  const attrs = value['attrs'];
  const content = value['content'];
  const marks = value['marks'];
  const text = value['text'];
  return {
    type,
    attrs: isRecord(attrs) ? attrs : NO_ATTRS,
    content: Array.isArray(content) ? content : EMPTY,
    marks: Array.isArray(marks) ? marks : EMPTY,
    text: typeof text === 'string' ? text : undefined,
  };
}

export function attrString(attrs: Record<string, unknown>, name: string): string | undefined {
  const value = attrs[name];
  return typeof value === 'string' ? value : undefined;
}

/** Inline node types of ADF: anything else met among inline content is treated as a block. */
export const INLINE_TYPES: ReadonlySet<string> = new Set([
  'text',
  'hardBreak',
  'mention',
  'emoji',
  'date',
  'status',
  'inlineCard',
  'mediaInline',
  'placeholder',
  'inlineExtension',
]);

// Markdown → ADF. Markdown is parsed by mdast-util-from-markdown (CommonMark with GFM tables,
// task lists, strikethrough and autolinks); here the mdast tree is fitted to what ADF allows where
// each block sits: a blockquote holds no heading, quote, rule or table; a list item starts with a
// paragraph and holds no heading; tasks are not allowed in a quote. What does not fit is turned
// into something that does (a paragraph with the same text, the children of a flattened quote),
// never dropped.
import type { BlockContent, Definition, DefinitionContent, List, ListItem, Nodes, PhrasingContent, RootContent, Table } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { inlineToAdf } from './from-mdast-inline';
import type { AdfDoc, AdfNode } from './types';

type Place = 'doc' | 'listItem' | 'blockquote' | 'tableCell' | 'panel';
type Block = RootContent | BlockContent | DefinitionContent;

const HEADING_OK: ReadonlySet<Place> = new Set(['doc', 'tableCell', 'panel']);
const RULE_OK: ReadonlySet<Place> = new Set(['doc', 'tableCell', 'panel']);
const QUOTE_OK: ReadonlySet<Place> = new Set(['doc', 'tableCell']);
const PANEL_OK: ReadonlySet<Place> = new Set(['doc', 'tableCell']);
const TASKS_OK: ReadonlySet<Place> = new Set(['doc', 'listItem', 'tableCell', 'panel']);

/** Deeper than this, a block keeps only its text: hostile input may nest thousands deep. */
export const MAX_DEPTH = 24;

/** Labels a panel is written with (`> **Info:** …`), read back into the panel type. */
export const PANEL_LABELS: Readonly<Record<string, string>> = {
  info: 'Info',
  note: 'Note',
  tip: 'Tip',
  warning: 'Warning',
  error: 'Error',
  success: 'Success',
};
const PANEL_BY_LABEL = new Map(Object.entries(PANEL_LABELS).map(([type, label]) => [`${label}:`, type]));

/** An item whose only text is a checkbox: an empty task (GFM needs text after the box). */
const BARE_BOX = /^\[([ xX])\]$/;

interface State {
  next: number;
  definitions: ReadonlyMap<string, Definition>;
  /** The Markdown parsed, to tell a bare `[x]` from an escaped `\\[x]`, which is text. */
  source: string;
}

/**
 * Bounds on the parser's work. micromark is linear in its input except for emphasis and
 * strikethrough, whose resolution grows with the square of the delimiters in a paragraph, and
 * containers opened on one line (`>>>>…`), which grow with the square of their number; and it
 * costs tens of microseconds a character. Jira holds at most 32,767 characters in a text field.
 * Its GFM autolink pass recurses once a nesting level, so thousands of nested quotes would
 * overflow the stack: past MAX_LINE_CONTAINERS the text is kept as typed, as it is if the parser
 * ever fails.
 */
export const MAX_PARSED_CHARS = 50_000;
export const MAX_DELIMITER_CHARS = 2_000;
const DELIMITER = /[*_~]/g;
export const MAX_LINE_CONTAINERS = 100;
/** Quote and list markers opening a line, each a container (`> - > 1. x`). */
const LINE_CONTAINERS = /^(?:[ \t]*(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t])))+/gm;
const CONTAINER_MARKER = />|[-+*]|\d{1,9}[.)]/g;

function tooDeep(text: string): boolean {
  for (const prefix of text.matchAll(LINE_CONTAINERS)) {
    if (prefix[0].length > MAX_LINE_CONTAINERS && (prefix[0].match(CONTAINER_MARKER)?.length ?? 0) > MAX_LINE_CONTAINERS) return true;
  }
  return false;
}

export function markdownToAdf(markdown: string): AdfDoc {
  // One kind of line end: a CR would otherwise stay in text and code.
  const text = typeof markdown === 'string' ? markdown.replace(/\r\n?/g, '\n') : '';
  // Past the bound, the rest is kept as typed, in plain paragraphs: too long for Jira anyway.
  const parsed = text.length > MAX_PARSED_CHARS ? text.slice(0, MAX_PARSED_CHARS) : text;
  // More emphasis delimiters than any description holds: they show as typed instead.
  const plainEmphasis = (parsed.match(DELIMITER)?.length ?? 0) > MAX_DELIMITER_CHARS;
  const definitions = new Map<string, Definition>();
  let content: AdfNode[] = [];
  let rest = text.slice(parsed.length);
  // Containers nested beyond reason, or the parser failing: the whole text is kept as typed.
  if (tooDeep(parsed)) rest = text;
  else {
    try {
      const tree = fromMarkdown(parsed, {
        extensions: plainEmphasis ? [gfm(), { disable: { null: ['attention', 'strikethrough'] } }] : [gfm()],
        mdastExtensions: [gfmFromMarkdown()],
      });
      collectDefinitions(tree, definitions);
      content = convert(tree.children, 'doc', { next: 1, definitions, source: parsed }, 0);
    } catch {
      content = [];
      rest = text;
    }
  }
  content.push(...plainParagraphs(rest));
  return { type: 'doc', version: 1, content };
}

function plainParagraphs(text: string): AdfNode[] {
  return text
    .split(/\n[ \t]*\n/)
    .filter((part) => part.trim() !== '')
    .map((part) => paragraph(inlineToAdf([{ type: 'text', value: part }], { definitions: new Map() })));
}

function collectDefinitions(root: Nodes, into: Map<string, Definition>): void {
  const stack: Nodes[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node) break;
    // The first definition of a label wins (CommonMark).
    if (node.type === 'definition' && !into.has(node.identifier)) into.set(node.identifier, node);
    if ('children' in node && node.type !== 'paragraph' && node.type !== 'heading' && node.type !== 'tableCell') {
      for (let i = node.children.length - 1; i >= 0; i--) {
        const child = node.children[i];
        if (child) stack.push(child);
      }
    }
  }
}

function paragraph(content: AdfNode[]): AdfNode {
  return { type: 'paragraph', content };
}

/** Spaces and tabs at a paragraph's edges show nothing (a decoded `&#9;` can put one there). */
function trimEdges(content: AdfNode[]): AdfNode[] {
  const first = content[0];
  if (first?.type === 'text' && first.text !== undefined) first.text = first.text.replace(/^[ \t]+/, '');
  const last = content[content.length - 1];
  if (last?.type === 'text' && last.text !== undefined) last.text = last.text.replace(/[ \t]+$/, '');
  return content.filter((node) => node.type !== 'text' || node.text !== '');
}

function inline(nodes: readonly PhrasingContent[], st: State, cell = false): AdfNode[] {
  return inlineToAdf(nodes, { definitions: st.definitions, cell });
}

/** Every text of a subtree, without recursion: the last resort for input nested beyond reason. */
function flatText(root: Nodes): string {
  const parts: string[] = [];
  const stack: Nodes[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node) break;
    if ('value' in node && typeof node.value === 'string' && node.type !== 'html') parts.push(node.value);
    if ('children' in node) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as Nodes);
  }
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

function convert(blocks: readonly Block[], place: Place, st: State, depth: number): AdfNode[] {
  const out: AdfNode[] = [];
  for (const block of blocks) {
    if (depth > MAX_DEPTH) {
      const text = flatText(block);
      if (text !== '') out.push(paragraph([{ type: 'text', text }]));
      continue;
    }
    switch (block.type) {
      case 'paragraph':
        out.push(paragraph(trimEdges(inline(block.children, st))));
        break;
      case 'heading': {
        const content = HEADING_OK.has(place) ? inlineToAdf(block.children, { definitions: st.definitions, heading: true }) : inline(block.children, st);
        if (HEADING_OK.has(place)) out.push({ type: 'heading', attrs: { level: block.depth }, content });
        else if (content.length > 0) out.push(paragraph(content));
        break;
      }
      case 'code':
        out.push({
          type: 'codeBlock',
          ...(block.lang ? { attrs: { language: block.lang } } : {}),
          content: block.value === '' ? [] : [{ type: 'text', text: block.value }],
        });
        break;
      case 'thematicBreak':
        out.push(RULE_OK.has(place) ? { type: 'rule' } : paragraph([{ type: 'text', text: '---' }]));
        break;
      case 'blockquote':
        out.push(...quote(block.children, place, st, depth));
        break;
      case 'list':
        out.push(list(block, place, st, depth));
        break;
      case 'table':
        out.push(...table(block, place, st));
        break;
      case 'html':
        // Raw HTML is not rendered into ADF: its text stays readable as typed, a paragraph a part.
        out.push(...plainParagraphs(block.value.replace(/^[ \t]+/gm, '')));
        break;
      case 'footnoteDefinition': {
        const content = convert(block.children, place, st, depth + 1);
        const label: AdfNode = { type: 'text', text: `[^${block.label ?? block.identifier}]: ` };
        const first = content[0];
        if (first?.type === 'paragraph') first.content = [label, ...(first.content ?? [])];
        else content.unshift(paragraph([label]));
        out.push(...content);
        break;
      }
      default:
        // Link reference definitions show nothing; the links using them carry the address.
        break;
    }
  }
  return out;
}

function quote(children: readonly Block[], place: Place, st: State, depth: number): AdfNode[] {
  if (!QUOTE_OK.has(place)) return convert(children, place, st, depth + 1);
  if (PANEL_OK.has(place)) {
    const panel = asPanel(children, st, depth);
    if (panel) return [panel];
  }
  const content = convert(children, 'blockquote', st, depth + 1);
  return [{ type: 'blockquote', content: content.length > 0 ? content : [paragraph([])] }];
}

/** `> **Info:** text` is how a panel is written out; read it back as that panel. */
function asPanel(children: readonly Block[], st: State, depth: number): AdfNode | undefined {
  const first = children[0];
  if (!first || first.type !== 'paragraph') return undefined;
  const content0 = inline(first.children, st);
  const label = content0[0];
  if (!label || label.type !== 'text' || label.marks?.length !== 1 || label.marks[0]?.type !== 'strong') return undefined;
  const panelType = PANEL_BY_LABEL.get(label.text ?? '');
  if (panelType === undefined) return undefined;
  const rest = content0.slice(1);
  const lead = rest[0];
  if (lead && lead.type === 'text' && lead.marks === undefined && lead.text !== undefined) {
    const trimmed = lead.text.replace(/^[ \t]+/, '');
    if (trimmed === '') rest.shift();
    else lead.text = trimmed;
  }
  const content: AdfNode[] = [];
  if (rest.length > 0) content.push(paragraph(rest));
  content.push(...convert(children.slice(1), 'panel', st, depth + 1));
  return { type: 'panel', attrs: { panelType }, content: content.length > 0 ? content : [paragraph([])] };
}

/**
 * The item's checkbox: set by GFM, or a bare `[ ]` that GFM leaves as text (an empty task). An
 * escaped `\\[x]` reads as the same text, but was written to stay text: it is no box.
 */
function taskState(item: ListItem, st: State): boolean | undefined {
  if (typeof item.checked === 'boolean') return item.checked;
  const head = item.children[0];
  if (head?.type !== 'paragraph' || head.children.length !== 1) return undefined;
  const only = head.children[0];
  const box = only?.type === 'text' ? BARE_BOX.exec(only.value) : null;
  const start = only?.position?.start.offset;
  if (!box || (start !== undefined && st.source[start] !== '[')) return undefined;
  return box[1] !== ' ';
}

function isBareBox(item: ListItem, st: State): boolean {
  return typeof item.checked !== 'boolean' && taskState(item, st) !== undefined;
}

function list(block: List, place: Place, st: State, depth: number): AdfNode {
  if (TASKS_OK.has(place) && block.children.every((item) => taskState(item, st) !== undefined)) {
    const tasks = taskList(block.children, st);
    if (tasks) return tasks;
  }
  const items = block.children.map((item) => listItem(item, st, depth));
  if (!block.ordered) return { type: 'bulletList', content: items };
  const start = block.start ?? 1;
  return { type: 'orderedList', ...(start !== 1 ? { attrs: { order: start } } : {}), content: items };
}

function listItem(item: ListItem, st: State, depth: number): AdfNode {
  const content = convert(item.children, 'listItem', st, depth + 1);
  if (typeof item.checked === 'boolean') {
    // Not a task list after all: the checkbox goes back as the text it was.
    const box: AdfNode = { type: 'text', text: item.checked ? '[x] ' : '[ ] ' };
    const head = content[0];
    if (head?.type === 'paragraph' && item.children[0]?.type === 'paragraph') head.content = [box, ...(head.content ?? [])];
    else content.unshift(paragraph([{ type: 'text', text: item.checked ? '[x]' : '[ ]' }]));
  }
  if (content[0]?.type !== 'paragraph') content.unshift(paragraph([]));
  return { type: 'listItem', content };
}

/** Items that are each one paragraph, optionally with nested task lists; else undefined. */
function taskList(items: readonly ListItem[], st: State): AdfNode | undefined {
  const listId = `task-list-${st.next++}`;
  const content: AdfNode[] = [];
  for (const item of items) {
    const done = taskState(item, st);
    if (done === undefined) return undefined;
    const bare = isBareBox(item, st);
    const head = item.children[0];
    if (head && head.type !== 'paragraph') return undefined;
    content.push({
      type: 'taskItem',
      attrs: { localId: `task-${st.next++}`, state: done ? 'DONE' : 'TODO' },
      content: head && !bare ? inline(head.children, st) : [],
    });
    for (const child of item.children.slice(head ? 1 : 0)) {
      if (child.type !== 'list' || !child.children.every((i) => taskState(i, st) !== undefined)) return undefined;
      const sub = taskList(child.children, st);
      if (!sub) return undefined;
      content.push(sub);
    }
  }
  return { type: 'taskList', attrs: { localId: listId }, content };
}

function table(block: Table, place: Place, st: State): AdfNode[] {
  const [header, ...body] = block.children;
  if (!header) return [];
  const width = header.children.length;
  const rows = [header, ...body].map((row) => Array.from({ length: width }, (_, i) => row.children[i]?.children ?? []));
  if (place !== 'doc') {
    // No tables here in ADF: one paragraph per row keeps the text.
    const out: AdfNode[] = [];
    for (const cells of rows) {
      const parts = cells.map((c) => inline(c, st, true)).filter((c) => c.length > 0);
      if (parts.length === 0) continue;
      out.push(paragraph(parts.flatMap((c, i) => (i === 0 ? c : [{ type: 'text', text: ' | ' }, ...c]))));
    }
    return out;
  }
  const cell = (type: string, source: readonly PhrasingContent[]): AdfNode => ({ type, content: [paragraph(inline(source, st, true))] });
  return [
    {
      type: 'table',
      content: rows.map((cells, r) => ({ type: 'tableRow', content: cells.map((c) => cell(r === 0 ? 'tableHeader' : 'tableCell', c)) })),
    },
  ];
}

// ADF → mdast: one defensive walk over the blocks; inline content through to-mdast-inline.ts.
// The tree is then written out by mdast-util-to-markdown (to-markdown.ts) or as plain text
// (to-plain.ts). Here ADF is fitted to what Markdown carries (see README.md).
//
// Input comes from Jira and is read defensively: unknown nodes show their text or a readable
// placeholder, nesting is capped, and nothing here throws.
import type { BlockContent, List, ListItem, Paragraph, PhrasingContent, TableCell, TableRow } from 'mdast';
import { PANEL_LABELS } from './from-markdown';
import { MAX_DEPTH, STRONG, deeper, type Ctx } from './render-context';
import { atomsToPhrasing, cardAtoms, collectText, inlineToPhrasing, mediaAtoms, placeholder, textAtoms } from './to-mdast-inline';
import { INLINE_TYPES, attrString, viewNode, type NodeView } from './types';

/** Writes blocks as one output would (a table cell holds them as lines of that output). */
export type Serialise = (blocks: BlockContent[]) => string;

export interface MdastOptions {
  ctx: Ctx;
  serialise: Serialise;
}

/** The document's blocks as mdast (a root's children). */
export function adfToMdast(doc: unknown, options: MdastOptions): BlockContent[] {
  const { ctx } = options;
  try {
    if (typeof doc === 'string') return paragraphOf(atomsToPhrasing(textAtoms(doc), ctx));
    if (Array.isArray(doc)) return blocks(doc, options);
    const view = viewNode(doc);
    if (!view) return [];
    return blocks(view.type === 'doc' ? view.content : [doc], options);
  } catch {
    // Defensive: the walk is written not to throw; if it ever does, the text still goes out.
    return paragraphOf(atomsToPhrasing(textAtoms(collectText(doc)), ctx));
  }
}

function paragraphOf(children: PhrasingContent[]): Paragraph[] {
  return children.length === 0 ? [] : [{ type: 'paragraph', children }];
}

function inner(options: MdastOptions): MdastOptions {
  return { ...options, ctx: deeper(options.ctx) };
}

function blocks(nodes: readonly unknown[], options: MdastOptions): BlockContent[] {
  const out: BlockContent[] = [];
  let inline: unknown[] = [];
  const flushInline = (): void => {
    if (inline.length === 0) return;
    out.push(...paragraphOf(inlineToPhrasing(inline, options.ctx)));
    inline = [];
  };
  for (const node of nodes) {
    const view = viewNode(node);
    if (!view) continue;
    if (INLINE_TYPES.has(view.type)) {
      inline.push(node);
      continue;
    }
    flushInline();
    out.push(...block(view, options));
  }
  flushInline();
  return out;
}

function block(view: NodeView, options: MdastOptions): BlockContent[] {
  const { ctx } = options;
  if (ctx.depth > MAX_DEPTH) return paragraphOf(atomsToPhrasing(textAtoms(collectText(view)), ctx));
  switch (view.type) {
    case 'paragraph':
      return paragraphOf(inlineToPhrasing(view.content, ctx));
    case 'heading': {
      const raw = view.attrs['level'];
      const level = typeof raw === 'number' && raw >= 1 && raw <= 6 ? Math.floor(raw) : 1;
      const children = inlineToPhrasing(view.content, { ...ctx, heading: true });
      return [{ type: 'heading', depth: level as 1 | 2 | 3 | 4 | 5 | 6, children }];
    }
    case 'bulletList':
    case 'orderedList':
      return [list(view, options)];
    case 'taskList':
    case 'decisionList':
      return [taskList(taskItems(view, options))];
    case 'codeBlock': {
      // A language written right after the fence that starts with a fence character would read back
      // as a longer fence: those characters are no language's, and are left out.
      const lang = ((attrString(view.attrs, 'language') ?? '').split(/\s/)[0] ?? '').replace(/^[`~]+/, '');
      return [{ type: 'code', lang: lang === '' ? null : lang, meta: null, value: codeText(view) }];
    }
    case 'blockquote':
      return [{ type: 'blockquote', children: blocks(view.content, inner(options)) }];
    case 'panel':
      return [panel(view, options)];
    case 'rule':
      return [{ type: 'thematicBreak' }];
    case 'table':
      return table(view, options);
    case 'mediaSingle':
    case 'mediaGroup':
    case 'media':
      return paragraphOf(atomsToPhrasing(mediaAtoms(view, ctx), ctx));
    case 'expand':
    case 'nestedExpand': {
      const title = attrString(view.attrs, 'title') ?? '';
      const head = title === '' ? [] : paragraphOf(atomsToPhrasing([{ t: 'text', text: title, flags: STRONG, code: false, link: undefined }], ctx));
      return [...head, ...blocks(view.content, inner(options))];
    }
    case 'blockCard':
    case 'embedCard':
      return paragraphOf(atomsToPhrasing(cardAtoms(view), ctx));
    case 'listItem':
    case 'tableRow':
    case 'tableCell':
    case 'tableHeader':
    case 'taskItem':
    case 'decisionItem':
      // Out of place; keep what they hold.
      return blocks(view.content, inner(options));
    default:
      return unknown(view, options);
  }
}

function unknown(view: NodeView, options: MdastOptions): BlockContent[] {
  if (view.content.length > 0) {
    const content = blocks(view.content, inner(options));
    if (content.length > 0) return content;
  }
  const atoms = view.text !== undefined && view.text !== '' ? textAtoms(view.text) : [placeholder(view.type)];
  return paragraphOf(atomsToPhrasing(atoms, options.ctx));
}

function listStart(view: NodeView): number {
  const order = view.attrs['order'];
  return typeof order === 'number' && Number.isFinite(order) && order >= 0 && order <= 999_999_999 ? Math.floor(order) : 1;
}

function item(children: BlockContent[], checked?: boolean): ListItem {
  return { type: 'listItem', spread: false, ...(checked === undefined ? {} : { checked }), children };
}

function list(view: NodeView, options: MdastOptions): List {
  const ordered = view.type === 'orderedList';
  const nested = inner(options);
  const children: ListItem[] = [];
  for (const node of view.content) {
    const child = viewNode(node);
    if (!child) continue;
    children.push(item(child.type === 'listItem' ? blocks(child.content, nested) : blocks([node], nested)));
  }
  return ordered ? { type: 'list', ordered, start: listStart(view), spread: false, children } : { type: 'list', ordered, spread: false, children };
}

function taskList(children: ListItem[]): List {
  return { type: 'list', ordered: false, spread: false, children };
}

function taskItems(view: NodeView, options: MdastOptions): ListItem[] {
  const nested = inner(options);
  const items: ListItem[] = [];
  for (const node of view.content) {
    const child = viewNode(node);
    if (!child) continue;
    if (child.type === 'taskItem' || child.type === 'decisionItem') {
      const state = attrString(child.attrs, 'state');
      const done = state === 'DONE' || state === 'DECIDED';
      const text = inlineToPhrasing(child.content, nested.ctx);
      // GFM needs text after a checkbox: an empty task is the bare box, read back as one.
      if (text.length === 0) items.push(item([{ type: 'paragraph', children: [{ type: 'html', value: done ? '[x]' : '[ ]' }] }]));
      else items.push(item([{ type: 'paragraph', children: text }], done));
      continue;
    }
    // A nested list (or anything else) belongs to the item before it.
    const more: BlockContent[] =
      child.type === 'taskList' || child.type === 'decisionList' ? [taskList(taskItems(child, nested))] : blocks([node], nested);
    if (more.length === 0) continue;
    const last = items[items.length - 1];
    if (last) last.children.push(...more);
    else items.push(item(more));
  }
  return items;
}

function codeText(view: NodeView): string {
  let text = '';
  for (const node of view.content) {
    const child = viewNode(node);
    if (child?.text !== undefined) text += child.text;
    else if (child?.type === 'hardBreak') text += '\n';
  }
  return text;
}

/** `> **Info:** …`: the label leads the first paragraph, or stands alone before other blocks. */
function panel(view: NodeView, options: MdastOptions): BlockContent {
  const label = PANEL_LABELS[attrString(view.attrs, 'panelType') ?? ''] ?? 'Note';
  const nested = inner(options);
  const head: PhrasingContent = { type: 'strong', children: [{ type: 'text', value: `${label}:` }] };
  const [first, ...rest] = view.content;
  const firstView = viewNode(first);
  const lead = firstView?.type === 'paragraph' ? inlineToPhrasing(firstView.content, nested.ctx) : [];
  const children: BlockContent[] =
    lead.length > 0
      ? [{ type: 'paragraph', children: [head, { type: 'text', value: ' ' }, ...lead] }, ...blocks(rest, nested)]
      : [{ type: 'paragraph', children: [head] }, ...blocks(view.content, nested)];
  return { type: 'blockquote', children };
}

function table(view: NodeView, options: MdastOptions): BlockContent[] {
  const cellOptions = inner(options);
  const rows: PhrasingContent[][][] = [];
  for (const rowNode of view.content) {
    const row = viewNode(rowNode);
    if (!row) continue;
    const cells: PhrasingContent[][] = [];
    for (const cellNode of row.type === 'tableRow' ? row.content : [rowNode]) {
      const cell = viewNode(cellNode);
      if (cell) cells.push(cellContent(cell, cellOptions));
    }
    rows.push(cells);
  }
  const width = Math.max(0, ...rows.map((r) => r.length));
  if (width === 0) return [];
  // GFM needs a header row: the first row is it, header cells or not.
  const children: TableRow[] = rows.map((cells) => ({
    type: 'tableRow',
    children: Array.from({ length: width }, (_, i): TableCell => ({ type: 'tableCell', children: cells[i] ?? [] })),
  }));
  return [{ type: 'table', align: [], children }];
}

/** A GFM cell is one line: its blocks are joined by breaks; blocks other than text are written as lines. */
function cellContent(cell: NodeView, options: MdastOptions): PhrasingContent[] {
  const { ctx } = options;
  const nodes = cell.type === 'tableCell' || cell.type === 'tableHeader' ? cell.content : [cell];
  const parts: PhrasingContent[][] = [];
  for (const node of nodes) {
    const view = viewNode(node);
    if (!view) continue;
    let part: PhrasingContent[];
    if (view.type === 'paragraph' || view.type === 'heading') part = inlineToPhrasing(view.content, ctx);
    else if (view.type === 'codeBlock') {
      const code = codeText(view);
      part = code === '' ? [] : [{ type: 'inlineCode', value: code.replace(/[\r\n]/g, ' ') }];
    } else {
      const lines = options.serialise(block(view, options)).split('\n').filter((l) => l !== '');
      part = lines.flatMap((line, i): PhrasingContent[] => [
        ...(i > 0 ? [{ type: 'break' } as const] : []),
        { type: 'html', value: ctx.flavour === 'markdown' ? line.replace(/\|/g, '\\|') : line },
      ]);
    }
    if (part.length > 0) parts.push(part);
  }
  return parts.flatMap((part, i) => (i > 0 ? [{ type: 'break' } as const, ...part] : part));
}

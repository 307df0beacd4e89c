// ADF → Markdown and ADF → plain text, one walk with two outputs: the blocks here, the inline
// content through inline-atoms.ts (ADF → atoms) and inline-writer.ts (atoms → text).
//
// Input comes from Jira and is read defensively: unknown nodes show their text or a readable
// placeholder, nesting is capped, and nothing here throws.
import { PANEL_LABELS } from './from-markdown';
import { cardAtoms, collectAtoms, collectText, mediaAtoms, placeholder, textAtoms, type Atom } from './inline-atoms';
import { renderAtoms } from './inline-writer';
import { MAX_DEPTH, STRONG, deeper, type Ctx, type Flavour } from './render-context';
import { INLINE_TYPES, attrString, viewNode, type NodeView } from './types';

export function adfToMarkdown(doc: unknown): string {
  return render(doc, 'markdown');
}

export function adfToPlainText(doc: unknown): string {
  return render(doc, 'plain');
}

function render(doc: unknown, flavour: Flavour): string {
  const ctx: Ctx = { flavour, depth: 0, cell: false, heading: false };
  try {
    if (typeof doc === 'string') return flavour === 'plain' ? doc : renderAtoms(textAtoms(doc), ctx);
    if (Array.isArray(doc)) return renderBlocks(doc, ctx);
    const view = viewNode(doc);
    if (!view) return '';
    return view.type === 'doc' ? renderBlocks(view.content, ctx) : renderBlocks([doc], ctx);
  } catch {
    // Defensive: the walk is written not to throw; if it ever does, the text still goes out.
    const text = collectText(doc);
    return flavour === 'plain' ? text : renderAtoms(textAtoms(text), ctx);
  }
}

// ---------------------------------------------------------------------------------------------
// Blocks

interface ListSeen {
  ordered: boolean;
  char: string;
}

interface Rendered {
  text: string;
  /** Set for lists: an adjacent list of the same kind must use another marker or they merge. */
  list?: ListSeen;
  type: string;
}

function renderBlocks(nodes: readonly unknown[], ctx: Ctx, tight = false): string {
  let out = '';
  let prev: Rendered | undefined;
  let inline: unknown[] = [];
  const add = (r: Rendered): void => {
    if (r.text === '') return;
    if (out !== '') out += tight && prev && joinsTight(prev, r, ctx.flavour) ? '\n' : '\n\n';
    out += r.text;
    prev = r;
  };
  const flushInline = (): void => {
    if (inline.length === 0) return;
    add({ text: renderInline(inline, ctx), type: 'paragraph' });
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
    add(renderBlock(view, ctx, prev?.list));
  }
  flushInline();
  return out;
}

/** In a list item, a paragraph followed by a list needs no blank line when the list can interrupt it. */
function joinsTight(prev: Rendered, next: Rendered, flavour: Flavour): boolean {
  if (prev.type !== 'paragraph' || !next.list) return false;
  return flavour === 'plain' || /^(?:[-*+]|1[.)]) \S/.test(next.text);
}

function renderBlock(view: NodeView, ctx: Ctx, prevList: ListSeen | undefined): Rendered {
  const type = view.type;
  if (ctx.depth > MAX_DEPTH) return { text: renderAtoms(textAtoms(collectText(view)), ctx), type };
  const md = ctx.flavour === 'markdown';
  switch (type) {
    case 'paragraph':
      return { text: renderInline(view.content, ctx), type };
    case 'heading': {
      const raw = view.attrs['level'];
      const level = typeof raw === 'number' && raw >= 1 && raw <= 6 ? Math.floor(raw) : 1;
      const text = renderInline(view.content, { ...ctx, heading: true });
      if (!md) return { text, type };
      return { text: text === '' ? '#'.repeat(level) : `${'#'.repeat(level)} ${text}`, type };
    }
    case 'bulletList':
    case 'orderedList':
      return renderList(view, ctx, prevList);
    case 'taskList':
    case 'decisionList':
      return renderTaskList(view, ctx, prevList);
    case 'codeBlock':
      return { text: renderCode(view, ctx), type };
    case 'blockquote':
      return { text: quoteLines(renderBlocks(view.content, deeper(ctx))), type };
    case 'panel':
      return { text: renderPanel(view, ctx), type };
    case 'rule':
      return { text: '---', type };
    case 'table':
      return { text: renderTable(view, ctx), type };
    case 'mediaSingle':
    case 'mediaGroup':
    case 'media':
      return { text: renderAtoms(mediaAtoms(view, ctx), ctx), type: 'paragraph' };
    case 'expand':
    case 'nestedExpand': {
      const title = attrString(view.attrs, 'title') ?? '';
      const body = renderBlocks(view.content, deeper(ctx));
      const head = title === '' ? '' : renderAtoms([{ t: 'text', text: title, flags: STRONG, code: false, link: undefined }], ctx);
      return { text: [head, body].filter((s) => s !== '').join('\n\n'), type };
    }
    case 'blockCard':
    case 'embedCard':
      return { text: renderAtoms(cardAtoms(view), ctx), type: 'paragraph' };
    case 'listItem':
    case 'tableRow':
    case 'tableCell':
    case 'tableHeader':
    case 'taskItem':
    case 'decisionItem':
      // Out of place; keep what they hold.
      return { text: renderBlocks(view.content, deeper(ctx)), type };
    default:
      return { text: renderUnknown(view, ctx), type: 'paragraph' };
  }
}

function renderUnknown(view: NodeView, ctx: Ctx): string {
  if (view.content.length > 0) {
    const inner = renderBlocks(view.content, deeper(ctx));
    if (inner !== '') return inner;
  }
  if (view.text !== undefined && view.text !== '') return renderAtoms(textAtoms(view.text), ctx);
  return renderAtoms([placeholder(view.type)], ctx);
}

function listStart(view: NodeView): number {
  const order = view.attrs['order'];
  return typeof order === 'number' && Number.isFinite(order) && order >= 0 && order <= 999_999_999 ? Math.floor(order) : 1;
}

function renderList(view: NodeView, ctx: Ctx, prev: ListSeen | undefined): Rendered {
  const ordered = view.type === 'orderedList';
  const char = ordered ? (prev?.ordered && prev.char === '.' ? ')' : '.') : prev && !prev.ordered && prev.char === '-' ? '*' : '-';
  const start = listStart(view);
  const inner = deeper(ctx);
  const items: string[] = [];
  view.content.forEach((node, k) => {
    const item = viewNode(node);
    if (!item) return;
    const body = item.type === 'listItem' ? renderBlocks(item.content, inner, true) : renderBlocks([node], inner);
    const marker = ordered ? `${start + k}${ctx.flavour === 'plain' ? '.' : char}` : ctx.flavour === 'plain' ? '-' : char;
    items.push(hang(marker, body));
  });
  return { text: items.join('\n'), list: { ordered, char }, type: view.type };
}

const THEMATIC_BREAK = /^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$/;

/** `marker` before the first line, the rest indented to line up under the content. */
function hang(marker: string, body: string): string {
  const pad = ' '.repeat(marker.length + 1);
  const lines = body.split('\n');
  const first = lines[0] ?? '';
  let out = first === '' ? marker : `${marker} ${first}`;
  // `- - -` (an item holding an empty item holding an empty item) would read as a rule.
  if (THEMATIC_BREAK.test(out)) out = `${marker}\n${pad}${first}`;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    out += line === '' ? '\n' : `\n${pad}${line}`;
  }
  return out;
}

function renderTaskList(view: NodeView, ctx: Ctx, prev: ListSeen | undefined): Rendered {
  const md = ctx.flavour === 'markdown';
  const char = md && prev && !prev.ordered && prev.char === '-' ? '*' : '-';
  const inner = deeper(ctx);
  const items: string[] = [];
  for (const node of view.content) {
    const child = viewNode(node);
    if (!child) continue;
    if (child.type === 'taskItem' || child.type === 'decisionItem') {
      const state = attrString(child.attrs, 'state');
      const box = state === 'DONE' || state === 'DECIDED' ? '[x]' : '[ ]';
      const text = renderInline(child.content, inner);
      items.push(hang(char, text === '' ? box : `${box} ${text}`));
      continue;
    }
    // A nested list (or anything else) belongs to the item before it.
    const nested = child.type === 'taskList' || child.type === 'decisionList' ? renderTaskList(child, inner, undefined).text : renderBlocks([node], inner);
    if (nested === '') continue;
    const last = items.pop();
    if (last === undefined) items.push(nested);
    else items.push(`${last}\n${nested.split('\n').map((l) => (l === '' ? '' : `  ${l}`)).join('\n')}`);
  }
  return { text: items.join('\n'), list: { ordered: false, char }, type: view.type };
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

function renderCode(view: NodeView, ctx: Ctx): string {
  const text = codeText(view);
  if (ctx.flavour === 'plain') return text;
  const language = (attrString(view.attrs, 'language') ?? '').split(/\s/)[0] ?? '';
  // A backtick fence's info string may not hold a backtick; a tilde fence's may.
  const char = language.includes('`') ? '~' : '`';
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    run = text.charAt(i) === char ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  const fence = char.repeat(Math.max(3, longest + 1));
  return text === '' ? `${fence}${language}\n${fence}` : `${fence}${language}\n${text}\n${fence}`;
}

function quoteLines(body: string): string {
  if (body === '') return '>';
  return body
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');
}

function renderPanel(view: NodeView, ctx: Ctx): string {
  const label = PANEL_LABELS[attrString(view.attrs, 'panelType') ?? ''] ?? 'Note';
  const inner = deeper(ctx);
  const head = ctx.flavour === 'markdown' ? `**${label}:**` : `${label}:`;
  const [first, ...rest] = view.content;
  const firstView = viewNode(first);
  let body: string;
  if (firstView?.type === 'paragraph' && renderInline(firstView.content, inner) !== '') {
    const tail = renderBlocks(rest, inner);
    body = `${head} ${renderInline(firstView.content, inner)}${tail === '' ? '' : `\n\n${tail}`}`;
  } else {
    const all = renderBlocks(view.content, inner);
    body = all === '' ? head : `${head}\n\n${all}`;
  }
  return quoteLines(body);
}

function renderTable(view: NodeView, ctx: Ctx): string {
  const cellCtx: Ctx = { ...deeper(ctx), cell: true };
  const rows: string[][] = [];
  for (const rowNode of view.content) {
    const row = viewNode(rowNode);
    if (!row) continue;
    const cells: string[] = [];
    for (const cellNode of row.type === 'tableRow' ? row.content : [rowNode]) {
      const cell = viewNode(cellNode);
      if (cell) cells.push(renderCell(cell, cellCtx));
    }
    rows.push(cells);
  }
  const width = Math.max(0, ...rows.map((r) => r.length));
  if (width === 0) return '';
  const line = (cells: readonly string[]): string => {
    const padded = Array.from({ length: width }, (_, i) => cells[i] ?? '');
    return ctx.flavour === 'plain' ? padded.join(' | ') : `| ${padded.join(' | ')} |`;
  };
  const out = rows.map(line);
  // GFM needs a header row: the first row is it, header cells or not.
  if (ctx.flavour === 'markdown') out.splice(1, 0, `| ${Array.from({ length: width }, () => '---').join(' | ')} |`);
  return out.join('\n');
}

function renderCell(cell: NodeView, ctx: Ctx): string {
  const md = ctx.flavour === 'markdown';
  const nodes = cell.type === 'tableCell' || cell.type === 'tableHeader' ? cell.content : [cell];
  const parts: string[] = [];
  for (const node of nodes) {
    const block = viewNode(node);
    if (!block) continue;
    let text: string;
    if (block.type === 'paragraph' || block.type === 'heading') text = renderInline(block.content, ctx);
    else if (block.type === 'codeBlock') {
      const code = codeText(block);
      text = code === '' ? '' : renderAtoms([{ t: 'text', text: code, flags: 0, code: true, link: undefined }], ctx);
    } else {
      text = renderBlocks([node], { ...ctx, cell: false })
        .split('\n')
        .filter((l) => l !== '')
        .join(md ? '<br>' : ' ');
    }
    if (text !== '') parts.push(text);
  }
  const joined = parts.join(md ? '<br>' : ' ');
  return md ? joined.replace(/\|/g, '\\|') : joined;
}

function renderInline(nodes: readonly unknown[], ctx: Ctx): string {
  const atoms: Atom[] = [];
  collectAtoms(nodes, ctx, atoms);
  return renderAtoms(atoms, ctx);
}

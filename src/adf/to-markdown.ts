// ADF → Markdown and ADF → plain text, one walk with two outputs.
//
// Input comes from Jira and is read defensively: unknown nodes show their text or a readable
// placeholder, nesting is capped, and nothing here throws. Markdown output is escaped so a
// CommonMark renderer (and markdown-inline.ts) reads back exactly the text that was written.
import { PANEL_LABELS } from './from-markdown';
import { charAt, charBefore, isAsciiPunctuation, isWhitespaceChar, isWordChar } from './chars';
import { INLINE_TYPES, attrString, viewNode, type NodeView } from './types';

type Flavour = 'markdown' | 'plain';

interface Ctx {
  flavour: Flavour;
  depth: number;
  /** Inside a GFM table cell: one line, `|` escaped, breaks as `<br>`. */
  cell: boolean;
  /** A heading line: breaks become spaces, a trailing `#` is escaped. */
  heading: boolean;
}

const MAX_DEPTH = 40;
const EM = 1;
const STRONG = 2;
const STRIKE = 4;
const FLAG_BITS = [STRONG, EM, STRIKE] as const;
const DELIMS: Record<number, string> = { [EM]: '*', [STRONG]: '**', [STRIKE]: '~~' };

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

function deeper(ctx: Ctx): Ctx {
  return { ...ctx, depth: ctx.depth + 1 };
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

// ---------------------------------------------------------------------------------------------
// Inline

interface Link {
  href: string;
  title: string | undefined;
}

type Atom =
  | { t: 'text'; text: string; flags: number; code: boolean; link: Link | undefined }
  | { t: 'br' }
  /** Tandem's own bracketed notation (status, attachments, placeholders): brackets written as they are. */
  | { t: 'lit'; open: string; text: string; close: string };

function textAtoms(text: string): Atom[] {
  const atoms: Atom[] = [];
  text.split('\n').forEach((part, i) => {
    if (i > 0) atoms.push({ t: 'br' });
    if (part !== '') atoms.push({ t: 'text', text: part, flags: 0, code: false, link: undefined });
  });
  return atoms;
}

function placeholder(type: string): Atom {
  return { t: 'lit', open: '[', text: `unsupported content: ${type}`, close: ']' };
}

function mediaName(view: NodeView): string {
  const alt = attrString(view.attrs, 'alt');
  if (alt) return alt;
  const url = attrString(view.attrs, 'url');
  if (url) return url;
  return attrString(view.attrs, 'id') ?? 'file';
}

function mediaAtoms(view: NodeView, ctx: Ctx): Atom[] {
  if (view.type === 'media') return [{ t: 'lit', open: '[', text: `attachment: ${mediaName(view)}`, close: ']' }];
  const atoms: Atom[] = [];
  for (const node of view.content) {
    const child = viewNode(node);
    if (!child) continue;
    if (atoms.length > 0) atoms.push({ t: 'text', text: ' ', flags: 0, code: false, link: undefined });
    if (child.type === 'media') atoms.push(...mediaAtoms(child, ctx));
    else collectAtoms(child.content, deeper(ctx), atoms);
  }
  if (atoms.length === 0) atoms.push({ t: 'lit', open: '[', text: 'attachment', close: ']' });
  return atoms;
}

function cardAtoms(view: NodeView): Atom[] {
  let url = attrString(view.attrs, 'url');
  const data = view.attrs['data'];
  if (url === undefined && typeof data === 'object' && data !== null && 'url' in data && typeof data.url === 'string') url = data.url;
  if (url === undefined || url === '') return [placeholder(view.type)];
  return [{ t: 'text', text: url, flags: 0, code: false, link: { href: url, title: undefined } }];
}

function markInfo(marks: readonly unknown[]): { flags: number; code: boolean; link: Link | undefined } {
  let flags = 0;
  let code = false;
  let link: Link | undefined;
  for (const mark of marks) {
    const m = viewNode(mark);
    if (!m) continue;
    switch (m.type) {
      case 'em':
        flags |= EM;
        break;
      case 'strong':
        flags |= STRONG;
        break;
      case 'strike':
        flags |= STRIKE;
        break;
      case 'code':
        code = true;
        break;
      case 'link': {
        const href = attrString(m.attrs, 'href');
        if (href !== undefined && !link) link = { href, title: attrString(m.attrs, 'title') || undefined };
        break;
      }
      default:
      // underline, textColor, subsup, backgroundColor, annotation…: the text stays, the styling goes.
    }
  }
  // ADF allows code with link only; code wins over the rest.
  return { flags: code ? 0 : flags, code, link };
}

function isoDate(timestamp: unknown): string | undefined {
  const ms = typeof timestamp === 'number' ? timestamp : typeof timestamp === 'string' && /^-?\d+$/.test(timestamp) ? Number(timestamp) : NaN;
  if (!Number.isFinite(ms)) return typeof timestamp === 'string' && timestamp !== '' ? timestamp : undefined;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(timestamp) : date.toISOString().slice(0, 10);
}

function collectAtoms(nodes: readonly unknown[], ctx: Ctx, out: Atom[]): void {
  const plain = ctx.flavour === 'plain';
  for (const node of nodes) {
    const v = viewNode(node);
    if (!v) continue;
    const text = (s: string): void => {
      out.push(...textAtoms(s));
    };
    switch (v.type) {
      case 'text': {
        if (v.text === undefined || v.text === '') break;
        const info = markInfo(v.marks);
        v.text.split('\n').forEach((part, i) => {
          if (i > 0) out.push({ t: 'br' });
          if (part !== '') out.push({ t: 'text', text: part, ...info });
        });
        break;
      }
      case 'hardBreak':
        out.push({ t: 'br' });
        break;
      case 'mention': {
        const name = attrString(v.attrs, 'text') || attrString(v.attrs, 'id') || 'someone';
        text(name.startsWith('@') ? name : `@${name}`);
        break;
      }
      case 'emoji': {
        const short = attrString(v.attrs, 'shortName');
        const glyph = attrString(v.attrs, 'text');
        const shown = plain ? glyph || short : short || glyph;
        if (shown) text(shown);
        else out.push(placeholder('emoji'));
        break;
      }
      case 'status': {
        const label = attrString(v.attrs, 'text');
        out.push(label ? { t: 'lit', open: '[', text: label.toUpperCase(), close: ']' } : placeholder('status'));
        break;
      }
      case 'date': {
        const iso = isoDate(v.attrs['timestamp']);
        if (iso) text(iso);
        else out.push(placeholder('date'));
        break;
      }
      case 'inlineCard':
        out.push(...cardAtoms(v));
        break;
      case 'mediaInline':
        out.push({ t: 'lit', open: '[', text: `attachment: ${mediaName(v)}`, close: ']' });
        break;
      case 'placeholder': {
        const hint = attrString(v.attrs, 'text');
        if (hint) text(hint);
        break;
      }
      default:
        if (v.content.length > 0 && ctx.depth <= MAX_DEPTH) collectAtoms(v.content, deeper(ctx), out);
        else if (v.text !== undefined && v.text !== '') text(v.text);
        else out.push(placeholder(v.type));
    }
  }
}

function renderInline(nodes: readonly unknown[], ctx: Ctx): string {
  const atoms: Atom[] = [];
  collectAtoms(nodes, ctx, atoms);
  return renderAtoms(atoms, ctx);
}

function sameLink(a: Link | undefined, b: Link | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.href === b.href && a.title === b.title);
}

function sameStyle(a: Atom, b: Atom): boolean {
  return a.t === 'text' && b.t === 'text' && a.flags === b.flags && a.code === b.code && sameLink(a.link, b.link);
}

function mergeAtoms(atoms: readonly Atom[]): Atom[] {
  const out: Atom[] = [];
  for (const atom of atoms) {
    const last = out[out.length - 1];
    if (last && last.t === 'text' && atom.t === 'text' && sameStyle(last, atom)) out[out.length - 1] = { ...last, text: last.text + atom.text };
    else out.push(atom);
  }
  return out;
}

function leadingSpace(s: string): number {
  let i = 0;
  while (i < s.length && isWhitespaceChar(s.charAt(i))) i++;
  return i;
}

function trailingSpace(s: string): number {
  let i = s.length;
  while (i > 0 && isWhitespaceChar(s.charAt(i - 1))) i--;
  return i;
}

/** Styles `atom` shares with a neighbour, as far as one delimiter pair can span both (same link). */
function emphasisOf(atom: Atom | undefined, link: Link | undefined): number {
  return atom && atom.t === 'text' && !atom.code && sameLink(atom.link, link) ? atom.flags : 0;
}

/**
 * Emphasis may not open before or close after whitespace in Markdown, so whitespace at the
 * edge of a styled run keeps only the styles that continue on its other side.
 */
function moveWhitespaceOut(atoms: readonly Atom[]): Atom[] {
  const out: Atom[] = [];
  atoms.forEach((atom, i) => {
    if (atom.t !== 'text' || atom.code || atom.flags === 0) {
      out.push(atom);
      return;
    }
    const before = emphasisOf(atoms[i - 1], atom.link);
    const after = emphasisOf(atoms[i + 1], atom.link);
    const lead = leadingSpace(atom.text);
    if (lead === atom.text.length) {
      out.push({ ...atom, flags: atom.flags & before & after });
      return;
    }
    const trail = trailingSpace(atom.text);
    if (lead > 0) out.push({ ...atom, text: atom.text.slice(0, lead), flags: atom.flags & before });
    out.push({ ...atom, text: atom.text.slice(lead, trail) });
    if (trail < atom.text.length) out.push({ ...atom, text: atom.text.slice(trail), flags: atom.flags & after });
  });
  return mergeAtoms(out);
}

function renderAtoms(input: readonly Atom[], ctx: Ctx): string {
  const atoms = [...input];
  // A break at the end of a paragraph shows nothing, and in Markdown would leave a stray backslash.
  while (atoms.length > 0 && atoms[atoms.length - 1]?.t === 'br') atoms.pop();
  if (ctx.flavour === 'plain') return renderPlain(atoms, ctx);
  const w = new Writer(!ctx.cell);
  const list = moveWhitespaceOut(mergeAtoms(atoms));
  let i = 0;
  while (i < list.length) {
    const atom = list[i];
    if (!atom) break;
    if (atom.t === 'text' && atom.link) {
      let j = i + 1;
      while (j < list.length) {
        const next = list[j];
        if (!next || next.t !== 'text' || !sameLink(next.link, atom.link)) break;
        j++;
      }
      writeLink(list.slice(i, j), atom.link, w, ctx);
      i = j;
      continue;
    }
    let j = i + 1;
    while (j < list.length) {
      const next = list[j];
      if (!next || (next.t === 'text' && next.link)) break;
      j++;
    }
    writeRun(list.slice(i, j), w, ctx, j < list.length);
    i = j;
  }
  let out = w.out;
  if (ctx.heading && out.endsWith('#')) {
    // A closing `#` would be read as the heading's closing sequence, unless already escaped.
    let slashes = 0;
    while (out.charAt(out.length - 2 - slashes) === '\\') slashes++;
    if (slashes % 2 === 0) out = `${out.slice(0, -1)}\\#`;
  }
  return out;
}

function renderPlain(atoms: readonly Atom[], ctx: Ctx): string {
  let out = '';
  const lineBreak = ctx.cell || ctx.heading ? ' ' : '\n';
  let i = 0;
  while (i < atoms.length) {
    const atom = atoms[i];
    if (!atom) break;
    if (atom.t === 'br') out += lineBreak;
    else if (atom.t === 'lit') out += atom.open + atom.text + atom.close;
    else if (atom.link) {
      let text = '';
      let j = i;
      for (; j < atoms.length; j++) {
        const next = atoms[j];
        if (!next || next.t !== 'text' || !sameLink(next.link, atom.link)) break;
        text += next.text;
      }
      out += text === atom.link.href || atom.link.href === '' ? text : `${text} (${atom.link.href})`;
      i = j;
      continue;
    } else out += atom.text;
    i++;
  }
  return out;
}

class Writer {
  out = '';
  /** Nothing but spaces on the current line so far: block syntax would be recognised here. */
  lineStart: boolean;

  constructor(lineStart: boolean) {
    this.lineStart = lineStart;
  }

  write(s: string): void {
    if (s === '') return;
    this.out += s;
    const nl = s.lastIndexOf('\n');
    const tail = nl >= 0 ? s.slice(nl + 1) : s;
    if (nl >= 0) this.lineStart = true;
    if (this.lineStart && !/^[ \t]*$/.test(tail)) this.lineStart = false;
  }

  last(): string {
    return this.out.charAt(this.out.length - 1);
  }
}

function writeLink(atoms: readonly Atom[], link: Link, w: Writer, ctx: Ctx): void {
  const only = atoms.length === 1 ? atoms[0] : undefined;
  if (only && only.t === 'text' && !only.code && only.flags === 0 && only.text === link.href && link.title === undefined && AUTOLINK_SAFE.test(link.href)) {
    w.write(`<${link.href}>`);
    return;
  }
  w.write('[');
  writeRun(atoms, w, ctx, false);
  const title = link.title === undefined ? '' : ` "${escapeEntities(link.title.replace(/[\\"]/g, '\\$&').replace(/[\r\n]+/g, ' '))}"`;
  w.write(`](${linkDestination(link.href)}${title})`);
}

const AUTOLINK_SAFE = /^[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>\p{Cc}]*$/u;

function linkDestination(href: string): string {
  const oneLine = href.replace(/[\r\n]/g, (c) => (c === '\n' ? '%0A' : '%0D'));
  if (oneLine === '' || /[\s<>\p{Cc}]/u.test(oneLine)) return `<${escapeEntities(oneLine.replace(/[\\<>]/g, '\\$&'))}>`;
  return escapeEntities(oneLine.replace(/[\\()]/g, '\\$&'));
}

/** `&amp;` would be read as `&` by a CommonMark renderer. */
function escapeEntities(s: string): string {
  return s.indexOf('&') < 0 ? s : s.replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&');
}

function writeRun(atoms: readonly Atom[], w: Writer, ctx: Ctx, beforeLink: boolean): void {
  const stack: number[] = [];
  const close = (keep: number): void => {
    const cut = stack.findIndex((bit) => (bit & keep) === 0);
    if (cut < 0) return;
    for (let k = stack.length - 1; k >= cut; k--) w.write(DELIMS[stack[k] ?? 0] ?? '');
    stack.length = cut;
  };
  // How far each style runs from each position, so the longest-running one opens outermost.
  const reach = (from: number, bit: number): number => {
    let n = 0;
    for (let k = from; k < atoms.length; k++) {
      const a = atoms[k];
      if (!a || a.t !== 'text' || a.code || (a.flags & bit) === 0) break;
      n++;
    }
    return n;
  };
  atoms.forEach((atom, i) => {
    const last = i === atoms.length - 1;
    if (atom.t === 'text' && !atom.code) {
      const blank = leadingSpace(atom.text) === atom.text.length;
      close(atom.flags);
      if (!blank) {
        const open = FLAG_BITS.filter((bit) => (atom.flags & bit) !== 0 && !stack.includes(bit));
        open.sort((a, b) => reach(i, b) - reach(i, a));
        for (const bit of open) {
          w.write(DELIMS[bit] ?? '');
          stack.push(bit);
        }
      }
      w.write(escapeText(atom.text, w, last && beforeLink));
      return;
    }
    close(0);
    if (atom.t === 'br') w.write(ctx.cell ? '<br>' : ctx.heading ? ' ' : '\\\n');
    else if (atom.t === 'lit') {
      w.write(atom.open);
      w.write(escapeText(atom.text, w, false));
      w.write(atom.close);
    } else w.write(codeSpan(atom.text));
  });
  close(0);
}

function codeSpan(text: string): string {
  const body = text.replace(/[\r\n]/g, ' ');
  let longest = 0;
  let run = 0;
  for (let i = 0; i < body.length; i++) {
    run = body.charCodeAt(i) === 96 ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

const NEEDS_ESCAPE = /[\\*_`[\]~<&!(]/;
const ENTITY = /&#?[A-Za-z0-9]+;/y;
const LINE_START_CHARS = new Set(['#', '>', '-', '+', '=', '|']);

/** Text escaped so Markdown shows exactly it (see markdown-inline.ts for the rules it undoes). */
function escapeText(s: string, w: Writer, beforeLink: boolean): string {
  let atLineStart = w.lineStart;
  const prevOut = w.last();
  if (!atLineStart && !NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (atLineStart && c !== ' ' && c !== '\t') {
      atLineStart = false;
      if (LINE_START_CHARS.has(c) || (c === ':' && s.charAt(i + 1) === '-')) {
        out += `\\${c}`;
        continue;
      }
      const code = s.charCodeAt(i);
      if (code >= 48 && code <= 57) {
        let j = i;
        while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
        const after = s.charAt(j);
        if (after === '.' || after === ')') {
          out += `${s.slice(i, j)}\\${after}`;
          i = j;
          continue;
        }
      }
    }
    switch (c) {
      case '\\':
        out += i === s.length - 1 || isAsciiPunctuation(s.charCodeAt(i + 1)) ? '\\\\' : '\\';
        break;
      case '*':
      case '`':
      case '[':
      case ']':
      case '~':
        out += `\\${c}`;
        break;
      case '_':
        out += isWordChar(charBefore(s, i)) && isWordChar(charAt(s, i + 1)) ? '_' : '\\_';
        break;
      case '<':
        out += /[A-Za-z/!?]/.test(s.charAt(i + 1)) ? '\\<' : '<';
        break;
      case '&':
        ENTITY.lastIndex = i;
        out += ENTITY.test(s) ? '\\&' : '&';
        break;
      case '!':
        out += beforeLink && i === s.length - 1 ? '\\!' : '!';
        break;
      case '(':
        out += i === 0 && prevOut === ']' ? '\\(' : '(';
        break;
      default:
        out += c;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Every text in the tree, without recursion: the last resort for input nested beyond reason. */
function collectText(root: unknown): string {
  const parts: string[] = [];
  const stack: unknown[] = [root];
  let budget = 1_000_000;
  while (stack.length > 0 && budget-- > 0) {
    const node = stack.pop();
    const v = viewNode(node);
    if (!v) continue;
    if (v.text) parts.push(v.text);
    for (let i = v.content.length - 1; i >= 0; i--) stack.push(v.content[i]);
  }
  return parts.join(' ');
}

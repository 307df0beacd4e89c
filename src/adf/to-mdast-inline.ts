// ADF inline nodes → mdast phrasing content. First atoms (runs of text with their styles, line
// breaks, Tandem's bracketed notation for what Markdown cannot carry), then the atoms nested into
// emphasis, strong, delete and link nodes the way Markdown can write them.
import type { Html, Link as MdLink, PhrasingContent } from 'mdast';
import { EM, MAX_DEPTH, STRIKE, STRONG, deeper, type Ctx } from './render-context';
import { attrString, viewNode, type NodeView } from './types';

export interface Link {
  href: string;
  title: string | undefined;
}

export type Atom =
  | { t: 'text'; text: string; flags: number; code: boolean; link: Link | undefined }
  | { t: 'br' }
  /** Tandem's own bracketed notation (status, attachments, placeholders): brackets written as they are. */
  | { t: 'lit'; open: string; text: string; close: string };

export function textAtoms(text: string): Atom[] {
  const atoms: Atom[] = [];
  text.split('\n').forEach((part, i) => {
    if (i > 0) atoms.push({ t: 'br' });
    if (part !== '') atoms.push({ t: 'text', text: part, flags: 0, code: false, link: undefined });
  });
  return atoms;
}

export function placeholder(type: string): Atom {
  return { t: 'lit', open: '[', text: `unsupported content: ${type}`, close: ']' };
}

function mediaName(view: NodeView): string {
  const alt = attrString(view.attrs, 'alt');
  if (alt) return alt;
  const url = attrString(view.attrs, 'url');
  if (url) return url;
  return attrString(view.attrs, 'id') ?? 'file';
}

export function mediaAtoms(view: NodeView, ctx: Ctx): Atom[] {
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

export function cardAtoms(view: NodeView): Atom[] {
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

export function collectAtoms(nodes: readonly unknown[], ctx: Ctx, out: Atom[]): void {
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

/** Every text in the tree, without recursion: the last resort for input nested beyond reason. */
export function collectText(root: unknown): string {
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

// ---------------------------------------------------------------------------------------------
// Atoms → mdast phrasing

const FLAG_BITS = [STRONG, EM, STRIKE] as const;
const WHITESPACE = /[\t\n\f\r\p{Zs}]/u;

function sameLink(a: Link | undefined, b: Link | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.href === b.href && a.title === b.title);
}

function mergeAtoms(atoms: readonly Atom[]): Atom[] {
  const out: Atom[] = [];
  for (const atom of atoms) {
    const last = out[out.length - 1];
    if (last?.t === 'text' && atom.t === 'text' && last.flags === atom.flags && last.code === atom.code && sameLink(last.link, atom.link)) {
      out[out.length - 1] = { ...last, text: last.text + atom.text };
    } else out.push(atom);
  }
  return out;
}

function leadingSpace(s: string): number {
  let i = 0;
  while (i < s.length && WHITESPACE.test(s.charAt(i))) i++;
  return i;
}

function trailingSpace(s: string): number {
  let i = s.length;
  while (i > 0 && WHITESPACE.test(s.charAt(i - 1))) i--;
  return i;
}

/** Styles `atom` shares with a neighbour, as far as one delimiter pair can span both (same link). */
function emphasisOf(atom: Atom | undefined, link: Link | undefined): number {
  return atom?.t === 'text' && !atom.code && sameLink(atom.link, link) ? atom.flags : 0;
}

/**
 * Emphasis may not open before or close after whitespace in Markdown, so whitespace at the edge
 * of a styled run keeps only the styles that continue on its other side (rather than being
 * written as a character reference).
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

type Container = { children: PhrasingContent[] };

function styleNode(bit: number): PhrasingContent & Container {
  if (bit === STRONG) return { type: 'strong', children: [] };
  if (bit === EM) return { type: 'emphasis', children: [] };
  return { type: 'delete', children: [] };
}

function html(value: string): Html {
  return { type: 'html', value };
}

/** A run of atoms (one link or none) as nested styles; the longest-running style opens outermost. */
function styled(atoms: readonly Atom[], ctx: Ctx, into: PhrasingContent[]): void {
  const stack: { bit: number; node: Container }[] = [];
  const top = (): PhrasingContent[] => stack[stack.length - 1]?.node.children ?? into;
  const close = (keep: number): void => {
    const cut = stack.findIndex((open) => (open.bit & keep) === 0);
    if (cut >= 0) stack.length = cut;
  };
  const reach = (from: number, bit: number): number => {
    let n = 0;
    for (let k = from; k < atoms.length; k++) {
      const a = atoms[k];
      if (a?.t !== 'text' || a.code || (a.flags & bit) === 0) break;
      n++;
    }
    return n;
  };
  atoms.forEach((atom, i) => {
    if (atom.t === 'text' && !atom.code) {
      close(atom.flags);
      if (leadingSpace(atom.text) !== atom.text.length) {
        const open = FLAG_BITS.filter((bit) => (atom.flags & bit) !== 0 && !stack.some((s) => s.bit === bit));
        open.sort((a, b) => reach(i, b) - reach(i, a));
        for (const bit of open) {
          const node = styleNode(bit);
          top().push(node);
          stack.push({ bit, node });
        }
      }
      top().push({ type: 'text', value: atom.text });
      return;
    }
    close(0);
    if (atom.t === 'br') into.push(ctx.heading ? { type: 'text', value: ' ' } : { type: 'break' });
    else if (atom.t === 'lit') {
      // `[DONE]: shipped` would be read as a link definition, and vanish: then the bracket is escaped.
      const next = atoms[i + 1];
      const open: PhrasingContent = next?.t === 'text' && next.text.startsWith(':') ? { type: 'text', value: atom.open } : html(atom.open);
      into.push(open, { type: 'text', value: atom.text }, html(atom.close));
    }
    else into.push({ type: 'inlineCode', value: atom.text.replace(/[\r\n]/g, ' ') });
  });
}

export function atomsToPhrasing(input: readonly Atom[], ctx: Ctx): PhrasingContent[] {
  const atoms = [...input];
  // A break at the end of a paragraph shows nothing.
  while (atoms.length > 0 && atoms[atoms.length - 1]?.t === 'br') atoms.pop();
  const list = moveWhitespaceOut(mergeAtoms(atoms));
  const out: PhrasingContent[] = [];
  let i = 0;
  while (i < list.length) {
    const atom = list[i];
    if (!atom) break;
    const link = atom.t === 'text' ? atom.link : undefined;
    let j = i + 1;
    while (j < list.length) {
      const next = list[j];
      const nextLink = next?.t === 'text' ? next.link : undefined;
      if (link ? !sameLink(nextLink, link) : nextLink !== undefined) break;
      j++;
    }
    if (link) {
      const node: MdLink = { type: 'link', url: link.href, title: link.title ?? null, children: [] };
      styled(list.slice(i, j), ctx, node.children);
      out.push(node);
    } else styled(list.slice(i, j), ctx, out);
    i = j;
  }
  return out;
}

export function inlineToPhrasing(nodes: readonly unknown[], ctx: Ctx): PhrasingContent[] {
  const atoms: Atom[] = [];
  collectAtoms(nodes, ctx, atoms);
  return atomsToPhrasing(atoms, ctx);
}

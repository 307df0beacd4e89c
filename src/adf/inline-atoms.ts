// ADF inline nodes → atoms: runs of text with their styles, line breaks and Tandem's bracketed
// notation for what Markdown cannot carry. One list serves both outputs (see inline-writer.ts).
import { attrString, viewNode, type NodeView } from './types';
import { EM, MAX_DEPTH, STRIKE, STRONG, deeper, type Ctx } from './render-context';

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

// mdast phrasing content → ADF inline nodes (text with marks, hard breaks).
//
// Walked with an explicit stack: emphasis in hostile input may nest thousands deep.
import type { Definition, PhrasingContent } from 'mdast';
import type { AdfMark, AdfNode } from './types';

export interface InlineOptions {
  /** Table cells: `<br>` is a line break (a GFM cell is one line, so breaks are written so). */
  cell?: boolean;
  /** Headings: a soft line break (setext headings span lines) is a space; ADF headings show no breaks. */
  heading?: boolean;
  /** Link reference definitions of the document, by identifier. */
  definitions: ReadonlyMap<string, Definition>;
}

const MARK_RANK: Record<string, number> = { link: 0, em: 1, strong: 2, strike: 3, code: 4 };
const BR_TAG = /^<br\s{0,8}\/?>$/i;

function withMark(marks: readonly AdfMark[], mark: AdfMark): AdfMark[] {
  if (marks.some((m) => m.type === mark.type)) return [...marks];
  const rank = MARK_RANK[mark.type] ?? 99;
  const out = [...marks];
  let at = out.length;
  while (at > 0 && (MARK_RANK[out[at - 1]?.type ?? ''] ?? 99) > rank) at--;
  out.splice(at, 0, mark);
  return out;
}

function sameMarks(a: readonly AdfMark[] | undefined, b: readonly AdfMark[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const m = x[i];
    const n = y[i];
    if (!m || !n || m.type !== n.type) return false;
    if (m.attrs?.['href'] !== n.attrs?.['href'] || m.attrs?.['title'] !== n.attrs?.['title']) return false;
  }
  return true;
}

function linkMark(url: string, title: string | null | undefined): AdfMark {
  return { type: 'link', attrs: title ? { href: url, title } : { href: url } };
}

export function inlineToAdf(nodes: readonly PhrasingContent[], options: InlineOptions): AdfNode[] {
  const out: AdfNode[] = [];
  const emit = (node: AdfNode): void => {
    const last = out[out.length - 1];
    if (node.type === 'text' && last && last.type === 'text' && sameMarks(last.marks, node.marks)) {
      last.text = `${last.text ?? ''}${node.text ?? ''}`;
      return;
    }
    out.push(node);
  };
  const text = (s: string, marks: readonly AdfMark[]): void => {
    // A soft line break: tools sending Markdown mostly mean their newlines.
    if (options.heading === true) s = s.replace(/[ \t]*\n[ \t]*/g, ' ');
    s.split('\n').forEach((part, i) => {
      if (i > 0) out.push({ type: 'hardBreak' });
      if (part !== '') emit(marks.length > 0 ? { type: 'text', text: part, marks: [...marks] } : { type: 'text', text: part });
    });
  };
  const stack: { nodes: readonly PhrasingContent[]; i: number; marks: readonly AdfMark[] }[] = [{ nodes, i: 0, marks: [] }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (!frame) break;
    const node = frame.nodes[frame.i++];
    if (!node) {
      stack.pop();
      continue;
    }
    const linked = frame.marks.some((m) => m.type === 'link');
    const inLink = (mark: AdfMark): readonly AdfMark[] => (linked ? frame.marks : withMark(frame.marks, mark));
    switch (node.type) {
      case 'text':
        text(node.value, frame.marks);
        break;
      case 'inlineCode':
        // ADF allows code only with link: other styling is dropped.
        text(node.value, withMark(frame.marks.filter((m) => m.type === 'link'), { type: 'code' }));
        break;
      case 'break':
        out.push({ type: 'hardBreak' });
        break;
      case 'html':
        if (options.cell === true && BR_TAG.test(node.value)) out.push({ type: 'hardBreak' });
        else text(node.value, frame.marks);
        break;
      case 'emphasis':
        stack.push({ nodes: node.children, i: 0, marks: withMark(frame.marks, { type: 'em' }) });
        break;
      case 'strong':
        stack.push({ nodes: node.children, i: 0, marks: withMark(frame.marks, { type: 'strong' }) });
        break;
      case 'delete':
        stack.push({ nodes: node.children, i: 0, marks: withMark(frame.marks, { type: 'strike' }) });
        break;
      case 'link':
        stack.push({ nodes: node.children, i: 0, marks: inLink(linkMark(node.url, node.title)) });
        break;
      case 'linkReference': {
        const def = options.definitions.get(node.identifier);
        stack.push({ nodes: node.children, i: 0, marks: def ? inLink(linkMark(def.url, def.title)) : frame.marks });
        break;
      }
      case 'image':
        // An image becomes a link to it: ADF media needs an uploaded attachment.
        text(node.alt || node.url, inLink(linkMark(node.url, node.title)));
        break;
      case 'imageReference': {
        const def = options.definitions.get(node.identifier);
        text(node.alt || (def?.url ?? ''), def ? inLink(linkMark(def.url, def.title)) : frame.marks);
        break;
      }
      case 'footnoteReference':
        text(`[^${node.label ?? node.identifier}]`, frame.marks);
        break;
      default:
        break;
    }
  }
  return out;
}

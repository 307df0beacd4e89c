// The inline parser's tree (text, code, breaks, emphasis, links) → ADF text nodes with marks.
import type { AdfMark, AdfNode } from './types';

export type Tree =
  | { k: 'text'; s: string }
  | { k: 'code'; s: string }
  | { k: 'br' }
  | { k: 'em' | 'strong' | 'strike'; c: Tree[] }
  | { k: 'link'; href: string; title: string | undefined; c: Tree[] };

const MARK_RANK: Record<string, number> = { link: 0, em: 1, strong: 2, strike: 3, code: 4 };

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

/** The tree as ADF text nodes with marks; iterative, since emphasis may nest deeply. */
export function flatten(tree: Tree[]): AdfNode[] {
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
    if (s === '') return;
    emit(marks.length > 0 ? { type: 'text', text: s, marks: [...marks] } : { type: 'text', text: s });
  };
  const stack: { nodes: Tree[]; i: number; marks: readonly AdfMark[] }[] = [{ nodes: tree, i: 0, marks: [] }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (!frame) break;
    const node = frame.nodes[frame.i++];
    if (!node) {
      stack.pop();
      continue;
    }
    switch (node.k) {
      case 'text':
        text(node.s, frame.marks);
        break;
      case 'code': {
        // ADF allows code only with link: other styling is dropped.
        const link = frame.marks.filter((m) => m.type === 'link');
        text(node.s, withMark(link, { type: 'code' }));
        break;
      }
      case 'br':
        out.push({ type: 'hardBreak' });
        break;
      case 'link': {
        const hasLink = frame.marks.some((m) => m.type === 'link');
        const attrs: Record<string, unknown> = { href: node.href };
        if (node.title !== undefined && node.title !== '') attrs['title'] = node.title;
        stack.push({ nodes: node.c, i: 0, marks: hasLink ? frame.marks : withMark(frame.marks, { type: 'link', attrs }) });
        break;
      }
      default:
        stack.push({ nodes: node.c, i: 0, marks: withMark(frame.marks, { type: node.k }) });
    }
  }
  return out;
}

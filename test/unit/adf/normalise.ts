// The normal form two ADF documents are compared in after a trip through Markdown.
//
// It erases only what carries no content:
//   - task and decision `localId`s (Markdown has none; Tandem numbers them afresh),
//   - mark order (sorted link, em, strong, strike, code, then by name) and empty `marks` lists,
//   - adjacent text nodes with the same marks (merged),
//   - `orderedList` `order: 1` and an empty `codeBlock` language (the defaults),
//   - a missing `content` on a paragraph (the same as an empty one).
import type { AdfDoc, AdfMark, AdfNode } from '../../../src/adf';

const RANK: Record<string, number> = { link: 0, em: 1, strong: 2, strike: 3, code: 4 };

function markKey(mark: AdfMark): string {
  return JSON.stringify([mark.type, mark.attrs ?? {}]);
}

function normaliseMarks(marks: readonly AdfMark[] | undefined): AdfMark[] | undefined {
  if (!marks || marks.length === 0) return undefined;
  return [...marks].sort((a, b) => (RANK[a.type] ?? 9) - (RANK[b.type] ?? 9) || a.type.localeCompare(b.type));
}

export function normalise(node: AdfDoc | AdfNode): AdfNode {
  return normaliseNode(node);
}

function normaliseNode(node: AdfNode): AdfNode {
  const out: AdfNode = { type: node.type };
  if (node.attrs !== undefined) {
    const attrs: Record<string, unknown> = { ...node.attrs };
    if ('localId' in attrs) attrs['localId'] = 'x';
    if (node.type === 'orderedList' && attrs['order'] === 1) delete attrs['order'];
    if (node.type === 'codeBlock' && attrs['language'] === '') delete attrs['language'];
    if (Object.keys(attrs).length > 0) out.attrs = attrs;
  }
  if (node.text !== undefined) out.text = node.text;
  const marks = normaliseMarks(node.marks);
  if (marks) out.marks = marks;
  if (node.content !== undefined || node.type === 'paragraph') {
    const merged: AdfNode[] = [];
    for (const child of (node.content ?? []).map(normaliseNode)) {
      const last = merged[merged.length - 1];
      if (
        last &&
        last.type === 'text' &&
        child.type === 'text' &&
        (last.marks ?? []).map(markKey).join() === (child.marks ?? []).map(markKey).join()
      ) {
        merged[merged.length - 1] = { ...last, text: `${last.text ?? ''}${child.text ?? ''}` };
      } else merged.push(child);
    }
    out.content = merged;
  }
  return out;
}

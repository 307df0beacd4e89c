// mdast → plain text: the structure of the Markdown (list markers, quote bars, table pipes)
// without its syntax for styling or escapes. Only trees made by to-mdast.ts come here.
import type { BlockContent, PhrasingContent, RootContent } from 'mdast';

export function mdastToPlain(nodes: readonly BlockContent[]): string {
  return blocks(nodes, false);
}

/** In a list item a list follows its paragraph on the next line, as in the Markdown. */
function blocks(nodes: readonly RootContent[], inItem: boolean): string {
  let out = '';
  let prev: RootContent | undefined;
  for (const node of nodes) {
    const text = block(node);
    if (text === '') continue;
    if (out !== '') out += inItem && prev?.type === 'paragraph' && node.type === 'list' ? '\n' : '\n\n';
    out += text;
    prev = node;
  }
  return out;
}

function block(node: RootContent): string {
  switch (node.type) {
    case 'paragraph':
    case 'heading':
      return phrasing(node.children, false);
    case 'list': {
      const start = node.start ?? 1;
      return node.children
        .map((item, k) => {
          const box = typeof item.checked === 'boolean' ? (item.checked ? '[x] ' : '[ ] ') : '';
          return hang(node.ordered === true ? `${start + k}.` : '-', box + blocks(item.children, true));
        })
        .join('\n');
    }
    case 'code':
      return node.value;
    case 'blockquote': {
      const body = blocks(node.children, false);
      return body === '' ? '>' : body.split('\n').map((line) => (line === '' ? '>' : `> ${line}`)).join('\n');
    }
    case 'thematicBreak':
      return '---';
    case 'table':
      return node.children.map((row) => row.children.map((cell) => phrasing(cell.children, true)).join(' | ')).join('\n');
    case 'html':
      return node.value;
    default:
      return '';
  }
}

/** `marker` before the first line, the rest indented to line up under the content. */
function hang(marker: string, body: string): string {
  const pad = ' '.repeat(marker.length + 1);
  return body
    .split('\n')
    .map((line, i) => (i === 0 ? (line === '' ? marker : `${marker} ${line}`) : line === '' ? '' : pad + line))
    .join('\n');
}

function phrasing(nodes: readonly PhrasingContent[], cell: boolean): string {
  let out = '';
  for (const node of nodes) out += inline(node, cell);
  return out;
}

function inline(node: PhrasingContent, cell: boolean): string {
  switch (node.type) {
    case 'text':
    case 'inlineCode':
    case 'html':
      return node.value;
    case 'break':
      return cell ? ' ' : '\n';
    case 'link': {
      const text = phrasing(node.children, cell);
      return text === node.url || node.url === '' ? text : `${text} (${node.url})`;
    }
    case 'emphasis':
    case 'strong':
    case 'delete':
      return phrasing(node.children, cell);
    default:
      return '';
  }
}

// ADF → Markdown and ADF → plain text: ADF is mapped to mdast (to-mdast.ts), which
// mdast-util-to-markdown with GFM writes as Markdown, and to-plain.ts as plain text.
import type { BlockContent, Break, Code, Parents } from 'mdast';
import { gfmStrikethroughToMarkdown } from 'mdast-util-gfm-strikethrough';
import { gfmTableToMarkdown } from 'mdast-util-gfm-table';
import { gfmTaskListItemToMarkdown } from 'mdast-util-gfm-task-list-item';
import { defaultHandlers, toMarkdown, type Info, type Join, type Options, type State } from 'mdast-util-to-markdown';
import type { Ctx } from './render-context';
import { adfToMdast } from './to-mdast';
import { mdastToPlain } from './to-plain';

/** A GFM table cell is one line: a line break in it is written as `<br>` (read back as one). */
function cellBreak(node: Break, parent: Parents | undefined, state: State, info: Info): string {
  return state.stack.includes('tableCell') ? '<br>' : defaultHandlers.break(node, parent, state, info);
}

/** A backtick fence's info string may not hold a backtick; a tilde fence's may. */
function code(node: Code, parent: Parents | undefined, state: State, info: Info): string {
  if (!node.lang?.includes('`')) return defaultHandlers.code(node, parent, state, info);
  const fence = state.options.fence;
  state.options.fence = '~';
  try {
    return defaultHandlers.code(node, parent, state, info);
  } finally {
    state.options.fence = fence;
  }
}

/** In a list item, blocks are set apart by a blank line, except a list right after its paragraph. */
const itemBlocks: Join = (left, right, parent) => (parent.type === 'listItem' && !(left.type === 'paragraph' && right.type === 'list') ? 1 : undefined);

const OPTIONS: Options = {
  bullet: '-',
  bulletOther: '*',
  bulletOrdered: '.',
  emphasis: '*',
  strong: '*',
  fence: '`',
  rule: '-',
  listItemIndent: 'one',
  handlers: { break: cellBreak, code },
  join: [itemBlocks],
  // GFM without its autolink literals: a web or e-mail address in text is written as typed
  // (`https\://…` and `ops\@…` would show their escapes wherever Markdown is shown as text) and
  // reads back as a link, as GFM renders it. No footnotes: the mapping makes none.
  extensions: [gfmStrikethroughToMarkdown(), gfmTableToMarkdown({ tablePipeAlign: false }), gfmTaskListItemToMarkdown()],
};

function markdown(children: BlockContent[]): string {
  return toMarkdown({ type: 'root', children }, OPTIONS).replace(/\n$/, '');
}

export function adfToMarkdown(doc: unknown): string {
  const ctx: Ctx = { flavour: 'markdown', depth: 0, heading: false };
  return markdown(adfToMdast(doc, { ctx, serialise: markdown }));
}

export function adfToPlainText(doc: unknown): string {
  const ctx: Ctx = { flavour: 'plain', depth: 0, heading: false };
  return mdastToPlain(adfToMdast(doc, { ctx, serialise: mdastToPlain }));
}

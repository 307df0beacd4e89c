// Markdown → ADF. The block tree is fitted to what ADF allows where it sits: a blockquote holds
// no heading, quote, rule or table; a list item starts with a paragraph and holds no heading;
// tasks are not allowed in a quote. What does not fit is turned into something that does
// (a paragraph with the same text, the children of a flattened quote), never dropped.
import { parseBlocks, trimSpaces, type MdBlock, type MdListItem } from './markdown-blocks';
import { parseInline } from './markdown-inline';
import type { AdfDoc, AdfNode } from './types';

type Place = 'doc' | 'listItem' | 'blockquote' | 'tableCell' | 'panel';

const HEADING_OK: ReadonlySet<Place> = new Set(['doc', 'tableCell', 'panel']);
const RULE_OK: ReadonlySet<Place> = new Set(['doc', 'tableCell', 'panel']);
const QUOTE_OK: ReadonlySet<Place> = new Set(['doc', 'tableCell']);
const PANEL_OK: ReadonlySet<Place> = new Set(['doc', 'tableCell']);
const TASKS_OK: ReadonlySet<Place> = new Set(['doc', 'listItem', 'tableCell', 'panel']);

/** Labels a panel is written with (`> **Info:** …`), read back into the panel type. */
export const PANEL_LABELS: Readonly<Record<string, string>> = {
  info: 'Info',
  note: 'Note',
  tip: 'Tip',
  warning: 'Warning',
  error: 'Error',
  success: 'Success',
};
const PANEL_BY_LABEL = new Map(Object.entries(PANEL_LABELS).map(([type, label]) => [`${label}:`, type]));

export function markdownToAdf(markdown: string): AdfDoc {
  const ids = { next: 1 };
  const text = typeof markdown === 'string' ? markdown : '';
  return { type: 'doc', version: 1, content: convert(parseBlocks(text), 'doc', ids) };
}

interface Ids {
  next: number;
}

function paragraph(content: AdfNode[]): AdfNode {
  return { type: 'paragraph', content };
}

function textParagraph(text: string): AdfNode {
  return paragraph(text === '' ? [] : [{ type: 'text', text }]);
}

function convert(blocks: readonly MdBlock[], place: Place, ids: Ids): AdfNode[] {
  const out: AdfNode[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'paragraph':
        out.push(paragraph(parseInline(block.text)));
        break;
      case 'heading': {
        const content = parseInline(block.text);
        if (HEADING_OK.has(place)) out.push({ type: 'heading', attrs: { level: block.level }, content });
        else if (content.length > 0) out.push(paragraph(content));
        break;
      }
      case 'code':
        out.push({
          type: 'codeBlock',
          ...(block.language !== '' ? { attrs: { language: block.language } } : {}),
          content: block.text === '' ? [] : [{ type: 'text', text: block.text }],
        });
        break;
      case 'rule':
        out.push(RULE_OK.has(place) ? { type: 'rule' } : textParagraph('---'));
        break;
      case 'quote':
        out.push(...quote(block.children, place, ids));
        break;
      case 'list':
        out.push(list(block, place, ids));
        break;
      case 'table':
        out.push(...table(block, place));
        break;
    }
  }
  return out;
}

function quote(children: readonly MdBlock[], place: Place, ids: Ids): AdfNode[] {
  if (!QUOTE_OK.has(place)) return convert(children, place, ids);
  if (PANEL_OK.has(place)) {
    const panel = asPanel(children, ids);
    if (panel) return [panel];
  }
  const content = convert(children, 'blockquote', ids);
  return [{ type: 'blockquote', content: content.length > 0 ? content : [paragraph([])] }];
}

/** `> **Info:** text` is how a panel is written out; read it back as that panel. */
function asPanel(children: readonly MdBlock[], ids: Ids): AdfNode | undefined {
  const first = children[0];
  if (!first || first.kind !== 'paragraph') return undefined;
  const inline = parseInline(first.text);
  const label = inline[0];
  if (!label || label.type !== 'text' || label.marks?.length !== 1 || label.marks[0]?.type !== 'strong') return undefined;
  const panelType = PANEL_BY_LABEL.get(label.text ?? '');
  if (panelType === undefined) return undefined;
  const rest = inline.slice(1);
  const lead = rest[0];
  if (lead && lead.type === 'text' && lead.marks === undefined && lead.text !== undefined) {
    const trimmed = lead.text.replace(/^[ \t]+/, '');
    if (trimmed === '') rest.shift();
    else lead.text = trimmed;
  }
  const content: AdfNode[] = [];
  if (rest.length > 0) content.push(paragraph(rest));
  content.push(...convert(children.slice(1), 'panel', ids));
  return { type: 'panel', attrs: { panelType }, content: content.length > 0 ? content : [paragraph([])] };
}

function list(block: Extract<MdBlock, { kind: 'list' }>, place: Place, ids: Ids): AdfNode {
  if (TASKS_OK.has(place) && block.items.every((item) => item.task !== undefined)) {
    const tasks = taskList(block.items, ids);
    if (tasks) return tasks;
  }
  const items = block.items.map((item) => listItem(item, ids));
  if (!block.ordered) return { type: 'bulletList', content: items };
  return { type: 'orderedList', ...(block.start !== 1 ? { attrs: { order: block.start } } : {}), content: items };
}

function listItem(item: MdListItem, ids: Ids): AdfNode {
  let children = item.children;
  if (item.task) {
    // Not a task list after all: the checkbox goes back as the text it was.
    const head = children[0];
    children =
      head && head.kind === 'paragraph'
        ? [{ kind: 'paragraph', text: item.task.marker + head.text }, ...children.slice(1)]
        : [{ kind: 'paragraph', text: item.task.marker.trimEnd() }, ...children];
  }
  const content = convert(children, 'listItem', ids);
  if (content[0]?.type !== 'paragraph') content.unshift(paragraph([]));
  return { type: 'listItem', content };
}

/** Items that are each one line of text, optionally with nested task lists; else undefined. */
function taskList(items: readonly MdListItem[], ids: Ids): AdfNode | undefined {
  const listId = `task-list-${ids.next++}`;
  const content: AdfNode[] = [];
  for (const item of items) {
    if (!item.task) return undefined;
    const head: MdBlock | undefined = item.emptyHead ? undefined : item.children[0];
    const nested = item.emptyHead ? item.children : item.children.slice(1);
    if (head && head.kind !== 'paragraph') return undefined;
    content.push({
      type: 'taskItem',
      attrs: { localId: `task-${ids.next++}`, state: item.task.done ? 'DONE' : 'TODO' },
      content: head ? parseInline(head.text) : [],
    });
    for (const child of nested) {
      if (child.kind !== 'list' || !child.items.every((i) => i.task !== undefined)) return undefined;
      const sub = taskList(child.items, ids);
      if (!sub) return undefined;
      content.push(sub);
    }
  }
  return { type: 'taskList', attrs: { localId: listId }, content };
}

function table(block: Extract<MdBlock, { kind: 'table' }>, place: Place): AdfNode[] {
  if (place !== 'doc') {
    // No tables here in ADF: one paragraph per row keeps the text.
    return [block.header, ...block.rows]
      .map((cells) => trimSpaces(cells.join(' | ')))
      .filter((row) => row !== '')
      .map((row) => paragraph(parseInline(row, { cell: true })));
  }
  const cell = (type: string, source: string): AdfNode => ({ type, content: [paragraph(parseInline(source, { cell: true }))] });
  const rows: AdfNode[] = [{ type: 'tableRow', content: block.header.map((c) => cell('tableHeader', c)) }];
  for (const row of block.rows) rows.push({ type: 'tableRow', content: row.map((c) => cell('tableCell', c)) });
  return [{ type: 'table', content: rows }];
}

// Markdown block structure: lines → a small tree of blocks whose inline parts are still source.
// A CommonMark-ish subset: ATX headings, fenced code, block quotes, lists (nested by
// indentation, `- [ ]` tasks), thematic breaks, GFM pipe tables and paragraphs.
// Containers are parsed recursively on their own lines; nesting is capped so hostile input
// cannot make the work quadratic or exhaust the stack.

export type MdBlock =
  | { kind: 'paragraph'; text: string }
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'code'; language: string; text: string }
  | { kind: 'quote'; children: MdBlock[] }
  | { kind: 'list'; ordered: boolean; start: number; items: MdListItem[] }
  | { kind: 'rule' }
  | { kind: 'table'; header: string[]; rows: string[][] };

export interface MdListItem {
  /** Set when the item starts with `[ ]` or `[x]`; `marker` is that text, to put back if needed. */
  task: { done: boolean; marker: string } | undefined;
  /** Nothing after the marker (and checkbox) on the item's first line. */
  emptyHead: boolean;
  children: MdBlock[];
}

const MAX_DEPTH = 24;

const HEADING = /^(#{1,6})(?:[ \t]|$)/;
const RULE = /^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const FENCE = /^(`{3,}|~{3,})(.*)$/;
const BULLET = /^([-+*])(?=[ \t]|$)/;
const ORDERED = /^(\d{1,9})([.)])(?=[ \t]|$)/;
const TASK = /^\[([ xX])\](?:[ \t]+|$)/;
const DELIMITER_CELL = /^:?-+:?$/;

export function parseBlocks(markdown: string): MdBlock[] {
  return blocks(markdown.split(/\r\n|\r|\n/), 0);
}

/** Trims spaces and tabs only: other Unicode spaces (no-break space) are content. */
export function trimSpaces(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function ltrim(s: string): string {
  let a = 0;
  while (a < s.length && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  return a === 0 ? s : s.slice(a);
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/** Columns of leading whitespace, tabs to the next multiple of four. */
function indentOf(line: string): number {
  let col = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) col++;
    else if (c === 9) col += 4 - (col % 4);
    else break;
  }
  return col;
}

/** The line with `n` columns of leading whitespace removed (a tab straddling `n` leaves spaces). */
function stripCols(line: string, n: number): string {
  let col = 0;
  let i = 0;
  while (i < line.length && col < n) {
    const c = line.charCodeAt(i);
    if (c === 32) col++;
    else if (c === 9) {
      const next = col + 4 - (col % 4);
      if (next > n) return ' '.repeat(next - n) + line.slice(i + 1);
      col = next;
    } else break;
    i++;
  }
  return line.slice(i);
}

interface ListMarker {
  ordered: boolean;
  /** The bullet character, or the ordered delimiter `.`/`)`: a change starts a new list. */
  char: string;
  start: number;
  /** Column where the item's content starts. */
  contentCol: number;
  first: string;
}

function listMarker(line: string): ListMarker | undefined {
  const indent = indentOf(line);
  if (indent > 3) return undefined;
  const t = ltrim(line);
  let ordered = false;
  let char: string;
  let start = 1;
  let markerLen: number;
  const bullet = BULLET.exec(t);
  if (bullet && bullet[1] !== undefined) {
    char = bullet[1];
    markerLen = 1;
  } else {
    const num = ORDERED.exec(t);
    if (!num || num[1] === undefined || num[2] === undefined) return undefined;
    ordered = true;
    char = num[2];
    start = Number(num[1]);
    markerLen = num[1].length + 1;
  }
  const rest = t.slice(markerLen);
  const markerEnd = indent + markerLen;
  const spaces = indentOf(rest);
  const content = ltrim(rest);
  if (content === '') return { ordered, char, start, contentCol: markerEnd + 1, first: '' };
  // Five or more spaces would be indented code in CommonMark; Tandem reads it as text after one.
  if (spaces > 4) return { ordered, char, start, contentCol: markerEnd + 1, first: content };
  return { ordered, char, start, contentCol: markerEnd + spaces, first: content };
}

function isTableStart(lines: readonly string[], i: number): boolean {
  const head = lines[i];
  const delim = lines[i + 1];
  if (head === undefined || delim === undefined) return false;
  if (indentOf(head) > 3 || indentOf(delim) > 3) return false;
  if (!head.includes('|') || !delim.includes('|')) return false;
  const cells = splitRow(delim);
  if (cells.length === 0 || !cells.every((c) => DELIMITER_CELL.test(c))) return false;
  return splitRow(head).length === cells.length;
}

/** Cells of a table row: outer pipes dropped, `\|` is a pipe inside a cell. */
export function splitRow(line: string): string[] {
  const t = trimSpaces(line);
  const cells: string[] = [];
  let cur = '';
  let i = t.startsWith('|') ? 1 : 0;
  let endedOnPipe = false;
  for (; i < t.length; i++) {
    const c = t.charAt(i);
    endedOnPipe = false;
    if (c === '\\' && i + 1 < t.length) {
      const next = t.charAt(i + 1);
      cur += next === '|' ? '|' : c + next;
      i++;
    } else if (c === '|') {
      cells.push(cur);
      cur = '';
      endedOnPipe = true;
    } else cur += c;
  }
  if (!endedOnPipe || cur !== '') cells.push(cur);
  return cells.map(trimSpaces);
}

function fenceOpen(line: string): { char: string; len: number; info: string; indent: number } | undefined {
  const indent = indentOf(line);
  if (indent > 3) return undefined;
  const m = FENCE.exec(ltrim(line));
  if (!m || m[1] === undefined) return undefined;
  const info = m[2] ?? '';
  const char = m[1].charAt(0);
  if (char === '`' && info.includes('`')) return undefined;
  return { char, len: m[1].length, info: info.trim(), indent };
}

function isFenceClose(line: string, char: string, len: number): boolean {
  if (indentOf(line) > 3) return false;
  const t = trimSpaces(line);
  if (t.length < len) return false;
  for (let i = 0; i < t.length; i++) if (t.charAt(i) !== char) return false;
  return true;
}

function isQuoteLine(line: string): boolean {
  return indentOf(line) <= 3 && ltrim(line).startsWith('>');
}

/** Whether `lines[i]` ends a paragraph that is still open (CommonMark's interruption rules). */
function interrupts(lines: readonly string[], i: number, depth: number): boolean {
  const line = lines[i];
  if (line === undefined || isBlank(line)) return true;
  if (indentOf(line) > 3) return false;
  const t = ltrim(line);
  if (HEADING.test(t) || RULE.test(t) || fenceOpen(line)) return true;
  if (depth < MAX_DEPTH) {
    if (t.startsWith('>')) return true;
    const marker = listMarker(line);
    if (marker && marker.first !== '' && (!marker.ordered || marker.start === 1)) return true;
  }
  return isTableStart(lines, i);
}

/** A line that is neither blank nor in a fence nor after a heading/rule: a paragraph may go on lazily. */
function paragraphOpen(collected: readonly string[], inFence: boolean): boolean {
  if (inFence) return false;
  const last = collected[collected.length - 1];
  if (last === undefined || isBlank(last)) return false;
  const t = ltrim(last);
  return !(HEADING.test(t) || RULE.test(t) || fenceOpen(last));
}

function trackFence(line: string, fence: { char: string; len: number } | undefined): { char: string; len: number } | undefined {
  if (fence) return isFenceClose(line, fence.char, fence.len) ? undefined : fence;
  const open = fenceOpen(line);
  return open ? { char: open.char, len: open.len } : undefined;
}

function blocks(lines: readonly string[], depth: number): MdBlock[] {
  const out: MdBlock[] = [];
  let i = 0;
  const n = lines.length;
  while (i < n) {
    const line = lines[i] ?? '';
    if (isBlank(line)) {
      i++;
      continue;
    }
    const indent = indentOf(line);
    const t = ltrim(line);
    if (indent <= 3) {
      const fence = fenceOpen(line);
      if (fence) {
        const body: string[] = [];
        i++;
        while (i < n) {
          const l = lines[i] ?? '';
          if (isFenceClose(l, fence.char, fence.len)) {
            i++;
            break;
          }
          body.push(stripCols(l, fence.indent));
          i++;
        }
        out.push({ kind: 'code', language: fence.info.split(/\s/)[0] ?? '', text: body.join('\n') });
        continue;
      }
      const heading = HEADING.exec(t);
      if (heading && heading[1] !== undefined) {
        out.push({ kind: 'heading', level: heading[1].length, text: headingText(t.slice(heading[1].length)) });
        i++;
        continue;
      }
      if (RULE.test(t)) {
        out.push({ kind: 'rule' });
        i++;
        continue;
      }
      if (depth < MAX_DEPTH && t.startsWith('>')) {
        i = quote(lines, i, depth, out);
        continue;
      }
      if (depth < MAX_DEPTH) {
        const marker = listMarker(line);
        if (marker) {
          i = list(lines, i, marker, depth, out);
          continue;
        }
      }
      if (isTableStart(lines, i)) {
        i = table(lines, i, depth, out);
        continue;
      }
    }
    const para: string[] = [trimSpaces(t)];
    i++;
    while (i < n && !interrupts(lines, i, depth)) {
      para.push(trimSpaces(lines[i] ?? ''));
      i++;
    }
    out.push({ kind: 'paragraph', text: para.join('\n') });
  }
  return out;
}

function headingText(rest: string): string {
  const t = trimSpaces(rest);
  // An unescaped closing sequence of #s after a space is not content.
  let end = t.length;
  while (end > 0 && t.charCodeAt(end - 1) === 35) end--;
  if (end === t.length) return t;
  if (end === 0) return '';
  const before = t.charCodeAt(end - 1);
  return before === 32 || before === 9 ? trimSpaces(t.slice(0, end)) : t;
}

function quote(lines: readonly string[], start: number, depth: number, out: MdBlock[]): number {
  const inner: string[] = [];
  let fence: { char: string; len: number } | undefined;
  let i = start;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (isQuoteLine(line)) {
      let rest = ltrim(line).slice(1);
      if (rest.startsWith(' ') || rest.startsWith('\t')) rest = rest.slice(1);
      inner.push(rest);
      fence = trackFence(rest, fence);
      i++;
      continue;
    }
    if (!isBlank(line) && paragraphOpen(inner, fence !== undefined) && !interrupts(lines, i, depth)) {
      inner.push(line);
      i++;
      continue;
    }
    break;
  }
  out.push({ kind: 'quote', children: blocks(inner, depth + 1) });
  return i;
}

function list(lines: readonly string[], start: number, first: ListMarker, depth: number, out: MdBlock[]): number {
  const items: MdListItem[] = [];
  let i = start;
  let marker: ListMarker | undefined = first;
  while (marker) {
    const itemLines: string[] = [];
    let head = marker.first;
    let task: MdListItem['task'];
    const tm = TASK.exec(head);
    if (tm && tm[1] !== undefined) {
      task = { done: tm[1] !== ' ', marker: tm[0] };
      head = head.slice(tm[0].length);
    }
    itemLines.push(head);
    let fence = trackFence(head, undefined);
    const col = marker.contentCol;
    i++;
    while (i < lines.length) {
      const line = lines[i] ?? '';
      if (isBlank(line)) {
        let k = i;
        while (k < lines.length && isBlank(lines[k] ?? '')) k++;
        if (k < lines.length && indentOf(lines[k] ?? '') >= col) {
          for (; i < k; i++) itemLines.push(stripCols(lines[i] ?? '', col));
          continue;
        }
        break;
      }
      if (indentOf(line) >= col) {
        const l = stripCols(line, col);
        itemLines.push(l);
        fence = trackFence(l, fence);
        i++;
        continue;
      }
      // Lazy continuation, unless the line starts another item (of this list or an outer one).
      if (paragraphOpen(itemLines, fence !== undefined) && !interrupts(lines, i, depth) && !listMarker(line)) {
        itemLines.push(line);
        i++;
        continue;
      }
      break;
    }
    items.push({ task, emptyHead: isBlank(head), children: blocks(itemLines, depth + 1) });
    let k = i;
    while (k < lines.length && isBlank(lines[k] ?? '')) k++;
    const nextLine = lines[k];
    const next = nextLine === undefined || RULE.test(ltrim(nextLine)) ? undefined : listMarker(nextLine);
    if (next && next.ordered === first.ordered && next.char === first.char) {
      marker = next;
      i = k;
    } else marker = undefined;
  }
  out.push({ kind: 'list', ordered: first.ordered, start: first.start, items });
  return i;
}

function table(lines: readonly string[], start: number, depth: number, out: MdBlock[]): number {
  const header = splitRow(lines[start] ?? '');
  const width = header.length;
  const rows: string[][] = [];
  let i = start + 2;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (isBlank(line)) break;
    if (indentOf(line) <= 3) {
      const t = ltrim(line);
      if (t.startsWith('>') || HEADING.test(t) || fenceOpen(line) || (depth < MAX_DEPTH && listMarker(line)) || RULE.test(t)) break;
    }
    const cells = splitRow(line).slice(0, width);
    while (cells.length < width) cells.push('');
    rows.push(cells);
    i++;
  }
  out.push({ kind: 'table', header, rows });
  return i;
}

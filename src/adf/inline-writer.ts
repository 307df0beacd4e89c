// Atoms → inline text: Markdown escaped so a CommonMark renderer (and markdown-inline.ts) reads
// back exactly the text that was written, or plain text.
import { charAt, charBefore, isAsciiPunctuation, isWhitespaceChar, isWordChar } from './chars';
import type { Atom, Link } from './inline-atoms';
import { EM, STRIKE, STRONG, type Ctx } from './render-context';

const FLAG_BITS = [STRONG, EM, STRIKE] as const;
const DELIMS: Record<number, string> = { [EM]: '*', [STRONG]: '**', [STRIKE]: '~~' };

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

export function renderAtoms(input: readonly Atom[], ctx: Ctx): string {
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

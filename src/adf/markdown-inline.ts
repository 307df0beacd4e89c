// Markdown inline syntax → ADF inline nodes.
//
// Emphasis follows CommonMark's delimiter-run algorithm (flanking rules, rule of three,
// openers_bottom), so what Tandem reads is what a CommonMark renderer shows and the escaper in
// inline-writer.ts can rely on the same rules. Every scan is bounded or cached so the whole
// pass stays linear on hostile input.
import type { AdfNode } from './types';
import { charAt, charBefore, isAsciiPunctuation, isPunctuationChar, isWhitespaceChar } from './chars';
import { flatten, type Tree } from './inline-tree';
import { parseLinkTail } from './link-syntax';

interface Item {
  n: Tree;
  prev: Item | null;
  next: Item | null;
}

interface Delim {
  item: Item;
  text: { k: 'text'; s: string };
  ch: string;
  count: number;
  orig: number;
  canOpen: boolean;
  canClose: boolean;
  prev: Delim | null;
  next: Delim | null;
}

interface Bracket {
  item: Item;
  delimBottom: Delim | null;
  image: boolean;
  active: boolean;
  prev: Bracket | null;
}

const SPECIAL = new Uint8Array(128);
for (const ch of '\\\n`*_~[]!<') SPECIAL[ch.charCodeAt(0)] = 1;

const AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>\p{Cc}]*)>/uy;
const BR_TAG = /<br\s{0,8}\/?>/iy;

export interface InlineOptions {
  /** Table cells: `<br>` is a line break (GFM cells are one line). */
  cell?: boolean;
}

export function parseInline(src: string, options: InlineOptions = {}): AdfNode[] {
  return flatten(new InlineParser(src, options.cell === true).parse());
}

class InlineParser {
  private head: Item | null = null;
  private tail: Item | null = null;
  private delimTop: Delim | null = null;
  private bracketTop: Bracket | null = null;
  private buf = '';
  /** Backtick run lengths known to have no closing run further on. */
  private readonly noCloser = new Set<number>();
  /** Quote characters known not to appear again: a title opened with them cannot close. */
  private readonly noQuote = new Set<string>();

  constructor(
    private readonly src: string,
    private readonly cell: boolean,
  ) {}

  parse(): Tree[] {
    const src = this.src;
    const len = src.length;
    let pos = 0;
    while (pos < len) {
      const code = src.charCodeAt(pos);
      if (code >= 128 || SPECIAL[code] === 0) {
        let end = pos + 1;
        while (end < len) {
          const c = src.charCodeAt(end);
          if (c < 128 && SPECIAL[c] === 1) break;
          end++;
        }
        this.buf += src.slice(pos, end);
        pos = end;
        continue;
      }
      const ch = src.charAt(pos);
      switch (ch) {
        case '\\': {
          const next = src.charCodeAt(pos + 1);
          if (next === 10) {
            this.push({ k: 'br' });
            pos += 2;
          } else if (isAsciiPunctuation(next)) {
            this.buf += src.charAt(pos + 1);
            pos += 2;
          } else {
            this.buf += '\\';
            pos++;
          }
          break;
        }
        case '\n':
          this.push({ k: 'br' });
          pos++;
          break;
        case '`':
          pos = this.backticks(pos);
          break;
        case '*':
        case '_':
        case '~':
          pos = this.delimiterRun(pos, ch);
          break;
        case '[':
          this.openBracket(this.push({ k: 'text', s: '[' }), false);
          pos++;
          break;
        case '!':
          if (src.charAt(pos + 1) === '[') {
            this.openBracket(this.push({ k: 'text', s: '![' }), true);
            pos += 2;
          } else {
            this.buf += '!';
            pos++;
          }
          break;
        case ']':
          pos = this.closeBracket(pos);
          break;
        case '<':
          pos = this.angle(pos);
          break;
        default:
          this.buf += ch;
          pos++;
      }
    }
    this.flush();
    this.processEmphasis(null);
    const out: Tree[] = [];
    for (let it = this.head; it; it = it.next) out.push(it.n);
    return out;
  }

  private flush(): void {
    if (this.buf === '') return;
    const s = this.buf;
    this.buf = '';
    this.link({ k: 'text', s });
  }

  private push(n: Tree): Item {
    this.flush();
    return this.link(n);
  }

  private link(n: Tree): Item {
    const item: Item = { n, prev: this.tail, next: null };
    if (this.tail) this.tail.next = item;
    else this.head = item;
    this.tail = item;
    return item;
  }

  private backticks(pos: number): number {
    const src = this.src;
    let end = pos;
    while (src.charCodeAt(end) === 96) end++;
    const n = end - pos;
    if (!this.noCloser.has(n)) {
      let from = end;
      for (;;) {
        const q = src.indexOf('`', from);
        if (q < 0) {
          this.noCloser.add(n);
          break;
        }
        let e = q;
        while (src.charCodeAt(e) === 96) e++;
        if (e - q === n) {
          let body = src.slice(end, q).replace(/\n/g, ' ');
          if (body.length >= 2 && body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '') body = body.slice(1, -1);
          this.push({ k: 'code', s: body });
          return e;
        }
        from = e;
      }
    }
    this.buf += src.slice(pos, end);
    return end;
  }

  private delimiterRun(pos: number, ch: string): number {
    const src = this.src;
    let end = pos;
    while (src.charAt(end) === ch) end++;
    const run = src.slice(pos, end);
    // GFM strikethrough: only a run of exactly two tildes delimits.
    if (ch === '~' && run.length !== 2) {
      this.buf += run;
      return end;
    }
    const before = charBefore(src, pos);
    const after = charAt(src, end);
    const wsBefore = isWhitespaceChar(before);
    const wsAfter = isWhitespaceChar(after);
    const pBefore = isPunctuationChar(before);
    const pAfter = isPunctuationChar(after);
    const left = !wsAfter && (!pAfter || wsBefore || pBefore);
    const right = !wsBefore && (!pBefore || wsAfter || pAfter);
    let canOpen = left;
    let canClose = right;
    if (ch === '_') {
      canOpen = left && (!right || pBefore);
      canClose = right && (!left || pAfter);
    }
    const text: { k: 'text'; s: string } = { k: 'text', s: run };
    const item = this.push(text);
    if (canOpen || canClose) {
      const d: Delim = { item, text, ch, count: run.length, orig: run.length, canOpen, canClose, prev: this.delimTop, next: null };
      if (this.delimTop) this.delimTop.next = d;
      this.delimTop = d;
    }
    return end;
  }

  private openBracket(item: Item, image: boolean): void {
    this.bracketTop = { item, delimBottom: this.delimTop, image, active: true, prev: this.bracketTop };
  }

  private closeBracket(pos: number): number {
    const opener = this.bracketTop;
    if (!opener) {
      this.buf += ']';
      return pos + 1;
    }
    this.bracketTop = opener.prev;
    const target = opener.active ? parseLinkTail(this.src, pos + 1, this.noQuote) : undefined;
    if (!target) {
      this.buf += ']';
      return pos + 1;
    }
    this.flush();
    this.processEmphasis(opener.delimBottom);
    const children: Tree[] = [];
    for (let it = opener.item.next; it; it = it.next) children.push(it.n);
    // An image becomes a link on its alt text (ADF has no inline image); no alt: the address.
    if (children.length === 0 && opener.image) children.push({ k: 'text', s: target.href });
    opener.item.n = { k: 'link', href: target.href, title: target.title, c: children };
    opener.item.next = null;
    this.tail = opener.item;
    if (!opener.image) {
      // No links inside links: earlier openers can no longer form one. Stop at the first one
      // already deactivated, everything below it was handled then.
      for (let b = this.bracketTop; b && b.active; b = b.prev) if (!b.image) b.active = false;
    }
    return target.end;
  }


  private angle(pos: number): number {
    AUTOLINK.lastIndex = pos;
    const m = AUTOLINK.exec(this.src);
    if (m && m[1] !== undefined) {
      this.push({ k: 'link', href: m[1], title: undefined, c: [{ k: 'text', s: m[1] }] });
      return pos + m[0].length;
    }
    if (this.cell) {
      BR_TAG.lastIndex = pos;
      const br = BR_TAG.exec(this.src);
      if (br) {
        this.push({ k: 'br' });
        return pos + br[0].length;
      }
    }
    this.buf += '<';
    return pos + 1;
  }

  private removeDelim(d: Delim): void {
    if (d.prev) d.prev.next = d.next;
    if (d.next) d.next.prev = d.prev;
    else this.delimTop = d.prev;
  }

  private removeItem(item: Item): void {
    if (item.prev) item.prev.next = item.next;
    else this.head = item.next;
    if (item.next) item.next.prev = item.prev;
    else this.tail = item.prev;
  }

  /** CommonMark "process emphasis" for the delimiters above `bottom`. */
  private processEmphasis(bottom: Delim | null): void {
    let first: Delim | null = this.delimTop;
    if (first === bottom) return;
    while (first && first.prev !== bottom) first = first.prev;
    const openersBottom = new Map<string, Delim | null>();
    let closer: Delim | null = first;
    while (closer) {
      if (!closer.canClose) {
        closer = closer.next;
        continue;
      }
      const key = closer.ch === '~' ? '~' : `${closer.ch}${closer.canOpen ? 1 : 0}${closer.orig % 3}`;
      const floor = openersBottom.has(key) ? (openersBottom.get(key) ?? null) : bottom;
      let opener: Delim | null = closer.prev;
      let found = false;
      while (opener && opener !== bottom && opener !== floor) {
        if (opener.ch === closer.ch && opener.canOpen) {
          if (closer.ch === '~') found = opener.orig === closer.orig;
          else {
            const odd =
              (opener.canClose || closer.canOpen) && (opener.orig + closer.orig) % 3 === 0 && !(opener.orig % 3 === 0 && closer.orig % 3 === 0);
            found = !odd;
          }
          if (found) break;
        }
        opener = opener.prev;
      }
      if (!found || !opener) {
        openersBottom.set(key, closer.prev);
        const next: Delim | null = closer.next;
        if (!closer.canOpen) this.removeDelim(closer);
        closer = next;
        continue;
      }
      const use = closer.ch === '~' ? 2 : closer.count >= 2 && opener.count >= 2 ? 2 : 1;
      const kind = closer.ch === '~' ? 'strike' : use === 2 ? 'strong' : 'em';
      opener.count -= use;
      closer.count -= use;
      opener.text.s = opener.text.s.slice(0, opener.count);
      closer.text.s = closer.text.s.slice(0, closer.count);
      const children: Tree[] = [];
      for (let it = opener.item.next; it && it !== closer.item; it = it.next) children.push(it.n);
      // `****a****` nests strong in strong; one level says the same and keeps the tree shallow.
      const only = children.length === 1 ? children[0] : undefined;
      const node: Tree = only && only.k === kind ? only : { k: kind, c: children };
      const wrapped: Item = { n: node, prev: opener.item, next: closer.item };
      opener.item.next = wrapped;
      closer.item.prev = wrapped;
      opener.next = closer;
      closer.prev = opener;
      if (opener.count === 0) {
        this.removeItem(opener.item);
        this.removeDelim(opener);
      }
      if (closer.count === 0) {
        const next: Delim | null = closer.next;
        this.removeItem(closer.item);
        this.removeDelim(closer);
        closer = next;
      }
    }
    // Whatever is left above the bottom is literal text.
    while (this.delimTop && this.delimTop !== bottom) this.removeDelim(this.delimTop);
  }
}

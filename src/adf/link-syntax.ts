// The part of an inline link after its text: `(destination "title")` right after `]`, read as
// CommonMark does (angle-bracketed or balanced-parenthesis destinations, three title quotes).
import { isAsciiPunctuation } from './chars';

const ESCAPED = /\\([!-/:-@[-`{-~])/g;
const MAX_PAREN_DEPTH = 32;

export interface LinkTail {
  href: string;
  title: string | undefined;
  /** Where the text after the closing `)` starts. */
  end: number;
}

/**
 * The destination and title at `pos`, or undefined when there is none. `noQuote` holds title
 * quotes already known not to close anywhere further on, so hostile input stays linear.
 */
export function parseLinkTail(src: string, pos: number, noQuote: Set<string>): LinkTail | undefined {
  if (src.charAt(pos) !== '(') return undefined;
  let p = skipSpace(src, pos + 1);
  let href: string;
  if (src.charAt(p) === '<') {
    let q = p + 1;
    for (;;) {
      const c = src.charAt(q);
      if (c === '' || c === '\n' || c === '<') return undefined;
      if (c === '\\' && q + 1 < src.length) {
        q += 2;
        continue;
      }
      if (c === '>') break;
      q++;
    }
    href = src.slice(p + 1, q);
    p = q + 1;
  } else {
    let q = p;
    let depth = 0;
    for (;;) {
      const code = src.charCodeAt(q);
      if (Number.isNaN(code) || code <= 32 || code === 127) break;
      if (code === 92 && isAsciiPunctuation(src.charCodeAt(q + 1))) {
        q += 2;
        continue;
      }
      if (code === 40) {
        if (++depth > MAX_PAREN_DEPTH) return undefined;
      } else if (code === 41) {
        if (depth === 0) break;
        depth--;
      }
      q++;
    }
    if (depth !== 0) return undefined;
    href = src.slice(p, q);
    p = q;
  }
  let title: string | undefined;
  const afterDest = skipSpace(src, p);
  const quote = src.charAt(afterDest);
  if (afterDest > p && (quote === '"' || quote === "'" || quote === '(')) {
    const close = quote === '(' ? ')' : quote;
    if (noQuote.has(close)) return undefined;
    let q = afterDest + 1;
    for (;;) {
      const c = src.charAt(q);
      if (c === '') {
        noQuote.add(close);
        return undefined;
      }
      if (c === '\\' && q + 1 < src.length) {
        q += 2;
        continue;
      }
      if (c === close) break;
      if (quote === '(' && c === '(') return undefined;
      q++;
    }
    title = unescape(src.slice(afterDest + 1, q));
    p = skipSpace(src, q + 1);
  } else {
    p = afterDest;
  }
  if (src.charAt(p) !== ')') return undefined;
  return { href: unescape(href), title, end: p + 1 };
}

function skipSpace(src: string, pos: number): number {
  let p = pos;
  for (;;) {
    const c = src.charCodeAt(p);
    if (c === 32 || c === 9 || c === 10) p++;
    else return p;
  }
}

function unescape(s: string): string {
  return s.indexOf('\\') < 0 ? s : s.replace(ESCAPED, '$1');
}

// Character classes as CommonMark defines them; the parser and the escaper must agree on them,
// or text that was escaped for one reading is parsed with another.

const UNICODE_WHITESPACE = /[\t\n\f\r\p{Zs}]/u;
const UNICODE_PUNCTUATION = /[\p{P}\p{S}]/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;

export function isWhitespaceChar(ch: string): boolean {
  return ch === '' || UNICODE_WHITESPACE.test(ch);
}

export function isPunctuationChar(ch: string): boolean {
  return ch !== '' && UNICODE_PUNCTUATION.test(ch);
}

export function isWordChar(ch: string): boolean {
  return ch !== '' && WORD_CHAR.test(ch);
}

/** ASCII punctuation: the characters a backslash may escape. */
export function isAsciiPunctuation(code: number): boolean {
  return (code >= 33 && code <= 47) || (code >= 58 && code <= 64) || (code >= 91 && code <= 96) || (code >= 123 && code <= 126);
}

/** The whole character (surrogate pairs included) that ends just before `pos`; '' at the start. */
export function charBefore(s: string, pos: number): string {
  if (pos <= 0) return '';
  const low = s.charCodeAt(pos - 1);
  if (low >= 0xdc00 && low <= 0xdfff && pos >= 2) {
    const high = s.charCodeAt(pos - 2);
    if (high >= 0xd800 && high <= 0xdbff) return s.slice(pos - 2, pos);
  }
  return s.charAt(pos - 1);
}

/** The whole character that starts at `pos`; '' at the end. */
export function charAt(s: string, pos: number): string {
  if (pos >= s.length) return '';
  const cp = s.codePointAt(pos);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

// The CommonMark spec's examples sent Markdown → ADF → Markdown, and what survives the trip.
// Shared by the unit test (which asserts what must always hold) and bench/ (which prints shares).
import { isDeepStrictEqual } from 'node:util';
import { decodeNamedCharacterReference } from 'decode-named-character-reference';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { adfToMarkdown, markdownToAdf, type AdfDoc } from '../../src/adf';
import { checkAdf } from '../../devkit/jira/contract/adf';
import { normalise } from '../unit/adf/normalise';

interface SpecExample {
  markdown: string;
  html: string;
  section: string;
  number: number;
}

// commonmark-spec is CommonJS with no types: read it through require and check its shape.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const spec = require('commonmark-spec') as { tests: SpecExample[] };

export interface ExampleOutcome {
  number: number;
  section: string;
  markdown: string;
  adf: AdfDoc;
  back: string;
  /** Schema problems of the ADF (empty when valid). */
  problems: string[];
  /** Words of the example's text that the trip lost. */
  lost: string[];
  sameText: boolean;
  sameHtml: boolean;
  /** Markdown → ADF → Markdown → ADF gives the same ADF (normalised) as the first reading. */
  sameAdf: boolean;
}

/** The spec writes tabs as → so they can be seen. */
function tabs(s: string): string {
  return s.replace(/→/g, '\t');
}

function render(markdown: string): string {
  return micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

/** Text a reader sees in rendered HTML: tags removed, character references decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);/g, (whole, ref: string) => {
      if (ref.startsWith('#')) {
        const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        try {
          return String.fromCodePoint(code === 0 ? 0xfffd : code);
        } catch {
          return '\ufffd';
        }
      }
      const decoded = decodeNamedCharacterReference(ref);
      return decoded === false ? whole : decoded;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

function words(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Words of `before` missing from `after`, counted as a multiset. */
function lostWords(before: string, after: string): string[] {
  const have = new Map<string, number>();
  for (const w of words(after)) have.set(w, (have.get(w) ?? 0) + 1);
  const lost: string[] = [];
  for (const w of words(before)) {
    const n = have.get(w) ?? 0;
    if (n === 0) lost.push(w);
    else have.set(w, n - 1);
  }
  return lost;
}

export function specExamples(): SpecExample[] {
  return spec.tests.map((t) => ({ ...t, markdown: tabs(t.markdown), html: tabs(t.html) }));
}

export function tripExample(example: SpecExample): ExampleOutcome {
  const adf = markdownToAdf(example.markdown);
  const back = adfToMarkdown(adf);
  const html = render(back);
  return {
    number: example.number,
    section: example.section,
    markdown: example.markdown,
    adf,
    back,
    problems: checkAdf(adf),
    lost: lostWords(visibleText(example.html), visibleText(html)),
    sameText: visibleText(html) === visibleText(example.html),
    sameHtml: html.trimEnd() === example.html.trimEnd(),
    sameAdf: isDeepStrictEqual(normalise(markdownToAdf(back)), normalise(adf)),
  };
}

export interface Survival {
  total: number;
  validAdf: number;
  noWordLost: number;
  sameText: number;
  sameHtml: number;
  sameAdf: number;
}

export function commonmarkSurvival(): Survival {
  const outcomes = specExamples().map(tripExample);
  return {
    total: outcomes.length,
    validAdf: outcomes.filter((o) => o.problems.length === 0).length,
    noWordLost: outcomes.filter((o) => o.lost.length === 0).length,
    sameText: outcomes.filter((o) => o.sameText).length,
    sameHtml: outcomes.filter((o) => o.sameHtml).length,
    sameAdf: outcomes.filter((o) => o.sameAdf).length,
  };
}

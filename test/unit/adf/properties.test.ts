// Round-trip properties.
//
// The generated ADF is the subset Markdown carries both ways (see fixtures/paired.ts): text with
// strong/em/strike/code/link, hard breaks, headings, lists (nested, ordered with a start),
// code blocks, quotes, rules, tables with a header row, panels and task lists. Within it:
//   markdownToAdf(adfToMarkdown(doc)) equals doc, compared with normalise() (./normalise.ts).
// Two limits of Markdown itself shape the generator, and are listed in src/adf/README.md:
//   - styled text is separated from differently styled neighbours by a space (between a letter
//     and punctuation, `a**(b)**`, Markdown needs a character reference: a paired fixture shows it);
//   - text has no leading/trailing spaces at a line's edges (Markdown strips them).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { adfToMarkdown, adfToPlainText, markdownToAdf, type AdfDoc, type AdfMark, type AdfNode } from '../../../src/adf';
import { checkAdf } from '../../../devkit/jira/contract/adf';
import { normalise } from './normalise';

const NUM_RUNS = Number(process.env.ADF_RUNS ?? 300);

const TEXT_CHARS = [...'abcxyzABC0123456789', 'é', '日', '😀', ...'*_`[]#>-+.|\\~!()<&:=;"\''];
const CODE_CHARS = [...'abcxyz 019', ...'*_`[]#>-+.|~!()<&:=;"\''];

const word = fc.array(fc.constantFrom(...TEXT_CHARS), { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''));
const words = fc.array(word, { minLength: 1, maxLength: 3 }).map((ws) => ws.join(' '));
const codeText = (inCell: boolean) =>
  fc
    .array(fc.constantFrom(...CODE_CHARS, ...(inCell ? [] : ['\\'])), { minLength: 1, maxLength: 8 })
    .map((cs) => cs.join(''))
    .filter((s) => s.trim() !== '' && s === s.trim());

const linkMark: fc.Arbitrary<AdfMark> = fc
  .record({
    href: fc.constantFrom('https://example.com/a_b*c', 'https://x.io/(p)?q=1&amp;r=2', 'mailto:ops@example.com', 'relative/path with space', '', 'a\\b'),
    title: fc.option(words, { nil: undefined }),
  })
  .map(({ href, title }) => ({ type: 'link', attrs: title === undefined ? { href } : { href, title } }));

const styles = fc.subarray(['em', 'strong', 'strike'] as const);

/** One run of text with one set of marks. */
const segment = (inCell: boolean): fc.Arbitrary<AdfNode> =>
  fc.oneof(
    fc.record({ text: words, styles, link: fc.option(linkMark, { nil: undefined }) }).map(({ text, styles: s, link }) => {
      const marks: AdfMark[] = [...(link ? [link] : []), ...s.map((type) => ({ type }))];
      return marks.length > 0 ? { type: 'text', text, marks } : { type: 'text', text };
    }),
    fc.record({ text: codeText(inCell), link: fc.option(linkMark, { nil: undefined }) }).map(({ text, link }) => ({
      type: 'text',
      text,
      marks: [...(link ? [link] : []), { type: 'code' }],
    })),
    // A link whose text is its address: written as an autolink.
    fc.constant<AdfNode>({ type: 'text', text: 'https://example.com/x', marks: [{ type: 'link', attrs: { href: 'https://example.com/x' } }] }),
  );

const inline = (opts: { breaks: boolean; inCell?: boolean; min?: number }): fc.Arbitrary<AdfNode[]> =>
  fc
    .array(fc.tuple(segment(opts.inCell === true), opts.breaks ? fc.boolean() : fc.constant(false)), { minLength: opts.min ?? 1, maxLength: 5 })
    .map((parts) => {
      const out: AdfNode[] = [];
      parts.forEach(([seg, brk], i) => {
        if (i > 0) out.push(brk ? { type: 'hardBreak' } : { type: 'text', text: ' ' });
        out.push(seg);
      });
      return out;
    });

const paragraph = inline({ breaks: true }).map((content): AdfNode => ({ type: 'paragraph', content }));
const heading = fc.record({ level: fc.integer({ min: 1, max: 6 }), content: inline({ breaks: false }) }).map(
  ({ level, content }): AdfNode => ({ type: 'heading', attrs: { level }, content }),
);
const codeBlock = fc
  .record({
    language: fc.constantFrom('', 'ts', 'python', 'c++'),
    text: fc.array(fc.constantFrom(...CODE_CHARS, '\\', '\n', '```', '~~~', '    '), { maxLength: 12 }).map((cs) => cs.join('')),
  })
  .map(({ language, text }): AdfNode => ({
    type: 'codeBlock',
    ...(language ? { attrs: { language } } : {}),
    content: text === '' ? [] : [{ type: 'text', text }],
  }));
const rule = fc.constant<AdfNode>({ type: 'rule' });

function listAt(depth: number): fc.Arbitrary<AdfNode> {
  const nested: fc.Arbitrary<AdfNode>[] = depth > 0 ? [listAt(depth - 1), paragraph, codeBlock] : [paragraph, codeBlock];
  const item = fc
    .tuple(paragraph, fc.array(fc.oneof(...nested), { maxLength: 2 }))
    .map(([first, rest]): AdfNode => ({ type: 'listItem', content: [first, ...rest] }));
  const items = fc.array(item, { minLength: 1, maxLength: 3 });
  return fc.oneof(
    items.map((content): AdfNode => ({ type: 'bulletList', content })),
    fc
      .record({ order: fc.integer({ min: 0, max: 12 }), items })
      .map(({ order, items: content }): AdfNode => (order === 1 ? { type: 'orderedList', content } : { type: 'orderedList', attrs: { order }, content })),
  );
}
const list = listAt(2);

const taskItem = fc.record({ done: fc.boolean(), content: inline({ breaks: true, min: 0 }) }).map(
  ({ done, content }): AdfNode => ({ type: 'taskItem', attrs: { localId: 'x', state: done ? 'DONE' : 'TODO' }, content }),
);
const taskList = fc
  .array(fc.tuple(taskItem, fc.option(fc.array(taskItem, { minLength: 1, maxLength: 2 }), { nil: undefined })), { minLength: 1, maxLength: 3 })
  .map((items): AdfNode => ({
    type: 'taskList',
    attrs: { localId: 'x' },
    content: items.flatMap(([item, nested]) => (nested ? [item, { type: 'taskList', attrs: { localId: 'x' }, content: nested }] : [item])),
  }));

const quote = fc
  .array(fc.oneof(paragraph, list, codeBlock), { minLength: 1, maxLength: 3 })
  .filter((content) => content[0]?.type !== 'paragraph' || !String(content[0].content?.[0]?.text ?? '').endsWith(':'))
  .map((content): AdfNode => ({ type: 'blockquote', content }));
const panel = fc
  .record({
    panelType: fc.constantFrom('info', 'note', 'tip', 'warning', 'error', 'success'),
    content: fc.array(fc.oneof(paragraph, heading, list, codeBlock, rule, taskList), { minLength: 1, maxLength: 3 }),
  })
  .map(({ panelType, content }): AdfNode => ({ type: 'panel', attrs: { panelType }, content }));

const cell = (type: string) => inline({ breaks: true, inCell: true, min: 0 }).map((content): AdfNode => ({ type, content: [{ type: 'paragraph', content }] }));
const table = fc
  .integer({ min: 1, max: 3 })
  .chain((width) =>
    fc.tuple(fc.array(cell('tableHeader'), { minLength: width, maxLength: width }), fc.array(fc.array(cell('tableCell'), { minLength: width, maxLength: width }), { maxLength: 3 })),
  )
  .map(([header, rows]): AdfNode => ({
    type: 'table',
    content: [header, ...rows].map((cells) => ({ type: 'tableRow', content: cells })),
  }));

const block = fc.oneof(paragraph, heading, codeBlock, rule, list, taskList, quote, panel, table);
const adfDoc = fc.array(block, { maxLength: 6 }).map((content): AdfDoc => ({ type: 'doc', version: 1, content }));

function valid(adf: unknown): void {
  assert.deepEqual(checkAdf(adf), [], JSON.stringify(adf));
}

describe('round trip: ADF → Markdown → ADF', () => {
  test('generated documents are valid ADF (the generator stays in the schema)', () => {
    fc.assert(fc.property(adfDoc, (doc) => valid(doc)), { numRuns: 100 });
  });

  test('markdownToAdf(adfToMarkdown(doc)) equals doc, normalised', () => {
    fc.assert(
      fc.property(adfDoc, (doc) => {
        const markdown = adfToMarkdown(doc);
        const back = markdownToAdf(markdown);
        valid(back);
        assert.deepEqual(normalise(back), normalise(doc), `via Markdown:\n${markdown}`);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('plain text never throws on generated documents', () => {
    fc.assert(
      fc.property(adfDoc, (doc) => {
        const plain = adfToPlainText(doc);
        assert.equal(typeof plain, 'string');
      }),
      { numRuns: 100 },
    );
  });
});

// Markdown-flavoured noise: the tokens that make parsers disagree, in any order.
const TOKENS = [
  'a', 'b c', 'word', ' ', '  ', '    ', '\t', '\n', '\n\n', '*', '**', '***', '_', '__', '`', '``', '```', '~~', '~~~', '[', ']', '(', ')',
  '](', '![', '<', '>', '> ', '#', '# ', '## ', '-', '- ', '+ ', '* ', '1. ', '2) ', '- [ ] ', '- [x] ', '---', '|', '| a | b |\n| - | - |\n',
  '\\', '\\\n', ':', '!', '&amp;', '<https://x.io>', '[l](https://u.v "t")', 'é', '😀', '@Ada', '\r\n',
];
const markdownish = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((ts) => ts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
);

describe('Markdown → ADF → Markdown is stable after one trip', () => {
  test('markdownToAdf never throws and always returns valid ADF', () => {
    fc.assert(
      fc.property(markdownish, (s) => {
        valid(markdownToAdf(s));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('adfToMarkdown(markdownToAdf(s)) is a fixed point', () => {
    fc.assert(
      fc.property(markdownish, (s) => {
        const once = adfToMarkdown(markdownToAdf(s));
        const adf = markdownToAdf(once);
        valid(adf);
        const twice = adfToMarkdown(adf);
        assert.equal(twice, once, `input ${JSON.stringify(s)}`);
        // The first trip may still drop what Markdown cannot show (styling on whitespace at a
        // break, an empty paragraph); from then on the document itself is stable too.
        assert.deepEqual(normalise(markdownToAdf(twice)), normalise(adf), `input ${JSON.stringify(s)}`);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

test('an escaped checkbox in a list item stays text, as the Markdown written for a text `[x]` says (found by the fixed-point property)', () => {
  const once = adfToMarkdown(markdownToAdf('2) - [x] \r\n\t\t#'));
  assert.equal(once, '2. - \\[x]');
  assert.equal(adfToMarkdown(markdownToAdf(once)), once);
  assert.deepEqual(markdownToAdf('- \\[x]').content, [{ type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: '[x]' }] }] }] }]);
  // Unescaped, the same item is an empty task.
  assert.equal(markdownToAdf('- [x]').content[0]?.type, 'taskList');
});

test('a code block whose language starts with a fence character reads back as the same code block (found by the fixed-point property)', () => {
  const once = adfToMarkdown(markdownToAdf('~~~\\~~~`'));
  assert.equal(adfToMarkdown(markdownToAdf(once)), once);
  const made: AdfDoc = { type: 'doc', version: 1, content: [{ type: 'codeBlock', attrs: { language: '``js' }, content: [{ type: 'text', text: 'x()' }] }] };
  assert.equal(adfToMarkdown(made), '```js\nx()\n```');
});

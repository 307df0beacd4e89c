// Input from Jira or an external tool may be anything: nothing here may throw, and hostile
// input must not make the work blow up (linear passes, capped nesting).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { adfToMarkdown, adfToPlainText, markdownToAdf } from '../../../src/adf';
import { MAX_DELIMITER_CHARS, MAX_DEPTH, MAX_LINE_CONTAINERS, MAX_PARSED_CHARS } from '../../../src/adf/from-markdown';
import { doc, p, quote, strong, t } from './fixtures/paired';
import { normalise } from './normalise';
import { checkAdf } from '../../../devkit/jira/contract/adf';

describe('ADF that is not ADF', () => {
  const junk: unknown[] = [
    undefined,
    null,
    42,
    'plain *string*',
    [],
    {},
    { type: 'doc' },
    { type: 'doc', content: 'nope' },
    { type: 'doc', content: [null, 1, 'x', { type: 7 }, { type: 'paragraph', content: [{ type: 'text' }, { type: 'text', text: 5 }] }] },
    { type: 'doc', content: [{ type: 'text', text: 'loose inline at the top' }] },
    { type: 'doc', content: [{ type: 'heading', attrs: { level: 99 }, content: [{ type: 'text', text: 'h' }] }] },
    { type: 'doc', content: [{ type: 'orderedList', attrs: { order: -3 }, content: [{ type: 'paragraph' }] }] },
    { type: 'doc', content: [{ type: 'date', attrs: { timestamp: 'soon' } }, { type: 'status', attrs: {} }] },
    { type: 'paragraph', content: [{ type: 'text', text: 'a bare node' }] },
  ];
  for (const input of junk) {
    test(`best effort for ${JSON.stringify(input) ?? String(input)}`, () => {
      assert.equal(typeof adfToMarkdown(input), 'string');
      assert.equal(typeof adfToPlainText(input), 'string');
    });
  }

  test('what can be read is kept', () => {
    assert.equal(adfToMarkdown('plain *string*'), 'plain \\*string\\*');
    assert.equal(adfToPlainText('plain *string*'), 'plain *string*');
    assert.equal(adfToMarkdown({ type: 'doc', content: [{ type: 'text', text: 'loose inline at the top' }] }), 'loose inline at the top');
    assert.equal(adfToMarkdown({ type: 'paragraph', content: [{ type: 'text', text: 'a bare node' }] }), 'a bare node');
    assert.equal(adfToMarkdown({ type: 'doc', content: [{ type: 'date', attrs: { timestamp: 'soon' } }] }), 'soon');
    assert.equal(adfToMarkdown({ type: 'doc', content: [{ type: 'status', attrs: {} }] }), '[unsupported content: status]');
  });

  test('arbitrary JSON never throws', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        adfToMarkdown(value);
        adfToPlainText(value);
        adfToMarkdown({ type: 'doc', version: 1, content: [value] });
      }),
      { numRuns: 300 },
    );
  });

  test('nesting far beyond reason still gives the text', () => {
    let node: unknown = { type: 'paragraph', content: [{ type: 'text', text: 'deep' }] };
    for (let i = 0; i < 20_000; i++) node = { type: 'blockquote', content: [node] };
    const doc = { type: 'doc', version: 1, content: [node] };
    assert.match(adfToMarkdown(doc), /deep/);
    assert.match(adfToPlainText(doc), /deep/);
  });
});

describe('hostile Markdown', () => {
  // Each guard is shown at its bound and just past it, so the inputs stay small; how long the
  // parser takes on inputs far past the bounds is printed by bench/adf.ts.
  const hasMark = (adf: unknown, type: string): boolean => JSON.stringify(adf).includes(`"type":"${type}"`);

  test('up to the delimiter bound emphasis is read; past it, it shows as typed', () => {
    const at = '*a* '.repeat(MAX_DELIMITER_CHARS / 2).trimEnd();
    assert.equal(at.match(/\*/g)?.length, MAX_DELIMITER_CHARS);
    assert.ok(hasMark(markdownToAdf(at), 'em'));
    const past = markdownToAdf(`${at} ~`);
    assert.deepEqual(checkAdf(past), []);
    assert.ok(!hasMark(past, 'em'));
    assert.deepEqual(normalise(past), normalise(doc(p(t(`${at} ~`)))));
  });

  test('up to the length bound Markdown is read; past it, the rest is kept as plain paragraphs', () => {
    const within = markdownToAdf(`${'a'.repeat(MAX_PARSED_CHARS - 20)}\n\n**b**`);
    assert.deepEqual(normalise(within).content?.[1], normalise(p(t('b', strong))));
    const past = markdownToAdf(`${'a'.repeat(MAX_PARSED_CHARS)}\n\n**b**`);
    assert.deepEqual(checkAdf(past), []);
    assert.deepEqual(normalise(past).content?.[1], normalise(p(t('**b**'))));
  });

  test('up to the nesting bound quotes are read; past it, the whole text is kept as typed', () => {
    const at = markdownToAdf(`${'>'.repeat(MAX_LINE_CONTAINERS)} deep`);
    assert.deepEqual(normalise(at), normalise(doc(quote(p(t('deep'))))));
    for (const typed of [`${'>'.repeat(MAX_LINE_CONTAINERS + 1)} deep`, `intro\n\n${'> - '.repeat(MAX_LINE_CONTAINERS / 2 + 1)}deep`]) {
      const past = markdownToAdf(typed);
      assert.deepEqual(checkAdf(past), []);
      assert.equal(JSON.stringify(past).includes('"blockquote"'), false);
      assert.match(adfToPlainText(past), /deep$/);
      assert.equal(adfToPlainText(past).replace(/\s+/g, ''), typed.replace(/\s+/g, ''));
    }
  });

  test('blocks nested past the ADF depth keep their text', () => {
    const levels = MAX_DEPTH + 6;
    const markdown = Array.from({ length: levels }, (_, i) => `${'  '.repeat(i)}- x${i}`).join('\n');
    const adf = markdownToAdf(markdown);
    assert.deepEqual(checkAdf(adf), []);
    const plain = adfToPlainText(adf);
    for (let i = 0; i < levels; i++) assert.match(plain, new RegExp(`\\bx${i}\\b`));
    assert.match(adfToMarkdown(adf), new RegExp(`x${levels - 1}`));
  });

  // Inputs parsers have been slow on: each still gives valid ADF and Markdown.
  const n = MAX_DELIMITER_CHARS + 1;
  const inputs: Record<string, string> = {
    'unclosed emphasis': '*a '.repeat(n),
    'nested emphasis': `${'*a '.repeat(n / 2)}${'b* '.repeat(n / 2)}`,
    'long delimiter runs': `${'*'.repeat(n)}a${'*'.repeat(n)}`,
    'unclosed brackets': '[a'.repeat(n),
    'unclosed link tails': '[a](b '.repeat(n),
    'unclosed titles': '[a](b "'.repeat(n),
    'paren nesting': `[a](${'('.repeat(n)}`,
    'backtick runs': Array.from({ length: 60 }, (_, i) => '`'.repeat(i + 1)).join('a'),
    'unclosed code': '`a'.repeat(n),
    'angle brackets': '<a:'.repeat(n),
    'heading spaces': `# a${' '.repeat(n)}b`,
    'many table pipes': `${'|'.repeat(n)}\n${'|-'.repeat(n)}`,
    'long line of escapes': '\\'.repeat(n),
  };
  for (const [name, input] of Object.entries(inputs)) {
    test(name, () => {
      const adf = markdownToAdf(input);
      assert.deepEqual(checkAdf(adf), []);
      assert.equal(typeof adfToMarkdown(adf), 'string');
    });
  }
});

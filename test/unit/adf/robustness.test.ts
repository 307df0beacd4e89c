// Input from Jira or an external tool may be anything: nothing here may throw, and hostile
// input must not make the work blow up (linear passes, capped nesting).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { adfToMarkdown, adfToPlainText, markdownToAdf } from '../../../src/adf';
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
  // Each input is far larger than any description; a quadratic pass would take minutes.
  const n = 20_000;
  const inputs: Record<string, string> = {
    'unclosed emphasis': '*a '.repeat(n),
    'nested emphasis': `${'*a '.repeat(n)}${'b* '.repeat(n)}`,
    'long delimiter runs': `${'*'.repeat(n)}a${'*'.repeat(n)}`,
    'unclosed brackets': '[a'.repeat(n),
    'unclosed link tails': '[a](b '.repeat(n),
    'unclosed titles': '[a](b "'.repeat(n),
    'paren nesting': `[a](${'('.repeat(n)}`,
    'backtick runs': Array.from({ length: 200 }, (_, i) => '`'.repeat(i + 1)).join('a'),
    'unclosed code': '`a'.repeat(n),
    'angle brackets': '<a:'.repeat(n),
    'deep quotes': '>'.repeat(n),
    'deep lists': Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i * 2)}- x`).join('\n'),
    'heading spaces': `# a${' '.repeat(n)}b`,
    'many table pipes': `${'|'.repeat(n)}\n${'|-'.repeat(n)}`,
    'long line of escapes': '\\'.repeat(n),
  };
  for (const [name, input] of Object.entries(inputs)) {
    test(name, () => {
      const started = performance.now();
      const adf = markdownToAdf(input);
      const markdown = adfToMarkdown(adf);
      const elapsed = performance.now() - started;
      assert.deepEqual(checkAdf(adf), []);
      assert.equal(typeof markdown, 'string');
      // Printed, not asserted: a quadratic or exponential parser shows here, and the runner's
      // per-file timeout stops one that never finishes, whatever the machine's load.
      console.log(`adf robustness: ${name} took ${Math.round(elapsed)} ms`);
    });
  }
});

// Prints how long Markdown → ADF → Markdown takes on hostile inputs far past the converter's
// bounds (test/unit/adf/robustness.test.ts shows each bound at its threshold, with small inputs).
// A pass that grows with the square of its input shows here as seconds.
import { adfToMarkdown, markdownToAdf } from '../src/adf';

const n = 20_000;
const INPUTS: Record<string, string> = {
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

export function hostileMarkdownReport(): string[] {
  const lines = [`hostile Markdown (${n.toLocaleString('en')} repeats), Markdown → ADF → Markdown:`];
  for (const [name, input] of Object.entries(INPUTS)) {
    const started = performance.now();
    adfToMarkdown(markdownToAdf(input));
    lines.push(`  ${name}: ${Math.round(performance.now() - started)} ms`);
  }
  return lines;
}

if (require.main === module) console.log(hostileMarkdownReport().join('\n'));

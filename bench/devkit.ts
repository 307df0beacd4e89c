// What the devkit's own contract checks cost: compiling the ADF schema, checking documents, loading
// the Jira contract. Printed only; the tests check what these answer, never how fast.
import { checkAdf } from '../devkit/jira/contract/adf';
import { createOpenApiChecker } from '../devkit/jira/contract/openapi';

type Node = Record<string, unknown>;
const text = (value: string): Node => ({ type: 'text', text: value });
const paragraph = (...content: Node[]): Node => ({ type: 'paragraph', content });
const doc = (...content: Node[]): Node => ({ type: 'doc', version: 1, content });
const sample = doc(
  { type: 'heading', attrs: { level: 2 }, content: [text('Impact')] },
  paragraph(text('Checkout fails for EU customers.')),
  { type: 'bulletList', content: [{ type: 'listItem', content: [paragraph(text('one'))] }, { type: 'listItem', content: [paragraph(text('two'))] }] },
  { type: 'codeBlock', attrs: { language: 'sh' }, content: [text('curl -s https://example.com')] },
);

function ms(since: number): string {
  return `${(performance.now() - since).toFixed(0)} ms`;
}

export function devkitReport(): string[] {
  let started = performance.now();
  checkAdf(sample);
  const first = ms(started);
  started = performance.now();
  for (let i = 0; i < 1000; i++) checkAdf(sample);
  const valid = ms(started);
  const invalid = doc(paragraph({ type: 'text' }));
  started = performance.now();
  for (let i = 0; i < 1000; i++) checkAdf(invalid);
  const explained = ms(started);
  started = performance.now();
  const checker = createOpenApiChecker();
  const contract = ms(started);
  const edit = { method: 'PUT', path: '/rest/api/3/issue/OPS-1', body: { fields: { summary: 'x', labels: ['a'] } } };
  started = performance.now();
  checker.checkRequest(edit);
  const compile = ms(started);
  started = performance.now();
  for (let i = 0; i < 1000; i++) checker.checkRequest(edit);
  const checks = ms(started);
  return [
    'devkit contract checks',
    `  adf   first check (compiles the schema) ${first}; 1,000 valid documents ${valid}; 1,000 invalid ones, explained, ${explained}`,
    `  jira  loading the committed contract ${contract}; first check of an operation (compiles it) ${compile}; 1,000 checks ${checks}`,
  ];
}

if (require.main === module) console.log(devkitReport().join('\n'));

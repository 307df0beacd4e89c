import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAdf } from '../../../devkit/jira/contract/adf';

type Node = Record<string, unknown>;
const text = (value: string, marks?: Node[]): Node => (marks ? { type: 'text', text: value, marks } : { type: 'text', text: value });
const paragraph = (...content: Node[]): Node => ({ type: 'paragraph', content });
const doc = (...content: Node[]): Node => ({ type: 'doc', version: 1, content });

const fullDoc = doc(
  { type: 'heading', attrs: { level: 2 }, content: [text('Sync report')] },
  paragraph(
    text('Assigned to '),
    { type: 'mention', attrs: { id: '5b10a2844c20165700ede21g', text: '@Mia Krystof' } },
    text(' — see '),
    text('the record', [{ type: 'link', attrs: { href: 'https://tracker.example.com/records/4711' } }]),
    text(' and '),
    text('this', [{ type: 'strong' }, { type: 'em' }]),
    { type: 'hardBreak' },
    text('fix()', [{ type: 'code' }]),
  ),
  { type: 'bulletList', content: [{ type: 'listItem', content: [paragraph(text('first'))] }, { type: 'listItem', content: [paragraph(text('second'))] }] },
  { type: 'orderedList', attrs: { order: 1 }, content: [{ type: 'listItem', content: [paragraph(text('step'))] }] },
  { type: 'codeBlock', attrs: { language: 'typescript' }, content: [text('const retries = 3;')] },
  {
    type: 'table',
    attrs: { isNumberColumnEnabled: false, layout: 'default' },
    content: [
      { type: 'tableRow', content: [{ type: 'tableHeader', attrs: {}, content: [paragraph(text('Field'))] }, { type: 'tableHeader', attrs: {}, content: [paragraph(text('Value'))] }] },
      { type: 'tableRow', content: [{ type: 'tableCell', attrs: {}, content: [paragraph(text('status'))] }, { type: 'tableCell', attrs: {}, content: [paragraph(text('Done'))] }] },
    ],
  },
);

test('a document with heading, paragraph, mention, link, lists, code block and table is valid', () => {
  assert.deepEqual(checkAdf(fullDoc), []);
});

test('an unknown node type names the node and what is allowed there', () => {
  const problems = checkAdf(doc(paragraph(text('ok')), { type: 'callout', content: [paragraph(text('x'))] }));
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /^doc\.content\[1\]: node type "callout" is not allowed inside doc \(allowed: .*\bparagraph\b.*\)$/);
});

test('a node in the wrong place says which parent it is in', () => {
  assert.deepEqual(checkAdf(doc({ type: 'bulletList', content: [paragraph(text('not in a listItem'))] })), [
    'doc.content[0].content[0]: node type "paragraph" is not allowed inside bulletList (allowed: listItem)',
  ]);
});

test('a text node without text', () => {
  assert.deepEqual(checkAdf(doc(paragraph({ type: 'text' }))), ['doc.content[0].content[0] (text): missing required property "text"']);
  assert.deepEqual(checkAdf(doc(paragraph(text('')))), ['doc.content[0].content[0].text: must not be empty']);
});

test('a mark on the wrong node', () => {
  assert.deepEqual(checkAdf(doc({ type: 'paragraph', marks: [{ type: 'strong' }], content: [text('bold paragraph?')] })), [
    'doc.content[0].marks[0]: mark type "strong" is not allowed on paragraph (allowed: alignment, fontSize, indentation)',
  ]);
  assert.deepEqual(checkAdf(doc({ type: 'codeBlock', content: [text('x', [{ type: 'strong' }])] })), [
    'doc.content[0].content[0].marks: text inside codeBlock takes no marks',
  ]);
  const onText = checkAdf(doc(paragraph(text('centred?', [{ type: 'alignment', attrs: { align: 'center' } }]))));
  assert.equal(onText.length, 1);
  assert.match(onText[0] ?? '', /^doc\.content\[0\]\.content\[0\]\.marks\[0\]: mark type "alignment" is not allowed on text \(allowed: .*\bstrong\b.*\)$/);
});

test('attribute problems point at the attribute', () => {
  assert.deepEqual(checkAdf(doc({ type: 'heading', attrs: { level: 7 }, content: [text('h7')] })), ['doc.content[0].attrs.level: must be <= 6']);
  assert.deepEqual(checkAdf(doc(paragraph({ type: 'mention', attrs: { text: '@Mia' } }))), ['doc.content[0].content[0].attrs: missing required property "id"']);
  assert.deepEqual(checkAdf(doc(paragraph(text('x', [{ type: 'link', attrs: {} }])))), ['doc.content[0].content[0].marks[0].attrs: missing required property "href"']);
});

test('the root must be a doc', () => {
  assert.deepEqual(checkAdf('plain text'), ['doc: must be object']);
  assert.deepEqual(checkAdf({ type: 'doc', content: [] }), ['doc: missing required property "version"']);
  assert.deepEqual(checkAdf({ type: 'paragraph', version: 1, content: [] }), ['doc: node type "paragraph" is not allowed as the root (allowed: doc)']);
});

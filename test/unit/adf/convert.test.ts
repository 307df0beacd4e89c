import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adfToMarkdown, adfToPlainText, markdownToAdf, type AdfDoc, type AdfNode } from '../../../src/adf';
import { checkAdf } from '../../../devkit/jira/contract/adf';
import { normalise } from './normalise';
import { br, code, doc, em, h, li, link, ol, p, paired, panel, quote, strong, t, table, tasks, td, th, tr, ul, codeBlock, rule } from './fixtures/paired';

function assertValid(adf: unknown): void {
  assert.deepEqual(checkAdf(adf), [], `invalid ADF: ${JSON.stringify(adf)}`);
}

describe('paired fixtures', () => {
  for (const fixture of paired) {
    test(`${fixture.name}: ADF → Markdown`, () => {
      assertValid(fixture.adf);
      assert.equal(adfToMarkdown(fixture.adf), fixture.markdown);
    });
    test(`${fixture.name}: Markdown → ADF`, () => {
      const adf = markdownToAdf(fixture.markdown);
      assertValid(adf);
      assert.deepEqual(normalise(adf), normalise(fixture.adf));
    });
  }
});

// Constructs Markdown cannot hold: how each shows up on the way out, and what comes back.
const mention: AdfNode = { type: 'mention', attrs: { id: '5b10ac8d82e05b22cc7d4ef5', text: '@Ada Lovelace', accessLevel: '' } };
const emoji: AdfNode = { type: 'emoji', attrs: { shortName: ':smile:', id: '1f604', text: '😄' } };
const customEmoji: AdfNode = { type: 'emoji', attrs: { shortName: ':party_parrot:' } };
const status: AdfNode = { type: 'status', attrs: { text: 'In progress', color: 'blue' } };
const date: AdfNode = { type: 'date', attrs: { timestamp: '1795305600000' } };
const media = (alt?: string): AdfNode => ({
  type: 'media',
  attrs: { type: 'file', id: 'c0ffee00-0000-4000-8000-000000000001', collection: 'jira-10000', ...(alt ? { alt } : {}) },
});

interface OneWay {
  name: string;
  adf: AdfDoc;
  markdown: string;
  plain: string;
  /** What `markdownToAdf(markdown)` gives back, when it differs from a plain paragraph of the text. */
  back?: AdfDoc;
}

const oneWay: OneWay[] = [
  {
    name: 'mention',
    adf: doc(p(t('ping '), mention, t(' please'))),
    markdown: 'ping @Ada Lovelace please',
    plain: 'ping @Ada Lovelace please',
    back: doc(p(t('ping @Ada Lovelace please'))),
  },
  {
    name: 'emoji',
    adf: doc(p(t('done '), emoji, t(' '), customEmoji)),
    markdown: 'done :smile: :party_parrot:',
    plain: 'done 😄 :party_parrot:',
  },
  {
    name: 'status',
    adf: doc(p(t('state: '), status)),
    markdown: 'state: [IN PROGRESS]',
    plain: 'state: [IN PROGRESS]',
    back: doc(p(t('state: [IN PROGRESS]'))),
  },
  {
    name: 'status before a colon is not read as a link definition',
    adf: doc(p(status, t(': shipped'))),
    markdown: '\\[IN PROGRESS]: shipped',
    plain: '[IN PROGRESS]: shipped',
    back: doc(p(t('[IN PROGRESS]: shipped'))),
  },
  { name: 'date', adf: doc(p(t('due '), date)), markdown: 'due 2026-11-22', plain: 'due 2026-11-22' },
  {
    name: 'mediaSingle',
    adf: doc({ type: 'mediaSingle', attrs: { layout: 'center' }, content: [media('screenshot_1.png')] }),
    markdown: '[attachment: screenshot_1.png]',
    plain: '[attachment: screenshot_1.png]',
  },
  {
    name: 'mediaGroup and media without a name',
    adf: doc({ type: 'mediaGroup', content: [media('report.pdf'), media()] }),
    markdown: '[attachment: report.pdf] [attachment: c0ffee00-0000-4000-8000-000000000001]',
    plain: '[attachment: report.pdf] [attachment: c0ffee00-0000-4000-8000-000000000001]',
  },
  {
    name: 'external media with caption',
    adf: doc({
      type: 'mediaSingle',
      content: [
        { type: 'media', attrs: { type: 'external', url: 'https://img.example/x.png' } },
        { type: 'caption', content: [t('The chart')] },
      ],
    }),
    markdown: '[attachment: https://img.example/x.png] The chart',
    plain: '[attachment: https://img.example/x.png] The chart',
  },
  {
    name: 'underline, colour, sub/sup: styling dropped, text kept',
    adf: doc(p(t('under', { type: 'underline' }), t(' '), t('red', { type: 'textColor', attrs: { color: '#ff0000' } }), t(' H'), t('2', { type: 'subsup', attrs: { type: 'sub' } }), t('O'))),
    markdown: 'under red H2O',
    plain: 'under red H2O',
  },
  {
    name: 'expand',
    adf: doc({ type: 'expand', attrs: { title: 'Details' }, content: [p(t('hidden text'))] }),
    markdown: '**Details**\n\nhidden text',
    plain: 'Details\n\nhidden text',
    back: doc(p(t('Details', strong)), p(t('hidden text'))),
  },
  {
    name: 'nested expand in a table cell',
    adf: doc(table(tr({ type: 'tableCell', content: [{ type: 'nestedExpand', attrs: { title: 'More' }, content: [p(t('inside'))] }] }))),
    markdown: '| **More**<br>inside |\n| - |',
    plain: 'More inside',
    back: doc(table(tr(th(t('More', strong), br, t('inside'))))),
  },
  {
    name: 'decision list',
    adf: doc({
      type: 'decisionList',
      attrs: { localId: 'd' },
      content: [
        { type: 'decisionItem', attrs: { localId: 'd1', state: 'DECIDED' }, content: [t('ship it')] },
        { type: 'decisionItem', attrs: { localId: 'd2', state: 'UNDECIDED' }, content: [t('name it')] },
      ],
    }),
    markdown: '- [x] ship it\n- [ ] name it',
    plain: '- [x] ship it\n- [ ] name it',
    back: doc(tasks({ type: 'taskItem', attrs: { localId: 'x', state: 'DONE' }, content: [t('ship it')] }, { type: 'taskItem', attrs: { localId: 'x', state: 'TODO' }, content: [t('name it')] })),
  },
  {
    name: 'inline and block cards',
    adf: doc(p(t('see '), { type: 'inlineCard', attrs: { url: 'https://tandem.example/OPS-1' } }), { type: 'blockCard', attrs: { url: 'https://tandem.example/b' } }),
    markdown: 'see <https://tandem.example/OPS-1>\n\n<https://tandem.example/b>',
    plain: 'see https://tandem.example/OPS-1\n\nhttps://tandem.example/b',
    back: doc(p(t('see '), t('https://tandem.example/OPS-1', link('https://tandem.example/OPS-1'))), p(t('https://tandem.example/b', link('https://tandem.example/b')))),
  },
  {
    name: 'unknown block without text',
    adf: doc({ type: 'extension', attrs: { extensionType: 'com.example', extensionKey: 'chart' } }),
    markdown: '[unsupported content: extension]',
    plain: '[unsupported content: extension]',
  },
  {
    name: 'unknown inline without text',
    adf: doc(p(t('a '), { type: 'inlineExtension', attrs: { extensionType: 'x', extensionKey: 'y' } })),
    markdown: 'a [unsupported content: inlineExtension]',
    plain: 'a [unsupported content: inlineExtension]',
  },
  {
    name: 'unknown node with text content',
    adf: doc({ type: 'layoutSection', content: [{ type: 'layoutColumn', attrs: { width: 50 }, content: [p(t('left'))] }, { type: 'layoutColumn', attrs: { width: 50 }, content: [p(t('right'))] }] }),
    markdown: 'left\n\nright',
    plain: 'left\n\nright',
  },
  {
    name: 'a table whose first row is not a header gains one',
    adf: doc(table(tr(td(t('a')), td(t('b'))))),
    markdown: '| a | b |\n| - | - |',
    plain: 'a | b',
    back: doc(table(tr(th(t('a')), th(t('b'))))),
  },
  {
    name: 'custom panel reads as a note',
    adf: doc(panel('custom', p(t('x')))),
    markdown: '> **Note:** x',
    plain: '> Note: x',
    back: doc(panel('note', p(t('x')))),
  },
];

describe('one-way: what Markdown cannot hold', () => {
  for (const c of oneWay) {
    test(c.name, () => {
      assert.equal(adfToMarkdown(c.adf), c.markdown);
      assert.equal(adfToPlainText(c.adf), c.plain);
      const back = markdownToAdf(c.markdown);
      assertValid(back);
      if (c.back) assert.deepEqual(normalise(back), normalise(c.back));
    });
  }
});

describe('plain text', () => {
  test('structure without syntax', () => {
    const adf = doc(
      h(1, t('Title')),
      p(t('a '), t('b', strong), t(' '), t('site', link('https://x.io')), t(' '), t('same', link('same')), br, t('next *line*')),
      ul(li(p(t('one')), ol(3, li(p(t('three')))))),
      codeBlock('x = 1', 'py'),
      quote(p(t('q'))),
      rule,
      table(tr(th(t('h1')), th(t('h2'))), tr(td(t('c')), td(t('d')))),
    );
    assert.equal(
      adfToPlainText(adf),
      'Title\n\na b site (https://x.io) same\nnext *line*\n\n- one\n  3. three\n\nx = 1\n\n> q\n\n---\n\nh1 | h2\nc | d',
    );
  });
});

describe('Markdown → ADF: syntax variants', () => {
  const cases: { name: string; markdown: string; adf: AdfDoc }[] = [
    { name: 'underscore emphasis', markdown: '__strong__ and _em_', adf: doc(p(t('strong', strong), t(' and '), t('em', em))) },
    { name: 'intraword underscores are text', markdown: 'snake_case_name', adf: doc(p(t('snake_case_name'))) },
    { name: 'soft line break becomes a hard break', markdown: 'one\ntwo', adf: doc(p(t('one'), br, t('two'))) },
    { name: 'two trailing spaces', markdown: 'one  \ntwo', adf: doc(p(t('one'), br, t('two'))) },
    { name: 'closing hashes', markdown: '## Title ##', adf: doc(h(2, t('Title'))) },
    { name: '* and + bullets', markdown: '* a\n* b\n\n+ c', adf: doc(ul(li(p(t('a'))), li(p(t('b')))), ul(li(p(t('c'))))) },
    { name: 'ordered with )', markdown: '3) c\n4) d', adf: doc(ol(3, li(p(t('c'))), li(p(t('d'))))) },
    { name: 'tilde fence', markdown: '~~~ python extra\nprint(1)\n~~~', adf: doc(codeBlock('print(1)', 'python')) },
    { name: 'unclosed fence runs to the end', markdown: '```\na\n\nb', adf: doc(codeBlock('a\n\nb')) },
    { name: 'nested quotes flatten', markdown: '> a\n> > b', adf: doc(quote(p(t('a')), p(t('b')))) },
    { name: 'lazy quote continuation', markdown: '> a\nb', adf: doc(quote(p(t('a'), br, t('b')))) },
    { name: 'heading in a quote becomes a paragraph', markdown: '> # Title', adf: doc(quote(p(t('Title')))) },
    { name: 'rules', markdown: '***\n\n* * *\n\n___', adf: doc(rule, rule, rule) },
    { name: 'table without outer pipes', markdown: 'a | b\n--|:-:\n1 | 2 | 3', adf: doc(table(tr(th(t('a')), th(t('b'))), tr(td(t('1')), td(t('2'))))) },
    { name: 'table after a paragraph line', markdown: 'intro\n| a |\n| - |\n| b |', adf: doc(p(t('intro')), table(tr(th(t('a'))), tr(td(t('b'))))) },
    { name: 'table in a list item becomes text', markdown: '- | a |\n  | - |\n  | b |', adf: doc(ul(li(p(t('a')), p(t('b'))))) },
    { name: 'image becomes a link', markdown: '![diagram](https://x.io/d.png)', adf: doc(p(t('diagram', link('https://x.io/d.png')))) },
    { name: 'mention stays text', markdown: '@Ada please look', adf: doc(p(t('@Ada please look'))) },
    { name: 'link inside emphasis', markdown: '**see [x](u)**', adf: doc(p(t('see ', strong), t('x', link('u'), strong))) },
    { name: 'code drops other styles', markdown: '**a `b`**', adf: doc(p(t('a ', strong), t('b', code))) },
    { name: 'no link inside a link', markdown: '[a [b](u) c](v)', adf: doc(p(t('[a '), t('b', link('u')), t(' c](v)'))) },
    { name: 'unmatched delimiters are text', markdown: '**a *b', adf: doc(p(t('**a *b'))) },
    { name: 'empty list item', markdown: '-\n- b', adf: doc(ul(li(p()), li(p(t('b'))))) },
    { name: 'list item starting with code gets a paragraph', markdown: '- ```\n  x\n  ```', adf: doc(ul(li(p(), codeBlock('x')))) },
    { name: 'task list in a quote stays a bullet list', markdown: '> - [ ] a', adf: doc(quote(ul(li(p(t('[ ] a')))))) },
    { name: 'mixed tasks and items', markdown: '- [ ] a\n- b', adf: doc(ul(li(p(t('[ ] a'))), li(p(t('b'))))) },
    { name: 'CRLF line ends', markdown: '# T\r\n\r\nx\r\ny', adf: doc(h(1, t('T')), p(t('x'), br, t('y'))) },
    { name: 'whitespace only', markdown: ' \n\t\n', adf: doc() },
    // Other ways to write what the paired fixtures hold, as other tools write them.
    { name: 'strong and em with one marker', markdown: '***all*** and **bold *both***', adf: doc(p(t('all', em, strong), t(' and '), t('bold ', strong), t('both', em, strong))) },
    { name: 'adjacent strong and em with one marker', markdown: '**bold***italic*', adf: doc(p(t('bold', strong), t('italic', em))) },
    { name: 'table with long delimiters and padded empty cell', markdown: '| Name | Value |\n| --- | --- |\n| a\\|b | `x` |\n| 1<br>2 |  |', adf: doc(table(tr(th(t('Name')), th(t('Value'))), tr(td(t('a|b')), td(t('x', code))), tr(td(t('1'), br, t('2')), td()))) },
    { name: 'both brackets escaped', markdown: '\\[not a link\\](x) \\[ \\]', adf: doc(p(t('[not a link](x) [ ]'))) },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const adf = markdownToAdf(c.markdown);
      assertValid(adf);
      assert.deepEqual(normalise(adf), normalise(c.adf));
    });
  }
});

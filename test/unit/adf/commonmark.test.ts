// The CommonMark spec's 652 examples, Markdown → ADF → Markdown. Every one gives valid ADF and a
// Markdown that reads back the same; no visible word is lost except where Tandem's reading knowingly
// differs from CommonMark's (listed below). The shares that survive whole are printed by bench/.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adfToMarkdown, markdownToAdf } from '../../../src/adf';
import { specExamples, tripExample } from '../../support/commonmark';

// Character references other than the escaping ones stay as written (`&copy;` shows as typed),
// and an HTML block is not recognised, so a fence inside one is read as a code block.
const KNOWN_LOSS: ReadonlySet<number> = new Set([25, 26, 27, 161]);

describe('CommonMark spec examples through ADF', () => {
  const outcomes = specExamples().map(tripExample);

  test('every example gives valid ADF', () => {
    const invalid = outcomes.filter((o) => o.problems.length > 0).map((o) => `#${o.number}: ${o.problems.join('; ')}`);
    assert.deepEqual(invalid, []);
  });

  test('no visible word is lost, except the known differences', () => {
    const lost = outcomes.filter((o) => o.lost.length > 0 && !KNOWN_LOSS.has(o.number)).map((o) => `#${o.number} lost ${o.lost.join(' ')} via ${JSON.stringify(o.back)}`);
    assert.deepEqual(lost, []);
  });

  test('the Markdown written back reads back as the same document', () => {
    const unstable = outcomes.filter((o) => adfToMarkdown(markdownToAdf(o.back)) !== o.back).map((o) => `#${o.number}: ${JSON.stringify(o.markdown)}`);
    assert.deepEqual(unstable, []);
  });
});

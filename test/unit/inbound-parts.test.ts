// Large inbound events wait or are kept in storage in parts: every part must fit one Forge storage
// value once stored (JSON-encoded, UTF-8), whatever the text holds, and the parts must join back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partsOf } from '../../src/sync/inbound';

const VALUE_LIMIT = 240 * 1024;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const storedBytes = (part: string) => Buffer.byteLength(JSON.stringify(part), 'utf8');

test('parts fit one storage value and join back, for plain, escaped, multi-byte and astral text', () => {
  const texts = {
    ascii: 'a'.repeat(1_048_576),
    quotes: '"\\'.repeat(524_288),
    euro: '€'.repeat(349_525),
    emoji: '🙂x'.repeat(200_000),
    mixed: 'Log "ok" – résumé € 漢字 \\ end.\n🙂'.repeat(25_000),
    // The most a 1 MB body can grow when parsed and written again: 9e20 comes back as 21 digits.
    numbers: JSON.stringify(JSON.parse(`[${'9e20,'.repeat(209_714)}9e20]`)),
  };
  for (const [name, text] of Object.entries(texts)) {
    const parts = partsOf(text);
    assert.equal(parts.join(''), text, name);
    for (const part of parts) assert.ok(storedBytes(part) <= VALUE_LIMIT, `${name}: a part of ${storedBytes(part)} bytes`);
    assert.ok(parts.length <= 25, `${name}: ${parts.length} parts`);
    for (const part of parts) assert.doesNotMatch(part, LONE_SURROGATE, `${name}: no part splits a surrogate pair`);
  }
});

test('a small text is one part; an empty one none', () => {
  assert.deepEqual(partsOf('{"a":1}'), ['{"a":1}']);
  assert.deepEqual(partsOf(''), []);
});

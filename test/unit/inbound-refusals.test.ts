// The refused-calls record stays bounded whatever a caller sends: a capped count and a few reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRefused, refusedKey, REFUSED_COUNT_CAP } from '../../src/sync/inbound-refusals';

const at = Date.UTC(2026, 11, 5, 21, 10);

test('an hour stops counting at the cap: nothing more is written', () => {
  let value: unknown;
  for (let i = 0; i < REFUSED_COUNT_CAP; i++) {
    value = nextRefused(value, at + i, { connectionId: 'c', reason: 'bad signature' });
    assert.ok(value);
  }
  assert.equal(nextRefused(value, at + REFUSED_COUNT_CAP, { connectionId: 'c', reason: 'bad signature' }), undefined);
});

test('many distinct reasons are folded into a few', () => {
  let value: ReturnType<typeof nextRefused>;
  for (let i = 0; i < 50; i++) value = nextRefused(value, at, { connectionId: 'c', reason: `reason ${i}` });
  assert.ok(value);
  assert.ok(Object.keys(value.reasons).length <= 8);
  assert.equal(Object.values(value.reasons).reduce((a, b) => a + b, 0), 50);
});

test('one key an hour a connection, and one for calls naming none, newest first', () => {
  assert.equal(refusedKey(at, 'c'), refusedKey(at + 40 * 60 * 1000, 'c'));
  assert.notEqual(refusedKey(at, 'c'), refusedKey(at + 60 * 60 * 1000, 'c'));
  assert.ok(refusedKey(at + 60 * 60 * 1000, undefined) < refusedKey(at, undefined));
  assert.notEqual(refusedKey(at, undefined), refusedKey(at, 'unknown'));
});

// The retry schedule: quick first retries (most faults pass within seconds), jittered so deliveries
// that failed together do not come back together, never sooner than the other side asked, and no
// single queue delay longer than Forge allows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ATTEMPTS, MAX_DELAY_SECONDS, retryDelaySeconds } from '../../src/sync/delivery';

const fixed = (value: number) => () => value;

test('the first two retries come within seconds, whatever the jitter draws', () => {
  for (const draw of [0, 0.5, 0.999]) {
    assert.ok(retryDelaySeconds(1, undefined, fixed(draw)) <= 3, `first retry with draw ${draw}`);
    assert.ok(retryDelaySeconds(2, undefined, fixed(draw)) <= 7, `second retry with draw ${draw}`);
  }
});

test('retries are jittered and grow, and none waits longer than one queue delay unless the other side asks', () => {
  assert.notEqual(retryDelaySeconds(3, undefined, fixed(0)), retryDelaySeconds(3, undefined, fixed(0.99)));
  let previous = 0;
  for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
    const delay = retryDelaySeconds(attempt, undefined, fixed(0.5));
    assert.ok(delay >= previous && delay >= 1 && delay <= MAX_DELAY_SECONDS, `attempt ${attempt}: ${delay} s`);
    previous = delay;
  }
});

test('a Retry-After longer than the backoff is honoured', () => {
  assert.equal(retryDelaySeconds(1, 30, fixed(0.5)), 30);
  assert.equal(retryDelaySeconds(1, 2.2, fixed(0)), 3);
  assert.equal(retryDelaySeconds(2, 3_600, fixed(0.5)), 3_600);
});

// The retry schedule: quick first retries (most faults pass within seconds), jittered so deliveries
// that failed together do not come back together, never sooner than the other side asked, and no
// single queue delay longer than Forge allows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busyWaitSeconds, MAX_ATTEMPTS, MAX_DELAY_SECONDS, retryDelaySeconds } from '../../src/sync/delivery';

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

test('a delivery that finds its subject busy looks again within seconds, then ever less often, a few times in a lock’s lifetime', () => {
  assert.ok(busyWaitSeconds(1, 120, fixed(0.999)) <= 3);
  let waited = 0;
  let looks = 0;
  for (let spent = 0; spent < 120; spent += busyWaitSeconds(++waited, 120, fixed(0))) looks += 1;
  assert.ok(looks <= 8, `${looks} looks in 120 s`);
  assert.ok(busyWaitSeconds(30, 120, fixed(0.999)) <= 120 * 1.3);
});

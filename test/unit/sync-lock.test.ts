// Which locks a try waits for: one a live try may still let go of soon, not one a slow or dead try
// took long ago (that event is queued at once instead, and the wait is not spent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heldPastLiveHold, LIVE_HOLD_SECONDS } from '../../src/sync/sync-lock';

const now = Date.UTC(2026, 11, 7, 9, 0);
const takenAgo = (ms: number) => ({ at: new Date(now - ms).toISOString() });

test('a lock is waited for while it is younger than a live try holds one, and not after', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['taken just now', takenAgo(0), false],
    ['taken a second before the live hold ends', takenAgo((LIVE_HOLD_SECONDS - 1) * 1000), false],
    ['taken as long ago as a live try holds one', takenAgo(LIVE_HOLD_SECONDS * 1000), true],
    ['taken a minute ago, with its holder named', { ...takenAgo(60_000), holder: 'queue-1' }, true],
    ['a value with no time in it', { holder: 'queue-1' }, false],
    ['a time that is not a date', { at: 'soon' }, false],
    ['no value', undefined, false],
  ];
  for (const [what, value, past] of cases) assert.equal(heldPastLiveHold(value, now), past, what);
});

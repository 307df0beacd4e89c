import type { ClockPort } from '../sync/ports';

export const systemClock: ClockPort = { now: () => Date.now() };

import type { ClockPort } from '../ports';

export const systemClock: ClockPort = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

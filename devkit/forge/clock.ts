// The platform's time. Tests use virtual time (real time plus an offset they advance), so a
// 900-second retry delay costs nothing; the sandbox uses real time. The app's own code reads it as
// Date.now() (runtime.ts), as a Forge function reads the wall clock Jira and the tool share.

/** The wall clock, as it was before the emulator made Date.now() the platform's time inside invocations. */
export const wallNow: () => number = ((Date.now as { wall?: () => number }).wall ?? Date.now).bind(Date);

export interface PlatformClock {
  now(): number;
  /** Moves virtual time forward; a real clock refuses. */
  advance(ms: number): void;
  readonly virtual: boolean;
}

export class VirtualClock implements PlatformClock {
  readonly virtual = true;
  private offset = 0;
  now(): number {
    return wallNow() + this.offset;
  }
  advance(ms: number): void {
    if (ms < 0) throw new Error('time only moves forward');
    this.offset += ms;
  }
}

export class RealClock implements PlatformClock {
  readonly virtual = false;
  now(): number {
    return wallNow();
  }
  advance(): void {
    throw new Error('the real clock cannot be advanced; start the emulator with a virtual clock');
  }
}

// The platform's time. Tests use virtual time (real time plus an offset they advance), so a
// 900-second retry delay costs nothing; the sandbox uses real time.

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
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    if (ms < 0) throw new Error('time only moves forward');
    this.offset += ms;
  }
}

export class RealClock implements PlatformClock {
  readonly virtual = false;
  now(): number {
    return Date.now();
  }
  advance(): void {
    throw new Error('the real clock cannot be advanced; start the emulator with a virtual clock');
  }
}

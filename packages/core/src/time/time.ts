/**
 * Time in eddy is milliseconds as a JS number (integers up to 2^53 are exact).
 * A record without a timestamp carries NO_TIMESTAMP. Watermarks are numbers too;
 * MIN_WATERMARK is the start, MAX_WATERMARK the final one at the end of bounded input.
 */
export const NO_TIMESTAMP = Number.NEGATIVE_INFINITY;
export const MIN_WATERMARK = Number.NEGATIVE_INFINITY;
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;

/** Durations in milliseconds, written the way Flink users know them. */
export const Time = {
  milliseconds: (n: number): number => n,
  seconds: (n: number): number => n * 1000,
  minutes: (n: number): number => n * 60_000,
  hours: (n: number): number => n * 3_600_000,
  days: (n: number): number => n * 86_400_000,
} as const;

/** A clock the runtime reads processing time from; tests pass a manual one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told; used by harnesses to control processing time. */
export class ManualClock implements Clock {
  private time: number;
  constructor(start = 0) {
    this.time = start;
  }
  now(): number {
    return this.time;
  }
  set(time: number): void {
    if (time < this.time) throw new Error(`ManualClock cannot go back from ${this.time} to ${time}`);
    this.time = time;
  }
  advance(ms: number): void {
    this.set(this.time + ms);
  }
}

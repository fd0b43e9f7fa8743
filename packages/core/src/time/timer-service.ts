/**
 * Timers the job's coordinating code waits on (the checkpoint interval and timeout, the restart
 * delay), behind one small interface so that tests control time instead of racing it (the idea of
 * TanStack Query's timeoutManager). `systemTimers` is Node's timers and a monotonic clock;
 * `ManualTimerService` moves only when a test advances it, and fires what falls due in order.
 * Processing time inside tasks has its own `Clock` (time.ts); this one is for the coordinator.
 */

/** What setTimeout/setInterval return: opaque, only handed back to clear it. */
export type TimerHandle = ReturnType<typeof setTimeout> | number;

export interface TimerService {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
  /** Milliseconds on a monotonic clock (durations and failure times, not dates). */
  now(): number;
}

export const systemTimers: TimerService = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout> | undefined),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval> | undefined),
  now: () => performance.now(),
};

interface ManualTimer {
  readonly id: number;
  due: number;
  readonly callback: () => void;
  /** Set for an interval: its period. */
  readonly every: number | undefined;
}

/**
 * Timers that fire only when the test says how much time passed: `advance(ms)` runs every timer
 * due by then, earliest first (ties in the order they were set), at its own due time, including
 * timers those callbacks set within the window. `whenScheduled()` resolves once a timer is
 * pending, so a test waits for the code under test to start waiting instead of guessing.
 */
export class ManualTimerService implements TimerService {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, ManualTimer>();
  private readonly waiters: (() => void)[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): number {
    return this.add(callback, ms, undefined);
  }

  setInterval(callback: () => void, ms: number): number {
    return this.add(callback, ms, Math.max(1, ms));
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (typeof handle === "number") this.timers.delete(handle);
  }

  clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle);
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /** When the earliest pending timer is due, or undefined when none is. */
  get nextDue(): number | undefined {
    return this.earliest()?.due;
  }

  /** Resolves when at least one timer is pending (at once if one is). */
  whenScheduled(): Promise<void> {
    if (this.timers.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualTimerService cannot advance by ${ms} ms`);
    const target = this.time + ms;
    for (;;) {
      const timer = this.earliest();
      if (timer === undefined || timer.due > target) break;
      this.time = timer.due;
      if (timer.every === undefined) this.timers.delete(timer.id);
      else timer.due += timer.every;
      timer.callback();
    }
    this.time = target;
  }

  /** Advances to the earliest pending timer and fires it (and any due at the same time). */
  runNext(): void {
    const due = this.nextDue;
    if (due === undefined) throw new Error("ManualTimerService.runNext: no timer is pending");
    this.advance(due - this.time);
  }

  private add(callback: () => void, ms: number, every: number | undefined): number {
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.time + Math.max(0, ms), callback, every });
    for (const resolve of this.waiters.splice(0)) resolve();
    return id;
  }

  private earliest(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const timer of this.timers.values())
      if (best === undefined || timer.due < best.due || (timer.due === best.due && timer.id < best.id))
        best = timer;
    return best;
  }
}

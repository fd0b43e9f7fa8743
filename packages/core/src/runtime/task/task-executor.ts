/**
 * Runs the tasks of one thread cooperatively. Each round gives every runnable task one step
 * (one batch); rounds repeat for a short time slice, then the loop yields to the event loop so
 * message ports, file reads and timers can run. When no task can move, the loop sleeps until a
 * wakeup (data or credit arrived, a read finished) or the next processing-time timer.
 */
import type { Clock } from "../../time/time.ts";
import type { Task } from "./task.ts";

const SLICE_MS = 20;

export class TaskExecutor {
  private wakeResolve: (() => void) | undefined;
  private woken = false;
  private cancelled = false;
  /** Set from outside the tasks (the checkpoint coordinator): the run fails with it. */
  private failure: Error | undefined;
  private readonly yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

  private tasks: readonly Task[] = [];

  /** An executor exists before its tasks: they are deployed with its `wake`. */
  constructor(private readonly clock: Clock) {}

  /** Wakes the loop; safe to call from any callback. */
  readonly wake = (): void => {
    this.woken = true;
    const resolve = this.wakeResolve;
    if (resolve !== undefined) {
      this.wakeResolve = undefined;
      resolve();
    }
  };

  cancel(): void {
    this.cancelled = true;
    this.wake();
  }

  /** Fails the run with `error` (its tasks are released as after a task failure). */
  fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /**
   * Runs `tasks` until every one has finished (bounded input) or the executor is cancelled (also
   * before the run: the tasks are then opened and released at once).
   */
  async run(tasks: readonly Task[]): Promise<void> {
    this.tasks = tasks;
    try {
      await this.loop();
    } catch (error) {
      await Promise.all(this.tasks.map((t) => t.release(false)));
      throw error;
    }
    await Promise.all(this.tasks.map((t) => t.release(true)));
  }

  private async loop(): Promise<void> {
    const now0 = this.clock.now();
    for (const task of this.tasks) task.open(now0);
    while (!this.cancelled) {
      if (this.failure !== undefined) throw this.failure;
      let progressed = false;
      const sliceEnd = performance.now() + SLICE_MS;
      do {
        this.woken = false;
        progressed = false;
        const now = this.clock.now();
        for (const task of this.tasks) {
          task.checkFailure();
          if (task.step(now)) progressed = true;
        }
        this.fireTimers(now);
      } while (progressed && !this.cancelled && performance.now() < sliceEnd);

      if (this.tasks.every((t) => t.settled)) {
        for (const task of this.tasks) task.checkFailure();
        return;
      }
      if (progressed || this.woken) {
        await this.yieldNow();
        continue;
      }
      const now = this.clock.now();
      for (const task of this.tasks) task.flushWriters(now);
      await this.sleep(this.nextTimer() - now);
    }
  }

  private fireTimers(now: number): void {
    for (const task of this.tasks) if (task.nextProcessingTime() <= now) task.advanceProcessingTime(now);
  }

  private nextTimer(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const task of this.tasks) next = Math.min(next, task.nextProcessingTime());
    return next;
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.wakeResolve = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
      if (Number.isFinite(ms)) timer = setTimeout(this.wake, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    });
  }
}

/**
 * Restart strategies, as in Flink: when a running job fails with an error that running again may
 * cure (an I/O error, a flush that failed), the run is restarted, from its latest checkpoint when
 * checkpointing is on. The decision is a pure function of the strategy, the failure times and the
 * clock; `runWithRestarts` does the waiting, on an injectable `TimerService`. Errors that say they
 * cannot be cured by a retry (a bad job definition, a record that makes user code throw) fail the
 * job at once.
 */
import { EddyError, errorMessage, JobFailedError } from "../../errors.ts";
import { systemTimers, type TimerService } from "../../time/timer-service.ts";

export type RestartStrategy =
  | { readonly kind: "none" }
  | { readonly kind: "fixed-delay"; readonly attempts: number; readonly delayMs: number }
  | {
      readonly kind: "exponential-backoff";
      readonly initialDelayMs: number;
      readonly maxDelayMs: number;
      readonly multiplier?: number;
      /** Give up after this many restarts in a row; unlimited when absent. */
      readonly attempts?: number;
    }
  | {
      readonly kind: "failure-rate";
      /** At most this many failures ... */
      readonly maxFailures: number;
      /** ... within this interval, or the job fails. */
      readonly intervalMs: number;
      readonly delayMs: number;
    };

export type RestartDecision =
  | { readonly restart: true; readonly delayMs: number }
  | { readonly restart: false };

/** Whether to restart after the failures so far (their times, oldest first, the newest last). */
export function decideRestart(strategy: RestartStrategy, failureTimes: readonly number[]): RestartDecision {
  const failures = failureTimes.length;
  switch (strategy.kind) {
    case "none":
      return { restart: false };
    case "fixed-delay":
      return failures <= strategy.attempts
        ? { restart: true, delayMs: strategy.delayMs }
        : { restart: false };
    case "exponential-backoff": {
      if (strategy.attempts !== undefined && failures > strategy.attempts) return { restart: false };
      const delay = strategy.initialDelayMs * (strategy.multiplier ?? 2) ** (failures - 1);
      return { restart: true, delayMs: Math.min(delay, strategy.maxDelayMs) };
    }
    case "failure-rate": {
      const newest = failureTimes[failures - 1];
      const recent = failureTimes.filter((t) => newest - t < strategy.intervalMs).length;
      return recent <= strategy.maxFailures
        ? { restart: true, delayMs: strategy.delayMs }
        : { restart: false };
    }
  }
}

/** Can running again cure this error? */
export function isRetriable(error: unknown): boolean {
  return !(error instanceof EddyError) || error.retriable;
}

export async function runWithRestarts<R>(
  run: () => Promise<R>,
  strategy: RestartStrategy | undefined,
  warn: (message: string) => void,
  /** The clock of the failure times and the delay before a restart; tests pass manual timers. */
  timers: TimerService = systemTimers,
): Promise<R> {
  const failures: number[] = [];
  for (;;) {
    try {
      return await run();
    } catch (error) {
      if (strategy === undefined || strategy.kind === "none" || !isRetriable(error)) throw error;
      failures.push(timers.now());
      const decision = decideRestart(strategy, failures);
      if (!decision.restart)
        throw new JobFailedError(
          `the job failed ${failures.length} time(s) and its restart strategy (${strategy.kind}) gives up: ${errorMessage(error)}`,
          error,
        );
      warn(
        `the job failed (${errorMessage(error)}); restarting in ${decision.delayMs} ms (failure ${failures.length})`,
      );
      await new Promise<void>((resolve) => timers.setTimeout(resolve, decision.delayMs));
    }
  }
}

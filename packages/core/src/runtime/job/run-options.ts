/**
 * The options of a run, shared by `runJob` and `runJobModule`, and where their defaults send
 * what a run reports when the caller does not listen: warnings and dead letters go to stderr.
 */
import type { DeadLetter } from "../../api/output-tag.ts";
import type { CheckpointOptions } from "../../checkpoint/checkpoint-coordinator.ts";
import { describeRecord } from "../../errors.ts";
import type { PlanOverrides } from "../../plan/physical-plan.ts";
import type { Clock } from "../../time/time.ts";
import type { TimerService } from "../../time/timer-service.ts";
import type { JobControl } from "./job-control.ts";
import type { JobProgress } from "./job-metrics.ts";
import type { RestartStrategy } from "./restart-strategy.ts";

export interface RunOptions extends PlanOverrides {
  /** Processing time source; tests pass a ManualClock. */
  clock?: Clock;
  /** Stops an unbounded job (or a bounded one early). */
  signal?: AbortSignal;
  /** Called every `progressIntervalMs` while the job runs, and once at the end. */
  onProgress?: (progress: JobProgress) => void;
  progressIntervalMs?: number;
  /** Where unconsumed dead letters are reported; stderr by default. */
  onDeadLetter?: (letter: DeadLetter) => void;
  /** Periodic checkpoints and recovery from the latest one; off when absent. */
  checkpointing?: CheckpointOptions;
  /** Warnings (a corrupt checkpoint skipped, a checkpoint discarded); stderr by default. */
  onWarning?: (message: string) => void;
  /** What to do when the running job fails with a retriable error; no restart when absent. */
  restartStrategy?: RestartStrategy;
  /** A handle to take savepoints of the running job, or stop it with one. */
  control?: JobControl;
  /** Timers of the checkpoint coordinator and the restart delay; tests pass ManualTimerService. */
  timers?: TimerService;
  /** The configuration the job was built from (JobContext.config): checkpoints record it, and a resume compares it. */
  config?: Record<string, unknown>;
}

export interface ModuleRunOptions extends Omit<RunOptions, "clock"> {
  /** Configuration handed to the job module's factory (and recorded by checkpoints). */
  config?: Record<string, unknown>;
}

export function defaultDeadLetterLog(): (letter: DeadLetter) => void {
  let logged = 0;
  return (letter) => {
    logged++;
    if (logged === 21)
      process.stderr.write(
        "[eddy] further dead letters are not printed (only every 10,000th); 21 so far; " +
          "the summary gives the total (read them all with job.deadLetters())\n",
      );
    if (logged <= 20 || logged % 10_000 === 0)
      process.stderr.write(
        `[eddy] dead letter #${logged} from '${letter.operatorName}' (uid '${letter.operatorUid}')` +
          `${letter.position ? ` at ${letter.position}` : ""}: ${letter.error}; record ${describeRecord(letter.record)}\n`,
      );
  };
}

export function defaultWarn(message: string): void {
  process.stderr.write(`[eddy] warning: ${message}\n`);
}

/**
 * `eddy run` as a function: opens a job file, runs it until its input ends or `signal` aborts,
 * and reports progress. It throws what the job threw; the CLI turns that into an exit code.
 */
import { eventTimeWarnings, type JobControl, type JobResult } from "@eddy/core";
// Registers the "lmdb" state backend, so a job with stateBackend: "lmdb" runs without importing it.
import "@eddy/state-lmdb";
import type { CheckpointArguments } from "./command-line.ts";
import { execute } from "./execute.ts";
import { type JobFileOptions, openJobFile } from "./job-file.ts";
import type { ProgressReporter } from "./progress-reporter.ts";

export interface RunJobFileOptions extends JobFileOptions {
  /** Aborting stops the job cleanly; the promise then resolves with `result.stopped` true. */
  readonly signal?: AbortSignal;
  /** Shows progress and the final summary; none when absent. */
  readonly reporter?: ProgressReporter;
  /** Checkpointing and recovery; off when absent. */
  readonly checkpoints?: CheckpointArguments;
  /** A handle to take savepoints of the running job or stop it with one. */
  readonly control?: JobControl;
}

export async function runJobFile(options: RunJobFileOptions): Promise<JobResult> {
  const opened = await openJobFile(options);
  const reporter = options.reporter;
  for (const warning of opened.warnings) reporter?.warn(warning);
  let result: JobResult | undefined;
  try {
    result = await execute(opened, {
      parallelism: options.parallelism,
      control: options.control,
      checkpointing:
        options.checkpoints === undefined
          ? undefined
          : {
              intervalMs: options.checkpoints.intervalMs,
              dir: options.checkpoints.dir,
              restore: options.checkpoints.fresh ? "none" : "latest",
              fromSavepoint: options.checkpoints.fromSavepoint,
              allowNonRestoredState: options.checkpoints.allowNonRestoredState,
              allowConfigChange: options.checkpoints.allowConfigChange,
              tolerableFailures: options.checkpoints.tolerableFailures,
            },
      signal: options.signal,
      onProgress: reporter?.onProgress,
      progressIntervalMs: reporter?.intervalMs,
    });
    return result;
  } finally {
    // Late drops above the job's share and far-future records: said once, at the end.
    if (result !== undefined)
      for (const warning of eventTimeWarnings(result.operators, result.plan.options)) reporter?.warn(warning);
    reporter?.finish(
      result && {
        jobName: result.plan.jobName,
        durationMs: result.durationMs,
        operators: result.operators,
        deadLetters: result.deadLetters,
        stopped: result.stopped,
        checkpoints: result.checkpoints,
        restoredFrom: result.restoredFrom,
      },
    );
  }
}

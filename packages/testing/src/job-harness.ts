/**
 * Running whole jobs in tests: `runJobForTest` runs a job in this thread with a time limit (a
 * stuck job fails the test instead of hanging it) and keeps the dead letters nobody consumed
 * instead of printing them; `JobHarness` builds a job with test-friendly defaults (watermarks
 * after every record) and runs it at one or several parallelisms.
 */
import {
  type CollectHandle,
  type DataStream,
  type DeadLetter,
  Job,
  type JobOptions,
  type JobResult,
  type OperatorProgress,
  type RunOptions,
  runJob,
  systemTimers,
  type TimestampedElement,
} from "@eddy/core";
import { fromTimestamped, type TimestampedSourceOptions } from "./timestamped-input.ts";

export interface JobTestOptions extends RunOptions {
  /** The job must finish within this long (ms of real time), or the run rejects. Default 10 000. */
  timeoutMs?: number;
}

export class JobTestResult {
  constructor(
    readonly result: JobResult,
    /** Dead letters no stream consumed (with errorHandling "dead-letter"), in arrival order. */
    readonly unconsumedDeadLetters: readonly DeadLetter[],
  ) {}

  collected<T>(sink: CollectHandle<T> | string): T[] {
    return this.result.collected(sink);
  }

  /** Final metrics of an operator, by uid or name (summed over its subtasks). */
  operator(uidOrName: string): OperatorProgress {
    const found =
      this.result.operators.find((o) => o.uid === uidOrName) ??
      this.result.operators.find((o) => o.name === uidOrName);
    if (found === undefined)
      throw new Error(
        `no operator '${uidOrName}'; the job has ${this.result.operators.map((o) => `'${o.uid}'`).join(", ")}`,
      );
    return found;
  }
}

/** Runs `job` to its end in this thread (any parallelism: the subtasks take turns). */
export async function runJobForTest(job: Job, options: JobTestOptions = {}): Promise<JobTestResult> {
  const { timeoutMs = 10_000, ...runOptions } = options;
  const letters: DeadLetter[] = [];
  const timeout = new AbortController();
  // On the run's timers, so a test of the time limit itself can advance a manual clock.
  const timers = options.timers ?? systemTimers;
  const timer = timers.setTimeout(() => timeout.abort(), timeoutMs);
  const signal =
    options.signal === undefined ? timeout.signal : AbortSignal.any([options.signal, timeout.signal]);
  try {
    const result = await runJob(job, {
      ...runOptions,
      signal,
      onDeadLetter: (letter) => {
        letters.push(letter);
        options.onDeadLetter?.(letter);
      },
    });
    if (timeout.signal.aborted && !options.signal?.aborted)
      throw new Error(
        `job '${job.name}' did not finish within ${timeoutMs} ms (raise timeoutMs if it needs longer)`,
      );
    return new JobTestResult(result, letters);
  } finally {
    timers.clearTimeout(timer);
  }
}

export class JobHarness {
  readonly job: Job;

  /** A job named "test" that asks watermark generators after every record, unless told otherwise. */
  constructor(options: Partial<JobOptions> = {}) {
    this.job = Job.create({ name: "test", autoWatermarkIntervalMs: 0, ...options });
  }

  /** A bounded source of timestamped records; see `fromTimestamped`. */
  fromTimestamped<T>(
    records: readonly TimestampedElement<T>[],
    options?: TimestampedSourceOptions<T>,
  ): DataStream<T> {
    return fromTimestamped(this.job, records, options);
  }

  fromElements<T>(...elements: T[]): DataStream<T> {
    return this.job.fromElements(...elements);
  }

  run(options?: JobTestOptions): Promise<JobTestResult> {
    return runJobForTest(this.job, options);
  }

  /** Runs the job once per parallelism, one after the other (e.g. to check 1 and 4 agree). */
  async runAt(parallelisms: readonly number[], options: JobTestOptions = {}): Promise<JobTestResult[]> {
    const results: JobTestResult[] = [];
    for (const parallelism of parallelisms)
      results.push(await runJobForTest(this.job, { ...options, parallelism }));
    return results;
  }
}

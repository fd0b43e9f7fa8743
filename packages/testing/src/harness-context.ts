/**
 * The runtime around an operator under test: the OperatorContext the runtime's deployment would
 * build for it (identity, error handling, metrics, keyed backend, timer services, dead-letter
 * routing), but with a ManualClock for processing time and a CapturedOutput as its output. The
 * keyed backend covers the key groups of the chosen subtask, all of them by default.
 */
import {
  DEAD_LETTER,
  type DeadLetter,
  type ErrorHandling,
  errorMessage,
  HeapKeyedStateBackend,
  InternalTimerService,
  type KeyedStateBackend,
  type KeyGroupRange,
  keyGroupRangeForSubtask,
  ManualClock,
  newOperatorMetrics,
  type OperatorContext,
  type OperatorMetrics,
  type ProcessingTimeService,
  RecordProcessingError,
} from "@eddy/core";
import { CapturedOutput } from "./captured-output.ts";

export interface OperatorHarnessOptions {
  /** What a failing record does: throw a RecordProcessingError ("fail", the default) or become a dead letter. */
  errorHandling?: ErrorHandling;
  /** Number of key groups. Default 128. */
  maxParallelism?: number;
  /** The operator runs as subtask `subtaskIndex` of `parallelism` (default 0 of 1: every key group). */
  parallelism?: number;
  subtaskIndex?: number;
  /** Processing time starts here (default 0); ignored when `clock` is given. */
  startTime?: number;
  /** A clock to share with other harnesses or code under test. */
  clock?: ManualClock;
  /** How often (processing time) watermark generators are asked; 0 = after every record. Default 0. */
  autoWatermarkIntervalMs?: number;
  uid?: string;
  name?: string;
  jobName?: string;
}

export class HarnessContext {
  readonly clock: ManualClock;
  readonly metrics: OperatorMetrics = newOperatorMetrics();
  readonly output: CapturedOutput = new CapturedOutput(this.metrics);
  readonly timerServices: InternalTimerService[] = [];
  readonly range: KeyGroupRange;
  readonly context: OperatorContext;
  readonly autoWatermarkIntervalMs: number;
  private backend: KeyedStateBackend | undefined;

  constructor(options: OperatorHarnessOptions, identity: { uid: string; name: string; keyed: boolean }) {
    const maxParallelism = options.maxParallelism ?? 128;
    const parallelism = options.parallelism ?? 1;
    const subtaskIndex = options.subtaskIndex ?? 0;
    if (!(subtaskIndex >= 0 && subtaskIndex < parallelism))
      throw new RangeError(`subtaskIndex ${subtaskIndex} is outside 0..${parallelism - 1}`);
    const errorHandling = options.errorHandling ?? "fail";
    const uid = options.uid ?? identity.uid;
    const name = options.name ?? identity.name;
    this.clock = options.clock ?? new ManualClock(options.startTime ?? 0);
    this.autoWatermarkIntervalMs = options.autoWatermarkIntervalMs ?? 0;
    this.range = keyGroupRangeForSubtask(maxParallelism, parallelism, subtaskIndex);
    const clock = this.clock;
    // Nothing to wake: the harness fires processing-time timers when the test moves the clock.
    const processingTime: ProcessingTimeService = { now: () => clock.now(), timerAdded: () => {} };
    const metrics = this.metrics;
    const output = this.output;
    const keyedBackend = (): KeyedStateBackend => {
      if (!identity.keyed)
        throw new RecordProcessingError(uid, name, undefined, "keyed state needs keyBy() before it");
      this.backend ??= new HeapKeyedStateBackend(maxParallelism, this.range, clock, name);
      return this.backend;
    };
    this.context = {
      jobName: options.jobName ?? "test-job",
      uid,
      name,
      subtaskIndex,
      parallelism,
      maxParallelism,
      errorHandling,
      output,
      metrics,
      clock,
      processingTime,
      keyedBackend,
      timerService: (triggerable) => {
        const service = new InternalTimerService(keyedBackend(), triggerable, processingTime);
        this.timerServices.push(service);
        return service;
      },
      // As the runtime does: count it, then fail or hand a dead letter to the dead-letter output.
      recordFailed: (error, record, timestamp, position) => {
        metrics.recordsFailed++;
        if (errorHandling === "fail") throw new RecordProcessingError(uid, name, record, error, position);
        const letter: DeadLetter = {
          operatorUid: uid,
          operatorName: name,
          error: errorMessage(error),
          record,
          ...(position === undefined ? {} : { position }),
          ...(Number.isFinite(timestamp) ? { timestamp } : {}),
        };
        output.collectSide(DEAD_LETTER.id, letter, timestamp);
      },
    };
  }

  /** The keyed backend, if the operator is keyed and has asked for it. */
  get keyedBackend(): KeyedStateBackend | undefined {
    return this.backend;
  }
}

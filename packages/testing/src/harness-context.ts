/**
 * The runtime around an operator under test: the OperatorContext the runtime's deployment builds
 * for it, made by the same factory (identity, error handling, metrics, keyed backend, timer
 * services, dead-letter routing), but with a ManualClock for processing time and a CapturedOutput
 * as its output. The keyed backend covers the key groups of the chosen subtask, all by default.
 */
import { type ErrorHandling, ManualClock } from "@eddy/core";
import {
  createOperatorContext,
  HeapKeyedStateBackend,
  type InternalTimerService,
  type KeyedStateBackend,
  type KeyGroupRange,
  keyGroupRangeForSubtask,
  newOperatorMetrics,
  type OperatorContext,
  type OperatorMetrics,
  OperatorStateHolder,
} from "@eddy/core/internal";
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
  readonly range: KeyGroupRange;
  readonly context: OperatorContext;
  readonly autoWatermarkIntervalMs: number;
  private readonly state: OperatorStateHolder;

  constructor(options: OperatorHarnessOptions, identity: { uid: string; name: string; keyed: boolean }) {
    const maxParallelism = options.maxParallelism ?? 128;
    const parallelism = options.parallelism ?? 1;
    const subtaskIndex = options.subtaskIndex ?? 0;
    if (!(subtaskIndex >= 0 && subtaskIndex < parallelism))
      throw new RangeError(`subtaskIndex ${subtaskIndex} is outside 0..${parallelism - 1}`);
    const uid = options.uid ?? identity.uid;
    const name = options.name ?? identity.name;
    const clock = options.clock ?? new ManualClock(options.startTime ?? 0);
    const range = keyGroupRangeForSubtask(maxParallelism, parallelism, subtaskIndex);
    this.clock = clock;
    this.range = range;
    this.autoWatermarkIntervalMs = options.autoWatermarkIntervalMs ?? 0;
    this.state = new OperatorStateHolder(uid, "harness", undefined);
    this.context = createOperatorContext({
      jobName: options.jobName ?? "test-job",
      uid,
      name,
      subtaskIndex,
      parallelism,
      maxParallelism,
      errorHandling: options.errorHandling ?? "fail",
      output: this.output,
      metrics: this.metrics,
      clock,
      // Nothing to wake: the harness fires processing-time timers when the test moves the clock.
      processingTime: { now: () => clock.now(), timerAdded: () => {} },
      state: this.state,
      createKeyedBackend: identity.keyed
        ? () => new HeapKeyedStateBackend(maxParallelism, range, clock, name)
        : undefined,
    });
  }

  /** The operator's timer services, in the order it created them. */
  get timerServices(): readonly InternalTimerService[] {
    return this.state.timerServices;
  }

  /** The keyed backend, if the operator is keyed and has asked for it. */
  get keyedBackend(): KeyedStateBackend | undefined {
    return this.state.backend;
  }
}

/**
 * A minimal harness that drives one keyed operator directly, the way deploy.ts wires it: a
 * heap keyed backend over every key group, a timer service, a manual clock, and outputs that
 * record what the operator emits (main, side outputs, watermarks, dead letters). Tests use it
 * where a whole job cannot be deterministic (processing time) or to look at state and timers.
 */
import type { ErrorHandling } from "../../src/api/job.ts";
import { RecordProcessingError } from "../../src/errors.ts";
import {
  newOperatorMetrics,
  type OneInputOperator,
  type OperatorContext,
  type Output,
} from "../../src/runtime/operators/operator.ts";
import {
  InternalTimerService,
  type ProcessingTimeService,
} from "../../src/runtime/operators/timer-service.ts";
import { HeapKeyedStateBackend } from "../../src/state/heap-keyed-state-backend.ts";
import { keyGroupRangeForSubtask } from "../../src/state/key-groups.ts";
import { ManualClock } from "../../src/time/time.ts";

export interface Emitted {
  readonly value: unknown;
  readonly timestamp: number;
}

export interface Failure {
  readonly error: string;
  readonly record: unknown;
  readonly timestamp: number;
}

export class OperatorHarness<IN> {
  readonly clock = new ManualClock(0);
  readonly main: Emitted[] = [];
  readonly side = new Map<string, Emitted[]>();
  readonly watermarks: number[] = [];
  readonly failures: Failure[] = [];
  readonly metrics = newOperatorMetrics();
  readonly backend: HeapKeyedStateBackend;
  readonly timerServices: InternalTimerService[] = [];
  readonly context: OperatorContext;

  constructor(
    readonly operator: OneInputOperator<IN>,
    options: { errorHandling?: ErrorHandling; maxParallelism?: number } = {},
  ) {
    const maxParallelism = options.maxParallelism ?? 128;
    const errorHandling = options.errorHandling ?? "dead-letter";
    this.backend = new HeapKeyedStateBackend(
      maxParallelism,
      keyGroupRangeForSubtask(maxParallelism, 1, 0),
      this.clock,
      "window",
    );
    const output: Output<unknown> = {
      collect: (value, timestamp) => {
        this.metrics.recordsOut++;
        this.main.push({ value, timestamp });
      },
      collectSide: (tagId, value, timestamp) => {
        const list = this.side.get(tagId) ?? [];
        list.push({ value, timestamp });
        this.side.set(tagId, list);
      },
      emitWatermark: (watermark) => {
        this.watermarks.push(watermark);
      },
    };
    const processingTime: ProcessingTimeService = { now: () => this.clock.now(), timerAdded: () => {} };
    this.context = {
      jobName: "harness",
      uid: "window",
      name: "window",
      subtaskIndex: 0,
      parallelism: 1,
      maxParallelism,
      errorHandling,
      output,
      metrics: this.metrics,
      clock: this.clock,
      processingTime,
      keyedBackend: () => this.backend,
      timerService: (triggerable) => {
        const service = new InternalTimerService(this.backend, triggerable, processingTime);
        this.timerServices.push(service);
        return service;
      },
      recordFailed: (error, record, timestamp) => {
        this.metrics.recordsFailed++;
        if (errorHandling === "fail") throw new RecordProcessingError("window", "window", record, error);
        this.failures.push({
          error: error instanceof Error ? error.message : String(error),
          record,
          timestamp,
        });
      },
    };
    operator.open(this.context);
  }

  processElement(value: IN, timestamp: number): void {
    this.metrics.recordsIn++;
    this.operator.processElement(value, timestamp);
  }

  processWatermark(watermark: number): void {
    this.operator.processWatermark(watermark);
  }

  /** Moves the clock to `now` and fires the processing-time timers due, as the executor does. */
  advanceProcessingTime(now: number): void {
    this.clock.set(now);
    this.operator.advanceProcessingTime?.(now);
  }

  /** Ends the input the way the runtime does: the final watermark, then endInput. */
  endInput(): void {
    this.operator.processWatermark(Number.POSITIVE_INFINITY);
    this.operator.endInput();
  }

  sideOutput(tagId: string): Emitted[] {
    return this.side.get(tagId) ?? [];
  }

  /** Entries left in every keyed state of the operator (per key; a map state counts its entries). */
  stateEntries(): number {
    let n = 0;
    for (const table of this.backend.stateTables())
      for (const group of table.groups)
        for (const value of group.values()) n += value instanceof Map ? value.size : 1;
    return n;
  }

  /** Entries of one map state (every key's entries together), e.g. the live windows. */
  mapEntries(stateName: string): number {
    let n = 0;
    for (const table of this.backend.stateTables())
      if (table.name === stateName)
        for (const group of table.groups)
          for (const value of group.values()) n += (value as Map<unknown, unknown>).size;
    return n;
  }

  eventTimers(): number {
    return this.timerServices.reduce((n, s) => n + s.eventTimerCount, 0);
  }

  processingTimers(): number {
    return this.timerServices.reduce((n, s) => n + s.processingTimerCount, 0);
  }
}

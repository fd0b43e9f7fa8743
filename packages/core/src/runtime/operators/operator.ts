/**
 * What the runtime calls on an operator, and what an operator can reach. Records are passed as
 * (value, timestamp) pairs through plain calls, with no wrapper object per record. Watermarks
 * pass through the same calls in order with the records. An operator emits through its Output,
 * which is either the next operator of the chain or the writer of an exchange.
 */
import type { Key } from "../../api/functions.ts";
import type { ErrorHandling } from "../../api/job.ts";
import type { KeyedStateBackend } from "../../state/keyed-state-backend.ts";
import type { Clock } from "../../time/time.ts";
import type { InternalTimerService, ProcessingTimeService, Triggerable } from "./timer-service.ts";

export interface Output<T> {
  collect(value: T, timestamp: number): void;
  /** Emits to a side output, by the tag's id. */
  collectSide(tagId: string, value: unknown, timestamp: number): void;
  emitWatermark(watermark: number): void;
}

export interface OperatorMetrics {
  recordsIn: number;
  recordsOut: number;
  /** Records routed to the dead-letter output (late records are not failures: see lateRecordsDropped). */
  recordsFailed: number;
  /** Records a window dropped because they came after the watermark passed their windows. */
  lateRecordsDropped: number;
  /** The first record far ahead of the timestamps before it (see farFutureWarningMs); NaN if none. */
  farFutureTimestamp: number;
  /** How far ahead of the highest timestamp before it that record was (ms). */
  farFutureAheadMs: number;
  currentWatermark: number;
  /** Gauges and counters registered by user functions through RuntimeContext.metrics. */
  readonly user: Map<string, () => number>;
}

export interface OperatorContext {
  readonly jobName: string;
  readonly uid: string;
  readonly name: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly errorHandling: ErrorHandling;
  readonly output: Output<unknown>;
  readonly metrics: OperatorMetrics;
  readonly clock: Clock;
  readonly processingTime: ProcessingTimeService;
  /** The keyed-state backend; throws for operators on a non-keyed stream. */
  keyedBackend(): KeyedStateBackend;
  /** A timer service bound to this operator's keyed backend. */
  timerService(triggerable: Triggerable): InternalTimerService;
  /**
   * A record failed (user function threw, bad timestamp...): with errorHandling "dead-letter" it
   * goes to the dead-letter output with the reason; with "fail" this throws a RecordProcessingError.
   */
  recordFailed(error: unknown, record: unknown, timestamp: number, position?: string): void;
}

export interface StreamOperator {
  open(context: OperatorContext): void;
  /** Called with every advance of the operator's input watermark, in order with the records. */
  processWatermark(watermark: number): void;
  /** Called for due processing-time timers of the task. */
  advanceProcessingTime?(now: number): void;
  /** The earliest processing-time timer this operator waits for (+Infinity for none). */
  nextProcessingTime?(): number;
  /** Every input has ended (after the final watermark). Flush what is buffered. */
  endInput(): void;
  close(): void;
}

export interface OneInputOperator<IN> extends StreamOperator {
  processElement(value: IN, timestamp: number): void;
}

export interface TwoInputOperator<IN1, IN2> extends StreamOperator {
  processElement1(value: IN1, timestamp: number): void;
  processElement2(value: IN2, timestamp: number): void;
}

export type AnyOperator = OneInputOperator<any> | TwoInputOperator<any, any>;

/**
 * A keyed operator that takes records already keyed by their hash exchange: the key and key group
 * the record writer computed to route the record (key type checked, bad keys already sent to the
 * dead-letter output), so it neither calls its key selector nor hashes the key again.
 * processElement still keys the record itself (test harnesses, a keyed operator behind no exchange).
 */
export interface KeyedInputOperator {
  processKeyedElement(value: unknown, timestamp: number, key: Key, keyGroup: number): void;
}

/** The same for the second input of a keyed two-input operator. */
export interface KeyedSecondInputOperator {
  processKeyedElement2(value: unknown, timestamp: number, key: Key, keyGroup: number): void;
}

export function newOperatorMetrics(): OperatorMetrics {
  return {
    recordsIn: 0,
    recordsOut: 0,
    recordsFailed: 0,
    lateRecordsDropped: 0,
    farFutureTimestamp: Number.NaN,
    farFutureAheadMs: 0,
    currentWatermark: Number.NEGATIVE_INFINITY,
    user: new Map(),
  };
}

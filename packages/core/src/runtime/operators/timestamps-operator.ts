/**
 * assignTimestampsAndWatermarks in the middle of a stream: gives each record its event time and
 * generates watermarks from the records this subtask sees, replacing the watermarks from
 * upstream (only the final one, +Infinity, passes through, so bounded input still ends).
 */

import { EddyError } from "../../errors.ts";
import { MAX_WATERMARK, NO_TIMESTAMP } from "../../time/time.ts";
import type {
  TimestampAssigner,
  WatermarkGenerator,
  WatermarkOutput,
  WatermarkStrategy,
} from "../../time/watermark-strategy.ts";
import { notATimestamp } from "../../time/watermark-strategy.ts";
import { AbstractOperator } from "./abstract-operator.ts";
import { FarFutureDetector } from "./far-future-detector.ts";
import type { OneInputOperator, OperatorContext } from "./operator.ts";

export class TimestampsOperator<T> extends AbstractOperator implements OneInputOperator<T>, WatermarkOutput {
  private generator!: WatermarkGenerator<T>;
  private readonly assigner: TimestampAssigner<T> | undefined;
  private nextEmit = 0;
  private emitted = Number.NEGATIVE_INFINITY;
  /** Notices a record far ahead of every one before it. */
  private readonly farFuture: FarFutureDetector;

  constructor(
    private readonly strategy: WatermarkStrategy<T>,
    private readonly intervalMs: number,
    /** A record further ahead than this of every timestamp before it is reported (metrics). */
    farFutureMs = 86_400_000,
  ) {
    super();
    this.farFuture = new FarFutureDetector(farFutureMs);
    this.assigner = strategy.timestampAssigner;
  }

  override open(context: OperatorContext): void {
    super.open(context);
    this.generator = this.strategy.createGenerator();
    this.nextEmit = context.clock.now() + this.intervalMs;
  }

  processElement(value: T, timestamp: number): void {
    if (this.assigner !== undefined) {
      try {
        timestamp = this.assigner(value, timestamp);
        if (typeof timestamp !== "number" || Number.isNaN(timestamp))
          throw new Error(notATimestamp(timestamp));
      } catch (error) {
        if (error instanceof EddyError) throw error;
        this.context.recordFailed(error, value, NO_TIMESTAMP);
        return;
      }
    }
    this.farFuture.observe(timestamp, this.context.metrics);
    this.generator.onEvent(value, timestamp, this);
    this.output.collect(value, timestamp);
    if (this.intervalMs === 0) this.generator.onPeriodicEmit(this);
  }

  override processWatermark(watermark: number): void {
    if (watermark === MAX_WATERMARK) this.emitWatermark(MAX_WATERMARK);
  }

  nextProcessingTime(): number {
    return this.emitted === MAX_WATERMARK ? Number.POSITIVE_INFINITY : this.nextEmit;
  }

  advanceProcessingTime(now: number): void {
    if (now < this.nextEmit) return;
    this.nextEmit = now + Math.max(this.intervalMs, 1);
    this.generator.onPeriodicEmit(this);
  }

  // WatermarkOutput
  emitWatermark(watermark: number): void {
    if (watermark <= this.emitted) return;
    this.emitted = watermark;
    this.currentWatermark = watermark;
    this.context.metrics.currentWatermark = watermark;
    this.output.emitWatermark(watermark);
  }
  markIdle(): void {}
  markActive(): void {}
}

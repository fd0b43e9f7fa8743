/**
 * The head of a source task: drives a SourceReader, assigns timestamps, and runs one watermark
 * generator per split, combining the splits' watermarks as their minimum (an idle split holds
 * nothing back). At the end of bounded input it emits the final watermark (+Infinity), which
 * fires every event-time timer and window downstream.
 */

import type {
  InputStatus,
  ReaderOutput,
  SourceOutput,
  SourceReader,
} from "../../connectors/api/source-reader.ts";
import { EddyError } from "../../errors.ts";
import { MAX_WATERMARK, NO_TIMESTAMP } from "../../time/time.ts";
import { MultiplexedOutput, WatermarkMultiplexer } from "../../time/watermark-multiplexer.ts";
import type {
  TimestampAssigner,
  WatermarkGenerator,
  WatermarkStrategy,
} from "../../time/watermark-strategy.ts";
import { notATimestamp } from "../../time/watermark-strategy.ts";
import { FarFutureDetector } from "./far-future-detector.ts";
import type { OperatorContext, Output } from "./operator.ts";

class SplitOutput<T> implements SourceOutput<T> {
  lastActivity = 0;
  idle = false;
  constructor(
    private readonly owner: SourceOperator<T>,
    readonly generator: WatermarkGenerator<T> | undefined,
    readonly watermarkOutput: MultiplexedOutput | undefined,
  ) {}
  collect(value: T, timestamp?: number): void {
    this.owner.emit(this, value, timestamp === undefined ? NO_TIMESTAMP : timestamp);
  }
  deadLetter(raw: unknown, error: string, position: string): void {
    this.owner.deadLetter(raw, error, position);
  }
}

export class SourceOperator<T> implements ReaderOutput<T> {
  private context!: OperatorContext;
  private output!: Output<unknown>;
  private readonly splits = new Map<string, SplitOutput<T>>();
  private defaultSplit: SplitOutput<T> | undefined;
  /** Exists from construction: splits can be assigned before the task opens. */
  private readonly multiplexer: WatermarkMultiplexer | undefined;
  private readonly assigner: TimestampAssigner<T> | undefined;
  private nextPeriodicEmit = 0;
  private idle = false;
  finished = false;
  records = 0;

  constructor(
    readonly reader: SourceReader<T, any>,
    private readonly strategy: WatermarkStrategy<T> | undefined,
    private readonly intervalMs: number,
    private readonly setIdle: (idle: boolean) => void,
    /** A record further ahead than this of every timestamp before it is reported (metrics). */
    farFutureMs = 86_400_000,
  ) {
    this.farFuture = new FarFutureDetector(farFutureMs);
    this.assigner = strategy?.timestampAssigner;
    if (strategy !== undefined)
      this.multiplexer = new WatermarkMultiplexer({
        watermarkAdvanced: (wm) => {
          this.context.metrics.currentWatermark = wm;
          this.output.emitWatermark(wm);
        },
        idleChanged: (idle) => this.changeIdle(idle),
      });
  }

  open(context: OperatorContext): void {
    this.context = context;
    this.output = context.output;
    this.nextPeriodicEmit = context.clock.now() + this.intervalMs;
  }

  /** Reads one batch from the reader. */
  poll(): InputStatus {
    const status = this.reader.pollNext(this);
    // A reader without splits holds the watermark (as Flink's does); only the idleness timeout
    // (withIdleness) lets downstream go past a source that has nothing to read.
    if (status === "end-of-input") this.finish();
    return status;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.context.metrics.currentWatermark = MAX_WATERMARK;
    this.output.emitWatermark(MAX_WATERMARK);
  }

  // ReaderOutput: records without a split go to a default split.
  collect(value: T, timestamp?: number): void {
    this.defaultSplit ??= this.newSplitOutput();
    this.emit(this.defaultSplit, value, timestamp === undefined ? NO_TIMESTAMP : timestamp);
  }

  createOutputForSplit(splitId: string): SourceOutput<T> {
    let split = this.splits.get(splitId);
    if (split === undefined) {
      split = this.newSplitOutput();
      this.splits.set(splitId, split);
    }
    return split;
  }

  releaseOutputForSplit(splitId: string): void {
    const split = this.splits.get(splitId);
    if (split === undefined) return;
    this.splits.delete(splitId);
    if (split.watermarkOutput) {
      split.generator!.onPeriodicEmit(split.watermarkOutput);
      // A finished split holds nothing back, but it must not count as +Infinity (as a finished
      // channel does), nor make the source idle: the reader may get more splits, and only the end
      // of input ends event time. Its watermark is released; with no split left it holds.
      this.multiplexer!.release(split.watermarkOutput.input);
    }
  }

  deadLetter(raw: unknown, error: string, position: string): void {
    this.context.recordFailed(new Error(error), raw, NO_TIMESTAMP, position);
  }

  private newSplitOutput(): SplitOutput<T> {
    if (this.multiplexer === undefined) return new SplitOutput<T>(this, undefined, undefined);
    const out = new MultiplexedOutput(this.multiplexer, this.multiplexer.addInput());
    const split = new SplitOutput<T>(this, this.strategy!.createGenerator(), out);
    split.lastActivity = -1; // active since the last periodic check
    // A reader that was idle for lack of splits is active again with one.
    this.withoutSplitsSince = undefined;
    this.changeIdle(false);
    return split;
  }

  /** @internal called by split outputs */
  emit(split: SplitOutput<T>, value: T, timestamp: number): void {
    this.records++;
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
    const generator = split.generator;
    if (generator !== undefined) {
      if (split.idle) {
        split.idle = false;
        split.watermarkOutput!.markActive();
      }
      split.lastActivity = -1; // marks "active since the last periodic check"
      this.farFuture.observe(timestamp, this.context.metrics);
      generator.onEvent(value, timestamp, split.watermarkOutput!);
      this.output.collect(value, timestamp);
      if (this.intervalMs === 0) generator.onPeriodicEmit(split.watermarkOutput!);
      return;
    }
    this.output.collect(value, timestamp);
  }

  /** Notices a record far ahead of every one before it. */
  private readonly farFuture: FarFutureDetector;

  nextProcessingTime(): number {
    return this.multiplexer === undefined || this.finished ? Number.POSITIVE_INFINITY : this.nextPeriodicEmit;
  }

  /** The task could not read since the last check (held back): no split counts that time as idle. */
  holdIdleness(): void {
    this.held = true;
  }

  private held = false;

  /** Periodic watermark emission and idleness detection. */
  advanceProcessingTime(now: number): void {
    if (this.multiplexer === undefined || now < this.nextPeriodicEmit) return;
    this.nextPeriodicEmit = now + Math.max(this.intervalMs, 1);
    const idleTimeout = this.strategy!.idleTimeoutMs;
    const held = this.held;
    this.held = false;
    const all = this.defaultSplit ? [this.defaultSplit, ...this.splits.values()] : this.splits.values();
    for (const split of all) {
      // An idle split stays silent until its next record: a periodic watermark would mark it
      // active again (as in Flink, where an idle generator does not emit).
      if (split.idle) continue;
      split.generator!.onPeriodicEmit(split.watermarkOutput!);
      if (split.lastActivity === -1 || held) split.lastActivity = now;
      else if (idleTimeout > 0 && !split.idle && now - split.lastActivity >= idleTimeout) {
        split.idle = true;
        split.watermarkOutput!.markIdle();
      }
    }
    // A reader with no split to read is idle once the idleness timeout has passed without one.
    if (this.splits.size === 0 && this.defaultSplit === undefined && idleTimeout > 0) {
      if (this.withoutSplitsSince === undefined) this.withoutSplitsSince = now;
      else if (now - this.withoutSplitsSince >= idleTimeout) this.changeIdle(true);
    } else this.withoutSplitsSince = undefined;
  }

  /** Since when the reader has had no split (processing time), for idleness. */
  private withoutSplitsSince: number | undefined;

  private changeIdle(idle: boolean): void {
    if (this.idle === idle) return;
    this.idle = idle;
    this.setIdle(idle);
  }

  processWatermark(): void {}
  endInput(): void {}
  close(): void {}

  /** Releases the reader (its prefetching, timers and file handles). */
  closeReader(): void | Promise<void> {
    return this.reader.close();
  }
}

/**
 * Watermark strategies, as in Flink: a timestamp assigner reads each record's event time and a
 * watermark generator decides how far event time has progressed. Generators run per source
 * split; the source combines the splits' watermarks as their minimum, ignoring idle splits.
 */
import { MIN_WATERMARK } from "./time.ts";

export type TimestampAssigner<T> = (event: T, recordTimestamp: number) => number;

/** Where a generator emits; only increasing watermarks pass on. */
export interface WatermarkOutput {
  emitWatermark(watermark: number): void;
  /** Marks this output idle: it holds back no watermark until it emits again. */
  markIdle(): void;
  markActive(): void;
}

export interface WatermarkGenerator<T> {
  /** Called for every record; a punctuated generator emits here. */
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void;
  /** Called every `autoWatermarkInterval` of processing time (after every record when it is 0). */
  onPeriodicEmit(output: WatermarkOutput): void;
}

export class WatermarkStrategy<T> {
  private constructor(
    readonly createGenerator: () => WatermarkGenerator<T>,
    readonly timestampAssigner: TimestampAssigner<T> | undefined,
    /** A split that produced nothing for this long (processing time) is idle; 0 = never. */
    readonly idleTimeoutMs: number,
  ) {}

  /** Watermark = highest timestamp seen - maxOutOfOrderness - 1, emitted periodically. */
  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    if (!(maxOutOfOrdernessMs >= 0)) throw new RangeError("maxOutOfOrderness must be >= 0 ms");
    return new WatermarkStrategy<T>(
      () => new BoundedOutOfOrdernessGenerator(maxOutOfOrdernessMs),
      undefined,
      0,
    );
  }

  /** Timestamps only ascend: watermark = highest timestamp seen - 1. */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return WatermarkStrategy.forBoundedOutOfOrderness<T>(0);
  }

  /** A custom generator, for punctuated watermarks for example. */
  static forGenerator<T>(createGenerator: () => WatermarkGenerator<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(createGenerator, undefined, 0);
  }

  /** No watermarks at all (processing-time jobs); the final watermark still ends bounded input. */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => noWatermarksGenerator, undefined, 0);
  }

  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(this.createGenerator, assigner, this.idleTimeoutMs);
  }

  /** Shorthand for a timestamp assigner that reads one field or function of the event. */
  withTimestamp(read: (event: T) => number): WatermarkStrategy<T> {
    return this.withTimestampAssigner((event) => read(event));
  }

  withIdleness(timeoutMs: number): WatermarkStrategy<T> {
    if (!(timeoutMs > 0)) throw new RangeError("idleness timeout must be > 0 ms");
    return new WatermarkStrategy<T>(this.createGenerator, this.timestampAssigner, timeoutMs);
  }
}

class BoundedOutOfOrdernessGenerator<T> implements WatermarkGenerator<T> {
  private maxTimestamp: number;
  constructor(private readonly outOfOrderness: number) {
    this.maxTimestamp = MIN_WATERMARK;
  }
  onEvent(_event: T, timestamp: number): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.maxTimestamp !== MIN_WATERMARK)
      output.emitWatermark(this.maxTimestamp - this.outOfOrderness - 1);
  }
}

const noWatermarksGenerator: WatermarkGenerator<unknown> = {
  onEvent() {},
  onPeriodicEmit() {},
};

/** Why a timestamp assigner's result is no timestamp, and the fix ("1714521598695" is a string). */
export function notATimestamp(value: unknown): string {
  if (typeof value === "string")
    return (
      `the timestamp assigner returned the string ${JSON.stringify(value)}, not a number: ` +
      `return milliseconds since the epoch as a number (Number(text) for digits, Date.parse(text) for a date)`
    );
  if (typeof value === "number") return "the timestamp assigner returned NaN, not a number of milliseconds";
  const shown = typeof value === "bigint" ? `${value}n` : String(value);
  return `the timestamp assigner returned ${shown} (${value === null ? "null" : typeof value}), not a number of milliseconds since the epoch`;
}

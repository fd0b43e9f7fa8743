/**
 * Inputs with event time for job tests: records paired with timestamps, and a bounded source of
 * such records with the watermarks a test chooses (none until the end, ascending, or bounded out
 * of orderness), emitting a few records per poll so that sources and exchanges interleave.
 */
import {
  type DataStream,
  FromElementsSource,
  type Job,
  type TimestampedElement,
  WatermarkStrategy,
} from "@eddy/core";

export function timestamped<T>(value: T, timestamp: number): TimestampedElement<T> {
  return { value, timestamp };
}

/** Pairs each value with `timestampOf(value, index)`. */
export function withTimestamps<T>(
  values: readonly T[],
  timestampOf: (value: T, index: number) => number,
): TimestampedElement<T>[] {
  return values.map((value, index) => ({ value, timestamp: timestampOf(value, index) }));
}

/**
 * Watermarks of a test source: "none" (only the final one at the end of input), "ascending"
 * (watermark = highest timestamp - 1), `{ outOfOrdernessMs }`, or any strategy (its timestamp
 * assigner, if any, overrides the records' timestamps).
 */
export type TestWatermarks<T> = "none" | "ascending" | { outOfOrdernessMs: number } | WatermarkStrategy<T>;

export interface TimestampedSourceOptions<T> {
  /** Default "none". */
  watermarks?: TestWatermarks<T>;
  /** Records per poll of the source (default 1024); small values interleave sources more. */
  recordsPerPoll?: number;
  name?: string;
}

function strategyOf<T>(watermarks: TestWatermarks<T>): WatermarkStrategy<T> | undefined {
  if (watermarks === "none") return undefined;
  if (watermarks === "ascending") return WatermarkStrategy.forMonotonousTimestamps<T>();
  if (watermarks instanceof WatermarkStrategy) return watermarks;
  return WatermarkStrategy.forBoundedOutOfOrderness<T>(watermarks.outOfOrdernessMs);
}

/** A bounded, non-parallel source of timestamped records in `job`. */
export function fromTimestamped<T>(
  job: Job,
  records: readonly TimestampedElement<T>[],
  options: TimestampedSourceOptions<T> = {},
): DataStream<T> {
  const source = new FromElementsSource<T>(records, { timestamped: true, batchSize: options.recordsPerPoll });
  return job
    .fromSource(source, strategyOf(options.watermarks ?? "none"), options.name ?? "timestamped")
    .setParallelism(1);
}

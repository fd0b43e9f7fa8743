/**
 * The Nexmark generator as an eddy source: a GeneratorSource whose record k is Nexmark event
 * number k, carrying its dateTime as its own timestamp. The stream is cut into `splits`
 * interleaved splits (split i produces event numbers i, i + n, i + 2n, ...) whose position is the
 * next event number, so a reader resumes exactly from a checkpointed split, and the union of the
 * splits is the same stream at any parallelism (event k depends on the seed and k alone). Pair
 * the source with `nexmarkWatermarks()` (dateTime - 4 s). `eventsPerSecond` throttles the whole
 * source in wall-clock time (for latency runs) with the generator source's rate limit.
 */
import { ConfigError, GeneratorSource, type GeneratorSplit, WatermarkStrategy } from "@eddy/core";
import { NexmarkGenerator, type NexmarkOptions, WATERMARK_DELAY_MS } from "./generator.ts";
import type { NexmarkEvent } from "./model.ts";

/** A Nexmark split: `nextIndex` is the next event number it produces, `end` the event count. */
export type NexmarkSplit = GeneratorSplit;

export interface NexmarkSourceOptions extends NexmarkOptions {
  /** Number of events (bounded); unbounded when absent. */
  readonly events?: number;
  /** Wall-clock throttle for the whole source; as fast as possible when absent. */
  readonly eventsPerSecond?: number;
  /** Number of splits; default the source's parallelism. */
  readonly splits?: number;
  /** Most events one poll emits (default 1024). */
  readonly batchSize?: number;
}

/** Nexmark's watermark: dateTime - 4 s (minus 1 ms, eddy's and Flink's bounded-out-of-orderness rule). */
export function nexmarkWatermarks(): WatermarkStrategy<NexmarkEvent> {
  return WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(WATERMARK_DELAY_MS);
}

const eventTime = (event: NexmarkEvent): number => event.dateTime;

export class NexmarkSource extends GeneratorSource<NexmarkEvent> {
  constructor(readonly options: NexmarkSourceOptions = {}) {
    const { events, eventsPerSecond, splits, batchSize } = options;
    // Checked here too, so that the messages name this source's options.
    if (events !== undefined && !(Number.isSafeInteger(events) && events >= 0))
      throw new ConfigError("events", `must be a non-negative integer, got ${events}`);
    if (eventsPerSecond !== undefined && !(eventsPerSecond > 0 && Number.isFinite(eventsPerSecond)))
      throw new ConfigError("eventsPerSecond", `must be a positive number, got ${eventsPerSecond}`);
    // Event k is generated alone (the generator reseeds per event), so readers share one generator.
    const generator = new NexmarkGenerator(options);
    super({
      generate: (k) => generator.event(k),
      timestamp: eventTime,
      usesRandom: false,
      count: events,
      recordsPerSecond: eventsPerSecond,
      splits,
      batchSize,
      name: "nexmark",
    });
  }
}

/** The initial splits: `options.splits` (or `parallelism`) interleaved slices of the stream. */
export function nexmarkSplits(options: NexmarkSourceOptions, parallelism: number): NexmarkSplit[] {
  return new NexmarkSource(options).initialSplits(parallelism);
}

/**
 * The Nexmark generator as an eddy source. The stream is cut into `splits` interleaved splits:
 * split i produces event numbers i, i + n, i + 2n, ... and its position is the next event number,
 * so a reader resumes exactly from a checkpointed split, and the union of the splits is the same
 * stream at any parallelism. Each event carries its dateTime as its timestamp; pair the source
 * with `nexmarkWatermarks()` (dateTime - 4 s). `eventsPerSecond` throttles the whole
 * source in wall-clock time (for latency runs), shared evenly by the splits, with timers rather
 * than spinning.
 */
import {
  type Boundedness,
  type InputStatus,
  ReaderAvailability,
  type ReaderOutput,
  type Source,
  type SourceOutput,
  type SourceReader,
  type SourceReaderContext,
  type SourceSplit,
  type SplitEnumerator,
  type SplitEnumeratorContext,
  StaticSplitEnumerator,
  WatermarkStrategy,
} from "@eddy/core";
import { NexmarkGenerator, type NexmarkOptions, WATERMARK_DELAY_MS } from "./generator.ts";
import type { NexmarkEvent } from "./model.ts";

export interface NexmarkSplit extends SourceSplit {
  /** The next event number this split produces. */
  readonly next: number;
  /** Number of splits: this split produces next, next + stride, ... */
  readonly stride: number;
  /** Event numbers from here on are not produced; absent when unbounded. */
  readonly end?: number;
}

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

export class NexmarkSource implements Source<NexmarkEvent, NexmarkSplit> {
  readonly boundedness: Boundedness;
  readonly estimatedRecords?: number;

  constructor(readonly options: NexmarkSourceOptions = {}) {
    const { events, eventsPerSecond, splits, batchSize } = options;
    if (events !== undefined && !(Number.isSafeInteger(events) && events >= 0))
      throw new RangeError(`events must be a non-negative integer, got ${events}`);
    if (eventsPerSecond !== undefined && !(eventsPerSecond > 0))
      throw new RangeError(`eventsPerSecond must be positive, got ${eventsPerSecond}`);
    if (splits !== undefined && !(Number.isInteger(splits) && splits > 0))
      throw new RangeError(`splits must be a positive integer, got ${splits}`);
    if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0))
      throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    this.boundedness = events === undefined ? "unbounded" : "bounded";
    if (events !== undefined) this.estimatedRecords = events;
  }

  createEnumerator(
    context: SplitEnumeratorContext<NexmarkSplit>,
    restoredSplits?: readonly NexmarkSplit[],
  ): SplitEnumerator<NexmarkSplit> {
    return new StaticSplitEnumerator(
      context,
      restoredSplits ?? nexmarkSplits(this.options, context.parallelism),
    );
  }

  createReader(context: SourceReaderContext): SourceReader<NexmarkEvent, NexmarkSplit> {
    return new NexmarkReader(context, this.options);
  }
}

/** The initial splits: `options.splits` (or `parallelism`) interleaved slices of the stream. */
export function nexmarkSplits(options: NexmarkSourceOptions, parallelism: number): NexmarkSplit[] {
  const n = options.splits ?? parallelism;
  return Array.from({ length: n }, (_, i) => {
    const split: NexmarkSplit = { splitId: `nexmark-${i}`, next: i, stride: n };
    return options.events === undefined ? split : { ...split, end: options.events };
  });
}

interface ReaderSplit {
  readonly split: NexmarkSplit;
  next: number;
  readonly end: number;
  output: SourceOutput<NexmarkEvent> | undefined;
  /** Throttled runs: wall time (ms) at which the next event is due; set at the first poll. */
  due: number | undefined;
}

/** A throttled split that fell behind catches up at most this much at once. */
const MAX_CATCH_UP_MS = 1000;

class NexmarkReader implements SourceReader<NexmarkEvent, NexmarkSplit> {
  private readonly generator: NexmarkGenerator;
  private readonly splits: ReaderSplit[] = [];
  private readonly batchSize: number;
  private readonly rate: number | undefined;
  private readonly availability: ReaderAvailability;
  private noMoreSplits = false;
  private cursor = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly context: SourceReaderContext,
    options: NexmarkSourceOptions,
  ) {
    this.generator = new NexmarkGenerator(options);
    this.batchSize = options.batchSize ?? 1024;
    this.rate = options.eventsPerSecond;
    this.availability = new ReaderAvailability(context);
  }

  start(): void {}

  addSplits(splits: readonly NexmarkSplit[]): void {
    for (const split of splits)
      this.splits.push({
        split,
        next: split.next,
        end: split.end ?? Number.POSITIVE_INFINITY,
        output: undefined,
        due: undefined,
      });
    this.availability.signal();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.availability.signal();
  }

  pollNext(output: ReaderOutput<NexmarkEvent>): InputStatus {
    this.availability.reset();
    if (this.splits.length === 0) return this.noMoreSplits ? "end-of-input" : "nothing-available";
    const now = this.rate === undefined ? 0 : this.context.currentProcessingTime();
    for (let tried = 0; tried < this.splits.length; tried++) {
      const i = (this.cursor + tried) % this.splits.length;
      const s = this.splits[i];
      const allowed = this.allowance(s, now);
      if (allowed > 0) this.emit(s, allowed, output);
      if (s.next >= s.end) {
        this.splits.splice(i, 1);
        output.releaseOutputForSplit(s.split.splitId);
        this.cursor = i;
        return "more-available";
      }
      if (allowed > 0) {
        this.cursor = i + 1;
        return "more-available";
      }
    }
    this.wakeWhenDue(now);
    return "nothing-available";
  }

  isAvailable(): Promise<void> {
    return this.availability.whenAvailable();
  }

  snapshotState(): NexmarkSplit[] {
    return this.splits.map((s) => ({ ...s.split, next: s.next }));
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.availability.close();
  }

  private emit(s: ReaderSplit, allowed: number, output: ReaderOutput<NexmarkEvent>): void {
    const out = (s.output ??= output.createOutputForSplit(s.split.splitId));
    const generator = this.generator;
    const stride = s.split.stride;
    const stop = Math.min(s.end, s.next + allowed * stride);
    let k = s.next;
    for (; k < stop; k += stride) {
      const event = generator.event(k);
      out.collect(event, event.dateTime);
    }
    if (s.due !== undefined) s.due += (((k - s.next) / stride) * 1000 * stride) / this.rate!;
    s.next = k;
  }

  private allowance(s: ReaderSplit, now: number): number {
    if (s.next >= s.end) return 0;
    if (this.rate === undefined) return this.batchSize;
    const interval = (1000 * s.split.stride) / this.rate;
    s.due ??= now;
    if (now < s.due) return 0;
    if (s.due < now - MAX_CATCH_UP_MS) s.due = now - MAX_CATCH_UP_MS;
    return Math.min(1 + Math.floor((now - s.due) / interval), this.batchSize);
  }

  private wakeWhenDue(now: number): void {
    if (this.timer !== undefined) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const s of this.splits) if (s.due !== undefined && s.due < earliest) earliest = s.due;
    if (earliest === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.availability.signal();
      },
      Math.max(1, Math.ceil(earliest - now)),
    );
  }
}

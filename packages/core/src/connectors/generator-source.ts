/**
 * A deterministic data generator (Flink's DataGeneratorSource). Record `index` is
 * `generate(index, random)` where `random` is seeded from (seed, index) alone, so a record is the
 * same whichever split, parallelism or restart produces it. With `timestamp`, each record carries
 * its own event time (as the Nexmark source's events do).
 *
 * The index space is striped over the splits: with n splits, split i produces i, i + n, i + 2n, ...
 * Stripes, unlike contiguous ranges, also divide an unbounded index space, and keep the splits
 * of a bounded run finishing together. A split's position is its next index, so a restored reader
 * resumes exactly. `count` makes the source bounded (indices 0 .. count-1); `recordsPerSecond`
 * limits the whole source's rate, shared evenly by the splits, without busy-waiting. The reader
 * is a SplitReaderBase; what is its own is generating a stripe and the rate limit.
 */
import { ConfigError } from "../errors.ts";
import type {
  Boundedness,
  Source,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
  SourceSplit,
  SplitEnumerator,
  SplitEnumeratorContext,
} from "./api/index.ts";
import { SeededRandom } from "./seeded-random.ts";
import { SplitReaderBase, type SplitReadResult } from "./split-reader-base.ts";
import { StaticSplitEnumerator } from "./static-split-enumerator.ts";

export interface GeneratorSplit extends SourceSplit {
  readonly splitId: string;
  /** The next index this split produces. */
  readonly nextIndex: number;
  /** The number of splits: this split produces nextIndex, nextIndex + stride, ... */
  readonly stride: number;
  /** The count: indices from here on are not produced. Absent when unbounded. */
  readonly end?: number;
}

export interface GeneratorSourceOptions<T> {
  /**
   * Makes record `index`. `random` is seeded from (seed, index) and reused between calls: use it
   * during the call, do not keep it.
   */
  readonly generate: (index: number, random: SeededRandom) => T;
  /** The record's own event time (ms), collected with it; records carry none when absent. */
  readonly timestamp?: (record: T, index: number) => number;
  /** Number of records; bounded when given, unbounded otherwise. */
  readonly count?: number;
  /** Records per second for the whole source; unlimited when absent. */
  readonly recordsPerSecond?: number;
  /** Default 0. */
  readonly seed?: number;
  /**
   * Whether `generate` draws from `random` (default true). A generator with randomness of its own
   * (the Nexmark generator reseeds per event) says false and is spared seeding one per record.
   */
  readonly usesRandom?: boolean;
  /** Number of splits; default the source's parallelism. */
  readonly splits?: number;
  /** Most records one pollNext emits (default 1024). */
  readonly batchSize?: number;
  /** Splits are named `<name>-<i>` (default "generator"). */
  readonly name?: string;
}

const DEFAULT_BATCH_SIZE = 1024;

export class GeneratorSource<T> implements Source<T, GeneratorSplit> {
  readonly boundedness: Boundedness;
  readonly estimatedRecords?: number;
  private readonly config: GeneratorReaderConfig<T>;
  private readonly count: number | undefined;
  private readonly splitCount: number | undefined;
  private readonly name: string;

  constructor(options: GeneratorSourceOptions<T>) {
    const { generate, timestamp, count, recordsPerSecond, seed = 0, splits } = options;
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (typeof generate !== "function") throw new ConfigError("generate", "must be a function");
    if (timestamp !== undefined && typeof timestamp !== "function")
      throw new ConfigError("timestamp", "must be a function when given");
    if (count !== undefined && !(Number.isSafeInteger(count) && count >= 0)) {
      throw new ConfigError("count", `must be a non-negative integer, got ${count}`);
    }
    if (recordsPerSecond !== undefined && !(recordsPerSecond > 0 && Number.isFinite(recordsPerSecond))) {
      throw new ConfigError("recordsPerSecond", `must be a positive number, got ${recordsPerSecond}`);
    }
    if (!Number.isSafeInteger(seed)) throw new ConfigError("seed", `must be an integer, got ${seed}`);
    if (splits !== undefined && !(Number.isInteger(splits) && splits > 0)) {
      throw new ConfigError("splits", `must be a positive integer, got ${splits}`);
    }
    if (!(Number.isInteger(batchSize) && batchSize > 0)) {
      throw new ConfigError("batchSize", `must be a positive integer, got ${batchSize}`);
    }
    const usesRandom = options.usesRandom ?? true;
    this.config = { generate, timestamp, seed, usesRandom, batchSize, recordsPerSecond };
    this.count = count;
    this.splitCount = splits;
    this.name = options.name ?? "generator";
    this.boundedness = count === undefined ? "unbounded" : "bounded";
    if (count !== undefined) this.estimatedRecords = count;
  }

  describe(): string {
    return `generator count=${this.count ?? "unbounded"} seed=${this.config.seed} splits=${this.splitCount ?? "parallelism"}`;
  }

  /**
   * `restoredSplits`, when given, are all the splits still to hand out (none when the readers'
   * own checkpointed state holds them); without them the source starts at index 0.
   */
  createEnumerator(
    context: SplitEnumeratorContext<GeneratorSplit>,
    restoredSplits?: readonly GeneratorSplit[],
  ): SplitEnumerator<GeneratorSplit> {
    return new StaticSplitEnumerator(context, restoredSplits ?? this.initialSplits(context.parallelism));
  }

  createReader(context: SourceReaderContext): SourceReader<T, GeneratorSplit> {
    return new GeneratorReader<T>(context, this.config);
  }

  /** The splits a fresh run starts with: `splits` (default `parallelism`) interleaved stripes. */
  initialSplits(parallelism: number): GeneratorSplit[] {
    const n = this.splitCount ?? parallelism;
    return Array.from({ length: n }, (_, i) => {
      const split: GeneratorSplit = { splitId: `${this.name}-${i}`, nextIndex: i, stride: n };
      return this.count === undefined ? split : { ...split, end: this.count };
    });
  }
}

interface GeneratorReaderConfig<T> {
  readonly generate: (index: number, random: SeededRandom) => T;
  /** Method syntax: a GeneratorSource<T> is usable as a GeneratorSource<unknown>. */
  timestamp?(record: T, index: number): number;
  readonly seed: number;
  readonly usesRandom: boolean;
  readonly batchSize: number;
  readonly recordsPerSecond: number | undefined;
}

/** A split being generated: its position and, rate-limited, when its next record is due. */
interface GeneratingSplit {
  readonly splitId: string;
  nextIndex: number;
  readonly stride: number;
  readonly end: number | undefined;
  /** Rate limiting: processing time at which the next record is due. Set at the first poll. */
  nextDue: number | undefined;
}

/** A split that fell behind its rate catches up at most this much at once, not in one burst. */
const MAX_CATCH_UP_MS = 1000;

class GeneratorReader<T> extends SplitReaderBase<T, GeneratorSplit, GeneratingSplit> {
  private readonly random = new SeededRandom();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The processing time of the latest rate-limited read. */
  private now = 0;

  constructor(
    context: SourceReaderContext,
    private readonly config: GeneratorReaderConfig<T>,
  ) {
    super(context);
  }

  protected openSplit(split: GeneratorSplit): GeneratingSplit {
    const { splitId, nextIndex, stride, end } = split;
    return { splitId, nextIndex, stride, end, nextDue: undefined };
  }

  protected readSplit(split: GeneratingSplit, output: SourceOutput<T>): SplitReadResult {
    if (this.finished(split)) return "finished";
    const allowed = this.allowance(split);
    if (allowed > 0) this.emit(split, allowed, output);
    if (this.finished(split)) return "finished";
    return allowed > 0 ? "emitted" : "waiting";
  }

  protected snapshotSplit(s: GeneratingSplit): GeneratorSplit {
    const split: GeneratorSplit = { splitId: s.splitId, nextIndex: s.nextIndex, stride: s.stride };
    return s.end === undefined ? split : { ...split, end: s.end };
  }

  override close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    super.close();
  }

  private finished(split: GeneratingSplit): boolean {
    return split.end !== undefined && split.nextIndex >= split.end;
  }

  /** How many records the split may emit now. */
  private allowance(split: GeneratingSplit): number {
    const rate = this.config.recordsPerSecond;
    if (rate === undefined) return this.config.batchSize;
    const now = (this.now = this.context.currentProcessingTime());
    const interval = (1000 * split.stride) / rate;
    split.nextDue ??= now;
    if (now < split.nextDue) return 0;
    if (split.nextDue < now - MAX_CATCH_UP_MS) split.nextDue = now - MAX_CATCH_UP_MS;
    const due = 1 + Math.floor((now - split.nextDue) / interval);
    return Math.min(due, this.config.batchSize);
  }

  private emit(split: GeneratingSplit, allowed: number, out: SourceOutput<T>): void {
    const { generate, timestamp, seed, usesRandom } = this.config;
    const random = this.random;
    const stride = split.stride;
    const stop = Math.min(split.end ?? Number.POSITIVE_INFINITY, split.nextIndex + allowed * stride);
    let index = split.nextIndex;
    if (timestamp === undefined && usesRandom) {
      for (; index < stop; index += stride) out.collect(generate(index, random.reseed(seed, index)));
    } else {
      for (; index < stop; index += stride) {
        const record = generate(index, usesRandom ? random.reseed(seed, index) : random);
        if (timestamp === undefined) out.collect(record);
        else out.collect(record, timestamp(record, index));
      }
    }
    const emitted = (index - split.nextIndex) / stride;
    split.nextIndex = index;
    if (split.nextDue !== undefined && this.config.recordsPerSecond !== undefined) {
      split.nextDue += (emitted * 1000 * stride) / this.config.recordsPerSecond;
    }
  }

  /** Ahead of schedule: a timer, not a spin, wakes the task when the earliest split is due. */
  protected override nothingReady(): void {
    if (this.timer !== undefined) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const split of this.ownedSplits())
      if (split.nextDue !== undefined) earliest = Math.min(earliest, split.nextDue);
    if (earliest === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.availability.signal();
      },
      Math.max(1, Math.ceil(earliest - this.now)),
    );
  }
}

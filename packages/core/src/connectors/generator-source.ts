/**
 * A deterministic data generator (Flink's DataGeneratorSource). Record `index` is
 * `generate(index, random)` where `random` is seeded from (seed, index) alone, so a record is the
 * same whichever split, parallelism or restart produces it.
 *
 * The index space is striped over the splits: with n splits, split i produces i, i + n, i + 2n, ...
 * Stripes, unlike contiguous ranges, also divide an unbounded index space, and keep the splits
 * of a bounded run finishing together. A split's position is its next index, so a restored reader
 * resumes exactly. `count` makes the source bounded (indices 0 .. count-1); `recordsPerSecond`
 * limits the whole source's rate, shared evenly by the splits, without busy-waiting.
 */
import { ConfigError } from "../errors.ts";
import type {
  Boundedness,
  InputStatus,
  ReaderOutput,
  Source,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
  SourceSplit,
  SplitEnumerator,
  SplitEnumeratorContext,
} from "./api/source.ts";
import { ReaderAvailability } from "./reader-availability.ts";
import { SeededRandom } from "./seeded-random.ts";
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
  /** Number of records; bounded when given, unbounded otherwise. */
  readonly count?: number;
  /** Records per second for the whole source; unlimited when absent. */
  readonly recordsPerSecond?: number;
  /** Default 0. */
  readonly seed?: number;
  /** Number of splits; default the source's parallelism. */
  readonly splits?: number;
  /** Most records one pollNext emits (default 1024). */
  readonly batchSize?: number;
}

const DEFAULT_BATCH_SIZE = 1024;

export class GeneratorSource<T> implements Source<T, GeneratorSplit> {
  readonly boundedness: Boundedness;
  readonly estimatedRecords?: number;
  private readonly generate: (index: number, random: SeededRandom) => T;
  private readonly count: number | undefined;
  private readonly recordsPerSecond: number | undefined;
  private readonly seed: number;
  private readonly splitCount: number | undefined;
  private readonly batchSize: number;

  constructor(options: GeneratorSourceOptions<T>) {
    this.generate = options.generate;
    this.count = options.count;
    this.recordsPerSecond = options.recordsPerSecond;
    this.seed = options.seed ?? 0;
    this.splitCount = options.splits;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (typeof this.generate !== "function") throw new ConfigError("generate", "must be a function");
    if (this.count !== undefined && !(Number.isSafeInteger(this.count) && this.count >= 0)) {
      throw new ConfigError("count", `must be a non-negative integer, got ${this.count}`);
    }
    if (
      this.recordsPerSecond !== undefined &&
      !(this.recordsPerSecond > 0 && Number.isFinite(this.recordsPerSecond))
    ) {
      throw new ConfigError("recordsPerSecond", `must be a positive number, got ${this.recordsPerSecond}`);
    }
    if (!Number.isSafeInteger(this.seed))
      throw new ConfigError("seed", `must be an integer, got ${this.seed}`);
    if (this.splitCount !== undefined && !(Number.isInteger(this.splitCount) && this.splitCount > 0)) {
      throw new ConfigError("splits", `must be a positive integer, got ${this.splitCount}`);
    }
    if (!(Number.isInteger(this.batchSize) && this.batchSize > 0)) {
      throw new ConfigError("batchSize", `must be a positive integer, got ${this.batchSize}`);
    }
    this.boundedness = this.count === undefined ? "unbounded" : "bounded";
    if (this.count !== undefined) this.estimatedRecords = this.count;
  }

  describe(): string {
    return `generator count=${this.count ?? "unbounded"} seed=${this.seed} splits=${this.splitCount ?? "parallelism"}`;
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
    return new GeneratorReader<T>(context, {
      generate: this.generate,
      seed: this.seed,
      batchSize: this.batchSize,
      recordsPerSecond: this.recordsPerSecond,
    });
  }

  private initialSplits(parallelism: number): GeneratorSplit[] {
    const n = this.splitCount ?? parallelism;
    return Array.from({ length: n }, (_, i) => {
      const split: GeneratorSplit = { splitId: `generator-${i}`, nextIndex: i, stride: n };
      return this.count === undefined ? split : { ...split, end: this.count };
    });
  }
}

interface ReaderSplit<T> {
  readonly splitId: string;
  nextIndex: number;
  readonly stride: number;
  readonly end: number | undefined;
  output: SourceOutput<T> | undefined;
  /** Rate limiting: processing time at which the next record is due. Set at the first poll. */
  nextDue: number | undefined;
}

interface GeneratorReaderConfig<T> {
  readonly generate: (index: number, random: SeededRandom) => T;
  readonly seed: number;
  readonly batchSize: number;
  readonly recordsPerSecond: number | undefined;
}

/** A split that fell behind its rate catches up at most this much at once, not in one burst. */
const MAX_CATCH_UP_MS = 1000;

class GeneratorReader<T> implements SourceReader<T, GeneratorSplit> {
  private readonly splits: ReaderSplit<T>[] = [];
  private noMoreSplits = false;
  /** Where the next poll starts looking, so that splits take turns. */
  private cursor = 0;
  private readonly random = new SeededRandom();
  private readonly availability: ReaderAvailability;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly context: SourceReaderContext,
    private readonly config: GeneratorReaderConfig<T>,
  ) {
    this.availability = new ReaderAvailability(context);
  }

  start(): void {}

  addSplits(splits: readonly GeneratorSplit[]): void {
    for (const s of splits) {
      this.splits.push({
        splitId: s.splitId,
        nextIndex: s.nextIndex,
        stride: s.stride,
        end: s.end,
        output: undefined,
        nextDue: undefined,
      });
    }
    this.availability.signal();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.availability.signal();
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    this.availability.reset();
    if (this.splits.length === 0) return this.noMoreSplits ? "end-of-input" : "nothing-available";
    const now = this.config.recordsPerSecond === undefined ? 0 : this.context.currentProcessingTime();
    for (let tried = 0; tried < this.splits.length; tried++) {
      const i = (this.cursor + tried) % this.splits.length;
      const split = this.splits[i];
      const allowed = this.finished(split) ? 0 : this.allowance(split, now);
      if (allowed > 0) this.emit(split, allowed, output);
      if (this.finished(split)) {
        this.splits.splice(i, 1);
        output.releaseOutputForSplit(split.splitId);
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

  snapshotState(_checkpointId: number): GeneratorSplit[] {
    return this.splits.map((s) => {
      const split: GeneratorSplit = { splitId: s.splitId, nextIndex: s.nextIndex, stride: s.stride };
      return s.end === undefined ? split : { ...split, end: s.end };
    });
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.availability.close();
  }

  private finished(split: ReaderSplit<T>): boolean {
    return split.end !== undefined && split.nextIndex >= split.end;
  }

  /** How many records the split may emit now. */
  private allowance(split: ReaderSplit<T>, now: number): number {
    const rate = this.config.recordsPerSecond;
    if (rate === undefined) return this.config.batchSize;
    const interval = (1000 * split.stride) / rate;
    split.nextDue ??= now;
    if (now < split.nextDue) return 0;
    if (split.nextDue < now - MAX_CATCH_UP_MS) split.nextDue = now - MAX_CATCH_UP_MS;
    const due = 1 + Math.floor((now - split.nextDue) / interval);
    return Math.min(due, this.config.batchSize);
  }

  private emit(split: ReaderSplit<T>, allowed: number, output: ReaderOutput<T>): void {
    const out = (split.output ??= output.createOutputForSplit(split.splitId));
    const { generate, seed } = this.config;
    const random = this.random;
    let index = split.nextIndex;
    let emitted = 0;
    const end = split.end ?? Number.POSITIVE_INFINITY;
    while (emitted < allowed && index < end) {
      out.collect(generate(index, random.reseed(seed, index)));
      index += split.stride;
      emitted++;
    }
    split.nextIndex = index;
    if (split.nextDue !== undefined && this.config.recordsPerSecond !== undefined) {
      split.nextDue += (emitted * 1000 * split.stride) / this.config.recordsPerSecond;
    }
  }

  /** Ahead of schedule: a timer, not a spin, wakes the task when the earliest split is due. */
  private wakeWhenDue(now: number): void {
    if (this.timer !== undefined) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const split of this.splits)
      if (split.nextDue !== undefined) earliest = Math.min(earliest, split.nextDue);
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

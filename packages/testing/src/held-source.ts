/**
 * A held source: wraps any source and lets each reader emit its first `after` records, then holds
 * it there, reporting nothing available, until the job is stopped. The input cannot end before
 * the test has done what it wanted mid-input (take a savepoint, stop with one, kill the process),
 * however slow the machine, so a test waits for an event instead of racing the input's end. The
 * enumerator, splits and positions are the wrapped source's own, so a run restored from a
 * savepoint of a held run, without the wrapper, reads on from where it held.
 */
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
} from "@eddy/core";

export interface HoldOptions {
  /** Records each reader emits before it holds (it may overshoot by one of the source's batches). */
  readonly after: number;
}

export class HeldSource<T, S extends SourceSplit = SourceSplit> implements Source<T, S> {
  readonly boundedness: Boundedness;
  readonly estimatedRecords?: number;
  /** What is read is the inner source's input: holding it part-way does not change it. */
  readonly describe?: () => string;

  constructor(
    private readonly inner: Source<T, S>,
    private readonly options: HoldOptions,
  ) {
    if (!(Number.isInteger(options.after) && options.after >= 0))
      throw new RangeError(`HeldSource: 'after' must be a non-negative integer, got ${options.after}`);
    this.boundedness = inner.boundedness;
    if (inner.estimatedRecords !== undefined) this.estimatedRecords = inner.estimatedRecords;
    if (inner.describe !== undefined) this.describe = () => inner.describe!();
  }

  createEnumerator(context: SplitEnumeratorContext<S>, restoredSplits?: readonly S[]): SplitEnumerator<S> {
    return this.inner.createEnumerator(context, restoredSplits);
  }

  createReader(context: SourceReaderContext): SourceReader<T, S> {
    return new HeldReader(this.inner.createReader(context), this.options.after);
  }
}

class HeldReader<T, S extends SourceSplit> implements SourceReader<T, S> {
  private emitted = 0;
  private wrapped: { output: ReaderOutput<T>; counting: ReaderOutput<T> } | undefined;
  private readonly closed: Promise<void>;
  private release!: () => void;

  constructor(
    private readonly inner: SourceReader<T, S>,
    private readonly after: number,
  ) {
    this.closed = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  /** True once this reader emitted its share: it stays quiet until closed. */
  get held(): boolean {
    return this.emitted >= this.after;
  }

  start(): void | Promise<void> {
    return this.inner.start();
  }

  addSplits(splits: readonly S[]): void {
    this.inner.addSplits(splits);
  }

  notifyNoMoreSplits(): void {
    this.inner.notifyNoMoreSplits();
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    if (this.held) return "nothing-available";
    return this.inner.pollNext(this.counting(output));
  }

  isAvailable(): Promise<void> {
    return this.held ? this.closed : this.inner.isAvailable();
  }

  snapshotState(checkpointId: number): S[] {
    return this.inner.snapshotState(checkpointId);
  }

  progress(): number | undefined {
    return this.inner.progress?.();
  }

  async close(): Promise<void> {
    this.release();
    await this.inner.close();
  }

  /** The task's output, counting what the wrapped reader emits (built once per output). */
  private counting(output: ReaderOutput<T>): ReaderOutput<T> {
    if (this.wrapped?.output === output) return this.wrapped.counting;
    const count = (target: SourceOutput<T>): SourceOutput<T> => ({
      collect: (value, timestamp) => {
        this.emitted++;
        target.collect(value, timestamp);
      },
      deadLetter: (raw, error, position) => target.deadLetter(raw, error, position),
    });
    const counting: ReaderOutput<T> = {
      ...count(output),
      createOutputForSplit: (splitId) => count(output.createOutputForSplit(splitId)),
      releaseOutputForSplit: (splitId) => output.releaseOutputForSplit(splitId),
    };
    this.wrapped = { output, counting };
    return counting;
  }
}

/**
 * The skeleton of a split-based source reader (as Flink's SourceReaderBase), for connector
 * authors: it owns the splits assigned to the reader, gives them turns, opens and releases each
 * split's output, ends the input once no more splits come and every split is finished, and keeps
 * the wake-up handshake with the task (ReaderAvailability). A connector says only how one split is
 * read: `openSplit` (a split's reading state from its checkpointed position), `readSplit` (emit one
 * batch of that split, synchronously), `snapshotSplit` (the state's current position as a split).
 *
 * Turns: each `pollNext` reads one batch from the first split, after the one that emitted last,
 * that has records ready, so a split that is waiting (for a read, a timer) never starves the
 * others and a busy split never starves the rest. A poll in which no split had anything returns
 * "nothing-available": the connector must then signal (`availability.signal()`) when one of
 * them may have records again, typically from its I/O callbacks or timers.
 *
 * Pull-based readers (`pull: true`, for SplitQueueEnumerator) ask for a split at start and again
 * whenever they have finished every split they had, until told no more come.
 *
 * Every method runs on the task thread (see api/source-reader.ts); nothing here allocates per
 * record: `readSplit` is called once per batch.
 */
import type {
  InputStatus,
  ReaderOutput,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
  SourceSplit,
} from "./api/index.ts";
import { ReaderAvailability } from "./reader-availability.ts";

/**
 * What reading one split in one poll did: "emitted" records (and may have more), is "waiting"
 * for something that will signal availability (having emitted nothing), or is "finished" (it
 * may have emitted its last records in this call; it is then released and never read again).
 */
export type SplitReadResult = "emitted" | "waiting" | "finished";

export interface SplitReaderOptions {
  /** Ask the enumerator for splits one at a time (SplitQueueEnumerator); default false (push). */
  readonly pull?: boolean;
}

interface OwnedSplit<T, R> {
  readonly splitId: string;
  readonly state: R;
  output: SourceOutput<T> | undefined;
}

/** `T` is the record type, `S` the split (a checkpointed position), `R` a split's reading state. */
export abstract class SplitReaderBase<T, S extends SourceSplit, R> implements SourceReader<T, S> {
  /** Signal it when a split that was "waiting" may have records again (see ReaderAvailability). */
  protected readonly availability: ReaderAvailability;
  private readonly owned: OwnedSplit<T, R>[] = [];
  private readonly pull: boolean;
  private noMoreSplits = false;
  /** Where the next poll starts looking, so that splits take turns. */
  private cursor = 0;

  constructor(
    protected readonly context: SourceReaderContext,
    options: SplitReaderOptions = {},
  ) {
    this.availability = new ReaderAvailability(context);
    this.pull = options.pull ?? false;
  }

  /** The reading state of a newly assigned split, at its position. Called from `addSplits`. */
  protected abstract openSplit(split: S): R;

  /** Emits at most one batch of the split's records to `output`, synchronously. */
  protected abstract readSplit(state: R, output: SourceOutput<T>): SplitReadResult;

  /** The split's current position: a fresh plain-data split with the same `splitId`. */
  protected abstract snapshotSplit(state: R): S;

  /** Called after a split finished and was released: close what it held. */
  protected splitFinished(_state: R): void {}

  /** Called when a poll found no split with records ready (after "waiting" from each). */
  protected nothingReady(): void {}

  /** Override to open connections; call `super.start()` to keep pull-based requests. */
  start(): void | Promise<void> {
    if (this.pull) this.context.sendSplitRequest();
  }

  addSplits(splits: readonly S[]): void {
    for (const split of splits)
      this.owned.push({ splitId: split.splitId, state: this.openSplit(split), output: undefined });
    this.availability.signal();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.availability.signal();
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    this.availability.reset();
    const owned = this.owned;
    if (owned.length === 0) return this.noMoreSplits ? "end-of-input" : "nothing-available";
    for (let tried = 0; tried < owned.length; tried++) {
      const i = (this.cursor + tried) % owned.length;
      const split = owned[i];
      split.output ??= output.createOutputForSplit(split.splitId);
      const result = this.readSplit(split.state, split.output);
      if (result === "finished") {
        owned.splice(i, 1);
        output.releaseOutputForSplit(split.splitId);
        this.cursor = i;
        this.splitFinished(split.state);
        if (this.pull && owned.length === 0 && !this.noMoreSplits) this.context.sendSplitRequest();
        return "more-available";
      }
      if (result === "emitted") {
        this.cursor = i + 1;
        return "more-available";
      }
    }
    this.nothingReady();
    return "nothing-available";
  }

  isAvailable(): Promise<void> {
    return this.availability.whenAvailable();
  }

  snapshotState(_checkpointId: number): S[] {
    return this.owned.map((split) => this.snapshotSplit(split.state));
  }

  /** Override to release handles and timers; call `super.close()` to settle `isAvailable()`. */
  close(): void | Promise<void> {
    this.availability.close();
  }

  /** The reading states of the splits this reader owns, in turn order. */
  protected ownedSplits(): R[] {
    return this.owned.map((split) => split.state);
  }

  /** No more splits come (they may still be unfinished). */
  protected get noMoreSplitsComing(): boolean {
    return this.noMoreSplits;
  }

  /** The number of splits this reader owns and has not finished. */
  protected get splitCount(): number {
    return this.owned.length;
  }
}

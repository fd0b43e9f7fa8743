/**
 * The source reader contract: the part of a source that reads records. One reader runs per
 * parallel subtask, on that subtask's task thread, in the same loop as the operators chained
 * after it; the task hands the records it emits straight to them, by plain function calls.
 *
 * Threading: every method is called on the task thread, one at a time: split deliveries
 * (`addSplits`, `notifyNoMoreSplits`) arrive asynchronously between two polls, never inside
 * `pollNext`. `pollNext` and `snapshotState` are synchronous and must never block: a reader that
 * does I/O starts it (prefetching into a buffer) and hands over what has arrived at the next poll.
 * `start` and `close` may return a Promise, which eddy awaits.
 *
 * Life cycle: `createReader` -> `start` (splits may already arrive while it runs) -> any number
 * of `addSplits`, `pollNext`, `isAvailable` and `snapshotState` -> `notifyNoMoreSplits` (bounded
 * input) -> `pollNext` returns "end-of-input" -> `close`. A job that fails, restarts or is
 * cancelled closes the reader at any point; after a restart a new reader gets the splits of the
 * last checkpoint.
 *
 * Exactly once: `snapshotState(n)` is called between two polls when checkpoint n is taken; each
 * split's position must cover exactly the records emitted before that call. On restore the
 * reader gets those splits back (possibly another subtask's reader, after rescaling) and must emit
 * exactly the records after them. Keep positions in the splits, never in an external system's
 * acknowledgements.
 *
 * `SplitReaderBase` (connectors/split-reader-base.ts) implements the bookkeeping every reader
 * shares (owned splits, turns, per-split outputs, the end of input, availability); a connector
 * writes how one split is read.
 */
import type { SourceSplit } from "./source.ts";

/** What the runtime gives a reader. Call its methods only from the task thread. */
export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly operatorUid: string;
  /**
   * Asks the enumerator for a split (pull-based sources). The answer (`addSplits` or
   * `notifyNoMoreSplits`) arrives asynchronously; do not ask again before it came.
   */
  sendSplitRequest(): void;
  /**
   * Wakes the task after `pollNext` returned "nothing-available" and something changed (a read
   * completed, a timer fired). Spurious calls are harmless; a missing one stalls the reader.
   */
  signalAvailable(): void;
  /** The task's processing time in ms: use it instead of `Date.now()`, so tests control time. */
  currentProcessingTime(): number;
}

/**
 * What one `pollNext` says about the reader: "more-available" (poll again soon),
 * "nothing-available" (nothing to read now: the task waits for `isAvailable()` or
 * `signalAvailable()`), "end-of-input" (final: no more splits come and every split is finished).
 */
export type InputStatus = "more-available" | "nothing-available" | "end-of-input";

/** Where the records of one split go. Synchronous; call only from within `pollNext`. */
export interface SourceOutput<T> {
  /**
   * Emits a record. `timestamp` is the record's own event time in ms, when the source knows one
   * (a broker's timestamp, an event's field); the job's WatermarkStrategy may use or replace it.
   */
  collect(value: T, timestamp?: number): void;
  /**
   * A record that could not be read (a malformed line, an undecodable message): it goes to the
   * job's dead-letter output with `error` and `position` (such as "path:line" or a sequence
   * number), and reading goes on. Never drop such a record silently, and never throw for it.
   */
  deadLetter(raw: unknown, error: string, position: string): void;
}

/**
 * What `pollNext` writes to. Records collected on it directly go to one default split; a reader
 * of several splits emits each split's records through that split's own output, so that each
 * split generates its own watermarks and the source's watermark is their minimum.
 */
export interface ReaderOutput<T> extends SourceOutput<T> {
  /** The output of split `splitId` (the same object for the same id until it is released). */
  createOutputForSplit(splitId: string): SourceOutput<T>;
  /** Split `splitId` is finished: it holds back no watermark any more. */
  releaseOutputForSplit(splitId: string): void;
}

export interface SourceReader<T, S extends SourceSplit> {
  /** Called once before the first poll; awaited. Open connections; pull readers ask for a split here. */
  start(): void | Promise<void>;
  /** Splits assigned to this reader, at the positions to resume from. */
  addSplits(splits: readonly S[]): void;
  /** No more splits come: once the splits it has are finished, the reader's input ends. */
  notifyNoMoreSplits(): void;
  /**
   * Emits a bounded number of records (a batch, typically up to a thousand) and says what is
   * next. Synchronous, never blocking, no await: it hands over what was prefetched. A thrown
   * error fails the task (and restarts the job as its restart strategy says): throw for failures
   * of the source itself, and use `deadLetter` for bad records.
   */
  pollNext(output: ReaderOutput<T>): InputStatus;
  /**
   * After "nothing-available": resolves when `pollNext` may have records again (it may resolve
   * early; the task then polls and waits again). Must resolve on `close`.
   */
  isAvailable(): Promise<void>;
  /**
   * The current position of every unfinished split this reader owns, for checkpoint
   * `checkpointId`: fresh plain-data copies, covering exactly the records emitted so far.
   */
  snapshotState(checkpointId: number): S[];
  /** Bounded readers: the fraction of their input read, in [0, 1], when known. */
  progress?(): number | undefined;
  /** Called once, last; awaited. Release handles and timers and settle `isAvailable()`. */
  close(): void | Promise<void>;
}

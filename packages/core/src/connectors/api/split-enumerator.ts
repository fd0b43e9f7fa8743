/**
 * The split enumerator contract: the part of a source that decides which reader reads which split.
 * One enumerator exists per source operator and runs on the job's coordinating thread (never a
 * task thread), so it may do I/O (list files, ask a broker for partitions) without slowing
 * records down; it never sees records.
 *
 * Threading: every method is called on the coordinating thread, one at a time (never re-entered).
 * `start` and `close` may return a Promise, which eddy awaits; the others are synchronous, and an
 * enumerator that must do I/O to answer (discover new partitions) starts it and calls
 * `context.assignSplits` when it completes. The context's methods may be called at any time from
 * that thread, inside or outside one of these calls; deliveries to readers are asynchronous.
 *
 * Checkpoints: `snapshotState` returns the splits not handed out yet; the readers checkpoint the
 * ones they hold. On restore both come back together as `restoredSplits` of
 * `Source.createEnumerator`. Split assignment is paused while a checkpoint is taken at the
 * sources, so a split is never in neither place.
 *
 * Two enumerators cover most sources: `StaticSplitEnumerator` (every split known up front, fixed
 * owner: unbounded splits) and `SplitQueueEnumerator` (readers pull splits one at a time: bounded
 * splits of uneven size).
 */
import type { SourceSplit } from "./source.ts";

/** What the runtime gives an enumerator: the readers' count and the way to reach them. */
export interface SplitEnumeratorContext<S extends SourceSplit> {
  /** The number of readers (subtasks 0 .. parallelism - 1). */
  readonly parallelism: number;
  /**
   * Hands splits to a reader; they reach its `addSplits` asynchronously. A split must be owned by
   * one reader at a time: never assign the same split id to two readers.
   */
  assignSplits(subtask: number, splits: readonly S[]): void;
  /**
   * Tells a reader it gets no more splits: once it has read what it has, its input ends (its
   * `pollNext` returns "end-of-input"). Call it only for readers whose input is over; a reader of
   * an unbounded source that is never told keeps waiting for splits.
   */
  signalNoMoreSplits(subtask: number): void;
}

export interface SplitEnumerator<S extends SourceSplit> {
  /** Called once before any other method; awaited. Open connections and start discovery here. */
  start(): void | Promise<void>;
  /**
   * Reader `subtask` registered: at the start of the job and again after every restart. A push
   * enumerator assigns that reader's splits here.
   */
  addReader(subtask: number): void;
  /** Reader `subtask` asked for work (`SourceReaderContext.sendSplitRequest`): pull enumerators answer here. */
  handleSplitRequest(subtask: number): void;
  /**
   * Splits a failed reader had not finished, at their last checkpointed positions, to hand out
   * again. eddy restarts a failed job whole from its last checkpoint (`restoredSplits`), so the
   * runtime does not call this today; implement it (put the splits back) for finer failover later.
   */
  addSplitsBack(splits: readonly S[], subtask: number): void;
  /**
   * The splits not handed out yet, for checkpoint `checkpointId`. Synchronous; return copies, plain
   * data. Splits already assigned are the readers' to checkpoint: do not include them.
   */
  snapshotState(checkpointId: number): S[];
  /** Called once when the job ends, fails or restarts; awaited. Release connections and timers. */
  close(): void | Promise<void>;
}

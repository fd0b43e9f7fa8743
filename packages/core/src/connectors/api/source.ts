/**
 * The source contract (the shape of Flink's FLIP-27): what a connector author implements to bring
 * records into a job. A source is a factory for two parts that run in different places:
 *
 * - one `SplitEnumerator` per source operator, on the job's coordinating thread, which decides
 *   which reader reads which split (split-enumerator.ts);
 * - one `SourceReader` per parallel subtask, on that subtask's task thread (the main thread at
 *   parallelism 1, a worker thread otherwise), which reads its splits (source-reader.ts).
 *
 * A split is a unit of input with a position: a file and a byte offset, a partition and an
 * offset, a stream and a sequence number. Splits are the only thing eddy checkpoints for a
 * source, so a split must say everything needed to resume reading exactly where it stopped.
 *
 * Because every worker thread imports the job module and builds the same plan (functions cannot
 * cross threads), a `Source` object is constructed once per thread: its constructor validates
 * options and must do no I/O (open connections in `SplitEnumerator.start` or `SourceReader.start`).
 */

import type { SourceReader, SourceReaderContext } from "./source-reader.ts";
import type { SplitEnumerator, SplitEnumeratorContext } from "./split-enumerator.ts";

/**
 * One unit of input and its position. Splits are cloned across threads and serialised into
 * checkpoints and savepoints, so they are plain JSON-compatible data (numbers, strings, booleans,
 * arrays, plain objects; no class instances, functions, Maps or bigints), and a savepoint's splits
 * must stay readable by the connector's next version (add fields as optional). A split returned
 * by a reader's `snapshotState` is the same split (same `splitId`) at a later position.
 */
export interface SourceSplit {
  /**
   * Stable identity: the same input has the same id in every run, at every parallelism. Watermarks
   * are generated per split id, and a restored split keeps its id.
   */
  readonly splitId: string;
}

/** "bounded" input ends (a job of bounded sources finishes); "unbounded" input never does. */
export type Boundedness = "bounded" | "unbounded";

/**
 * A source: the factory of its enumerator and its readers. `T` is the record type, `S` the split
 * type. Both factories are called on the thread that runs the part they create, possibly more
 * than once over a job's life (each restart creates new ones).
 */
export interface Source<T, S extends SourceSplit = SourceSplit> {
  readonly boundedness: Boundedness;
  /**
   * Called once per run on the coordinating thread. Without `restoredSplits` the enumerator starts
   * from the beginning of the input (it discovers or lists the initial splits itself). With them,
   * the job is resuming from a checkpoint or savepoint: they are every split the checkpoint held,
   * those readers were reading (at their checkpointed positions) and those the enumerator had not
   * handed out yet, and they are all the enumerator hands out, to any reader, at any parallelism
   * (rescaling). An empty array means "everything was read": do not start over.
   */
  createEnumerator(context: SplitEnumeratorContext<S>, restoredSplits?: readonly S[]): SplitEnumerator<S>;
  /** Called once per subtask per run, on the task's thread, before the reader gets any split. */
  createReader(context: SourceReaderContext): SourceReader<T, S>;
  /** Bounded sources: the total number of records, when known; shown as the job's progress. */
  readonly estimatedRecords?: number;
  /**
   * What this source reads, as stable text (its paths, a topic, a generator's count and seed).
   * Checkpoints record it, so that resuming with another input is reported rather than silently
   * continuing from the old input's positions. Optional: a source without it is not compared.
   */
  describe?(): string;
}

/**
 * The split-based source interface (the shape of Flink's FLIP-27). A split is a unit of input
 * with a position (a file and a byte offset, a partition and an offset). The enumerator runs in
 * the job's coordinator and hands splits to readers; a reader runs in a source task, reads its
 * splits synchronously in small batches, reports its splits' positions when asked (checkpoints),
 * and resumes from positions it is given back (restore). Records leave a reader through a
 * per-split output so that each split generates its own watermarks.
 */

export interface SourceSplit {
  /** Stable identity; splits are serialised into checkpoints, so keep them plain data. */
  readonly splitId: string;
}

export type Boundedness = "bounded" | "unbounded";

export interface Source<T, S extends SourceSplit = SourceSplit> {
  readonly boundedness: Boundedness;
  createEnumerator(context: SplitEnumeratorContext<S>, restoredSplits?: readonly S[]): SplitEnumerator<S>;
  createReader(context: SourceReaderContext): SourceReader<T, S>;
  /** Optional progress hint for bounded sources: the total number of records, when known. */
  readonly estimatedRecords?: number;
  /**
   * What this source reads, as stable text (its paths, a topic, a generator's count and seed).
   * Checkpoints record it, so that resuming with another input is reported rather than silently
   * continuing from the old input's positions. Optional: a source without it is not compared.
   */
  describe?(): string;
}

export interface SplitEnumeratorContext<S extends SourceSplit> {
  readonly parallelism: number;
  assignSplits(subtask: number, splits: readonly S[]): void;
  /** Tells a reader it gets no more splits: once it has read what it has, its input ends. */
  signalNoMoreSplits(subtask: number): void;
}

export interface SplitEnumerator<S extends SourceSplit> {
  start(): void | Promise<void>;
  /** A reader registered (at start and after a restart). */
  addReader(subtask: number): void;
  /** A reader asks for work. */
  handleSplitRequest(subtask: number): void;
  /** Splits a failed reader had not finished come back. */
  addSplitsBack(splits: readonly S[], subtask: number): void;
  /** Splits not handed out yet, for a checkpoint (those readers hold are in their own state). */
  snapshotState(checkpointId: number): S[];
  close(): void | Promise<void>;
}

export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly operatorUid: string;
  /** Asks the enumerator for a split. */
  sendSplitRequest(): void;
  /** Wakes the task when a reader that returned "nothing-available" has data again. */
  signalAvailable(): void;
  /** Processing time (injectable). */
  currentProcessingTime(): number;
}

export type InputStatus = "more-available" | "nothing-available" | "end-of-input";

/** Records from one split. `timestamp` is the record's own time, if the source knows one. */
export interface SourceOutput<T> {
  collect(value: T, timestamp?: number): void;
  /** A record that could not be read (malformed line): goes to the dead-letter output. */
  deadLetter(raw: unknown, error: string, position: string): void;
}

export interface ReaderOutput<T> extends SourceOutput<T> {
  /** Output for one split: watermarks are generated per split and combined as their minimum. */
  createOutputForSplit(splitId: string): SourceOutput<T>;
  /** The split is finished: it holds back no watermark any more. */
  releaseOutputForSplit(splitId: string): void;
}

export interface SourceReader<T, S extends SourceSplit> {
  start(): void | Promise<void>;
  addSplits(splits: readonly S[]): void;
  notifyNoMoreSplits(): void;
  /**
   * Emits a bounded amount of records (a batch) and says whether more are ready now.
   * Synchronous: readers prefetch asynchronously and hand records over here.
   */
  pollNext(output: ReaderOutput<T>): InputStatus;
  /** Resolves when pollNext may have records again after "nothing-available". */
  isAvailable(): Promise<void>;
  /** The current position of every split this reader owns (for checkpoints). */
  snapshotState(checkpointId: number): S[];
  progress?(): number | undefined;
  close(): void | Promise<void>;
}

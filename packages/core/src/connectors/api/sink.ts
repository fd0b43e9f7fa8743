/**
 * The sink contract: what a connector author implements to write a job's records out. One writer
 * runs per parallel subtask of the sink, on that subtask's task thread, at the end of its chain:
 * `write` is called per record by a plain function call, so it only buffers; I/O happens in
 * `flush`, at batch edges, where a sink may await.
 *
 * Delivery: an "at-least-once" sink writes in `flush` and may repeat records after a restart
 * from a checkpoint. An "exactly-once" sink uses two-phase commit (sink-committer.ts): its writer
 * stages output and seals it per checkpoint (`prepareCommit`), and its committer makes the sealed
 * output visible once the checkpoint is durable. A sink says which it is in `guarantee`, and says
 * so in its documentation.
 *
 * Threading: every writer method is called on the task thread, one at a time; `flush`,
 * `prepareCommit` and `close` may return Promises. A `Sink` object is constructed once per thread
 * (every worker imports the job module), so its constructor validates options and does no I/O.
 */
import type { SinkCommitter } from "./sink-committer.ts";

export type DeliveryGuarantee = "exactly-once" | "at-least-once" | "none";

/** What the runtime tells a writer about where it runs. */
export interface SinkContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** The sink operator's uid: stable across runs, so use it (with `jobName`, `subtaskIndex`) to name staged output. */
  readonly operatorUid: string;
  readonly jobName: string;
  /** @internal where collect sinks put records in this run and thread. */
  readonly collected?: Map<string, unknown[]>;
}

/** A sink: the factory of its writers and, for two-phase commit, of its committer. `C` is the committable. */
export interface Sink<T, C = unknown> {
  readonly guarantee: DeliveryGuarantee;
  /** Called once per subtask per run, on the task thread, when the task opens. */
  createWriter(context: SinkContext): SinkWriter<T, C>;
  /**
   * Transactional sinks only: called once per run on the coordinating thread. Without it,
   * committables the writers return are dropped.
   */
  createCommitter?(): SinkCommitter<C>;
}

export interface SinkWriter<T, C = unknown> {
  /**
   * Per record, on the hot path: synchronous, no I/O, no Promise; buffer the record. `timestamp`
   * is its event time (or NO_TIMESTAMP). A thrown error is handled as the job's error handling
   * says for a failing record (fail, or the dead-letter output); an EddyError always fails the job.
   */
  write(value: T, timestamp: number): void;
  /**
   * Writes out what was buffered: at batch edges after records were written, and once with
   * `endOfInput` true when a bounded job's input has ended. A returned Promise makes the task take
   * no more input until it settles (a slow sink backpressures the job); a rejection fails the job
   * as retriable. Flushes of one writer never overlap.
   */
  flush(endOfInput: boolean): void | Promise<void>;
  /**
   * Two-phase commit, phase one (exactly-once sinks; called only when checkpointing is on): on the
   * barrier of checkpoint `checkpointId`, between two records, seal everything written since the
   * previous call so that it can be committed later, and return what the committer needs to
   * commit it. A `flush` may still be in flight: order the sealing after it. At the end of input
   * it is called once more with FINAL_CHECKPOINT_ID for the last records. Committables are stored
   * in the checkpoint's metadata as JSON and cross threads: plain JSON data, small (names of staged
   * files or transactions, never the records).
   */
  prepareCommit?(checkpointId: number): C[] | Promise<C[]>;
  /**
   * Called once, last, when the task ends, fails or is cancelled; awaited. Release handles. Output
   * staged but not sealed is not committed: a restart replays its records.
   */
  close(): void | Promise<void>;
}

/**
 * The sink interface, shaped for two-phase commit. A writer buffers records synchronously and
 * flushes at batch edges (the only place a sink may await). On a checkpoint barrier the writer
 * pre-commits (`prepareCommit`) and hands committables to the committer, which commits them when
 * the checkpoint completes. Sinks that cannot do this say they are at-least-once (or none).
 */

export type DeliveryGuarantee = "exactly-once" | "at-least-once" | "none";

export interface SinkContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly operatorUid: string;
  readonly jobName: string;
  /** @internal where collect sinks put records in this run and thread. */
  readonly collected?: Map<string, unknown[]>;
}

export interface Sink<T, C = unknown> {
  readonly guarantee: DeliveryGuarantee;
  createWriter(context: SinkContext): SinkWriter<T, C>;
  /** Present on transactional sinks; commits what writers pre-committed. */
  createCommitter?(): SinkCommitter<C>;
}

export interface SinkWriter<T, C = unknown> {
  /** Synchronous, called per record on the hot path. */
  write(value: T, timestamp: number): void;
  /** Called at batch edges and at the end of input; may be async (I/O). */
  flush(endOfInput: boolean): void | Promise<void>;
  /** On a checkpoint barrier: seal what was written since the last one. */
  prepareCommit?(checkpointId: number): C[] | Promise<C[]>;
  close(): void | Promise<void>;
}

export interface SinkCommitter<C> {
  /** Must be idempotent: after a restore the same committable may be committed again. */
  commit(committables: readonly C[]): Promise<void>;
  /** Discards committables of a checkpoint that never completed. */
  abort?(committables: readonly C[]): Promise<void>;
  /**
   * The job resumes from checkpoint `checkpointId` (0: starts from the beginning): removes what
   * runs of the job committed after it (later checkpoints, the end of input), which this run
   * writes again, except `kept`: that checkpoint's own committables (a subtask that had finished
   * pre-committed its last output into it), committed again next. Returns what it removed.
   * Without it, a rerun with `--fresh`, or one falling back from a corrupt checkpoint to an older
   * one, would add its output to the old.
   */
  discardCommittedAfter?(checkpointId: number, kept: readonly C[]): Promise<readonly string[]>;
}

/** The id sinks pre-commit with at the end of input: their last work, committed when the job ends. */
export const FINAL_CHECKPOINT_ID = Number.MAX_SAFE_INTEGER;

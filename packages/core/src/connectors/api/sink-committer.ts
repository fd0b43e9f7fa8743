/**
 * Two-phase commit, phase two: the committer of a transactional sink. Phase one is
 * `SinkWriter.prepareCommit`, which seals each subtask's output at a checkpoint barrier and returns
 * committables. When every task has acknowledged checkpoint n and its metadata (committables
 * included) is durable, the coordinator commits checkpoint n's committables; only then is the
 * sealed output visible. This is how a sink is exactly once: records after the last completed
 * checkpoint are replayed by the sources after a failure, and their staged output was never
 * committed.
 *
 * Threading: the committer is created and called on the job's coordinating thread, never on a
 * task thread; calls are awaited one at a time.
 *
 * Idempotence: a commit may come twice for the same committables, because after a crash (between
 * the metadata and the commit, or during the commit) the job commits its latest checkpoint again
 * when it restarts, before any record flows. A commit must therefore recognise work it already
 * did (a renamed file is there, a progress row records the checkpoint, a message id was already
 * published) and succeed without doing it again. Key what you record by (job, sink uid, subtask,
 * checkpoint id), which stay the same across runs.
 */

export interface SinkCommitter<C> {
  /**
   * Makes the sealed output described by `committables` (from every subtask of this sink, for one
   * checkpoint) visible. Idempotent (see above). A rejection fails the job; the restart commits
   * the same checkpoint again.
   */
  commit(committables: readonly C[]): Promise<void>;
  /**
   * Discards committables of a checkpoint that will never be committed. The runtime does not call
   * it today; implement it anyway (delete staged output), or leave it out.
   */
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

/**
 * The checkpoint id of the last `prepareCommit`, at the end of a bounded job's input: the writers'
 * last output, committed when the job finishes. Use it to name that output (it is never the id of
 * a periodic checkpoint).
 */
export const FINAL_CHECKPOINT_ID = Number.MAX_SAFE_INTEGER;

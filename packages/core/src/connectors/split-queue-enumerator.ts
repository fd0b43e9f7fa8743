/**
 * An enumerator that hands out splits one at a time to whichever reader asks (pull-based, as
 * Flink's file source does), so readers that finish early take more of the work. A reader that
 * asks when the queue is empty is told no more splits come. Only for splits that end: a reader
 * asks again only once it has finished what it has.
 */
import type { SourceSplit, SplitEnumerator, SplitEnumeratorContext } from "./api/index.ts";

export class SplitQueueEnumerator<S extends SourceSplit> implements SplitEnumerator<S> {
  private readonly queue: S[];

  constructor(
    private readonly context: SplitEnumeratorContext<S>,
    splits: readonly S[],
  ) {
    this.queue = [...splits];
  }

  start(): void {}

  /** Readers ask for work themselves (sendSplitRequest), so registering assigns nothing. */
  addReader(_subtask: number): void {}

  handleSplitRequest(subtask: number): void {
    const split = this.queue.shift();
    if (split === undefined) this.context.signalNoMoreSplits(subtask);
    else this.context.assignSplits(subtask, [split]);
  }

  /** Returned splits go to the front: they were started first, so they finish first. */
  addSplitsBack(splits: readonly S[], _subtask: number): void {
    this.queue.unshift(...splits);
  }

  snapshotState(): S[] {
    return [...this.queue];
  }

  close(): void {}
}

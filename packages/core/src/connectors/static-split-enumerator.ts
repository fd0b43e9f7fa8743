/**
 * An enumerator that knows every split up front and gives each to a fixed subtask (the split's
 * ordinal modulo the parallelism). A reader gets its splits as soon as it registers or asks, and
 * is told at the same time that no more will come. Fixed ownership suits splits that never end
 * (followed files, unbounded generators), which a pull-based queue would pile onto the first
 * reader to ask, and keeps single-split sources on subtask 0.
 */
import type { SourceSplit, SplitEnumerator, SplitEnumeratorContext } from "./api/index.ts";

export class StaticSplitEnumerator<S extends SourceSplit> implements SplitEnumerator<S> {
  /** Splits not yet handed out, by the subtask that owns them. */
  private readonly pending = new Map<number, S[]>();

  constructor(
    private readonly context: SplitEnumeratorContext<S>,
    splits: readonly S[],
  ) {
    splits.forEach((split, ordinal) => {
      this.addPending(ordinal % context.parallelism, [split]);
    });
  }

  start(): void {}

  addReader(subtask: number): void {
    this.assignPending(subtask);
  }

  handleSplitRequest(subtask: number): void {
    this.assignPending(subtask);
  }

  /** A failed reader's splits wait for the same subtask to register again. */
  addSplitsBack(splits: readonly S[], subtask: number): void {
    this.addPending(subtask, splits);
  }

  snapshotState(): S[] {
    return [...this.pending.values()].flat();
  }

  close(): void {}

  private addPending(subtask: number, splits: readonly S[]): void {
    const list = this.pending.get(subtask);
    if (list) list.push(...splits);
    else this.pending.set(subtask, [...splits]);
  }

  private assignPending(subtask: number): void {
    const splits = this.pending.get(subtask);
    this.pending.delete(subtask);
    if (splits !== undefined && splits.length > 0) this.context.assignSplits(subtask, splits);
    this.context.signalNoMoreSplits(subtask);
  }
}

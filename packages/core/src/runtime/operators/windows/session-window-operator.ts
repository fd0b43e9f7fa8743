/**
 * The window operator for session windows, with Flink's merging semantics (MergingWindowSet): a
 * record at time t makes the window [t, t + gap); every live window of the key that it overlaps
 * or touches (Flink's TimeWindow.intersects: start <= other.end && end >= other.start) merges
 * with it into their span. The merged window keeps the merged contents (reduce, merge of
 * accumulators, or concatenated elements, earlier window first, then the new record) and gets new
 * timers; the merged windows' timers are deleted. The lateness check applies to the resulting
 * window, as Flink's `isWindowLate(actualWindow)` after merging: a late record that touches a
 * live window joins it; alone, it is late.
 *
 * The key's live windows are kept in the value state "session-windows" as one flat, sorted array
 * [start0, end0, start1, end1, ...] (Flink persists its window set per key the same way). Live
 * windows never overlap, so their ends are sorted too and the windows a record merges with are
 * contiguous. Contents live under the window's start in "window-contents"; a merge moves them to
 * the new start, so there is no separate state window as in Flink, whose state backends make
 * moving state expensive.
 */
import type { Key, KeySelector } from "../../../api/functions.ts";
import type { WindowSpec } from "../../../api/logical-plan.ts";
import { StateDescriptors, type ValueState } from "../../../api/state.ts";
import type { SessionWindowAssigner } from "../../../api/windows.ts";
import type { OperatorContext } from "../operator.ts";
import { AbstractWindowOperator } from "./abstract-window-operator.ts";

export class SessionWindowOperator extends AbstractWindowOperator {
  private readonly gap: number;
  private sessions!: ValueState<number[]>;

  constructor(keySelector: KeySelector<any, Key>, spec: WindowSpec, assigner: SessionWindowAssigner) {
    super(keySelector, spec);
    this.gap = assigner.gap;
  }

  override open(context: OperatorContext): void {
    super.open(context);
    this.sessions = this.backend.getState(StateDescriptors.value<number[]>("session-windows"));
  }

  protected assign(value: unknown, time: number): boolean {
    const start = time;
    const end = time + this.gap;
    const list = this.sessions.value();
    // Pair indexes of the first and last live window the new one intersects, and where it
    // would go if it merges with none.
    let first = -1;
    let last = -1;
    let insertAt = 0;
    if (list !== undefined) {
      for (let k = 0; k < list.length; k += 2) {
        const s = list[k];
        if (s > end) break;
        insertAt = k + 2;
        if (list[k + 1] >= start) {
          if (first < 0) first = k;
          last = k;
        }
      }
    }

    if (first < 0) {
      if (this.isLate(end)) return false;
      const contents = this.fn.add(undefined, value);
      if (list === undefined) this.sessions.update([start, end]);
      else {
        list.splice(insertAt, 0, start, end);
        this.sessions.update(list);
      }
      this.added(start, end, contents, true);
      return true;
    }

    const windows = list!;
    const firstStart = windows[first];
    const lastEnd = windows[last + 1];
    if (first === last && firstStart <= start && end <= lastEnd) {
      // Inside a live window: it takes the record and keeps its timers.
      if (this.isLate(lastEnd)) return false;
      this.added(firstStart, lastEnd, this.fn.add(this.contents.get(firstStart), value), false);
      return true;
    }

    const mergedStart = Math.min(firstStart, start);
    const mergedEnd = Math.max(lastEnd, end);
    // Never true while timers clean up on time (a live window is not late and the merge only
    // grows it), but checked before any state changes, as Flink checks the merged window.
    if (this.isLate(mergedEnd)) return false;
    // Compute the merged contents before changing anything, so a throwing merge or add leaves
    // the windows as they were.
    let contents = this.contents.get(firstStart);
    for (let k = first + 2; k <= last; k += 2)
      contents = this.fn.merge(contents, this.contents.get(windows[k]));
    contents = this.fn.add(contents, value);
    for (let k = first; k <= last; k += 2) {
      const s = windows[k];
      this.deleteTimers(s, windows[k + 1]);
      if (s !== mergedStart) this.contents.remove(s);
    }
    windows.splice(first, last - first + 2, mergedStart, mergedEnd);
    this.sessions.update(windows);
    this.added(mergedStart, mergedEnd, contents, true);
    return true;
  }

  protected windowEnd(start: number): number | undefined {
    const list = this.sessions.value();
    if (list === undefined) return undefined;
    for (let k = 0; k < list.length; k += 2) if (list[k] === start) return list[k + 1];
    return undefined;
  }

  protected override retire(start: number): void {
    const list = this.sessions.value();
    if (list === undefined) return;
    for (let k = 0; k < list.length; k += 2)
      if (list[k] === start) {
        list.splice(k, 2);
        if (list.length === 0) this.sessions.clear();
        else this.sessions.update(list);
        return;
      }
  }
}

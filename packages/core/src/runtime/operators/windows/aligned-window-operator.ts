/**
 * The window operator for aligned windows (tumbling and sliding): a record at time t belongs to
 * every window [start, start + size) with start = lastWindowStart(t) - k * slide, k >= 0, while
 * start > t - size. The windows are walked in place, latest start first as Flink lists them,
 * so no array of windows is made per record; a window is its start, since the size is fixed.
 */
import type { Key, KeySelector } from "../../../api/functions.ts";
import type { WindowSpec } from "../../../api/logical-plan.ts";
import { type AlignedWindowAssigner, lastWindowStart } from "../../../api/windows.ts";
import { AbstractWindowOperator } from "./abstract-window-operator.ts";

export class AlignedWindowOperator extends AbstractWindowOperator {
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;

  constructor(keySelector: KeySelector<any, Key>, spec: WindowSpec, assigner: AlignedWindowAssigner) {
    super(keySelector, spec);
    this.size = assigner.size;
    this.slide = assigner.slide;
    this.offset = assigner.offset;
  }

  protected assign(value: unknown, time: number): boolean {
    const size = this.size;
    let accepted = false;
    for (
      let start = lastWindowStart(time, this.slide, this.offset);
      start > time - size;
      start -= this.slide
    ) {
      const end = start + size;
      if (this.isLate(end)) continue;
      accepted = true;
      const previous = this.contents.get(start);
      this.added(start, end, this.fn.add(previous, value), previous === undefined);
    }
    return accepted;
  }

  protected windowEnd(start: number): number {
    return start + this.size;
  }
}

/**
 * What an iterative condition sees of the partial match it would extend: its events so far,
 * read back from the shared buffer at most once per partial match and event, the event's
 * timestamp and the processing time. One instance, reset for every partial match.
 */
import type { PatternContext } from "../pattern/stage-spec.ts";
import type { ComputationState } from "./computation-state.ts";
import type { RawMatch, SharedBuffer } from "./shared-buffer.ts";

export class ConditionContext<E> implements PatternContext<any> {
  private cs!: ComputationState;
  private ts = 0;
  private extracted: RawMatch<E> | undefined;
  now: () => number = Date.now;

  constructor(private readonly buffer: SharedBuffer<E>) {}

  reset(cs: ComputationState, ts: number): void {
    this.cs = cs;
    this.ts = ts;
    this.extracted = undefined;
  }

  events(stage: string): readonly any[] {
    if (this.extracted === undefined) {
      const cs = this.cs;
      this.extracted = this.buffer.materialize(
        cs.previous === null ? [] : this.buffer.extractPath(cs.previous, cs.version),
      );
    }
    return this.extracted[stage] ?? [];
  }

  timestamp(): number {
    return this.ts;
  }

  currentProcessingTime(): number {
    return this.now();
  }
}

/**
 * The WindowContext a ProcessWindowFunction sees while its window fires: the key, the window,
 * the current times, and side outputs. One instance per operator, updated per firing; side
 * outputs carry the window's max timestamp, like the main output.
 */
import type { Key } from "../../../api/functions.ts";
import type { OutputTag } from "../../../api/output-tag.ts";
import type { TimeWindow, WindowContext } from "../../../api/windows.ts";
import type { OperatorContext } from "../operator.ts";
import type { InternalTimerService } from "../timer-service.ts";

export class FiringContext implements WindowContext<Key> {
  key: Key = 0;
  window: TimeWindow = { start: 0, end: 0 };
  constructor(
    private readonly operatorContext: OperatorContext,
    private readonly timers: InternalTimerService,
  ) {}
  currentWatermark(): number {
    return this.timers.currentWatermark;
  }
  currentProcessingTime(): number {
    return this.operatorContext.clock.now();
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.operatorContext.output.collectSide(tag.id, value, this.window.end - 1);
  }
}

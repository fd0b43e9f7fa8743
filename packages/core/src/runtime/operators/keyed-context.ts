/**
 * The context a keyed function sees: the current record's timestamp and key, a timer service
 * scoped to that key, and side outputs. One instance per operator, updated per record or timer.
 */
import type {
  Key,
  KeyedProcessContext,
  OnTimerContext,
  TimeDomain,
  TimerService,
} from "../../api/functions.ts";
import type { OutputTag } from "../../api/output-tag.ts";
import type { KeyedStateBackend } from "../../state/keyed-state-backend.ts";
import type { OperatorContext } from "./operator.ts";
import { type InternalTimerService, VOID_NAMESPACE } from "./timer-service.ts";

export class KeyedContext<K extends Key> implements KeyedProcessContext<K>, OnTimerContext<K>, TimerService {
  currentTimestamp = 0;
  domain: TimeDomain = "event-time";
  constructor(
    private readonly operatorContext: OperatorContext,
    private readonly backend: KeyedStateBackend,
    private readonly timers: InternalTimerService,
  ) {}
  timestamp(): number {
    return this.currentTimestamp;
  }
  currentKey(): K {
    return this.backend.currentKey as K;
  }
  timerService(): TimerService {
    return this;
  }
  timeDomain(): TimeDomain {
    return this.domain;
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.operatorContext.output.collectSide(tag.id, value, this.currentTimestamp);
  }
  outputWithTimestamp<X>(tag: OutputTag<X>, value: X, timestamp: number): void {
    this.operatorContext.output.collectSide(tag.id, value, timestamp);
  }
  currentProcessingTime(): number {
    return this.operatorContext.clock.now();
  }
  currentWatermark(): number {
    return this.timers.currentWatermark;
  }
  registerEventTimeTimer(time: number): void {
    this.timers.registerEventTimeTimer(VOID_NAMESPACE, time);
  }
  registerProcessingTimeTimer(time: number): void {
    this.timers.registerProcessingTimeTimer(VOID_NAMESPACE, time);
  }
  deleteEventTimeTimer(time: number): void {
    this.timers.deleteEventTimeTimer(VOID_NAMESPACE, time);
  }
  deleteProcessingTimeTimer(time: number): void {
    this.timers.deleteProcessingTimeTimer(VOID_NAMESPACE, time);
  }
}

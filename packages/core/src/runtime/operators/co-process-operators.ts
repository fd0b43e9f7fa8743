/**
 * Two-input operators built with connect(): a co-process function over two streams, and its keyed
 * form, where both inputs are keyed the same way and share state and timers per key (joins,
 * enrichment, control streams).
 */
import type { CoProcessFunction, Key, KeyedCoProcessFunction, KeySelector } from "../../api/functions.ts";
import { EddyError } from "../../errors.ts";
import type { OperatorContext, TwoInputOperator } from "../operator.ts";
import type { InternalTimerService, Timer, Triggerable } from "../timer-service.ts";
import { AbstractOperator, TimestampedCollector } from "./abstract-operator.ts";
import { KeyedContext } from "./keyed-context.ts";
import { AbstractKeyedOperator } from "./keyed-process-operator.ts";
import { RecordContext } from "./stateless-operators.ts";

export class CoProcessOperator<IN1, IN2, OUT> extends AbstractOperator implements TwoInputOperator<IN1, IN2> {
  private collector!: TimestampedCollector<OUT>;
  private recordContext!: RecordContext;
  constructor(private readonly fn: CoProcessFunction<IN1, IN2, OUT>) {
    super();
  }
  override open(context: OperatorContext): void {
    super.open(context);
    this.collector = new TimestampedCollector<OUT>(this.output as never);
    this.recordContext = new RecordContext(context, this);
    this.fn.open?.(this.nonKeyedRuntimeContext());
  }
  processElement1(value: IN1, timestamp: number): void {
    this.recordContext.currentTimestamp = this.collector.timestamp = timestamp;
    try {
      this.fn.processElement1(value, this.recordContext, this.collector);
    } catch (error) {
      this.failed(error, value, timestamp);
    }
  }
  processElement2(value: IN2, timestamp: number): void {
    this.recordContext.currentTimestamp = this.collector.timestamp = timestamp;
    try {
      this.fn.processElement2(value, this.recordContext, this.collector);
    } catch (error) {
      this.failed(error, value, timestamp);
    }
  }
  override close(): void {
    this.fn.close?.();
  }
}

export class KeyedCoProcessOperator<K extends Key, IN1, IN2, OUT>
  extends AbstractKeyedOperator
  implements TwoInputOperator<IN1, IN2>, Triggerable
{
  private collector!: TimestampedCollector<OUT>;
  private keyedContext!: KeyedContext<K>;
  private timers!: InternalTimerService;

  constructor(
    keySelector1: KeySelector<IN1, K>,
    private readonly keySelector2: KeySelector<IN2, K>,
    private readonly fn: KeyedCoProcessFunction<K, IN1, IN2, OUT>,
  ) {
    super(keySelector1 as KeySelector<any, Key>);
  }

  override open(context: OperatorContext): void {
    super.open(context);
    this.collector = new TimestampedCollector<OUT>(this.output as never);
    this.timers = context.timerService(this);
    this.keyedContext = new KeyedContext<K>(context, this.backend, this.timers);
    this.fn.open?.(this.keyedRuntimeContext());
  }

  processElement1(value: IN1, timestamp: number): void {
    if (!this.setKeyOf(value, timestamp)) return;
    this.keyedContext.currentTimestamp = this.collector.timestamp = timestamp;
    try {
      this.fn.processElement1(value, this.keyedContext, this.collector);
    } catch (error) {
      this.failed(error, value, timestamp);
    }
  }

  processElement2(value: IN2, timestamp: number): void {
    if (!this.setKeyOf(value, timestamp, this.keySelector2 as KeySelector<any, Key>)) return;
    this.keyedContext.currentTimestamp = this.collector.timestamp = timestamp;
    try {
      this.fn.processElement2(value, this.keyedContext, this.collector);
    } catch (error) {
      this.failed(error, value, timestamp);
    }
  }

  override processWatermark(watermark: number): void {
    this.timers.advanceWatermark(watermark);
    super.processWatermark(watermark);
  }
  advanceProcessingTime(now: number): void {
    this.timers.advanceProcessingTime(now);
  }
  nextProcessingTime(): number {
    return this.timers.nextProcessingTime();
  }
  onEventTime(timer: Timer): void {
    this.fire(timer, "event-time");
  }
  onProcessingTime(timer: Timer): void {
    this.fire(timer, "processing-time");
  }
  private fire(timer: Timer, domain: "event-time" | "processing-time"): void {
    if (this.fn.onTimer === undefined) return;
    this.keyedContext.domain = domain;
    this.keyedContext.currentTimestamp = this.collector.timestamp = timer.time;
    try {
      this.fn.onTimer(timer.time, this.keyedContext, this.collector);
    } catch (error) {
      if (error instanceof EddyError) throw error;
      this.context.recordFailed(error, { timer: timer.time, key: timer.key }, timer.time);
    } finally {
      this.keyedContext.domain = "event-time";
    }
  }
  override close(): void {
    this.fn.close?.();
  }
}

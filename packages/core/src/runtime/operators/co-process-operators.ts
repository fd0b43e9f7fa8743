/**
 * Two-input operators built with connect(): a co-process function over two streams, and its keyed
 * form, where both inputs are keyed the same way and share state and timers per key (joins,
 * enrichment, control streams).
 */
import type { CoProcessFunction, Key, KeyedCoProcessFunction, KeySelector } from "../../api/functions.ts";
import { AbstractOperator, TimestampedCollector } from "./abstract-operator.ts";
import { AbstractUserTimerOperator } from "./keyed-process-operator.ts";
import type { OperatorContext, TwoInputOperator } from "./operator.ts";
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
  extends AbstractUserTimerOperator<K, OUT>
  implements TwoInputOperator<IN1, IN2>
{
  constructor(
    keySelector1: KeySelector<IN1, K>,
    private readonly keySelector2: KeySelector<IN2, K>,
    private readonly fn: KeyedCoProcessFunction<K, IN1, IN2, OUT>,
  ) {
    super(keySelector1 as KeySelector<any, Key>, fn as never);
  }

  override open(context: OperatorContext): void {
    super.open(context);
    this.fn.open?.(this.keyedRuntimeContext());
  }

  processElement1(value: IN1, timestamp: number): void {
    if (!this.enter(value, timestamp)) return;
    this.process1(value, timestamp);
  }

  processElement2(value: IN2, timestamp: number): void {
    if (!this.enter(value, timestamp, this.keySelector2 as KeySelector<any, Key>)) return;
    this.process2(value, timestamp);
  }

  processKeyedElement(value: IN1, timestamp: number, key: Key, keyGroup: number): void {
    this.enterKeyed(key, keyGroup, timestamp);
    this.process1(value, timestamp);
  }

  processKeyedElement2(value: IN2, timestamp: number, key: Key, keyGroup: number): void {
    this.enterKeyed(key, keyGroup, timestamp);
    this.process2(value, timestamp);
  }

  private process1(value: IN1, timestamp: number): void {
    try {
      this.fn.processElement1(value, this.keyedContext, this.collector);
    } catch (error) {
      this.failed(error, value, timestamp);
    }
  }

  private process2(value: IN2, timestamp: number): void {
    try {
      this.fn.processElement2(value, this.keyedContext, this.collector);
    } catch (error) {
      this.failed(error, value, timestamp);
    }
  }
}

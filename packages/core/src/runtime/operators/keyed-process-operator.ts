/**
 * Operators on a keyed stream with user state and timers: the keyed process function and the
 * rolling reduce. Before each record the operator makes its key current, so state and timers are
 * the key's own: the key its exchange computed (processKeyedElement), or its own key selector's.
 */
import type {
  Key,
  KeyedProcessFunction,
  KeySelector,
  ReduceFunction,
  TimeDomain,
} from "../../api/functions.ts";
import { StateDescriptors, type ValueState } from "../../api/state.ts";
import { EddyError } from "../../errors.ts";
import { checkKeyType } from "../../state/key-groups.ts";
import type { KeyedStateBackend } from "../../state/keyed-state-backend.ts";
import { AbstractOperator, TimestampedCollector } from "./abstract-operator.ts";
import { KeyedContext } from "./keyed-context.ts";
import type { OneInputOperator, OperatorContext } from "./operator.ts";
import type { InternalTimerService, Timer, Triggerable } from "./timer-service.ts";

/** Base of keyed operators: makes the record's key current before processing it. */
export abstract class AbstractKeyedOperator extends AbstractOperator {
  protected backend!: KeyedStateBackend;
  constructor(protected readonly keySelector: KeySelector<any, Key>) {
    super();
  }
  override open(context: OperatorContext): void {
    super.open(context);
    this.backend = context.keyedBackend();
  }
  /** Sets the current key from the record; false if the key selector failed (record handled). */
  protected setKeyOf(value: unknown, timestamp: number, selector = this.keySelector): boolean {
    let key: Key;
    try {
      key = selector(value);
      checkKeyType(key, this.context.name);
    } catch (error) {
      this.failed(error, value, timestamp);
      return false;
    }
    this.backend.setCurrentKey(key);
    return true;
  }
}

/**
 * Base of operators that run a user function with keyed state and timers (keyed process and keyed
 * co-process): owns the reused context and collector and fires the user's timers.
 */
export abstract class AbstractUserTimerOperator<K extends Key, OUT>
  extends AbstractKeyedOperator
  implements Triggerable
{
  protected collector!: TimestampedCollector<OUT>;
  protected keyedContext!: KeyedContext<K>;
  protected timers!: InternalTimerService;

  constructor(
    keySelector: KeySelector<any, Key>,
    private readonly userFunction: {
      onTimer?(timestamp: number, context: KeyedContext<K>, out: TimestampedCollector<OUT>): void;
      close?(): void;
    },
  ) {
    super(keySelector);
  }

  override open(context: OperatorContext): void {
    super.open(context);
    this.collector = new TimestampedCollector<OUT>(this.output as never);
    this.timers = context.timerService(this);
    this.keyedContext = new KeyedContext<K>(context, this.backend, this.timers);
  }

  /** Prepares the reused context for a record; false if the record's key could not be read. */
  protected enter(value: unknown, timestamp: number, selector = this.keySelector): boolean {
    if (!this.setKeyOf(value, timestamp, selector)) return false;
    this.keyedContext.currentTimestamp = this.collector.timestamp = timestamp;
    return true;
  }

  /** Prepares the reused context for a record keyed by its exchange. */
  protected enterKeyed(key: Key, keyGroup: number, timestamp: number): void {
    this.backend.setCurrentKeyAndGroup(key, keyGroup);
    this.keyedContext.currentTimestamp = this.collector.timestamp = timestamp;
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

  private fire(timer: Timer, domain: TimeDomain): void {
    if (this.userFunction.onTimer === undefined) return;
    this.keyedContext.domain = domain;
    this.keyedContext.currentTimestamp = this.collector.timestamp = timer.time;
    try {
      this.userFunction.onTimer(timer.time, this.keyedContext, this.collector);
    } catch (error) {
      if (error instanceof EddyError) throw error;
      this.context.recordFailed(error, { timer: timer.time, key: timer.key }, timer.time);
    } finally {
      this.keyedContext.domain = "event-time";
    }
  }

  override close(): void {
    this.userFunction.close?.();
  }
}

export class KeyedProcessOperator<K extends Key, IN, OUT>
  extends AbstractUserTimerOperator<K, OUT>
  implements OneInputOperator<IN>
{
  constructor(
    keySelector: KeySelector<IN, K>,
    private readonly fn: KeyedProcessFunction<K, IN, OUT>,
  ) {
    super(keySelector as KeySelector<any, Key>, fn as never);
  }

  override open(context: OperatorContext): void {
    super.open(context);
    this.fn.open?.(this.keyedRuntimeContext());
  }

  processElement(value: IN, timestamp: number): void {
    if (!this.enter(value, timestamp)) return;
    this.process(value, timestamp);
  }

  processKeyedElement(value: IN, timestamp: number, key: Key, keyGroup: number): void {
    this.enterKeyed(key, keyGroup, timestamp);
    this.process(value, timestamp);
  }

  private process(value: IN, timestamp: number): void {
    try {
      this.fn.processElement(value, this.keyedContext, this.collector);
    } catch (error) {
      this.failed(error, value, timestamp);
    }
  }
}

/** Rolling reduce per key: emits the new reduced value after every record. */
export class ReduceOperator<T> extends AbstractKeyedOperator implements OneInputOperator<T> {
  private state!: ValueState<T>;
  constructor(
    keySelector: KeySelector<T, Key>,
    private readonly fn: ReduceFunction<T>,
  ) {
    super(keySelector);
  }
  override open(context: OperatorContext): void {
    super.open(context);
    this.state = this.backend.getState(StateDescriptors.value<T>("reduce"));
  }
  processElement(value: T, timestamp: number): void {
    if (!this.setKeyOf(value, timestamp)) return;
    this.reduce(value, timestamp);
  }

  processKeyedElement(value: T, timestamp: number, key: Key, keyGroup: number): void {
    this.backend.setCurrentKeyAndGroup(key, keyGroup);
    this.reduce(value, timestamp);
  }

  private reduce(value: T, timestamp: number): void {
    const current = this.state.value();
    let next: T;
    try {
      next = current === undefined ? value : this.fn(current, value);
    } catch (error) {
      this.failed(error, value, timestamp);
      return;
    }
    this.state.update(next);
    this.output.collect(next, timestamp);
  }
}

/**
 * The one-to-one operators: map, filter, flatMap and the non-keyed process function. They hold
 * no state; a chain of them is a sequence of direct calls per record.
 */
import type {
  FilterFunction,
  FlatMapFunction,
  MapFunction,
  ProcessContext,
  ProcessFunction,
} from "../../api/functions.ts";
import type { OutputTag } from "../../api/output-tag.ts";
import { AbstractOperator, TimestampedCollector } from "./abstract-operator.ts";
import type { OneInputOperator, OperatorContext } from "./operator.ts";

export class MapOperator<IN, OUT> extends AbstractOperator implements OneInputOperator<IN> {
  constructor(private readonly fn: MapFunction<IN, OUT>) {
    super();
  }
  processElement(value: IN, timestamp: number): void {
    let result: OUT;
    try {
      result = this.fn(value);
    } catch (error) {
      this.failed(error, value, timestamp);
      return;
    }
    this.output.collect(result, timestamp);
  }
}

export class FilterOperator<IN> extends AbstractOperator implements OneInputOperator<IN> {
  constructor(private readonly fn: FilterFunction<IN>) {
    super();
  }
  processElement(value: IN, timestamp: number): void {
    let keep: boolean;
    try {
      keep = this.fn(value);
    } catch (error) {
      this.failed(error, value, timestamp);
      return;
    }
    if (keep) this.output.collect(value, timestamp);
  }
}

export class FlatMapOperator<IN, OUT> extends AbstractOperator implements OneInputOperator<IN> {
  private collector!: TimestampedCollector<OUT>;
  constructor(private readonly fn: FlatMapFunction<IN, OUT>) {
    super();
  }
  override open(context: OperatorContext): void {
    super.open(context);
    this.collector = new TimestampedCollector<OUT>(this.output as never);
  }
  processElement(value: IN, timestamp: number): void {
    this.collector.timestamp = timestamp;
    try {
      this.fn(value, this.collector);
    } catch (error) {
      this.failed(error, value, timestamp);
    }
  }
}

export class ProcessOperator<IN, OUT> extends AbstractOperator implements OneInputOperator<IN> {
  private collector!: TimestampedCollector<OUT>;
  private processContext!: RecordContext;
  constructor(private readonly fn: ProcessFunction<IN, OUT>) {
    super();
  }
  override open(context: OperatorContext): void {
    super.open(context);
    this.collector = new TimestampedCollector<OUT>(this.output as never);
    this.processContext = new RecordContext(context, this);
    this.fn.open?.(this.nonKeyedRuntimeContext());
  }
  processElement(value: IN, timestamp: number): void {
    this.processContext.currentTimestamp = this.collector.timestamp = timestamp;
    try {
      this.fn.processElement(value, this.processContext, this.collector);
    } catch (error) {
      this.failed(error, value, timestamp);
    }
  }
  override close(): void {
    this.fn.close?.();
  }
}

/** The ProcessContext handed to user functions: one per operator, updated per record. */
export class RecordContext implements ProcessContext {
  currentTimestamp = 0;
  constructor(
    protected readonly operatorContext: OperatorContext,
    private readonly operator: { currentWatermark: number },
  ) {}
  timestamp(): number {
    return this.currentTimestamp;
  }
  currentWatermark(): number {
    return this.operator.currentWatermark;
  }
  currentProcessingTime(): number {
    return this.operatorContext.clock.now();
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.operatorContext.output.collectSide(tag.id, value, this.currentTimestamp);
  }
  outputWithTimestamp<X>(tag: OutputTag<X>, value: X, timestamp: number): void {
    this.operatorContext.output.collectSide(tag.id, value, timestamp);
  }
}

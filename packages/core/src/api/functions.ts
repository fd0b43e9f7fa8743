/**
 * The user functions eddy calls, and the contexts it passes them. Contexts are reused from
 * record to record (no allocation per call): read them during the call, do not keep them.
 */
import type { OutputTag } from "./output-tag.ts";
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from "./state.ts";

/** Keys must be primitive so that equal keys are equal in a Map and hash the same everywhere. */
export type Key = string | number;

/**
 * Where a function emits records. Every collector eddy passes to a function implements both
 * methods; neither allocates.
 */
export interface Collector<T> {
  /** Emits `value` with the event timestamp of the record (or timer) being processed. */
  collect(value: T): void;
  /**
   * Emits `value` with the event timestamp `timestamp` instead (Flink's
   * TimestampedCollector.setAbsoluteTimestamp), for output that belongs to another moment than
   * what released it: a match released by a later watermark carries its last event's time.
   * Later `collect` calls keep the current record's timestamp.
   */
  collectWithTimestamp(value: T, timestamp: number): void;
}

export type MapFunction<IN, OUT> = (value: IN) => OUT;
export type FilterFunction<IN> = (value: IN) => boolean;
export type FlatMapFunction<IN, OUT> = (value: IN, out: Collector<OUT>) => void;
export type KeySelector<IN, K extends Key> = (value: IN) => K;
export type ReduceFunction<T> = (accumulated: T, value: T) => T;

export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  /** Needed by merging (session) windows. */
  merge(a: ACC, b: ACC): ACC;
}

/** What every rich function can reach when it opens. */
export interface RuntimeContext {
  readonly jobName: string;
  readonly operatorUid: string;
  readonly operatorName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The operator's own metrics, reported with the job's progress (summed over subtasks). */
  readonly metrics: MetricGroup;
}

/** User metrics of one operator subtask. Names are unique per operator. */
export interface MetricGroup {
  /** A value read when metrics are sampled (e.g. a size). */
  gauge(name: string, read: () => number): void;
  /** A count that only grows. */
  counter(name: string): Counter;
}

export interface Counter {
  inc(by?: number): void;
  readonly count: number;
}

/** Keyed state access, available to functions on a keyed stream. */
export interface KeyedRuntimeContext extends RuntimeContext {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<UK extends Key, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT>;
}

export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
}

export interface ProcessContext {
  /** Event timestamp of the current record (NO_TIMESTAMP when it has none). */
  timestamp(): number;
  currentWatermark(): number;
  currentProcessingTime(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
  /** Emits `value` to the side output `tag` with the event timestamp `timestamp` (as collectWithTimestamp). */
  outputWithTimestamp<X>(tag: OutputTag<X>, value: X, timestamp: number): void;
}

export interface ProcessFunction<IN, OUT> {
  open?(context: RuntimeContext): void;
  processElement(value: IN, context: ProcessContext, out: Collector<OUT>): void;
  close?(): void;
}

export interface KeyedProcessContext<K extends Key> extends ProcessContext {
  currentKey(): K;
  timerService(): TimerService;
}

export type TimeDomain = "event-time" | "processing-time";

export interface OnTimerContext<K extends Key> extends KeyedProcessContext<K> {
  timeDomain(): TimeDomain;
}

export interface KeyedProcessFunction<K extends Key, IN, OUT> {
  open?(context: KeyedRuntimeContext): void;
  processElement(value: IN, context: KeyedProcessContext<K>, out: Collector<OUT>): void;
  onTimer?(timestamp: number, context: OnTimerContext<K>, out: Collector<OUT>): void;
  close?(): void;
}

export interface CoProcessFunction<IN1, IN2, OUT> {
  open?(context: RuntimeContext): void;
  processElement1(value: IN1, context: ProcessContext, out: Collector<OUT>): void;
  processElement2(value: IN2, context: ProcessContext, out: Collector<OUT>): void;
  close?(): void;
}

export interface KeyedCoProcessFunction<K extends Key, IN1, IN2, OUT> {
  open?(context: KeyedRuntimeContext): void;
  processElement1(value: IN1, context: KeyedProcessContext<K>, out: Collector<OUT>): void;
  processElement2(value: IN2, context: KeyedProcessContext<K>, out: Collector<OUT>): void;
  onTimer?(timestamp: number, context: OnTimerContext<K>, out: Collector<OUT>): void;
  close?(): void;
}

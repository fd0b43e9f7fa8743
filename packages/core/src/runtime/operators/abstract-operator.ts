/**
 * The base of eddy's operators: keeps the context and output, forwards watermarks, and turns an
 * exception from user code into the job's error handling (dead letter or failure). Engine errors
 * (EddyError) pass through untouched, so a failure is reported once, by the operator it hit.
 */
import type { Collector, KeyedRuntimeContext, MetricGroup, RuntimeContext } from "../../api/functions.ts";
import { EddyError, JobDefinitionError } from "../../errors.ts";
import type { OperatorContext, Output, StreamOperator } from "./operator.ts";

export abstract class AbstractOperator implements StreamOperator {
  protected context!: OperatorContext;
  protected output!: Output<unknown>;
  currentWatermark = Number.NEGATIVE_INFINITY;

  open(context: OperatorContext): void {
    this.context = context;
    this.output = context.output;
  }

  processWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    this.context.metrics.currentWatermark = watermark;
    this.output.emitWatermark(watermark);
  }

  endInput(): void {}

  close(): void {}

  /** Called from a catch block around user code. */
  protected failed(error: unknown, record: unknown, timestamp: number): void {
    if (error instanceof EddyError) throw error;
    this.context.recordFailed(error, record, timestamp);
  }

  protected runtimeContext(): RuntimeContext {
    const c = this.context;
    return {
      jobName: c.jobName,
      operatorUid: c.uid,
      operatorName: c.name,
      subtaskIndex: c.subtaskIndex,
      parallelism: c.parallelism,
      maxParallelism: c.maxParallelism,
      metrics: userMetricGroup(c.metrics.user),
    };
  }

  /** A runtime context whose state accessors explain that state needs keyBy. */
  protected nonKeyedRuntimeContext(): RuntimeContext {
    const name = this.context.name;
    const refuse = (): never => {
      throw new JobDefinitionError(
        `operator '${name}' asks for keyed state, but its input is not keyed: call keyBy() before it`,
      );
    };
    return Object.assign(this.runtimeContext(), {
      getState: refuse,
      getListState: refuse,
      getMapState: refuse,
      getReducingState: refuse,
      getAggregatingState: refuse,
    });
  }

  protected keyedRuntimeContext(): KeyedRuntimeContext {
    const backend = this.context.keyedBackend();
    return {
      ...this.runtimeContext(),
      getState: (d) => backend.getState(d),
      getListState: (d) => backend.getState(d),
      getMapState: (d) => backend.getState(d),
      getReducingState: (d) => backend.getState(d),
      getAggregatingState: (d) => backend.getState(d),
    };
  }
}

/** A Collector that emits with the timestamp of the record (or timer) being processed, or a given one. */
export class TimestampedCollector<T> implements Collector<T> {
  timestamp = 0;
  constructor(private readonly output: Output<T>) {}
  collect(value: T): void {
    this.output.collect(value, this.timestamp);
  }
  collectWithTimestamp(value: T, timestamp: number): void {
    this.output.collect(value, timestamp);
  }
}

/** The MetricGroup user functions get: gauges and counters kept in the operator's metrics. */
export function userMetricGroup(user: Map<string, () => number>): MetricGroup {
  return {
    gauge(name, read) {
      user.set(name, read);
    },
    counter(name) {
      const counter = {
        count: 0,
        inc(by = 1) {
          counter.count += by;
        },
      };
      user.set(name, () => counter.count);
      return counter;
    },
  };
}

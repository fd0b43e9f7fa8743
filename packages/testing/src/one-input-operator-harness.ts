/**
 * A harness for one operator with one input (map, filter, flatMap, process, timestamps, and the
 * keyed operators): feed it records and watermarks, move processing time, and read what it
 * emitted, deterministically and without running a job.
 */
import { NO_TIMESTAMP, type TimestampedElement } from "@eddy/core";
import type { OneInputOperator } from "@eddy/core/internal";
import type { HarnessContext } from "./harness-context.ts";
import { OperatorHarnessBase } from "./operator-harness-base.ts";

export class OneInputOperatorHarness<IN, OUT> extends OperatorHarnessBase<OUT> {
  /** Prefer the `OperatorHarness.for*` factories. */
  constructor(
    protected override readonly operator: OneInputOperator<IN>,
    env: HarnessContext,
  ) {
    super(operator, env, 1);
  }

  /** One record, with its event timestamp (NO_TIMESTAMP if it has none). */
  processElement(value: IN, timestamp: number = NO_TIMESTAMP): this {
    this.running("processElement");
    this.env.metrics.recordsIn++;
    this.operator.processElement(value, timestamp);
    return this;
  }

  processElements(records: Iterable<TimestampedElement<IN>>): this {
    for (const r of records) this.processElement(r.value, r.timestamp);
    return this;
  }

  /** The input watermark; like the runtime, the operator only sees watermarks that advance. */
  processWatermark(watermark: number): this {
    this.running("processWatermark");
    this.advanceInputWatermark(0, watermark);
    return this;
  }
}

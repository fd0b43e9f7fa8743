/**
 * A harness for an operator with two inputs (connect + process, keyed or not). Each input has its
 * own watermark and the operator sees their minimum, as behind the runtime's input gate.
 */
import { NO_TIMESTAMP } from "@eddy/core";
import type { TwoInputOperator } from "@eddy/core/internal";
import type { HarnessContext } from "./harness-context.ts";
import { OperatorHarnessBase } from "./operator-harness-base.ts";

export class TwoInputOperatorHarness<IN1, IN2, OUT> extends OperatorHarnessBase<OUT> {
  /** Prefer the `OperatorHarness.for*` factories. */
  constructor(
    protected override readonly operator: TwoInputOperator<IN1, IN2>,
    env: HarnessContext,
  ) {
    super(operator, env, 2);
  }

  processElement1(value: IN1, timestamp: number = NO_TIMESTAMP): this {
    this.running("processElement1");
    this.env.metrics.recordsIn++;
    this.operator.processElement1(value, timestamp);
    return this;
  }

  processElement2(value: IN2, timestamp: number = NO_TIMESTAMP): this {
    this.running("processElement2");
    this.env.metrics.recordsIn++;
    this.operator.processElement2(value, timestamp);
    return this;
  }

  /** Watermark of the first input; the operator sees min(first, second) when that advances. */
  processWatermark1(watermark: number): this {
    this.running("processWatermark1");
    this.advanceInputWatermark(0, watermark);
    return this;
  }

  processWatermark2(watermark: number): this {
    this.running("processWatermark2");
    this.advanceInputWatermark(1, watermark);
    return this;
  }

  /** The same watermark on both inputs. */
  processWatermark(watermark: number): this {
    this.running("processWatermark");
    this.advanceInputWatermark("all", watermark);
    return this;
  }
}

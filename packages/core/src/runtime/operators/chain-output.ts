/**
 * How an operator's output reaches its consumers inside a chain: the main output goes to the
 * chained operators' inputs and the exchanges' writers; side outputs go to the consumers of that
 * tag. A single consumer is called directly; several are called in turn. A single chained
 * operator is called without its ChainedInput in between, so a chain hop is two calls
 * (output.collect, then processElement), not three.
 */
import { DEAD_LETTER, type DeadLetter } from "../../api/output-tag.ts";
import type { OneInputOperator, OperatorMetrics, Output } from "./operator.ts";

const NO_TARGETS: readonly Output<unknown>[] = [];

export class ChainOutput implements Output<unknown> {
  private single: Output<unknown> | undefined;
  /** The single main consumer when it is a chained operator, and that operator's metrics. */
  private next: OneInputOperator<unknown> | undefined;
  private nextMetrics: OperatorMetrics | undefined;
  private readonly main: Output<unknown>[] = [];
  private readonly side = new Map<string, Output<unknown>[]>();
  constructor(
    private readonly metrics: OperatorMetrics,
    private readonly unconsumedDeadLetter: (letter: DeadLetter) => void,
  ) {}

  /**
   * Adds a consumer of the main output (tag undefined) or of a side output, while the task is
   * deployed: an output is created before its consumers, since an exchange's writer reports the
   * records it cannot key through the operator's context, which holds this output.
   */
  connect(tag: string | undefined, target: Output<unknown>): void {
    if (tag === undefined) {
      this.main.push(target);
      this.single = this.main.length === 1 ? this.main[0] : undefined;
      const chained = this.single instanceof ChainedInput ? this.single : undefined;
      this.next = chained?.operator;
      this.nextMetrics = chained?.metrics;
    } else {
      const targets = this.side.get(tag);
      if (targets === undefined) this.side.set(tag, [target]);
      else targets.push(target);
    }
  }

  collect(value: unknown, timestamp: number): void {
    this.metrics.recordsOut++;
    const next = this.next;
    if (next !== undefined) {
      this.nextMetrics!.recordsIn++;
      next.processElement(value, timestamp);
    } else if (this.single !== undefined) this.single.collect(value, timestamp);
    else for (const target of this.main) target.collect(value, timestamp);
  }

  collectSide(tagId: string, value: unknown, timestamp: number): void {
    const targets = this.side.get(tagId) ?? NO_TARGETS;
    if (targets.length === 0 && tagId === DEAD_LETTER.id) this.unconsumedDeadLetter(value as DeadLetter);
    for (const target of targets) target.collect(value, timestamp);
  }

  emitWatermark(watermark: number): void {
    for (const target of this.main) target.emitWatermark(watermark);
    for (const targets of this.side.values()) for (const target of targets) target.emitWatermark(watermark);
  }
}

/** The input of a chained operator: counts the record and calls the operator. */
export class ChainedInput implements Output<unknown> {
  constructor(
    readonly operator: OneInputOperator<unknown>,
    readonly metrics: OperatorMetrics,
  ) {}
  collect(value: unknown, timestamp: number): void {
    this.metrics.recordsIn++;
    this.operator.processElement(value, timestamp);
  }
  collectSide(): void {}
  emitWatermark(watermark: number): void {
    this.operator.processWatermark(watermark);
  }
}

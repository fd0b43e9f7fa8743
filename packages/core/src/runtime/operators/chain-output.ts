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
  private readonly single: Output<unknown> | undefined;
  /** The single main consumer when it is a chained operator, and that operator's metrics. */
  private readonly next: OneInputOperator<unknown> | undefined;
  private readonly nextMetrics: OperatorMetrics | undefined;
  constructor(
    private readonly metrics: OperatorMetrics,
    private readonly main: readonly Output<unknown>[],
    private readonly side: ReadonlyMap<string, readonly Output<unknown>[]>,
    private readonly unconsumedDeadLetter: (letter: DeadLetter) => void,
  ) {
    this.single = main.length === 1 ? main[0] : undefined;
    if (this.single instanceof ChainedInput) {
      this.next = this.single.operator;
      this.nextMetrics = this.single.metrics;
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

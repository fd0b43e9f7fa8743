/**
 * What an operator under test emitted, in the order it emitted it: main-output records with their
 * timestamps, side-output records by tag, watermarks and dead letters. It is the operator's
 * Output, standing where the runtime's chain output would, and counts records out the same way.
 */
import { DEAD_LETTER, type DeadLetter, type TimestampedElement } from "@eddy/core";
import type { OperatorMetrics, Output } from "@eddy/core/internal";

/** One thing the operator emitted, in emission order. */
export type EmittedEvent =
  | { readonly kind: "record"; readonly value: unknown; readonly timestamp: number }
  | { readonly kind: "side"; readonly tagId: string; readonly value: unknown; readonly timestamp: number }
  | { readonly kind: "watermark"; readonly watermark: number };

export class CapturedOutput implements Output<unknown> {
  readonly records: TimestampedElement<unknown>[] = [];
  readonly side = new Map<string, TimestampedElement<unknown>[]>();
  readonly watermarks: number[] = [];
  readonly events: EmittedEvent[] = [];

  constructor(private readonly metrics: OperatorMetrics) {}

  collect(value: unknown, timestamp: number): void {
    this.metrics.recordsOut++;
    this.records.push({ value, timestamp });
    this.events.push({ kind: "record", value, timestamp });
  }

  collectSide(tagId: string, value: unknown, timestamp: number): void {
    let list = this.side.get(tagId);
    if (list === undefined) this.side.set(tagId, (list = []));
    list.push({ value, timestamp });
    this.events.push({ kind: "side", tagId, value, timestamp });
  }

  emitWatermark(watermark: number): void {
    this.watermarks.push(watermark);
    this.events.push({ kind: "watermark", watermark });
  }

  sideOutput(tagId: string): TimestampedElement<unknown>[] {
    return this.side.get(tagId) ?? [];
  }

  get deadLetters(): DeadLetter[] {
    return this.sideOutput(DEAD_LETTER.id).map((r) => r.value as DeadLetter);
  }

  clear(): void {
    this.records.length = 0;
    this.side.clear();
    this.watermarks.length = 0;
    this.events.length = 0;
  }
}

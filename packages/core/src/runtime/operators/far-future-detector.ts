/**
 * Notices the first record whose timestamp is far ahead of every timestamp before it: such a
 * record moves the watermark that far, and the records after it become late. Sources and the
 * timestamp assigner feed it every timestamp they assign; it records the first such record in
 * the operator's metrics (once), for the run to warn about (job option farFutureWarningMs).
 */
import type { OperatorMetrics } from "./operator.ts";

export class FarFutureDetector {
  /** The highest timestamp seen so far. */
  private maxTimestamp = Number.NEGATIVE_INFINITY;

  constructor(private readonly farFutureMs: number) {}

  observe(timestamp: number, metrics: OperatorMetrics): void {
    if (!(timestamp > this.maxTimestamp)) return;
    if (
      timestamp - this.maxTimestamp > this.farFutureMs &&
      this.maxTimestamp !== Number.NEGATIVE_INFINITY &&
      Number.isNaN(metrics.farFutureTimestamp)
    ) {
      metrics.farFutureTimestamp = timestamp;
      metrics.farFutureAheadMs = timestamp - this.maxTimestamp;
    }
    this.maxTimestamp = timestamp;
  }
}

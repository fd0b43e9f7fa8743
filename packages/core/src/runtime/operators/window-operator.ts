/**
 * The window operator: Flink's WindowOperator with the default triggers, for a keyed stream.
 *
 * - Assignment: aligned windows (tumbling, sliding, with offset) or session windows (merging),
 *   by the record's timestamp in event time or by the clock on arrival in processing time. In
 *   event time a record without a timestamp cannot be windowed and fails (dead letter).
 * - Event-time trigger: a window fires when the watermark reaches its max timestamp (end - 1);
 *   its output carries that timestamp. A window whose max timestamp + allowed lateness the
 *   watermark has reached is late and takes no more records; a record added to a window the
 *   watermark has passed but the lateness still allows fires it again at once, with all its
 *   contents. Contents are purged at max timestamp + allowed lateness.
 * - A record that every one of its windows refused as late, and whose timestamp + lateness the
 *   watermark has reached, goes to the late-data side output, or is dropped and counted.
 * - Processing-time trigger: a window fires, and is purged, when the clock reaches its max
 *   timestamp. At the end of bounded input every remaining processing-time window fires (with its
 *   max timestamp), since a bounded job would otherwise lose its last windows; event-time windows
 *   all fire on the final watermark (+Infinity) that ends bounded input.
 * - Functions: reduce and aggregate keep one value per window and may hand the result to a
 *   ProcessWindowFunction; process keeps every element. A throwing user function sends the record
 *   (or, when firing, `{ key, window }`) to the job's error handling.
 *
 * The pieces are under windows/: the shared trigger and firing logic, one operator per assigner
 * kind, and the contents per function kind.
 */
import type { Key, KeySelector } from "../../api/functions.ts";
import type { WindowSpec } from "../../api/logical-plan.ts";
import type { OneInputOperator } from "./operator.ts";
import { AlignedWindowOperator } from "./windows/aligned-window-operator.ts";
import { SessionWindowOperator } from "./windows/session-window-operator.ts";

export function createWindowOperator(
  keySelector: KeySelector<any, Key>,
  spec: WindowSpec,
): OneInputOperator<unknown> {
  const assigner = spec.assigner;
  return assigner.kind === "aligned"
    ? new AlignedWindowOperator(keySelector, spec, assigner)
    : new SessionWindowOperator(keySelector, spec, assigner);
}

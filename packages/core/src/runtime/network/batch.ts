/**
 * What moves between tasks: batches of records, with watermarks inline at their exact position
 * (a marker value in the record slot, the watermark in the timestamp slot), and control events
 * between batches. One batch is allocated per `batchSize` records, never one object per record;
 * within one thread a channel hands consumed batches back to their writer, which refills them.
 *
 * A batch of a hash exchange also carries each record's key and key group, computed once by the
 * record writer to choose the channel: the receiving keyed operator takes them instead of calling
 * the key selector, checking and hashing the key again.
 */
import type { Key } from "../../api/functions.ts";

/** Marks a watermark inside a batch. Compared by identity within a thread; encoded across threads. */
export const WATERMARK_MARKER: object = Object.freeze({ eddyWatermark: true });

export class RecordBatch {
  constructor(
    readonly values: unknown[],
    readonly timestamps: Float64Array,
    public length = 0,
    /** Per record of a hash exchange: its key (unset at watermarks). */
    readonly keys: Key[] | undefined = undefined,
    /** Per record of a hash exchange: its key group. */
    readonly keyGroups: Int32Array | undefined = undefined,
  ) {}
  static allocate(capacity: number, keyed = false): RecordBatch {
    return keyed
      ? new RecordBatch(
          new Array(capacity),
          new Float64Array(capacity),
          0,
          new Array(capacity),
          new Int32Array(capacity),
        )
      : new RecordBatch(new Array(capacity), new Float64Array(capacity));
  }
  get capacity(): number {
    return this.timestamps.length;
  }
}

export type ControlEvent =
  /** The sender became idle (holds no watermark back) or active again. */
  | { readonly kind: "idle"; readonly idle: boolean }
  /** The sender has finished: nothing follows on this channel. */
  | { readonly kind: "end" }
  /** Checkpoint barrier: everything before it belongs to checkpoint `id`'s state. */
  | { readonly kind: "barrier"; readonly id: number };

export type ChannelItem = RecordBatch | ControlEvent;

export const END_EVENT: ControlEvent = Object.freeze({ kind: "end" });
export const IDLE_EVENT: ControlEvent = Object.freeze({ kind: "idle", idle: true });
export const ACTIVE_EVENT: ControlEvent = Object.freeze({ kind: "idle", idle: false });

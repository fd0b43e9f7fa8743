/**
 * What moves between tasks: batches of records, with watermarks inline at their exact position
 * (a marker value in the record slot, the watermark in the timestamp slot), and control events
 * between batches. One batch is allocated per `batchSize` records, never one object per record.
 */

/** Marks a watermark inside a batch. Compared by identity within a thread; encoded across threads. */
export const WATERMARK_MARKER: object = Object.freeze({ eddyWatermark: true });

export class RecordBatch {
  constructor(
    readonly values: unknown[],
    readonly timestamps: Float64Array,
    public length = 0,
  ) {}
  static allocate(capacity: number): RecordBatch {
    return new RecordBatch(new Array(capacity), new Float64Array(capacity));
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

/**
 * The sending side of an exchange for one subtask: partitions records over the receiving
 * subtasks' channels (forward, hash by key group, rebalance, broadcast), fills one batch per
 * channel, and sends a batch when it is full or when the task flushes. Watermarks go into every
 * channel's batch at their position. Without credit, full batches wait in `pending` and the task
 * reports backpressure until the receiver frees space. A hash exchange writes each record's key and
 * key group into the batch next to it, so the receiving keyed operator does not key it again.
 */
import type { Key, KeySelector } from "../../api/functions.ts";
import type { ExchangeType } from "../../plan/physical-plan.ts";
import { assignToKeyGroup, checkKeyType, subtaskForKeyGroup } from "../../state/key-groups.ts";
import type { Output } from "../operators/operator.ts";
import {
  ACTIVE_EVENT,
  type ChannelItem,
  END_EVENT,
  IDLE_EVENT,
  RecordBatch,
  WATERMARK_MARKER,
} from "./batch.ts";
import type { ChannelSender } from "./channel.ts";

export interface RecordWriterOptions {
  readonly type: ExchangeType;
  readonly batchSize: number;
  readonly maxParallelism: number;
  readonly subtaskIndex: number;
  readonly keySelector?: KeySelector<any, Key>;
  /** Called when the key selector throws (hash exchanges); the record is not sent. */
  readonly onKeyError: (error: unknown, value: unknown, timestamp: number) => void;
}

export class RecordWriter implements Output<unknown> {
  private readonly batches: RecordBatch[];
  /** Batches carry keys and key groups (hash exchanges). */
  private readonly keyed: boolean;
  private readonly pending: ChannelItem[][];
  private pendingCount = 0;
  private nextChannel: number;
  private lastWatermark = Number.NEGATIVE_INFINITY;
  recordsOut = 0;

  constructor(
    private readonly channels: readonly ChannelSender[],
    private readonly options: RecordWriterOptions,
  ) {
    this.keyed = options.type === "hash";
    this.batches = channels.map(() => RecordBatch.allocate(options.batchSize, this.keyed));
    this.pending = channels.map(() => []);
    this.nextChannel = options.subtaskIndex % Math.max(1, channels.length);
  }

  collect(value: unknown, timestamp: number): void {
    this.recordsOut++;
    switch (this.options.type) {
      case "forward":
        this.append(0, value, timestamp);
        return;
      case "hash": {
        let key: Key;
        try {
          key = this.options.keySelector!(value);
          checkKeyType(key, "keyBy");
        } catch (error) {
          this.options.onKeyError(error, value, timestamp);
          return;
        }
        const kg = assignToKeyGroup(key, this.options.maxParallelism);
        const channel = subtaskForKeyGroup(kg, this.options.maxParallelism, this.channels.length);
        const batch = this.batches[channel];
        const i = batch.length;
        batch.values[i] = value;
        batch.timestamps[i] = timestamp;
        batch.keys![i] = key;
        batch.keyGroups![i] = kg;
        batch.length = i + 1;
        if (i + 1 === batch.capacity) this.sendBatch(channel);
        return;
      }
      case "rebalance": {
        const c = this.nextChannel;
        this.nextChannel = c + 1 === this.channels.length ? 0 : c + 1;
        this.append(c, value, timestamp);
        return;
      }
      case "broadcast":
        for (let c = 0; c < this.channels.length; c++) this.append(c, value, timestamp);
        return;
    }
  }

  collectSide(): void {
    throw new Error("RecordWriter: side outputs are routed before the writer");
  }

  emitWatermark(watermark: number): void {
    if (watermark <= this.lastWatermark) return;
    this.lastWatermark = watermark;
    for (let c = 0; c < this.channels.length; c++) this.append(c, WATERMARK_MARKER, watermark);
  }

  emitIdle(idle: boolean): void {
    this.sendEventToAll(idle ? IDLE_EVENT : ACTIVE_EVENT);
  }

  endInput(): void {
    this.sendEventToAll(END_EVENT);
  }

  /** Sends the barrier after every record written so far, to every channel. */
  emitBarrier(id: number): void {
    this.sendEventToAll({ kind: "barrier", id });
  }

  private append(channel: number, value: unknown, timestamp: number): void {
    const batch = this.batches[channel];
    const i = batch.length;
    batch.values[i] = value;
    batch.timestamps[i] = timestamp;
    batch.length = i + 1;
    if (i + 1 === batch.capacity) this.sendBatch(channel);
  }

  private sendBatch(channel: number): void {
    const batch = this.batches[channel];
    this.batches[channel] =
      this.channels[channel].reuseBatch?.() ?? RecordBatch.allocate(this.options.batchSize, this.keyed);
    const pending = this.pending[channel];
    if (pending.length === 0 && this.channels[channel].credits > 0) this.channels[channel].sendBatch(batch);
    else {
      pending.push(batch);
      this.pendingCount++;
    }
  }

  private sendEventToAll(event: ChannelItem): void {
    this.flush();
    for (let c = 0; c < this.channels.length; c++) {
      if (this.pending[c].length === 0) this.channels[c].sendEvent(event);
      else {
        this.pending[c].push(event);
        this.pendingCount++;
      }
    }
  }

  /** Sends every partial batch (or queues it behind pending ones). */
  flush(): void {
    for (let c = 0; c < this.channels.length; c++) if (this.batches[c].length > 0) this.sendBatch(c);
  }

  /** Sends what waited for credit; true when nothing waits any more. */
  drainPending(): boolean {
    if (this.pendingCount === 0) return true;
    for (let c = 0; c < this.channels.length; c++) {
      const pending = this.pending[c];
      const channel = this.channels[c];
      let i = 0;
      while (i < pending.length) {
        const item = pending[i];
        if ("values" in item) {
          if (channel.credits <= 0) break;
          channel.sendBatch(item);
        } else channel.sendEvent(item);
        i++;
      }
      if (i > 0) {
        pending.splice(0, i);
        this.pendingCount -= i;
      }
    }
    return this.pendingCount === 0;
  }

  get backpressured(): boolean {
    return this.pendingCount > 0;
  }
}

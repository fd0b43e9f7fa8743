/**
 * Channels carry batches from one sending subtask to one receiving subtask, bounded by credits:
 * the receiver grants `capacity` batches; each batch sent uses one, each batch the receiver
 * takes returns one. A sender without credit holds its batch back and its task stops taking
 * input (backpressure), so a slow consumer slows its producers instead of growing memory.
 * Control events need no credit. LocalChannel serves both ends within one thread; the remote
 * ends in remote-channel.ts do the same across threads over a MessagePort.
 *
 * Within one thread a batch is recycled: once the receiver has processed it (synchronously, so
 * nothing refers to the batch afterwards) it goes back to the channel, and the writer, the
 * channel's only sender, refills it instead of allocating a new one. Across threads a batch is
 * copied or transferred when sent, so the remote ends recycle nothing.
 */
import type { ChannelItem, RecordBatch } from "./batch.ts";

export interface ChannelSender {
  /** Credits left: batches that may be sent now. */
  readonly credits: number;
  sendBatch(batch: RecordBatch): void;
  sendEvent(item: ChannelItem): void;
  /** A batch the receiver has processed, to refill (local channels only). */
  reuseBatch?(): RecordBatch | undefined;
}

export interface ChannelReceiver {
  /** The next item, or undefined if none is queued. */
  poll(): ChannelItem | undefined;
  readonly hasItems: boolean;
  /** The receiver has processed `batch` and keeps no reference to it (local channels only). */
  recycle?(batch: RecordBatch): void;
}

/** Wakes the thread loop that owns an end of a channel. */
export type Wakeup = () => void;

/** A FIFO of channel items that reclaims its consumed prefix in place (no shift() per item). */
export class ItemQueue {
  private items: ChannelItem[] = [];
  private head = 0;
  get isEmpty(): boolean {
    return this.head >= this.items.length;
  }
  push(item: ChannelItem): void {
    this.items.push(item);
  }
  shift(): ChannelItem | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as never;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }
}

export class LocalChannel implements ChannelSender, ChannelReceiver {
  private readonly queue = new ItemQueue();
  /** Processed batches, for the sender to refill; at most `capacity` + 1 exist per channel. */
  private readonly free: RecordBatch[] = [];
  credits: number;
  /** Highest number of batches ever queued at once (for tests of the bound). */
  peakQueuedBatches = 0;
  private queuedBatches = 0;

  constructor(
    readonly capacity: number,
    private readonly wakeReceiver: Wakeup,
    private readonly wakeSender: Wakeup,
  ) {
    this.credits = capacity;
  }

  sendBatch(batch: RecordBatch): void {
    if (this.credits <= 0) throw new Error("LocalChannel: batch sent without credit");
    this.credits--;
    this.queuedBatches++;
    if (this.queuedBatches > this.peakQueuedBatches) this.peakQueuedBatches = this.queuedBatches;
    this.queue.push(batch);
    this.wakeReceiver();
  }

  sendEvent(item: ChannelItem): void {
    this.queue.push(item);
    this.wakeReceiver();
  }

  get hasItems(): boolean {
    return !this.queue.isEmpty;
  }

  poll(): ChannelItem | undefined {
    const item = this.queue.shift();
    if (item === undefined) return undefined;
    if ("values" in item) {
      this.queuedBatches--;
      this.credits++;
      this.wakeSender();
    }
    return item;
  }

  recycle(batch: RecordBatch): void {
    batch.length = 0;
    this.free.push(batch);
  }

  reuseBatch(): RecordBatch | undefined {
    return this.free.pop();
  }
}

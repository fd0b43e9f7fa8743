/**
 * The two ends of a channel between threads, over a MessagePort. A batch crosses as one message:
 * its values (and a hash exchange's keys) structured-cloned, its timestamps' (and key groups')
 * buffer transferred, watermark markers encoded as positions. Credits come back over the same port, one per batch the receiver has taken.
 * (A schema-aware binary codec is the planned faster path; see DESIGN.md.)
 */
import type { MessagePort } from "node:worker_threads";
import type { Key } from "../../api/functions.ts";
import { type ChannelItem, RecordBatch, WATERMARK_MARKER } from "./batch.ts";
import { type ChannelReceiver, type ChannelSender, ItemQueue } from "./channel.ts";

interface BatchMessage {
  t: "b";
  values: unknown[];
  timestamps: Float64Array;
  watermarks: number[];
  /** A hash exchange's keys and key groups (see batch.ts). */
  keys?: Key[];
  keyGroups?: Int32Array;
}
interface EventMessage {
  t: "e";
  event: ChannelItem;
}
interface CreditMessage {
  t: "c";
  n: number;
}

export class RemoteSender implements ChannelSender {
  credits: number;
  constructor(
    private readonly port: MessagePort,
    capacity: number,
    wake: () => void,
  ) {
    this.credits = capacity;
    port.on("message", (message: CreditMessage) => {
      this.credits += message.n;
      wake();
    });
  }
  sendBatch(batch: RecordBatch): void {
    if (this.credits <= 0) throw new Error("RemoteSender: batch sent without credit");
    this.credits--;
    const n = batch.length;
    const values = batch.values.length === n ? batch.values : batch.values.slice(0, n);
    const watermarks: number[] = [];
    for (let i = 0; i < n; i++)
      if (values[i] === WATERMARK_MARKER) {
        values[i] = null;
        watermarks.push(i);
      }
    const timestamps = batch.timestamps.length === n ? batch.timestamps : batch.timestamps.slice(0, n);
    const message: BatchMessage = { t: "b", values, timestamps, watermarks };
    if (batch.keys === undefined) {
      this.port.postMessage(message, [timestamps.buffer as ArrayBuffer]);
      return;
    }
    message.keys = batch.keys.length === n ? batch.keys : batch.keys.slice(0, n);
    const keyGroups = batch.keyGroups!.length === n ? batch.keyGroups! : batch.keyGroups!.slice(0, n);
    message.keyGroups = keyGroups;
    this.port.postMessage(message, [timestamps.buffer as ArrayBuffer, keyGroups.buffer as ArrayBuffer]);
  }
  sendEvent(item: ChannelItem): void {
    const message: EventMessage = { t: "e", event: item };
    this.port.postMessage(message);
  }
  close(): void {
    this.port.close();
  }
}

export class RemoteReceiver implements ChannelReceiver {
  private readonly queue = new ItemQueue();
  constructor(
    private readonly port: MessagePort,
    wake: () => void,
  ) {
    port.on("message", (message: BatchMessage | EventMessage) => {
      if (message.t === "b") {
        for (const i of message.watermarks) message.values[i] = WATERMARK_MARKER;
        const n = message.values.length;
        this.queue.push(
          new RecordBatch(message.values, message.timestamps, n, message.keys, message.keyGroups),
        );
      } else this.queue.push(message.event);
      wake();
    });
  }
  get hasItems(): boolean {
    return !this.queue.isEmpty;
  }
  poll(): ChannelItem | undefined {
    const item = this.queue.shift();
    if (item === undefined) return undefined;
    if ("values" in item) {
      const credit: CreditMessage = { t: "c", n: 1 };
      this.port.postMessage(credit);
    }
    return item;
  }
  close(): void {
    this.port.close();
  }
}

/**
 * The receiving side of a task: reads batches from all input channels in turn, hands records to
 * the chain's head operator (input 1 or 2 for two-input operators; a keyed head gets the key and
 * key group its hash exchange computed), and combines the channels' watermarks as their minimum
 * over active channels. When every channel has ended, the combined watermark has reached
 * +Infinity and the task's input is finished.
 */
import { WatermarkMultiplexer } from "../../time/watermark-multiplexer.ts";
import type { AnyOperator, KeyedInputOperator, KeyedSecondInputOperator } from "../operators/operator.ts";
import { type ChannelItem, type RecordBatch, WATERMARK_MARKER } from "./batch.ts";
import type { ChannelReceiver } from "./channel.ts";

export interface GateInput {
  readonly receiver: ChannelReceiver;
  readonly inputIndex: 0 | 1;
}

export interface GateListener {
  /** The combined input watermark advanced. */
  watermark(watermark: number): void;
  /** Every input became idle, or one became active again. */
  idle(idle: boolean): void;
  /** Barrier `id` arrived on every live channel (aligned): snapshot now. */
  barrier?(id: number, alignmentMs: number): void;
}

export class InputGate {
  private readonly multiplexer: WatermarkMultiplexer;
  private readonly endedChannels: boolean[];
  private ended = 0;
  /** Channels that delivered the barrier being aligned; they are not read until it completes. */
  private readonly blocked: boolean[];
  private aligning: number | undefined;
  private alignedChannels = 0;
  private alignmentStart = 0;
  private next = 0;
  /** Per input index: the head takes records keyed by their exchange. */
  private readonly keyedHead: readonly [boolean, boolean];
  recordsIn = 0;

  constructor(
    private readonly inputs: readonly GateInput[],
    private readonly head: AnyOperator,
    private readonly listener: GateListener,
  ) {
    this.multiplexer = new WatermarkMultiplexer({
      watermarkAdvanced: (wm) => listener.watermark(wm),
      idleChanged: (idle) => listener.idle(idle),
    });
    for (let i = 0; i < inputs.length; i++) this.multiplexer.addInput();
    this.endedChannels = inputs.map(() => false);
    const keyedHead = head as Partial<KeyedInputOperator & KeyedSecondInputOperator>;
    this.keyedHead = [
      typeof keyedHead.processKeyedElement === "function",
      typeof keyedHead.processKeyedElement2 === "function",
    ];
    this.blocked = inputs.map(() => false);
  }

  get finished(): boolean {
    return this.ended === this.inputs.length;
  }

  get hasInput(): boolean {
    for (let c = 0; c < this.inputs.length; c++)
      if (!this.blocked[c] && this.inputs[c].receiver.hasItems) return true;
    return false;
  }

  /** Processes one item from the next channel that has one; false if none had any. */
  processNext(): boolean {
    const n = this.inputs.length;
    for (let k = 0; k < n; k++) {
      const c = (this.next + k) % n;
      if (this.blocked[c]) continue;
      const item = this.inputs[c].receiver.poll();
      if (item === undefined) continue;
      this.next = (c + 1) % n;
      this.process(c, item);
      return true;
    }
    return false;
  }

  private process(channel: number, item: ChannelItem): void {
    if ("values" in item) {
      this.recordsIn += item.length;
      if (item.keys !== undefined && this.keyedHead[this.inputs[channel].inputIndex])
        this.processKeyed(channel, item);
      else this.processBatch(channel, item);
      this.inputs[channel].receiver.recycle?.(item);
      return;
    }
    if (item.kind === "idle") this.multiplexer.setIdle(channel, item.idle);
    else if (item.kind === "barrier") this.barrier(channel, item.id);
    else if (item.kind === "end" && !this.endedChannels[channel]) {
      this.endedChannels[channel] = true;
      this.ended++;
      this.multiplexer.remove(channel);
      if (this.aligning !== undefined) this.checkAligned();
    }
  }

  private processBatch(channel: number, batch: RecordBatch): void {
    const { values, timestamps, length } = batch;
    const head = this.head as any;
    if (this.inputs[channel].inputIndex === 0 && head.processElement !== undefined) {
      for (let i = 0; i < length; i++) {
        const v = values[i];
        if (v === WATERMARK_MARKER) {
          this.recordsIn--;
          this.multiplexer.update(channel, timestamps[i]);
        } else head.processElement(v, timestamps[i]);
      }
    } else {
      const second = this.inputs[channel].inputIndex === 1;
      for (let i = 0; i < length; i++) {
        const v = values[i];
        if (v === WATERMARK_MARKER) {
          this.recordsIn--;
          this.multiplexer.update(channel, timestamps[i]);
        } else if (second) head.processElement2(v, timestamps[i]);
        else head.processElement1(v, timestamps[i]);
      }
    }
  }

  /** A batch of a hash exchange into a keyed operator: the keys computed by the writer are used. */
  private processKeyed(channel: number, batch: RecordBatch): void {
    const { values, timestamps, length } = batch;
    const keys = batch.keys!;
    const keyGroups = batch.keyGroups!;
    if (this.inputs[channel].inputIndex === 0) {
      const head = this.head as unknown as KeyedInputOperator;
      for (let i = 0; i < length; i++) {
        const v = values[i];
        if (v === WATERMARK_MARKER) {
          this.recordsIn--;
          this.multiplexer.update(channel, timestamps[i]);
        } else head.processKeyedElement(v, timestamps[i], keys[i], keyGroups[i]);
      }
    } else {
      const head = this.head as unknown as KeyedSecondInputOperator;
      for (let i = 0; i < length; i++) {
        const v = values[i];
        if (v === WATERMARK_MARKER) {
          this.recordsIn--;
          this.multiplexer.update(channel, timestamps[i]);
        } else head.processKeyedElement2(v, timestamps[i], keys[i], keyGroups[i]);
      }
    }
  }

  /**
   * Aligned checkpoints: a channel that delivered barrier n is blocked until every live channel
   * has delivered it, so the snapshot holds exactly the records before the barrier on every input.
   */
  private barrier(channel: number, id: number): void {
    if (this.aligning !== undefined && id < this.aligning) return; // of a checkpoint already given up
    if (this.aligning !== undefined && id > this.aligning) {
      // A newer checkpoint started: the one being aligned was aborted, so its alignment ends.
      this.aligning = undefined;
      this.alignedChannels = 0;
      this.blocked.fill(false);
    }
    if (this.aligning === undefined) {
      this.aligning = id;
      this.alignmentStart = performance.now();
    }
    this.blocked[channel] = true;
    this.alignedChannels++;
    this.checkAligned();
  }

  private checkAligned(): void {
    if (this.alignedChannels < this.inputs.length - this.ended) return;
    const id = this.aligning!;
    const alignmentMs = performance.now() - this.alignmentStart;
    this.aligning = undefined;
    this.alignedChannels = 0;
    this.blocked.fill(false);
    this.listener.barrier?.(id, alignmentMs);
  }
}

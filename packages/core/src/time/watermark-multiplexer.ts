/**
 * Combines the watermarks of several inputs (a source's splits, or a task's input channels) into
 * one: the minimum over the inputs that are active. An idle input holds nothing back; when every
 * input that has not finished is idle, the combination is idle too (and holds its watermark). A
 * finished input holds nothing back either, but never moves the watermark past an idle input; once
 * every input has finished the watermark is +Infinity. Emits only when the combined watermark
 * advances, so downstream sees a strictly increasing sequence.
 */
import type { WatermarkOutput } from "./watermark-strategy.ts";

export interface CombinedWatermarkSink {
  watermarkAdvanced(watermark: number): void;
  /** Every input is idle (true) or some input became active again (false). */
  idleChanged(idle: boolean): void;
}

export class WatermarkMultiplexer {
  private readonly watermarks: number[] = [];
  private readonly idle: boolean[] = [];
  private readonly live: boolean[] = [];
  private combined = Number.NEGATIVE_INFINITY;
  private allIdle = false;

  constructor(private readonly sink: CombinedWatermarkSink) {}

  /** Adds an input and returns its index. A new input holds the watermark back until it reports. */
  addInput(): number {
    this.watermarks.push(Number.NEGATIVE_INFINITY);
    this.idle.push(false);
    this.live.push(true);
    this.released.push(false);
    // The new input is active: if every other input was idle, the combination is active again.
    if (this.allIdle) this.recompute();
    return this.watermarks.length - 1;
  }

  get currentWatermark(): number {
    return this.combined;
  }

  update(input: number, watermark: number): void {
    if (this.idle[input]) this.idle[input] = false;
    if (watermark > this.watermarks[input]) this.watermarks[input] = watermark;
    this.recompute();
  }

  setIdle(input: number, idle: boolean): void {
    if (this.idle[input] === idle) return;
    this.idle[input] = idle;
    this.recompute();
  }

  /** The input is done: it no longer holds back the watermark. */
  remove(input: number): void {
    if (!this.live[input]) return;
    this.live[input] = false;
    this.watermarks[input] = Number.POSITIVE_INFINITY;
    this.idle[input] = false;
    this.recompute();
  }

  /** The number of inputs that have not been removed. */
  get liveInputs(): number {
    let n = 0;
    for (const l of this.live) if (l) n++;
    return n;
  }

  /**
   * The input is gone without ending event time (a source split that finished while the reader
   * may get more): it no longer counts at all. With no inputs left the watermark holds where it
   * is, neither advancing nor turning idle, until a new input arrives or the whole input ends.
   */
  release(input: number): void {
    if (this.released[input]) return;
    this.released[input] = true;
    this.recompute();
  }

  private readonly released: boolean[] = [];

  private recompute(): void {
    let min = Number.POSITIVE_INFINITY;
    let anyActive = false;
    let anyIdle = false;
    let anyFinished = false;
    for (let i = 0; i < this.watermarks.length; i++) {
      if (this.released[i]) continue;
      // A finished input (or one at the final watermark, +Infinity, whose end follows) says
      // nothing about event time still to come on the others: were it counted as active at
      // +Infinity, an idle input would let the watermark jump to the end, and every record that
      // input sends later would be late.
      if (!this.live[i] || this.watermarks[i] === Number.POSITIVE_INFINITY) {
        anyFinished = true;
        continue;
      }
      if (this.idle[i]) {
        anyIdle = true;
        continue;
      }
      anyActive = true;
      if (this.watermarks[i] < min) min = this.watermarks[i];
    }
    // Every input finished: event time has ended.
    if (!anyActive && !anyIdle && anyFinished) anyActive = true;
    const allIdle = !anyActive && anyIdle;
    if (!allIdle && this.allIdle) {
      this.allIdle = false;
      this.sink.idleChanged(false);
    }
    if (anyActive && min > this.combined) {
      this.combined = min;
      this.sink.watermarkAdvanced(min);
    }
    if (allIdle && !this.allIdle) {
      this.allIdle = true;
      this.sink.idleChanged(true);
    }
  }
}

/** A WatermarkOutput for one input of a multiplexer (used per source split). */
export class MultiplexedOutput implements WatermarkOutput {
  constructor(
    private readonly multiplexer: WatermarkMultiplexer,
    readonly input: number,
  ) {}
  emitWatermark(watermark: number): void {
    this.multiplexer.update(this.input, watermark);
  }
  markIdle(): void {
    this.multiplexer.setIdle(this.input, true);
  }
  markActive(): void {
    this.multiplexer.setIdle(this.input, false);
  }
}

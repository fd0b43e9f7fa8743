/**
 * What every operator harness shares: it opens the operator in a HarnessContext, moves processing
 * time (firing due processing-time timers as the task executor would), combines its inputs'
 * watermarks the way the runtime's input gate does (the minimum over inputs, passed on only when
 * it advances), ends the input (the final +Infinity watermark, then endInput) and exposes what
 * the operator emitted, its timers and its keyed state.
 */
import {
  type DeadLetter,
  type Key,
  type KeyedRuntimeContext,
  MAX_WATERMARK,
  type ManualClock,
  type OutputTag,
  type TimestampedElement,
} from "@eddy/core";
import type { OperatorMetrics, StreamOperator } from "@eddy/core/internal";
import type { EmittedEvent } from "./captured-output.ts";
import type { HarnessContext } from "./harness-context.ts";

/** Keyed state of one key, read or written from a test through `withKey`. */
export type KeyedStateAccess = Pick<
  KeyedRuntimeContext,
  "getState" | "getListState" | "getMapState" | "getReducingState" | "getAggregatingState"
>;

type Phase = "created" | "open" | "ended" | "closed";

export abstract class OperatorHarnessBase<OUT> {
  private phase: Phase = "created";
  private readonly inputWatermarks: number[];
  private combinedWatermark = Number.NEGATIVE_INFINITY;

  protected constructor(
    protected readonly operator: StreamOperator,
    protected readonly env: HarnessContext,
    inputs: number,
  ) {
    this.inputWatermarks = new Array(inputs).fill(Number.NEGATIVE_INFINITY);
  }

  /** The processing-time clock the operator reads. */
  get clock(): ManualClock {
    return this.env.clock;
  }

  /** Opens the operator (calls the user function's open). Every other call opens it first if needed. */
  open(): this {
    if (this.phase === "created") {
      this.phase = "open";
      this.operator.open(this.env.context);
    }
    return this;
  }

  /** Moves processing time to `time` and fires the processing-time timers that are due. */
  setProcessingTime(time: number): this {
    this.open();
    this.env.clock.set(time);
    // As the task executor: only a running task gets processing time, and only when something is due.
    if (this.phase !== "open") return this;
    const now = this.env.clock.now();
    const next = this.operator.nextProcessingTime?.() ?? Number.POSITIVE_INFINITY;
    if (next <= now) this.operator.advanceProcessingTime?.(now);
    return this;
  }

  advanceProcessingTime(ms: number): this {
    return this.setProcessingTime(this.env.clock.now() + ms);
  }

  processingTime(): number {
    return this.env.clock.now();
  }

  /** The watermark the operator last received (the minimum over its inputs). */
  currentWatermark(): number {
    return this.combinedWatermark;
  }

  /**
   * The end of bounded input, as the runtime delivers it: the final watermark (+Infinity) on every
   * input, which fires all event-time timers, then `endInput()`.
   */
  endInput(): this {
    this.running("endInput");
    this.advanceInputWatermark("all", MAX_WATERMARK);
    this.operator.endInput();
    this.phase = "ended";
    return this;
  }

  /** Closes the operator (calls the user function's close). */
  close(): void {
    if (this.phase === "closed") return;
    if (this.phase !== "created") this.operator.close();
    this.phase = "closed";
  }

  /** Main-output records with their timestamps, in emission order. */
  output(): TimestampedElement<OUT>[] {
    return this.env.output.records.slice() as TimestampedElement<OUT>[];
  }

  extractOutputValues(): OUT[] {
    return this.env.output.records.map((r) => r.value as OUT);
  }

  sideOutput<X>(tag: OutputTag<X>): TimestampedElement<X>[] {
    return this.env.output.sideOutput(tag.id).slice() as TimestampedElement<X>[];
  }

  sideOutputValues<X>(tag: OutputTag<X>): X[] {
    return this.env.output.sideOutput(tag.id).map((r) => r.value as X);
  }

  /** Watermarks the operator emitted, in order. */
  watermarks(): number[] {
    return this.env.output.watermarks.slice();
  }

  /** Records that failed with errorHandling "dead-letter". */
  deadLetters(): DeadLetter[] {
    return this.env.output.deadLetters;
  }

  /** Everything emitted (records, side outputs, watermarks) in one ordered list. */
  events(): EmittedEvent[] {
    return this.env.output.events.slice();
  }

  /** Forgets what was emitted so far (state and timers stay). */
  clearOutput(): this {
    this.env.output.clear();
    return this;
  }

  /** Records in and out, failures and the watermark, as the runtime counts them. */
  get metrics(): Readonly<OperatorMetrics> {
    return this.env.metrics;
  }

  numEventTimeTimers(): number {
    let n = 0;
    for (const service of this.env.timerServices) n += service.eventTimerCount;
    return n;
  }

  numProcessingTimeTimers(): number {
    let n = 0;
    for (const service of this.env.timerServices) n += service.processingTimerCount;
    return n;
  }

  /** Entries held by the keyed state `name` over all keys (expired-but-not-cleaned entries count). */
  stateSize(name: string): number {
    return this.stateBackend(name).stateSize(name);
  }

  /** Keys that have an entry in the keyed state `name`. */
  stateKeys(name: string): Key[] {
    return this.stateBackend(name).stateKeys(name);
  }

  /**
   * Runs `fn` with `key` as the current key, to read (or prepare) that key's state; the operator's
   * current key is restored afterwards. Reads count as accesses (TTL on-read-and-write refreshes).
   */
  withKey<R>(key: Key, fn: (state: KeyedStateAccess) => R): R {
    this.open();
    const backend = this.env.context.keyedBackend();
    const previousKey = backend.currentKey;
    const previousGroup = backend.currentKeyGroup;
    backend.setCurrentKey(key);
    try {
      return fn({
        getState: (d) => backend.getState(d),
        getListState: (d) => backend.getState(d),
        getMapState: (d) => backend.getState(d),
        getReducingState: (d) => backend.getState(d),
        getAggregatingState: (d) => backend.getState(d),
      });
    } finally {
      backend.setCurrentKeyAndGroup(previousKey, previousGroup);
    }
  }

  /** Opens the operator if needed and checks it still takes input. */
  protected running(what: string): void {
    this.open();
    if (this.phase !== "open")
      throw new Error(`${what}: the harness's input has ${this.phase === "ended" ? "ended" : "been closed"}`);
  }

  /** Input `input` (or every input) reached `watermark`; the operator sees the minimum over inputs when it advances. */
  protected advanceInputWatermark(input: number | "all", watermark: number): void {
    const inputs = input === "all" ? this.inputWatermarks.map((_, i) => i) : [input];
    for (const i of inputs) if (watermark > this.inputWatermarks[i]) this.inputWatermarks[i] = watermark;
    const combined = Math.min(...this.inputWatermarks);
    if (combined > this.combinedWatermark) {
      this.combinedWatermark = combined;
      this.operator.processWatermark(combined);
    }
  }

  /** The keyed backend, if it holds a registered state `name`. */
  private stateBackend(name: string) {
    this.open();
    const backend = this.env.keyedBackend;
    const names = backend === undefined ? [] : backend.registeredStates();
    if (backend === undefined || !names.includes(name))
      throw new Error(
        `no keyed state '${name}' in operator '${this.env.context.name}'; it has ` +
          (names.length === 0 ? "none" : names.map((n) => `'${n}'`).join(", ")),
      );
    return backend;
  }
}

/**
 * What every window operator shares, whatever its assigner: the record's time (its timestamp, or
 * the clock for processing time), the default triggers (fire when the watermark or the clock
 * reaches the window's max timestamp; fire again at once for a late record the lateness allows),
 * cleanup at max timestamp + allowed lateness, late records, and firing the user's function.
 * Subclasses decide which windows a record goes to (`assign`) and where a window ends.
 *
 * State lives in the keyed backend: each window's contents in the map state "window-contents",
 * keyed by the window's start, which is also the window's timer namespace. A window's start is
 * unique among the live windows of a key: aligned windows have one size, and live session
 * windows never overlap.
 */
import type { Key, KeySelector } from "../../../api/functions.ts";
import type { WindowSpec } from "../../../api/logical-plan.ts";
import { type MapState, StateDescriptors } from "../../../api/state.ts";
import { NO_TIMESTAMP } from "../../../time/time.ts";
import { TimestampedCollector } from "../abstract-operator.ts";
import { AbstractKeyedOperator } from "../keyed-process-operator.ts";
import type { OneInputOperator, OperatorContext } from "../operator.ts";
import type { InternalTimerService, Timer, Triggerable } from "../timer-service.ts";
import { FiringContext } from "./firing-context.ts";
import { createWindowContents, type WindowContents } from "./window-contents.ts";

export abstract class AbstractWindowOperator
  extends AbstractKeyedOperator
  implements OneInputOperator<unknown>, Triggerable
{
  protected readonly eventTime: boolean;
  /** Always 0 for processing time: there a window is never late. */
  protected readonly lateness: number;
  protected readonly fn: WindowContents;
  protected timers!: InternalTimerService;
  protected contents!: MapState<number, unknown>;
  private collector!: TimestampedCollector<unknown>;
  private firing!: FiringContext;

  constructor(
    keySelector: KeySelector<any, Key>,
    protected readonly spec: WindowSpec,
  ) {
    super(keySelector);
    this.eventTime = spec.assigner.eventTime;
    this.lateness = this.eventTime ? spec.allowedLatenessMs : 0;
    this.fn = createWindowContents(spec.function);
  }

  override open(context: OperatorContext): void {
    super.open(context);
    this.timers = context.timerService(this);
    this.contents = this.backend.getState(StateDescriptors.map<number, unknown>("window-contents"));
    this.collector = new TimestampedCollector<unknown>(this.output);
    this.firing = new FiringContext(context, this.timers);
  }

  /**
   * Adds the record (already keyed) to its windows at `time`; false when it went to none, because
   * every one of them was late (or, for sliding windows with gaps, there was none).
   */
  protected abstract assign(value: unknown, time: number): boolean;

  /** The end of the key's live window starting at `start`, or undefined if there is none. */
  protected abstract windowEnd(start: number): number | undefined;

  /** Drops the key's window starting at `start` (its contents are already removed). */
  protected retire(_start: number): void {}

  processElement(value: unknown, timestamp: number): void {
    if (!this.setKeyOf(value, timestamp)) return;
    this.addToWindows(value, timestamp);
  }

  processKeyedElement(value: unknown, timestamp: number, key: Key, keyGroup: number): void {
    this.backend.setCurrentKeyAndGroup(key, keyGroup);
    this.addToWindows(value, timestamp);
  }

  /** Adds a record whose key is current to its windows. */
  private addToWindows(value: unknown, timestamp: number): void {
    let time: number;
    if (!this.eventTime) time = this.context.clock.now();
    else if (Number.isFinite(timestamp)) time = timestamp;
    else {
      this.context.recordFailed(
        new Error(
          timestamp === NO_TIMESTAMP
            ? "record has no timestamp: assign one with a WatermarkStrategy (assignTimestampsAndWatermarks, " +
                "or a strategy on the source) before an event-time window"
            : `record timestamp ${timestamp} is not a finite number: event-time windows need one`,
        ),
        value,
        timestamp,
      );
      return;
    }
    let accepted: boolean;
    try {
      accepted = this.assign(value, time);
    } catch (error) {
      this.failed(error, value, timestamp);
      return;
    }
    // Flink's rule: a record that no window took is late only if it is late itself; a record
    // between sliding windows (size < slide) that is not late belongs nowhere and is ignored.
    if (!accepted && this.eventTime && time + this.lateness <= this.timers.currentWatermark)
      this.late(value, time);
  }

  /** Whether the window can no longer change: its cleanup time has passed. */
  protected isLate(end: number): boolean {
    return this.eventTime && end - 1 + this.lateness <= this.timers.currentWatermark;
  }

  /**
   * Sets a window's new contents after a record was added, and triggers: a window the watermark
   * has passed fires at once (a late record within the lateness), otherwise its timer does.
   * `isNew` says the window has no timers yet (a new window, or the result of a merge).
   */
  protected added(start: number, end: number, contents: unknown, isNew: boolean): void {
    this.contents.put(start, contents);
    const maxTimestamp = end - 1;
    if (!this.eventTime) {
      if (isNew) this.timers.registerProcessingTimeTimer(start, maxTimestamp);
      return;
    }
    const watermark = this.timers.currentWatermark;
    // An old window has its timers already: the firing one if it was not due when it was made
    // (a due one fires at once and stays due), and the cleanup one. Skipping them saves a
    // timer-id string per record.
    if (isNew) {
      if (maxTimestamp > watermark) this.timers.registerEventTimeTimer(start, maxTimestamp);
      if (this.lateness > 0) this.timers.registerEventTimeTimer(start, maxTimestamp + this.lateness);
    }
    if (maxTimestamp <= watermark) this.fire(start, end, contents);
  }

  /** Deletes the timers of a window that merged into another. */
  protected deleteTimers(start: number, end: number): void {
    const maxTimestamp = end - 1;
    if (!this.eventTime) {
      this.timers.deleteProcessingTimeTimer(start, maxTimestamp);
      return;
    }
    this.timers.deleteEventTimeTimer(start, maxTimestamp);
    if (this.lateness > 0) this.timers.deleteEventTimeTimer(start, maxTimestamp + this.lateness);
  }

  onEventTime(timer: Timer): void {
    this.onTimer(timer.namespace as number, timer.time);
  }

  onProcessingTime(timer: Timer): void {
    this.onTimer(timer.namespace as number, timer.time);
  }

  /** A window's max timestamp fires it; max timestamp + lateness (the same time for 0) cleans it up. */
  private onTimer(start: number, time: number): void {
    const end = this.windowEnd(start);
    if (end === undefined) return;
    const maxTimestamp = end - 1;
    if (time === maxTimestamp) {
      const contents = this.contents.get(start);
      if (contents !== undefined) this.fire(start, end, contents);
    }
    if (time === maxTimestamp + this.lateness) {
      this.contents.remove(start);
      this.retire(start);
    }
  }

  /** Calls the user's function; its output carries the window's max timestamp, as in Flink. */
  private fire(start: number, end: number, contents: unknown): void {
    const window = { start, end };
    const key = this.backend.currentKey;
    this.firing.key = key;
    this.firing.window = window;
    this.collector.timestamp = end - 1;
    try {
      this.fn.emit(contents, this.firing, this.collector);
    } catch (error) {
      this.failed(error, { key, window }, end - 1);
    }
  }

  private late(value: unknown, timestamp: number): void {
    const tag = this.spec.lateDataTag;
    if (tag !== undefined) this.output.collectSide(tag, value, timestamp);
    // Dropped, and counted as such ("late, dropped" in progress reports): a late record is not a
    // failure, so it is no dead letter and errorHandling "fail" does not fail the job for it.
    else this.context.metrics.lateRecordsDropped++;
  }

  override processWatermark(watermark: number): void {
    this.timers.advanceWatermark(watermark);
    super.processWatermark(watermark);
  }

  advanceProcessingTime(now: number): void {
    this.timers.advanceProcessingTime(now);
  }

  nextProcessingTime(): number {
    return this.timers.nextProcessingTime();
  }

  /**
   * Bounded input ended. Event-time windows have all fired on the final watermark (+Infinity);
   * processing-time windows fire now, every one, as if the clock had reached their end: a bounded
   * job would otherwise lose its last windows. Their output carries the window's max timestamp,
   * as on time, though the clock has not reached it.
   */
  override endInput(): void {
    if (!this.eventTime) this.timers.advanceProcessingTime(Number.POSITIVE_INFINITY);
  }
}

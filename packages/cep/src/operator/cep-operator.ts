/**
 * The CEP operator: runs a pattern's NFA on each key of a keyed stream, as a keyed process
 * function (so it uses only core's public API: keyed state, timers, side outputs, metrics).
 *
 * Per key, the operator keeps the NFA's partial matches in keyed state (one value per key: the
 * partial matches and the shared buffer of their events), so checkpoints, savepoints and
 * rescaling carry them like any other keyed state, on either backend. Only that model is
 * persisted, in a versioned format (persisted-state.ts); timers and gauges are derived from it.
 *
 * In event time (the default), an event is buffered in keyed state under its timestamp until the
 * watermark passes it; an event-time timer at that timestamp then feeds the key's events of that
 * timestamp to the NFA (ties in arrival order), after timing out the partial matches whose window
 * closed. An event at or behind the watermark is late: it goes to the late-data side output, or is
 * dropped and counted. In processing time, events are matched on arrival with the arrival time
 * as their timestamp. Either way a timer at the earliest window end of a key's partial matches
 * reports timed-out partial matches (and releases notFollowedBy matches) without waiting for
 * another event.
 */
import {
  type Collector,
  type Key,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type KeyedRuntimeContext,
  NO_TIMESTAMP,
  type OnTimerContext,
  type OutputTag,
  StateDescriptors,
  type ValueState,
} from "@eddy/core";
import type { CompiledNfa } from "../nfa/compiled-nfa.ts";
import type { KeyNfaState } from "../nfa/computation-state.ts";
import { type NfaOutput, NfaRunner } from "../nfa/nfa-runner.ts";
import { CepMetrics } from "./cep-metrics.ts";
import { countUpTo, insertEvent, removeFirst } from "./event-buffer.ts";
import type { Match, MatchContext, PatternProcessFunction } from "./pattern-process-function.ts";
import {
  readEventBuffer,
  readNfaState,
  type StoredEventBuffer,
  type StoredNfaState,
  storedEventBuffer,
  storedNfaState,
} from "./persisted-state.ts";

export interface CepOptions<E> {
  timeDomain?: "event-time" | "processing-time";
  /** Late events (event time) go here instead of being dropped. */
  lateDataTag?: OutputTag<E>;
  /**
   * At most this many partial matches per key; beyond it the newest are discarded (counted,
   * with a warning). Guards memory against patterns like followedByAny().oneOrMore().
   */
  maxPartialMatchesPerKey?: number;
  /**
   * Event time: orders events of a key with equal timestamps (a stable sort, so events it calls
   * equal keep their arrival order). Default: arrival order.
   */
  comparator?: (a: E, b: E) => number;
}

const NFA_STATE = "cep.nfa";
const BUFFER_STATE = "cep.buffer";

/** Warn at most once per this many discarded partial matches per subtask. */
const CAP_WARNING_EVERY = 10_000;

/** The CEP operator's logic, as a keyed process function (one instance per subtask). */
export class CepOperator<K extends Key, E, M, R> implements KeyedProcessFunction<K, E, R> {
  private runner!: NfaRunner<E>;
  private nfaState!: ValueState<StoredNfaState>;
  private buffer!: ValueState<StoredEventBuffer<E>>;
  private eventTime!: boolean;
  private warnedAt = 0;
  private operatorLabel = "";
  /** Event time: the time of the key's event-buffer timer while handling a timer (NaN: none). */
  private bufferTimer = Number.NaN;
  /** Live counters and gauges of this subtask, reported as the operator's metrics (`cep.*`). */
  private metrics!: CepMetrics;
  // the output target of the record or timer being handled
  private out!: Collector<R>;
  private ctx!: KeyedProcessContext<K>;
  private matchContext!: MatchContext<K>;
  /** What the pattern process function emits through: `out`, at the match's timestamp. */
  private matchOut!: Collector<R>;
  private nfaOutput!: NfaOutput<E>;
  /** The timestamp MatchContext reports: the match's last event's, or a timeout's. */
  private resultTs = 0;
  /** Partial matches of the current key when its state was loaded (for the gauge). */
  private loadedPartials = 0;
  /**
   * The current key's timeout timer, registered when its state was last stored: the earliest
   * window end of its partial matches then, which is why it need not be stored (Infinity: none).
   */
  private loadedTimer = Number.POSITIVE_INFINITY;

  constructor(
    private readonly nfa: CompiledNfa,
    private readonly options: CepOptions<E>,
    private readonly fn: PatternProcessFunction<M, R, K>,
  ) {}

  open(context: KeyedRuntimeContext): void {
    this.eventTime = (this.options.timeDomain ?? "event-time") === "event-time";
    this.operatorLabel = `operator '${context.operatorUid}'`;
    this.runner = new NfaRunner<E>(this.nfa, { maxPartialMatches: this.options.maxPartialMatchesPerKey });
    this.nfaState = context.getState(StateDescriptors.value<StoredNfaState>(NFA_STATE));
    this.buffer = context.getState(StateDescriptors.value<StoredEventBuffer<E>>(BUFFER_STATE));
    this.metrics = new CepMetrics(context.metrics);
    const stats = this.metrics.stats;
    // These objects close over `this`, the per-subtask instance (subtasks are made with
    // Object.create). Records leave with the timestamp of what they report (a match: its last
    // event's; a timed-out partial match: start + window), not the timer's that happened to
    // release them, as from Flink's CEP operator.
    this.matchContext = {
      timestamp: () => this.resultTs,
      currentKey: () => this.ctx.currentKey(),
      currentWatermark: () => this.ctx.currentWatermark(),
      currentProcessingTime: () => this.ctx.currentProcessingTime(),
      output: (tag, value) => this.ctx.outputWithTimestamp(tag, value, this.resultTs),
      outputWithTimestamp: (tag, value, timestamp) => this.ctx.outputWithTimestamp(tag, value, timestamp),
    };
    this.matchOut = {
      collect: (value) => this.out.collectWithTimestamp(value, this.resultTs),
      collectWithTimestamp: (value, timestamp) => this.out.collectWithTimestamp(value, timestamp),
    };
    this.nfaOutput = {
      match: (match, timestamp) => {
        stats.matches++;
        this.resultTs = timestamp;
        this.fn.processMatch(match as unknown as Match<M>, this.matchContext, this.matchOut);
      },
      timeout: (partial, timestamp) => {
        stats.timeouts++;
        if (this.fn.processTimedOutMatch === undefined) return;
        this.resultTs = timestamp;
        this.fn.processTimedOutMatch(partial as unknown as Match<M>, this.matchContext);
      },
    };
    this.fn.open?.(context);
  }

  processElement(value: E, ctx: KeyedProcessContext<K>, out: Collector<R>): void {
    if (!this.eventTime) {
      const now = ctx.currentProcessingTime();
      this.ctx = ctx;
      this.out = out;
      const state = this.load(ctx);
      this.runner.advanceTime(state, now, this.nfaOutput);
      this.runner.process(state, value, now, this.nfaOutput);
      this.store(state, now, ctx);
      return;
    }
    const ts = ctx.timestamp();
    if (ts === NO_TIMESTAMP) {
      throw new Error(
        "a CEP pattern in event time needs records with timestamps: assign timestamps and watermarks to the stream, or use inProcessingTime()",
      );
    }
    if (ts <= ctx.currentWatermark()) {
      this.metrics.stats.lateEvents++;
      if (this.options.lateDataTag !== undefined) ctx.output(this.options.lateDataTag, value);
      return;
    }
    // The key's buffer, sorted by timestamp (equal ones in arrival order). One event-time timer
    // at its earliest timestamp: when the watermark passes it, everything the watermark passed is
    // matched at once (one timer per key per watermark step, not one per event).
    const key = ctx.currentKey();
    const stored = this.buffer.value();
    let buffer: StoredEventBuffer<E>;
    if (stored === undefined) {
      buffer = storedEventBuffer(ts, value);
      ctx.timerService().registerEventTimeTimer(ts);
    } else {
      buffer = readEventBuffer<E>(stored, this.operatorLabel);
      this.metrics.bufferLoaded(key, buffer.ts.length);
      if (insertEvent(buffer, ts, value) === 0) {
        ctx.timerService().deleteEventTimeTimer(buffer.ts[1]);
        ctx.timerService().registerEventTimeTimer(ts);
      }
    }
    this.buffer.update(buffer);
    this.metrics.bufferChanged(key, 1, buffer.ts.length);
  }

  onTimer(timestamp: number, ctx: OnTimerContext<K>, out: Collector<R>): void {
    this.ctx = ctx;
    this.out = out;
    const state = this.load(ctx);
    if (!this.eventTime) {
      this.runner.advanceTime(state, timestamp, this.nfaOutput);
      this.store(state, timestamp, ctx);
      return;
    }
    // Match every buffered event the watermark has passed, in timestamp order, each timestamp
    // after timing out what its window closed; then time out up to the watermark itself.
    const watermark = ctx.currentWatermark();
    const stored = this.buffer.value();
    let rest = Number.NaN;
    if (stored !== undefined) {
      const key = ctx.currentKey();
      const buffer = readEventBuffer<E>(stored, this.operatorLabel);
      this.metrics.bufferLoaded(key, buffer.ts.length);
      const n = countUpTo(buffer, watermark);
      if (n > 0) {
        this.feed(state, buffer.ts, buffer.events, n);
        removeFirst(buffer, n);
        this.metrics.bufferChanged(key, -n, buffer.ts.length);
        if (buffer.ts.length === 0) this.buffer.clear();
        else {
          this.buffer.update(buffer);
          ctx.timerService().registerEventTimeTimer(buffer.ts[0]);
        }
      }
      if (buffer.ts.length > 0) rest = buffer.ts[0];
    }
    this.runner.advanceTime(state, Math.max(timestamp, watermark), this.nfaOutput);
    this.bufferTimer = rest;
    this.store(state, watermark, ctx);
  }

  close(): void {
    this.fn.close?.();
  }

  /** Feeds the first `n` buffered events to the NFA, timestamp by timestamp. */
  private feed(state: KeyNfaState, times: readonly number[], events: readonly E[], n: number): void {
    for (let i = 0; i < n; ) {
      const t = times[i];
      let j = i + 1;
      while (j < n && times[j] === t) j++;
      this.runner.advanceTime(state, t, this.nfaOutput);
      if (j - i > 1 && this.options.comparator !== undefined) {
        const tied = events.slice(i, j).sort(this.options.comparator);
        for (const event of tied) this.runner.process(state, event, t, this.nfaOutput);
      } else {
        for (let k = i; k < j; k++) this.runner.process(state, events[k], t, this.nfaOutput);
      }
      i = j;
    }
  }

  private load(ctx: KeyedProcessContext<K>): StoredNfaState {
    const stored = this.nfaState.value();
    if (stored === undefined) {
      this.loadedPartials = 0;
      this.loadedTimer = Number.POSITIVE_INFINITY;
      return storedNfaState(this.runner.initialState());
    }
    const state = readNfaState(stored, this.operatorLabel);
    this.runner.checkGraph(state, this.operatorLabel);
    this.loadedPartials = this.runner.census(state);
    this.loadedTimer = this.runner.earliestTimeout;
    // restored from a checkpoint: the gauge counts the key from now on
    this.metrics.partialsLoaded(ctx.currentKey(), this.loadedPartials);
    return state;
  }

  private store(state: StoredNfaState, now: number, ctx: KeyedProcessContext<K>): void {
    const stats = this.metrics.stats;
    const discarded = this.runner.discardedByCap;
    if (discarded > stats.discardedByCap) {
      stats.discardedByCap = discarded;
      if (discarded - this.warnedAt >= CAP_WARNING_EVERY || this.warnedAt === 0) {
        this.warnedAt = discarded;
        console.warn(
          `eddy cep: the cap of ${this.options.maxPartialMatchesPerKey} partial matches per key was reached (key ${String(ctx.currentKey())}); ${discarded} partial matches discarded so far by ${this.nfa.description}`,
        );
      }
    }
    if (this.runner.isEmpty(state)) {
      this.metrics.partialsStored(ctx.currentKey(), this.loadedPartials, 0);
      this.setTimeoutTimer(Number.POSITIVE_INFINITY, now, ctx);
      this.nfaState.clear();
      return;
    }
    this.metrics.partialsStored(ctx.currentKey(), this.loadedPartials, this.runner.census(state));
    this.setTimeoutTimer(this.runner.earliestTimeout, now, ctx);
    this.nfaState.update(state);
  }

  /** One timeout timer per key, at its earliest window end: a stale one is deleted, not left to fire. */
  private setTimeoutTimer(next: number, now: number, ctx: KeyedProcessContext<K>): void {
    const timers = ctx.timerService();
    // Registered when the state was stored, if it was still ahead then; when it is not ahead now
    // it has fired (or is firing): nothing to delete.
    const current = this.loadedTimer;
    if (next <= now) next = Number.POSITIVE_INFINITY;
    if (current === next) return;
    // (the event buffer's timer may share the time: it must survive)
    if (current !== Number.POSITIVE_INFINITY && current > now && current !== this.bufferTimer) {
      if (this.eventTime) timers.deleteEventTimeTimer(current);
      else timers.deleteProcessingTimeTimer(current);
    }
    if (next === Number.POSITIVE_INFINITY) return;
    if (this.eventTime) timers.registerEventTimeTimer(next);
    else timers.registerProcessingTimeTimer(next);
  }
}

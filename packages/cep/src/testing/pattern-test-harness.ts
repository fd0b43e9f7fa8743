/**
 * Unit-test a pattern without running a job: the harness runs the real CEP operator (keyed
 * state, timers, event-time buffering) with a manual clock and explicit watermarks.
 *
 *   const h = PatternTestHarness.of(pattern, (e) => e.user);
 *   h.process(login, 1000).process(failure, 1200).advanceWatermark(5000);
 *   assert.deepEqual(h.matches(), [...]);
 */
import { type Key, type KeySelector, OutputTag } from "@eddy/core";
import { type KeyedOperatorHarness, OperatorHarness } from "@eddy/testing";
import { compilePattern } from "../nfa/compiler.ts";
import type { CepStats } from "../operator/cep-metrics.ts";
import { CepOperator, type CepOptions } from "../operator/cep-operator.ts";
import type { Match } from "../operator/pattern-process-function.ts";
import type { Pattern } from "../pattern/pattern.ts";

export interface HarnessMatch<M> {
  match: Match<M>;
  /** The match's last event's timestamp. */
  timestamp: number;
}

export interface HarnessTimeout<M> {
  partial: Match<M>;
  /** start + window. */
  timestamp: number;
}

type Result<M> = { kind: "match"; value: HarnessMatch<M> } | { kind: "timeout"; value: HarnessTimeout<M> };

export class PatternTestHarness<E, M, K extends Key = Key> {
  private readonly lateTag = new OutputTag<E>("cep.harness.late");
  private readonly resultsTag = new OutputTag<Result<M>>("cep.harness.results");
  private readonly harness: KeyedOperatorHarness<K, E, never>;
  private readonly fn: CepOperator<K, E, M, never>;

  private constructor(
    pattern: Pattern<E, M, any, any>,
    keySelector: KeySelector<E, K>,
    options: CepOptions<E>,
  ) {
    const tag = this.resultsTag;
    this.fn = new CepOperator<K, E, M, never>(
      compilePattern(pattern),
      { ...options, lateDataTag: this.lateTag },
      {
        processMatch: (match, ctx) =>
          ctx.output(tag, { kind: "match", value: { match, timestamp: ctx.timestamp() } }),
        processTimedOutMatch: (partial, ctx) =>
          ctx.output(tag, { kind: "timeout", value: { partial, timestamp: ctx.timestamp() } }),
      },
    );
    this.harness = OperatorHarness.forKeyedProcess<K, E, never>(keySelector, this.fn).open();
  }

  /** A harness for `pattern` on events keyed by `keySelector` (default: one key). */
  static of<E, M, K extends Key = Key>(
    pattern: Pattern<E, M, any, any>,
    keySelector: KeySelector<E, K> = () => 0 as K,
    options: Omit<CepOptions<E>, "lateDataTag"> = {},
  ): PatternTestHarness<E, M, K> {
    return new PatternTestHarness(pattern, keySelector, options);
  }

  /** Feeds one event with its timestamp (in processing time, the timestamp is ignored). */
  process(event: E, timestamp: number): this {
    this.harness.processElement(event, timestamp);
    return this;
  }

  /** Feeds events in the order given, or sorted by timestamp (stable) with `sorted`. */
  processAll(events: Iterable<{ event: E; timestamp: number }>, options: { sorted?: boolean } = {}): this {
    const list = [...events];
    if (options.sorted) list.sort((a, b) => a.timestamp - b.timestamp);
    for (const { event, timestamp } of list) this.process(event, timestamp);
    return this;
  }

  /** Advances the event-time watermark: buffered events up to it are matched, windows time out. */
  advanceWatermark(watermark: number): this {
    this.harness.processWatermark(watermark);
    return this;
  }

  /** Sets the processing time (processing-time patterns match on arrival and time out on it). */
  setProcessingTime(time: number): this {
    this.harness.setProcessingTime(time);
    return this;
  }

  /** Ends the input: the watermark goes to +Infinity, every window passes. */
  endInput(): this {
    this.harness.processWatermark(Number.POSITIVE_INFINITY);
    return this;
  }

  matches(): HarnessMatch<M>[] {
    return this.results("match") as HarnessMatch<M>[];
  }

  /** Just the matches' events, stage by stage. */
  matchValues(): Match<M>[] {
    return this.matches().map((m) => m.match);
  }

  timeouts(): HarnessTimeout<M>[] {
    return this.results("timeout") as HarnessTimeout<M>[];
  }

  /** Timestamps of the records the operator emitted for matches and timeouts, in order. */
  recordTimestamps(): number[] {
    return this.harness.sideOutput(this.resultsTag).map((r) => r.timestamp);
  }

  lateEvents(): E[] {
    return this.harness.sideOutputValues(this.lateTag);
  }

  /** Counters and gauges of the operator (partial matches, buffered events, discarded by the cap). */
  stats(): Readonly<CepStats> {
    // the operator reports them as user metrics (the subtask's function instance is not this.fn)
    const stats: Record<string, number> = {};
    for (const [name, read] of this.harness.metrics.user) {
      if (name.startsWith("cep.")) stats[name.slice(4)] = read();
    }
    return stats as unknown as CepStats;
  }

  /** Event-time timers pending (one per buffered timestamp and per key's next timeout). */
  pendingTimers(): number {
    return this.harness.numEventTimeTimers();
  }

  private results(kind: Result<M>["kind"]): Array<HarnessMatch<M> | HarnessTimeout<M>> {
    return this.harness
      .sideOutputValues(this.resultsTag)
      .filter((r) => r.kind === kind)
      .map((r) => r.value);
  }
}

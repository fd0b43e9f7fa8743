/**
 * Patterns on streams: `CEP.pattern(keyedStream, pattern)` gives a PatternStream whose
 * `select`, `flatSelect` or `process` turns matches into records, through the CEP operator
 * (cep-operator.ts) on each key of the stream. The pattern is compiled when the job is built, so
 * a pattern that cannot work fails there.
 */
import { type Collector, type DataStream, type Key, KeyedStream, type OutputTag } from "@eddy/core";
import type { CompiledNfa } from "../nfa/compiled-nfa.ts";
import { compilePattern } from "../nfa/compiler.ts";
import type { Pattern } from "../pattern/pattern.ts";
import { CepOperator, type CepOptions } from "./cep-operator.ts";
import type { Match, MatchContext, PatternProcessFunction } from "./pattern-process-function.ts";

export const CEP = {
  /**
   * Applies `pattern` to each key of `input`. A stream that is not keyed is matched as one
   * sequence, at parallelism 1.
   */
  pattern<E, M, K extends Key = Key>(
    input: KeyedStream<E, K> | DataStream<E>,
    pattern: Pattern<E, M, any, any>,
    options: CepOptions<E> = {},
  ): PatternStream<E, M, K> {
    // compile now: a pattern that cannot work is rejected while the job is built
    const nfa = compilePattern(pattern);
    return new PatternStream<E, M, K>(input, nfa, options);
  },
};

export class PatternStream<E, M, K extends Key = Key> {
  constructor(
    private readonly input: KeyedStream<E, K> | DataStream<E>,
    private readonly nfa: CompiledNfa,
    private readonly options: CepOptions<E>,
  ) {
    const max = options.maxPartialMatchesPerKey;
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
      throw new Error(
        `maxPartialMatchesPerKey must be a positive integer, not ${max}: set it to the most partial matches one key may hold`,
      );
    }
  }

  inProcessingTime(): PatternStream<E, M, K> {
    return new PatternStream(this.input, this.nfa, { ...this.options, timeDomain: "processing-time" });
  }

  inEventTime(): PatternStream<E, M, K> {
    return new PatternStream(this.input, this.nfa, { ...this.options, timeDomain: "event-time" });
  }

  sideOutputLateData(tag: OutputTag<E>): PatternStream<E, M, K> {
    return new PatternStream(this.input, this.nfa, { ...this.options, lateDataTag: tag });
  }

  withMaxPartialMatchesPerKey(max: number): PatternStream<E, M, K> {
    return new PatternStream(this.input, this.nfa, { ...this.options, maxPartialMatchesPerKey: max });
  }

  process<R>(fn: PatternProcessFunction<M, R, K>): DataStream<R> {
    const keyed: KeyedStream<E, Key> =
      this.input instanceof KeyedStream ? (this.input as KeyedStream<E, Key>) : this.input.keyBy(() => 0);
    const out = keyed.process(
      new CepOperator<Key, E, M, R>(this.nfa, this.options, fn as PatternProcessFunction<M, R, Key>),
    );
    const named = out.name(`CEP ${this.nfa.description}`);
    return this.input instanceof KeyedStream ? named : named.setParallelism(1);
  }

  select<R>(select: (match: Match<M>) => R): DataStream<R>;
  select<R, T>(
    timeoutTag: OutputTag<T>,
    timeout: (partial: Match<M>, timeoutTimestamp: number) => T,
    select: (match: Match<M>) => R,
  ): DataStream<R>;
  select<R, T>(
    a: ((match: Match<M>) => R) | OutputTag<T>,
    timeout?: (partial: Match<M>, timeoutTimestamp: number) => T,
    select?: (match: Match<M>) => R,
  ): DataStream<R> {
    if (typeof a === "function") {
      return this.process({ processMatch: (match, _ctx, out) => out.collect(a(match)) });
    }
    const tag = a;
    const onTimeout = timeout as (partial: Match<M>, ts: number) => T;
    const onMatch = select as (match: Match<M>) => R;
    return this.process({
      processMatch: (match, _ctx, out) => out.collect(onMatch(match)),
      processTimedOutMatch: (partial, ctx) => ctx.output(tag, onTimeout(partial, ctx.timestamp())),
    });
  }

  flatSelect<R>(select: (match: Match<M>, out: Collector<R>) => void): DataStream<R>;
  flatSelect<R, T>(
    timeoutTag: OutputTag<T>,
    timeout: (partial: Match<M>, timeoutTimestamp: number, out: Collector<T>) => void,
    select: (match: Match<M>, out: Collector<R>) => void,
  ): DataStream<R>;
  flatSelect<R, T>(
    a: ((match: Match<M>, out: Collector<R>) => void) | OutputTag<T>,
    timeout?: (partial: Match<M>, timeoutTimestamp: number, out: Collector<T>) => void,
    select?: (match: Match<M>, out: Collector<R>) => void,
  ): DataStream<R> {
    if (typeof a === "function") return this.process({ processMatch: (match, _ctx, out) => a(match, out) });
    const tag = a;
    const onTimeout = timeout as (partial: Match<M>, ts: number, out: Collector<T>) => void;
    const onMatch = select as (match: Match<M>, out: Collector<R>) => void;
    // One collector into the timeout side output, for the context of the timeout at hand (calls
    // never interleave: a subtask reports one timeout at a time, synchronously).
    let context!: MatchContext<K>;
    const timeoutOut: Collector<T> = {
      collect: (value) => context.output(tag, value),
      collectWithTimestamp: (value, timestamp) => context.outputWithTimestamp(tag, value, timestamp),
    };
    return this.process({
      processMatch: (match, _ctx, out) => onMatch(match, out),
      processTimedOutMatch: (partial, ctx) => {
        context = ctx;
        onTimeout(partial, ctx.timestamp(), timeoutOut);
      },
    });
  }
}

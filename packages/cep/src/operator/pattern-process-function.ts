/**
 * What a pattern's matches become: a PatternProcessFunction gets each match (and each partial
 * match that timed out) with its context, and emits records. PatternStream's select and
 * flatSelect are written with it.
 */
import type { Collector, Key, KeyedRuntimeContext, OutputTag } from "@eddy/core";

/** A match: for every positive stage, its events in order (an empty array when it took none). */
export type Match<M> = { readonly [K in keyof M]: readonly M[K][] };

/** What a pattern process function sees with each match. */
export interface MatchContext<K extends Key = Key> {
  /** The match's timestamp: its last event's (for a timed-out partial match, start + window). */
  timestamp(): number;
  currentKey(): K;
  currentWatermark(): number;
  currentProcessingTime(): number;
  /** Emits to a side output with the match's timestamp. */
  output<X>(tag: OutputTag<X>, value: X): void;
  /** Emits to a side output with another timestamp. */
  outputWithTimestamp<X>(tag: OutputTag<X>, value: X, timestamp: number): void;
}

export interface PatternProcessFunction<M, R, K extends Key = Key> {
  open?(context: KeyedRuntimeContext): void;
  /** `out.collect` emits with the match's timestamp (its last event's). */
  processMatch(match: Match<M>, context: MatchContext<K>, out: Collector<R>): void;
  /** Partial matches whose `within` window passed; emit them with context.output(tag, ...). */
  processTimedOutMatch?(partial: Match<M>, context: MatchContext<K>): void;
  close?(): void;
}

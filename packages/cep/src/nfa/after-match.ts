/**
 * After-match skip strategies applied (one of FlinkCEP's nfa/aftermatch classes each, here one
 * function): which partial matches a match discards, and the strategy a pattern runs with.
 */

import type { AfterMatchSkipStrategy } from "../pattern/skip-strategy.ts";
import type { StageSpec } from "../pattern/stage-spec.ts";

/** skipToFirst or skipToLast with throwOnMiss, and a match without an event for that stage. */
export class SkipToMissingStageError extends Error {
  override name = "SkipToMissingStageError";
}

/**
 * The pruning point of a match given as stage name -> event numbers (each list ascending):
 * partial matches whose first event number is below the returned value are discarded (an
 * exclusive bound). undefined = discard nothing.
 */
export function pruningBound(
  strategy: AfterMatchSkipStrategy,
  match: ReadonlyMap<string, readonly number[]>,
): number | undefined {
  switch (strategy.kind) {
    case "no-skip":
      return undefined;
    case "skip-to-next": {
      // discard those that started at (or, never the case once ordered, before) the first event
      let first = Number.POSITIVE_INFINITY;
      for (const ids of match.values()) if (ids.length > 0 && ids[0] < first) first = ids[0];
      return first + 1;
    }
    case "skip-past-last-event": {
      let last = Number.NEGATIVE_INFINITY;
      for (const ids of match.values())
        if (ids.length > 0 && ids[ids.length - 1] > last) last = ids[ids.length - 1];
      return last + 1;
    }
    case "skip-to-first":
    case "skip-to-last": {
      const ids = match.get(strategy.stage);
      if (ids === undefined || ids.length === 0) {
        if (strategy.throwOnMiss) {
          throw new SkipToMissingStageError(
            `after-match skip to ${strategy.kind === "skip-to-first" ? "first" : "last"}("${strategy.stage}"): the match has no event for that stage`,
          );
        }
        return undefined;
      }
      return strategy.kind === "skip-to-first" ? ids[0] : ids[ids.length - 1];
    }
  }
}

/**
 * skipToFirst(s) where s is the pattern's first stage (not optional, not in a group) always
 * skips to the match's own first event, which discards nothing: it is noSkip, and runs as noSkip
 * (matches are not held back for earlier partial matches).
 */
export function effectiveSkipStrategy(
  stages: readonly StageSpec[],
  strategy: AfterMatchSkipStrategy,
): AfterMatchSkipStrategy {
  const first = stages[0];
  if (
    strategy.kind === "skip-to-first" &&
    first.group === undefined &&
    first.name === strategy.stage &&
    !first.quantifier.optional
  ) {
    return { kind: "no-skip" };
  }
  return strategy;
}

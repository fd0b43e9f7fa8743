/**
 * The checks a pattern passes before it is compiled: what no NFA can run (no stage, a name used
 * twice, a skip strategy naming a stage the pattern has not, a gap window longer than the whole
 * match's, a closing notFollowedBy without a window, a negated first stage). Each failure is a
 * MalformedPatternError that says what to change.
 */
import { MalformedPatternError } from "../pattern/malformed-pattern-error.ts";
import type { AfterMatchSkipStrategy } from "../pattern/skip-strategy.ts";
import { type StageSpec, stageNames } from "../pattern/stage-spec.ts";
import { ENDING_STATE } from "./compiled-nfa.ts";

/** Throws MalformedPatternError for stages that cannot work; `windowTime` is patternWindow(stages). */
export function validatePattern(
  stages: readonly StageSpec[],
  skipStrategy: AfterMatchSkipStrategy,
  windowTime: number,
): void {
  if (stages.length === 0) throw new MalformedPatternError("a pattern needs at least one stage");
  checkNames(stages);
  checkSkipStrategy(stages, skipStrategy);
  checkWindows(stages, windowTime);
  const last = stages[stages.length - 1];
  if (last.consuming === "not-follow" && windowTime === 0 && last.previousAndCurrent === undefined) {
    throw new MalformedPatternError(
      `notFollowedBy("${last.name}") ends the pattern, so it needs within(): without a window the absence is never confirmed and no match is ever released`,
    );
  }
  if (stages.length === 1 && (last.consuming === "not-next" || last.consuming === "not-follow")) {
    throw new MalformedPatternError("a pattern cannot begin with a negated stage");
  }
}

/** The pattern's within(d) from first to last event: the smallest declared anywhere; 0 = none. */
export function patternWindow(list: readonly StageSpec[]): number {
  let min = 0;
  for (const s of list) {
    const inner = s.group !== undefined ? patternWindow(s.group) : 0;
    for (const w of [s.firstAndLast ?? 0, inner]) if (w > 0 && (min === 0 || w < min)) min = w;
  }
  return min;
}

function checkNames(stages: readonly StageSpec[]): void {
  const seen = new Set<string>();
  const visit = (list: readonly StageSpec[]): void => {
    for (const s of list) {
      if (s.group !== undefined) {
        visit(s.group);
        continue;
      }
      const name = s.name as string;
      if (name === ENDING_STATE)
        throw new MalformedPatternError(`the stage name "${ENDING_STATE}" is reserved`);
      if (seen.has(name))
        throw new MalformedPatternError(`the stage name "${name}" is used twice; stage names must be unique`);
      seen.add(name);
    }
  };
  visit(stages);
}

function checkSkipStrategy(stages: readonly StageSpec[], s: AfterMatchSkipStrategy): void {
  if (s.kind === "skip-to-first" || s.kind === "skip-to-last") {
    if (!stageNames(stages).includes(s.stage)) {
      throw new MalformedPatternError(
        `the after-match skip strategy names the stage "${s.stage}", which is not a positive stage of the pattern`,
      );
    }
  }
}

function checkWindows(list: readonly StageSpec[], windowTime: number): void {
  for (const s of list) {
    if (s.group !== undefined) checkWindows(s.group, windowTime);
    if (windowTime > 0 && s.previousAndCurrent !== undefined && s.previousAndCurrent > windowTime) {
      throw new MalformedPatternError(
        `stage "${s.name}" has within(${s.previousAndCurrent}, "previous-and-current"), longer than the pattern's within(${windowTime}): the gap between two events cannot exceed the whole match's window`,
      );
    }
  }
}

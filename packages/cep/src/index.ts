/**
 * @eddy/cep: complex event processing. Patterns with FlinkCEP's semantics and typed matches,
 * compiled to an NFA whose partial matches live in keyed state.
 */
export {
  CEP,
  type CepOptions,
  type CepStats,
  type Match,
  type MatchContext,
  type PatternProcessFunction,
  PatternStream,
} from "./cep.ts";
export { type CompiledNfa, compilePattern } from "./compiler.ts";
export { PatternGraphChangedError } from "./nfa.ts";
export {
  type Condition,
  MalformedPatternError,
  Pattern,
  type PatternContext,
  type Quantifier,
  type StageSpec,
  type WithinType,
} from "./pattern.ts";
export { type HarnessMatch, type HarnessTimeout, PatternTestHarness } from "./pattern-test-harness.ts";
export { runSequence, type SequenceOptions, type SequenceResult } from "./run-sequence.ts";
export {
  type AfterMatchSkipStrategy,
  describeSkipStrategy,
  noSkip,
  SkipStrategies,
  SkipToMissingStageError,
  skipPastLastEvent,
  skipToFirst,
  skipToLast,
  skipToNext,
} from "./skip-strategy.ts";

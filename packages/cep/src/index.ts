/**
 * @eddy/cep: complex event processing. Patterns with FlinkCEP's semantics and typed matches,
 * compiled to an NFA whose partial matches live in keyed state. Laid out along the pipeline a
 * pattern goes through: pattern/ (the API) -> nfa/ (compiler, runner, shared buffer) ->
 * operator/ (the CEP operator on keyed streams). The test harness is `@eddy/cep/testing`.
 */

export { SkipToMissingStageError } from "./nfa/after-match.ts";
export type { CompiledNfa } from "./nfa/compiled-nfa.ts";
export { compilePattern } from "./nfa/compiler.ts";
export { PatternGraphChangedError } from "./nfa/pattern-graph-changed-error.ts";
export type { CepStats } from "./operator/cep-metrics.ts";
export type { CepOptions } from "./operator/cep-operator.ts";
export type { Match, MatchContext, PatternProcessFunction } from "./operator/pattern-process-function.ts";
export { CEP, PatternStream } from "./operator/pattern-stream.ts";
export { CepStateFormatError } from "./operator/persisted-state.ts";
export { MalformedPatternError } from "./pattern/malformed-pattern-error.ts";
export { Pattern } from "./pattern/pattern.ts";
export type { Quantifier } from "./pattern/quantifier.ts";
export {
  type AfterMatchSkipStrategy,
  describeSkipStrategy,
  noSkip,
  SkipStrategies,
  skipPastLastEvent,
  skipToFirst,
  skipToLast,
  skipToNext,
} from "./pattern/skip-strategy.ts";
export type { Condition, PatternContext, StageSpec, WithinType } from "./pattern/stage-spec.ts";

/**
 * What a pattern is made of, as the compiler and the matchers read it: a list of stages, each
 * with a name, a condition, a quantifier and the contiguity that links it to the stage before.
 * The Pattern builder (pattern.ts) makes these; they carry no behaviour of their own.
 */
import { describeQuantifier, type Quantifier } from "./quantifier.ts";

/** How a stage relates to the stage before it (FlinkCEP's consuming strategies). */
export type Consuming =
  /** `next`: the very next event must match. */
  | "strict"
  /** `followedBy`: non-matching events are skipped; the first matching one is taken. */
  | "skip-till-next"
  /** `followedByAny`: one branch per later matching event. */
  | "skip-till-any"
  /** `notNext`: the very next event must not match. */
  | "not-next"
  /** `notFollowedBy`: no matching event before the next positive stage (or the window's end). */
  | "not-follow";

export type WithinType = "first-and-last" | "previous-and-current";

/** What an iterative condition can see of the partial match it would extend. */
export interface PatternContext<M = Record<string, unknown>> {
  /** Events accepted into `stage` so far by this partial match, in order (empty when none). */
  events<K extends keyof M & string>(stage: K): readonly M[K][];
  /** Timestamp of the event being tested. */
  timestamp(): number;
  currentProcessingTime(): number;
}

export type Condition<T, M = Record<string, unknown>> = (event: T, context: PatternContext<M>) => boolean;
/** The untyped form the compiler and matchers work with. */
export type AnyCondition = (event: any, context: PatternContext<any>) => boolean;

/** One stage of a pattern, as the compiler and the reference matcher read it. */
export interface StageSpec {
  /** The stage's name, or undefined for a group (whose inner stages carry the names). */
  readonly name: string | undefined;
  readonly consuming: Consuming;
  readonly quantifier: Quantifier;
  /** All `where`s ANDed, `or`s ORed, `subtype` guards ANDed; undefined = every event. */
  readonly condition: AnyCondition | undefined;
  readonly until: AnyCondition | undefined;
  /** A group stage: the inner pattern's stages. */
  readonly group: readonly StageSpec[] | undefined;
  /** within(d, "previous-and-current") declared on this stage, in ms. */
  readonly previousAndCurrent: number | undefined;
  /** within(d) / within(d, "first-and-last") declared on this stage, in ms. */
  readonly firstAndLast: number | undefined;
  /** Human-readable description of the condition, for plans and errors. */
  readonly description: string;
}

const CONSUMING_WORD: Record<Consuming, string> = {
  strict: "next",
  "skip-till-next": "followedBy",
  "skip-till-any": "followedByAny",
  "not-next": "notNext",
  "not-follow": "notFollowedBy",
};

export function describeStages(stages: readonly StageSpec[]): string {
  return stages
    .map((s, i) => {
      const head = i === 0 ? "begin" : CONSUMING_WORD[s.consuming];
      const body = s.group !== undefined ? s.description : `"${s.name}"`;
      let text = `${head}(${body})${describeQuantifier(s.quantifier)}`;
      if (s.firstAndLast !== undefined) text += `.within(${s.firstAndLast})`;
      if (s.previousAndCurrent !== undefined)
        text += `.within(${s.previousAndCurrent}, "previous-and-current")`;
      return text;
    })
    .join(".");
}

/** The names of the positive stages, groups flattened, in order. */
export function stageNames(stages: readonly StageSpec[]): string[] {
  const names: string[] = [];
  for (const s of stages) {
    if (s.group !== undefined) names.push(...stageNames(s.group));
    else if (s.consuming !== "not-next" && s.consuming !== "not-follow") names.push(s.name as string);
  }
  return names;
}

/**
 * The pattern API, with FlinkCEP's semantics and TypeScript's types.
 *
 * A pattern is a sequence of stages. Each stage has a name, a condition, a quantifier and the
 * contiguity that links it to the stage before it:
 *
 *   Pattern.begin<Txn>("small").where((t) => t.amount < 1)
 *     .followedBy("large").where((t) => t.amount > 500)
 *     .within(60_000)
 *
 * The type parameters record what a match holds: `M` maps each positive stage's name to the type
 * of its events (narrowed by `subtype`), so `match.large` is typed. Builders are immutable: every
 * method returns a new pattern, so a pattern can be shared and extended without surprises.
 *
 * What the stages mean is pinned in docs/cep.md and ../shared/CEP-SEMANTICS.md; a pattern that
 * cannot work is rejected when it is built (or at the latest when it is compiled) with a
 * MalformedPatternError that says why.
 */
import { MalformedPatternError } from "./malformed-pattern-error.ts";
import { type Quantifier, SINGLE } from "./quantifier.ts";
import type { AfterMatchSkipStrategy } from "./skip-strategy.ts";
import { noSkip } from "./skip-strategy.ts";
import {
  type AnyCondition,
  type Condition,
  type Consuming,
  describeStages,
  type StageSpec,
  type WithinType,
} from "./stage-spec.ts";

type Stages = readonly StageSpec[];

// Type-level helpers: M is the match shape (stage name -> event type), T the event type of the
// current stage (narrowed by subtype), N the current stage's name (never for a negated stage or a
// group).
type WithStage<M, N extends string, T> = [N] extends [never] ? M : Omit<M, N> & { [K in N]: T };

/**
 * A pattern over events of type E whose matches have shape M. N and T describe the stage being
 * built: its name and the type its events have after `subtype`.
 */
export class Pattern<E, M = Record<never, never>, N extends string = string, T extends E = E> {
  private constructor(
    /** Every stage before the current one. */
    private readonly previous: Stages,
    private readonly current: StageSpec,
    readonly skipStrategy: AfterMatchSkipStrategy,
  ) {}

  /** Starts a pattern with a stage named `name`. */
  static begin<E, const N extends string = string>(
    name: N,
    skipStrategy: AfterMatchSkipStrategy = noSkip(),
  ): Pattern<E, { [K in N]: E }, N, E> {
    return new Pattern([], newStage(name, "strict"), skipStrategy);
  }

  /** Starts a pattern whose first stage is a group (another pattern, possibly quantified). */
  static beginGroup<E, GM>(
    group: Pattern<E, GM, any, any>,
    skipStrategy: AfterMatchSkipStrategy = noSkip(),
  ): Pattern<E, GM, never, E> {
    return new Pattern([], groupStage(group, "strict"), skipStrategy);
  }

  /** The stages, in order (groups nested). */
  get stages(): Stages {
    return [...this.previous, this.current];
  }

  /** Adds a condition; several are ANDed. The context sees the events already matched. */
  where(condition: Condition<T, M>): Pattern<E, M, N, T> {
    this.requireNamed("where");
    return this.withCurrent({
      condition: and(this.current.condition, condition as AnyCondition),
      description: joinDescription(this.current.description, "and", describe(condition)),
    });
  }

  /** ORs a condition with everything given so far for this stage. */
  or(condition: Condition<T, M>): Pattern<E, M, N, T> {
    this.requireNamed("or");
    const previous = this.current.condition;
    return this.withCurrent({
      condition:
        previous === undefined ? (condition as AnyCondition) : or(previous, condition as AnyCondition),
      description: joinDescription(this.current.description, "or", describe(condition)),
    });
  }

  /** Narrows the stage to events for which the guard holds; matches type them as U. */
  subtype<U extends T>(guard: (event: T) => event is U): Pattern<E, WithStage<M, N, U>, N, U> {
    this.requireNamed("subtype");
    const fn: AnyCondition = (event) => guard(event);
    return this.withCurrent({
      condition: and(this.current.condition, fn),
      description: joinDescription(this.current.description, "and", `subtype ${guard.name || "guard"}`),
    }) as unknown as Pattern<E, WithStage<M, N, U>, N, U>;
  }

  /** Loops only: an event that satisfies `condition` ends the loop and is not taken by it. */
  until(condition: Condition<T, M>): Pattern<E, M, N, T> {
    if (this.current.quantifier.kind !== "looping") {
      throw new MalformedPatternError(
        `until() on stage ${this.stageLabel()} needs a looping quantifier (oneOrMore or timesOrMore) before it`,
      );
    }
    if (this.current.until !== undefined) {
      throw new MalformedPatternError(`stage ${this.stageLabel()} already has an until() condition`);
    }
    return this.withCurrent({ until: condition as AnyCondition });
  }

  /**
   * Bounds the time of a match: "first-and-last" (default) from the first event of the partial
   * match to the current one, over the whole pattern (the smallest window declared wins);
   * "previous-and-current" from the event before this stage's event to it.
   */
  within(ms: number, type: WithinType = "first-and-last"): Pattern<E, M, N, T> {
    if (!Number.isFinite(ms) || ms <= 0) {
      throw new MalformedPatternError(`within() needs a positive, finite number of milliseconds, not ${ms}`);
    }
    return this.withCurrent(type === "first-and-last" ? { firstAndLast: ms } : { previousAndCurrent: ms });
  }

  // ---- quantifiers ------------------------------------------------------------------------

  /** One or more events (relaxed contiguity between them unless `consecutive()`). */
  oneOrMore(): Pattern<E, M, N, T> {
    return this.quantify("oneOrMore", "looping", 1, Number.POSITIVE_INFINITY);
  }

  /** At least `n` events. */
  timesOrMore(n: number): Pattern<E, M, N, T> {
    checkCount("timesOrMore", n, 1);
    return this.quantify("timesOrMore", "looping", n, Number.POSITIVE_INFINITY);
  }

  /** Exactly `n` events, or between `from` and `to` (`times(0, n)` is optional). */
  times(n: number, to?: number): Pattern<E, M, N, T> {
    if (to === undefined) {
      checkCount("times", n, 1);
      return this.quantify("times", "times", n, n);
    }
    checkCount("times", n, 0);
    checkCount("times", to, 1);
    if (to < n) throw new MalformedPatternError(`times(${n}, ${to}): the upper bound is below the lower one`);
    if (n === 0) return this.quantify("times", "times", 1, to).optional();
    return this.quantify("times", "times", n, to);
  }

  /** The stage may be skipped altogether. */
  optional(): Pattern<E, M, N, T> {
    this.requirePositive("optional");
    if (this.current.quantifier.optional)
      throw new MalformedPatternError(`stage ${this.stageLabel()} is already optional`);
    const before = this.previous.at(-1);
    if (before?.quantifier.greedy) {
      throw new MalformedPatternError(
        `optional stage ${this.stageLabel()} cannot follow the greedy stage ${before.name}: a greedy loop never hands an event to an optional stage`,
      );
    }
    return this.withQuantifier({ optional: true });
  }

  /** A loop takes every event it can before the next stage gets one. */
  greedy(): Pattern<E, M, N, T> {
    this.requirePositive("greedy");
    if (this.current.group !== undefined)
      throw new MalformedPatternError("greedy() does not apply to a group");
    const q = this.current.quantifier;
    if (q.kind === "single")
      throw new MalformedPatternError(`greedy() on stage ${this.stageLabel()} needs a quantifier before it`);
    if (q.inner === "skip-till-any") {
      throw new MalformedPatternError(
        `greedy() and allowCombinations() exclude each other (stage ${this.stageLabel()})`,
      );
    }
    return this.withQuantifier({ greedy: true });
  }

  /** Strict contiguity between the events of a loop. */
  consecutive(): Pattern<E, M, N, T> {
    const q = this.current.quantifier;
    if (q.kind === "single")
      throw new MalformedPatternError(
        `consecutive() on stage ${this.stageLabel()} needs a quantifier before it`,
      );
    if (q.inner === "skip-till-any")
      throw new MalformedPatternError("consecutive() and allowCombinations() exclude each other");
    if (q.inner === "strict")
      throw new MalformedPatternError(`stage ${this.stageLabel()} is already consecutive`);
    return this.withQuantifier({ inner: "strict" });
  }

  /** Non-deterministic relaxed contiguity between the events of a loop: every combination. */
  allowCombinations(): Pattern<E, M, N, T> {
    const q = this.current.quantifier;
    if (q.kind === "single") {
      throw new MalformedPatternError(
        `allowCombinations() on stage ${this.stageLabel()} needs a quantifier before it`,
      );
    }
    if (q.inner === "strict")
      throw new MalformedPatternError("consecutive() and allowCombinations() exclude each other");
    if (q.inner === "skip-till-any")
      throw new MalformedPatternError(`stage ${this.stageLabel()} already allows combinations`);
    if (q.greedy) throw new MalformedPatternError("greedy() and allowCombinations() exclude each other");
    return this.withQuantifier({ inner: "skip-till-any" });
  }

  // ---- next stages ------------------------------------------------------------------------

  /** Strict contiguity: the very next event must match. */
  next<const K extends string>(name: K): Pattern<E, M & { [P in K]: E }, K, E> {
    return this.append(newStage(name, "strict"));
  }

  /** Relaxed contiguity: skips non-matching events, takes the first matching one. */
  followedBy<const K extends string>(name: K): Pattern<E, M & { [P in K]: E }, K, E> {
    return this.append(newStage(name, "skip-till-next"));
  }

  /** Non-deterministic relaxed contiguity: a branch for every later matching event. */
  followedByAny<const K extends string>(name: K): Pattern<E, M & { [P in K]: E }, K, E> {
    return this.append(newStage(name, "skip-till-any"));
  }

  /** The very next event must not match this stage's condition. */
  notNext(name: string): Pattern<E, M, never, E> {
    this.requireNoOptionalBeforeNot("notNext");
    return this.append(newStage(name, "not-next"));
  }

  /** No event matching this stage's condition may occur before the next positive stage. */
  notFollowedBy(name: string): Pattern<E, M, never, E> {
    this.requireNoOptionalBeforeNot("notFollowedBy");
    return this.append(newStage(name, "not-follow"));
  }

  nextGroup<GM>(group: Pattern<E, GM, any, any>): Pattern<E, M & GM, never, E> {
    return this.append(groupStage(group, "strict"));
  }

  followedByGroup<GM>(group: Pattern<E, GM, any, any>): Pattern<E, M & GM, never, E> {
    return this.append(groupStage(group, "skip-till-next"));
  }

  followedByAnyGroup<GM>(group: Pattern<E, GM, any, any>): Pattern<E, M & GM, never, E> {
    return this.append(groupStage(group, "skip-till-any"));
  }

  /** The same stages with another after-match skip strategy. */
  withSkipStrategy(strategy: AfterMatchSkipStrategy): Pattern<E, M, N, T> {
    return new Pattern(this.previous, this.current, strategy);
  }

  toString(): string {
    return describeStages(this.stages);
  }

  // ---- internals ----------------------------------------------------------------------------

  private append<R>(stage: StageSpec): R {
    return new Pattern<E>([...this.previous, this.current], stage, this.skipStrategy) as R;
  }

  private withCurrent(change: Partial<StageSpec>): Pattern<E, M, N, T> {
    return new Pattern(this.previous, { ...this.current, ...change }, this.skipStrategy);
  }

  private withQuantifier(change: Partial<Quantifier>): Pattern<E, M, N, T> {
    return this.withCurrent({ quantifier: { ...this.current.quantifier, ...change } });
  }

  private quantify(method: string, kind: "times" | "looping", from: number, to: number): Pattern<E, M, N, T> {
    this.requirePositive(method);
    if (this.current.quantifier.kind !== "single" || this.current.quantifier.optional) {
      throw new MalformedPatternError(
        `stage ${this.stageLabel()} already has a quantifier; ${method}() must come first (before optional, greedy, consecutive)`,
      );
    }
    return this.withQuantifier({ kind, from, to });
  }

  private requireNamed(method: string): void {
    if (this.current.group !== undefined) {
      throw new MalformedPatternError(
        `${method}() does not apply to a group: put conditions on the group's stages`,
      );
    }
  }

  private requirePositive(method: string): void {
    const c = this.current.consuming;
    if (c === "not-next" || c === "not-follow") {
      throw new MalformedPatternError(`${method}() does not apply to the negated stage ${this.stageLabel()}`);
    }
  }

  private requireNoOptionalBeforeNot(method: string): void {
    if (this.current.quantifier.optional) {
      throw new MalformedPatternError(
        `${method}() cannot follow the optional stage ${this.stageLabel()}: write two patterns, one with and one without the optional stage`,
      );
    }
  }

  private stageLabel(): string {
    return this.current.name === undefined ? "(group)" : `"${this.current.name}"`;
  }
}

function newStage(name: string, consuming: Consuming): StageSpec {
  if (typeof name !== "string" || name.length === 0)
    throw new MalformedPatternError("a stage needs a non-empty name");
  if (name.includes(":"))
    throw new MalformedPatternError(`stage name "${name}" contains ":", which is reserved`);
  return {
    name,
    consuming,
    quantifier: SINGLE,
    condition: undefined,
    until: undefined,
    group: undefined,
    previousAndCurrent: undefined,
    firstAndLast: undefined,
    description: "true",
  };
}

function groupStage(group: Pattern<any, any, any, any>, consuming: Consuming): StageSpec {
  const stages = group.stages;
  return {
    name: undefined,
    consuming,
    quantifier: SINGLE,
    condition: undefined,
    until: undefined,
    group: stages,
    previousAndCurrent: undefined,
    firstAndLast: undefined,
    description: `(${describeStages(stages)})`,
  };
}

function checkCount(method: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) {
    throw new MalformedPatternError(`${method}() needs an integer of at least ${min}, not ${n}`);
  }
}

function and(a: AnyCondition | undefined, b: AnyCondition): AnyCondition {
  if (a === undefined) return b;
  return (event, context) => a(event, context) && b(event, context);
}

function or(a: AnyCondition, b: AnyCondition): AnyCondition {
  return (event, context) => a(event, context) || b(event, context);
}

function describe(fn: (...args: any[]) => unknown): string {
  const text = fn.toString().replace(/\s+/g, " ");
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function joinDescription(current: string, op: "and" | "or", next: string): string {
  if (current === "true") return next;
  return op === "and" ? `${current} && ${next}` : `(${current}) || ${next}`;
}

/**
 * Compiles a pattern into an NFA whose states have TAKE, IGNORE and PROCEED edges, the way
 * FlinkCEP's NFACompiler shapes it (so matches are FlinkCEP's): the graph is built from the last
 * stage backwards, each stage becoming one or more states:
 *
 * - a single stage: a state that TAKEs a matching event into the next stage's state and, under
 *   relaxed contiguity, IGNOREs events it would not take (under any-contiguity, every event);
 * - times(n, m): n mandatory states and m - n optional ones, each able to PROCEED to the sink;
 * - a loop: a looping state that TAKEs into itself and PROCEEDs to the sink;
 * - optional: a PROCEED edge that bypasses the stage (and a separate ignore state, so that every
 *   PROCEED branch is created once);
 * - greedy: the sink's edges are ANDed with "not taken by the loop";
 * - notNext: a state whose PROCEED on the negated condition leads to a STOP state, which
 *   discards the partial match; notFollowedBy: STOP edges on the states before the next positive
 *   stage; at the end of a pattern, a PENDING state released as a match when the window passes;
 * - groups: the inner pattern compiled in place (looped groups through a dummy state).
 *
 * Edges carry plain functions; the compiled NFA holds no per-key data and is shared by all keys.
 */
import {
  type AnyCondition,
  MalformedPatternError,
  type Pattern,
  type StageSpec,
  stageNames,
} from "./pattern.ts";
import type { AfterMatchSkipStrategy } from "./skip-strategy.ts";

export enum Action {
  Take = 0,
  Ignore = 1,
  Proceed = 2,
}

export type StateType = "start" | "normal" | "final" | "stop" | "pending";

export interface NfaEdge {
  readonly action: Action;
  readonly source: NfaState;
  readonly target: NfaState;
  /** undefined = always. */
  condition: AnyCondition | undefined;
}

export interface NfaState {
  /** Index in CompiledNfa.states: what partial matches in keyed state refer to. */
  readonly index: number;
  /** Unique internal name (stage name, with ":n" for the copies). */
  readonly name: string;
  /** The stage whose events this state takes (the name that appears in matches). */
  readonly stage: string;
  type: StateType;
  readonly edges: NfaEdge[];
  /** within(d, "previous-and-current") of the stage, for states that take its events. */
  previousAndCurrent: number | undefined;
}

export interface CompiledNfa {
  readonly states: readonly NfaState[];
  readonly start: NfaState;
  /** within(d) over the whole pattern (first to last event); 0 = none. */
  readonly windowTime: number;
  readonly skipStrategy: AfterMatchSkipStrategy;
  /** Positive stage names, in order: every match has one entry per name. */
  readonly stageNames: readonly string[];
  /** Identifies the compiled graph: partial matches in a checkpoint only fit the same graph. */
  readonly fingerprint: string;
  /** The pattern as text. */
  readonly description: string;
}

export const ENDING_STATE = "$end$";

const TRUE: AnyCondition | undefined = undefined;

/**
 * The negation of a condition. It carries the condition it negates, so that the NFA, which often
 * tests both (a relaxed stage's TAKE and its IGNORE), evaluates the user's function once.
 */
export function not(c: AnyCondition | undefined): AnyCondition {
  if (c === undefined) return () => false;
  const negation: AnyCondition & { negates?: AnyCondition } = (event, context) => !c(event, context);
  negation.negates = c;
  return negation;
}

function andAll(a: AnyCondition | undefined, b: AnyCondition | undefined): AnyCondition | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return (event, context) => a(event, context) && b(event, context);
}

/** Where the compiler is: a stage list, the current stage in it, its group, the stage after it. */
interface Frame {
  readonly list: readonly StageSpec[];
  readonly index: number;
  readonly group: StageSpec | undefined;
  readonly following: StageSpec | undefined;
}

/** Compiles `pattern`; throws MalformedPatternError for patterns that cannot work. */
export function compilePattern(pattern: Pattern<any, any, any, any>): CompiledNfa {
  return new Compiler(pattern.stages, pattern.skipStrategy, pattern.toString()).compile();
}

class Compiler {
  private readonly states: NfaState[] = [];
  private readonly stopStates = new Map<string, NfaState>();
  private readonly nameCounts = new Map<string, number>();
  private readonly originalStateMap = new Map<string, NfaState>();
  private readonly firstOfLoop = new Map<StageSpec, boolean>();
  private windowTime = 0;
  private groupCounter = 0;
  /** The separate ignore state the last createSingletonState made, if any. */
  private lastIgnoreState: NfaState | undefined;
  /** The frames of the groups being compiled, outermost first. */
  private readonly frames: Frame[] = [];

  // The traversal position: the list being compiled, the index of the current stage in it, the
  // group that list belongs to (undefined at the top level), and the stage after the current one.
  private list: readonly StageSpec[];
  private index: number;
  private group: StageSpec | undefined;
  private following: StageSpec | undefined;

  constructor(
    private readonly stages: readonly StageSpec[],
    private readonly skipStrategy: AfterMatchSkipStrategy,
    private readonly description: string,
  ) {
    this.list = stages;
    this.index = stages.length - 1;
  }

  compile(): CompiledNfa {
    if (this.stages.length === 0) throw new MalformedPatternError("a pattern needs at least one stage");
    this.checkNames();
    this.checkSkipStrategy();
    this.windowTime = minFirstAndLast(this.stages);
    this.checkWindows(this.stages);
    const last = this.stages[this.stages.length - 1];
    if (last.consuming === "not-follow" && this.windowTime === 0 && last.previousAndCurrent === undefined) {
      throw new MalformedPatternError(
        `notFollowedBy("${last.name}") ends the pattern, so it needs within(): without a window the absence is never confirmed and no match is ever released`,
      );
    }
    if (this.stages.length === 1 && (last.consuming === "not-next" || last.consuming === "not-follow")) {
      throw new MalformedPatternError("a pattern cannot begin with a negated stage");
    }

    let sink = this.createState(ENDING_STATE, ENDING_STATE, "final");
    sink = this.createMiddleStates(sink);
    const start = this.convertStage(sink);
    start.type = "start";

    const names = stageNames(this.stages);
    return {
      states: this.states,
      start,
      windowTime: this.windowTime,
      skipStrategy: effectiveSkipStrategy(this.stages, this.skipStrategy),
      stageNames: names,
      fingerprint: fingerprint(this.states, this.windowTime),
      description: this.description,
    };
  }

  // ---- checks -------------------------------------------------------------------------------

  private checkNames(): void {
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
          throw new MalformedPatternError(
            `the stage name "${name}" is used twice; stage names must be unique`,
          );
        seen.add(name);
      }
    };
    visit(this.stages);
  }

  private checkSkipStrategy(): void {
    const s = this.skipStrategy;
    if (s.kind === "skip-to-first" || s.kind === "skip-to-last") {
      if (!stageNames(this.stages).includes(s.stage)) {
        throw new MalformedPatternError(
          `the after-match skip strategy names the stage "${s.stage}", which is not a positive stage of the pattern`,
        );
      }
    }
  }

  private checkWindows(list: readonly StageSpec[]): void {
    for (const s of list) {
      if (s.group !== undefined) this.checkWindows(s.group);
      if (
        this.windowTime > 0 &&
        s.previousAndCurrent !== undefined &&
        s.previousAndCurrent > this.windowTime
      ) {
        throw new MalformedPatternError(
          `stage "${s.name}" has within(${s.previousAndCurrent}, "previous-and-current"), longer than the pattern's within(${this.windowTime}): the gap between two events cannot exceed the whole match's window`,
        );
      }
    }
  }

  // ---- traversal ----------------------------------------------------------------------------

  private get current(): StageSpec {
    return this.list[this.index];
  }

  /** States for every stage of the current list but its first, from the last one backwards. */
  private createMiddleStates(sink: NfaState): NfaState {
    let lastSink = sink;
    while (this.index > 0) {
      const current = this.current;
      if (current.consuming === "not-follow") {
        // A notFollowedBy becomes STOP edges on the states before the next positive stage; at the
        // end of the pattern (bounded by a window) it is a PENDING state released on timeout.
        if (lastSink.type === "final" && (current.previousAndCurrent !== undefined || this.windowTime > 0)) {
          const pending = this.createStageState("pending", true);
          const notCondition = this.takeCondition(current);
          const stop = this.createStopState(notCondition, current.name as string);
          this.addEdge(pending, Action.Proceed, stop, notCondition);
          this.addEdge(pending, Action.Ignore, pending, not(notCondition));
          lastSink = pending;
        }
      } else if (current.consuming === "not-next") {
        const notNext = this.createStageState("normal", true);
        const notCondition = this.takeCondition(current);
        const stop = this.createStopState(notCondition, current.name as string);
        if (lastSink.type === "final") {
          // an IGNORE, so that reaching the final state does not happen on this very event
          this.addEdge(notNext, Action.Ignore, lastSink, not(notCondition));
        } else {
          this.addEdge(notNext, Action.Proceed, lastSink, not(notCondition));
        }
        this.addEdge(notNext, Action.Proceed, stop, notCondition);
        lastSink = notNext;
      } else {
        lastSink = this.convertStage(lastSink);
      }
      this.following = current;
      this.index--;
    }
    return lastSink;
  }

  private convertStage(sink: NfaState): NfaState {
    const current = this.current;
    const q = current.quantifier;
    let lastSink: NfaState;
    if (q.kind === "looping") {
      this.setFirstOfLoop(false);
      const loopSink = this.copyWithoutTransitiveNots(sink);
      const looping = this.createLooping(loopSink, sink);
      this.setFirstOfLoop(true);
      lastSink = this.createTimesState(looping, sink, q.from, q.from);
    } else if (q.kind === "times") {
      lastSink = this.createTimesState(sink, sink, q.from, q.to);
    } else {
      lastSink = this.createSingletonState(
        sink,
        sink,
        this.takeCondition(current),
        this.ignoreCondition(current),
        q.optional,
      );
    }
    this.addStopStates(lastSink);
    return lastSink;
  }

  /** The not-conditions in force at the current stage: notFollowedBys reachable backwards through optional stages. */
  private currentNotConditions(): Array<{ condition: AnyCondition | undefined; name: string }> {
    const result: Array<{ condition: AnyCondition | undefined; name: string }> = [];
    let list = this.list;
    let i = this.index;
    let depth = this.frames.length;
    for (;;) {
      let blocked = false;
      while (i > 0) {
        const previous = list[i - 1];
        if (!(previous.quantifier.optional || previous.consuming === "not-follow")) {
          blocked = true;
          break;
        }
        i--;
        if (previous.consuming === "not-follow") {
          result.push({ condition: this.takeCondition(previous), name: previous.name as string });
        }
      }
      // eddy: at the head of a group's first iteration the notFollowedBys before the group still
      // apply (FlinkCEP stops at the group's border, so an optional group's ignore state missed them)
      if (blocked || depth === 0 || !this.isFirstOfLoop()) break;
      depth--;
      list = this.frames[depth].list;
      i = this.frames[depth].index;
    }
    return result;
  }

  /**
   * A copy of `sink` without the STOP edges of the notFollowedBys before an optional stage: once
   * the optional stage took an event, the earlier notFollowedBy no longer applies.
   */
  private copyWithoutTransitiveNots(sink: NfaState): NfaState {
    const nots = this.currentNotConditions();
    if (nots.length === 0 || !this.current.quantifier.optional) return sink;
    const copy = this.createState(sink.stage, sink.stage, sink.type);
    copy.previousAndCurrent = sink.previousAndCurrent;
    for (const edge of sink.edges) {
      if (edge.action === Action.Proceed) {
        let target = edge.target;
        let remove = false;
        if (target.type === "stop") {
          remove = nots.some((n) => n.name === target.stage);
        } else {
          target = this.copyWithoutTransitiveNots(target);
        }
        if (!remove) this.addEdge(copy, Action.Proceed, target, edge.condition);
      } else {
        this.addEdge(copy, edge.action, edge.target === edge.source ? copy : edge.target, edge.condition);
      }
    }
    return copy;
  }

  private copy(state: NfaState): NfaState {
    const copy = this.createState(state.stage, state.stage, state.type);
    copy.previousAndCurrent = state.previousAndCurrent;
    for (const edge of state.edges) {
      this.addEdge(copy, edge.action, edge.target === edge.source ? copy : edge.target, edge.condition);
    }
    return copy;
  }

  private addStopStates(state: NfaState): void {
    for (const not of this.currentNotConditions()) {
      const stop = this.createStopState(not.condition, not.name);
      if (!state.edges.some((e) => e.action === Action.Proceed && e.target === stop)) {
        this.addEdge(state, Action.Proceed, stop, not.condition);
      }
    }
  }

  private addStopStateToLooping(state: NfaState): void {
    const following = this.following;
    if (following !== undefined && following.consuming === "not-follow") {
      const condition = this.takeCondition(following);
      const stop = this.createStopState(condition, following.name as string);
      this.addEdge(state, Action.Proceed, stop, condition);
    }
  }

  private createTimesState(sink: NfaState, proceedState: NfaState, from: number, to: number): NfaState {
    const current = this.current;
    let lastSink = sink;
    this.setFirstOfLoop(false);
    const until = current.until;
    const innerIgnore = extendIgnore(this.innerIgnoreCondition(current), until);
    const take = extendTake(this.takeCondition(current), until);
    if (current.quantifier.greedy && from !== to) {
      if (until !== undefined) this.originalStateMap.set(sink.name, this.copy(sink));
      this.updateWithGreedyCondition(sink, take);
    }
    for (let i = from; i < to; i++) {
      lastSink = this.createSingletonState(lastSink, proceedState, take, innerIgnore, true, true);
      this.addStopStateToLooping(lastSink);
      // eddy: FlinkCEP leaves the optional iteration's ignore state without it, so a negated
      // event after a skipped one would not kill the partial match
      if (this.lastIgnoreState !== undefined) this.addStopStateToLooping(this.lastIgnoreState);
    }
    for (let i = 0; i < from - 1; i++) {
      lastSink = this.createSingletonState(lastSink, undefined, take, innerIgnore, false, true);
      this.addStopStateToLooping(lastSink);
    }
    this.setFirstOfLoop(true);
    return this.createSingletonState(
      lastSink,
      proceedState,
      take,
      this.ignoreCondition(current),
      current.quantifier.optional,
    );
  }

  private createSingletonState(
    sink: NfaState,
    proceedState: NfaState | undefined,
    take: AnyCondition | undefined,
    ignore: AnyCondition | undefined | null,
    isOptional: boolean,
    /** A second or later event of a times/looping stage: notFollowedBys before the stage no longer apply. */
    laterIteration = false,
  ): NfaState {
    const current = this.current;
    this.lastIgnoreState = undefined;
    if (current.group !== undefined) return this.createGroupState(current, sink, proceedState, isOptional);

    const singleton = this.createStageState("normal", true);
    const takeSink = this.copyWithoutTransitiveNots(sink);
    this.addEdge(singleton, Action.Take, takeSink, take);

    const proceedCondition = this.trueCondition();
    if (isOptional) {
      if (proceedState === undefined) throw new Error("internal: optional state without a proceed target");
      if (current.quantifier.greedy) {
        const until = current.until;
        if (until !== undefined) {
          const original = this.originalStateMap.get(proceedState.name);
          if (original !== undefined)
            this.addEdge(singleton, Action.Proceed, original, andAll(proceedCondition, until));
        }
        this.addEdge(
          singleton,
          Action.Proceed,
          proceedState,
          until !== undefined ? andAll(proceedCondition, not(until)) : proceedCondition,
        );
      } else {
        this.addEdge(singleton, Action.Proceed, proceedState, proceedCondition);
      }
    }

    if (ignore !== null) {
      // A state that may PROCEED elsewhere ignores into a copy without that edge, so that a skipped
      // event cannot be followed by a move the skipped event ruled out (FlinkCEP does this for
      // optional stages; eddy also for the head of a group's second and later iterations, whose
      // PROCEED leaves the group).
      const laterGroupIteration = this.isHeadOfGroup(this.index) && !this.isFirstOfLoop();
      let ignoreState: NfaState;
      if (isOptional || this.isHeadOfOptionalGroup(this.index) || laterGroupIteration) {
        ignoreState = this.createStageState("normal", false);
        this.addEdge(ignoreState, Action.Take, takeSink, take);
        this.addEdge(ignoreState, Action.Ignore, ignoreState, ignore);
        if (!laterIteration && !laterGroupIteration) this.addStopStates(ignoreState);
        this.lastIgnoreState = ignoreState;
      } else {
        ignoreState = singleton;
      }
      this.addEdge(singleton, Action.Ignore, ignoreState, ignore);
    }
    return singleton;
  }

  /** A group stage: its inner stages compiled in place, in front of `sink`. */
  private createGroupState(
    spec: StageSpec,
    sink: NfaState,
    proceedState: NfaState | undefined,
    isOptional: boolean,
  ): NfaState {
    const proceedCondition = this.trueCondition();
    const saved = this.saveFrame();
    this.enterGroup(spec);
    let lastSink = this.createMiddleStates(sink);
    lastSink = this.convertStage(lastSink);
    if (isOptional) {
      if (proceedState === undefined) throw new Error("internal: optional group without a proceed target");
      this.addEdge(lastSink, Action.Proceed, proceedState, proceedCondition);
    }
    this.restoreFrame(saved);
    return lastSink;
  }

  private createLoopingGroupState(spec: StageSpec, sink: NfaState): NfaState {
    const proceedCondition = this.trueCondition();
    const saved = this.saveFrame();
    const dummyName = `$group${this.groupCounter++}$`;
    const dummy = this.createState(dummyName, dummyName, "normal");
    this.enterGroup(spec);
    let lastSink = this.createMiddleStates(dummy);
    lastSink = this.convertStage(lastSink);
    this.addEdge(lastSink, Action.Proceed, sink, proceedCondition);
    this.addEdge(dummy, Action.Proceed, lastSink, proceedCondition);
    this.restoreFrame(saved);
    return lastSink;
  }

  /** `original`: the sink before copyWithoutTransitiveNots (skipping an optional loop leads there). */
  private createLooping(sink: NfaState, original: NfaState): NfaState {
    const current = this.current;
    if (current.group !== undefined) return this.createLoopingGroupState(current, sink);
    const until = current.until;
    const ignore = extendIgnore(this.innerIgnoreCondition(current), until);
    const take = extendTake(this.takeCondition(current), until);
    const proceedCondition = this.trueCondition();
    const looping = this.createStageState("normal", true);
    if (current.quantifier.greedy) {
      if (until !== undefined) {
        const sinkCopy = this.copy(sink);
        this.addEdge(looping, Action.Proceed, sinkCopy, andAll(proceedCondition, until));
        this.originalStateMap.set(sink.name, sinkCopy);
        if (original !== sink) this.originalStateMap.set(original.name, this.copy(original));
      }
      this.addEdge(
        looping,
        Action.Proceed,
        sink,
        until !== undefined ? andAll(proceedCondition, not(until)) : proceedCondition,
      );
      this.updateWithGreedyCondition(sink, this.takeCondition(current));
      // eddy: also where skipping the optional loop leads (FlinkCEP restricts only the copy)
      if (original !== sink) this.updateWithGreedyCondition(original, this.takeCondition(current));
    } else {
      this.addEdge(looping, Action.Proceed, sink, proceedCondition);
    }
    this.addEdge(looping, Action.Take, looping, take);
    this.addStopStateToLooping(looping);
    if (ignore !== null) {
      const ignoreState = this.createStageState("normal", false);
      this.addEdge(ignoreState, Action.Take, looping, take);
      this.addEdge(ignoreState, Action.Ignore, ignoreState, ignore);
      this.addEdge(looping, Action.Ignore, ignoreState, ignore);
      this.addStopStateToLooping(ignoreState);
    }
    return looping;
  }

  private updateWithGreedyCondition(state: NfaState, take: AnyCondition | undefined): void {
    const notTaken = not(take);
    for (const edge of state.edges) edge.condition = andAll(edge.condition, notTaken);
  }

  // ---- conditions -----------------------------------------------------------------------------

  private groupUntil(): AnyCondition | undefined {
    return this.group?.until;
  }

  private takeCondition(stage: StageSpec): AnyCondition | undefined {
    return extendTake(stage.condition, this.groupUntil());
  }

  private trueCondition(): AnyCondition | undefined {
    const until = this.groupUntil();
    return extendTake(TRUE, until);
  }

  /** null = no IGNORE edge (strict contiguity). */
  private ignoreFor(strategy: string, stage: StageSpec): AnyCondition | undefined | null {
    let ignore: AnyCondition | undefined | null;
    if (strategy === "strict") ignore = null;
    else if (strategy === "skip-till-next") ignore = not(stage.condition);
    else ignore = TRUE;
    const until = this.groupUntil();
    return extendIgnore(ignore, until);
  }

  private innerIgnoreCondition(stage: StageSpec): AnyCondition | undefined | null {
    let strategy: string = stage.quantifier.inner;
    if (this.isHeadOfGroup(this.index) && this.group !== undefined) strategy = this.group.quantifier.inner;
    return this.ignoreFor(strategy, stage);
  }

  private ignoreCondition(stage: StageSpec): AnyCondition | undefined | null {
    let strategy: string = stage.consuming;
    if (this.isHeadOfGroup(this.index) && this.group !== undefined) {
      strategy = this.isFirstOfLoop() ? this.group.consuming : this.group.quantifier.inner;
    }
    return this.ignoreFor(strategy, stage);
  }

  private isHeadOfGroup(index: number): boolean {
    return this.group !== undefined && index === 0;
  }

  private isFirstOfLoop(): boolean {
    if (this.group === undefined) return true;
    return this.firstOfLoop.get(this.group) ?? true;
  }

  private isHeadOfOptionalGroup(index: number): boolean {
    if (!this.isHeadOfGroup(index)) return false;
    return this.isFirstOfLoop() && (this.group as StageSpec).quantifier.optional;
  }

  private setFirstOfLoop(value: boolean): void {
    const current = this.current;
    if (current.group !== undefined) this.firstOfLoop.set(current, value);
  }

  // ---- frames and states ----------------------------------------------------------------------

  private saveFrame(): Frame {
    const frame: Frame = { list: this.list, index: this.index, group: this.group, following: this.following };
    this.frames.push(frame);
    return frame;
  }

  private restoreFrame(frame: Frame): void {
    this.frames.pop();
    this.list = frame.list;
    this.index = frame.index;
    this.group = frame.group;
    this.following = frame.following;
  }

  private enterGroup(spec: StageSpec): void {
    this.group = spec;
    this.list = spec.group as readonly StageSpec[];
    this.index = this.list.length - 1;
    this.following = undefined;
  }

  /** A state of the current stage; `takes` = it takes the stage's events (windows apply). */
  private createStageState(type: StateType, takes: boolean): NfaState {
    const current = this.current;
    const stage = current.name ?? `$group${this.groupCounter++}$`;
    const state = this.createState(stage, stage, type);
    if (takes && current.previousAndCurrent !== undefined)
      state.previousAndCurrent = current.previousAndCurrent;
    return state;
  }

  private createState(name: string, stage: string, type: StateType): NfaState {
    const count = this.nameCounts.get(name) ?? 0;
    this.nameCounts.set(name, count + 1);
    const state: NfaState = {
      index: this.states.length,
      name: count === 0 ? name : `${name}:${count}`,
      stage,
      type,
      edges: [],
      previousAndCurrent: undefined,
    };
    this.states.push(state);
    return state;
  }

  private createStopState(condition: AnyCondition | undefined, name: string): NfaState {
    let stop = this.stopStates.get(name);
    if (stop === undefined) {
      stop = this.createState(`${name}$stop`, name, "stop");
      this.addEdge(stop, Action.Take, stop, condition);
      this.stopStates.set(name, stop);
    }
    return stop;
  }

  private addEdge(
    source: NfaState,
    action: Action,
    target: NfaState,
    condition: AnyCondition | undefined,
  ): void {
    source.edges.push({ action, source, target, condition });
  }
}

/** A take (or proceed) condition that also requires the loop's `until` not to hold. */
function extendTake(
  condition: AnyCondition | undefined,
  until: AnyCondition | undefined,
): AnyCondition | undefined {
  return until === undefined ? condition : andAll(not(until), condition);
}

/** An ignore condition (null = no IGNORE edge) that also requires `until` not to hold. */
function extendIgnore(
  condition: AnyCondition | undefined | null,
  until: AnyCondition | undefined,
): AnyCondition | undefined | null {
  return until === undefined || condition === null ? condition : andAll(not(until), condition);
}

/**
 * skipToFirst(s) where s is the pattern's first stage (not optional, not in a group) always
 * skips to the match's own first event, which discards nothing: it is noSkip, and runs as noSkip
 * (matches are not held back for earlier partial matches).
 */
function effectiveSkipStrategy(
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

function minFirstAndLast(list: readonly StageSpec[]): number {
  let min = 0;
  for (const s of list) {
    const inner = s.group !== undefined ? minFirstAndLast(s.group) : 0;
    for (const w of [s.firstAndLast ?? 0, inner]) if (w > 0 && (min === 0 || w < min)) min = w;
  }
  return min;
}

/** A short hash of the graph's shape (states, edges, windows): kept with every key's partial matches. */
function fingerprint(states: readonly NfaState[], windowTime: number): string {
  const parts = states.map(
    (s) =>
      `${s.name}/${s.type}/${s.previousAndCurrent ?? ""}[${s.edges.map((e) => `${e.action}>${e.target.index}`).join(",")}]`,
  );
  const text = `${windowTime}|${parts.join(";")}`;
  // two 32-bit FNV-1a hashes with different offsets: 64 bits, compared in one go per record
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h2 >>> 13);
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}

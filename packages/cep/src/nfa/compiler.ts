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
 * The checks before compiling are in validate-pattern.ts, the graph's bookkeeping (state names,
 * STOP states) in nfa-builder.ts.
 */
import type { Pattern } from "../pattern/pattern.ts";
import type { AfterMatchSkipStrategy } from "../pattern/skip-strategy.ts";
import { type AnyCondition, type StageSpec, stageNames } from "../pattern/stage-spec.ts";
import { effectiveSkipStrategy } from "./after-match.ts";
import { Action, type CompiledNfa, ENDING_STATE, type NfaState, type StateType } from "./compiled-nfa.ts";
import { andAll, extendIgnore, extendTake, not, TRUE } from "./edge-conditions.ts";
import { fingerprint } from "./fingerprint.ts";
import { NfaBuilder } from "./nfa-builder.ts";
import { patternWindow, validatePattern } from "./validate-pattern.ts";

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
  private readonly graph = new NfaBuilder();
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
    this.windowTime = patternWindow(this.stages);
    validatePattern(this.stages, this.skipStrategy, this.windowTime);

    let sink = this.graph.createState(ENDING_STATE, ENDING_STATE, "final");
    sink = this.createMiddleStates(sink);
    const start = this.convertStage(sink);
    start.type = "start";

    const names = stageNames(this.stages);
    return {
      states: this.graph.states,
      start,
      windowTime: this.windowTime,
      skipStrategy: effectiveSkipStrategy(this.stages, this.skipStrategy),
      stageNames: names,
      fingerprint: fingerprint(this.graph.states, this.windowTime),
      description: this.description,
    };
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
          const stop = this.graph.createStopState(notCondition, current.name as string);
          this.graph.addEdge(pending, Action.Proceed, stop, notCondition);
          this.graph.addEdge(pending, Action.Ignore, pending, not(notCondition));
          lastSink = pending;
        }
      } else if (current.consuming === "not-next") {
        const notNext = this.createStageState("normal", true);
        const notCondition = this.takeCondition(current);
        const stop = this.graph.createStopState(notCondition, current.name as string);
        if (lastSink.type === "final") {
          // an IGNORE, so that reaching the final state does not happen on this very event
          this.graph.addEdge(notNext, Action.Ignore, lastSink, not(notCondition));
        } else {
          this.graph.addEdge(notNext, Action.Proceed, lastSink, not(notCondition));
        }
        this.graph.addEdge(notNext, Action.Proceed, stop, notCondition);
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
    const copy = this.graph.createState(sink.stage, sink.stage, sink.type);
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
        if (!remove) this.graph.addEdge(copy, Action.Proceed, target, edge.condition);
      } else {
        this.graph.addEdge(
          copy,
          edge.action,
          edge.target === edge.source ? copy : edge.target,
          edge.condition,
        );
      }
    }
    return copy;
  }

  private addStopStates(state: NfaState): void {
    for (const not of this.currentNotConditions()) {
      const stop = this.graph.createStopState(not.condition, not.name);
      if (!state.edges.some((e) => e.action === Action.Proceed && e.target === stop)) {
        this.graph.addEdge(state, Action.Proceed, stop, not.condition);
      }
    }
  }

  private addStopStateToLooping(state: NfaState): void {
    const following = this.following;
    if (following !== undefined && following.consuming === "not-follow") {
      const condition = this.takeCondition(following);
      const stop = this.graph.createStopState(condition, following.name as string);
      this.graph.addEdge(state, Action.Proceed, stop, condition);
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
      if (until !== undefined) this.originalStateMap.set(sink.name, this.graph.copy(sink));
      this.graph.updateWithGreedyCondition(sink, take);
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
    this.graph.addEdge(singleton, Action.Take, takeSink, take);

    const proceedCondition = this.trueCondition();
    if (isOptional) {
      if (proceedState === undefined) throw new Error("internal: optional state without a proceed target");
      if (current.quantifier.greedy) {
        const until = current.until;
        if (until !== undefined) {
          const original = this.originalStateMap.get(proceedState.name);
          if (original !== undefined)
            this.graph.addEdge(singleton, Action.Proceed, original, andAll(proceedCondition, until));
        }
        this.graph.addEdge(
          singleton,
          Action.Proceed,
          proceedState,
          until !== undefined ? andAll(proceedCondition, not(until)) : proceedCondition,
        );
      } else {
        this.graph.addEdge(singleton, Action.Proceed, proceedState, proceedCondition);
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
        this.graph.addEdge(ignoreState, Action.Take, takeSink, take);
        this.graph.addEdge(ignoreState, Action.Ignore, ignoreState, ignore);
        if (!laterIteration && !laterGroupIteration) this.addStopStates(ignoreState);
        this.lastIgnoreState = ignoreState;
      } else {
        ignoreState = singleton;
      }
      this.graph.addEdge(singleton, Action.Ignore, ignoreState, ignore);
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
      this.graph.addEdge(lastSink, Action.Proceed, proceedState, proceedCondition);
    }
    this.restoreFrame(saved);
    return lastSink;
  }

  private createLoopingGroupState(spec: StageSpec, sink: NfaState): NfaState {
    const proceedCondition = this.trueCondition();
    const saved = this.saveFrame();
    const dummyName = `$group${this.groupCounter++}$`;
    const dummy = this.graph.createState(dummyName, dummyName, "normal");
    this.enterGroup(spec);
    let lastSink = this.createMiddleStates(dummy);
    lastSink = this.convertStage(lastSink);
    this.graph.addEdge(lastSink, Action.Proceed, sink, proceedCondition);
    this.graph.addEdge(dummy, Action.Proceed, lastSink, proceedCondition);
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
        const sinkCopy = this.graph.copy(sink);
        this.graph.addEdge(looping, Action.Proceed, sinkCopy, andAll(proceedCondition, until));
        this.originalStateMap.set(sink.name, sinkCopy);
        if (original !== sink) this.originalStateMap.set(original.name, this.graph.copy(original));
      }
      this.graph.addEdge(
        looping,
        Action.Proceed,
        sink,
        until !== undefined ? andAll(proceedCondition, not(until)) : proceedCondition,
      );
      this.graph.updateWithGreedyCondition(sink, this.takeCondition(current));
      // eddy: also where skipping the optional loop leads (FlinkCEP restricts only the copy)
      if (original !== sink) this.graph.updateWithGreedyCondition(original, this.takeCondition(current));
    } else {
      this.graph.addEdge(looping, Action.Proceed, sink, proceedCondition);
    }
    this.graph.addEdge(looping, Action.Take, looping, take);
    this.addStopStateToLooping(looping);
    if (ignore !== null) {
      const ignoreState = this.createStageState("normal", false);
      this.graph.addEdge(ignoreState, Action.Take, looping, take);
      this.graph.addEdge(ignoreState, Action.Ignore, ignoreState, ignore);
      this.graph.addEdge(looping, Action.Ignore, ignoreState, ignore);
      this.addStopStateToLooping(ignoreState);
    }
    return looping;
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
    const state = this.graph.createState(stage, stage, type);
    if (takes && current.previousAndCurrent !== undefined)
      state.previousAndCurrent = current.previousAndCurrent;
    return state;
  }
}

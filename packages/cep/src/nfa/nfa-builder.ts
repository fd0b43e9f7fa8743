/**
 * The NFA under construction: its states, numbered in creation order, with unique names (copies
 * of a stage's state get ":n"), one STOP state per negated stage, and the edges between them.
 * The compiler decides what to build; this is how it is built.
 */
import type { AnyCondition } from "../pattern/stage-spec.ts";
import { Action, type NfaState, type StateType } from "./compiled-nfa.ts";
import { andAll, not } from "./edge-conditions.ts";

export class NfaBuilder {
  readonly states: NfaState[] = [];
  private readonly stopStates = new Map<string, NfaState>();
  private readonly nameCounts = new Map<string, number>();

  createState(name: string, stage: string, type: StateType): NfaState {
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

  createStopState(condition: AnyCondition | undefined, name: string): NfaState {
    let stop = this.stopStates.get(name);
    if (stop === undefined) {
      stop = this.createState(`${name}$stop`, name, "stop");
      this.addEdge(stop, Action.Take, stop, condition);
      this.stopStates.set(name, stop);
    }
    return stop;
  }

  /** A new state with the same edges (a self-loop stays a self-loop). */
  copy(state: NfaState): NfaState {
    const copy = this.createState(state.stage, state.stage, state.type);
    copy.previousAndCurrent = state.previousAndCurrent;
    for (const edge of state.edges) {
      this.addEdge(copy, edge.action, edge.target === edge.source ? copy : edge.target, edge.condition);
    }
    return copy;
  }

  /** Greedy: every edge of `state` also requires that the loop did not take the event. */
  updateWithGreedyCondition(state: NfaState, take: AnyCondition | undefined): void {
    const notTaken = not(take);
    for (const edge of state.edges) edge.condition = andAll(edge.condition, notTaken);
  }

  addEdge(source: NfaState, action: Action, target: NfaState, condition: AnyCondition | undefined): void {
    source.edges.push({ action, source, target, condition });
  }
}

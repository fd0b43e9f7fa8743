/**
 * The compiled NFA: states joined by TAKE, IGNORE and PROCEED edges (FlinkCEP's State and
 * StateTransition), built once per pattern by the compiler and shared, read only, by every key's
 * run. A partial match refers to its state by index, so the index is what keyed state stores.
 */
import type { AfterMatchSkipStrategy } from "../pattern/skip-strategy.ts";
import type { AnyCondition } from "../pattern/stage-spec.ts";

/** What an edge does with the event: take it, skip it, or move on without consuming it. */
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

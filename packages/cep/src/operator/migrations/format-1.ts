/**
 * Format 1 of the CEP operator's keyed state, written by eddy until the persisted state was
 * reduced to the model (format 2). Its values had no `format` field and carried the operator's
 * bookkeeping beside the model: the match state ("cep.nfa") the timeout timer last registered for
 * the key (`timer`) and a random id of the operator instance whose gauges counted it
 * (`countedBy`); the event buffer ("cep.buffer") its `countedBy`. The model itself is unchanged,
 * so migrating keeps it and drops the bookkeeping: the operator derives the timer from the partial
 * matches, and counts restored keys when it first reads them.
 *
 * Pinned by the golden savepoint test/golden/savepoints/login-attacks/initial.
 */
import type { ComputationState } from "../../nfa/computation-state.ts";
import type { StoredEventBuffer, StoredNfaState } from "../persisted-state.ts";

interface NfaStateFormat1 {
  partials: ComputationState[];
  completed: ComputationState[];
  nextEventId: number;
  nextSeq: number;
  graph: string;
  timer?: number;
  countedBy?: number;
}

interface EventBufferFormat1<E> {
  ts: number[];
  events: E[];
  countedBy?: number;
}

/** Whether a value without a `format` field is format 1 (of either state). */
export function isFormat1(value: object): boolean {
  const v = value as Partial<NfaStateFormat1 & EventBufferFormat1<unknown>>;
  return (
    (Array.isArray(v.partials) && typeof v.graph === "string") ||
    (Array.isArray(v.ts) && Array.isArray(v.events))
  );
}

/** Format 1 to 2: the same model, without the timer and the gauge owner. */
export function nfaStateFromFormat1(old: NfaStateFormat1): StoredNfaState {
  return {
    format: 2,
    partials: old.partials,
    completed: old.completed,
    nextEventId: old.nextEventId,
    nextSeq: old.nextSeq,
    graph: old.graph,
  };
}

/** Format 1 to 2: the same events, without the gauge owner. */
export function eventBufferFromFormat1<E>(old: EventBufferFormat1<E>): StoredEventBuffer<E> {
  return { format: 2, ts: old.ts, events: old.events };
}

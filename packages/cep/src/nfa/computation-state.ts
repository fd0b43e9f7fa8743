/**
 * Partial matches (FlinkCEP's ComputationState) and everything the NFA keeps for one key: the
 * partial matches in their order, the completed matches a skip strategy holds back, and the
 * counters that number events and partial matches. A partial match is ordered by the number of
 * its first event, then by age, which is what the after-match skip strategies use.
 */
import type { BufferNode, SharedBuffer } from "./shared-buffer.ts";

/** A partial match: where it is in the NFA and the buffer node of its last event. */
export interface ComputationState {
  /** NfaState index. */
  readonly state: number;
  readonly previous: BufferNode | null;
  readonly version: readonly number[];
  readonly startTs: number;
  readonly previousTs: number;
  /** Number of the first event; -1 for the start state's computation (none yet). */
  readonly startId: number;
  /** Creation order, for stable ordering of partial matches with the same first event. */
  readonly seq: number;
}

/** Everything the NFA keeps for one key: the match state, which goes into keyed state as is. */
export interface KeyNfaState {
  partials: ComputationState[];
  /** Completed matches waiting for earlier partial matches (skip strategies other than noSkip). */
  completed: ComputationState[];
  nextEventId: number;
  nextSeq: number;
  /** CompiledNfa.fingerprint of the graph these partial matches belong to. */
  graph: string;
}

function startKey(cs: ComputationState): number {
  return cs.startId === -1 ? Number.POSITIVE_INFINITY : cs.startId;
}

/** Sorts partial matches by first event, then age (in place; usually already sorted). */
export function sortPartials(list: ComputationState[]): ComputationState[] {
  // Usually already ordered (the start state's new partial matches come last); check first.
  let sorted = true;
  for (let i = 1; i < list.length; i++) {
    if (comparePartials(list[i - 1], list[i]) > 0) {
      sorted = false;
      break;
    }
  }
  if (!sorted) list.sort(comparePartials);
  return list;
}

function comparePartials(a: ComputationState, b: ComputationState): number {
  const ka = startKey(a);
  const kb = startKey(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.seq - b.seq;
}

/** The partial match that started first (not the start state's). */
export function earliestPartial(partials: readonly ComputationState[]): ComputationState | undefined {
  for (const cs of partials) if (cs.startId !== -1) return cs;
  return undefined;
}

/**
 * Completed matches in emission order: by first event, then by their events' numbers compared
 * position by position (a match before its own extensions), then by the stages of those events
 * in pattern order (earlier stages first), so two matches of the same events are ordered too.
 */
export function sortCompleted(
  list: ComputationState[],
  buffer: SharedBuffer<unknown>,
  stageOrder: ReadonlyMap<string, number>,
): void {
  const keys = new Map<ComputationState, BufferNode[]>();
  const nodesOf = (cs: ComputationState): BufferNode[] => {
    let nodes = keys.get(cs);
    if (nodes === undefined) {
      nodes = cs.previous === null ? [] : buffer.extractPath(cs.previous, cs.version);
      keys.set(cs, nodes);
    }
    return nodes;
  };
  list.sort((a, b) => {
    if (a.startId !== b.startId) return a.startId - b.startId;
    const x = nodesOf(a);
    const y = nodesOf(b);
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) if (x[i].event.id !== y[i].event.id) return x[i].event.id - y[i].event.id;
    if (x.length !== y.length) return x.length - y.length;
    for (let i = 0; i < n; i++) {
      const d = (stageOrder.get(x[i].stage) ?? 0) - (stageOrder.get(y[i].stage) ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
}

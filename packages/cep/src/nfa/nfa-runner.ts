/**
 * Runs a compiled NFA over one key's events: FlinkCEP's algorithm (computation states that
 * branch on TAKE and IGNORE edges, Dewey-numbered versions, a shared buffer of matched events),
 * with the per-key data kept as one plain object graph (computation-state.ts) so that it lives
 * in keyed state as is. The runner itself holds no key's data: one runner serves every key.
 *
 * Events are numbered per key in the order the NFA sees them; a partial match is ordered by the
 * number of its first event (then by age), which is what the after-match skip strategies use.
 */
import type { AnyCondition } from "../pattern/stage-spec.ts";
import { pruningBound } from "./after-match.ts";
import { Action, type CompiledNfa, type NfaEdge, type NfaState } from "./compiled-nfa.ts";
import {
  type ComputationState,
  earliestPartial,
  type KeyNfaState,
  sortCompleted,
  sortPartials,
} from "./computation-state.ts";
import { ConditionContext } from "./condition-context.ts";
import { addStage, increase } from "./dewey-number.ts";
import { PatternGraphChangedError } from "./pattern-graph-changed-error.ts";
import { type BufferedEvent, type BufferNode, type RawMatch, SharedBuffer } from "./shared-buffer.ts";

/** Where the NFA puts its results; reused, so the NFA allocates no result arrays per event. */
export interface NfaOutput<E> {
  /** `timestamp`: the match's last event's. */
  match(match: RawMatch<E>, timestamp: number): void;
  timeout(partial: RawMatch<E>, timestamp: number): void;
}

export class NfaRunner<E> {
  private readonly states: readonly NfaState[];
  private readonly windowTime: number;
  private readonly skip: CompiledNfa["skipStrategy"];
  private readonly isSkipStrategy: boolean;
  private readonly stageOrder: ReadonlyMap<string, number>;
  /**
   * Per state, what a partial match there becomes when its window passes: 0 a timeout; 1 a match
   * (a PENDING state: a closing notFollowedBy that held); 2 both (a state from which a PENDING
   * state is reachable by PROCEED edges, such as a loop before the closing notFollowedBy).
   */
  private readonly releasable: readonly (0 | 1 | 2)[];
  private readonly buffer: SharedBuffer<E>;
  private readonly context: ConditionContext<E>;
  /** Conditions evaluated for the current partial match and event: [condition, result, ...]. */
  private readonly conditionCache: unknown[] = [];
  /** The event being processed (one object, reused). */
  private readonly event: PendingEvent<E> = { record: undefined, ts: 0, value: undefined as E };
  /** Scratch lists reused across events. */
  private readonly decisionOrder: NfaEdge[] = [];
  private readonly dfs: NfaState[] = [];

  /** Partial matches discarded because the cap was reached (a metric). */
  discardedByCap = 0;

  constructor(
    readonly nfa: CompiledNfa,
    private readonly options: { maxPartialMatches?: number; now?: () => number } = {},
  ) {
    this.states = nfa.states;
    this.windowTime = nfa.windowTime;
    this.skip = nfa.skipStrategy;
    this.isSkipStrategy = nfa.skipStrategy.kind !== "no-skip";
    this.stageOrder = new Map(nfa.stageNames.map((name, i) => [name, i]));
    this.releasable = nfa.states.map((s) => (!reachesPending(s) ? 0 : s.type === "pending" ? 1 : 2));
    this.buffer = new SharedBuffer<E>(nfa.stageNames);
    this.context = new ConditionContext<E>(this.buffer);
    this.context.now = options.now ?? Date.now;
  }

  initialState(): KeyNfaState {
    return {
      partials: [this.startComputation([1], 0)],
      completed: [],
      nextEventId: 0,
      nextSeq: 1,
      graph: this.nfa.fingerprint,
    };
  }

  /** True when the key holds nothing but the start state: its state can be cleared. */
  isEmpty(state: KeyNfaState): boolean {
    return state.completed.length === 0 && state.partials.length === 1 && state.partials[0].startId === -1;
  }

  checkGraph(state: KeyNfaState, operator = "the CEP operator"): void {
    if (state.graph !== this.nfa.fingerprint) {
      throw new PatternGraphChangedError(
        `${operator}: the partial matches in state were made by another pattern than ${this.nfa.description}; restore them with the pattern that made them, or start without that state (allowNonRestoredState with a new uid)`,
      );
    }
  }

  /** Set by census(): the earliest time a partial match of the key times out (Infinity if none). */
  earliestTimeout = Number.POSITIVE_INFINITY;

  /**
   * One pass over a key's partial matches: returns how many are live (the completed ones held for
   * a skip strategy included, the start state's not) and sets earliestTimeout.
   */
  census(state: KeyNfaState): number {
    let next = Number.POSITIVE_INFINITY;
    let live = 0;
    for (const cs of state.partials) {
      if (cs.startId === -1) continue;
      live++;
      if (this.windowTime > 0) next = Math.min(next, cs.startTs + this.windowTime);
      const gap = this.states[cs.state].previousAndCurrent;
      if (gap !== undefined) next = Math.min(next, cs.previousTs + gap);
    }
    this.earliestTimeout = next;
    return live + state.completed.length;
  }

  /**
   * Times out every partial match whose window has passed at `time` (no events older than
   * `time` will come): timed-out ones go to out.timeout, pending notFollowedBy matches whose
   * window passed become matches.
   */
  advanceTime(state: KeyNfaState, time: number, out: NfaOutput<E>): void {
    let potential: ComputationState[] | undefined;
    let timedOut: Array<{ cs: ComputationState; timestamp: number }> | undefined;
    const kept: ComputationState[] = [];
    for (const cs of state.partials) {
      const nfaState = this.states[cs.state];
      if (cs.startId === -1 || nfaState.type === "start") {
        kept.push(cs);
        continue;
      }
      const gap = nfaState.previousAndCurrent;
      const byPrevious = gap !== undefined && time - cs.previousTs >= gap;
      const byFirst = this.windowTime > 0 && time - cs.startTs >= this.windowTime;
      if (!byPrevious && !byFirst) {
        kept.push(cs);
        continue;
      }
      // The window that closed first.
      const previousEnd = byPrevious ? cs.previousTs + (gap as number) : Number.POSITIVE_INFINITY;
      const firstEnd = byFirst ? cs.startTs + this.windowTime : Number.POSITIVE_INFINITY;
      const release = this.releasable[cs.state];
      if (release !== 0) {
        // The window passed with the pattern's closing notFollowedBy unbroken: a match. When it
        // is still in a loop before the notFollowedBy, that loop's partial match (which could
        // still have taken events) times out as well.
        (potential ??= []).push(cs);
        if (release === 1) continue;
      }
      (timedOut ??= []).push({ cs, timestamp: Math.min(previousEnd, firstEnd) });
    }
    if (timedOut !== undefined) this.emitTimeouts(timedOut, out);
    state.partials = kept;
    if (potential !== undefined || state.completed.length > 0) {
      this.emitMatches(state, potential ?? [], out);
    }
  }

  /** Processes one event (the caller has advanced time to `ts` first). */
  process(state: KeyNfaState, value: E, ts: number, out: NfaOutput<E>): void {
    const event = this.event;
    event.record = undefined;
    event.ts = ts;
    event.value = value;
    let potential: ComputationState[] | undefined;
    const partials = state.partials;
    const next: ComputationState[] = [];
    const states = this.states;
    for (let i = 0; i < partials.length; i++) {
      const from = next.length;
      this.computeNextStates(state, partials[i], event, next);
      // Completed matches leave the list; a branch that reached a STOP state (a negated stage
      // matched) discards everything else it produced.
      let discard = false;
      let kept = from;
      for (let j = from; j < next.length; j++) {
        const ns = next[j];
        const type = states[ns.state].type;
        if (type === "final") (potential ??= []).push(ns);
        else if (type === "stop") discard = true;
        else next[kept++] = ns;
      }
      next.length = discard ? from : kept;
    }
    event.value = undefined as E;
    this.buffer.endEvent();
    state.partials = sortPartials(next);
    this.applyCap(state);
    if (potential !== undefined || state.completed.length > 0) this.emitMatches(state, potential ?? [], out);
  }

  // ---- one computation state --------------------------------------------------------------

  /** Appends to `result` the computation states `cs` becomes on the event (FlinkCEP's algorithm). */
  private computeNextStates(
    key: KeyNfaState,
    cs: ComputationState,
    event: PendingEvent<E>,
    result: ComputationState[],
  ): void {
    const context = this.context;
    context.reset(cs, event.ts);
    this.conditionCache.length = 0;
    const current = this.states[cs.state];
    const edges = this.decisionGraph(current, event.value);
    let totalTake = 0;
    let totalIgnore = 0;
    for (const edge of edges) {
      if (edge.action === Action.Take) totalTake++;
      else if (edge.target !== current) totalIgnore++;
    }
    let takeBranchesToVisit = Math.max(0, totalTake - 1);
    let ignoreBranchesToVisit = totalIgnore;
    const totalTakeToSkip = Math.max(0, totalTake - 1);
    const isStart = current.type === "start";

    for (const edge of edges) {
      if (edge.action === Action.Ignore) {
        if (isStart) continue;
        let version: number[];
        if (edge.target === current) {
          const by = selfIncrease(totalIgnore, totalTake);
          if (by === 0) {
            // ignored, and nothing else happened: the very same partial match goes on
            result.push(cs);
            continue;
          }
          version = increase(cs.version, by);
        } else {
          version = addStage(increase(cs.version, totalTakeToSkip + ignoreBranchesToVisit));
          ignoreBranchesToVisit--;
        }
        result.push(
          this.computation(
            key,
            edge.target.index,
            cs.previous,
            version,
            cs.startTs,
            cs.previousTs,
            cs.startId,
          ),
        );
      } else {
        const currentVersion = increase(cs.version, takeBranchesToVisit);
        const nextVersion = addStage(currentVersion.slice());
        takeBranchesToVisit--;
        const record = this.register(key, event);
        const node = this.buffer.put(edge.source.stage, record, cs.previous, currentVersion);
        const startTs = isStart ? event.ts : cs.startTs;
        const startId = isStart ? record.id : cs.startId;
        result.push(this.computation(key, edge.target.index, node, nextVersion, startTs, event.ts, startId));
        const final = this.finalAfterProceed(edge.target, event.value);
        if (final !== undefined) {
          result.push(this.computation(key, final.index, node, nextVersion, startTs, event.ts, startId));
        }
      }
    }
    if (isStart) {
      const by = selfIncrease(totalIgnore, totalTake);
      result.push(by === 0 ? cs : this.startComputation(increase(cs.version, by), key.nextSeq++));
    }
  }

  /** The TAKE and IGNORE edges whose conditions hold, following PROCEED edges (epsilon moves). */
  private decisionGraph(state: NfaState, value: E): NfaEdge[] {
    const out = this.decisionOrder;
    out.length = 0;
    const stack = this.dfs;
    stack.length = 0;
    stack.push(state);
    while (stack.length > 0) {
      const s = stack.pop() as NfaState;
      const edges = s.edges;
      for (let i = 0; i < edges.length; i++) {
        const edge = edges[i];
        if (!this.holds(edge.condition, value)) continue;
        if (edge.action === Action.Proceed) stack.push(edge.target);
        else out.push(edge);
      }
    }
    return out;
  }

  /** A final state reachable from `state` by PROCEED edges whose conditions hold for the event. */
  private finalAfterProceed(state: NfaState, value: E): NfaState | undefined {
    const stack: NfaState[] = [state];
    while (stack.length > 0) {
      const s = stack.pop() as NfaState;
      for (const edge of s.edges) {
        if (edge.action !== Action.Proceed || !this.holds(edge.condition, value)) continue;
        if (edge.target.type === "final") return edge.target;
        stack.push(edge.target);
      }
    }
    return undefined;
  }

  private holds(condition: AnyCondition | undefined, value: E): boolean {
    if (condition === undefined) return true;
    // A condition and its negation often both guard edges of one state: evaluate it once per
    // partial match and event (the cache is reset with the context).
    const negates = (condition as { negates?: AnyCondition }).negates;
    const base = negates ?? condition;
    const cache = this.conditionCache;
    let result: boolean | undefined;
    for (let i = 0; i < cache.length; i += 2) {
      if (cache[i] === base) {
        result = cache[i + 1] as boolean;
        break;
      }
    }
    if (result === undefined) {
      result = base(value, this.context) === true;
      cache.push(base, result);
    }
    return negates === undefined ? result : !result;
  }

  private computation(
    key: KeyNfaState,
    state: number,
    previous: BufferNode | null,
    version: readonly number[],
    startTs: number,
    previousTs: number,
    startId: number,
  ): ComputationState {
    return { state, previous, version, startTs, previousTs, startId, seq: key.nextSeq++ };
  }

  private startComputation(version: readonly number[], seq: number): ComputationState {
    return {
      state: this.nfa.start.index,
      previous: null,
      version,
      startTs: -1,
      previousTs: -1,
      startId: -1,
      seq,
    };
  }

  private register(key: KeyNfaState, event: PendingEvent<E>): BufferedEvent<E> {
    if (event.record === undefined)
      event.record = { id: key.nextEventId++, ts: event.ts, value: event.value };
    return event.record;
  }

  // ---- matches and skip strategies --------------------------------------------------------

  private emitMatches(state: KeyNfaState, potential: ComputationState[], out: NfaOutput<E>): void {
    const completed = state.completed;
    for (const cs of potential) completed.push(cs);
    if (completed.length > 1) sortCompleted(completed, this.buffer as SharedBuffer<unknown>, this.stageOrder);
    while (completed.length > 0) {
      const earliest = completed[0];
      if (this.isSkipStrategy) {
        const partial = earliestPartial(state.partials);
        if (partial !== undefined && !(earliest.startId <= partial.startId)) break;
      }
      completed.shift();
      const path = this.extractIds(earliest, this.isSkipStrategy);
      const bound = this.isSkipStrategy ? pruningBound(this.skip, path.ids) : undefined;
      if (bound !== undefined) {
        state.partials = state.partials.filter((cs) => cs.startId === -1 || cs.startId >= bound);
        for (let i = completed.length - 1; i >= 0; i--)
          if (completed[i].startId < bound) completed.splice(i, 1);
      }
      out.match(this.buffer.materialize(path.nodes), earliest.previousTs);
    }
  }

  private emitTimeouts(
    timedOut: Array<{ cs: ComputationState; timestamp: number }>,
    out: NfaOutput<E>,
  ): void {
    // The same partial match can sit in several NFA states (an optional stage's branches): report it once.
    let seen: Set<string> | undefined;
    for (const { cs, timestamp } of timedOut) {
      const nodes = cs.previous === null ? [] : this.buffer.extractPath(cs.previous, cs.version);
      if (timedOut.length > 1) {
        const id = `${timestamp}|${nodes.map((n) => `${n.stage}:${n.event.id}`).join(",")}`;
        seen ??= new Set();
        if (seen.has(id)) continue;
        seen.add(id);
      }
      out.timeout(this.buffer.materialize(nodes), timestamp);
    }
  }

  private applyCap(state: KeyNfaState): void {
    const max = this.options.maxPartialMatches;
    if (max === undefined) return;
    const partials = state.partials;
    // the start state's computation is not a partial match and is never discarded
    if (partials.length - 1 <= max) return;
    const kept: ComputationState[] = [];
    let live = 0;
    for (const cs of partials) {
      if (cs.startId === -1) kept.push(cs);
      else if (live < max) {
        kept.push(cs);
        live++;
      } else this.discardedByCap++;
    }
    state.partials = kept;
  }

  private extractIds(
    cs: ComputationState,
    withIds = true,
  ): { nodes: BufferNode[]; ids: Map<string, number[]> } {
    const nodes = cs.previous === null ? [] : this.buffer.extractPath(cs.previous, cs.version);
    const ids = new Map<string, number[]>();
    if (!withIds) return { nodes, ids };
    for (const n of nodes) {
      const list = ids.get(n.stage);
      if (list === undefined) ids.set(n.stage, [n.event.id]);
      else list.push(n.event.id);
    }
    return { nodes, ids };
  }
}

interface PendingEvent<E> {
  record: BufferedEvent<E> | undefined;
  ts: number;
  value: E;
}

function selfIncrease(ignoreBranches: number, takeBranches: number): number {
  return takeBranches === 0 && ignoreBranches === 0 ? 0 : ignoreBranches + Math.max(1, takeBranches);
}

/** Whether a PENDING state (a closing notFollowedBy) is `state` or reachable from it by PROCEED edges. */
function reachesPending(state: NfaState): boolean {
  const seen = new Set<NfaState>();
  const stack = [state];
  while (stack.length > 0) {
    const s = stack.pop() as NfaState;
    if (s.type === "pending") return true;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const edge of s.edges)
      if (edge.action === Action.Proceed && edge.target.type !== "stop") stack.push(edge.target);
  }
  return false;
}

/**
 * The reference matcher: a brute-force oracle for the CEP property tests. Slow, but every rule it
 * applies is written down here as a statement about a candidate match, not as an automaton.
 *
 * It enumerates candidate assignments of input events to the pattern's stages (a recursion over
 * the stage list in pattern order, loops and group repetitions unrolled as far as the events go),
 * and keeps those that satisfy the rules below. It never steps through the input event by event
 * the way an NFA does; the only "time" it knows is the position of events in the input.
 *
 * Input: events in matching order (timestamps non-decreasing when the pattern has a window); an
 * event is known by its index.
 * A match maps each positive stage name to the ascending indices of its events.
 *
 * ## The rules a match satisfies (FlinkCEP's semantics, checked against its ITCases)
 *
 * Let t1 < t2 < ... < tk be the match's events in input order; every event belongs to one
 * positive stage, the stages' events come in pattern order, and a loop's iterations are
 * consecutive in that list. "P" is the part of the match before the event under discussion,
 * `p` its last event. An iterative condition is evaluated with a context that sees P: for an
 * event x, `events(s)` are P's events of stage s, `timestamp()` is x's timestamp.
 *
 *  1. Conditions. Every event of stage S satisfies S's condition, and not S's until condition.
 *  2. Counts. S takes 1 (single), n..m (times), n.. (loops) events, or none when optional. A group
 *     repeats its stages per its quantifier; each repetition takes at least one event; its
 *     stages' events of all repetitions appear under their names.
 *  3. Contiguity into a stage (its first event q, after p; nothing if q is the match's first
 *     event). The contiguity is the stage's own (next / followedBy / followedByAny); for the first
 *     stage of a group it is the group's for the first repetition and the group's inner one for
 *     later repetitions. Optional stages skipped in between do not matter: the rule is relative
 *     to p.
 *       strict: q = p + 1.
 *       skip-till-next: no event strictly between p and q satisfies S's condition (seen from P).
 *       skip-till-any: no constraint.
 *  4. Contiguity inside a loop or times stage (consecutive iterations at u < v):
 *       strict (consecutive): v = u + 1;
 *       skip-till-next (default): no event between u and v satisfies the condition or until;
 *       skip-till-any (allowCombinations): no event between u and v satisfies until.
 *     (So until ends a loop: no iteration after an event that satisfies it.)
 *  5. Greedy. For a greedy loop or times(n, m) (n < m) G followed by a stage T: let l be G's last
 *     event (p if G took none) and q the next event of the match. No event in (l, q] satisfies
 *     G's condition (seen from P), unless G has an until condition that event l + 1 satisfies.
 *     (When G took nothing and is the first stage, (l, q] is {q}.) A greedy stage at the end of
 *     the pattern is not constrained: every length is a match.
 *  6. notFollowedBy X between R and T: let f be R's first event (R's last one when R is a group)
 *     and q the first event of the match after X (of T, or of a later stage when T is skipped;
 *     R's last event when every stage after X took nothing). No event e with f < e <= q
 *     satisfies X (seen from the match before e), except the event at which the match completes:
 *     an X event ends the partial matches in X's scope, after a match it completes is emitted
 *     (FlinkCEP's order: completed matches are kept, then a STOP discards the branch). So for a
 *     loop R, X must not occur between or on R's later iterations either
 *     (testTimesWithNotFollowedBy); q may satisfy X only if the match ends at q.
 *  7. notNext X after R: for every event u of R after which R may end (its count reached the
 *     minimum), the event u + 1 does not satisfy X (seen from the match up to u). For a loop R this
 *     applies after each such iteration, not only the last (FlinkCEP's testNotNextAfterOneOrMore).
 *     (R: a stage, or a group that occurs once and ends with a single mandatory stage.)
 *  8. Windows. within(D) (first-and-last; the smallest over all stages): the last event's
 *     timestamp minus the first's is < D. within(d, "previous-and-current") on stage S: each of
 *     S's events is less than d after the event before it in the match (no constraint on the
 *     match's first event).
 *  9. The end of the pattern:
 *     - positive stage(s): the match is complete at its last event;
 *     - notNext X: the event right after the last one exists, does not satisfy X, and is inside
 *       the windows (D from the first event; d of a previous-and-current window on X from the
 *       last event); the match completes at that event;
 *     - notFollowedBy X (needs a window): released at r = min(first + D, last + d of X's
 *       previous-and-current window), if r <= finalTime and no event after the match with
 *       timestamp < r satisfies X (nor G's condition, if the last stage G is greedy).
 *
 * ## Partial matches: what is alive, what times out
 *
 * A partial match P (non-empty, satisfying the rules so far) waits for its next event in some
 * "slot" (the next iteration of its last stage, or the first event of a later stage reachable by
 * skipping optional ones, or the end of the pattern's notNext / notFollowedBy). After the events
 * up to index k have been seen, P is alive in that slot when P followed by a made-up event h
 * placed after k (h satisfying whatever it must, its timestamp free) would satisfy rules 3-7:
 * every event between P's last event and h is one the slot lets pass (for strict contiguity,
 * there is none). P's window in the slot closes at tau = min(first + D, last + d) (d: the
 * previous-and-current window of the slot's stage). Then:
 * - P times out when time reaches tau (advancing to the timestamp of the first event at or after
 *   tau, or to finalTime) if it was alive in some slot after the events before tau. It is
 *   reported once per distinct (P, tau), with timestamp tau, unless a skip strategy discarded
 *   its first event before. A notFollowedBy-at-the-end slot is released as a match instead.
 * - "Alive" also decides when skip strategies hold completed matches back (below).
 *
 * ## Emission order and after-match skip strategies (the rule the NFA follows)
 *
 * Steps: for each input event k, first "advance time to ts(k)" (step 2k), then "process event
 * k" (step 2k + 1); after the last event, "advance to finalTime" (step 2n). A match completes at:
 * step 2i + 1 for its last event i (positive end); step 2c + 1 for the event c after it (notNext
 * end); the advance step at which time reaches r (notFollowedBy end).
 *
 * At each step, timeouts come first; then the matches completing at that step join the queue of
 * completed matches, kept sorted by (first event index, then the match's event indices compared
 * position by position — a match before its own extensions — then the stage order of those
 * events). The queue's head is emitted unless (for every strategy but noSkip) a partial match
 * whose first event is earlier than the head's is alive at this step; emitting it discards,
 * from the queue and from the partial matches, everything whose first event is below
 * `pruningBound(strategy, match)`. Matches still held back at the end are never emitted.
 * With noSkip nothing is held back or discarded: matches come out by completion step, then
 * by the same queue order. skipToFirst(s) where s is the first stage (a non-optional,
 * non-group stage) always skips to the match's own first event: it is noSkip.
 *
 * ## Where this differs from FlinkCEP's NFA (quirks of its compiled graph, not reproduced)
 * Each makes the result depend on something other than the rules above (whether an unrelated
 * event arrived, or on which iteration an event fell); FlinkCEP's tests pin none of them.
 * - Rule 6, R = times(n, m) with n < m: the ignore states of R's optional iterations lack the
 *   STOP edge, so X between those iterations is ignored once an unrelated event came first
 *   (while X between mandatory iterations kills: testTimesWithNotFollowedBy).
 * - Rule 6, T = times(n, m) with n < m after X: the ignore states of T's optional iterations keep
 *   X's STOP edge, so X after T's first event kills T once an unrelated event came first (while
 *   X between T's mandatory iterations does not: testNotFollowedByBeforeOptionalTimes).
 * - Rule 9, loop then notFollowedBy at the end: Flink only moves to the pending state on the
 *   event after the loop's last event; if none comes before the window ends, the partial match
 *   times out instead of being released.
 * - A looping group, or the optional repetitions of a times(n, m) group: the group's first state
 *   keeps ignoring events and can still hand over to the next stage later, so the next stage's
 *   contiguity is counted from a later event (a strict next after skipped events; a followedBy
 *   that skips a matching event; the same match twice).
 * - An optional greedy loop with until after a notFollowedBy, at the end: the skipped loop's
 *   proceed edge on an until event is looked up under the wrong state, so the match without the
 *   loop is lost.
 * - Timeout timestamps: Flink reports previous + d whenever the previous-and-current window has
 *   passed, even when first + D was earlier; here it is the earlier of the two (when the partial
 *   match expired), whatever time was advanced to.
 *
 * Patterns outside what these rules pin down throw UnsupportedByReference (see normalize()).
 */
import type { AfterMatchSkipStrategy } from "@eddy/cep";
import { pruningBound } from "../src/nfa/after-match.ts";
import type { InnerConsuming } from "../src/pattern/quantifier.ts";
import type { AnyCondition, PatternContext, StageSpec } from "../src/pattern/stage-spec.ts";

export interface ReferenceInput<E> {
  readonly event: E;
  readonly timestamp: number;
}

export interface ReferenceOptions {
  /** Time advanced to after the last event (default +Infinity). */
  finalTime?: number;
  /** What conditions see as currentProcessingTime() (default: the tested event's timestamp). */
  now?: () => number;
  /** Most candidate slots to examine before giving up with ReferenceBudgetExceeded. */
  budget?: number;
}

export interface ReferenceTimeout {
  partial: Map<string, number[]>;
  timestamp: number;
}

export interface ReferenceResult {
  /** In emission order; a key for every positive stage (empty when it took no event). */
  matches: Array<Map<string, number[]>>;
  /** Distinct (partial match, timestamp) pairs, ordered by timestamp then partial match. */
  timeouts: ReferenceTimeout[];
}

/** The pattern uses a combination whose semantics the reference matcher does not pin down. */
export class UnsupportedByReference extends Error {
  override name = "UnsupportedByReference";
}

export class SkipToOwnFirstEventError extends Error {
  override name = "SkipToOwnFirstEventError";
  constructor(stage: string) {
    super(`after-match skip to "${stage}" would skip to the match's own first event`);
  }
}

export class ReferenceBudgetExceeded extends Error {
  override name = "ReferenceBudgetExceeded";
}

type Contiguity = "strict" | "skip-till-next" | "skip-till-any";

interface Leaf {
  readonly kind: "leaf";
  readonly name: string;
  /** Position among all positive stages (pattern order): the label used to order matches. */
  readonly order: number;
  readonly consuming: Contiguity;
  readonly from: number;
  readonly to: number;
  readonly optional: boolean;
  readonly inner: InnerConsuming;
  /** Greedy that has an effect: a loop, or times(n, m) with n < m, followed by something. */
  readonly greedy: boolean;
  readonly condition: AnyCondition | undefined;
  readonly until: AnyCondition | undefined;
  readonly previousAndCurrent: number | undefined;
  /** The negated stage directly after this one, if any. */
  readonly after: Neg | undefined;
}

interface Group {
  readonly kind: "group";
  readonly children: readonly Node[];
  readonly consuming: Contiguity;
  readonly from: number;
  readonly to: number;
  readonly optional: boolean;
  readonly inner: InnerConsuming;
}

interface Neg {
  readonly kind: "neg";
  readonly type: "not-next" | "not-follow";
  readonly name: string;
  readonly condition: AnyCondition | undefined;
  readonly previousAndCurrent: number | undefined;
}

type Node = Leaf | Group | Neg;

interface Normalized {
  readonly nodes: readonly Node[];
  readonly leaves: readonly Leaf[];
  /** within(D) over the whole pattern (smallest declared); Infinity when none. */
  readonly window: number;
  readonly names: readonly string[];
}

/** Turns the stage specs into the matcher's tree, rejecting what it does not define. */
function normalize(stages: readonly StageSpec[]): Normalized {
  const leaves: Leaf[] = [];
  let window = Number.POSITIVE_INFINITY;
  const unsupported = (why: string): never => {
    throw new UnsupportedByReference(why);
  };

  const build = (list: readonly StageSpec[], inGroup: boolean): Node[] => {
    // negations first, so that leaves can point at the one after them
    const negs = list.map((s): Neg | undefined =>
      s.consuming === "not-next" || s.consuming === "not-follow"
        ? {
            kind: "neg",
            type: s.consuming,
            name: s.name as string,
            condition: s.condition,
            previousAndCurrent: s.previousAndCurrent,
          }
        : undefined,
    );
    const nodes: Node[] = [];
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (s.firstAndLast !== undefined) window = Math.min(window, s.firstAndLast);
      const neg = negs[i];
      if (neg !== undefined) {
        if (inGroup) unsupported("a negated stage inside a group");
        if (i === 0) unsupported("a pattern that begins with a negated stage");
        const before = list[i - 1];
        if (negs[i - 1] !== undefined) unsupported("two negated stages in a row");
        // after a group, the negation applies from the group's last event on (its inner states
        // carry no stop edges); only defined here for a group that occurs exactly once
        if (before.group !== undefined) {
          const lastInner = before.group[before.group.length - 1];
          if (
            before.quantifier.kind !== "single" ||
            lastInner.group !== undefined ||
            lastInner.quantifier.kind !== "single" ||
            lastInner.quantifier.optional
          )
            unsupported(`negated stage "${neg.name}" after a quantified group or one that ends in a loop`);
        }
        if (before.quantifier.optional) unsupported(`negated stage "${neg.name}" after an optional stage`);
        if (i + 1 < list.length && negs[i + 1] !== undefined) unsupported("two negated stages in a row");
        const atEnd = i === list.length - 1;
        if (!atEnd && neg.previousAndCurrent !== undefined)
          unsupported(
            `previous-and-current window on the negated stage "${neg.name}" in the middle of the pattern`,
          );
        if (neg.type === "not-next" && !atEnd && list.slice(i + 1).every((t) => t.quantifier.optional))
          unsupported(`notNext("${neg.name}") followed only by optional stages`);
        nodes.push(neg);
        continue;
      }
      const q = s.quantifier;
      const consuming = s.consuming as Contiguity;
      if (s.group !== undefined) {
        if (s.until !== undefined) unsupported("until() on a group");
        if (q.greedy) unsupported("greedy() on a group");
        const children = build(s.group, true);
        nodes.push({
          kind: "group",
          children,
          consuming,
          from: q.from,
          to: q.to,
          optional: q.optional,
          inner: q.inner,
        });
        continue;
      }
      const effectiveGreedy = q.greedy && (q.kind === "looping" || q.from !== q.to) && i < list.length - 1;
      if (effectiveGreedy) {
        if (inGroup) unsupported("a greedy stage inside a group");
        const next = list[i + 1];
        if (next.consuming === "not-next") unsupported("notNext right after a greedy stage");
        const positiveAfter = list.slice(i + 1).find((t) => t.consuming !== "not-follow");
        if (positiveAfter !== undefined) {
          if (positiveAfter.quantifier.optional) unsupported("an optional stage after a greedy one");
          if (positiveAfter.group?.[0]?.quantifier.optional)
            unsupported("a group with an optional first stage after a greedy stage");
        }
      }
      const leaf: Leaf = {
        kind: "leaf",
        name: s.name as string,
        order: leaves.length,
        consuming,
        from: q.from,
        to: q.to,
        optional: q.optional,
        inner: q.inner,
        greedy: effectiveGreedy,
        condition: s.condition,
        until: s.until,
        previousAndCurrent: s.previousAndCurrent,
        after: negs[i + 1],
      };
      leaves.push(leaf);
      nodes.push(leaf);
    }
    return nodes;
  };

  const nodes = build(stages, false);
  if (leaves.length === 0) unsupported("a pattern without positive stages");
  const last = nodes[nodes.length - 1];
  if (last.kind === "neg" && last.type === "not-follow") {
    if (window === Number.POSITIVE_INFINITY && last.previousAndCurrent === undefined)
      unsupported(`notFollowedBy("${last.name}") at the end without a window is never released`);
  }
  return { nodes, leaves, window, names: leaves.map((l) => l.name) };
}

/** One taken event of a candidate: its input index and its stage. */
interface Taken {
  readonly index: number;
  readonly leaf: Leaf;
}

/** What the next event of a candidate must respect, from stages already passed. */
interface Obligations {
  /** A greedy stage has ended after event `after` (-1: before the match's first event). */
  readonly guard?: { readonly leaf: Leaf; readonly after: number };
  /** notFollowedBy passed: no event after `from` may satisfy it until the next event taken. */
  readonly notFollow?: { readonly neg: Neg; readonly from: number };
  /** notNext passed after event `u`: event u + 1 must not satisfy it. */
  readonly notNext?: { readonly neg: Neg; readonly u: number };
}

/** Where the next event of a candidate would go. */
interface Slot {
  readonly leaf: Leaf;
  /** Events the stage already took in this run (0: the stage is being entered). */
  readonly iteration: number;
  readonly contiguity: Contiguity;
}

/** A partial match waiting in a slot: when it was made, when it dies, and its window. */
interface PartialRecord {
  readonly taken: readonly Taken[];
  readonly start: number;
  readonly last: number;
  /** Index of the first later event the slot cannot let pass (Infinity: none). */
  readonly death: number;
  /** When its window closes (Infinity: never). */
  readonly tau: number;
  /** A notFollowedBy at the end: released as a match when tau passes, not timed out. */
  readonly pending: boolean;
}

interface Candidate {
  readonly taken: readonly Taken[];
  readonly start: number;
  /** Step at which it completes (see the header). */
  readonly step: number;
}

/**
 * Every match of `stages` over `input` under `skip`, in emission order, and the timed-out partial
 * matches (as stage name -> input indices).
 */
export function referenceMatch<E>(
  stages: readonly StageSpec[],
  skip: AfterMatchSkipStrategy,
  input: readonly ReferenceInput<E>[],
  options: ReferenceOptions = {},
): ReferenceResult {
  const norm = normalize(stages);
  const finalTime = options.finalTime ?? Number.POSITIVE_INFINITY;
  const timed = norm.window !== Number.POSITIVE_INFINITY || hasPreviousAndCurrent(stages);
  for (let i = 1; timed && i < input.length; i++) {
    if (input[i].timestamp < input[i - 1].timestamp)
      throw new Error("referenceMatch: with a window, input timestamps must be non-decreasing");
  }
  if (skip.kind === "skip-to-first" || skip.kind === "skip-to-last") {
    if (!norm.names.includes(skip.stage))
      throw new UnsupportedByReference(`skip strategy names "${skip.stage}", not a positive stage`);
  }
  const search = new Search(norm, input, options);
  search.run();
  return emit(norm, effectiveStrategy(stages, skip), input, finalTime, search.candidates, search.partials);
}

function hasPreviousAndCurrent(stages: readonly StageSpec[]): boolean {
  return stages.some(
    (s) => s.previousAndCurrent !== undefined || (s.group !== undefined && hasPreviousAndCurrent(s.group)),
  );
}

function effectiveStrategy(
  stages: readonly StageSpec[],
  skip: AfterMatchSkipStrategy,
): AfterMatchSkipStrategy {
  const first = stages[0];
  if (
    skip.kind === "skip-to-first" &&
    !skip.throwOnMiss &&
    first.group === undefined &&
    first.name === skip.stage &&
    !first.quantifier.optional
  )
    return { kind: "no-skip" };
  return skip;
}

// ---- enumeration ----------------------------------------------------------------------------------

class Search<E> {
  readonly candidates: Candidate[] = [];
  readonly partials: PartialRecord[] = [];
  private readonly taken: Taken[] = [];
  private readonly ts: number[];
  private readonly n: number;
  private readonly now: (() => number) | undefined;
  private readonly budget: number;
  private readonly finalTime: number;
  private spent = 0;
  /** Rule 6: the last event taken satisfies a notFollowedBy in scope; only completing is left. */
  private ending = false;

  constructor(
    private readonly norm: Normalized,
    private readonly input: readonly ReferenceInput<E>[],
    options: ReferenceOptions,
  ) {
    this.ts = input.map((x) => x.timestamp);
    this.n = input.length;
    this.now = options.now;
    this.budget = options.budget ?? 2_000_000;
    this.finalTime = options.finalTime ?? Number.POSITIVE_INFINITY;
  }

  run(): void {
    this.visit(this.norm.nodes, 0, {}, undefined, (obl) => this.finish(obl));
  }

  private last(): number {
    const t = this.taken;
    return t.length === 0 ? -1 : t[t.length - 1].index;
  }

  // -- the recursion over the stage list: counts and events per stage, in pattern order --

  private visit(
    nodes: readonly Node[],
    pos: number,
    obl: Obligations,
    entry: Contiguity | undefined,
    k: (obl: Obligations) => void,
  ): void {
    if (pos === nodes.length) {
      k(obl);
      return;
    }
    const node = nodes[pos];
    const next = (o: Obligations) => this.visit(nodes, pos + 1, o, undefined, k);
    if (node.kind === "neg") {
      const at = this.last();
      next(
        node.type === "not-follow"
          ? { ...obl, notFollow: { neg: node, from: at } }
          : { ...obl, notNext: { neg: node, u: at } },
      );
      return;
    }
    const ownEntry = pos === 0 ? entry : undefined;
    if (node.kind === "leaf") this.leaf(node, ownEntry, obl, next);
    else this.group(node, ownEntry, obl, next);
  }

  private leaf(
    leaf: Leaf,
    entry: Contiguity | undefined,
    obl: Obligations,
    k: (o: Obligations) => void,
  ): void {
    if (leaf.optional) this.endLeaf(leaf, obl, k);
    this.takeOne({ leaf, iteration: 0, contiguity: entry ?? leaf.consuming }, obl, (o) =>
      this.afterIteration(leaf, 1, o, k),
    );
  }

  private afterIteration(leaf: Leaf, count: number, obl: Obligations, k: (o: Obligations) => void): void {
    if (count >= leaf.from) this.endLeaf(leaf, obl, k);
    if (count < leaf.to) {
      this.takeOne({ leaf, iteration: count, contiguity: leaf.inner }, obl, (o) =>
        this.afterIteration(leaf, count + 1, o, k),
      );
    }
  }

  private endLeaf(leaf: Leaf, obl: Obligations, k: (o: Obligations) => void): void {
    k(leaf.greedy ? { ...obl, guard: { leaf, after: this.last() } } : obl);
  }

  private group(
    group: Group,
    entry: Contiguity | undefined,
    obl: Obligations,
    k: (o: Obligations) => void,
  ): void {
    if (group.optional) k(obl);
    this.repetition(group, 0, entry ?? group.consuming, obl, k);
  }

  private repetition(
    group: Group,
    done: number,
    entry: Contiguity,
    obl: Obligations,
    k: (o: Obligations) => void,
  ): void {
    const before = this.taken.length;
    this.visit(group.children, 0, obl, entry, (o) => {
      if (this.taken.length === before) return; // a repetition takes at least one event
      const count = done + 1;
      if (count >= group.from) k(o);
      if (count < group.to) this.repetition(group, count, group.inner, o, k);
    });
  }

  // -- one event for one slot: rules 1, 3-8 --

  private takeOne(slot: Slot, obl: Obligations, k: (o: Obligations) => void): void {
    if (++this.spent > this.budget)
      throw new ReferenceBudgetExceeded(`more than ${this.budget} slots examined`);
    if (this.ending) return;
    const rules = this.rules(slot, obl);
    const taken = this.taken;
    const last = this.last();
    const first = taken.length === 0 ? -1 : taken[0].index;
    if (taken.length > 0) {
      this.partials.push({
        taken: taken.slice(),
        start: first,
        last,
        death: rules.death(),
        tau: this.windowEnd(first, last, slot.leaf.previousAndCurrent),
        pending: false,
      });
    }
    const cleared: Obligations = {};
    for (let j = last + 1; j < this.n; j++) {
      if (taken.length > 0) {
        if (j > last + 1 && !rules.passes(j - 1)) break;
        if (this.ts[j] - this.ts[first] >= this.norm.window) break;
        const pc = slot.leaf.previousAndCurrent;
        if (pc !== undefined && this.ts[j] - this.ts[last] >= pc) break;
      }
      if (!rules.takes(j)) continue;
      const ending = rules.ends(j);
      taken.push({ index: j, leaf: slot.leaf });
      this.ending = ending;
      k(cleared);
      this.ending = false;
      taken.pop();
    }
  }

  /** The end of the pattern is reached: rule 9. */
  private finish(obl: Obligations): void {
    const taken = this.taken;
    if (taken.length === 0) return;
    const first = taken[0].index;
    const last = this.last();
    const nodes = this.norm.nodes;
    const end = nodes[nodes.length - 1];
    const context = this.contextOf(taken);
    // rule 6: a match that ends in the pending or notNext state is not complete at its last event
    if (this.ending && end.kind === "neg") return;
    if (end.kind === "neg" && end.type === "not-next") {
      const u = (obl.notNext as { u: number }).u;
      const pc = end.previousAndCurrent;
      this.partials.push({
        taken: taken.slice(),
        start: first,
        last,
        death: u + 1,
        tau: this.windowEnd(first, u, pc),
        pending: false,
      });
      const c = u + 1;
      if (c >= this.n) return;
      if (this.ts[c] - this.ts[first] >= this.norm.window) return;
      if (pc !== undefined && this.ts[c] - this.ts[u] >= pc) return;
      if (this.holds(end.condition, c, context)) return;
      this.candidates.push({ taken: taken.slice(), start: first, step: 2 * c + 1 });
      return;
    }
    if (end.kind === "neg" && end.type === "not-follow") {
      const release = this.windowEnd(first, last, end.previousAndCurrent);
      const guard = obl.guard;
      const guardVoid = guard !== undefined && this.guardVoid(guard, last + 1, context);
      let death = Number.POSITIVE_INFINITY;
      for (let i = last + 1; i < this.n; i++) {
        const killed =
          this.holds(end.condition, i, context) ||
          (guard !== undefined && !guardVoid && this.holds(guard.leaf.condition, i, context));
        if (killed) {
          death = i;
          break;
        }
      }
      this.partials.push({ taken: taken.slice(), start: first, last, death, tau: release, pending: true });
      const k = this.firstAtOrAfter(release, last + 1);
      const reached = k < this.n || release <= this.finalTime;
      if (reached && death >= k) this.candidates.push({ taken: taken.slice(), start: first, step: 2 * k });
      return;
    }
    this.candidates.push({ taken: taken.slice(), start: first, step: 2 * last + 1 });
  }

  private windowEnd(first: number, last: number, previousAndCurrent: number | undefined): number {
    const byFirst = this.ts[first] + this.norm.window;
    const byPrevious =
      previousAndCurrent === undefined ? Number.POSITIVE_INFINITY : this.ts[last] + previousAndCurrent;
    return Math.min(byFirst, byPrevious);
  }

  /** Index of the first event from `from` on whose timestamp is >= time (n when none). */
  private firstAtOrAfter(time: number, from: number): number {
    for (let i = from; i < this.n; i++) if (this.ts[i] >= time) return i;
    return this.n;
  }

  /**
   * The rules for the slot's next event, given the candidate so far: `passes(i)` says event i may
   * lie between the candidate's last event and the slot's event, `takes(j)` that j may be the
   * slot's event (rules 1, 3-7; windows are checked by the caller), `death()` is the first event
   * after the candidate that may not pass.
   */
  private rules(slot: Slot, obl: Obligations) {
    const taken = this.taken;
    const last = this.last();
    const context = this.contextOf(taken);
    const leaf = slot.leaf;
    const entering = slot.iteration === 0;
    const holds = (c: AnyCondition | undefined, i: number) => this.holds(c, i, context);
    const satisfiesUntil = (i: number) => leaf.until !== undefined && holds(leaf.until, i);
    const guard = obl.guard;
    // rule 5: a greedy stage's restriction, unless its until condition holds right after it
    const guardVoidAtStart =
      guard !== undefined && guard.after >= 0 && this.guardVoid(guard, guard.after + 1, context);
    const guardBlocks = (i: number, j: number): boolean => {
      if (guard === undefined) return false;
      const voided = guard.after >= 0 ? guardVoidAtStart : this.guardVoid(guard, j, context);
      return !voided && holds(guard.leaf.condition, i);
    };
    // rule 7 for a loop before notNext: after an iteration that could end the stage
    const innerNotNext =
      !entering && leaf.after?.type === "not-next" && slot.iteration >= leaf.from ? leaf.after : undefined;
    // rule 6 for a loop before notFollowedBy: between and on its later iterations
    const innerNotFollow = !entering && leaf.after?.type === "not-follow" ? leaf.after : undefined;
    const notFollow = obl.notFollow?.neg ?? innerNotFollow;

    const passes = (i: number): boolean => {
      switch (slot.contiguity) {
        case "strict":
          return false;
        case "skip-till-next":
          if (holds(leaf.condition, i)) return false;
          if (!entering && satisfiesUntil(i)) return false;
          break;
        case "skip-till-any":
          if (!entering && satisfiesUntil(i)) return false;
          break;
      }
      if (guardBlocks(i, i)) return false;
      if (notFollow !== undefined && holds(notFollow.condition, i)) return false;
      if (obl.notNext !== undefined && i === obl.notNext.u + 1 && holds(obl.notNext.neg.condition, i))
        return false;
      if (innerNotNext !== undefined && i === last + 1 && holds(innerNotNext.condition, i)) return false;
      return true;
    };
    const takes = (j: number): boolean => {
      if (!holds(leaf.condition, j) || satisfiesUntil(j)) return false;
      if (guardBlocks(j, j)) return false;
      if (obl.notNext !== undefined && j === obl.notNext.u + 1 && holds(obl.notNext.neg.condition, j))
        return false;
      if (innerNotNext !== undefined && j === last + 1 && holds(innerNotNext.condition, j)) return false;
      return true;
    };
    const death = (): number => {
      for (let i = last + 1; i < this.n; i++) if (!passes(i)) return i;
      return Number.POSITIVE_INFINITY;
    };
    /** Rule 6: j, taken, satisfies X: the candidate may complete at j but goes no further. */
    const ends = (j: number): boolean => notFollow !== undefined && holds(notFollow.condition, j);
    return { passes, takes, death, ends };
  }

  /** Rule 5's exception: the greedy stage's until condition holds for event `at`. */
  private guardVoid(guard: { leaf: Leaf }, at: number, context: ContextFactory): boolean {
    const until = guard.leaf.until;
    return until !== undefined && at < this.n && this.holds(until, at, context);
  }

  private holds(condition: AnyCondition | undefined, i: number, context: ContextFactory): boolean {
    return condition === undefined || condition(this.input[i].event, context(i)) === true;
  }

  /** Contexts for conditions tested against events after `taken`: they see `taken`. */
  private contextOf(taken: readonly Taken[]): ContextFactory {
    let byStage: Map<string, E[]> | undefined;
    const events = (stage: string): readonly E[] => {
      if (byStage === undefined) {
        byStage = new Map();
        for (const t of taken) {
          const list = byStage.get(t.leaf.name);
          if (list === undefined) byStage.set(t.leaf.name, [this.input[t.index].event]);
          else list.push(this.input[t.index].event);
        }
      }
      return byStage.get(stage) ?? [];
    };
    const now = this.now;
    return (i: number): PatternContext<any> => {
      const timestamp = this.ts[i];
      return {
        events: events as PatternContext<any>["events"],
        timestamp: () => timestamp,
        currentProcessingTime: () => (now === undefined ? timestamp : now()),
      };
    };
  }
}

type ContextFactory = (i: number) => PatternContext<any>;

// ---- emission: steps, skip strategies, timeouts ---------------------------------------------------

function assignment(names: readonly string[], taken: readonly Taken[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const name of names) m.set(name, []);
  for (const t of taken) (m.get(t.leaf.name) as number[]).push(t.index);
  return m;
}

/** Queue order among matches with the same first event: indices position by position, then stages. */
export function compareTaken(a: readonly Taken[], b: readonly Taken[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i].index !== b[i].index) return a[i].index - b[i].index;
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < n; i++)
    if (a[i].leaf.order !== b[i].leaf.order) return a[i].leaf.order - b[i].leaf.order;
  return 0;
}

function emit<E>(
  norm: Normalized,
  strategy: AfterMatchSkipStrategy,
  input: readonly ReferenceInput<E>[],
  finalTime: number,
  candidates: readonly Candidate[],
  partials: readonly PartialRecord[],
): ReferenceResult {
  const n = input.length;
  const ts = input.map((x) => x.timestamp);
  const holdBack = strategy.kind !== "no-skip";
  const timeAt = (step: number): number =>
    step % 2 === 1 ? ts[(step - 1) / 2] : step / 2 < n ? ts[step / 2] : finalTime;
  /** Index of the last event processed by the end of `step`. */
  const processedAt = (step: number): number => (step % 2 === 1 ? (step - 1) / 2 : step / 2 - 1);
  /** The advance step at which time reaches `tau` (undefined: never). */
  const stepOfTime = (tau: number, after: number): number | undefined => {
    if (tau === Number.POSITIVE_INFINITY) return undefined;
    for (let i = after + 1; i < n; i++) if (ts[i] >= tau) return 2 * i;
    return tau <= finalTime ? 2 * n : undefined;
  };
  /** Step at which each first event was discarded by a skip strategy. */
  const prunedAt = new Map<number, number>();
  const isPruned = (start: number) => prunedAt.has(start);
  const alive = (p: PartialRecord, step: number): boolean =>
    2 * p.last + 1 <= step &&
    processedAt(step) < p.death &&
    (p.tau === Number.POSITIVE_INFINITY || timeAt(step) < p.tau) &&
    !isPruned(p.start);

  const byStep = new Map<number, Candidate[]>();
  for (const c of candidates) {
    const list = byStep.get(c.step);
    if (list === undefined) byStep.set(c.step, [c]);
    else list.push(c);
  }
  const timeoutsAt = new Map<number, PartialRecord[]>();
  for (const p of partials) {
    if (p.pending) continue;
    const step = stepOfTime(p.tau, p.last);
    if (step === undefined) continue;
    // alive right before that step: not dead by an event processed before it
    if (processedAt(step - 1) >= p.death) continue;
    const list = timeoutsAt.get(step);
    if (list === undefined) timeoutsAt.set(step, [p]);
    else list.push(p);
  }

  const matches: Array<Map<string, number[]>> = [];
  const timeouts: ReferenceTimeout[] = [];
  const seenTimeouts = new Set<string>();
  let queue: Candidate[] = [];
  const queueOrder = (a: Candidate, b: Candidate) => a.start - b.start || compareTaken(a.taken, b.taken);

  for (let step = 0; step <= 2 * n; step++) {
    for (const p of timeoutsAt.get(step) ?? []) {
      if (isPruned(p.start)) continue;
      const key = `${p.tau}|${p.taken.map((t) => `${t.leaf.name}:${t.index}`).join(",")}`;
      if (seenTimeouts.has(key)) continue;
      seenTimeouts.add(key);
      timeouts.push({ partial: assignment(norm.names, p.taken), timestamp: p.tau });
    }
    for (const c of byStep.get(step) ?? []) if (!isPruned(c.start)) queue.push(c);
    if (queue.length === 0) continue;
    queue.sort(queueOrder);
    while (queue.length > 0) {
      const head = queue[0];
      if (holdBack && partials.some((p) => p.start < head.start && alive(p, step))) break;
      queue.shift();
      const m = assignment(norm.names, head.taken);
      matches.push(m);
      const bound = pruningBound(strategy, m);
      if (bound === head.start && (strategy.kind === "skip-to-first" || strategy.kind === "skip-to-last")) {
        // FlinkCEP: skipping to the match's own first event would find the same match forever;
        // with errors on a miss asked for, that is an error too (without, it discards nothing)
        if (strategy.throwOnMiss) throw new SkipToOwnFirstEventError(strategy.stage);
      }
      if (bound !== undefined) {
        for (let s = 0; s < bound; s++) if (!prunedAt.has(s)) prunedAt.set(s, step);
        queue = queue.filter((c) => c.start >= bound);
      }
    }
  }
  timeouts.sort((a, b) => a.timestamp - b.timestamp || compareMaps(a.partial, b.partial));
  return { matches, timeouts };
}

function compareMaps(a: Map<string, number[]>, b: Map<string, number[]>): number {
  const x = JSON.stringify([...a]);
  const y = JSON.stringify([...b]);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** "stage=[i,j] other=[k]" with the stages in pattern order, empty ones left out. */
export function formatMatch(m: ReadonlyMap<string, readonly number[]>): string {
  const parts: string[] = [];
  for (const [name, ids] of m) if (ids.length > 0) parts.push(`${name}=[${ids.join(",")}]`);
  return parts.join(" ");
}

/**
 * Quantifiers: how many events a stage takes (one, `times(n, m)`, or a loop with
 * `oneOrMore`/`timesOrMore`), whether it may take none (`optional`), whether a loop takes all it
 * can (`greedy`), and the contiguity between the events of a loop.
 */

/** Contiguity inside a looping or times stage. */
export type InnerConsuming = "strict" | "skip-till-next" | "skip-till-any";

export interface Quantifier {
  readonly kind: "single" | "times" | "looping";
  /** Fewest events the stage takes (after `optional`, also zero). */
  readonly from: number;
  /** Most events the stage takes: Infinity for looping stages. */
  readonly to: number;
  readonly optional: boolean;
  readonly greedy: boolean;
  /** Contiguity between the events of a looping or times stage. */
  readonly inner: InnerConsuming;
}

/** One event: the quantifier of a stage nothing has quantified. */
export const SINGLE: Quantifier = {
  kind: "single",
  from: 1,
  to: 1,
  optional: false,
  greedy: false,
  inner: "skip-till-next",
};

/** The quantifier as the builder calls that make it, for descriptions. */
export function describeQuantifier(q: Quantifier): string {
  let text = "";
  if (q.kind === "looping") text = q.from === 1 ? ".oneOrMore()" : `.timesOrMore(${q.from})`;
  else if (q.kind === "times") text = q.from === q.to ? `.times(${q.from})` : `.times(${q.from}, ${q.to})`;
  if (q.optional) text += ".optional()";
  if (q.greedy) text += ".greedy()";
  if (q.kind !== "single" && q.inner === "strict") text += ".consecutive()";
  if (q.kind !== "single" && q.inner === "skip-till-any") text += ".allowCombinations()";
  return text;
}

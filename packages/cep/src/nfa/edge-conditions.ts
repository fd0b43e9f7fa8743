/**
 * The conditions on the NFA's edges, made from the stages' conditions: negation (which keeps the
 * condition it negates, so the runner evaluates the user's function once), conjunction, and the
 * `until` of a loop folded into its take and ignore edges. undefined means "always".
 */
import type { AnyCondition } from "../pattern/stage-spec.ts";

/** The condition of an edge that always holds. */
export const TRUE: AnyCondition | undefined = undefined;

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

export function andAll(a: AnyCondition | undefined, b: AnyCondition | undefined): AnyCondition | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return (event, context) => a(event, context) && b(event, context);
}

/** A take (or proceed) condition that also requires the loop's `until` not to hold. */
export function extendTake(
  condition: AnyCondition | undefined,
  until: AnyCondition | undefined,
): AnyCondition | undefined {
  return until === undefined ? condition : andAll(not(until), condition);
}

/** An ignore condition (null = no IGNORE edge) that also requires `until` not to hold. */
export function extendIgnore(
  condition: AnyCondition | undefined | null,
  until: AnyCondition | undefined,
): AnyCondition | undefined | null {
  return until === undefined || condition === null ? condition : andAll(not(until), condition);
}

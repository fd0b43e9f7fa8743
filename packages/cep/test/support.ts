/**
 * Shared helpers for the CEP example tests (flink-semantics, docs-examples): a small event type,
 * a compact way to write inputs and expected matches, and comparisons that print readable diffs.
 *
 * Events carry a `label`; a match is compared as "stage=[label,...]" per positive stage, in the
 * pattern's stage order, so a failure shows which stage got which events. Matches are compared as
 * multisets unless a test asks for the emission order. Events that FlinkCEP's tests treat as equal
 * (same name, price and timestamp) share a label here.
 */
import assert from "node:assert/strict";
import type { Pattern } from "@eddy/cep";
import { runSequence } from "@eddy/cep/testing";
import { stageNames } from "../src/pattern/stage-spec.ts";

export interface Ev {
  readonly label: string;
  readonly name: string;
  readonly price: number;
  /** Present on sub-events only (FlinkCEP's SubEvent). */
  readonly volume?: number;
}

export interface SubEv extends Ev {
  readonly volume: number;
}

export const isSub = (e: Ev): e is SubEv => e.volume !== undefined;

/** An event; the name defaults to the label's letters ("a1" -> "a"). */
export function ev(label: string, name?: string, price = 0, volume?: number): Ev {
  const n = name ?? label.replace(/[0-9]+$/, "");
  return volume === undefined ? { label, name: n, price } : { label, name: n, price, volume };
}

export const sub = (label: string, name: string, price: number, volume: number): SubEv =>
  ev(label, name, price, volume) as SubEv;

/** Input: [event, timestamp] pairs, processed in the order given. */
export type Feed = ReadonlyArray<readonly [Ev, number]>;

/** Events at timestamps 1, 2, 3, ... */
export const inOrder = (...events: Ev[]): Feed => events.map((e, i) => [e, i + 1] as const);

export const named =
  (name: string) =>
  (e: Ev): boolean =>
    e.name === name;
export const nameContains =
  (s: string) =>
  (e: Ev): boolean =>
    e.name.includes(s);

/** An expected match: stage -> space-separated labels. Stages left out hold no events. */
export type Expected = Readonly<Record<string, string>>;

type AnyPattern = Pattern<any, any, any, any>;
export type RunResult = ReturnType<typeof runSequence<Ev>>;

export function run(pattern: AnyPattern, feed: Feed, options?: { finalTime?: number }): RunResult {
  const input = feed.map(([event, timestamp]) => ({ event, timestamp }));
  return runSequence<Ev>(pattern, input, options);
}

function render(
  names: readonly string[],
  match: Readonly<Record<string, readonly Ev[] | undefined>>,
  skipEmpty: boolean,
): string {
  const parts: string[] = [];
  for (const name of names) {
    const events = match[name];
    if (events === undefined) {
      if (!skipEmpty) parts.push(`${name}=<missing>`);
      continue;
    }
    if (skipEmpty && events.length === 0) continue;
    parts.push(`${name}=[${events.map((e) => e.label).join(",")}]`);
  }
  for (const key of Object.keys(match)) if (!names.includes(key)) parts.push(`${key}=<unexpected key>`);
  return parts.join(" ");
}

function renderExpected(names: readonly string[], expected: Expected, skipEmpty: boolean): string {
  for (const key of Object.keys(expected)) {
    if (!names.includes(key))
      throw new Error(`test bug: expected stage "${key}" is not a stage of the pattern`);
  }
  const match: Record<string, Ev[]> = {};
  for (const name of names) {
    const labels = (expected[name] ?? "").split(/\s+/).filter((l) => l.length > 0);
    match[name] = labels.map((label) => ({ label, name: "", price: 0 }));
  }
  return render(names, match, skipEmpty);
}

export const canonicalMatches = (
  pattern: AnyPattern,
  matches: ReadonlyArray<Readonly<Record<string, readonly Ev[]>>>,
): string[] => {
  const names = stageNames(pattern.stages);
  return matches.map((m) => render(names, m as Record<string, Ev[]>, false));
};

export const canonicalExpected = (pattern: AnyPattern, expected: readonly Expected[]): string[] => {
  const names = stageNames(pattern.stages);
  return expected.map((e) => renderExpected(names, e, false));
};

const sorted = (xs: string[]): string[] => [...xs].sort();

/** Runs the pattern and compares its matches, as a multiset, with `expected`. */
export function expectMatches(
  pattern: AnyPattern,
  feed: Feed,
  expected: readonly Expected[],
  options?: { finalTime?: number },
): RunResult {
  const result = run(pattern, feed, options);
  assert.deepEqual(
    sorted(canonicalMatches(pattern, result.matches)),
    sorted(canonicalExpected(pattern, expected)),
    `matches of ${pattern.toString()}`,
  );
  return result;
}

/** Runs the pattern and compares its matches, in emission order, with `expected`. */
export function expectMatchesInOrder(
  pattern: AnyPattern,
  feed: Feed,
  expected: readonly Expected[],
  options?: { finalTime?: number },
): RunResult {
  const result = run(pattern, feed, options);
  assert.deepEqual(
    canonicalMatches(pattern, result.matches),
    canonicalExpected(pattern, expected),
    `matches (in order) of ${pattern.toString()}`,
  );
  return result;
}

/** Compares the timed-out partial matches, as a multiset: [partial, timeout timestamp]. */
export function expectTimeouts(
  pattern: AnyPattern,
  result: RunResult,
  expected: ReadonlyArray<readonly [Expected, number]>,
): void {
  const names = stageNames(pattern.stages);
  const actual = result.timeouts.map(
    (t) => `${render(names, t.partial as Record<string, Ev[]>, true)} @${t.timestamp}`,
  );
  const wanted = expected.map(([e, ts]) => `${renderExpected(names, e, true)} @${ts}`);
  assert.deepEqual(sorted(actual), sorted(wanted), `timed-out partial matches of ${pattern.toString()}`);
}

/** Every subset of `items` (as arrays, order kept), the empty one included. */
export function subsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 0; mask < 1 << items.length; mask++)
    out.push(items.filter((_, i) => (mask & (1 << i)) !== 0));
  return out;
}

/**
 * Property tests: for random small patterns and random streams, the NFA (through runSequence)
 * gives exactly the matches, in the same emission order, and the same timed-out partial matches
 * as the brute-force reference matcher (reference-matcher.ts), for every after-match skip
 * strategy.
 *
 * Patterns have 1-4 stages over events {id, kind: a|b|c, value: 0..3}: every contiguity, single /
 * times(n) / times(n, m) / oneOrMore / timesOrMore stages, optional, greedy, consecutive and
 * allowCombinations, until, notNext / notFollowedBy where the API allows them, within of both
 * types, and now and then a group; conditions on the kind and value, including iterative ones
 * (value above the last event of an earlier stage, or of the stage itself). Streams have 0-12
 * events with non-decreasing timestamps. Patterns the API or the compiler rejects, and the few
 * combinations the reference matcher does not define, are skipped (and counted: see the test's
 * diagnostics).
 *
 * The families below draw from the same generator with features switched on or off, so that a
 * failure says which area it is in. A failure prints the shrunk case: the pattern with its
 * conditions, the input, the skip strategy, and both outputs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AfterMatchSkipStrategy,
  type Condition,
  describeSkipStrategy,
  MalformedPatternError,
  noSkip,
  Pattern,
  skipPastLastEvent,
  skipToFirst,
  skipToLast,
  skipToNext,
  type WithinType,
} from "@eddy/cep";
import { runSequence } from "@eddy/cep/testing";
import fc from "fast-check";
import { stageNames } from "../src/pattern/stage-spec.ts";
import {
  formatMatch,
  ReferenceBudgetExceeded,
  referenceMatch,
  UnsupportedByReference,
} from "./reference-matcher.ts";

// ---- events ---------------------------------------------------------------------------------------

const KINDS = ["a", "b", "c"] as const;
type Kind = (typeof KINDS)[number];

interface Ev {
  readonly id: number;
  readonly kind: Kind;
  readonly value: number;
}

type Input = Array<{ event: Ev; timestamp: number }>;

const inputArb = (maxLength: number): fc.Arbitrary<Input> =>
  fc
    .array(
      fc.record({
        kind: fc.constantFrom(...KINDS),
        value: fc.integer({ min: 0, max: 3 }),
        gap: fc.integer({ min: 0, max: 3 }),
      }),
      { maxLength },
    )
    .map((raw) => {
      let ts = 0;
      return raw.map((r, id) => {
        ts += r.gap;
        return { event: { id, kind: r.kind, value: r.value }, timestamp: ts };
      });
    });

// ---- conditions -------------------------------------------------------------------------------------

/**
 * A condition as data, so that a counterexample prints readably. `ref` picks the stage an
 * iterative condition looks at: the stage `ref` positions before this one (0 = itself).
 */
type CondSpec =
  | { readonly k: "kind"; readonly kind: Kind }
  | { readonly k: "notKind"; readonly kind: Kind }
  | { readonly k: "true" }
  | { readonly k: "valueAtLeast"; readonly v: number }
  | { readonly k: "kindAboveLast"; readonly kind: Kind; readonly ref: number };

const condArb: fc.Arbitrary<CondSpec> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KINDS).map((kind) => ({ k: "kind", kind }) as const) },
  { weight: 1, arbitrary: fc.constantFrom(...KINDS).map((kind) => ({ k: "notKind", kind }) as const) },
  { weight: 1, arbitrary: fc.constant({ k: "true" } as const) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 3 }).map((v) => ({ k: "valueAtLeast", v }) as const),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ kind: fc.constantFrom(...KINDS), ref: fc.integer({ min: 0, max: 2 }) })
      .map((r) => ({ k: "kindAboveLast", ...r }) as const),
  },
);

const untilArb: fc.Arbitrary<CondSpec> = fc.oneof(
  fc.constantFrom(...KINDS).map((kind) => ({ k: "kind", kind }) as const),
  fc.integer({ min: 2, max: 3 }).map((v) => ({ k: "valueAtLeast", v }) as const),
);

interface BuiltCondition {
  readonly fn: Condition<Ev, any>;
  readonly text: string;
}

function condition(spec: CondSpec, refName: string): BuiltCondition {
  switch (spec.k) {
    case "kind":
      return { fn: (e) => e.kind === spec.kind, text: `kind=${spec.kind}` };
    case "notKind":
      return { fn: (e) => e.kind !== spec.kind, text: `kind!=${spec.kind}` };
    case "true":
      return { fn: () => true, text: "true" };
    case "valueAtLeast":
      return { fn: (e) => e.value >= spec.v, text: `value>=${spec.v}` };
    case "kindAboveLast":
      return {
        fn: (e, ctx) => {
          if (e.kind !== spec.kind) return false;
          const earlier = ctx.events(refName) as readonly Ev[];
          return earlier.length === 0 || e.value > earlier[earlier.length - 1].value;
        },
        text: `kind=${spec.kind} && value>last(${refName})`,
      };
  }
}

// ---- patterns as data ---------------------------------------------------------------------------------

type Link = "next" | "followedBy" | "followedByAny";
type QuantKind = "single" | "times" | "timesRange" | "oneOrMore" | "timesOrMore";
type Inner = "relaxed" | "consecutive" | "combinations";

interface Within {
  readonly ms: number;
  readonly type: WithinType;
}

interface PosRecipe {
  readonly type: "pos";
  readonly link: Link;
  readonly cond: CondSpec;
  readonly quant: QuantKind;
  readonly n: number;
  readonly extra: number;
  readonly optional: boolean;
  readonly greedy: boolean;
  readonly inner: Inner;
  readonly until: CondSpec | undefined;
  readonly within: Within | undefined;
}

interface NegRecipe {
  readonly type: "neg";
  readonly kind: "notNext" | "notFollowedBy";
  readonly cond: CondSpec;
  readonly within: Within | undefined;
}

interface GroupRecipe {
  readonly type: "group";
  readonly link: Link;
  readonly first: CondSpec;
  readonly secondLink: Link;
  readonly second: CondSpec;
  readonly secondLoop: boolean;
  readonly quant: "single" | "times" | "timesRange" | "oneOrMore";
  readonly optional: boolean;
  readonly inner: Inner;
  readonly within: Within | undefined;
}

type StageRecipe = PosRecipe | NegRecipe | GroupRecipe;

interface Features {
  readonly negation: boolean;
  readonly windows: boolean;
  readonly groups: boolean;
  readonly maxStages: number;
  readonly maxEvents: number;
}

/** true about once in `n` draws. */
const oneIn = (n: number): fc.Arbitrary<boolean> => fc.integer({ min: 1, max: n }).map((x) => x === 1);

/** A value about once in `n` draws, else undefined. */
const sometimes = <T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

const linkArb = fc.constantFrom<Link>("next", "followedBy", "followedByAny");
const innerArb = fc.constantFrom<Inner>("relaxed", "relaxed", "consecutive", "combinations");

const withinArb = (enabled: boolean): fc.Arbitrary<Within | undefined> =>
  enabled
    ? sometimes(
        fc.oneof(
          fc.record({ ms: fc.integer({ min: 3, max: 9 }), type: fc.constant<WithinType>("first-and-last") }),
          fc.record({
            ms: fc.integer({ min: 1, max: 3 }),
            type: fc.constant<WithinType>("previous-and-current"),
          }),
        ),
        2,
      )
    : fc.constant(undefined);

const posArb = (f: Features): fc.Arbitrary<PosRecipe> =>
  fc.record({
    type: fc.constant("pos" as const),
    link: linkArb,
    cond: condArb,
    quant: fc.constantFrom<QuantKind>(
      "single",
      "single",
      "single",
      "times",
      "timesRange",
      "oneOrMore",
      "timesOrMore",
    ),
    n: fc.integer({ min: 1, max: 2 }),
    extra: fc.integer({ min: 1, max: 2 }),
    optional: oneIn(4),
    greedy: oneIn(5),
    inner: innerArb,
    until: sometimes(untilArb, 4),
    within: withinArb(f.windows),
  });

const negArb = (f: Features): fc.Arbitrary<NegRecipe> =>
  fc.record({
    type: fc.constant("neg" as const),
    kind: fc.constantFrom<"notNext" | "notFollowedBy">("notNext", "notFollowedBy"),
    cond: condArb,
    within: withinArb(f.windows),
  });

const groupArb = (f: Features): fc.Arbitrary<GroupRecipe> =>
  fc.record({
    type: fc.constant("group" as const),
    link: linkArb,
    first: condArb,
    secondLink: linkArb,
    second: condArb,
    secondLoop: oneIn(4),
    quant: fc.constantFrom<GroupRecipe["quant"]>("single", "single", "times", "timesRange", "oneOrMore"),
    optional: oneIn(4),
    inner: innerArb,
    within: withinArb(f.windows),
  });

const stageArb = (f: Features): fc.Arbitrary<StageRecipe> =>
  fc.oneof(
    { weight: 10, arbitrary: posArb(f) },
    { weight: f.negation ? 4 : 0, arbitrary: negArb(f) },
    { weight: f.groups ? 3 : 0, arbitrary: groupArb(f) },
  );

interface Case {
  readonly stages: readonly StageRecipe[];
  readonly input: Input;
  readonly skipStage: number;
  readonly finalTime: number | undefined;
}

const isSingleLeaf = (s: StageRecipe | undefined): boolean =>
  s !== undefined && s.type === "pos" && s.quant === "single" && !s.optional;

/**
 * Makes a drawn list of stages mostly valid: the first stage positive; a negation only after a
 * positive stage that is not optional; previous-and-current windows only where what they bound
 * is unambiguous (a single, mandatory stage right after another one, or a notFollowedBy at the
 * end after one); a window on a notFollowedBy at the end. What remains invalid is rejected by
 * the API and skipped.
 */
function tidy(drawn: readonly StageRecipe[], f: Features): StageRecipe[] {
  const out: StageRecipe[] = [];
  for (const s of drawn) {
    const before = out[out.length - 1];
    if (s.type === "neg") {
      const ok =
        before !== undefined &&
        before.type !== "neg" &&
        !(before.type === "pos" && before.optional) &&
        !(before.type === "group" && (before.optional || before.quant !== "single"));
      if (!ok) continue;
    }
    out.push(s);
  }
  if (out.length === 0 || out[0].type === "neg") return [];
  const fixed = out.map((s, i): StageRecipe => {
    if (s.within?.type !== "previous-and-current") return s;
    const atEndNotFollow = s.type === "neg" && s.kind === "notFollowedBy" && i === out.length - 1;
    const ok = i > 0 && isSingleLeaf(out[i - 1]) && (isSingleLeaf(s) || atEndNotFollow);
    return ok ? s : { ...s, within: { ms: s.within.ms + 3, type: "first-and-last" } };
  });
  const last = fixed[fixed.length - 1];
  if (last.type === "neg" && last.kind === "notFollowedBy" && last.within === undefined) {
    const hasWindow = fixed.some((s) => s.within?.type === "first-and-last");
    if (!hasWindow || !f.windows)
      fixed[fixed.length - 1] = { ...last, within: { ms: 5, type: "first-and-last" } };
  }
  return fixed;
}

const caseArb = (f: Features): fc.Arbitrary<Case> =>
  fc
    .record({
      stages: fc.array(stageArb(f), { minLength: 1, maxLength: f.maxStages }),
      input: inputArb(f.maxEvents),
      skipStage: fc.nat(),
      finalTime: sometimes(fc.integer({ min: 0, max: 6 }), 3),
    })
    .map((r) => {
      const stages = tidy(r.stages, f);
      const lastTs = r.input.length === 0 ? 0 : r.input[r.input.length - 1].timestamp;
      return {
        stages,
        input: r.input,
        skipStage: r.skipStage,
        finalTime: r.finalTime === undefined ? undefined : lastTs + r.finalTime,
      };
    })
    .filter((c) => c.stages.length > 0)
    .map((c) => Object.assign(c, { [fc.toStringMethod]: () => describeCase(c) }));

/** How fast-check prints a counterexample. */
function describeCase(c: Case): string {
  let text: string;
  try {
    text = build(c.stages).text;
  } catch (e) {
    text = `(rejected: ${(e as Error).message})`;
  }
  return [
    "",
    `  pattern:    ${text}`,
    `  input:      ${formatInput(c.input)}   (index:kind value @timestamp)`,
    `  final time: ${c.finalTime ?? "+Infinity"}`,
    `  skipToFirst/skipToLast stage index: ${c.skipStage} (modulo the number of stages)`,
    "",
  ].join("\n");
}

// ---- building the pattern --------------------------------------------------------------------------

interface Built {
  readonly pattern: Pattern<Ev, any, any, any>;
  /** The pattern with its conditions, for messages. */
  readonly text: string;
}

function build(stages: readonly StageRecipe[]): Built {
  const names = stages.map((_, i) => `s${i}`);
  // an iterative condition refers to a positive stage at or before its own
  const refName = (i: number, ref: number): string => {
    for (let j = Math.max(0, i - ref); j <= i; j++) {
      const s = stages[j];
      if (s.type === "pos") return names[j];
    }
    return names[i];
  };
  const texts: string[] = [];
  let p: any;
  stages.forEach((s, i) => {
    const name = names[i];
    let text: string;
    if (s.type === "group") {
      const g1 = `${name}a`;
      const g2 = `${name}b`;
      const c1 = condition(s.first.k === "kindAboveLast" ? { k: "kind", kind: s.first.kind } : s.first, g1);
      const c2 = condition(s.second, s.second.k === "kindAboveLast" ? g1 : g2);
      let inner: any = Pattern.begin<Ev>(g1).where(c1.fn);
      inner = inner[s.secondLink](g2).where(c2.fn);
      let innerText = `begin("${g1}").where(${c1.text}).${s.secondLink}("${g2}").where(${c2.text})`;
      if (s.secondLoop) {
        inner = inner.oneOrMore();
        innerText += ".oneOrMore()";
      }
      if (i === 0) p = Pattern.beginGroup(inner);
      else
        p =
          s.link === "next"
            ? p.nextGroup(inner)
            : s.link === "followedBy"
              ? p.followedByGroup(inner)
              : p.followedByAnyGroup(inner);
      text = `${i === 0 ? "beginGroup" : `${s.link}Group`}(${innerText})`;
      const q = applyQuantifier(p, s.quant, 2, 1, s.optional, false, s.inner, s.quant !== "single");
      p = q.pattern;
      text += q.text;
    } else if (s.type === "neg") {
      const c = condition(s.cond, refName(i, s.cond.k === "kindAboveLast" ? s.cond.ref : 0));
      p = s.kind === "notNext" ? p.notNext(name) : p.notFollowedBy(name);
      p = p.where(c.fn);
      text = `${s.kind}("${name}").where(${c.text})`;
    } else {
      const c = condition(s.cond, refName(i, s.cond.k === "kindAboveLast" ? s.cond.ref : 0));
      p = i === 0 ? Pattern.begin<Ev>(name) : p[s.link](name);
      p = p.where(c.fn);
      text = `${i === 0 ? "begin" : s.link}("${name}").where(${c.text})`;
      const q = applyQuantifier(p, s.quant, s.n, s.extra, s.optional, s.greedy, s.inner, true);
      p = q.pattern;
      text += q.text;
      if (s.until !== undefined && s.quant !== "single") {
        const u = condition(s.until, name);
        if (s.quant === "oneOrMore" || s.quant === "timesOrMore") {
          p = p.until(u.fn);
          text += `.until(${u.text})`;
        }
      }
    }
    if (s.within !== undefined) {
      p = p.within(s.within.ms, s.within.type);
      text += `.within(${s.within.ms}${s.within.type === "previous-and-current" ? ', "previous-and-current"' : ""})`;
    }
    texts.push(text);
  });
  return { pattern: p, text: texts.join(".") };
}

function applyQuantifier(
  p: any,
  quant: QuantKind,
  n: number,
  extra: number,
  optional: boolean,
  greedy: boolean,
  inner: Inner,
  innerApplies: boolean,
): { pattern: any; text: string } {
  let text = "";
  switch (quant) {
    case "single":
      break;
    case "times":
      p = p.times(n);
      text += `.times(${n})`;
      break;
    case "timesRange":
      p = p.times(n, n + extra);
      text += `.times(${n}, ${n + extra})`;
      break;
    case "oneOrMore":
      p = p.oneOrMore();
      text += ".oneOrMore()";
      break;
    case "timesOrMore":
      p = p.timesOrMore(n);
      text += `.timesOrMore(${n})`;
      break;
  }
  if (optional) {
    p = p.optional();
    text += ".optional()";
  }
  if (quant !== "single" && innerApplies) {
    if (inner === "consecutive") {
      p = p.consecutive();
      text += ".consecutive()";
    } else if (inner === "combinations") {
      p = p.allowCombinations();
      text += ".allowCombinations()";
    }
  }
  if (greedy && quant !== "single") {
    p = p.greedy();
    text += ".greedy()";
  }
  return { pattern: p, text };
}

// ---- running and comparing ---------------------------------------------------------------------------

function strategies(pattern: Pattern<Ev, any, any, any>, skipStage: number): AfterMatchSkipStrategy[] {
  const names = stageNames(pattern.stages);
  const stage = names[skipStage % names.length];
  return [noSkip(), skipToNext(), skipPastLastEvent(), skipToFirst(stage), skipToLast(stage)];
}

const formatInput = (input: Input): string =>
  input.length === 0
    ? "(none)"
    : input.map((x) => `${x.event.id}:${x.event.kind}${x.event.value}@${x.timestamp}`).join(" ");

function toIds(names: readonly string[], match: Record<string, Ev[]>, what: string): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const name of names) {
    const events = match[name];
    assert.ok(Array.isArray(events), `${what} has no key for stage "${name}": ${JSON.stringify(match)}`);
    m.set(
      name,
      events.map((e) => e.id),
    );
  }
  for (const key of Object.keys(match))
    assert.ok(names.includes(key), `${what} has an unexpected key "${key}"`);
  return m;
}

interface Stats {
  cases: number;
  rejected: number;
  unsupported: number;
  tooBig: number;
  compared: number;
  withMatches: number;
  withTimeouts: number;
}

const newStats = (): Stats => ({
  cases: 0,
  rejected: 0,
  unsupported: 0,
  tooBig: 0,
  compared: 0,
  withMatches: 0,
  withTimeouts: 0,
});

function check(c: Case, stats: Stats): void {
  stats.cases++;
  let built: Built;
  try {
    built = build(c.stages);
  } catch (e) {
    if (e instanceof MalformedPatternError) {
      stats.rejected++;
      return;
    }
    throw e;
  }
  const names = stageNames(built.pattern.stages);
  const options = c.finalTime === undefined ? {} : { finalTime: c.finalTime };
  for (const strategy of strategies(built.pattern, c.skipStage)) {
    const pattern = built.pattern.withSkipStrategy(strategy);
    let reference: ReturnType<typeof referenceMatch>;
    try {
      reference = referenceMatch(pattern.stages, pattern.skipStrategy, c.input, {
        ...options,
        budget: 300_000,
      });
    } catch (e) {
      if (e instanceof UnsupportedByReference) {
        stats.unsupported++;
        return;
      }
      if (e instanceof ReferenceBudgetExceeded) {
        stats.tooBig++;
        return;
      }
      throw e;
    }
    let nfa: ReturnType<typeof runSequence<Ev>>;
    try {
      nfa = runSequence(pattern, c.input, options);
    } catch (e) {
      if (e instanceof MalformedPatternError) {
        stats.rejected++;
        return;
      }
      throw e;
    }
    stats.compared++;
    if (reference.matches.length > 0) stats.withMatches++;
    if (reference.timeouts.length > 0) stats.withTimeouts++;

    const nfaMatches = nfa.matches.map((m) =>
      formatMatch(toIds(names, m as Record<string, Ev[]>, "an NFA match")),
    );
    const refMatches = reference.matches.map(formatMatch);
    const nfaTimeouts = nfa.timeouts
      .map(
        (t) => `${formatMatch(toIds(names, t.partial as Record<string, Ev[]>, "a timeout"))} @${t.timestamp}`,
      )
      .sort();
    const refTimeouts = reference.timeouts.map((t) => `${formatMatch(t.partial)} @${t.timestamp}`).sort();

    const sameMatches = JSON.stringify(nfaMatches) === JSON.stringify(refMatches);
    const sameTimeouts = JSON.stringify(nfaTimeouts) === JSON.stringify(refTimeouts);
    if (sameMatches && sameTimeouts) continue;
    const sameSet = JSON.stringify([...nfaMatches].sort()) === JSON.stringify([...refMatches].sort());
    const what = !sameMatches
      ? sameSet
        ? "the same matches in another order"
        : "different matches"
      : "different timeouts";
    const list = (xs: string[]) => (xs.length === 0 ? "    (none)" : xs.map((x) => `    ${x}`).join("\n"));
    assert.fail(
      [
        `NFA and reference matcher disagree: ${what}`,
        `  pattern:  ${built.text}`,
        `  skip:     ${describeSkipStrategy(strategy)}`,
        `  input:    ${formatInput(c.input)}   (index:kind value @timestamp)`,
        `  final time: ${c.finalTime ?? "+Infinity"}`,
        "  NFA matches (emission order):",
        list(nfaMatches),
        "  reference matches (emission order):",
        list(refMatches),
        "  NFA timeouts:",
        list(nfaTimeouts),
        "  reference timeouts:",
        list(refTimeouts),
      ].join("\n"),
    );
  }
}

function property(name: string, f: Features, numRuns: number): void {
  it(name, (t) => {
    const stats = newStats();
    fc.assert(
      fc.property(caseArb(f), (c) => check(c, stats)),
      { numRuns, endOnFailure: false },
    );
    t.diagnostic(
      `${stats.cases} cases: ${stats.compared} (case, skip strategy) runs compared, ${stats.withMatches} with matches, ${stats.withTimeouts} with timeouts; skipped ${stats.rejected} rejected patterns, ${stats.unsupported} unsupported by the reference, ${stats.tooBig} too big`,
    );
  });
}

describe("NFA vs reference matcher (fast-check)", () => {
  const base = { maxStages: 4, maxEvents: 12 };
  property(
    "contiguity, quantifiers, optional, greedy, until, iterative conditions",
    { ...base, negation: false, windows: false, groups: false },
    500,
  );
  property("with notNext and notFollowedBy", { ...base, negation: true, windows: false, groups: false }, 500);
  property(
    "with within (both types) and timeouts",
    { ...base, negation: true, windows: true, groups: false },
    500,
  );
  property("with groups", { ...base, negation: true, windows: true, groups: true }, 400);
});

// ---- the disagreements found so far, as fixed cases ---------------------------------------------------

const pos = (p: Partial<PosRecipe> & { cond: CondSpec }): PosRecipe => ({
  type: "pos",
  link: "followedBy",
  quant: "single",
  n: 1,
  extra: 1,
  optional: false,
  greedy: false,
  inner: "relaxed",
  until: undefined,
  within: undefined,
  ...p,
});
const neg = (kind: NegRecipe["kind"], cond: CondSpec, within?: Within): NegRecipe => ({
  type: "neg",
  kind,
  cond,
  within,
});
const kindIs = (kind: Kind): CondSpec => ({ k: "kind", kind });
const atLeast = (v: number): CondSpec => ({ k: "valueAtLeast", v });

/** "a0@0 c2@1": kind, value, timestamp (default: the position). */
function inputOf(spec: string): Input {
  return spec.split(" ").map((token, id) => {
    const [body, at] = token.split("@");
    return {
      event: { id, kind: body[0] as Kind, value: Number(body.slice(1)) },
      timestamp: at === undefined ? id : Number(at),
    };
  });
}

/**
 * Each case was found by the properties above, shrunk, and checked against FlinkCEP's sources and
 * tests: the reference matcher's answer is the one the documented semantics give (see the
 * "Where this differs from FlinkCEP's NFA" notes in reference-matcher.ts). They fail until the
 * NFA follows the rule named in the test.
 */
describe("NFA vs reference matcher: disagreements found (fixed cases)", () => {
  const fixed = (name: string, c: Omit<Case, "skipStage" | "finalTime"> & Partial<Case>) =>
    it(name, () => check({ skipStage: 0, finalTime: undefined, ...c }, newStats()));

  fixed("a loop before notFollowedBy at the end is released when the window passes, with no event after it", {
    stages: [
      pos({ cond: kindIs("a"), quant: "oneOrMore" }),
      neg("notFollowedBy", kindIs("b"), { ms: 5, type: "first-and-last" }),
    ],
    input: inputOf("a0@0"),
  });

  fixed(
    "notFollowedBy after times(1, 2): the negated event between the iterations kills, even after an ignored event",
    {
      stages: [
        pos({ cond: kindIs("a"), quant: "timesRange", n: 1, extra: 1 }),
        neg("notFollowedBy", kindIs("b")),
        pos({ cond: atLeast(2) }),
      ],
      input: inputOf("a0 c0 b0 a0 c2"),
    },
  );

  fixed(
    "times(1, 2) after notFollowedBy: the negated event after its first event does not count, even after an ignored event",
    {
      stages: [
        pos({ cond: kindIs("a") }),
        neg("notFollowedBy", kindIs("b")),
        pos({ cond: kindIs("c"), quant: "timesRange", n: 1, extra: 1 }),
        pos({ cond: atLeast(2) }),
      ],
      input: inputOf("a0 c0 a0 b0 c0 a2"),
    },
  );

  fixed("an optional greedy loop after notFollowedBy, skipped: greedy still applies", {
    stages: [
      pos({ cond: kindIs("a") }),
      neg("notFollowedBy", kindIs("a")),
      pos({
        link: "next",
        cond: { k: "notKind", kind: "a" },
        quant: "timesOrMore",
        n: 1,
        optional: true,
        greedy: true,
      }),
      pos({ cond: kindIs("a") }),
    ],
    input: inputOf("a0 c0 a0"),
  });

  fixed(
    "an optional greedy loop with until after notFollowedBy, at the end: skipping it completes the match",
    {
      stages: [
        pos({ cond: kindIs("b") }),
        neg("notFollowedBy", kindIs("c")),
        pos({
          link: "next",
          cond: kindIs("a"),
          quant: "oneOrMore",
          optional: true,
          greedy: true,
          until: atLeast(2),
        }),
      ],
      input: inputOf("b2"),
    },
  );

  fixed(
    "an optional group after notFollowedBy: the negated event kills its partial match after an ignored event too",
    {
      stages: [
        pos({ cond: kindIs("a"), within: { ms: 3, type: "first-and-last" } }),
        neg("notFollowedBy", kindIs("a")),
        {
          type: "group",
          link: "followedBy",
          first: kindIs("a"),
          secondLink: "next",
          second: kindIs("a"),
          secondLoop: true,
          quant: "single",
          optional: true,
          inner: "relaxed",
          within: undefined,
        },
      ],
      input: inputOf("a0@0 c0@0 a0@0"),
    },
  );

  for (const quant of ["oneOrMore", "timesRange"] as const) {
    fixed(
      `a ${quant === "oneOrMore" ? "looping" : "times(2, 3)"} group then next: the next stage must follow the group's last event`,
      {
        stages: [
          {
            type: "group",
            link: "next",
            first: kindIs("a"),
            secondLink: "next",
            second: kindIs("b"),
            secondLoop: false,
            quant,
            optional: false,
            inner: "relaxed",
            within: undefined,
          },
          pos({ link: "next", cond: kindIs("c") }),
        ],
        input: inputOf(quant === "oneOrMore" ? "a0 b0 b0 c0" : "a0 b0 a0 b0 b0 c0"),
      },
    );
  }

  fixed("a timed-out partial match carries the time its window closed (first + D before previous + d)", {
    stages: [
      pos({ cond: kindIs("a") }),
      pos({ link: "next", cond: kindIs("b"), within: { ms: 4, type: "first-and-last" } }),
      pos({ cond: kindIs("c"), within: { ms: 2, type: "previous-and-current" } }),
    ],
    input: inputOf("a0@0 b0@3"),
  });

  fixed(
    "matches with the same events: the one giving them to earlier stages comes first (skip strategies keep it)",
    {
      stages: [
        pos({ cond: kindIs("a"), optional: true }),
        pos({ link: "next", cond: atLeast(1), optional: true }),
        pos({ cond: atLeast(1) }),
      ],
      input: inputOf("a1 a0 a1"),
      skipStage: 2,
    },
  );
});

describe("NFA vs reference matcher: found by the property test after the fixes", () => {
  it("notFollowedBy with an iterative condition before optional next and followedByAny stages", () => {
    check(
      {
        stages: [
          pos({ cond: kindIs("a") }),
          neg("notFollowedBy", { k: "kindAboveLast", kind: "a", ref: 0 }),
          pos({ link: "next", cond: kindIs("a"), optional: true }),
          pos({ link: "followedByAny", cond: kindIs("a"), optional: true }),
        ],
        input: inputOf("a0@0 a0@0 a0@0 a1@0"),
        skipStage: 0,
        finalTime: undefined,
      },
      newStats(),
    );
  });
});

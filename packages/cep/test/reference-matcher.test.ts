/**
 * The reference matcher checked on its own, against expectations worked out by hand from the
 * FlinkCEP documentation (docs/content/docs/libs/cep.md) and FlinkCEP's ITCases (named in each
 * test). The oracle must be right before it can judge the NFA.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AfterMatchSkipStrategy,
  noSkip,
  Pattern,
  skipPastLastEvent,
  skipToFirst,
  skipToLast,
  skipToNext,
} from "@eddy/cep";
import { referenceMatch, UnsupportedByReference } from "./reference-matcher.ts";

interface Ev {
  readonly label: string;
  readonly kind: string;
  readonly value: number;
}

/** "c d a1 a2@5 b:3" -> events; kind = the label's letters, value after ":", timestamp after "@". */
function events(spec: string): Array<{ event: Ev; timestamp: number }> {
  return spec
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .map((token, i) => {
      const [body, at] = token.split("@");
      const [label, value] = body.split(":");
      return {
        event: { label, kind: label.replace(/[0-9]+$/, ""), value: value === undefined ? 0 : Number(value) },
        timestamp: at === undefined ? i + 1 : Number(at),
      };
    });
}

const is =
  (...kinds: string[]) =>
  (e: Ev): boolean =>
    kinds.includes(e.kind);

type AnyPattern = Pattern<Ev, any, any, any>;

function run(
  pattern: AnyPattern,
  spec: string,
  options: { skip?: AfterMatchSkipStrategy; finalTime?: number } = {},
): { matches: string[]; timeouts: string[] } {
  const input = events(spec);
  const result = referenceMatch(pattern.stages, options.skip ?? pattern.skipStrategy, input, {
    finalTime: options.finalTime,
  });
  const show = (m: Map<string, number[]>) =>
    [...m]
      .filter(([, ids]) => ids.length > 0)
      .map(([name, ids]) => `${name}=${ids.map((i) => input[i].event.label).join(",")}`)
      .join(" ");
  return {
    matches: result.matches.map(show),
    timeouts: result.timeouts.map((t) => `${show(t.partial)} @${t.timestamp}`),
  };
}

const sorted = (xs: readonly string[]) => [...xs].sort();

function expectSet(
  pattern: AnyPattern,
  spec: string,
  expected: string[],
  skip?: AfterMatchSkipStrategy,
): void {
  assert.deepEqual(sorted(run(pattern, spec, { skip }).matches), sorted(expected));
}

function expectOrder(
  pattern: AnyPattern,
  spec: string,
  expected: string[],
  skip?: AfterMatchSkipStrategy,
): void {
  assert.deepEqual(run(pattern, spec, { skip }).matches, expected);
}

describe("reference matcher: contiguity", () => {
  it("followedBy takes the first later matching event, followedByAny every one", () => {
    // CEP-SEMANTICS.md: on a c b1 b2, a followedBy b gives {a b1} only
    const a = Pattern.begin<Ev>("a").where(is("a"));
    expectSet(a.followedBy("b").where(is("b")), "a c b1 b2", ["a=a b=b1"]);
    expectSet(a.followedByAny("b").where(is("b")), "a c b1 b2", ["a=a b=b1", "a=a b=b2"]);
    expectSet(a.next("b").where(is("b")), "a c b1 b2", []);
    expectSet(a.next("b").where(is("b")), "a b1 c b2", ["a=a b=b1"]);
  });

  it("without conditions: followedBy pairs each event with the next one, followedByAny with every later one", () => {
    // NFAITCase#testNoConditionNFA, #testAnyWithNoConditionNFA
    expectSet(Pattern.begin<Ev>("s").followedBy("e"), "a b c", ["s=a e=b", "s=b e=c"]);
    expectSet(Pattern.begin<Ev>("s").followedByAny("e"), "a b c", ["s=a e=b", "s=a e=c", "s=b e=c"]);
  });

  const loop = (inner: "consecutive" | "relaxed" | "combinations") => {
    const p = Pattern.begin<Ev>("start").where(is("c")).followedBy("middle").where(is("a")).oneOrMore();
    const q =
      inner === "consecutive" ? p.consecutive() : inner === "combinations" ? p.allowCombinations() : p;
    return q.followedBy("end").where(is("b"));
  };
  const consecutiveData = "c d a1 a2 a3 d a4 b";

  it("c followedBy a.oneOrMore().consecutive() followedBy b: 3 matches (FlinkCEP docs, consecutive())", () => {
    expectSet(loop("consecutive"), consecutiveData, [
      "start=c middle=a1 end=b",
      "start=c middle=a1,a2 end=b",
      "start=c middle=a1,a2,a3 end=b",
    ]);
  });

  it("relaxed loop (the default): 4 matches", () => {
    expectSet(loop("relaxed"), consecutiveData, [
      "start=c middle=a1 end=b",
      "start=c middle=a1,a2 end=b",
      "start=c middle=a1,a2,a3 end=b",
      "start=c middle=a1,a2,a3,a4 end=b",
    ]);
  });

  it("allowCombinations: 8 matches, all from a1 (followedBy takes the first a)", () => {
    // NFAITCase#testEagerZeroOrMoreSameElement family; the docs list 15, but followedBy("middle")
    // takes only the first a, as FlinkCEP's tests expect
    expectSet(loop("combinations"), consecutiveData, [
      "start=c middle=a1 end=b",
      "start=c middle=a1,a2 end=b",
      "start=c middle=a1,a3 end=b",
      "start=c middle=a1,a4 end=b",
      "start=c middle=a1,a2,a3 end=b",
      "start=c middle=a1,a2,a4 end=b",
      "start=c middle=a1,a3,a4 end=b",
      "start=c middle=a1,a2,a3,a4 end=b",
    ]);
  });

  it("a loop followed by a relaxed stage: the next stage skips the loop's later events", () => {
    // rule 3: b's contiguity is relative to the loop's last event; a2 is not a b
    expectSet(Pattern.begin<Ev>("a").where(is("a")).oneOrMore().followedBy("b").where(is("b")), "a1 a2 b", [
      "a=a1 b=b",
      "a=a1,a2 b=b",
      "a=a2 b=b",
    ]);
  });

  it("an optional stage: skipped, the next stage's contiguity counts from the event before it", () => {
    // NFAITCase#testOptional... shape: c a? b
    const p = Pattern.begin<Ev>("c")
      .where(is("c"))
      .followedBy("a")
      .where(is("a"))
      .optional()
      .followedBy("b")
      .where(is("b"));
    expectSet(p, "c a b", ["c=c a=a b=b", "c=c b=b"]);
    // next after a skipped optional stage: b must directly follow c
    const strict = Pattern.begin<Ev>("c")
      .where(is("c"))
      .next("a")
      .where(is("a"))
      .optional()
      .next("b")
      .where(is("b"));
    expectSet(strict, "c b", ["c=c b=b"]);
    expectSet(strict, "c x b", []);
  });

  it("an iterative condition sees the events already matched", () => {
    // IterativeConditionsITCase shape: each a above the previous a
    const rising = Pattern.begin<Ev>("a")
      .where((e, ctx) => {
        const before = ctx.events("a") as readonly Ev[];
        return e.kind === "a" && (before.length === 0 || e.value > before[before.length - 1].value);
      })
      .oneOrMore()
      .allowCombinations()
      .followedBy("b")
      .where(is("b"));
    expectSet(rising, "a1:1 a2:3 a3:2 b", ["a=a1 b=b", "a=a1,a2 b=b", "a=a1,a3 b=b", "a=a2 b=b", "a=a3 b=b"]);
  });
});

describe("reference matcher: quantifiers", () => {
  it("times(2, 3) with relaxed contiguity takes the first a's", () => {
    const p = Pattern.begin<Ev>("c")
      .where(is("c"))
      .followedBy("a")
      .where(is("a"))
      .times(2, 3)
      .followedBy("b")
      .where(is("b"));
    expectSet(p, "c a1 a2 a3 b", ["c=c a=a1,a2 b=b", "c=c a=a1,a2,a3 b=b"]);
  });

  it("a loop at the end emits every length from every start", () => {
    // AfterMatchSkipITCase#testNoSkipWithQuantifierAtTheEnd
    expectSet(Pattern.begin<Ev>("a").where(is("a")).next("b").where(is("b")).oneOrMore(), "a1 b1 b2 b3", [
      "a=a1 b=b1",
      "a=a1 b=b1,b2",
      "a=a1 b=b1,b2,b3",
    ]);
  });

  it("until ends a loop: (a+ until b) on a1 c a2 b a3 gives {a1 a2} {a1} {a2} {a3} (FlinkCEP docs)", () => {
    const p = Pattern.begin<Ev>("a").where(is("a")).oneOrMore().until(is("b"));
    expectSet(p, "a1 c a2 b a3", ["a=a1,a2", "a=a1", "a=a2", "a=a3"]);
  });

  it("until: the breaking event is not taken, and the next stage may take it", () => {
    // UntilConditionITCase#testUntilConditionFollowedByOneOrMore
    const p = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("middle")
      .where(is("a"))
      .oneOrMore()
      .until((e) => e.value === 5)
      .followedBy("end")
      .where((e) => e.value === 5);
    expectSet(p, "c a1:2 a2:3 a3:5 a4:6", ["start=c middle=a1 end=a3", "start=c middle=a1,a2 end=a3"]);
  });

  describe("greedy (GreedyITCase)", () => {
    const greedy = (optional: boolean) => {
      const p = Pattern.begin<Ev>("start").where(is("c")).followedBy("middle").where(is("a")).oneOrMore();
      return (optional ? p.optional() : p).greedy().followedBy("end").where(is("d"));
    };
    for (const optional of [false, true]) {
      it(`${optional ? "oneOrMore().optional()" : "oneOrMore()"}: takes every a before d`, () => {
        expectSet(greedy(optional), "c a1 a2 a3 d", ["start=c middle=a1,a2,a3 end=d"]);
        expectSet(greedy(optional), "c x1 a1 x2 a2 x3 a3 d", ["start=c middle=a1,a2,a3 end=d"]);
        expectSet(greedy(optional), "c a1 a2 x d", ["start=c middle=a1,a2 end=d"]);
      });
    }
    it("an optional greedy loop is skipped only without a's", () => {
      expectSet(greedy(true), "c x d", ["start=c end=d"]);
      expectSet(greedy(false), "c x d", []);
    });
    it("with until: the until event after the loop lifts the greedy restriction", () => {
      // testGreedyUntilZeroOrMoreWithDummyEventsAfterQuantifier / ...BeforeQuantifier
      const p = Pattern.begin<Ev>("start")
        .where(is("c"))
        .followedBy("middle")
        .where(is("a"))
        .oneOrMore()
        .optional()
        .greedy()
        .until((e) => e.value > 3)
        .followedBy("end")
        .where(is("d"));
      expectSet(p, "c a1:2 a2:3 a3:3 a4:4 d", ["start=c middle=a1,a2,a3 end=d"]);
      expectSet(p, "c a0:4 a1:2 a2:3 a3:3 d", ["start=c end=d"]);
    });
    it("a greedy loop at the end emits every length", () => {
      // testEndWithZeroOrMoreGreedy
      const p = Pattern.begin<Ev>("start")
        .where(is("c"))
        .followedBy("end")
        .where(is("a"))
        .oneOrMore()
        .optional()
        .greedy();
      expectSet(p, "c a1 a2 x a3", [
        "start=c",
        "start=c end=a1",
        "start=c end=a1,a2",
        "start=c end=a1,a2,a3",
      ]);
    });
    it("greedy times(2, 5) before another stage takes as many as it can", () => {
      // testGreedyTimesRange
      const p = Pattern.begin<Ev>("start")
        .where(is("c"))
        .followedBy("middle")
        .where(is("a"))
        .times(2, 5)
        .greedy()
        .followedBy("end")
        .where(is("d"));
      expectSet(p, "c a1 a2 a3 a4 d", ["start=c middle=a1,a2,a3,a4 end=d"]);
    });
  });
});

describe("reference matcher: negation", () => {
  const abcd = (neg: "notNext" | "notFollowedBy") => {
    const a = Pattern.begin<Ev>("start").where(is("a"));
    const n = neg === "notNext" ? a.notNext("not") : a.notFollowedBy("not");
    return n.where(is("b")).followedByAny("middle").where(is("c")).followedBy("end").where(is("d"));
  };

  it("notNext kills only the match the negated event directly follows", () => {
    // NotPatternITCase#testNotNext / #testNotNextNoMatches
    expectSet(abcd("notNext"), "a1 c1 b1 c2 d", ["start=a1 middle=c1 end=d", "start=a1 middle=c2 end=d"]);
    expectSet(abcd("notNext"), "a1 b1 c1 c2 d", []);
  });

  it("notFollowedBy kills a match with the negated event anywhere before the next stage", () => {
    // NotPatternITCase#testNotFollowedBy
    expectSet(abcd("notFollowedBy"), "a1 c1 b1 c2 d", ["start=a1 middle=c1 end=d"]);
  });

  it("notFollowedBy after times(2): the negated event between the loop's events kills it", () => {
    // NotPatternITCase#testTimesWithNotFollowedBy
    const p = Pattern.begin<Ev>("start")
      .where(is("a"))
      .followedByAny("middle")
      .where(is("b"))
      .times(2)
      .notFollowedBy("not")
      .where(is("c"))
      .followedBy("end")
      .where(is("d"));
    expectSet(p, "a1 b1 c b2 d", []);
  });

  it("notFollowedBy before an optional last stage: the match without it is complete at once", () => {
    // NotPatternITCase#testNotFollowedByBeforeOptionalAtTheEnd
    const p = Pattern.begin<Ev>("start")
      .where(is("a"))
      .notFollowedBy("not")
      .where(is("b"))
      .followedByAny("end")
      .where(is("c"))
      .optional();
    expectSet(p, "a1 c1 b1 c2", ["start=a1 end=c1", "start=a1"]);
  });

  it("notNext after a loop applies after every iteration that could end it", () => {
    // NotPatternITCase#testNotNextAfterOneOrMore{SkipTillNext,SkipTillAny}
    const p = (any: boolean) => {
      const a = Pattern.begin<Ev>("a").where(is("a"));
      return (any ? a.followedByAny("b") : a.followedBy("b"))
        .where(is("b"))
        .oneOrMore()
        .notNext("not")
        .where(is("c"))
        .followedBy("d")
        .where(is("d"));
    };
    expectSet(p(false), "a b1 c b2 d", []);
    expectSet(p(true), "a b1 c b2 d", ["a=a b=b2 d=d"]);
  });

  it("an event that satisfies both the negation and the next stage: kept only if it completes the match", () => {
    // rule 6 (FlinkCEP emits completed matches before a STOP discards the branch)
    const last = Pattern.begin<Ev>("a")
      .where(is("a"))
      .notFollowedBy("x")
      .where(is("b"))
      .followedBy("b")
      .where(is("b"));
    expectSet(last, "a b", ["a=a b=b"]);
    const notLast = last.followedBy("c").where(is("c"));
    expectSet(notLast, "a b c", []);
  });

  it("notFollowedBy at the end is released when the window has passed (NFAITCase#testPendingStateMatches)", () => {
    for (const type of ["first-and-last", "previous-and-current"] as const) {
      const p = Pattern.begin<Ev>("start")
        .where(is("s"))
        .notFollowedBy("middle")
        .where(is("m"))
        .within(5, type);
      const result = run(p, "s1@1 m2@4 s3@5 s4@11 m5@18");
      assert.deepEqual(result.matches, ["start=s3", "start=s4"], type);
      assert.deepEqual(result.timeouts, [], type);
      // not yet released when time stops before the window's end
      assert.deepEqual(run(p, "s1@1 m2@4 s3@5 s4@11", { finalTime: 15 }).matches, ["start=s3"], type);
    }
  });
});

describe("reference matcher: windows and timeouts", () => {
  const threeStages = Pattern.begin<Ev>("start")
    .where(is("start"))
    .followedByAny("middle")
    .where(is("middle"))
    .followedByAny("end")
    .where(is("end"));
  const data = "start1@1 start2@2 middle@3 foobar@4 end1@11 end2@13";

  it("within(10) rejects a 10 ms span and reports timed-out partial matches at start + 10", () => {
    // NFAITCase#testSimplePatternWithTimeoutHandling (advancing to 13)
    const result = run(threeStages.within(10), data, { finalTime: 13 });
    assert.deepEqual(result.matches, ["start=start2 middle=middle end=end1"]);
    assert.deepEqual(sorted(result.timeouts), [
      "start=start1 @11",
      "start=start1 middle=middle @11",
      "start=start2 @12",
      "start=start2 middle=middle @12",
    ]);
  });

  it("within(10, previous-and-current) bounds the gap before the stage it is declared on", () => {
    // NFAITCase#testSimplePatternWithTimeoutHandlingWithinPreviousAndCurrent
    const result = run(threeStages.within(10, "previous-and-current"), data, { finalTime: 13 });
    assert.deepEqual(sorted(result.matches), [
      "start=start1 middle=middle end=end1",
      "start=start2 middle=middle end=end1",
    ]);
    assert.deepEqual(sorted(result.timeouts), [
      "start=start1 middle=middle @13",
      "start=start2 middle=middle @13",
    ]);
  });

  it("a partial match waiting in several places times out once", () => {
    // {a b} waits both for another b and for c
    const p = Pattern.begin<Ev>("a")
      .where(is("a"))
      .followedBy("b")
      .where(is("b"))
      .oneOrMore()
      .followedBy("c")
      .where(is("c"))
      .within(10);
    assert.deepEqual(run(p, "a@0 b@1 x@2").timeouts, ["a=a b=b @10"]);
  });

  it("a completed loop at the end can still grow, so it also times out", () => {
    const p = Pattern.begin<Ev>("a").where(is("a")).oneOrMore().within(5);
    const result = run(p, "a1@0 a2@1");
    assert.deepEqual(result.matches, ["a=a1", "a=a1,a2", "a=a2"]);
    assert.deepEqual(result.timeouts, ["a=a1,a2 @5", "a=a2 @6"]);
  });
});

describe("reference matcher: groups (GroupITCase)", () => {
  const ab = () => Pattern.begin<Ev>("middle1").where(is("a")).followedBy("middle2").where(is("b"));
  const c = () => Pattern.begin<Ev>("start").where(is("c"));

  it("c (a b){2} d", () => {
    const p = c().followedByGroup(ab()).times(2).followedBy("end").where(is("d"));
    expectSet(p, "c a1 b1 a2 b2 d", ["start=c middle1=a1,a2 middle2=b1,b2 end=d"]);
  });

  it("c (a b)? d", () => {
    const p = c().followedByGroup(ab()).optional().followedBy("end").where(is("d"));
    expectSet(p, "c a1 a2 b d", ["start=c end=d", "start=c middle1=a1 middle2=b end=d"]);
  });

  it("c (a b)+ d", () => {
    const p = c().followedByGroup(ab()).oneOrMore().followedBy("end").where(is("d"));
    expectSet(p, "c a1 b1 a2 b2 d", [
      "start=c middle1=a1 middle2=b1 end=d",
      "start=c middle1=a1,a2 middle2=b1,b2 end=d",
    ]);
  });

  it("c any (a b){2} with combinations", () => {
    const p = c().followedByAnyGroup(ab()).times(2).allowCombinations().followedBy("end").where(is("d"));
    expectSet(p, "c a1 b1 a2 b2 a3 b3 d", [
      "start=c middle1=a1,a2 middle2=b1,b2 end=d",
      "start=c middle1=a1,a3 middle2=b1,b3 end=d",
      "start=c middle1=a2,a3 middle2=b2,b3 end=d",
    ]);
  });
});

describe("reference matcher: after-match skip strategies (FlinkCEP docs' tables)", () => {
  const bPlusC = Pattern.begin<Ev>("b")
    .where(is("b"))
    .oneOrMore()
    .consecutive()
    .greedy()
    .next("c")
    .where(is("c"));
  const data = "b1 b2 b3 c";

  it("b+ c on b1 b2 b3 c", () => {
    const all = ["b=b1,b2,b3 c=c", "b=b2,b3 c=c", "b=b3 c=c"];
    expectOrder(bPlusC, data, all, noSkip());
    expectOrder(bPlusC, data, all, skipToNext());
    expectOrder(bPlusC, data, ["b=b1,b2,b3 c=c"], skipPastLastEvent());
    expectOrder(bPlusC, data, all, skipToFirst("b"));
    expectOrder(bPlusC, data, ["b=b1,b2,b3 c=c", "b=b3 c=c"], skipToLast("b"));
  });

  it("(a | b | c) (b | c) c+.greedy d on a b c1 c2 c3 d", () => {
    const p = Pattern.begin<Ev>("abc")
      .where(is("a", "b", "c"))
      .followedBy("bc")
      .where(is("b", "c"))
      .followedBy("c*")
      .where(is("c"))
      .oneOrMore()
      .greedy()
      .followedBy("d")
      .where(is("d"));
    const first = "abc=a bc=b c*=c1,c2,c3 d=d";
    const second = "abc=b bc=c1 c*=c2,c3 d=d";
    const third = "abc=c1 bc=c2 c*=c3 d=d";
    expectOrder(p, "a b c1 c2 c3 d", [first, second, third], noSkip());
    expectOrder(p, "a b c1 c2 c3 d", [first, third], skipToFirst("c*"));
  });

  it("a b+ on a b1 b2 b3: skipToNext keeps only {a b1}", () => {
    const p = Pattern.begin<Ev>("a").where(is("a")).next("b").where(is("b")).oneOrMore();
    expectOrder(p, "a b1 b2 b3", ["a=a b=b1", "a=a b=b1,b2", "a=a b=b1,b2,b3"], noSkip());
    expectOrder(p, "a b1 b2 b3", ["a=a b=b1"], skipToNext());
  });

  it("followedByAny with skipToNext (AfterMatchSkipITCase#testSkipToNextWithFollowedByAny)", () => {
    const p = Pattern.begin<Ev>("start").where(is("a")).followedByAny("end").where(is("b"));
    expectOrder(p, "a1 b1 a2 b2", ["start=a1 end=b1", "start=a1 end=b2", "start=a2 end=b2"], noSkip());
    expectOrder(p, "a1 b1 a2 b2", ["start=a1 end=b1", "start=a2 end=b2"], skipToNext());
  });

  it("a completed match waits for an earlier partial match (testSkipBeforeOtherAlreadyCompleted)", () => {
    const p = Pattern.begin<Ev>("a")
      .where(is("a"))
      .followedBy("c")
      .where(is("c"))
      .followedBy("b")
      .where((e, ctx) => e.kind === "b" && (ctx.events("a") as readonly Ev[])[0].value === e.value);
    expectOrder(p, "a1:0 c1 a2:1 c2 b1:1 b2:0", ["a=a1 c=c1 b=b2", "a=a2 c=c2 b=b1"], skipToFirst("c"));
  });

  it("matches held back by a partial match that never ends are never emitted; a window frees them", () => {
    const cond = (e: Ev, ctx: any) => e.kind === "b" && e.value > (ctx.events("a") as readonly Ev[])[0].value;
    const p = Pattern.begin<Ev>("a").where(is("a")).followedByAny("b").where(cond);
    expectOrder(p, "a1:5 a2:0 b:1", [], skipPastLastEvent());
    expectOrder(p, "a1:5 a2:0 b:1", ["a=a2 b=b"], noSkip());
    const windowed = run(p.within(10), "a1:5@0 a2:0@1 b:1@2", { skip: skipPastLastEvent() });
    assert.deepEqual(windowed.matches, ["a=a2 b=b"]);
    // at the final advance both waiting partial matches time out first; then the held-back match
    // is emitted (and would discard, too late, the partial matches it overlaps)
    assert.deepEqual(windowed.timeouts, ["a=a1 @10", "a=a2 @11"]);
  });

  it("noSkip emits by completion, then by first event", () => {
    const p = Pattern.begin<Ev>("a").where(is("a")).followedByAny("b").where(is("b"));
    expectOrder(p, "a1 a2 b1 b2", ["a=a1 b=b1", "a=a2 b=b1", "a=a1 b=b2", "a=a2 b=b2"], noSkip());
  });
});

describe("reference matcher: what it does not define", () => {
  it("rejects until() on a group", () => {
    const group = Pattern.begin<Ev>("x").where(is("a")).next("y").where(is("b"));
    const p = Pattern.begin<Ev>("s").followedByGroup(group).oneOrMore().until(is("c"));
    assert.throws(() => referenceMatch(p.stages, noSkip(), events("s a b")), UnsupportedByReference);
  });
});

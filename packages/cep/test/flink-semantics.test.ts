/**
 * The semantics FlinkCEP users rely on, as example tests: cases from FlinkCEP's own test suite
 * (flink-libraries/flink-cep/src/test/java/org/apache/flink/cep/nfa/*ITCase.java, and the
 * pattern/compiler tests for the patterns it rejects) and from the FlinkCEP documentation,
 * rewritten in eddy's pattern API. Each test names what it checks; the comment cites the Flink
 * test it comes from. The inputs, timestamps and expected matches are Flink's.
 *
 * How the Flink cases map onto runSequence:
 * - Flink's tests feed events one by one (advancing time to each event's timestamp) and never
 *   advance time past the last event. runSequence then advances to +Infinity, which only adds
 *   timed-out partial matches and releases notFollowedBy-at-the-end matches; where that would
 *   change what a case observes, the case passes `finalTime` (the time Flink's test stops at).
 * - Flink compares each match as the flattened, sorted list of its events, so it cannot tell
 *   which stage an event went to; here every match is compared stage by stage (the assignment
 *   follows from the pattern), and events Flink's test treats as equal share a label.
 * - Events without timestamps in Flink's tests (AfterMatchSkipITCase) get 1, 2, 3, ...
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  compilePattern,
  MalformedPatternError,
  noSkip,
  Pattern,
  skipPastLastEvent,
  skipToFirst,
  skipToLast,
  skipToNext,
} from "@eddy/cep";
import {
  type Ev,
  type Expected,
  ev,
  expectMatches,
  expectMatchesInOrder,
  expectTimeouts,
  type Feed,
  inOrder,
  isSub,
  nameContains,
  named,
  run,
  type SubEv,
  sub,
  subsets,
} from "./support.ts";

const is = named;
type P = Pattern<Ev, any, any, any>;

/** Flink's ConsecutiveData: c, then a's with prices 2..5, then b. */
const C = ev("c", "c", 1);
const A1 = ev("a1", "a", 2);
const A2 = ev("a2", "a", 3);
const A3 = ev("a3", "a", 4);
const A4 = ev("a4", "a", 5);
const B = ev("b", "b", 5);
const f = () => ev("f", "f", 1);
const dummy = () => ev("x", "dummy", 0);

describe("NFAITCase: contiguity between stages", () => {
  const a = ev("a");
  const b = ev("b");
  const c = ev("c");
  const d = ev("d");
  const e = ev("e");
  const abcde = inOrder(a, b, c, d, e);

  it("followedBy without conditions pairs each event with the very next one", () => {
    // NFAITCase#testNoConditionNFA
    expectMatches(Pattern.begin<Ev>("start").followedBy("end"), abcde, [
      { start: "a", end: "b" },
      { start: "b", end: "c" },
      { start: "c", end: "d" },
      { start: "d", end: "e" },
    ]);
  });

  it("a relaxed loop at the end emits every length from every start", () => {
    // NFAITCase#testNoConditionLoopingNFA
    expectMatches(Pattern.begin<Ev>("start").followedBy("end").oneOrMore(), abcde, [
      { start: "a", end: "b c d e" },
      { start: "a", end: "b c d" },
      { start: "a", end: "b c" },
      { start: "a", end: "b" },
      { start: "b", end: "c d e" },
      { start: "b", end: "c d" },
      { start: "b", end: "c" },
      { start: "c", end: "d e" },
      { start: "c", end: "d" },
      { start: "d", end: "e" },
    ]);
  });

  it("followedByAny without conditions pairs each event with every later one", () => {
    // NFAITCase#testAnyWithNoConditionNFA
    expectMatches(Pattern.begin<Ev>("start").followedByAny("end"), abcde, [
      { start: "a", end: "b" },
      { start: "a", end: "c" },
      { start: "a", end: "d" },
      { start: "a", end: "e" },
      { start: "b", end: "c" },
      { start: "b", end: "d" },
      { start: "b", end: "e" },
      { start: "c", end: "d" },
      { start: "c", end: "e" },
      { start: "d", end: "e" },
    ]);
  });

  it("subtype narrows a stage to sub-events and the where after it sees their fields", () => {
    // NFAITCase#testSimplePatternNFA
    const pattern = Pattern.begin<Ev>("start")
      .where(is("start"))
      .followedBy("middle")
      .subtype(isSub)
      .where((s: SubEv) => s.volume > 5)
      .followedBy("end")
      .where(is("end"));
    expectMatches(
      pattern,
      [
        [ev("s1", "start", 1), 1],
        [ev("foobar", "foobar", 1), 2],
        [sub("barfoo", "barfoo", 1, 5), 3],
        [sub("m", "foo", 1, 10), 3],
        [ev("s2", "start", 1), 4],
        [ev("end", "end", 1), 5],
      ],
      [{ start: "s1", middle: "m", end: "end" }],
    );
  });

  const strictAB = () => Pattern.begin<Ev>("middle").where(is("a")).next("end").where(is("b"));

  it("next matches when the very next event matches", () => {
    // NFAITCase#testStrictContinuityWithResults
    expectMatches(
      strictAB(),
      [
        [ev("a"), 3],
        [ev("b"), 5],
      ],
      [{ middle: "a", end: "b" }],
    );
  });

  it("next fails when another event comes in between", () => {
    // NFAITCase#testStrictContinuityNoResults
    expectMatches(
      strictAB(),
      [
        [ev("a"), 3],
        [ev("c"), 4],
        [ev("b"), 5],
      ],
      [],
    );
  });

  const start = ev("s", "start");

  it("followedByAny branches on every matching event at every stage", () => {
    // NFAITCase#testBranchingPattern
    const pattern = Pattern.begin<Ev>("start")
      .where(is("start"))
      .followedByAny("middle-first")
      .subtype(isSub)
      .where((s) => s.volume > 5)
      .followedByAny("middle-second")
      .subtype(isSub)
      .where((s) => s.name === "next-one")
      .followedByAny("end")
      .where(is("end"));
    expectMatches(pattern, branchingInput(), branchingMatches(["m1", "m2", "m3"], ["n1", "n2"]));
  });

  it("followedBy stages take only the first matching event, even before a followedByAny", () => {
    // NFAITCase#testBranchingPatternSkipTillNext
    const pattern = Pattern.begin<Ev>("start")
      .where(is("start"))
      .followedBy("middle-first")
      .subtype(isSub)
      .where((s) => s.volume > 5)
      .followedBy("middle-second")
      .subtype(isSub)
      .where((s) => s.name === "next-one")
      .followedByAny("end")
      .where(is("end"));
    expectMatches(pattern, branchingInput(), branchingMatches(["m1"], ["n1"]));
  });

  it("a followedBy after a followedByAny takes the first match of each branch", () => {
    // NFAITCase#testBranchingPatternMixedFollowedBy
    const pattern = Pattern.begin<Ev>("start")
      .where(is("start"))
      .followedByAny("middle-first")
      .subtype(isSub)
      .where((s) => s.volume > 5)
      .followedBy("middle-second")
      .subtype(isSub)
      .where((s) => s.name === "next-one")
      .followedByAny("end")
      .where(is("end"));
    expectMatches(pattern, branchingInput(), branchingMatches(["m1", "m2", "m3"], ["n1"]));
  });

  function branchingInput(): Feed {
    return [
      [start, 1],
      [sub("m1", "foo1", 1, 10), 3],
      [sub("m2", "foo2", 1, 10), 4],
      [sub("m3", "foo3", 1, 10), 5],
      [sub("n1", "next-one", 1, 2), 6],
      [sub("n2", "next-one", 1, 2), 7],
      [ev("end", "end", 1), 8],
    ];
  }

  function branchingMatches(firsts: string[], seconds: string[]): Expected[] {
    return firsts.flatMap((m) =>
      seconds.map((n) => ({ start: "s", "middle-first": m, "middle-second": n, end: "end" })),
    );
  }

  it("match keys keep the order of the stages", () => {
    // NFAITCase#testNFAResultKeyOrdering
    const pattern = Pattern.begin<Ev>("a")
      .where(is("a"))
      .next("b")
      .where(is("b"))
      .next("aa")
      .where(is("aa"))
      .next("bb")
      .where(is("bb"))
      .next("ab")
      .where(is("ab"));
    const result = expectMatches(pattern, inOrder(ev("a"), ev("b"), ev("aa"), ev("bb"), ev("ab")), [
      { a: "a", b: "b", aa: "aa", bb: "bb", ab: "ab" },
    ]);
    assert.deepEqual(Object.keys(result.matches[0]), ["a", "b", "aa", "bb", "ab"]);
  });

  it("the events of each stage are in timestamp order", () => {
    // NFAITCase#testNFAResultOrdering
    const pattern = Pattern.begin<Ev>("start")
      .where((e) => e.name.startsWith("a-"))
      .times(4)
      .allowCombinations()
      .followedByAny("middle")
      .where((e) => e.name.startsWith("b-"))
      .times(3)
      .consecutive();
    expectMatchesInOrder(
      pattern,
      [
        [ev("a-1"), 1],
        [ev("a-2"), 3],
        [ev("a-3"), 4],
        [ev("a-4"), 5],
        [ev("b-1"), 6],
        [ev("b-2"), 7],
        [ev("b-3"), 10],
      ],
      [{ start: "a-1 a-2 a-3 a-4", middle: "b-1 b-2 b-3" }],
    );
  });
});

describe("NFAITCase: within and timeouts", () => {
  const events = (): Feed => [
    [ev("s1", "start"), 1],
    [ev("s2", "start"), 2],
    [ev("m", "middle"), 3],
    [ev("foobar"), 4],
    [ev("e1", "end"), 11],
    [ev("e2", "end"), 13],
  ];
  const threeStages = (any: boolean) => {
    const first = Pattern.begin<Ev>("start").where(is("start"));
    const second = (any ? first.followedByAny("middle") : first.followedBy("middle")).where(is("middle"));
    return (any ? second.followedByAny("end") : second.followedBy("end")).where(is("end"));
  };

  it("within (first-and-last) drops a partial match that reaches its window: a 10 ms window rejects a 10 ms span", () => {
    // NFAITCase#testSimplePatternWithTimeWindowNFAWithinFirstAndLast
    expectMatches(threeStages(false).within(10), events(), [{ start: "s2", middle: "m", end: "e1" }]);
  });

  it("within previous-and-current bounds only the gap before the stage it is declared on", () => {
    // NFAITCase#testSimplePatternWithTimeWindowNFAWithinPreviousAndCurrent
    expectMatches(threeStages(false).within(9, "previous-and-current"), events(), [
      { start: "s1", middle: "m", end: "e1" },
      { start: "s2", middle: "m", end: "e1" },
    ]);
  });

  it("timed-out partial matches carry start + window and every stage matched so far", () => {
    // NFAITCase#testSimplePatternWithTimeoutHandlingWithinFirstAndLast
    const pattern = threeStages(true).within(10);
    const result = expectMatches(pattern, events(), [{ start: "s2", middle: "m", end: "e1" }], {
      finalTime: 13,
    });
    expectTimeouts(pattern, result, [
      [{ start: "s1", middle: "m" }, 11],
      [{ start: "s2", middle: "m" }, 12],
      [{ start: "s1" }, 11],
      [{ start: "s2" }, 12],
    ]);
  });

  it("a previous-and-current timeout carries the previous event's timestamp + window", () => {
    // NFAITCase#testSimplePatternWithTimeoutHandlingWithinPreviousAndCurrent
    const pattern = threeStages(true).within(10, "previous-and-current");
    const result = expectMatches(
      pattern,
      events(),
      [
        { start: "s1", middle: "m", end: "e1" },
        { start: "s2", middle: "m", end: "e1" },
      ],
      { finalTime: 13 },
    );
    expectTimeouts(pattern, result, [
      [{ start: "s1", middle: "m" }, 13],
      [{ start: "s2", middle: "m" }, 13],
    ]);
  });

  for (const type of ["first-and-last", "previous-and-current"] as const) {
    it(`notFollowedBy at the end releases the match once the ${type} window has passed without the event`, () => {
      // NFAITCase#testPendingStateMatchesWithin{FirstAndLast,PreviousAndCurrent}
      const pattern = Pattern.begin<Ev>("start")
        .where(is("start"))
        .notFollowedBy("middle")
        .where(is("middle"))
        .within(5, type);
      expectMatches(
        pattern,
        [
          [ev("s1", "start"), 1],
          [ev("m2", "middle"), 4],
          [ev("s3", "start"), 5],
          [ev("s4", "start"), 11],
          [ev("m5", "middle"), 18],
        ],
        [{ start: "s3" }, { start: "s4" }],
      );
    });

    it(`a completed times() match leaves nothing to time out (${type})`, () => {
      // NFAITCase#testTimesClearingBufferWithin{FirstAndLast,PreviousAndCurrent}
      const pattern = Pattern.begin<Ev>("start")
        .where(is("c"))
        .next("middle")
        .where(is("a"))
        .times(2)
        .followedBy("end1")
        .where(is("b"))
        .within(8, type);
      const result = expectMatches(
        pattern,
        [
          [C, 1],
          [A1, 2],
          [A2, 3],
          [A3, 4],
          [B, 6],
        ],
        [{ start: "c", middle: "a1 a2", end1: "b" }],
        { finalTime: 10 },
      );
      expectTimeouts(pattern, result, []);
    });

    it(`a completed match with an optional stage leaves nothing to time out (${type})`, () => {
      // NFAITCase#testOptionalClearingBufferWithin{FirstAndLast,PreviousAndCurrent}
      const pattern = Pattern.begin<Ev>("start")
        .where(is("c"))
        .followedBy("middle")
        .where(is("a"))
        .optional()
        .followedBy("end1")
        .where(is("b"))
        .within(8, type);
      const result = expectMatches(
        pattern,
        [
          [C, 1],
          [A3, 5],
          [B, 6],
        ],
        [
          { start: "c", middle: "a3", end1: "b" },
          { start: "c", end1: "b" },
        ],
        { finalTime: 10 },
      );
      expectTimeouts(pattern, result, []);
    });
  }
});

describe("NFAITCase: loops, optional and times", () => {
  const c = C;
  const cab = (a: Ev[], ts: number[], bTs: number): Feed => [
    [c, 1],
    ...a.map((e, i) => [e, ts[i]] as const),
    [B, bTs],
  ];

  it("an optional combinations loop between followedByAny stages yields every subset for every branch", () => {
    // NFAITCase#testComplexBranchingAfterZeroOrMore
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .oneOrMore()
      .allowCombinations()
      .optional()
      .followedByAny("end1")
      .where(is("b"))
      .followedByAny("end2")
      .where(is("d"))
      .followedByAny("end3")
      .where(is("e"));
    const feed: Feed = [
      [c, 1],
      [A1, 3],
      [A2, 4],
      [A3, 5],
      [B, 6],
      [ev("d1", "d"), 7],
      [ev("d2", "d"), 8],
      [ev("e"), 9],
    ];
    const middles = ["a1 a2 a3", "a1 a2", "a1 a3", "a2 a3", "a1", "a2", "a3", ""];
    expectMatches(
      pattern,
      feed,
      ["d1", "d2"].flatMap((d) =>
        middles.map((m) => ({ start: "c", middle: m, end1: "b", end2: d, end3: "e" })),
      ),
    );
  });

  it("an optional combinations loop reached by followedByAny, then followedBy", () => {
    // NFAITCase#testZeroOrMore
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .oneOrMore()
      .allowCombinations()
      .optional()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(pattern, cab([A1, A2], [3, 4], 6), [
      { start: "c", middle: "a1 a2", end1: "b" },
      { start: "c", middle: "a1", end1: "b" },
      { start: "c", middle: "a2", end1: "b" },
      { start: "c", end1: "b" },
    ]);
  });

  it("a relaxed optional loop skips non-matching events but never skips a matching one", () => {
    // NFAITCase#testEagerZeroOrMore
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("middle")
      .where(is("a"))
      .oneOrMore()
      .optional()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(
      pattern,
      [
        [c, 1],
        [A1, 3],
        [A2, 4],
        [ev("d", "d", 6), 5],
        [A3, 6],
        [B, 7],
      ],
      [
        { start: "c", middle: "a1 a2 a3", end1: "b" },
        { start: "c", middle: "a1 a2", end1: "b" },
        { start: "c", middle: "a1", end1: "b" },
        { start: "c", end1: "b" },
      ],
    );
  });

  it("a pattern may begin with an optional loop: one match per start and one without it", () => {
    // NFAITCase#testBeginWithZeroOrMore
    const pattern = Pattern.begin<Ev>("middle")
      .where(is("a"))
      .oneOrMore()
      .optional()
      .followedBy("end")
      .where(is("b"));
    expectMatches(
      pattern,
      [
        [A1, 3],
        [A2, 4],
        [A3, 5],
        [B, 6],
      ],
      [
        { middle: "a1 a2 a3", end: "b" },
        { middle: "a1 a2", end: "b" },
        { middle: "a2 a3", end: "b" },
        { middle: "a1", end: "b" },
        { middle: "a2", end: "b" },
        { middle: "a3", end: "b" },
        { end: "b" },
      ],
    );
  });

  it("two optional loops in a row: skipping a stage is decided right after the previous event", () => {
    // NFAITCase#testZeroOrMoreAfterZeroOrMore
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle-first")
      .where(is("a"))
      .oneOrMore()
      .allowCombinations()
      .optional()
      .followedBy("middle-second")
      .where(is("d"))
      .oneOrMore()
      .allowCombinations()
      .optional()
      .followedBy("end")
      .where(is("e"));
    expectMatches(
      pattern,
      [
        [c, 1],
        [ev("a"), 3],
        [ev("d1", "d"), 4],
        [ev("d2", "d"), 5],
        [ev("e"), 6],
      ],
      [
        { start: "c", "middle-first": "a", "middle-second": "d1 d2", end: "e" },
        { start: "c", "middle-first": "a", "middle-second": "d1", end: "e" },
        { start: "c", "middle-second": "d1 d2", end: "e" },
        { start: "c", "middle-second": "d1", end: "e" },
        { start: "c", "middle-first": "a", end: "e" },
        { start: "c", end: "e" },
      ],
    );
  });

  it("an optional combinations loop after two branching stages", () => {
    // NFAITCase#testZeroOrMoreAfterBranching
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("branching")
      .where(is("a"))
      .followedByAny("merging")
      .where(is("f"))
      .followedByAny("kleene")
      .where(is("d"))
      .oneOrMore()
      .allowCombinations()
      .optional()
      .followedBy("end")
      .where(is("e"));
    const feed: Feed = [
      [c, 1],
      [A1, 3],
      [A2, 4],
      [ev("f"), 5],
      [ev("d1", "d"), 6],
      [ev("d2", "d"), 7],
      [ev("e"), 8],
    ];
    expectMatches(
      pattern,
      feed,
      ["a1", "a2"].flatMap((a) =>
        ["", "d1", "d2", "d1 d2"].map((k) => ({
          start: "c",
          branching: a,
          merging: "f",
          kleene: k,
          end: "e",
        })),
      ),
    );
  });

  it("next after an optional loop: an event in between kills every branch", () => {
    // NFAITCase#testStrictContinuityNoResultsAfterZeroOrMore
    const pattern = Pattern.begin<Ev>("start")
      .where(is("d"))
      .followedBy("middle")
      .where(is("a"))
      .oneOrMore()
      .optional()
      .next("end")
      .where(is("b"));
    expectMatches(
      pattern,
      [
        [ev("d"), 1],
        [A1, 2],
        [A2, 3],
        [ev("c"), 4],
        [B, 5],
      ],
      [],
    );
  });

  it("next after an optional combinations loop: only loops ending right before the event match", () => {
    // NFAITCase#testStrictContinuityResultsAfterZeroOrMore
    const pattern = Pattern.begin<Ev>("start")
      .where(is("d"))
      .followedByAny("middle")
      .where(is("a"))
      .oneOrMore()
      .optional()
      .allowCombinations()
      .next("end")
      .where(is("b"));
    expectMatches(
      pattern,
      [
        [ev("d"), 1],
        [A1, 2],
        [A2, 3],
        [B, 5],
      ],
      [
        { start: "d", middle: "a1 a2", end: "b" },
        { start: "d", middle: "a2", end: "b" },
      ],
    );
  });

  it("oneOrMore with combinations after followedByAny", () => {
    // NFAITCase#testAtLeastOne
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .oneOrMore()
      .allowCombinations()
      .followedByAny("end1")
      .where(is("b"));
    expectMatches(pattern, cab([A1, A2], [3, 4], 6), [
      { start: "c", middle: "a1 a2", end1: "b" },
      { start: "c", middle: "a1", end1: "b" },
      { start: "c", middle: "a2", end1: "b" },
    ]);
  });

  it("a pattern beginning with a combinations loop starts at every event", () => {
    // NFAITCase#testBeginWithAtLeastOne
    const pattern = Pattern.begin<Ev>("start")
      .where(is("a"))
      .oneOrMore()
      .allowCombinations()
      .followedBy("end")
      .where(is("b"));
    expectMatches(
      pattern,
      [
        [A1, 3],
        [A2, 4],
        [A3, 5],
        [B, 6],
      ],
      ["a1 a2 a3", "a1 a2", "a1 a3", "a2 a3", "a1", "a2", "a3"].map((s) => ({ start: s, end: "b" })),
    );
  });

  it("next into an optional consecutive loop: an event in between leaves only the skip", () => {
    // NFAITCase#testNextZeroOrMore
    const pattern = Pattern.begin<Ev>("start")
      .where(is("start"))
      .next("middle")
      .where(is("middle"))
      .oneOrMore()
      .optional()
      .consecutive()
      .followedBy("end")
      .where(is("end"));
    expectMatches(
      pattern,
      [
        [ev("start"), 1],
        [ev("event"), 2],
        [ev("m1", "middle"), 3],
        [ev("m2", "middle"), 4],
        [ev("m3", "middle"), 5],
        [ev("end"), 6],
      ],
      [{ start: "start", end: "end" }],
    );
  });

  it("a relaxed loop reached by followedByAny starts at every matching event", () => {
    // NFAITCase#testAtLeastOneEager
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .oneOrMore()
      .followedByAny("end1")
      .where(is("b"));
    expectMatches(pattern, cab([A1, A2, A3], [3, 4, 5], 6), [
      { start: "c", middle: "a1 a2 a3", end1: "b" },
      { start: "c", middle: "a1 a2", end1: "b" },
      { start: "c", middle: "a2 a3", end1: "b" },
      { start: "c", middle: "a3", end1: "b" },
      { start: "c", middle: "a2", end1: "b" },
      { start: "c", middle: "a1", end1: "b" },
    ]);
  });

  it("an optional stage gives a match with it and one without it", () => {
    // NFAITCase#testOptional
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("middle")
      .where(is("a"))
      .optional()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(pattern, cab([A3], [5], 6), [
      { start: "c", middle: "a3", end1: "b" },
      { start: "c", end1: "b" },
    ]);
  });

  it("times(2) with combinations after next: the first event is strict, the second any", () => {
    // NFAITCase#testTimes
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .next("middle")
      .where(is("a"))
      .times(2)
      .allowCombinations()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(pattern, cab([A1, A2, A3], [2, 3, 4], 6), [
      { start: "c", middle: "a1 a2", end1: "b" },
      { start: "c", middle: "a1 a3", end1: "b" },
    ]);
  });

  it("a pattern beginning with consecutive times(2) matches each adjacent pair", () => {
    // NFAITCase#testStartWithTimes
    const pattern = Pattern.begin<Ev>("middle")
      .where(is("a"))
      .times(2)
      .consecutive()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(
      pattern,
      [
        [A1, 2],
        [A2, 3],
        [A3, 4],
        [B, 6],
      ],
      [
        { middle: "a1 a2", end1: "b" },
        { middle: "a2 a3", end1: "b" },
      ],
    );
  });

  const cAfA: Feed = [
    [C, 1],
    [A1, 2],
    [f(), 3],
    [A2, 4],
    [f(), 5],
    [A3, 6],
    [B, 7],
  ];

  it("times(2) with combinations after next skips unrelated events between the a's", () => {
    // NFAITCase#testTimesNonStrictWithNext
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .next("middle")
      .where(is("a"))
      .times(2)
      .allowCombinations()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(pattern, cAfA, [
      { start: "c", middle: "a1 a2", end1: "b" },
      { start: "c", middle: "a1 a3", end1: "b" },
    ]);
  });

  const cAAAb: Feed = [
    [C, 1],
    [A1, 2],
    [A2, 4],
    [A3, 6],
    [B, 7],
  ];

  it("relaxed times(2) after followedBy takes the first two a's", () => {
    // NFAITCase#testTimesNotStrictWithFollowedByEager
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("middle")
      .where(is("a"))
      .times(2)
      .followedBy("end1")
      .where(is("b"));
    expectMatches(pattern, cAAAb, [{ start: "c", middle: "a1 a2", end1: "b" }]);
  });

  it("times(2) with combinations after followedByAny takes every pair", () => {
    // NFAITCase#testTimesNotStrictWithFollowedByNotEager
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .times(2)
      .allowCombinations()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(pattern, cAAAb, [
      { start: "c", middle: "a1 a2", end1: "b" },
      { start: "c", middle: "a2 a3", end1: "b" },
      { start: "c", middle: "a1 a3", end1: "b" },
    ]);
  });

  it("consecutive times(2) after next fails when the a's are not adjacent to c and each other", () => {
    // NFAITCase#testTimesStrictWithNextAndConsecutive
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .next("middle")
      .where(is("a"))
      .times(2)
      .consecutive()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(
      pattern,
      [
        [C, 1],
        [A1, 2],
        [f(), 3],
        [A2, 4],
        [A3, 6],
        [B, 7],
      ],
      [],
    );
  });

  it("a pattern may begin with an optional stage", () => {
    // NFAITCase#testStartWithOptional
    const pattern = Pattern.begin<Ev>("start").where(is("c")).optional().followedBy("end1").where(is("b"));
    expectMatches(
      pattern,
      [
        [C, 1],
        [B, 6],
      ],
      [{ start: "c", end1: "b" }, { end1: "b" }],
    );
  });

  it("an optional loop at the end emits the match without it and every length", () => {
    // NFAITCase#testEndWithZeroOrMore
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("middle")
      .where(is("a"))
      .oneOrMore()
      .optional();
    expectMatches(
      pattern,
      [
        [C, 1],
        [A1, 3],
        [A2, 4],
        [A3, 5],
      ],
      [
        { start: "c", middle: "a1 a2 a3" },
        { start: "c", middle: "a1 a2" },
        { start: "c", middle: "a1" },
        { start: "c" },
      ],
    );
  });

  it("a pattern that is a single optional loop never emits an empty match", () => {
    // NFAITCase#testStartAndEndWithZeroOrMore
    const pattern = Pattern.begin<Ev>("start").where(is("a")).oneOrMore().optional();
    expectMatches(
      pattern,
      [
        [C, 1],
        [A1, 3],
        [A2, 4],
        [A3, 5],
        [ev("d1", "d"), 6],
        [ev("d2", "d"), 6],
        [ev("d3", "d"), 6],
      ],
      ["a1 a2 a3", "a1 a2", "a1", "a2 a3", "a2", "a3"].map((s) => ({ start: s })),
    );
  });

  it("an optional stage at the end emits the match with and without it", () => {
    // NFAITCase#testEndWithOptional
    const pattern = Pattern.begin<Ev>("start").where(is("c")).followedBy("middle").where(is("a")).optional();
    expectMatches(
      pattern,
      [
        [C, 1],
        [A1, 3],
      ],
      [{ start: "c", middle: "a1" }, { start: "c" }],
    );
  });

  it("a loop at the end emits every length as it is reached", () => {
    // NFAITCase#testEndWithOneOrMore
    const pattern = Pattern.begin<Ev>("start").where(is("c")).followedBy("middle").where(is("a")).oneOrMore();
    expectMatches(
      pattern,
      [
        [C, 1],
        [A1, 3],
        [A2, 4],
        [A3, 5],
      ],
      [
        { start: "c", middle: "a1 a2 a3" },
        { start: "c", middle: "a1 a2" },
        { start: "c", middle: "a1" },
      ],
    );
  });

  const cfAfAAb: Feed = [
    [C, 1],
    [f(), 2],
    [A1, 3],
    [f(), 4],
    [A2, 5],
    [A3, 6],
    [B, 7],
  ];

  it("optional times(3) with no a's at all matches without the stage", () => {
    // NFAITCase#testTimesNonStrictOptional1
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("middle")
      .where(is("a"))
      .times(3)
      .optional()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(
      pattern,
      [
        [C, 1],
        [f(), 2],
        [B, 7],
      ],
      [{ start: "c", end1: "b" }],
    );
  });

  it("optional times(2) with combinations: every pair, and the skip", () => {
    // NFAITCase#testTimesNonStrictOptional2
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .times(2)
      .allowCombinations()
      .optional()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(pattern, cfAfAAb, [
      { start: "c", middle: "a1 a2", end1: "b" },
      { start: "c", middle: "a1 a3", end1: "b" },
      { start: "c", middle: "a2 a3", end1: "b" },
      { start: "c", end1: "b" },
    ]);
  });

  it("optional relaxed times(2) after followedByAny: pairs that start at each a, and the skip", () => {
    // NFAITCase#testTimesNonStrictOptional3
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .times(2)
      .optional()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(pattern, cfAfAAb, [
      { start: "c", middle: "a1 a2", end1: "b" },
      { start: "c", middle: "a2 a3", end1: "b" },
      { start: "c", end1: "b" },
    ]);
  });

  it("optional consecutive times(2) only matches adjacent a's", () => {
    // NFAITCase#testTimesStrictOptional
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .times(2)
      .consecutive()
      .optional()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(pattern, cfAfAAb, [
      { start: "c", middle: "a2 a3", end1: "b" },
      { start: "c", end1: "b" },
    ]);
  });

  it("an optional consecutive loop after followedByAny", () => {
    // NFAITCase#testOneOrMoreStrictOptional
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .oneOrMore()
      .consecutive()
      .optional()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(pattern, cfAfAAb, [
      { start: "c", middle: "a2 a3", end1: "b" },
      { start: "c", middle: "a1", end1: "b" },
      { start: "c", middle: "a2", end1: "b" },
      { start: "c", middle: "a3", end1: "b" },
      { start: "c", end1: "b" },
    ]);
  });

  it("optional consecutive times(2) after next", () => {
    // NFAITCase#testTimesStrictOptional1
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .next("middle")
      .where(is("a"))
      .times(2)
      .consecutive()
      .optional()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(
      pattern,
      [
        [C, 1],
        [A1, 3],
        [A2, 5],
        [A3, 6],
        [B, 7],
      ],
      [
        { start: "c", middle: "a1 a2", end1: "b" },
        { start: "c", end1: "b" },
      ],
    );
  });

  it("optional times(2) with combinations after next", () => {
    // NFAITCase#testOptionalTimesNonStrictWithNext
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .next("middle")
      .where(is("a"))
      .times(2)
      .allowCombinations()
      .optional()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(pattern, cAfA, [
      { start: "c", middle: "a1 a2", end1: "b" },
      { start: "c", middle: "a1 a3", end1: "b" },
      { start: "c", end1: "b" },
    ]);
  });

  it("relaxed times(2) with combinations after followedByAny: all three pairs", () => {
    // NFAITCase#testTimesNonStrict
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .times(2)
      .allowCombinations()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(pattern, cfAfAAb, [
      { start: "c", middle: "a1 a2", end1: "b" },
      { start: "c", middle: "a1 a3", end1: "b" },
      { start: "c", middle: "a2 a3", end1: "b" },
    ]);
  });

  it("consecutive times(2) after followedByAny: only the adjacent pair", () => {
    // NFAITCase#testTimesStrict
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .times(2)
      .consecutive()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(pattern, cfAfAAb, [{ start: "c", middle: "a2 a3", end1: "b" }]);
  });

  // c d a1 a2 a3 d a4 b, with `c followedBy a+ followedBy b` (the FlinkCEP documentation's
  // consecutive/allowCombinations example; a2 and a3 share a timestamp)
  const cdaaadab: Feed = [
    [C, 1],
    [ev("d", "d", 6), 2],
    [A1, 3],
    [A2, 4],
    [A3, 4],
    [ev("d", "d", 6), 5],
    [A4, 6],
    [B, 7],
  ];
  const loop = (inner: "strict" | "relaxed" | "any", optional: boolean) => {
    let p: P = Pattern.begin<Ev>("start").where(is("c")).followedBy("middle").where(is("a")).oneOrMore();
    if (optional) p = p.optional();
    if (inner === "strict") p = p.consecutive();
    if (inner === "any") p = p.allowCombinations();
    return p.followedBy("end1").where(is("b"));
  };
  const withA1 = (rest: string[][]) =>
    rest.map((r) => ({ start: "c", middle: ["a1", ...r].join(" "), end1: "b" }));

  it("consecutive loop: 3 matches on c d a1 a2 a3 d a4 b", () => {
    // NFAITCase#testStrictOneOrMore
    expectMatches(loop("strict", false), cdaaadab, withA1([["a2", "a3"], ["a2"], []]));
  });

  it("relaxed loop (the default): 4 matches on c d a1 a2 a3 d a4 b", () => {
    // NFAITCase#testSkipTillNextOneOrMore
    expectMatches(loop("relaxed", false), cdaaadab, withA1([["a2", "a3", "a4"], ["a2", "a3"], ["a2"], []]));
  });

  it("combinations loop: 8 matches on c d a1 a2 a3 d a4 b, all starting at a1 (followedBy takes the first a)", () => {
    // NFAITCase#testSkipTillAnyOneOrMore
    expectMatches(loop("any", false), cdaaadab, withA1(subsets(["a2", "a3", "a4"])));
  });

  it("optional consecutive loop: the same 3 plus the skip", () => {
    // NFAITCase#testStrictEagerZeroOrMore
    expectMatches(loop("strict", true), cdaaadab, [
      ...withA1([["a2", "a3"], ["a2"], []]),
      { start: "c", end1: "b" },
    ]);
  });

  it("optional combinations loop: the same 8 plus the skip", () => {
    // NFAITCase#testSkipTillAnyZeroOrMore
    expectMatches(loop("any", true), cdaaadab, [
      ...withA1(subsets(["a2", "a3", "a4"])),
      { start: "c", end1: "b" },
    ]);
  });

  it("optional relaxed loop: the same 4 plus the skip", () => {
    // NFAITCase#testSkipTillNextZeroOrMore
    expectMatches(loop("relaxed", true), cdaaadab, [
      ...withA1([["a2", "a3", "a4"], ["a2", "a3"], ["a2"], []]),
      { start: "c", end1: "b" },
    ]);
  });

  for (const optional of [true, false]) {
    it(`a pattern that is one consecutive loop${optional ? " (optional)" : ""} restarts after a gap`, () => {
      // NFAITCase#testStartWith{ZeroOrMore,OneOrMore}Strict
      let p: P = Pattern.begin<Ev>("start").where(is("a")).oneOrMore();
      if (optional) p = p.optional();
      expectMatches(
        p.consecutive(),
        [
          [C, 1],
          [A1, 3],
          [C, 4],
          [A2, 5],
          [A3, 6],
        ],
        [{ start: "a1" }, { start: "a2 a3" }, { start: "a2" }, { start: "a3" }],
      );
    });
  }

  it("two combinations loops in a row: the second starts right after the first one's last event", () => {
    // NFAITCase#testMultipleTakesVersionCollision
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("middle1")
      .where(is("a"))
      .oneOrMore()
      .allowCombinations()
      .followedBy("middle2")
      .where(is("a"))
      .oneOrMore()
      .allowCombinations()
      .followedBy("end")
      .where(is("b"));
    const a = [1, 2, 3, 4, 5].map((i) => ev(`a${i}`, "a", i + 1));
    const feed: Feed = [[C, 1], ...a.map((e, i) => [e, i + 3] as const), [B, 10]];
    const split = (m1: string, m2: string): Expected => ({ start: "c", middle1: m1, middle2: m2, end: "b" });
    expectMatches(pattern, feed, [
      split("a1", "a2 a3 a4 a5"),
      split("a1 a2", "a3 a4 a5"),
      split("a1 a2 a3", "a4 a5"),
      split("a1 a2 a3 a4", "a5"),
      split("a1", "a2 a3 a4"),
      split("a1 a2", "a3 a4"),
      split("a1 a2 a3", "a4"),
      split("a1", "a2 a3 a5"),
      split("a1 a2", "a3 a5"),
      split("a1", "a2 a4 a5"),
      split("a1 a2 a4", "a5"),
      split("a1 a3", "a4 a5"),
      split("a1 a3 a4", "a5"),
      split("a1", "a2 a3"),
      split("a1 a2", "a3"),
      split("a1", "a2 a4"),
      split("a1", "a2 a5"),
      split("a1 a3", "a4"),
      split("a1 a4", "a5"),
      split("a1", "a2"),
    ]);
  });
});

describe("NotPatternITCase", () => {
  const a1 = ev("a1", "a", 1);
  const c1 = ev("c1", "c", 2);
  const b1 = ev("b1", "b", 3);
  const c2 = ev("c2", "c", 4);
  const d = ev("d", "d", 4);

  it("notNext kills only the partial match the negated event directly follows", () => {
    // NotPatternITCase#testNotNext
    const pattern = Pattern.begin<Ev>("start")
      .where(is("a"))
      .notNext("notPattern")
      .where(is("b"))
      .followedByAny("middle")
      .where(is("c"))
      .followedBy("end")
      .where(is("d"));
    expectMatches(pattern, inOrder(a1, c1, b1, c2, d), [
      { start: "a1", middle: "c1", end: "d" },
      { start: "a1", middle: "c2", end: "d" },
    ]);
  });

  it("notNext: the negated event right after the start kills the match", () => {
    // NotPatternITCase#testNotNextNoMatches
    const pattern = Pattern.begin<Ev>("start")
      .where(is("a"))
      .notNext("notPattern")
      .where(is("b"))
      .followedBy("middle")
      .where(is("c"))
      .followedBy("end")
      .where(is("d"));
    expectMatches(pattern, inOrder(a1, b1, c1, c2, d), []);
  });

  it("notNext at the end: the negated event right after the last stage kills the matches", () => {
    // NotPatternITCase#testNotNextNoMatchesAtTheEnd
    const pattern = Pattern.begin<Ev>("start")
      .where(is("a"))
      .followedByAny("middle")
      .where(is("c"))
      .followedByAny("end")
      .where(is("d"))
      .notNext("notPattern")
      .where(is("b"));
    expectMatches(pattern, inOrder(a1, c1, c2, d, b1), []);
  });

  it("notFollowedBy: the negated event anywhere before the next stage kills the match", () => {
    // NotPatternITCase#testNotFollowedBy
    const pattern = Pattern.begin<Ev>("start")
      .where(is("a"))
      .notFollowedBy("notPattern")
      .where(is("b"))
      .followedByAny("middle")
      .where(is("c"))
      .followedBy("end")
      .where(is("d"));
    expectMatches(pattern, inOrder(a1, c1, b1, c2, d), [{ start: "a1", middle: "c1", end: "d" }]);
  });

  it("notFollowedBy before an optional stage also guards the skip", () => {
    // NotPatternITCase#testNotFollowedByBeforeOptional
    const pattern = Pattern.begin<Ev>("start")
      .where(is("a"))
      .notFollowedBy("notPattern")
      .where(is("b"))
      .followedByAny("middle")
      .where(is("c"))
      .optional()
      .followedBy("end")
      .where(is("d"));
    expectMatches(pattern, inOrder(a1, c1, b1, c2, d), [{ start: "a1", middle: "c1", end: "d" }]);
  });

  it("notFollowedBy after times(2): the negated event between the loop and the end kills it", () => {
    // NotPatternITCase#testTimesWithNotFollowedBy
    const pattern = Pattern.begin<Ev>("start")
      .where(is("a"))
      .followedByAny("middle")
      .where(is("b"))
      .times(2)
      .notFollowedBy("notPattern")
      .where(is("c"))
      .followedBy("end")
      .where(is("d"));
    expectMatches(pattern, inOrder(a1, ev("b1", "b", 2), ev("c", "c", 3), ev("b2", "b", 4), d), []);
  });

  it("notFollowedBy before an optional times(2): the match that skips it ends before the negated event", () => {
    // NotPatternITCase#testIgnoreStateOfTimesWithNotFollowedBy
    const pattern = Pattern.begin<Ev>("start")
      .where(is("a"))
      .notFollowedBy("notPattern")
      .where(is("b"))
      .followedByAny("middle")
      .where(is("c"))
      .times(2)
      .optional()
      .followedBy("end")
      .where(is("d"));
    expectMatches(
      pattern,
      [
        [a1, 1],
        [ev("d1", "d", 6), 2],
        [ev("e", "e", 2), 1],
        [ev("b1", "b", 4), 3],
        [ev("c1", "c", 3), 2],
        [ev("c2", "c", 5), 4],
        [ev("d2", "d", 7), 5],
      ],
      [{ start: "a1", end: "d1" }],
    );
  });

  it("notFollowedBy after times(2): a negated event after the two b's kills every match", () => {
    // NotPatternITCase#testTimesWithNotFollowedByAfter
    const pattern = Pattern.begin<Ev>("start")
      .where(is("a"))
      .followedByAny("middle")
      .where(is("b"))
      .times(2)
      .notFollowedBy("notPattern")
      .where(is("c"))
      .followedBy("end")
      .where(is("d"));
    expectMatches(
      pattern,
      [
        [a1, 1],
        [ev("d1", "d", 7), 2],
        [ev("e", "e", 2), 1],
        [ev("b1", "b", 4), 3],
        [ev("b2", "b", 5), 3],
        [ev("c1", "c", 3), 2],
        [ev("d2", "d", 8), 5],
      ],
      [],
    );
  });

  it("notFollowedBy before an optional last stage: the match without it is emitted at once", () => {
    // NotPatternITCase#testNotFollowedByBeforeOptionalAtTheEnd
    const pattern = Pattern.begin<Ev>("start")
      .where(is("a"))
      .notFollowedBy("notPattern")
      .where(is("b"))
      .followedByAny("end")
      .where(is("c"))
      .optional();
    expectMatches(pattern, inOrder(a1, c1, b1, c2), [{ start: "a1", end: "c1" }, { start: "a1" }]);
  });

  it("notFollowedBy before an optional times(2): the negated event between the c's does not count", () => {
    // NotPatternITCase#testNotFollowedByBeforeOptionalTimes
    const pattern = Pattern.begin<Ev>("start")
      .where(is("a"))
      .notFollowedBy("notPattern")
      .where(is("b"))
      .followedByAny("middle")
      .where(is("c"))
      .times(2)
      .optional()
      .followedBy("end")
      .where(is("d"));
    expectMatches(pattern, inOrder(a1, c1, b1, c2, d), [{ start: "a1", middle: "c1 c2", end: "d" }]);
  });

  it("notFollowedBy right after the start: a later start is unaffected", () => {
    // NotPatternITCase#testNotFollowedByWithBranchingAtStart
    const pattern = Pattern.begin<Ev>("start")
      .where(is("a"))
      .notFollowedBy("notPattern")
      .where(is("b"))
      .followedBy("middle")
      .where(is("c"))
      .followedBy("end")
      .where(is("d"));
    expectMatches(
      pattern,
      inOrder(a1, ev("b1", "b", 3), ev("c1", "c", 2), ev("a2", "a", 4), ev("c2", "c", 5), d),
      [{ start: "a2", middle: "c2", end: "d" }],
    );
  });

  // FlinkCEP's NotFollowByData, at timestamps 0, 1, 2, ...
  const A_1 = ev("A1", "a", 1);
  const B_1 = ev("B1", "b", 2);
  const B_2 = ev("B2", "b", 3);
  const B_3 = ev("B3", "b", 4);
  const C_1 = ev("C1", "c", 5);
  const B_4 = ev("B4", "b", 6);
  const B_5 = ev("B5", "b", 7);
  const B_6 = ev("B6", "b", 8);
  const D_1 = ev("D1", "d", 9);
  const from0 = (...events: Ev[]): Feed => events.map((e, i) => [e, i] as const);

  for (const any of [false, true]) {
    it(`notNext after a loop reached by ${any ? "followedByAny" : "followedBy"}`, () => {
      // NotPatternITCase#testNotNextAfterOneOrMoreSkipTill{Next,Any}
      const first = Pattern.begin<Ev>("a").where(is("a"));
      const pattern = (any ? first.followedByAny("b*") : first.followedBy("b*"))
        .where(is("b"))
        .oneOrMore()
        .notNext("not c")
        .where(is("c"))
        .followedBy("d")
        .where(is("d"));
      expectMatches(pattern, from0(A_1, B_1, C_1, B_2, D_1), any ? [{ a: "A1", "b*": "B2", d: "D1" }] : []);
    });
  }

  for (const [any, combinations] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    it(`notFollowedBy after a ${combinations ? "combinations" : "relaxed"} loop reached by ${any ? "followedByAny" : "followedBy"}`, () => {
      // NotPatternITCase#testNotFollowedBy{Next,Any}AfterOneOrMore{Eager,Combinations}
      const first = Pattern.begin<Ev>("a").where(is("a"));
      const loop = (any ? first.followedByAny("b*") : first.followedBy("b*")).where(is("b")).oneOrMore();
      const pattern = (combinations ? loop.allowCombinations() : loop)
        .notFollowedBy("not c")
        .where(is("c"))
        .followedBy("d")
        .where(is("d"));
      const bs = any
        ? combinations
          ? subsets(["B4", "B5", "B6"])
          : [["B4", "B5", "B6"], ["B4", "B5"], ["B4"], ["B5", "B6"], ["B5"], ["B6"]]
        : [];
      expectMatches(
        pattern,
        from0(A_1, B_1, B_2, B_3, C_1, B_4, B_5, B_6, D_1),
        bs.filter((s) => s.length > 0).map((s) => ({ a: "A1", "b*": s.join(" "), d: "D1" })),
      );
    });
  }

  for (const optional of [false, true]) {
    for (const [any, combinations] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`notFollowedBy before a ${optional ? "optional " : ""}${combinations ? "combinations" : "relaxed"} loop reached by ${any ? "followedByAny" : "followedBy"}`, () => {
        // NotPatternITCase#testNotFollowedBy{,Any}BeforeOneOrMore{Eager,Combinations},
        // NotPatternITCase#testNotFollowedByBeforeZeroOrMore{Eager,Combinations}SkipTill{Next,Any}
        const first = Pattern.begin<Ev>("a").where(is("a")).notFollowedBy("not c").where(is("c"));
        let loop: P = (any ? first.followedByAny("b*") : first.followedBy("b*")).where(is("b")).oneOrMore();
        if (optional) loop = loop.optional();
        if (combinations) loop = loop.allowCombinations();
        const pattern = loop.followedBy("d").where(is("d"));
        const rest = combinations
          ? subsets(["B4", "B5", "B6"])
          : [["B4", "B5", "B6"], ["B4", "B5"], ["B4"], []];
        expectMatches(
          pattern,
          from0(A_1, B_1, C_1, B_4, B_5, B_6, D_1),
          rest.map((s) => ({ a: "A1", "b*": ["B1", ...s].join(" "), d: "D1" })),
        );
      });
    }
  }

  for (const type of ["first-and-last", "previous-and-current"] as const) {
    it(`notFollowedBy at the end with within (${type}): released when the window passes, killed by the event inside it`, () => {
      // NotPatternITCase#testNotFollowedByWithin{FirstAndLast,PreviousAndCurrent}AtEnd
      const pattern = Pattern.begin<Ev>("a").where(is("a")).notFollowedBy("b").where(is("b")).within(3, type);
      expectMatches(
        pattern,
        [
          [ev("a1", "a", 1), 1],
          [ev("b1", "b", 2), 2],
          [ev("a2", "a", 3), 4],
          [ev("c", "c", 4), 5],
          [ev("b2", "b", 5), 10],
          [ev("a3", "a", 7), 11],
          [ev("b3", "b", 8), 13],
        ],
        [{ a: "a2" }],
      );
    });
  }

  it("notFollowedBy before an optional times(0, 2) with within", () => {
    // NotPatternITCase#testNotFollowByBeforeTimesWithin
    const pattern = Pattern.begin<Ev>("a")
      .where(is("a"))
      .notFollowedBy("b")
      .where(is("b"))
      .followedBy("c")
      .where(is("c"))
      .times(0, 2)
      .within(3);
    expectMatches(
      pattern,
      [
        [ev("a1", "a", 1), 1],
        [ev("b1", "b", 2), 2],
        [ev("a2", "a", 3), 10],
        [ev("c1", "c", 4), 11],
        [ev("c2", "c", 5), 12],
        [ev("a3", "a", 7), 20],
        [ev("c3", "c", 8), 21],
        [ev("c4", "c", 8), 24],
      ],
      [
        { a: "a1" },
        { a: "a2" },
        { a: "a2", c: "c1" },
        { a: "a2", c: "c1 c2" },
        { a: "a3" },
        { a: "a3", c: "c3" },
      ],
    );
  });

  it("notFollowedBy at the end with skipPastLastEvent: the released matches are pruned like any other", () => {
    // NotPatternITCase#testNotFollowedByWithinAtEndAfterMatch
    const pattern = Pattern.begin<Ev>("a", skipPastLastEvent())
      .where(is("a"))
      .oneOrMore()
      .allowCombinations()
      .followedBy("c")
      .where(is("c"))
      .notFollowedBy("b")
      .where(is("b"))
      .within(5);
    expectMatches(
      pattern,
      [
        [ev("a1", "a", 1), 1],
        [ev("a2", "a", 2), 2],
        [ev("a3", "a", 3), 3],
        [ev("c1", "c", 4), 4],
        [ev("c2", "c", 5), 10],
      ],
      [{ a: "a1 a2 a3", c: "c1" }],
    );
  });
});

describe("GreedyITCase", () => {
  const c = ev("c", "c", 1);
  const a1 = ev("a1", "a", 2);
  const a2 = ev("a2", "a", 2);
  const a3 = ev("a3", "a", 2);
  const d = ev("d", "d", 3);
  const greedyLoop = (optional: boolean) => {
    let p: P = Pattern.begin<Ev>("start").where(is("c")).followedBy("middle").where(is("a")).oneOrMore();
    if (optional) p = p.optional();
    return p.greedy().followedBy("end").where(is("d"));
  };

  for (const optional of [true, false]) {
    const kind = optional ? "optional greedy loop" : "greedy loop";
    it(`${kind}: takes every a before the next stage`, () => {
      // GreedyITCase#testGreedy{ZeroOrMore,OneOrMore}
      expectMatches(greedyLoop(optional), inOrder(c, a1, a2, a3, d), [
        { start: "c", middle: "a1 a2 a3", end: "d" },
      ]);
    });

    it(`${kind}: skips unrelated events between the a's`, () => {
      // GreedyITCase#testGreedy{ZeroOrMore,OneOrMore}InBetween
      expectMatches(greedyLoop(optional), inOrder(c, dummy(), a1, dummy(), a2, dummy(), a3, d), [
        { start: "c", middle: "a1 a2 a3", end: "d" },
      ]);
    });

    it(`${kind}: an unrelated event after the a's does not end the loop early`, () => {
      // GreedyITCase#testGreedy{ZeroOrMore,OneOrMore}WithDummyEventsAfterQuantifier
      expectMatches(greedyLoop(optional), inOrder(c, a1, a2, dummy(), d), [
        { start: "c", middle: "a1 a2", end: "d" },
      ]);
    });

    it(`${kind}: no a at all`, () => {
      // GreedyITCase#testGreedy{ZeroOrMore,OneOrMore}WithDummyEventsBeforeQuantifier
      expectMatches(
        greedyLoop(optional),
        [
          [c, 1],
          [dummy(), 2],
          [d, 5],
        ],
        optional ? [{ start: "c", end: "d" }] : [],
      );
    });

    const withUntil = () => {
      let p: P = Pattern.begin<Ev>("start").where(is("c")).followedBy("middle").where(is("a")).oneOrMore();
      if (optional) p = p.optional();
      return p
        .greedy()
        .until((e: Ev) => e.price > 3)
        .followedBy("end")
        .where(is("d"));
    };

    it(`${kind} with until: the until event ends the loop and is not taken`, () => {
      // GreedyITCase#testGreedyUntil{ZeroOrMore,OneOrMore}WithDummyEventsAfterQuantifier
      expectMatches(
        withUntil(),
        inOrder(c, ev("a1", "a", 2), ev("a2", "a", 3), ev("a3", "a", 3), ev("a4", "a", 4), d),
        [{ start: "c", middle: "a1 a2 a3", end: "d" }],
      );
    });

    it(`${kind} with until: an until event before the first a ends the loop before it starts`, () => {
      // GreedyITCase#testGreedyUntil{WithDummyEventsBeforeQuantifier,OneOrMoreWithDummyEventsBeforeQuantifier}
      expectMatches(
        withUntil(),
        inOrder(c, ev("a4", "a", 4), ev("a1", "a", 2), ev("a2", "a", 3), ev("a3", "a", 3), d),
        optional ? [{ start: "c", end: "d" }] : [],
      );
    });
  }

  it("an optional greedy loop before a group repeated twice", () => {
    // GreedyITCase#testGreedyZeroOrMoreBeforeGroupPattern
    const group = Pattern.begin<Ev>("middle1").where(is("d")).followedBy("middle2").where(is("e"));
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("middle")
      .where(is("a"))
      .oneOrMore()
      .optional()
      .greedy()
      .followedByGroup(group)
      .times(2)
      .followedBy("end")
      .where(is("f"));
    expectMatches(
      pattern,
      inOrder(c, a1, a2, dummy(), a3, ev("d1", "d"), ev("e1", "e"), ev("d2", "d"), ev("e2", "e"), ev("f")),
      [{ start: "c", middle: "a1 a2 a3", middle1: "d1 d2", middle2: "e1 e2", end: "f" }],
    );
  });

  it("an optional greedy loop at the end emits every length as it is reached", () => {
    // GreedyITCase#testEndWithZeroOrMoreGreedy
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("end")
      .where(is("a"))
      .oneOrMore()
      .optional()
      .greedy();
    expectMatches(pattern, inOrder(c, a1, a2, dummy(), a3), [
      { start: "c" },
      { start: "c", end: "a1" },
      { start: "c", end: "a1 a2" },
      { start: "c", end: "a1 a2 a3" },
    ]);
  });

  it("an optional consecutive greedy loop at the end stops at the first gap", () => {
    // GreedyITCase#testEndWithZeroOrMoreConsecutiveGreedy
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("end")
      .where(is("a"))
      .oneOrMore()
      .optional()
      .consecutive()
      .greedy();
    expectMatches(pattern, inOrder(c, a1, a2, dummy(), a3), [
      { start: "c" },
      { start: "c", end: "a1" },
      { start: "c", end: "a1 a2" },
    ]);
  });

  const a4 = ev("a4", "a", 2);

  it("greedy times(2, 5) at the end emits each length from 2 up", () => {
    // GreedyITCase#testEndWithGreedyTimesRange
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("end")
      .where(is("a"))
      .times(2, 5)
      .greedy();
    expectMatches(pattern, inOrder(c, a1, a2, a3, a4, dummy()), [
      { start: "c", end: "a1 a2" },
      { start: "c", end: "a1 a2 a3" },
      { start: "c", end: "a1 a2 a3 a4" },
    ]);
  });

  it("greedy times(2, 5) before another stage takes as many as it can", () => {
    // GreedyITCase#testGreedyTimesRange
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("middle")
      .where(is("a"))
      .times(2, 5)
      .greedy()
      .followedBy("end")
      .where(is("d"));
    expectMatches(pattern, inOrder(c, a1, a2, a3, a4, d), [{ start: "c", middle: "a1 a2 a3 a4", end: "d" }]);
  });
});

describe("TimesRangeITCase", () => {
  const cab = (ts: number[]): Feed => [
    [C, ts[0]],
    [A1, ts[1]],
    [A2, ts[2]],
    [A3, ts[3]],
    [B, ts[4]],
  ];
  const cfAfAAb: Feed = [
    [C, 1],
    [f(), 2],
    [A1, 3],
    [f(), 4],
    [A2, 5],
    [A3, 6],
    [B, 7],
  ];
  const m = (middle: string): Expected =>
    middle === "" ? { start: "c", end1: "b" } : { start: "c", middle, end1: "b" };
  const build = (contiguity: "next" | "followedBy" | "followedByAny", quantify: (p: P) => P) => {
    const first = Pattern.begin<Ev>("start").where(is("c"));
    const middle =
      contiguity === "next"
        ? first.next("middle")
        : contiguity === "followedBy"
          ? first.followedBy("middle")
          : first.followedByAny("middle");
    return quantify(middle.where(is("a")))
      .followedBy("end1")
      .where(is("b"));
  };

  it("times(1, 3) with combinations after next", () => {
    // TimesRangeITCase#testTimesRange
    expectMatches(
      build("next", (p) => p.times(1, 3).allowCombinations()),
      cab([1, 2, 3, 4, 6]),
      ["a1 a2 a3", "a1 a2", "a1 a3", "a1"].map(m),
    );
  });

  it("times(0, 2) is optional times(1, 2)", () => {
    // TimesRangeITCase#testTimesRangeFromZero
    expectMatches(
      build("next", (p) => p.times(0, 2).allowCombinations()),
      cab([1, 2, 3, 4, 6]),
      ["a1 a2", "a1 a3", "a1", ""].map(m),
    );
  });

  it("times(1, 3) with combinations after followedByAny", () => {
    // TimesRangeITCase#testTimesRangeNonStrict
    expectMatches(
      build("followedByAny", (p) => p.times(1, 3).allowCombinations()),
      cfAfAAb,
      ["a1 a2 a3", "a1 a2", "a1 a3", "a2 a3", "a1", "a2", "a3"].map(m),
    );
  });

  it("consecutive times(0, 3) after followedByAny", () => {
    // TimesRangeITCase#testTimesRangeStrict
    expectMatches(
      build("followedByAny", (p) => p.times(0, 3).consecutive()),
      cfAfAAb,
      ["a2 a3", "a1", "a2", "a3", ""].map(m),
    );
  });

  it("optional consecutive times(1, 3) after followedByAny", () => {
    // TimesRangeITCase#testTimesRangeStrictOptional
    expectMatches(
      build("followedByAny", (p) => p.times(1, 3).consecutive().optional()),
      cfAfAAb,
      ["a2 a3", "a1", "a2", "a3", ""].map(m),
    );
  });

  it("optional consecutive times(1, 3) after next", () => {
    // TimesRangeITCase#testTimesRangeStrictOptional1
    expectMatches(
      build("next", (p) => p.times(1, 3).consecutive().optional()),
      cab([1, 3, 5, 6, 7]),
      ["a1 a2 a3", "a1 a2", "a1", ""].map(m),
    );
  });

  it("optional times(1, 3) with no a's", () => {
    // TimesRangeITCase#testTimesRangeNonStrictOptional1
    expectMatches(
      build("followedBy", (p) => p.times(1, 3).optional()),
      [
        [C, 1],
        [f(), 2],
        [B, 7],
      ],
      [m("")],
    );
  });

  it("optional times(2, 3) with combinations after followedByAny", () => {
    // TimesRangeITCase#testTimesRangeNonStrictOptional2
    expectMatches(
      build("followedByAny", (p) => p.times(2, 3).allowCombinations().optional()),
      cfAfAAb,
      ["a1 a2 a3", "a1 a2", "a1 a3", "a2 a3", ""].map(m),
    );
  });

  it("optional relaxed times(2, 3) after followedByAny", () => {
    // TimesRangeITCase#testTimesRangeNonStrictOptional3
    expectMatches(
      build("followedByAny", (p) => p.times(2, 3).optional()),
      cfAfAAb,
      ["a1 a2 a3", "a1 a2", "a2 a3", ""].map(m),
    );
  });

  it("times(2, 3) with combinations after next", () => {
    // TimesRangeITCase#testTimesRangeNonStrictWithNext
    expectMatches(
      build("next", (p) => p.times(2, 3).allowCombinations()),
      [
        [C, 1],
        [A1, 2],
        [f(), 3],
        [A2, 4],
        [f(), 5],
        [A3, 6],
        [B, 7],
      ],
      ["a1 a2 a3", "a1 a2", "a1 a3"].map(m),
    );
  });

  it("relaxed times(2, 3) after followedBy", () => {
    // TimesRangeITCase#testTimesRangeNotStrictWithFollowedBy
    expectMatches(
      build("followedBy", (p) => p.times(2, 3)),
      cab([1, 2, 4, 6, 7]),
      ["a1 a2 a3", "a1 a2"].map(m),
    );
  });

  it("times(2, 3) with combinations after followedByAny", () => {
    // TimesRangeITCase#testTimesRangeNotStrictWithFollowedByAny
    expectMatches(
      build("followedByAny", (p) => p.times(2, 3).allowCombinations()),
      cab([1, 2, 4, 6, 7]),
      ["a1 a2 a3", "a1 a2", "a2 a3", "a1 a3"].map(m),
    );
  });

  describe("TimesOrMoreITCase", () => {
    it("timesOrMore(2) with combinations after followedBy", () => {
      // TimesOrMoreITCase#testTimesOrMore
      expectMatches(
        build("followedBy", (p) => p.timesOrMore(2).allowCombinations()),
        cab([1, 2, 3, 4, 6]),
        ["a1 a2 a3", "a1 a2", "a1 a3"].map(m),
      );
    });

    it("timesOrMore(2) with combinations after followedByAny", () => {
      // TimesOrMoreITCase#testTimesOrMoreNonStrict
      expectMatches(
        build("followedByAny", (p) => p.timesOrMore(2).allowCombinations()),
        cfAfAAb,
        ["a1 a2 a3", "a1 a2", "a1 a3", "a2 a3"].map(m),
      );
    });

    it("consecutive timesOrMore(2) after followedByAny", () => {
      // TimesOrMoreITCase#testTimesOrMoreStrict (Flink's case writes times(2); the matches are the same)
      expectMatches(
        build("followedByAny", (p) => p.timesOrMore(2).consecutive()),
        cfAfAAb,
        ["a2 a3"].map(m),
      );
    });

    it("optional consecutive timesOrMore(2) after followedByAny", () => {
      // TimesOrMoreITCase#testTimesOrMoreStrictOptional
      expectMatches(
        build("followedByAny", (p) => p.timesOrMore(2).consecutive().optional()),
        cfAfAAb,
        ["a2 a3", ""].map(m),
      );
    });

    it("optional consecutive timesOrMore(2) after next", () => {
      // TimesOrMoreITCase#testTimesOrMoreStrictOptional2
      expectMatches(
        build("next", (p) => p.timesOrMore(2).consecutive().optional()),
        cab([1, 3, 5, 6, 7]),
        ["a1 a2 a3", "a1 a2", ""].map(m),
      );
    });

    it("optional timesOrMore(2) with no a's", () => {
      // TimesOrMoreITCase#testTimesOrMoreNonStrictOptional
      expectMatches(
        build("followedBy", (p) => p.timesOrMore(2).optional()),
        [
          [C, 1],
          [f(), 2],
          [B, 7],
        ],
        [m("")],
      );
    });

    it("optional timesOrMore(2) with combinations after followedByAny", () => {
      // TimesOrMoreITCase#testTimesOrMoreNonStrictOptional2
      expectMatches(
        build("followedByAny", (p) => p.timesOrMore(2).allowCombinations().optional()),
        cfAfAAb,
        ["a1 a2 a3", "a1 a2", "a1 a3", "a2 a3", ""].map(m),
      );
    });

    it("optional relaxed timesOrMore(2) after followedByAny", () => {
      // TimesOrMoreITCase#testTimesOrMoreNonStrictOptional3
      expectMatches(
        build("followedByAny", (p) => p.timesOrMore(2).optional()),
        cfAfAAb,
        ["a1 a2 a3", "a1 a2", "a2 a3", ""].map(m),
      );
    });

    it("timesOrMore(2) with combinations after next", () => {
      // TimesOrMoreITCase#testTimesOrMoreNonStrictWithNext
      expectMatches(
        build("next", (p) => p.timesOrMore(2).allowCombinations()),
        [
          [C, 1],
          [A1, 2],
          [f(), 3],
          [A2, 4],
          [f(), 5],
          [A3, 6],
          [B, 7],
        ],
        ["a1 a2 a3", "a1 a2", "a1 a3"].map(m),
      );
    });

    it("relaxed timesOrMore(2) after followedBy", () => {
      // TimesOrMoreITCase#testTimesOrMoreNotStrictWithFollowedBy
      expectMatches(
        build("followedBy", (p) => p.timesOrMore(2)),
        cab([1, 2, 4, 6, 7]),
        ["a1 a2 a3", "a1 a2"].map(m),
      );
    });

    it("timesOrMore(2) with combinations after followedByAny, adjacent a's", () => {
      // TimesOrMoreITCase#testTimesOrMoreNotStrictWithFollowedByAny
      expectMatches(
        build("followedByAny", (p) => p.timesOrMore(2).allowCombinations()),
        cab([1, 2, 4, 6, 7]),
        ["a1 a2 a3", "a1 a2", "a2 a3", "a1 a3"].map(m),
      );
    });
  });
});

describe("GroupITCase", () => {
  const c = ev("c", "c", 1);
  const a1 = ev("a1", "a", 2);
  const b1 = ev("b1", "b", 3);
  const a2 = ev("a2", "a", 4);
  const b2 = ev("b2", "b", 5);
  const a3 = ev("a3", "a", 4);
  const b3 = ev("b3", "b", 5);
  const d = ev("d", "d", 6);
  const ab = () => Pattern.begin<Ev>("middle1").where(is("a")).followedBy("middle2").where(is("b"));
  const startC = () => Pattern.begin<Ev>("start").where(is("c"));
  const m = (as: string, bs: string): Expected => ({ start: "c", middle1: as, middle2: bs, end: "d" });

  it("a group repeated twice: its stages collect the events of both rounds", () => {
    // GroupITCase#testGroupFollowedByTimes
    const pattern = startC().followedByGroup(ab()).times(2).followedBy("end").where(is("d"));
    expectMatches(pattern, inOrder(c, a1, b1, a2, b2, d), [m("a1 a2", "b1 b2")]);
  });

  it("an optional group", () => {
    // GroupITCase#testGroupFollowedByOptional
    const pattern = startC().followedByGroup(ab()).optional().followedBy("end").where(is("d"));
    expectMatches(pattern, inOrder(c, a1, ev("a2", "a", 2), ev("b", "b", 3), ev("d", "d", 4)), [
      { start: "c", end: "d" },
      { start: "c", middle1: "a1", middle2: "b", end: "d" },
    ]);
  });

  it("an optional group repeated twice, incomplete in the input", () => {
    // GroupITCase#testFollowedByGroupTimesOptional
    const pattern = startC().followedByGroup(ab()).times(2).optional().followedBy("end").where(is("d"));
    expectMatches(pattern, inOrder(c, ev("a", "a", 2), ev("d", "d", 3)), [{ start: "c", end: "d" }]);
  });

  it("a group with oneOrMore", () => {
    // GroupITCase#testGroupFollowedByOneOrMore
    const pattern = startC().followedByGroup(ab()).oneOrMore().followedBy("end").where(is("d"));
    expectMatches(pattern, inOrder(c, a1, b1, a2, b2, d), [m("a1", "b1"), m("a1 a2", "b1 b2")]);
  });

  it("an optional group with oneOrMore", () => {
    // GroupITCase#testGroupFollowedByZeroOrMore
    const pattern = startC().followedByGroup(ab()).oneOrMore().optional().followedBy("end").where(is("d"));
    expectMatches(pattern, inOrder(c, a1, b1, a2, b2, d), [
      { start: "c", end: "d" },
      m("a1", "b1"),
      m("a1 a2", "b1 b2"),
    ]);
  });

  const cababab = (): Feed => inOrder(c, a1, b1, a2, b2, a3, b3, d);

  it("a group reached by followedByAny, twice with combinations", () => {
    // GroupITCase#testGroupFollowedByAnyTimesCombinations
    const pattern = startC()
      .followedByAnyGroup(ab())
      .times(2)
      .allowCombinations()
      .followedBy("end")
      .where(is("d"));
    expectMatches(pattern, cababab(), [m("a1 a2", "b1 b2"), m("a1 a3", "b1 b3"), m("a2 a3", "b2 b3")]);
  });

  it("a group reached by followedByAny, optional twice", () => {
    // GroupITCase#testGroupFollowedByAnyTimesOptional
    const pattern = startC().followedByAnyGroup(ab()).times(2).optional().followedBy("end").where(is("d"));
    expectMatches(pattern, cababab(), [{ start: "c", end: "d" }, m("a1 a2", "b1 b2"), m("a2 a3", "b2 b3")]);
  });

  it("a group reached by followedByAny, with oneOrMore", () => {
    // GroupITCase#testGroupFollowedByAnyOneOrMore
    const pattern = startC().followedByAnyGroup(ab()).oneOrMore().followedBy("end").where(is("d"));
    expectMatches(pattern, cababab(), [
      m("a1", "b1"),
      m("a2", "b2"),
      m("a3", "b3"),
      m("a1 a2", "b1 b2"),
      m("a2 a3", "b2 b3"),
      m("a1 a2 a3", "b1 b2 b3"),
    ]);
  });

  it("a group after next, optional consecutive oneOrMore", () => {
    // GroupITCase#testGroupNextZeroOrMore
    const pattern = startC()
      .nextGroup(ab())
      .oneOrMore()
      .optional()
      .consecutive()
      .followedBy("end")
      .where(is("d"));
    expectMatches(
      pattern,
      [
        [c, 1],
        [a1, 3],
        [b1, 4],
        [ev("a2", "a", 3), 5],
        [ev("b2", "b", 3), 6],
        [ev("a3", "a", 4), 7],
        [ev("b3", "b", 3), 8],
        [ev("d", "d", 1), 9],
      ],
      [{ start: "c", end: "d" }, m("a1", "b1"), m("a1 a2", "b1 b2"), m("a1 a2 a3", "b1 b2 b3")],
    );
  });

  const cabdabe = (): Feed => inOrder(c, a1, b1, ev("d", "d", 3), a2, b2, ev("e", "e", 6));

  it("notFollowedBy after a group", () => {
    // GroupITCase#testGroupNotFollowedBy
    const pattern = startC()
      .followedByAnyGroup(ab())
      .notFollowedBy("notPattern")
      .where(is("d"))
      .followedBy("end")
      .where(is("e"));
    expectMatches(pattern, cabdabe(), [{ start: "c", middle1: "a2", middle2: "b2", end: "e" }]);
  });

  it("notNext after a group", () => {
    // GroupITCase#testGroupNotNext
    const pattern = startC()
      .followedByAnyGroup(ab())
      .notNext("notPattern")
      .where(is("d"))
      .followedBy("end")
      .where(is("e"));
    expectMatches(pattern, cabdabe(), [{ start: "c", middle1: "a2", middle2: "b2", end: "e" }]);
  });

  const bc = () => Pattern.begin<Ev>("middle2").where(is("b")).followedBy("middle3").where(is("c"));

  it("nested groups: d (a (b c)*)? e", () => {
    // GroupITCase#testGroupNest
    const inner = Pattern.begin<Ev>("middle1").where(is("a")).followedByGroup(bc()).oneOrMore().optional();
    const pattern = Pattern.begin<Ev>("start")
      .where(is("d"))
      .followedByGroup(inner)
      .optional()
      .followedBy("end")
      .where(is("e"));
    expectMatches(
      pattern,
      inOrder(ev("d"), ev("a1", "a"), ev("b1", "b"), ev("c1", "c"), ev("b2", "b"), ev("c2", "c"), ev("e")),
      [
        { start: "d", end: "e" },
        { start: "d", middle1: "a1", end: "e" },
        { start: "d", middle1: "a1", middle2: "b1", middle3: "c1", end: "e" },
        { start: "d", middle1: "a1", middle2: "b1 b2", middle3: "c1 c2", end: "e" },
      ],
    );
  });

  const nestTimesInput = (breaking: boolean): Feed => {
    const events = [
      ev("d"),
      ev("a1", "a"),
      ev("b1", "b"),
      ev("c1", "c"),
      ev("b2", "b"),
      ev("c2", "c"),
      ev("b3", "b"),
      ev("c3", "c"),
      ev("a2", "a"),
      ev("b4", "b"),
      ev("c4", "c"),
      ...(breaking ? [ev("breaking")] : []),
      ev("b5", "b"),
      ev("c5", "c"),
      ev("b6", "b"),
      ev("c6", "c"),
      ev("e"),
    ];
    return inOrder(...events);
  };

  it("nested groups with times: d any (a (b c){3}){0, 2} e", () => {
    // GroupITCase#testGroupNestTimes
    const inner = Pattern.begin<Ev>("middle1").where(is("a")).followedByGroup(bc()).times(3);
    const pattern = Pattern.begin<Ev>("start")
      .where(is("d"))
      .followedByAnyGroup(inner)
      .times(0, 2)
      .followedBy("end")
      .where(is("e"));
    expectMatches(pattern, nestTimesInput(false), [
      { start: "d", end: "e" },
      { start: "d", middle1: "a1", middle2: "b1 b2 b3", middle3: "c1 c2 c3", end: "e" },
      { start: "d", middle1: "a2", middle2: "b4 b5 b6", middle3: "c4 c5 c6", end: "e" },
      { start: "d", middle1: "a1 a2", middle2: "b1 b2 b3 b4 b5 b6", middle3: "c1 c2 c3 c4 c5 c6", end: "e" },
    ]);
  });

  it("nested groups with consecutive times: an unrelated event breaks the inner repetition", () => {
    // GroupITCase#testGroupNestTimesConsecutive
    const inner = Pattern.begin<Ev>("middle1").where(is("a")).followedByGroup(bc()).times(3).consecutive();
    const pattern = Pattern.begin<Ev>("start")
      .where(is("d"))
      .followedByAnyGroup(inner)
      .times(0, 2)
      .consecutive()
      .followedBy("end")
      .where(is("e"));
    expectMatches(pattern, nestTimesInput(true), [
      { start: "d", end: "e" },
      { start: "d", middle1: "a1", middle2: "b1 b2 b3", middle3: "c1 c2 c3", end: "e" },
    ]);
  });

  it("a pattern may begin with a quantified group", () => {
    // GroupITCase#testGroupBegin
    const pattern = Pattern.beginGroup<Ev, any>(ab()).times(1, 2).followedBy("end").where(is("d"));
    expectMatches(pattern, inOrder(a1, b1, a2, b2, d), [
      { middle1: "a1", middle2: "b1", end: "d" },
      { middle1: "a2", middle2: "b2", end: "d" },
      { middle1: "a1 a2", middle2: "b1 b2", end: "d" },
    ]);
  });

  it("a group with oneOrMore and until", () => {
    // GroupITCase#testGroupFollowedByOneOrMoreWithUntilCondition
    const pattern = startC()
      .followedByGroup(ab())
      .oneOrMore()
      .until((e: Ev) => e.name === "d")
      .followedBy("end")
      .where(is("d"));
    expectMatches(pattern, inOrder(c, a1, b1, a2, b2, d), [m("a1", "b1"), m("a1 a2", "b1 b2")]);
  });

  it("a group that begins with an optional stage, between next stages", () => {
    // GroupITCase#testGroupStartsWithOptionalPattern
    const group = Pattern.begin<Ev>("middle1").where(is("b")).optional().next("middle2").where(is("c"));
    const pattern = Pattern.begin<Ev>("start").where(is("a")).nextGroup(group).next("d").where(is("d"));
    expectMatches(pattern, inOrder(ev("a"), ev("c"), ev("d")), [{ start: "a", middle2: "c", d: "d" }]);
  });

  it("an optional group followed by next", () => {
    // GroupITCase#testFollowedByOptionalGroupPattern
    const group = Pattern.begin<Ev>("middle1").where(is("b")).next("middle2").where(is("c"));
    const pattern = Pattern.begin<Ev>("start")
      .where(is("a"))
      .followedByGroup(group)
      .optional()
      .next("d")
      .where(is("d"));
    expectMatches(pattern, inOrder(ev("a"), ev("d1", "d"), ev("d2", "d")), [{ start: "a", d: "d1" }]);
  });
});

describe("AfterMatchSkipITCase", () => {
  const a = [1, 2, 3, 4, 5, 6].map((i) => ev(`a${i}`, "a"));
  const timesThree = (strategy: ReturnType<typeof noSkip>) =>
    Pattern.begin<Ev>("start", strategy).where(is("a")).times(3);

  it("noSkip: every match, overlapping ones included", () => {
    // AfterMatchSkipITCase#testNoSkip
    expectMatches(timesThree(noSkip()), inOrder(...a), [
      { start: "a1 a2 a3" },
      { start: "a2 a3 a4" },
      { start: "a3 a4 a5" },
      { start: "a4 a5 a6" },
    ]);
  });

  it("skipPastLastEvent: matching resumes after the match", () => {
    // AfterMatchSkipITCase#testSkipPastLast
    expectMatches(timesThree(skipPastLastEvent()), inOrder(...a), [
      { start: "a1 a2 a3" },
      { start: "a4 a5 a6" },
    ]);
  });

  const twoVariables = inOrder(ev("a1", "a"), ev("b1", "b"), ev("a2", "a"), ev("b2", "b"));
  const anyAB = (strategy: ReturnType<typeof noSkip>) =>
    Pattern.begin<Ev>("start").where(is("a")).followedByAny("end").where(is("b")).withSkipStrategy(strategy);

  it("noSkip with followedByAny", () => {
    // AfterMatchSkipITCase#testNoSkipWithFollowedByAny
    expectMatches(anyAB(noSkip()), twoVariables, [
      { start: "a1", end: "b1" },
      { start: "a1", end: "b2" },
      { start: "a2", end: "b2" },
    ]);
  });

  it("skipToNext with followedByAny: one match per start", () => {
    // AfterMatchSkipITCase#testSkipToNextWithFollowedByAny
    expectMatches(anyAB(skipToNext()), twoVariables, [
      { start: "a1", end: "b1" },
      { start: "a2", end: "b2" },
    ]);
  });

  const quantifierAtEnd = (strategy: ReturnType<typeof noSkip>) =>
    Pattern.begin<Ev>("start")
      .where(is("a"))
      .next("end")
      .where(is("b"))
      .oneOrMore()
      .withSkipStrategy(strategy);
  const ab1b2b3 = inOrder(ev("a1", "a"), ev("b1", "b"), ev("b2", "b"), ev("b3", "b"));

  it("noSkip with a loop at the end: every length", () => {
    // AfterMatchSkipITCase#testNoSkipWithQuantifierAtTheEnd (the documentation's `a b+` table)
    expectMatches(quantifierAtEnd(noSkip()), ab1b2b3, [
      { start: "a1", end: "b1 b2 b3" },
      { start: "a1", end: "b1 b2" },
      { start: "a1", end: "b1" },
    ]);
  });

  it("skipToNext with a loop at the end: only the first length", () => {
    // AfterMatchSkipITCase#testSkipToNextWithQuantifierAtTheEnd (the documentation's `a b+` table)
    expectMatches(quantifierAtEnd(skipToNext()), ab1b2b3, [{ start: "a1", end: "b1" }]);
  });

  const abab = (strategy: ReturnType<typeof noSkip>) =>
    Pattern.begin<Ev>("start", strategy)
      .where(nameContains("a"))
      .times(2)
      .next("end")
      .where(nameContains("b"))
      .times(2);
  const ab = (n: number) => inOrder(...Array.from({ length: n }, (_, i) => ev(`ab${i + 1}`, "ab")));

  it("skipToFirst: the next match may start at the first event of the named stage", () => {
    // AfterMatchSkipITCase#testSkipToFirst
    expectMatches(abab(skipToFirst("end")), ab(6), [
      { start: "ab1 ab2", end: "ab3 ab4" },
      { start: "ab3 ab4", end: "ab5 ab6" },
    ]);
  });

  it("skipToLast: the next match may start at the last event of the named stage", () => {
    // AfterMatchSkipITCase#testSkipToLast
    expectMatches(abab(skipToLast("end")), ab(7), [
      { start: "ab1 ab2", end: "ab3 ab4" },
      { start: "ab4 ab5", end: "ab6 ab7" },
    ]);
  });

  it("skipPastLastEvent with followedByAny stages: one match", () => {
    // AfterMatchSkipITCase#testSkipPastLast2
    const pattern = Pattern.begin<Ev>("a", skipPastLastEvent())
      .where(nameContains("a"))
      .followedByAny("b")
      .where(nameContains("b"))
      .followedByAny("c")
      .where(nameContains("c"))
      .followedBy("d")
      .where(nameContains("d"));
    const events = ["a1", "a2", "b1", "b2", "c1", "c2", "d1", "d2"].map((l) => ev(l, l));
    expectMatches(pattern, inOrder(...events), [{ a: "a1", b: "b1", c: "c1", d: "d1" }]);
  });

  it("skipPastLastEvent with next", () => {
    // AfterMatchSkipITCase#testSkipPastLast3
    const pattern = Pattern.begin<Ev>("a", skipPastLastEvent())
      .where(nameContains("a"))
      .next("b")
      .where(nameContains("b"));
    const events = ["a1", "c", "a2", "b2"].map((l) => ev(l, l));
    expectMatches(pattern, inOrder(...events), [{ a: "a2", b: "b2" }]);
  });

  const abc = () => inOrder(...["ab1", "c1", "ab2", "c2"].map((l) => ev(l, l)));

  it("skipToFirst with an optional first stage", () => {
    // AfterMatchSkipITCase#testSkipToFirstWithOptionalMatch
    const pattern = Pattern.begin<Ev>("x", skipToFirst("b"))
      .where(nameContains("x"))
      .oneOrMore()
      .optional()
      .next("b")
      .where(nameContains("b"))
      .next("c")
      .where(nameContains("c"));
    expectMatches(pattern, abc(), [
      { b: "ab1", c: "c1" },
      { b: "ab2", c: "c2" },
    ]);
  });

  it("skipToFirst naming the first stage of a match behaves as noSkip", () => {
    // AfterMatchSkipITCase#testSkipToFirstAtStartPosition
    const pattern = Pattern.begin<Ev>("b", skipToFirst("b"))
      .where(nameContains("b"))
      .next("c")
      .where(nameContains("c"));
    expectMatches(pattern, abc(), [
      { b: "ab1", c: "c1" },
      { b: "ab2", c: "c2" },
    ]);
  });

  const abLoop = (strategy: ReturnType<typeof noSkip>) =>
    Pattern.begin<Ev>("a", strategy)
      .where(nameContains("a"))
      .next("b")
      .where(nameContains("b"))
      .oneOrMore()
      .consecutive();
  const abbab = () => inOrder(...["a1", "b1", "a2", "b2", "b3", "a3", "b4"].map((l) => ev(l, l)));

  it("skipToFirst with a loop: longer matches from the same start are discarded", () => {
    // AfterMatchSkipITCase#testSkipToFirstWithOneOrMore
    expectMatches(abLoop(skipToFirst("b")), abbab(), [
      { a: "a1", b: "b1" },
      { a: "a2", b: "b2" },
      { a: "a3", b: "b4" },
    ]);
  });

  it("skipToLast with a loop: longer matches from the same start are discarded", () => {
    // AfterMatchSkipITCase#testSkipToLastWithOneOrMore
    expectMatches(abLoop(skipToLast("b")), abbab(), [
      { a: "a1", b: "b1" },
      { a: "a2", b: "b2" },
      { a: "a3", b: "b4" },
    ]);
  });

  it("skipToFirst to the match's own first event is noSkip, even when errors on a miss are asked for", () => {
    // AfterMatchSkipITCase#testSkipToFirstElementOfMatch: a deliberate difference. Flink throws
    // here; eddy follows CEP-SEMANTICS.md (skipping to the match's own first event discards
    // nothing, so it is noSkip), and throwOnMiss is about a stage with no event in the match.
    const pattern = Pattern.begin<Ev>("a", skipToFirst("a", { throwOnMiss: true })).where(nameContains("a"));
    assert.equal(run(pattern, inOrder(ev("a1", "a1"))).matches.length, 1);
  });

  const missedSkipTo = (strategy: ReturnType<typeof noSkip>) =>
    Pattern.begin<Ev>("a")
      .where(nameContains("a"))
      .next("b")
      .where(nameContains("b"))
      .oneOrMore()
      .optional()
      .consecutive()
      .next("c")
      .where(nameContains("c"))
      .withSkipStrategy(strategy);
  const ac = () => inOrder(ev("a"), ev("c"));

  it("skipToFirst to a stage with no event fails when errors on a miss are asked for", () => {
    // AfterMatchSkipITCase#testSkipToFirstNonExistentPosition
    assert.throws(() => run(missedSkipTo(skipToFirst("b", { throwOnMiss: true })), ac()));
  });

  it("skipToFirst to a stage with no event behaves as noSkip by default", () => {
    // AfterMatchSkipITCase#testSkipToFirstNonExistentPositionWithoutException
    expectMatches(missedSkipTo(skipToFirst("b")), ac(), [{ a: "a", c: "c" }]);
  });

  it("skipToLast to a stage with no event fails when errors on a miss are asked for", () => {
    // AfterMatchSkipITCase#testSkipToLastNonExistentPosition
    assert.throws(() => run(missedSkipTo(skipToLast("b", { throwOnMiss: true })), ac()));
  });

  it("skipToLast to a stage with no event behaves as noSkip by default", () => {
    // AfterMatchSkipITCase#testSkipToLastNonExistentPositionWithoutException
    expectMatches(missedSkipTo(skipToLast("b")), ac(), [{ a: "a", c: "c" }]);
  });

  // The FlinkCEP documentation's table for `b+ c` on `b1 b2 b3 c` (here a+ b on a1 a2 a3 b1).
  const greedyAB = (strategy: ReturnType<typeof noSkip>) =>
    Pattern.begin<Ev>("a", strategy)
      .where(nameContains("a"))
      .oneOrMore()
      .consecutive()
      .greedy()
      .next("b")
      .where(nameContains("b"));
  const aaab = () => inOrder(...["a1", "a2", "a3", "b1"].map((l) => ev(l, l)));
  const allThree: Expected[] = [
    { a: "a1 a2 a3", b: "b1" },
    { a: "a2 a3", b: "b1" },
    { a: "a3", b: "b1" },
  ];

  it("skip table for `a+ b`: noSkip keeps all three matches", () => {
    // AfterMatchSkipITCase#testNoSkipWithOneOrMoreAtBeginning
    expectMatches(greedyAB(noSkip()), aaab(), allThree);
  });

  it("skip table for `a+ b`: skipToNext keeps all three (no other match starts at a1)", () => {
    // FlinkCEP documentation, "After Match Skip Strategy", SKIP_TO_NEXT row
    expectMatches(greedyAB(skipToNext()), aaab(), allThree);
  });

  it("skip table for `a+ b`: skipPastLastEvent keeps one match", () => {
    // AfterMatchSkipITCase#testSkipPastLastWithOneOrMoreAtBeginning
    expectMatches(greedyAB(skipPastLastEvent()), aaab(), [{ a: "a1 a2 a3", b: "b1" }]);
  });

  it("skip table for `a+ b`: skipToFirst(a) discards nothing", () => {
    // AfterMatchSkipITCase#testSkipToFirstWithOneOrMoreAtBeginning
    expectMatches(greedyAB(skipToFirst("a")), aaab(), allThree);
  });

  it("skip table for `a+ b`: skipToLast(a) discards the match that starts at a2", () => {
    // AfterMatchSkipITCase#testSkipToLastWithOneOrMoreAtBeginning
    expectMatches(greedyAB(skipToLast("a")), aaab(), [
      { a: "a1 a2 a3", b: "b1" },
      { a: "a3", b: "b1" },
    ]);
  });

  // The documentation's `(a | b | c) (b | c) c+.greedy d` on `a b c1 c2 c3 d`; Flink's test
  // drops b from the first stage.
  const abcccd = (strategy: ReturnType<typeof noSkip>, firstTakesB: boolean) =>
    Pattern.begin<Ev>("first", strategy)
      .where((e) => e.name.includes("a") || e.name.includes("c") || (firstTakesB && e.name.includes("b")))
      .followedBy("b or c")
      .where((e) => e.name.includes("b") || e.name.includes("c"))
      .followedBy("c*")
      .where(nameContains("c"))
      .oneOrMore()
      .greedy()
      .followedBy("d")
      .where(nameContains("d"));
  const abcccdInput = () => inOrder(...["a", "b", "c1", "c2", "c3", "d"].map((l) => ev(l, l)));

  it("skip table for `(a|b|c) (b|c) c+ d`: noSkip", () => {
    // FlinkCEP documentation, "After Match Skip Strategy", second table, NO_SKIP row
    expectMatches(abcccd(noSkip(), true), abcccdInput(), [
      { first: "a", "b or c": "b", "c*": "c1 c2 c3", d: "d" },
      { first: "b", "b or c": "c1", "c*": "c2 c3", d: "d" },
      { first: "c1", "b or c": "c2", "c*": "c3", d: "d" },
    ]);
  });

  it("skip table for `(a|b|c) (b|c) c+ d`: skipToFirst(c*) discards the match that starts at b", () => {
    // AfterMatchSkipITCase#testSkipToFirstDiscarding
    expectMatches(abcccd(skipToFirst("c*"), false), abcccdInput(), [
      { first: "a", "b or c": "b", "c*": "c1 c2 c3", d: "d" },
      { first: "c1", "b or c": "c2", "c*": "c3", d: "d" },
    ]);
  });

  it("skip table for `(a|b|c) (b|c) c+ d`: skipToFirst(c*) with b allowed first, as in the documentation", () => {
    // FlinkCEP documentation, "After Match Skip Strategy", second table, SKIP_TO_FIRST row
    expectMatches(abcccd(skipToFirst("c*"), true), abcccdInput(), [
      { first: "a", "b or c": "b", "c*": "c1 c2 c3", d: "d" },
      { first: "c1", "b or c": "c2", "c*": "c3", d: "d" },
    ]);
  });

  it("a completed match waits for an earlier partial match before the skip is applied", () => {
    // AfterMatchSkipITCase#testSkipBeforeOtherAlreadyCompleted
    const pattern = Pattern.begin<Ev>("a", skipToFirst("c"))
      .where(nameContains("a"))
      .followedBy("c")
      .where(nameContains("c"))
      .followedBy("b")
      .where((e, ctx) => e.name.includes("b") && ctx.events("a")[0].price === e.price);
    expectMatches(
      pattern,
      inOrder(
        ev("a1", "a1", 0),
        ev("c1", "c1", 0),
        ev("a2", "a2", 1),
        ev("c2", "c2", 0),
        ev("b1", "b1", 1),
        ev("b2", "b2", 0),
      ),
      [
        { a: "a1", c: "c1", b: "b2" },
        { a: "a2", c: "c2", b: "b1" },
      ],
    );
  });
});

describe("IterativeConditionsITCase", () => {
  const s1 = ev("s1", "start", 1);
  const s2 = ev("s2", "start", 2);
  const s3 = ev("s3", "start", 3);
  const s4 = ev("s4", "start", 4);
  const m1 = sub("m1", "foo1", 1, 10);
  const m2 = sub("m2", "foo2", 2, 10);
  const m3 = sub("m3", "foo3", 3, 10);
  const m4 = sub("m4", "foo4", 1, 10);
  const end = ev("end", "end", 1);
  const sum = (events: readonly Ev[]) => events.reduce((acc, e) => acc + e.price, 0);

  const branching = (combinations: boolean) => {
    const loop = Pattern.begin<Ev>("start")
      .where(is("start"))
      .followedBy("middle")
      .subtype(isSub)
      .where((v, ctx) => v.name.startsWith("foo") && sum(ctx.events("middle")) + v.price < 5)
      .oneOrMore();
    return (combinations ? loop.allowCombinations() : loop).followedBy("end").where(is("end"));
  };
  const branchingInput: Feed = [
    [s1, 1],
    [m1, 2],
    [m2, 3],
    [s2, 4],
    [m3, 5],
    [m4, 5],
    [ev("next", "next-one", 1), 6],
    [end, 8],
  ];

  it("a loop condition that sums the events already in the loop", () => {
    // IterativeConditionsITCase#testIterativeWithBranchingPatternEager
    expectMatches(branching(false), branchingInput, [
      { start: "s1", middle: "m1 m2 m4", end: "end" },
      { start: "s1", middle: "m1 m2", end: "end" },
      { start: "s1", middle: "m1", end: "end" },
      { start: "s2", middle: "m3 m4", end: "end" },
      { start: "s2", middle: "m3", end: "end" },
    ]);
  });

  it("a summing loop condition with combinations", () => {
    // IterativeConditionsITCase#testIterativeWithBranchingPatternCombinations
    expectMatches(branching(true), branchingInput, [
      { start: "s1", middle: "m1 m2 m4", end: "end" },
      { start: "s1", middle: "m1 m2", end: "end" },
      { start: "s1", middle: "m1 m3", end: "end" },
      { start: "s2", middle: "m3 m4", end: "end" },
      { start: "s1", middle: "m1 m4", end: "end" },
      { start: "s1", middle: "m1", end: "end" },
      { start: "s2", middle: "m3", end: "end" },
    ]);
  });

  const loopingStart = (combinations: boolean) => {
    const loop = Pattern.begin<Ev>("start")
      .where((v, ctx) => v.name === "start" && sum(ctx.events("start")) + v.price < 5)
      .oneOrMore();
    return (combinations ? loop.allowCombinations() : loop).optional().followedBy("end").where(is("end"));
  };

  it("a summing condition on a first-stage loop", () => {
    // IterativeConditionsITCase#testIterativeWithLoopingStartingEager
    expectMatches(loopingStart(false), inOrder(s1, s2, s3, end), [
      { start: "s1 s2", end: "end" },
      { start: "s1", end: "end" },
      { start: "s2", end: "end" },
      { start: "s3", end: "end" },
      { end: "end" },
    ]);
  });

  it("a summing condition on a first-stage combinations loop", () => {
    // IterativeConditionsITCase#testIterativeWithLoopingStartingCombination
    expectMatches(loopingStart(true), inOrder(s1, s2, s3, end), [
      { start: "s1 s2", end: "end" },
      { start: "s1 s3", end: "end" },
      { start: "s1", end: "end" },
      { start: "s2", end: "end" },
      { start: "s3", end: "end" },
      { end: "end" },
    ]);
  });

  it("a condition on a later stage that reads an earlier stage's events", () => {
    // IterativeConditionsITCase#testIterativeWithPrevPatternDependency
    const pattern = Pattern.begin<Ev>("start")
      .where(is("start"))
      .oneOrMore()
      .followedBy("end")
      .where((v, ctx) => v.name === "end" && sum(ctx.events("start")) >= 2);
    expectMatches(
      pattern,
      [
        [s1, 1],
        [s2, 2],
        [end, 4],
      ],
      [
        { start: "s1 s2", end: "end" },
        { start: "s2", end: "end" },
      ],
    );
  });

  it("a summing loop condition after a followedByAny stage", () => {
    // IterativeConditionsITCase#testIterativeWithABACPattern
    const pattern = Pattern.begin<Ev>("start")
      .where(is("start"))
      .followedByAny("middle1")
      .subtype(isSub)
      .where((v) => v.name.startsWith("foo"))
      .followedBy("middle2")
      .where((v, ctx) => v.name === "start" && sum(ctx.events("middle2")) + v.price <= 5)
      .oneOrMore()
      .followedBy("end")
      .where(is("end"));
    expectMatches(
      pattern,
      [
        [s1, 1],
        [m1, 2],
        [s2, 2],
        [s3, 2],
        [m2, 2],
        [s4, 2],
        [m3, 2],
        [m4, 2],
        [end, 4],
      ],
      [
        { start: "s1", middle1: "m1", middle2: "s2 s3", end: "end" },
        { start: "s1", middle1: "m1", middle2: "s2", end: "end" },
        { start: "s1", middle1: "m2", middle2: "s4", end: "end" },
        { start: "s2", middle1: "m2", middle2: "s4", end: "end" },
        { start: "s3", middle1: "m2", middle2: "s4", end: "end" },
      ],
    );
  });

  it("a condition reading a loop's events after a followedByAny stage", () => {
    // IterativeConditionsITCase#testIterativeWithPrevPatternDependencyAfterBranching
    const pattern = Pattern.begin<Ev>("start")
      .where(is("start"))
      .oneOrMore()
      .followedByAny("middle1")
      .subtype(isSub)
      .where((v) => v.name.startsWith("foo"))
      .followedByAny("end")
      .where((v, ctx) => v.name === "end" && sum(ctx.events("start")) >= 2);
    expectMatches(
      pattern,
      [
        [s1, 1],
        [s2, 2],
        [m1, 4],
        [s3, 5],
        [m2, 6],
        [end, 7],
      ],
      [
        { start: "s1 s2", middle1: "m1", end: "end" },
        { start: "s2", middle1: "m1", end: "end" },
        { start: "s1 s2", middle1: "m2", end: "end" },
        { start: "s1 s2 s3", middle1: "m2", end: "end" },
        { start: "s2 s3", middle1: "m2", end: "end" },
        { start: "s2", middle1: "m2", end: "end" },
        { start: "s3", middle1: "m2", end: "end" },
      ],
    );
  });
});

describe("UntilConditionITCase", () => {
  const until5 = (e: Ev) => e.price === 5;
  const c = ev("c", "c", 1);
  const a1 = ev("a1", "a", 2);
  const a2 = ev("a2", "a", 3);
  const a3 = ev("a3", "a", 4);
  const brk = ev("brk", "a", 5);
  const ignored = ev("ignored", "a", 6);
  const build = (optional: boolean, inner: "relaxed" | "strict" | "any") => {
    let p: P = Pattern.begin<Ev>("start").where(is("c")).followedBy("middle").where(is("a")).oneOrMore();
    if (optional) p = p.optional();
    if (inner === "strict") p = p.consecutive();
    if (inner === "any") p = p.allowCombinations();
    return p.until(until5).followedBy("end").where(until5);
  };
  const twoA: Feed = [
    [c, 1],
    [a1, 3],
    [a2, 4],
    [brk, 6],
    [ignored, 7],
  ];
  const threeA: Feed = [
    [c, 1],
    [a1, 3],
    [a2, 4],
    [a3, 5],
    [brk, 6],
    [ignored, 7],
  ];
  const gapA: Feed = [
    [c, 1],
    [a1, 3],
    [a2, 4],
    [brk, 7],
    [ignored, 8],
  ];
  const mm = (middle: string): Expected => ({ start: "c", middle, end: "brk" });

  for (const optional of [false, true]) {
    const skip = optional ? [mm("")] : [];
    const label = optional ? "optional loop" : "loop";
    it(`until ends a relaxed ${label}; the until event can be the next stage's`, () => {
      // UntilConditionITCase#testUntilConditionFollowedBy{OneOrMore,ZeroOrMore}
      expectMatches(build(optional, "relaxed"), twoA, [mm("a1 a2"), mm("a1"), ...skip]);
    });

    it(`until ends a combinations ${label}`, () => {
      // UntilConditionITCase#testUntilConditionFollowedBy{OneOrMore,ZeroOrMore}Combinations
      expectMatches(build(optional, "any"), threeA, [
        mm("a1 a2 a3"),
        mm("a1 a2"),
        mm("a1 a3"),
        mm("a1"),
        ...skip,
      ]);
    });

    it(`until ends a consecutive ${label}`, () => {
      // UntilConditionITCase#testUntilConditionFollowedBy{OneOrMore,ZeroOrMore}Consecutive
      expectMatches(build(optional, "strict"), gapA, [mm("a1 a2"), mm("a1"), ...skip]);
    });
  }

  it("until with a consecutive loop broken by an unrelated event", () => {
    // UntilConditionITCase#testUntilConditionFollowedByOneOrMoreConsecutive2
    expectMatches(
      build(false, "strict"),
      [
        [c, 1],
        [a1, 3],
        [ev("b", "b", 3), 4],
        [a3, 5],
        [brk, 7],
        [ignored, 8],
      ],
      [mm("a1")],
    );
  });

  const anyLoop = (optional: boolean) => {
    let p: P = Pattern.begin<Ev>("start").where(is("c")).followedByAny("middle").where(is("a")).oneOrMore();
    if (optional) p = p.optional();
    return p.until(until5);
  };
  const anyInput: Feed = [
    [c, 1],
    [a1, 3],
    [a2, 4],
    [brk, 6],
    [ev("a3", "a", 6), 7],
  ];

  it("until at the end of a pattern: a loop can start again after the until event", () => {
    // UntilConditionITCase#testUntilConditionFollowedByAnyOneOrMore
    expectMatches(anyLoop(false), anyInput, [
      { start: "c", middle: "a1 a2" },
      { start: "c", middle: "a1" },
      { start: "c", middle: "a2" },
      { start: "c", middle: "a3" },
    ]);
  });

  it("until at the end of a pattern with an optional loop", () => {
    // UntilConditionITCase#testUntilConditionFollowedByAnyZeroOrMore
    expectMatches(anyLoop(true), anyInput, [
      { start: "c", middle: "a1 a2" },
      { start: "c", middle: "a1" },
      { start: "c", middle: "a2" },
      { start: "c", middle: "a3" },
      { start: "c" },
    ]);
  });

  const untilInput: Feed = [
    [c, 1],
    [a1, 3],
    [a2, 4],
    [ev("d", "d", 1), 5],
    [brk, 6],
    [ignored, 7],
  ];

  it("until on a loop without a where takes every event until the until event", () => {
    // UntilConditionITCase#testUntilConditionWithEmptyWhere
    const pattern = Pattern.begin<Ev>("start").where(is("c")).followedBy("middle").oneOrMore().until(until5);
    expectMatches(pattern, untilInput, [
      { start: "c", middle: "a1 a2 d" },
      { start: "c", middle: "a1 a2" },
      { start: "c", middle: "a1" },
    ]);
  });

  for (const optional of [false, true]) {
    it(`an iterative until condition reads the loop's events${optional ? " (optional loop)" : ""}`, () => {
      // UntilConditionITCase#testIterativeUntilCondition{OneOrMore,ZeroOrMore}
      let p: P = Pattern.begin<Ev>("start").where(is("c")).followedBy("middle").oneOrMore();
      if (optional) p = p.optional();
      const pattern = p.until(
        (_e: Ev, ctx) => ctx.events("middle").reduce((s: number, e: Ev) => s + e.price, 0) === 6,
      );
      expectMatches(pattern, untilInput, [
        { start: "c", middle: "a1 a2 d" },
        { start: "c", middle: "a1 a2" },
        { start: "c", middle: "a1" },
        ...(optional ? [{ start: "c" }] : []),
      ]);
    });
  }
});

describe("SameElementITCase: equal events at the same timestamp are distinct events", () => {
  const c = ev("c", "c", 1);
  const a1 = ev("a1", "a", 2);
  const a2 = ev("a2", "a", 3);
  const a3 = ev("a3", "a", 4);
  const b = ev("b", "b", 5);

  it("the same event object fed three times is taken three times by a relaxed loop", () => {
    // SameElementITCase#testEagerZeroOrMoreSameElement
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("middle")
      .where(is("a"))
      .oneOrMore()
      .optional()
      .followedBy("end1")
      .where(is("b"));
    expectMatches(
      pattern,
      [
        [c, 1],
        [a1, 3],
        [a1, 3],
        [a1, 3],
        [a2, 4],
        [ev("d", "d", 6), 5],
        [a3, 6],
        [a3, 6],
        [b, 7],
      ],
      ["a1 a1 a1 a2 a3 a3", "a1 a1 a1 a2 a3", "a1 a1 a1 a2", "a1 a1 a1", "a1 a1", "a1", ""].map((mid) => ({
        start: "c",
        middle: mid,
        end1: "b",
      })),
    );
  });

  it("four followedBy stages with three events at one timestamp", () => {
    // SameElementITCase#testClearingBuffer
    const pattern = Pattern.begin<Ev>("a")
      .where(is("a"))
      .followedBy("b")
      .where(is("b"))
      .followedBy("c")
      .where(is("c"))
      .followedBy("d")
      .where(is("d"));
    expectMatches(
      pattern,
      [
        [ev("a"), 1],
        [ev("b"), 2],
        [ev("c"), 2],
        [ev("d"), 2],
      ],
      [{ a: "a", b: "b", c: "c", d: "d" }],
    );
  });

  it("an until counting the loop's events, with equal events at one timestamp", () => {
    // SameElementITCase#testClearingBufferWithUntilAtTheEnd
    const pattern = Pattern.begin<Ev>("a")
      .where(is("a"))
      .followedBy("d")
      .where(is("d"))
      .oneOrMore()
      .until((_e: Ev, ctx) => ctx.events("d").length === 3);
    expectMatches(
      pattern,
      [
        [ev("a"), 1],
        [ev("d1", "d", 2), 2],
        [ev("d2", "d", 2), 2],
        [ev("d3", "d", 2), 2],
        [ev("d4", "d", 2), 4],
      ],
      [
        { a: "a", d: "d1 d2 d3" },
        { a: "a", d: "d1 d2" },
        { a: "a", d: "d1" },
      ],
    );
  });

  it("an optional combinations loop over equal events yields every subset", () => {
    // SameElementITCase#testZeroOrMoreSameElement
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .oneOrMore()
      .optional()
      .allowCombinations()
      .followedByAny("end1")
      .where(is("b"));
    // a1 twice (equal events) and a3 twice
    const feed: Feed = [
      [c, 1],
      [ev("a1", "a", 2), 3],
      [ev("a1", "a", 2), 3],
      [a2, 4],
      [ev("d", "d", 6), 5],
      [ev("a3", "a", 4), 6],
      [ev("a3", "a", 4), 6],
      [b, 7],
    ];
    expectMatches(
      pattern,
      feed,
      subsets(["a1", "a1", "a2", "a3", "a3"]).map((s) => ({ start: "c", middle: s.join(" "), end1: "b" })),
    );
  });

  it("the same event fed twice gives two matches", () => {
    // SameElementITCase#testSimplePatternWSameElement
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .followedBy("end1")
      .where(is("b"));
    expectMatches(
      pattern,
      [
        [c, 1],
        [a1, 3],
        [a1, 3],
        [b, 7],
      ],
      [
        { start: "c", middle: "a1", end1: "b" },
        { start: "c", middle: "a1", end1: "b" },
      ],
    );
  });

  const threeEqual = (): Feed => [
    [c, 1],
    [ev("a", "a", 2), 3],
    [ev("a", "a", 2), 3],
    [ev("a", "a", 2), 3],
    [ev("b", "b", 5), 7],
  ];

  it("a condition without a name check can take an equal event as the next stage", () => {
    // SameElementITCase#testIterativeConditionWSameElement: the end stage accepts any event once
    // the loop's prices sum to 4; a loop that skipped an event cannot end without taking another
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .oneOrMore()
      .optional()
      .allowCombinations()
      .followedBy("end")
      .where((_e, ctx) => ctx.events("middle").reduce((s: number, e: Ev) => s + e.price, 0) === 4);
    expectMatches(pattern, threeEqual(), [
      { start: "c", middle: "a a", end: "a" },
      { start: "c", middle: "a a", end: "b" },
      { start: "c", middle: "a a", end: "b" },
    ]);
  });

  it("a loop at the end over equal events", () => {
    // SameElementITCase#testEndWLoopingWSameElement
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedByAny("middle")
      .where(is("a"))
      .oneOrMore()
      .optional();
    expectMatches(pattern, threeEqual(), [
      { start: "c" },
      { start: "c", middle: "a" },
      { start: "c", middle: "a" },
      { start: "c", middle: "a" },
      { start: "c", middle: "a a" },
      { start: "c", middle: "a a" },
      { start: "c", middle: "a a a" },
    ]);
  });

  it("an optional loop and an optional stage with a repeated event", () => {
    // SameElementITCase#testRepeatingPatternWSameElement
    const pattern = Pattern.begin<Ev>("start")
      .where(is("c"))
      .followedBy("middle1")
      .where(is("a"))
      .oneOrMore()
      .optional()
      .followedBy("middle2")
      .where(is("b"))
      .optional()
      .followedBy("end")
      .where(is("a"));
    const x = ev("x", "a", 2);
    expectMatches(
      pattern,
      [
        [c, 1],
        [x, 3],
        [x, 3],
        [ev("y", "a", 3), 3],
        [ev("d", "d", 6), 5],
        [ev("b", "b", 5), 6],
        [ev("z", "a", 4), 7],
      ],
      [
        { start: "c", end: "x" },
        { start: "c", middle1: "x", end: "x" },
        { start: "c", middle2: "b", end: "z" },
        { start: "c", middle1: "x x", end: "y" },
        { start: "c", middle1: "x", middle2: "b", end: "z" },
        { start: "c", middle1: "x x y", end: "z" },
        { start: "c", middle1: "x x", middle2: "b", end: "z" },
        { start: "c", middle1: "x x y", middle2: "b", end: "z" },
      ],
    );
  });
});

describe("FlinkCEP documentation examples", () => {
  const a = ev("a");
  const c = ev("c");
  const b1 = ev("b1", "b");
  const b2 = ev("b2", "b");
  const acbb = inOrder(a, c, b1, b2);
  const first = () => Pattern.begin<Ev>("a").where(is("a"));

  it("strict contiguity on a c b1 b2: no match", () => {
    // FlinkCEP documentation, "Combining Patterns": strict contiguity
    expectMatches(first().next("b").where(is("b")), acbb, []);
  });

  it("relaxed contiguity on a c b1 b2: {a b1}", () => {
    // FlinkCEP documentation, "Combining Patterns": relaxed contiguity
    expectMatches(first().followedBy("b").where(is("b")), acbb, [{ a: "a", b: "b1" }]);
  });

  it("non-deterministic relaxed contiguity on a c b1 b2: {a b1}, {a b2}", () => {
    // FlinkCEP documentation, "Combining Patterns": non-deterministic relaxed contiguity
    expectMatches(first().followedByAny("b").where(is("b")), acbb, [
      { a: "a", b: "b1" },
      { a: "a", b: "b2" },
    ]);
  });

  it("a+ until b on a1 c a2 b a3: {a1 a2} {a1} {a2} {a3}", () => {
    // FlinkCEP documentation, "Conditions", stop condition
    const pattern = Pattern.begin<Ev>("a").where(is("a")).oneOrMore().until(is("b"));
    expectMatches(pattern, inOrder(ev("a1", "a"), ev("c"), ev("a2", "a"), ev("b"), ev("a3", "a")), [
      { a: "a1 a2" },
      { a: "a1" },
      { a: "a2" },
      { a: "a3" },
    ]);
  });
});

describe("patterns FlinkCEP rejects (MalformedPatternException)", () => {
  const rejects = (build: () => Pattern<any, any, any, any>) =>
    assert.throws(() => compilePattern(build()), MalformedPatternError);
  const begin = () => Pattern.begin<Ev>("start").where(() => true);

  it("a quantifier can be given once: oneOrMore().oneOrMore()", () => {
    // PatternTest#testPatternCanHaveQuantifierSpecifiedOnce1/4/5
    rejects(() => begin().oneOrMore().oneOrMore());
  });

  it("a quantifier can be given once: oneOrMore().optional().times(1)", () => {
    // PatternTest#testPatternCanHaveQuantifierSpecifiedOnce2
    rejects(() => begin().oneOrMore().optional().times(1));
  });

  it("a quantifier can be given once: times(1).oneOrMore()", () => {
    // PatternTest#testPatternCanHaveQuantifierSpecifiedOnce3
    rejects(() => begin().times(1).oneOrMore());
  });

  it("times() needs a positive count", () => {
    // PatternTest#testPatternTimesNegativeTimes / testPatternTimesNegativeFrom (IllegalArgumentException in Flink)
    rejects(() => begin().times(-1));
    rejects(() => begin().times(-1, 2));
  });

  for (const negation of ["notNext", "notFollowedBy"] as const) {
    const negated = () =>
      begin()
        [negation]("not")
        .where(() => true);
    it(`${negation} cannot loop`, () => {
      // PatternTest#testNotNextCannotBeOneOrMore / testNotFollowedCannotBeOneOrMore
      rejects(() => negated().oneOrMore());
    });
    it(`${negation} cannot repeat`, () => {
      // PatternTest#testNotNextCannotBeTimes / testNotFollowedCannotBeTimes
      rejects(() => negated().times(3));
    });
    it(`${negation} cannot be optional`, () => {
      // PatternTest#testNotNextCannotBeOptional / testNotFollowedCannotBeOptional
      rejects(() => negated().optional());
    });
    it(`${negation} cannot follow an optional stage`, () => {
      // FlinkCEP documentation: "A NOT pattern cannot be preceded by an optional one"
      rejects(() =>
        begin()
          .followedBy("middle")
          .optional()
          [negation]("not")
          .where(() => true)
          .followedBy("end"),
      );
    });
  }

  it("until needs a loop: not times()", () => {
    // PatternTest#testUntilCannotBeAppliedToTimes
    rejects(() =>
      begin()
        .times(1)
        .until(() => true),
    );
  });

  it("until needs a loop: not a single stage", () => {
    // PatternTest#testUntilCannotBeAppliedToSingleton
    rejects(() => begin().until(() => true));
  });

  it("until can be given once", () => {
    // PatternTest#testUntilCannotBeAppliedTwice
    rejects(() =>
      begin()
        .oneOrMore()
        .until(() => true)
        .until(() => true),
    );
  });

  it("stage names are unique", () => {
    // NFACompilerTest#testNFACompilerUniquePatternName
    rejects(() => begin().followedBy("middle").followedBy("start"));
  });

  it("notFollowedBy cannot end a pattern without within", () => {
    // NFACompilerTest#testNFACompilerPatternEndsWithNotFollowedBy
    rejects(() => begin().followedBy("middle").notFollowedBy("end"));
  });

  it("notFollowedBy can end a pattern with within", () => {
    // FlinkCEP documentation: "a pattern sequence can end with notFollowedBy() with temporal constraint"
    assert.doesNotThrow(() =>
      compilePattern(
        begin()
          .notFollowedBy("end")
          .where(() => true)
          .within(10),
      ),
    );
  });

  it("the skip strategy's stage must be a stage of the pattern", () => {
    // NFACompilerTest#testSkipToNotExistsMatchingPattern
    rejects(() =>
      Pattern.begin<Ev>("start", skipToLast("midd"))
        .where(nameContains("a"))
        .next("middle")
        .where(nameContains("d"))
        .oneOrMore()
        .optional()
        .next("end")
        .where(nameContains("c")),
    );
  });

  it('stage names cannot contain ":"', () => {
    // FlinkCEP documentation: "Pattern names CANNOT contain the character ':'"
    rejects(() => Pattern.begin<Ev>("a:b"));
  });

  it("greedy does not apply to a group", () => {
    // FlinkCEP documentation: greedy "does not support group pattern currently"
    rejects(() => begin().followedByGroup(Pattern.begin<Ev>("x").followedBy("y")).oneOrMore().greedy());
  });

  it("an optional stage cannot follow a greedy loop", () => {
    // FlinkCEP NFACompiler: "Optional pattern cannot be preceded by greedy pattern"
    rejects(() => begin().oneOrMore().greedy().followedBy("middle").optional().followedBy("end"));
  });

  it("greedy needs a quantifier", () => {
    // FlinkCEP Quantifier#greedy: "Option not applicable to singleton quantifier"
    rejects(() => begin().greedy());
  });

  it("greedy and allowCombinations exclude each other", () => {
    // FlinkCEP Quantifier#greedy: "Option not applicable to FollowedByAny pattern"
    rejects(() => begin().oneOrMore().allowCombinations().greedy());
  });

  it("consecutive and allowCombinations need a quantifier", () => {
    // FlinkCEP Quantifier#consecutive / #combinations: "... not applicable to ..."
    rejects(() => begin().consecutive());
    rejects(() => begin().allowCombinations());
  });
});

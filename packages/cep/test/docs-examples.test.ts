/**
 * Every example in docs/cep.md, run and checked against the matches the page states. Each test
 * is named after the example's id on the page ("[strict]" ...); change both together.
 *
 * The page's event type is { id, kind, price?, volume? } with is(kind); here the same events are
 * support.ts's { label, name, price, volume? }: id = label, kind = name.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  noSkip,
  Pattern,
  SkipToMissingStageError,
  skipPastLastEvent,
  skipToFirst,
  skipToLast,
  skipToNext,
} from "@eddy/cep";
import { PatternTestHarness, runSequence } from "@eddy/cep/testing";
import {
  canonicalExpected,
  canonicalMatches,
  type Ev,
  type Expected,
  ev,
  expectMatches,
  expectMatchesInOrder,
  expectTimeouts,
  type Feed,
  inOrder,
  named as is,
  isSub,
  run,
  sub,
  subsets,
} from "./support.ts";

type Strategy = ReturnType<typeof noSkip>;
const ids = (...labels: string[]): Ev[] => labels.map((l) => ev(l));

describe("docs/cep.md: stages and contiguity", () => {
  const acbb = inOrder(...ids("a", "c", "b1", "b2"));
  const a = () => Pattern.begin<Ev>("a").where(is("a"));

  it("[strict] next on a c b1 b2: no match", () => {
    expectMatches(a().next("b").where(is("b")), acbb, []);
  });

  it("[relaxed] followedBy on a c b1 b2", () => {
    expectMatches(a().followedBy("b").where(is("b")), acbb, [{ a: "a", b: "b1" }]);
  });

  it("[any] followedByAny on a c b1 b2", () => {
    expectMatches(a().followedByAny("b").where(is("b")), acbb, [
      { a: "a", b: "b1" },
      { a: "a", b: "b2" },
    ]);
  });

  const acxb = inOrder(...ids("a", "c", "x", "b"));

  it("[not-next] notNext on a c x b", () => {
    expectMatches(a().notNext("no").where(is("x")).followedBy("b").where(is("b")), acxb, [
      { a: "a", b: "b" },
    ]);
  });

  it("[not-followed-by] notFollowedBy on a c x b", () => {
    expectMatches(a().notFollowedBy("no").where(is("x")).followedBy("b").where(is("b")), acxb, []);
  });

  it("[not-followed-by-at-end] notFollowedBy with within at the end, released when the window passes", () => {
    const pattern = a().notFollowedBy("no").where(is("x")).within(10);
    const feed: Feed = [
      [ev("a1"), 1],
      [ev("x"), 5],
      [ev("a2"), 10],
      [ev("x2"), 25],
    ];
    expectMatches(pattern, feed, [{ a: "a2" }]);
    // released at time 20: not yet at 19, already at 20
    assert.deepEqual(run(pattern, feed.slice(0, 3), { finalTime: 19 }).matches, []);
    assert.equal(run(pattern, feed.slice(0, 3), { finalTime: 20 }).matches.length, 1);
  });
});

describe("docs/cep.md: conditions", () => {
  it("[or] where ORed with or", () => {
    const pattern = Pattern.begin<Ev>("big")
      .where((e) => e.price > 10)
      .or(is("vip"));
    expectMatches(pattern, inOrder(ev("n1", "n", 5), ev("n2", "n", 20), ev("vip", "vip", 1)), [
      { big: "n2" },
      { big: "vip" },
    ]);
  });

  it("[subtype] a type guard narrows the stage", () => {
    const pattern = Pattern.begin<Ev>("start")
      .where(is("s"))
      .followedBy("big")
      .subtype(isSub)
      .where((e) => e.volume > 5);
    expectMatches(pattern, inOrder(ev("s"), sub("m1", "m", 0, 3), sub("m2", "m", 0, 8)), [
      { start: "s", big: "m2" },
    ]);
  });

  it("[iterative] a condition that reads an earlier stage's events", () => {
    const pattern = Pattern.begin<Ev>("low")
      .followedBy("high")
      .where((e, ctx) => e.price > ctx.events("low")[0].price);
    expectMatches(pattern, inOrder(ev("p1", "p", 3), ev("p2", "p", 1), ev("p3", "p", 2), ev("p4", "p", 5)), [
      { low: "p1", high: "p4" },
      { low: "p2", high: "p3" },
      { low: "p3", high: "p4" },
    ]);
  });

  it("[until] a+ until b on a1 c a2 b a3", () => {
    const pattern = Pattern.begin<Ev>("a").where(is("a")).oneOrMore().until(is("b"));
    expectMatches(pattern, inOrder(...ids("a1", "c", "a2", "b", "a3")), [
      { a: "a1 a2" },
      { a: "a1" },
      { a: "a2" },
      { a: "a3" },
    ]);
  });
});

describe("docs/cep.md: quantifiers", () => {
  const cab = (quantify: (p: Pattern<Ev, any, any, any>) => Pattern<Ev, any, any, any>) =>
    quantify(Pattern.begin<Ev>("c").where(is("c")).followedBy("a").where(is("a")))
      .followedBy("b")
      .where(is("b"));

  it("[one-or-more]", () => {
    expectMatches(
      cab((p) => p.oneOrMore()),
      inOrder(...ids("c", "a1", "a2", "b")),
      [
        { c: "c", a: "a1 a2", b: "b" },
        { c: "c", a: "a1", b: "b" },
      ],
    );
  });

  it("[times]", () => {
    expectMatches(Pattern.begin<Ev>("a").where(is("a")).times(2), inOrder(...ids("a1", "a2", "a3")), [
      { a: "a1 a2" },
      { a: "a2 a3" },
    ]);
  });

  it("[times-range]", () => {
    expectMatches(
      cab((p) => p.times(2, 3)),
      inOrder(...ids("c", "a1", "a2", "a3", "a4", "b")),
      [
        { c: "c", a: "a1 a2", b: "b" },
        { c: "c", a: "a1 a2 a3", b: "b" },
      ],
    );
  });

  it("[times-or-more]", () => {
    expectMatches(
      cab((p) => p.timesOrMore(2)),
      inOrder(...ids("c", "a1", "a2", "a3", "b")),
      [
        { c: "c", a: "a1 a2 a3", b: "b" },
        { c: "c", a: "a1 a2", b: "b" },
      ],
    );
  });

  it("[optional]", () => {
    expectMatches(
      cab((p) => p.optional()),
      inOrder(...ids("c", "a", "b")),
      [
        { c: "c", a: "a", b: "b" },
        { c: "c", b: "b" },
      ],
    );
  });

  it("[loop-at-end] every length, in the order reached", () => {
    const pattern = Pattern.begin<Ev>("c").where(is("c")).followedBy("a").where(is("a")).oneOrMore();
    expectMatchesInOrder(pattern, inOrder(...ids("c", "a1", "a2")), [
      { c: "c", a: "a1" },
      { c: "c", a: "a1 a2" },
    ]);
  });

  const overlapping = (greedy: boolean) => {
    const loop = Pattern.begin<Ev>("c")
      .where(is("c"))
      .followedBy("middle")
      .where(is("a"))
      .or(is("x"))
      .oneOrMore();
    return (greedy ? loop.greedy() : loop).followedBy("end").where(is("x")).or(is("b"));
  };
  const cxab = inOrder(...ids("c", "a1", "x1", "a2", "b"));

  it("[not-greedy]", () => {
    expectMatches(overlapping(false), cxab, [
      { c: "c", middle: "a1", end: "x1" },
      { c: "c", middle: "a1 x1", end: "b" },
      { c: "c", middle: "a1 x1 a2", end: "b" },
    ]);
  });

  it("[greedy]", () => {
    expectMatches(overlapping(true), cxab, [{ c: "c", middle: "a1 x1 a2", end: "b" }]);
  });

  const cdaaadab = inOrder(...ids("c", "d", "a1", "a2", "a3", "d", "a4", "b"));
  const withA1 = (rest: string[][]): Expected[] =>
    rest.map((r) => ({ c: "c", a: ["a1", ...r].join(" "), b: "b" }));

  it("[loop-consecutive]", () => {
    expectMatches(
      cab((p) => p.oneOrMore().consecutive()),
      cdaaadab,
      withA1([[], ["a2"], ["a2", "a3"]]),
    );
  });

  it("[loop-relaxed]", () => {
    expectMatches(
      cab((p) => p.oneOrMore()),
      cdaaadab,
      withA1([[], ["a2"], ["a2", "a3"], ["a2", "a3", "a4"]]),
    );
  });

  it("[loop-combinations]", () => {
    expectMatches(
      cab((p) => p.oneOrMore().allowCombinations()),
      cdaaadab,
      withA1(subsets(["a2", "a3", "a4"])),
    );
  });
});

describe("docs/cep.md: groups", () => {
  it("[group] (a b) twice", () => {
    const ab = Pattern.begin<Ev>("a").where(is("a")).followedBy("b").where(is("b"));
    const pattern = Pattern.begin<Ev>("c")
      .where(is("c"))
      .followedByGroup(ab)
      .times(2)
      .followedBy("d")
      .where(is("d"));
    expectMatches(pattern, inOrder(...ids("c", "a1", "b1", "a2", "b2", "d")), [
      { c: "c", a: "a1 a2", b: "b1 b2", d: "d" },
    ]);
  });
});

describe("docs/cep.md: after-match skip strategies", () => {
  const aPlusB = (s: Strategy) =>
    Pattern.begin<Ev>("a", s).where(is("a")).oneOrMore().consecutive().greedy().next("b").where(is("b"));
  const aaab = () => inOrder(...ids("a1", "a2", "a3", "b"));
  const all: Expected[] = [
    { a: "a1 a2 a3", b: "b" },
    { a: "a2 a3", b: "b" },
    { a: "a3", b: "b" },
  ];

  it("[skip-no-skip]", () => {
    expectMatches(aPlusB(noSkip()), aaab(), all);
  });
  it("[skip-to-next]", () => {
    expectMatches(aPlusB(skipToNext()), aaab(), all);
  });
  it("[skip-past-last]", () => {
    expectMatches(aPlusB(skipPastLastEvent()), aaab(), [{ a: "a1 a2 a3", b: "b" }]);
  });
  it("[skip-to-first]", () => {
    expectMatches(aPlusB(skipToFirst("a")), aaab(), all);
  });
  it("[skip-to-last]", () => {
    expectMatches(aPlusB(skipToLast("a")), aaab(), [
      { a: "a1 a2 a3", b: "b" },
      { a: "a3", b: "b" },
    ]);
  });

  const aBPlus = (s: Strategy) =>
    Pattern.begin<Ev>("a", s).where(is("a")).next("b").where(is("b")).oneOrMore();
  const abbb = () => inOrder(...ids("a", "b1", "b2", "b3"));

  it("[skip-loop-no-skip]", () => {
    expectMatches(aBPlus(noSkip()), abbb(), [
      { a: "a", b: "b1" },
      { a: "a", b: "b1 b2" },
      { a: "a", b: "b1 b2 b3" },
    ]);
  });
  it("[skip-loop-to-next]", () => {
    expectMatches(aBPlus(skipToNext()), abbb(), [{ a: "a", b: "b1" }]);
  });

  const times3 = (s: Strategy) => Pattern.begin<Ev>("a", s).where(is("a")).times(3);
  const six = () => inOrder(...ids("a1", "a2", "a3", "a4", "a5", "a6"));

  it("[skip-times-no-skip]", () => {
    expectMatches(times3(noSkip()), six(), [
      { a: "a1 a2 a3" },
      { a: "a2 a3 a4" },
      { a: "a3 a4 a5" },
      { a: "a4 a5 a6" },
    ]);
  });
  it("[skip-times-past-last]", () => {
    expectMatches(times3(skipPastLastEvent()), six(), [{ a: "a1 a2 a3" }, { a: "a4 a5 a6" }]);
  });

  it("skipToFirst/skipToLast with throwOnMiss fail with SkipToMissingStageError when the stage took no event", () => {
    // the page: "... unless created with { throwOnMiss: true }: then the match fails with a SkipToMissingStageError"
    for (const strategy of [
      skipToFirst("b", { throwOnMiss: true }),
      skipToLast("b", { throwOnMiss: true }),
    ]) {
      const pattern = Pattern.begin<Ev>("a", strategy)
        .where(is("a"))
        .followedBy("b")
        .where(is("b"))
        .optional()
        .followedBy("c")
        .where(is("c"));
      assert.throws(() => run(pattern, inOrder(...ids("a", "c"))), SkipToMissingStageError);
    }
  });
});

describe("docs/cep.md: within and timeouts", () => {
  const ab = () => Pattern.begin<Ev>("a").where(is("a")).followedBy("b").where(is("b")).within(10);
  const abcGap = () =>
    Pattern.begin<Ev>("a")
      .where(is("a"))
      .followedBy("b")
      .where(is("b"))
      .followedBy("c")
      .where(is("c"))
      .within(5, "previous-and-current");

  it("[within]", () => {
    const feed: Feed = [
      [ev("a1"), 0],
      [ev("a2"), 5],
      [ev("b"), 12],
    ];
    const result = expectMatches(ab(), feed, [{ a: "a2", b: "b" }]);
    expectTimeouts(ab(), result, [[{ a: "a1" }, 10]]);
  });

  it("[within-edge] a 10 ms window rejects a 10 ms span", () => {
    const feed: Feed = [
      [ev("a"), 0],
      [ev("b"), 10],
    ];
    const result = expectMatches(ab(), feed, []);
    expectTimeouts(ab(), result, [[{ a: "a" }, 10]]);
  });

  it("[within-gap]", () => {
    const feed: Feed = [
      [ev("a"), 0],
      [ev("b"), 20],
      [ev("c"), 24],
    ];
    const result = expectMatches(abcGap(), feed, [{ a: "a", b: "b", c: "c" }]);
    expectTimeouts(abcGap(), result, []);
  });

  it("[within-gap-timeout]", () => {
    const feed: Feed = [
      [ev("a"), 0],
      [ev("b"), 1],
      [ev("c"), 7],
    ];
    const result = expectMatches(abcGap(), feed, []);
    expectTimeouts(abcGap(), result, [[{ a: "a", b: "b" }, 6]]);
  });
});

describe("docs/cep.md: event time", () => {
  const ab = () => Pattern.begin<Ev>("a").where(is("a")).followedBy("b").where(is("b"));

  it("[event-time] buffered until the watermark, matched in timestamp order, late events aside", () => {
    const pattern = ab();
    const h = PatternTestHarness.of(pattern);
    h.process(ev("b1"), 20).process(ev("a"), 10).advanceWatermark(15);
    assert.deepEqual(h.matches(), []);
    h.advanceWatermark(20);
    assert.deepEqual(
      canonicalMatches(pattern, h.matchValues()),
      canonicalExpected(pattern, [{ a: "a", b: "b1" }]),
    );
    assert.deepEqual(
      h.matches().map((m) => m.timestamp),
      [20],
    );
    h.process(ev("b2"), 18);
    assert.deepEqual(
      h.lateEvents().map((e) => e.label),
      ["b2"],
    );
  });

  it("[ties] equal timestamps: arrival order, or the comparator's", () => {
    const pattern = Pattern.begin<Ev>("a").where(is("a")).next("b").where(is("b"));
    const arrival = PatternTestHarness.of(pattern);
    arrival.process(ev("b"), 5).process(ev("a"), 5).endInput();
    assert.deepEqual(arrival.matches(), []);
    const sorted = PatternTestHarness.of(pattern, () => 0, {
      comparator: (x, y) => x.name.localeCompare(y.name),
    });
    sorted.process(ev("b"), 5).process(ev("a"), 5).endInput();
    assert.deepEqual(
      canonicalMatches(pattern, sorted.matchValues()),
      canonicalExpected(pattern, [{ a: "a", b: "b" }]),
    );
  });
});

describe("docs/cep.md: the partial-match cap", () => {
  const pattern = () => Pattern.begin<Ev>("a").where(is("a")).followedByAny("b").where(is("b"));
  const feed = () => inOrder(...ids("a1", "a2", "a3", "b"));
  const expected: Expected[] = [
    { a: "a1", b: "b" },
    { a: "a2", b: "b" },
  ];

  it("[cap] the newest partial matches beyond the cap are discarded (runSequence)", () => {
    const input = feed().map(([event, timestamp]) => ({ event, timestamp }));
    const result = runSequence<Ev>(pattern(), input, { maxPartialMatches: 2 });
    assert.deepEqual(
      [...canonicalMatches(pattern(), result.matches)].sort(),
      canonicalExpected(pattern(), expected).sort(),
    );
  });

  it("[cap] the same in the operator, with the discard counted", () => {
    const h = PatternTestHarness.of(pattern(), () => 0, { maxPartialMatchesPerKey: 2 });
    h.processAll(feed().map(([event, timestamp]) => ({ event, timestamp }))).endInput();
    assert.deepEqual(
      [...canonicalMatches(pattern(), h.matchValues())].sort(),
      canonicalExpected(pattern(), expected).sort(),
    );
    assert.equal(h.stats().discardedByCap, 1);
  });
});

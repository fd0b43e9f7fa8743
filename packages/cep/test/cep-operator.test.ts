/**
 * The CEP operator: event-time buffering and ordering, late events, timeouts exactly once, the
 * partial-match cap, processing time, and whole jobs at several parallelisms.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CEP, Pattern } from "@eddy/cep";
import { PatternTestHarness, runSequence } from "@eddy/cep/testing";
import { OutputTag } from "@eddy/core";
import { JobHarness, withTimestamps } from "@eddy/testing";
import fc from "fast-check";

interface Ev {
  id: number;
  user: string;
  kind: "a" | "b" | "c";
  ts: number;
}

const ids = (events: readonly Ev[]) => events.map((e) => e.id);
const abc = () =>
  Pattern.begin<Ev>("a")
    .where((e) => e.kind === "a")
    .followedBy("b")
    .where((e) => e.kind === "b")
    .followedBy("c")
    .where((e) => e.kind === "c")
    .within(100);

function matchKey(m: Readonly<Record<string, readonly Ev[]>>): string {
  return [...ids(m.a), "|", ...ids(m.b), "|", ...ids(m.c)].join(" ");
}

describe("CEP operator in event time", () => {
  it("matches buffered events in timestamp order once the watermark passes them", () => {
    const h = PatternTestHarness.of(abc(), (e) => e.user);
    h.process({ id: 3, user: "u", kind: "c", ts: 30 }, 30)
      .process({ id: 1, user: "u", kind: "a", ts: 10 }, 10)
      .process({ id: 2, user: "u", kind: "b", ts: 20 }, 20);
    assert.deepEqual(h.matches(), [], "nothing before the watermark");
    h.advanceWatermark(25);
    assert.deepEqual(h.matches(), [], "c is still buffered");
    h.advanceWatermark(30);
    assert.deepEqual(
      h.matches().map((m) => [matchKey(m.match), m.timestamp]),
      [["1 | 2 | 3", 30]],
    );
    assert.equal(h.stats().bufferedEvents, 0);
  });

  it("sends events at or behind the watermark to the late side output, not to the matcher", () => {
    const h = PatternTestHarness.of(abc(), (e) => e.user);
    h.process({ id: 1, user: "u", kind: "a", ts: 10 }, 10).advanceWatermark(20);
    h.process({ id: 2, user: "u", kind: "b", ts: 20 }, 20); // == watermark: late
    h.process({ id: 3, user: "u", kind: "b", ts: 15 }, 15); // behind: late
    h.process({ id: 4, user: "u", kind: "b", ts: 21 }, 21);
    h.process({ id: 5, user: "u", kind: "c", ts: 22 }, 22).endInput();
    assert.deepEqual(ids(h.lateEvents()), [2, 3]);
    assert.deepEqual(h.matchValues().map(matchKey), ["1 | 4 | 5"]);
    assert.equal(h.stats().lateEvents, 2);
  });

  it("keeps keys apart", () => {
    const h = PatternTestHarness.of(abc(), (e) => e.user);
    const events: Ev[] = [
      { id: 1, user: "x", kind: "a", ts: 1 },
      { id: 2, user: "y", kind: "b", ts: 2 },
      { id: 3, user: "y", kind: "a", ts: 3 },
      { id: 4, user: "x", kind: "b", ts: 4 },
      { id: 5, user: "y", kind: "b", ts: 5 },
      { id: 6, user: "x", kind: "c", ts: 6 },
      { id: 7, user: "y", kind: "c", ts: 7 },
    ];
    for (const e of events) h.process(e, e.ts);
    h.endInput();
    assert.deepEqual(h.matchValues().map(matchKey).sort(), ["1 | 4 | 6", "3 | 5 | 7"]);
  });

  it("reports a timed-out partial match exactly once, with its events and start + window", () => {
    const h = PatternTestHarness.of(abc(), (e) => e.user);
    h.process({ id: 1, user: "u", kind: "a", ts: 10 }, 10)
      .process({ id: 2, user: "u", kind: "b", ts: 50 }, 50)
      .process({ id: 3, user: "u", kind: "c", ts: 115 }, 115);
    h.advanceWatermark(109);
    assert.deepEqual(h.timeouts(), [], "the window [10, 110) has not passed");
    h.advanceWatermark(110);
    const timeouts = h.timeouts();
    assert.equal(timeouts.length, 1);
    assert.deepEqual(ids(timeouts[0].partial.a), [1]);
    assert.deepEqual(ids(timeouts[0].partial.b), [2]);
    assert.deepEqual(ids(timeouts[0].partial.c), []);
    assert.equal(timeouts[0].timestamp, 110);
    h.endInput();
    assert.equal(h.timeouts().length, 1, "still once after the input ends");
    assert.deepEqual(h.matches(), [], "c came after the window");
    assert.equal(h.stats().partialMatches, 0);
  });

  it("times out without another event arriving (a timer at the window's end)", () => {
    const h = PatternTestHarness.of(abc(), (e) => e.user);
    h.process({ id: 1, user: "u", kind: "a", ts: 0 }, 0).advanceWatermark(50);
    assert.equal(h.stats().partialMatches, 1);
    h.advanceWatermark(100);
    assert.equal(h.timeouts().length, 1);
    assert.equal(h.stats().partialMatches, 0);
  });

  it("gives the same matches for a stream shuffled within its out-of-orderness as for the sorted stream", () => {
    const kinds = fc.constantFrom<"a" | "b" | "c">("a", "b", "c");
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ kind: kinds, gap: fc.integer({ min: 0, max: 20 }), user: fc.constantFrom("x", "y") }),
          {
            maxLength: 40,
          },
        ),
        fc.integer({ min: 0, max: 30 }),
        fc.integer(),
        (spec, bound, seed) => {
          let ts = 0;
          const sorted: Ev[] = spec.map((s, i) => ({ id: i, user: s.user, kind: s.kind, ts: (ts += s.gap) }));
          // shuffle within `bound`: an event may move before others at most `bound` ms newer
          const shuffled = boundedShuffle(sorted, bound, seed);
          const run = (events: readonly Ev[]) => {
            const h = PatternTestHarness.of(abc(), (e) => e.user);
            let maxTs = Number.NEGATIVE_INFINITY;
            for (const e of events) {
              h.process(e, e.ts);
              maxTs = Math.max(maxTs, e.ts);
              h.advanceWatermark(maxTs - bound - 1);
            }
            h.endInput();
            assert.deepEqual(h.lateEvents(), []);
            return {
              matches: h.matchValues().map(matchKey).sort(),
              timeouts: h
                .timeouts()
                .map((t) => `${matchKey(t.partial)}@${t.timestamp}`)
                .sort(),
            };
          };
          const expected = run(sorted);
          assert.deepEqual(run(shuffled), expected);
          // and both agree with the matcher run directly on each key's sorted sequence
          const direct = { matches: [] as string[], timeouts: [] as string[] };
          for (const user of ["x", "y"]) {
            const r = runSequence(
              abc(),
              sorted.filter((e) => e.user === user).map((e) => ({ event: e, timestamp: e.ts })),
            );
            direct.matches.push(...r.matches.map((m) => matchKey(m)));
            direct.timeouts.push(...r.timeouts.map((t) => `${matchKey(t.partial)}@${t.timestamp}`));
          }
          assert.deepEqual(expected, { matches: direct.matches.sort(), timeouts: direct.timeouts.sort() });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("caps partial matches per key and counts what the cap discarded", () => {
    const any = Pattern.begin<Ev>("a")
      .where((e) => e.kind === "a")
      .followedByAny("b")
      .where((e) => e.kind === "b")
      .oneOrMore()
      .allowCombinations()
      .followedBy("c")
      .where((e) => e.kind === "c");
    const h = PatternTestHarness.of(any, (e) => e.user, { maxPartialMatchesPerKey: 50 });
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (message: string) => warnings.push(message);
    try {
      h.process({ id: 0, user: "u", kind: "a", ts: 0 }, 0);
      for (let i = 1; i <= 20; i++) h.process({ id: i, user: "u", kind: "b", ts: i }, i);
      h.advanceWatermark(100);
    } finally {
      console.warn = warn;
    }
    const stats = h.stats();
    assert.ok(stats.partialMatches <= 50, `partial matches ${stats.partialMatches}`);
    assert.ok(stats.discardedByCap > 0);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /cap of 50 partial matches per key/);
  });
});

describe("CEP operator in processing time", () => {
  it("matches on arrival and times out on the processing-time clock", () => {
    const p = Pattern.begin<Ev>("a")
      .where((e) => e.kind === "a")
      .next("b")
      .where((e) => e.kind === "b")
      .within(1000);
    const h = PatternTestHarness.of(p, (e) => e.user, { timeDomain: "processing-time" });
    h.setProcessingTime(100).process({ id: 1, user: "u", kind: "a", ts: 0 }, 0);
    h.setProcessingTime(200).process({ id: 2, user: "u", kind: "b", ts: 0 }, 0);
    assert.deepEqual(
      h.matches().map((m) => [ids(m.match.a), ids(m.match.b), m.timestamp]),
      [[[1], [2], 200]],
    );
    h.setProcessingTime(300).process({ id: 3, user: "u", kind: "a", ts: 0 }, 0);
    h.setProcessingTime(1299);
    assert.equal(h.timeouts().length, 0);
    h.setProcessingTime(1300);
    assert.deepEqual(
      h.timeouts().map((t) => [ids(t.partial.a), t.timestamp]),
      [[[3], 1300]],
    );
  });
});

describe("CEP in a job", () => {
  const events: Ev[] = [];
  for (let i = 0; i < 300; i++) {
    const kind = (["a", "b", "c", "a", "c", "b"] as const)[(i * 7) % 6];
    events.push({ id: i, user: `u${i % 5}`, kind, ts: i * 3 + ((i * 13) % 7) });
  }

  it("gives the same matches and timeouts at parallelism 1 and 3, and equal to the matcher per key", async () => {
    const test = new JobHarness();
    const timeoutsTag = new OutputTag<string>("timeouts");
    const stream = CEP.pattern(
      test
        .fromTimestamped(
          withTimestamps(events, (e) => e.ts),
          { watermarks: { outOfOrdernessMs: 10 } },
        )
        .keyBy((e) => e.user),
      abc(),
    ).select(
      timeoutsTag,
      (partial, ts) => `${matchKey(partial)}@${ts}`,
      (m) => matchKey(m),
    );
    const matches = stream.collect();
    const timeouts = stream.getSideOutput(timeoutsTag).collect();

    const expected = { matches: [] as string[], timeouts: [] as string[] };
    for (let u = 0; u < 5; u++) {
      const own = events.filter((e) => e.user === `u${u}`).sort((x, y) => x.ts - y.ts || x.id - y.id);
      const r = runSequence(
        abc(),
        own.map((e) => ({ event: e, timestamp: e.ts })),
      );
      expected.matches.push(...r.matches.map((m) => matchKey(m)));
      expected.timeouts.push(...r.timeouts.map((t) => `${matchKey(t.partial)}@${t.timestamp}`));
    }
    assert.ok(expected.matches.length > 10, `the input makes matches (${expected.matches.length})`);
    assert.ok(expected.timeouts.length > 3, `and timeouts (${expected.timeouts.length})`);
    for (const result of await test.runAt([1, 3])) {
      assert.deepEqual([...result.collected(matches)].sort(), expected.matches.sort());
      assert.deepEqual([...result.collected(timeouts)].sort(), expected.timeouts.sort());
    }
  });

  it("rejects a pattern that cannot work while the job is built", () => {
    const test = new JobHarness();
    const stream = test.fromTimestamped(
      withTimestamps(events, (e) => e.ts),
      { watermarks: "ascending" },
    );
    assert.throws(
      () =>
        CEP.pattern(
          stream.keyBy((e) => e.user),
          Pattern.begin<Ev>("a").notFollowedBy("b"),
        ),
      /notFollowedBy\("b"\) ends the pattern, so it needs within\(\)/,
    );
  });
});

/** A permutation in which no event comes after one more than `bound` ms newer than it. */
function boundedShuffle<T extends { ts: number }>(sorted: readonly T[], bound: number, seed: number): T[] {
  let s = seed | 0 || 1;
  const random = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  // sort by ts + a random delay in [0, bound], one delay per timestamp so that events with equal
  // timestamps keep their arrival order (it decides ties): an event can then be overtaken only by
  // events at most `bound` older, so the watermark maxTs - bound - 1 never passes an unseen one
  const delays = new Map<number, number>();
  const delay = (ts: number) => {
    let d = delays.get(ts);
    if (d === undefined) delays.set(ts, (d = random() * bound));
    return d;
  };
  return sorted
    .map((e) => ({ e, key: e.ts + delay(e.ts) }))
    .sort((x, y) => x.key - y.key)
    .map((x) => x.e);
}

describe("CEP ties", () => {
  it("orders events with equal timestamps by arrival, or by the comparator given", () => {
    const p = Pattern.begin<Ev>("a")
      .where((e) => e.kind === "a")
      .next("b")
      .where((e) => e.kind === "b");
    const events: Ev[] = [
      { id: 1, user: "u", kind: "b", ts: 5 },
      { id: 2, user: "u", kind: "a", ts: 5 },
    ];
    const arrival = PatternTestHarness.of(p, (e) => e.user);
    for (const e of events) arrival.process(e, e.ts);
    assert.deepEqual(arrival.endInput().matches(), [], "b arrived before a");
    const byKind = PatternTestHarness.of(p, (e) => e.user, {
      comparator: (x, y) => x.kind.localeCompare(y.kind),
    });
    for (const e of events) byKind.process(e, e.ts);
    assert.deepEqual(
      byKind
        .endInput()
        .matchValues()
        .map((m) => [ids(m.a), ids(m.b)]),
      [[[2], [1]]],
    );
  });
});

describe("CEP output timestamps", () => {
  it("a match leaves with its last event's timestamp, a timeout with start + window", () => {
    const h = PatternTestHarness.of(abc(), (e) => e.user);
    // all three arrive before the watermark moves: one timer releases them together
    h.process({ id: 1, user: "u", kind: "a", ts: 10 }, 10)
      .process({ id: 2, user: "u", kind: "b", ts: 20 }, 20)
      .process({ id: 3, user: "u", kind: "c", ts: 30 }, 30)
      .process({ id: 4, user: "u", kind: "a", ts: 40 }, 40)
      .advanceWatermark(1000);
    assert.deepEqual(
      h.recordTimestamps(),
      [30, 140],
      "the match at c's timestamp, the timeout of a@40 at 40 + 100",
    );
  });
});

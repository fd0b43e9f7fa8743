// Every implementation of every Nexmark query (hand-written loop, RxJS, eddy at parallelism 1, at
// parallelism 2 in one thread and on two worker threads) produces the same output digest. The
// events run at 1,000 per second of event time, so 50,000 events span 50 s: windows fire on
// watermarks mid-stream, auctions close, sessions end; a second input at the main profile
// (R100K) checks the default stream too. This is the suite's correctness check that CI runs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runJob, runJobModule } from "@eddy/core";
import { buildChainJob, chainHandWritten } from "../../bench/jobs/chain-job.ts";
import {
  hasImplementation,
  type Implementation,
  runImplementation,
} from "../../bench/nexmark/implementations.ts";
import { DIGEST_UID } from "../../bench/nexmark/nexmark-job.ts";
import { QUERIES } from "../../bench/nexmark/queries/index.ts";
import { combineDigests, type DigestState, RowDigest } from "../../bench/nexmark/row-digest.ts";

const IMPLS: Implementation[] = ["hand-written", "rxjs", "eddy-p1", "eddy-p2-local", "eddy-p2"];

describe("Nexmark queries: every implementation gives the same output", () => {
  for (const query of QUERIES)
    test(query.name, async () => {
      for (const input of [
        { events: 50_000, eventRate: 1000 },
        { events: 50_000, seed: 7 },
      ]) {
        const digests: Record<string, string> = {};
        for (const impl of IMPLS) {
          if (!hasImplementation(query.name, impl)) continue;
          // Workers cost a second to start: run them on the slow-rate input only.
          if (impl === "eddy-p2" && input.eventRate === undefined) continue;
          digests[impl] = await runImplementation({ query: query.name, ...input }, impl);
        }
        const reference = digests["hand-written"];
        assert.ok(!reference.startsWith("0:"), `${query.name} produced no rows on ${JSON.stringify(input)}`);
        for (const [impl, digest] of Object.entries(digests))
          assert.equal(
            digest,
            reference,
            `${query.name} ${impl} on ${JSON.stringify(input)}: ${JSON.stringify(digests)}`,
          );
      }
    });

  test("chain benchmark: hand-written, eddy p1 and eddy p2 agree", async () => {
    const records = 100_000;
    const hand = new RowDigest();
    chainHandWritten(records, hand);
    const p1 = await runJob(buildChainJob(records));
    const p2 = await runJobModule(new URL("../../bench/jobs/chain-job.ts", import.meta.url).href, {
      parallelism: 2,
      config: { records },
    });
    assert.equal(combineDigests(p1.collected<DigestState>(DIGEST_UID)), hand.toString());
    assert.equal(combineDigests(p2.collected<DigestState>(DIGEST_UID)), hand.toString());
  });
});

describe("row digest", () => {
  type Row = readonly [number, string, number];
  const rows: Row[] = [
    [1, "a", 2.5],
    [2, "bb", 3],
    [1, "a", 2.5],
    [3, "a".repeat(40), -1],
  ];
  const digestOf = (order: readonly Row[]) => {
    const d = new RowDigest();
    for (const [n, s, x] of order) d.begin().num(n).str(s).num(x).end();
    return d.toString();
  };

  test("is independent of row order and combines parts", () => {
    const whole = digestOf(rows);
    assert.equal(digestOf([...rows].reverse()), whole);
    const a = new RowDigest();
    const b = new RowDigest();
    rows.forEach(([n, s, x], i) => (i % 2 === 0 ? a : b).begin().num(n).str(s).num(x).end());
    assert.equal(combineDigests([a.state(), b.state()]), whole);
  });

  test("changes with any field, with duplicates and with field order", () => {
    const whole = digestOf(rows);
    assert.notEqual(digestOf(rows.slice(1)), whole);
    assert.notEqual(
      digestOf([
        [1, "a", 2.5],
        [2, "bb", 3],
        [1, "a", 2.5],
        [3, "a".repeat(40), -2],
      ]),
      whole,
    );
    assert.notEqual(
      digestOf([
        [1, "a", 2.5],
        [2, "bc", 3],
        [1, "a", 2.5],
        [3, "a".repeat(40), -1],
      ]),
      whole,
    );
    const swapped = new RowDigest();
    swapped.begin().num(2).num(1).end();
    const straight = new RowDigest();
    straight.begin().num(1).num(2).end();
    assert.notEqual(swapped.toString(), straight.toString());
  });
});

// The CEP benchmark on small inputs: eddy's job (parallelism 1, and 2 in one thread) gives the
// hand-written loop's output hash for cep-abc, with both matches and timeouts and no late event;
// the generator's timestamps are unique and within the out-of-orderness its watermarks allow; and
// in the followedByAny stress the cap bounds the live partial matches that grow without it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SeededRandom } from "@eddy/core";
import { runCepAbc, runCepAny } from "../../bench/cep/implementations.ts";
import { CEP_ABC, CEP_ANY, cepEvent, maxOutOfOrderness } from "../../bench/cep/workload.ts";

describe("CEP benchmark", () => {
  test("event times are unique and out of order by at most the watermarks' bound", () => {
    for (const w of [CEP_ABC, CEP_ANY]) {
      const random = new SeededRandom();
      const seen = new Set<number>();
      let max = Number.NEGATIVE_INFINITY;
      let worst = 0;
      for (let i = 0; i < 20_000; i++) {
        const e = cepEvent(w, 7, i, random.reseed(7, i));
        assert.ok(!seen.has(e.ts), `event ${i} repeats timestamp ${e.ts}`);
        seen.add(e.ts);
        worst = Math.max(worst, max - e.ts);
        max = Math.max(max, e.ts);
        assert.ok(e.user >= 0 && e.user < w.keys);
      }
      assert.ok(worst <= maxOutOfOrderness(w), `${w.name}: ${worst} ms out of order`);
    }
  });

  test("cep-abc: eddy at parallelism 1 and 2 gives the hand-written loop's matches and timeouts", async () => {
    const events = 40_000;
    const hand = await runCepAbc("hand-written", events, 42);
    assert.ok(
      hand.matches > 100 && hand.timeouts > 100,
      `${hand.matches} matches, ${hand.timeouts} timeouts`,
    );
    for (const impl of ["eddy-p1", "eddy-p2-local"] as const) {
      const eddy = await runCepAbc(impl, events, 42);
      assert.equal(eddy.hash, hand.hash, impl);
      assert.equal(eddy.metrics?.matches, hand.matches, `${impl} cep.matches`);
      assert.equal(eddy.metrics?.timeouts, hand.timeouts, `${impl} cep.timeouts`);
      assert.equal(eddy.metrics?.lateEvents, 0, `${impl} cep.lateEvents`);
      assert.equal(eddy.metrics?.partialMatches, 0, "every partial match ended with the input");
    }
  });

  test("cep-any: maxPartialMatchesPerKey bounds the live partial matches that grow without it", async () => {
    const events = 150;
    const cap = 20;
    const warn = console.warn;
    console.warn = () => {};
    try {
      const uncapped = await runCepAny({ events, seed: 42, spreadMs: 300 });
      const capped = await runCepAny({ events, seed: 42, cap, spreadMs: 300 });
      const bound = CEP_ANY.keys * cap;
      // the window is longer than the input: every partial match alive at its end times out then
      assert.ok(uncapped.timeouts > 5 * bound, `uncapped: ${uncapped.timeouts} partial matches at the end`);
      assert.equal(uncapped.metrics?.discardedByCap, 0);
      assert.ok(capped.timeouts <= bound, `capped: ${capped.timeouts} partial matches at the end`);
      assert.ok((capped.peakPartialMatches ?? 0) <= bound, `capped: peak ${capped.peakPartialMatches}`);
      assert.ok((capped.metrics?.discardedByCap ?? 0) > 0, "the cap discarded partial matches");
    } finally {
      console.warn = warn;
    }
  });
});

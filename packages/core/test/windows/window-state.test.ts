/**
 * The window operator driven directly with the same random event-time scenarios as the job
 * tests: besides matching the oracle, it keeps at most one firing and one cleanup timer per live
 * window while it runs, and leaves no state and no timer behind once the input has ended.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { WindowSpec } from "../../src/api/logical-plan.ts";
import { createWindowOperator } from "../../src/runtime/operators/window-operator.ts";
import { OperatorHarness } from "./operator-harness.ts";
import { watermarksAfter, windowOracle } from "./oracle.ts";
import {
  assignerOf,
  type Outputs,
  type Rec,
  renderOracle,
  type Scenario,
  scenarioArb,
  sessionArb,
  slidingArb,
  toOracleEvents,
  tumblingArb,
  windowFunctionOf,
} from "./window-job.ts";

function runOnOperator(s: Scenario): { outputs: Outputs; dropped: number } {
  const spec: WindowSpec = {
    assigner: assignerOf(s.windows),
    allowedLatenessMs: s.lateness,
    lateDataTag: s.lateTag ? "late" : undefined,
    function: windowFunctionOf(s.fn),
  };
  const harness = new OperatorHarness<Rec>(createWindowOperator((r: Rec) => r.k, spec));
  const wms = watermarksAfter(toOracleEvents(s.events), s.outOfOrderness);
  const timersPerWindow = s.lateness > 0 ? 2 : 1;
  let watermark = Number.NEGATIVE_INFINITY;
  s.events.forEach((e, i) => {
    harness.processElement({ id: e.id, k: e.k, v: e.v }, e.ts);
    if (wms[i] > watermark) {
      harness.processWatermark((watermark = wms[i]));
      const live = harness.mapEntries("window-contents");
      assert.ok(
        harness.eventTimers() <= timersPerWindow * live,
        `${harness.eventTimers()} timers for ${live} live windows`,
      );
    }
  });
  harness.endInput();
  assert.equal(harness.stateEntries(), 0, "state left after the final watermark");
  assert.equal(harness.eventTimers(), 0, "timers left after the final watermark");
  assert.deepEqual(harness.watermarks.at(-1), Number.POSITIVE_INFINITY);
  const show = (e: { value: unknown; timestamp: number }) =>
    JSON.stringify({ ts: e.timestamp, out: e.value });
  return {
    outputs: { main: harness.main.map(show).sort(), late: harness.sideOutput("late").map(show).sort() },
    dropped: harness.metrics.lateRecordsDropped,
  };
}

function check(s: Scenario): void {
  const oracle = windowOracle(toOracleEvents(s.events), s.windows, s.outOfOrderness, s.lateness);
  const { outputs, dropped } = runOnOperator(s);
  assert.deepEqual(outputs, renderOracle(s.fn, oracle, s.events, s.lateTag));
  assert.equal(dropped, s.lateTag ? 0 : oracle.late.length, "late records dropped (counted) without a tag");
}

describe("window operator state and timers", () => {
  for (const [name, windows] of [
    ["tumbling", tumblingArb],
    ["sliding", slidingArb],
    ["session", sessionArb],
  ] as const)
    it(`${name} windows: oracle's output, bounded timers, nothing left at the end`, () => {
      fc.assert(fc.property(scenarioArb(windows), check), { numRuns: 300 });
    });
});

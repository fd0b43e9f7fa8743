/**
 * Tumbling and sliding event-time windows against the brute-force oracle: random records, keys,
 * out-of-orderness, lateness and window functions; main and late outputs must match exactly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { expectedOutput, runScenario, scenarioArb, slidingArb, tumblingArb } from "./window-job.ts";

describe("aligned event-time windows match the oracle", () => {
  it("tumbling windows", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(tumblingArb), async (scenario) => {
        assert.deepEqual(await runScenario(scenario, 1), expectedOutput(scenario));
      }),
      { numRuns: 200 },
    );
  });

  it("sliding windows (size a multiple of the slide or not, offsets, gaps when size < slide)", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(slidingArb), async (scenario) => {
        assert.deepEqual(await runScenario(scenario, 1), expectedOutput(scenario));
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * The same random event-time window jobs at parallelism 1, 2 and 4: the keyed windows spread over
 * subtasks by key group, the watermarks come from one generator, so every run must give the
 * oracle's output, late side output included.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  expectedOutput,
  runScenario,
  type Scenario,
  scenarioArb,
  sessionArb,
  slidingArb,
  tumblingArb,
} from "./window-job.ts";

const withLateData = scenarioArb(fc.oneof(tumblingArb, slidingArb, sessionArb)).map(
  (s): Scenario => ({ ...s, lateTag: true }),
);

describe("window jobs at parallelism 1, 2 and 4", () => {
  it("give the oracle's output and late records at every parallelism", async () => {
    await fc.assert(
      fc.asyncProperty(withLateData, async (scenario) => {
        const expected = expectedOutput(scenario);
        for (const parallelism of [1, 2, 4])
          assert.deepEqual(await runScenario(scenario, parallelism), expected, `parallelism ${parallelism}`);
      }),
      { numRuns: 150 },
    );
  });
});

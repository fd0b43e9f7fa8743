/**
 * Event-time session windows against the brute-force oracle: merging, purging and lateness
 * (0 and > 0) with random records; main and late outputs must match exactly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { expectedOutput, runScenario, scenarioArb, sessionArb } from "./window-job.ts";

describe("event-time session windows match the oracle", () => {
  it("any lateness", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(sessionArb), async (scenario) => {
        assert.deepEqual(await runScenario(scenario, 1), expectedOutput(scenario));
      }),
      { numRuns: 150 },
    );
  });
});

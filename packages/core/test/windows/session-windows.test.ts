/**
 * Event-time session windows against the brute-force oracle: merging, purging and lateness
 * (0 and > 0) with random records; main and late outputs must match exactly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { expectedOutput, runScenario, type Scenario, scenarioArb, sessionArb } from "./window-job.ts";

const check = async (scenario: Scenario) => {
  assert.deepEqual(await runScenario(scenario, 1), expectedOutput(scenario));
};

describe("event-time session windows match the oracle", () => {
  it("without lateness: sessions fire once, when the watermark passes them", async () => {
    const scenarios = scenarioArb(sessionArb).map((s): Scenario => ({ ...s, lateness: 0 }));
    await fc.assert(fc.asyncProperty(scenarios, check), { numRuns: 150 });
  });

  it("with lateness: late records re-fire sessions, merge into fired ones, or are late", async () => {
    const scenarios = scenarioArb(sessionArb).filter((s) => s.lateness > 0);
    await fc.assert(fc.asyncProperty(scenarios, check), { numRuns: 150 });
  });
});

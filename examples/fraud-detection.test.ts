/**
 * How to test a job's logic with @eddy/testing: the FraudDetector alone in an operator harness
 * (records, watermarks and timers under the test's control), then in a small job.
 *
 *   node --conditions=eddy-source --import tsx --test examples/fraud-detection.test.ts
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JobHarness, OperatorHarness, withTimestamps } from "@eddy/testing";
import { FraudDetector, type Transaction } from "./fraud-detection.ts";

const tx = (accountId: number, amount: number, timestamp: number): Transaction => ({
  accountId,
  amount,
  timestamp,
});
const detector = () =>
  OperatorHarness.forKeyedProcess((t: Transaction) => t.accountId, new FraudDetector()).open();

describe("FraudDetector", () => {
  it("alerts on a small then a large transaction within a minute", () => {
    const harness = detector();
    harness.processElement(tx(1, 0.5, 1_000), 1_000);
    harness.processElement(tx(2, 900, 2_000), 2_000); // another account: no alert
    harness.processElement(tx(1, 900, 30_000), 30_000);
    const alerts = harness.extractOutputValues();
    assert.deepEqual(
      alerts.map((a) => [a.accountId, a.smallAmount, a.largeAmount]),
      [[1, 0.5, 900]],
    );
  });

  it("forgets the small transaction when its timer fires a minute later", () => {
    const harness = detector();
    harness.processElement(tx(1, 0.5, 1_000), 1_000);
    assert.equal(harness.numEventTimeTimers(), 1);
    harness.processWatermark(61_000); // fires the timer, as a watermark in a job would
    assert.equal(harness.numEventTimeTimers(), 0);
    harness.processElement(tx(1, 900, 61_500), 61_500);
    assert.deepEqual(harness.extractOutputValues(), []);
  });

  it("finds the same alerts in a job at parallelism 1 and 4", async () => {
    const transactions = [tx(7, 0.3, 0), tx(8, 0.2, 10), tx(7, 750, 20), tx(8, 40, 30), tx(8, 600, 40)];
    const test = new JobHarness();
    const alerts = test
      .fromTimestamped(
        withTimestamps(transactions, (t) => t.timestamp),
        { watermarks: "ascending" },
      )
      .keyBy((t) => t.accountId)
      .process(new FraudDetector())
      .collect();
    for (const result of await test.runAt([1, 4]))
      assert.deepEqual(
        result.collected(alerts).map((a) => a.accountId),
        [7],
      );
  });
});

/**
 * Running whole jobs in tests: runJobForTest returns collected output and keeps unconsumed dead
 * letters instead of printing them, rejects a job that does not finish in time, and passes a
 * job's own failure through; JobHarness builds event-time inputs and runs one job at several
 * parallelisms; the timestamped-input helpers pair values with timestamps.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Job, ManualTimerService, RecordProcessingError } from "@eddy/core";
import { JobHarness, runJobForTest, timestamped, withTimestamps } from "@eddy/testing";

describe("runJobForTest", () => {
  it("returns what collect sinks received, the operators' metrics and the unconsumed dead letters", async () => {
    const job = Job.create({ name: "t", errorHandling: "dead-letter" });
    const out = job
      .fromElements(1, 2, 3, 4)
      .map((v) => {
        if (v === 3) throw new Error("three");
        return v * 10;
      })
      .uid("times-ten")
      .collect();
    const result = await runJobForTest(job);
    assert.deepEqual(result.collected(out), [10, 20, 40]);
    assert.deepEqual(
      result.unconsumedDeadLetters.map((l) => [l.operatorUid, l.record, l.error]),
      [["times-ten", 3, "three"]],
    );
    assert.equal(result.result.deadLetters, 1);
    assert.equal(result.operator("times-ten").recordsFailed, 1);
    assert.equal(result.operator("times-ten").recordsOut, 3);
    assert.throws(() => result.operator("nope"), /no operator 'nope'/);
  });

  it("rejects a job that does not finish within the time limit (on a manual clock)", async () => {
    const job = Job.create({ name: "forever" });
    job.fromGenerator({ generate: (i) => i, recordsPerSecond: 1000 }).collect();
    const timers = new ManualTimerService();
    const running = runJobForTest(job, { timeoutMs: 200, timers });
    await timers.whenScheduled();
    timers.advance(199);
    assert.equal(timers.pending, 1, "the time limit has not passed yet");
    timers.advance(1);
    await assert.rejects(running, /did not finish within 200 ms/);
  });

  it("a job stopped by the caller's own signal is not a timeout", async () => {
    const job = Job.create({ name: "stopped" });
    const stop = new AbortController();
    // The caller stops the job once it has produced ten records.
    const out = job
      .fromGenerator({
        generate: (i) => {
          if (i === 10) stop.abort();
          return i;
        },
        recordsPerSecond: 1000,
      })
      .collect();
    const result = await runJobForTest(job, { signal: stop.signal });
    assert.equal(result.result.stopped, true);
    assert.ok(result.collected(out).length > 0);
  });

  it("passes the job's own failure through", async () => {
    const job = Job.create({ name: "fails" });
    job
      .fromElements(1)
      .map(() => {
        throw new Error("boom");
      })
      .collect();
    await assert.rejects(runJobForTest(job), RecordProcessingError);
  });
});

describe("JobHarness", () => {
  it("event-time input with ascending watermarks fires timers in order as the data goes by", async () => {
    const h = new JobHarness();
    const input = withTimestamps(["a", "b", "a", "c", "b"], (_v, i) => (i + 1) * 10);
    const out = h
      .fromTimestamped(input, { watermarks: "ascending", recordsPerPoll: 1 })
      .keyBy((v) => v)
      .process<string>({
        processElement(_v, ctx) {
          ctx.timerService().registerEventTimeTimer(ctx.timestamp() + 5);
        },
        onTimer(t, ctx, out) {
          out.collect(`${ctx.currentKey()}@${t} wm ${ctx.currentWatermark()}`);
        },
      })
      .collect();
    const [result] = await h.runAt([1]);
    const fired = result.collected(out);
    // The ascending watermark (timestamp - 1) fires each timer once the next record passed it.
    assert.deepEqual(fired, [
      "a@15 wm 19",
      "b@25 wm 29",
      "a@35 wm 39",
      "c@45 wm 49",
      `b@55 wm ${Number.POSITIVE_INFINITY}`,
    ]);
  });

  it("runs one job at several parallelisms with the same result", async () => {
    const h = new JobHarness({ name: "counts" });
    const out = h
      .fromElements(...Array.from({ length: 500 }, (_, i) => i % 11))
      .keyBy((v) => v)
      .reduce((a, b) => a + b)
      .collect();
    const results = await h.runAt([1, 2, 4]);
    const finals = results.map((r) =>
      r
        .collected(out)
        .slice()
        .sort((a, b) => a - b),
    );
    assert.deepEqual(finals[1], finals[0]);
    assert.deepEqual(finals[2], finals[0]);
  });

  it("helpers pair values with timestamps", () => {
    assert.deepEqual(timestamped("x", 5), { value: "x", timestamp: 5 });
    assert.deepEqual(
      withTimestamps([3, 1], (v, i) => v * 100 + i),
      [
        { value: 3, timestamp: 300 },
        { value: 1, timestamp: 101 },
      ],
    );
  });
});

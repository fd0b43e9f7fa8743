// Event time across two keyed window stages at parallelism > 1, with watermarks generated per
// split at the source: no stage may fire before every upstream subtask has passed the window,
// so nothing is late and every record is counted once. (A source whose splits ended used to
// report itself idle before its final watermark, and the second stage fired early.)
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  GeneratorSource,
  Job,
  OutputTag,
  runJob,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from "../../src/index.ts";

function twoStageJob(records: number, splits: number) {
  const job = Job.create({ name: "two-stage", autoWatermarkIntervalMs: 0 });
  const late1 = new OutputTag<number>("late-1");
  const late2 = new OutputTag<number>("late-2");
  const counts = job
    .fromSource(
      new GeneratorSource({ count: records, splits, generate: (i) => i }),
      WatermarkStrategy.forBoundedOutOfOrderness<number>(0).withTimestamp((i) => i),
    )
    .keyBy((i) => i % 7)
    .window(TumblingEventTimeWindows.of(100))
    .sideOutputLateData(late1)
    .aggregate({
      createAccumulator: () => 0,
      add: (_i, n) => n + 1,
      getResult: (n) => n,
      merge: (a, b) => a + b,
    });
  const total = counts
    .keyBy(() => 0)
    .window(TumblingEventTimeWindows.of(1000))
    .sideOutputLateData(late2)
    .reduce((a, b) => a + b);
  return {
    job,
    sums: total.collect(),
    late: counts.getSideOutput(late1).union(total.getSideOutput(late2)).collect(),
  };
}

for (const parallelism of [1, 2, 4])
  test(`two window stages count every record once at parallelism ${parallelism}`, async () => {
    for (const splits of [1, 2, 3]) {
      const { job, sums, late } = twoStageJob(20_000, splits);
      const result = await runJob(job, { parallelism });
      assert.deepEqual(result.collected(late), [], `splits ${splits}: late records`);
      const values = result.collected(sums);
      assert.equal(
        values.reduce((a, b) => a + b, 0),
        20_000,
        `splits ${splits}`,
      );
      assert.equal(values.length, 20, `splits ${splits}: one sum per second of event time`);
    }
  });

test("windowAll evaluates windows over the whole stream in one subtask, at any job parallelism", async () => {
  for (const parallelism of [1, 3]) {
    const job = Job.create({ name: "window-all", autoWatermarkIntervalMs: 0 });
    const sums = job
      .fromSource(
        new GeneratorSource({ count: 10_000, generate: (i) => i }),
        WatermarkStrategy.forBoundedOutOfOrderness<number>(0).withTimestamp((i) => i),
      )
      .windowAll(TumblingEventTimeWindows.of(1000))
      .reduce((a, b) => a + b)
      .collect();
    const result = await runJob(job, { parallelism });
    const expected = Array.from({ length: 10 }, (_, w) => {
      let sum = 0;
      for (let i = w * 1000; i < (w + 1) * 1000; i++) sum += i;
      return sum;
    });
    assert.deepEqual(
      result.collected(sums).sort((a, b) => a - b),
      expected,
    );
    const windowNode = result.plan.nodes.find((n) => n.spec.kind === "window")!;
    assert.equal(result.plan.parallelism[windowNode.id], 1);
  }
});

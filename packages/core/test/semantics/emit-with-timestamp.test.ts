/**
 * Emitting with an explicit timestamp: what a function emits with out.collectWithTimestamp(v, t)
 * or ctx.outputWithTimestamp(tag, v, t) carries the event timestamp t downstream (to a chained
 * consumer and to one behind an exchange), from records and from timers, while out.collect and
 * ctx.output keep the timestamp of the record or timer being processed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type DataStream, Job, OutputTag, runJob, WatermarkStrategy } from "../../src/index.ts";

const SIDE = new OutputTag<string>("side");

/** Each record as "label@timestamp", the timestamp as the next operator sees it. */
function timestamps(stream: DataStream<string>, keyed: boolean): DataStream<string> {
  const see = {
    processElement(value: string, ctx: { timestamp(): number }, out: { collect(v: string): void }) {
      out.collect(`${value}@${ctx.timestamp()}`);
    },
  };
  return keyed ? stream.keyBy((s) => s.length).process<string>(see) : stream.process<string>(see);
}

const sorted = (values: string[]) => [...values].sort();

for (const parallelism of [1, 2])
  describe(`emitting with a timestamp at parallelism ${parallelism}`, () => {
    it("from a process function: collectWithTimestamp and outputWithTimestamp set it, collect and output keep the record's", async () => {
      const job = Job.create({ name: "emit-with-timestamp" });
      const emitted = job
        .fromElements(1, 2, 3)
        .assignTimestampsAndWatermarks(
          WatermarkStrategy.forMonotonousTimestamps<number>().withTimestamp((v) => v * 10),
        )
        .process<string>({
          processElement(v, ctx, out) {
            out.collectWithTimestamp(`moved${v}`, 1000 + v);
            out.collect(`kept${v}`);
            ctx.outputWithTimestamp(SIDE, `side-moved${v}`, 2000 + v);
            ctx.output(SIDE, `side-kept${v}`);
          },
        });
      const chained = timestamps(emitted, false).collect("chained");
      const exchanged = timestamps(emitted, true).collect("exchanged");
      const side = timestamps(emitted.getSideOutput(SIDE), true).collect("side");
      const result = await runJob(job, { parallelism });
      const main = ["moved1@1001", "moved2@1002", "moved3@1003", "kept1@10", "kept2@20", "kept3@30"];
      assert.deepEqual(sorted(result.collected(chained)), sorted(main));
      assert.deepEqual(sorted(result.collected(exchanged)), sorted(main));
      assert.deepEqual(
        sorted(result.collected(side)),
        sorted([
          "side-moved1@2001",
          "side-moved2@2002",
          "side-moved3@2003",
          "side-kept1@10",
          "side-kept2@20",
          "side-kept3@30",
        ]),
      );
    });

    it("from a keyed process function's records and timers", async () => {
      const job = Job.create({ name: "emit-with-timestamp-keyed" });
      const emitted = job
        .fromElements(1, 2, 3, 4)
        .assignTimestampsAndWatermarks(
          WatermarkStrategy.forMonotonousTimestamps<number>().withTimestamp((v) => v * 10),
        )
        .keyBy((v) => v % 2)
        .process<string>({
          processElement(v, ctx, out) {
            out.collectWithTimestamp(`record${v}`, v * 10 - 5);
            ctx.timerService().registerEventTimeTimer(v * 10 + 1);
          },
          onTimer(time, ctx, out) {
            // a timer's output: by default at the timer's time, here at the time it reports on
            out.collectWithTimestamp(`timer${time}`, time - 1);
            out.collect(`at-timer${time}`);
            ctx.outputWithTimestamp(SIDE, `side-timer${time}`, time + 100);
          },
        });
      const seen = timestamps(emitted, true).collect("seen");
      const side = timestamps(emitted.getSideOutput(SIDE), false).collect("side");
      const result = await runJob(job, { parallelism });
      const expected: string[] = [];
      for (const v of [1, 2, 3, 4]) {
        const time = v * 10 + 1;
        expected.push(`record${v}@${v * 10 - 5}`, `timer${time}@${time - 1}`, `at-timer${time}@${time}`);
      }
      assert.deepEqual(sorted(result.collected(seen)), sorted(expected));
      assert.deepEqual(
        sorted(result.collected(side)),
        sorted([1, 2, 3, 4].map((v) => `side-timer${v * 10 + 1}@${v * 10 + 101}`)),
      );
    });
  });

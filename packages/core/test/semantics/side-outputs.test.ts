/**
 * Side outputs: what a process, keyed process (records and timers), co-process or keyed
 * co-process function emits with ctx.output(tag, v) reaches exactly the streams read with
 * getSideOutput(tag), whether the consumer is chained to the operator or behind an exchange,
 * at parallelism 1 and 4, and never the main output or another tag's stream.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Job, OutputTag, runJob } from "../../src/index.ts";

const ODD = new OutputTag<number>("odd");
const THREE = new OutputTag<string>("multiple-of-three");

const sorted = <T>(values: T[]) => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

for (const parallelism of [1, 4]) {
  describe(`side outputs at parallelism ${parallelism}`, () => {
    it("from a process function, to a chained consumer and to one behind keyBy", async () => {
      const job = Job.create({ name: "side-process" });
      const split = job.fromElements(...range(200)).process<number>({
        processElement(value, ctx, out) {
          if (value % 2 === 0) out.collect(value);
          else ctx.output(ODD, value);
          if (value % 3 === 0) ctx.output(THREE, `three:${value}`);
        },
      });
      const main = split.collect("main");
      const oddChained = split
        .getSideOutput(ODD)
        .map((v) => v * 10)
        .collect("odd-chained");
      const threeKeyed = split
        .getSideOutput(THREE)
        .keyBy((s) => Number(s.split(":")[1]) % 5)
        .process<string>({
          processElement(value, ctx, out) {
            out.collect(`${ctx.currentKey()}/${value}`);
          },
        })
        .collect("three-keyed");
      // The same tag id read again is the same output.
      const oddAgain = split.getSideOutput(new OutputTag<number>("odd")).collect("odd-again");
      const result = await runJob(job, { parallelism });
      const r = range(200);
      assert.deepEqual(sorted(result.collected(main)), sorted(r.filter((v) => v % 2 === 0)));
      assert.deepEqual(
        sorted(result.collected(oddChained)),
        sorted(r.filter((v) => v % 2 === 1).map((v) => v * 10)),
      );
      assert.deepEqual(sorted(result.collected(oddAgain)), sorted(r.filter((v) => v % 2 === 1)));
      assert.deepEqual(
        sorted(result.collected(threeKeyed)),
        sorted(r.filter((v) => v % 3 === 0).map((v) => `${v % 5}/three:${v}`)),
      );
      // The plan really has both shapes: the chained consumer shares the operator's task.
      const nodeOf = (name: string) => result.plan.nodes.find((n) => n.name === name)!;
      const processNode = result.plan.nodes.find((n) => n.spec.kind === "process")!;
      const chainedMap = result.plan.nodes.find((n) => n.spec.kind === "map")!;
      assert.equal(result.plan.vertexOf[chainedMap.id], result.plan.vertexOf[processNode.id]);
      assert.notEqual(result.plan.vertexOf[nodeOf("three-keyed").id], result.plan.vertexOf[processNode.id]);
    });

    it("from a keyed process function, in processElement and in onTimer", async () => {
      const job = Job.create({ name: "side-keyed" });
      const LATE = new OutputTag<{ key: number; t: number }>("timer");
      const keyed = job
        .fromTimestampedElements(range(100).map((v) => ({ value: v, timestamp: v })))
        .keyBy((v) => v % 7)
        .process<number>({
          processElement(value, ctx, out) {
            out.collect(value);
            if (value % 4 === 0) ctx.output(ODD, value);
            ctx.timerService().registerEventTimeTimer(1000 + ctx.currentKey());
          },
          onTimer(t, ctx) {
            ctx.output(LATE, { key: ctx.currentKey(), t });
          },
        });
      const main = keyed.collect("main");
      const fromRecords = keyed.getSideOutput(ODD).collect("from-records");
      const fromTimers = keyed
        .getSideOutput(LATE)
        .rebalance()
        .map((x) => `${x.key}@${x.t}`)
        .collect("from-timers");
      const result = await runJob(job, { parallelism });
      assert.deepEqual(sorted(result.collected(main)), range(100));
      assert.deepEqual(
        sorted(result.collected(fromRecords)),
        range(100).filter((v) => v % 4 === 0),
      );
      assert.deepEqual(sorted(result.collected(fromTimers)), sorted(range(7).map((k) => `${k}@${1000 + k}`)));
    });

    it("from a co-process function and a keyed co-process function", async () => {
      const job = Job.create({ name: "side-co" });
      const numbers = job.fromElements(...range(50));
      const words = job.fromElements(...range(30).map((i) => `w${i}`));
      const co = numbers.connect(words).process<string>({
        processElement1(value, ctx, out) {
          if (value % 2 === 1) ctx.output(ODD, value);
          else out.collect(`n${value}`);
        },
        processElement2(value, ctx, out) {
          if (Number(value.slice(1)) % 3 === 0) ctx.output(THREE, value);
          else out.collect(value);
        },
      });
      const keyedCo = numbers
        .keyBy((n) => n % 5)
        .connect(words.keyBy((w) => Number(w.slice(1)) % 5))
        .process<string>({
          processElement1(value, ctx) {
            ctx.output(THREE, `k${ctx.currentKey()}:n${value}`);
          },
          processElement2(value, ctx) {
            ctx.output(THREE, `k${ctx.currentKey()}:${value}`);
          },
        });
      const coMain = co.collect("co-main");
      const coOdd = co.getSideOutput(ODD).collect("co-odd");
      const coThree = co
        .getSideOutput(THREE)
        .keyBy((w) => w)
        .map((w) => w.toUpperCase())
        .collect("co-three");
      const keyedSide = keyedCo.getSideOutput(THREE).collect("keyed-side");
      const keyedMain = keyedCo.collect("keyed-main");
      const result = await runJob(job, { parallelism });
      assert.deepEqual(
        sorted(result.collected(coMain)),
        sorted([
          ...range(50)
            .filter((v) => v % 2 === 0)
            .map((v) => `n${v}`),
          ...range(30)
            .filter((i) => i % 3 !== 0)
            .map((i) => `w${i}`),
        ]),
      );
      assert.deepEqual(
        sorted(result.collected(coOdd)),
        range(50).filter((v) => v % 2 === 1),
      );
      assert.deepEqual(
        sorted(result.collected(coThree)),
        sorted(
          range(30)
            .filter((i) => i % 3 === 0)
            .map((i) => `W${i}`),
        ),
      );
      assert.deepEqual(
        sorted(result.collected(keyedSide)),
        sorted([...range(50).map((v) => `k${v % 5}:n${v}`), ...range(30).map((i) => `k${i % 5}:w${i}`)]),
      );
      assert.deepEqual(result.collected(keyedMain), []);
    });
  });
}

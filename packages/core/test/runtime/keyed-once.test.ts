// A record is keyed once: the record writer of a hash exchange computes the key (to choose the
// channel) and the batch carries it to the keyed operator, which does not call the key selector
// again. Counted here for every keyed operator kind, against brute-force results, in one thread
// at parallelism 1, 2 and 4; and bad keys still become dead letters, keyed once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Job,
  type KeyedProcessContext,
  runJob,
  StateDescriptors,
  TumblingEventTimeWindows,
  type ValueState,
  WatermarkStrategy,
} from "../../src/index.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();

for (const parallelism of [1, 2, 4])
  describe(`keyed once (parallelism ${parallelism}, one thread)`, () => {
    it("a rolling reduce calls its key selector once per record", async () => {
      let calls = 0;
      const values = range(5_000).map((i) => ({ k: i % 37, s: (i * 7919) % 1000 }));
      const job = Job.create({ name: "keyed-once-reduce", batchSize: 64 });
      const out = job
        .fromElements(...values)
        .keyBy((v) => {
          calls++;
          return v.k;
        })
        .reduce((a, b) => ({ k: a.k, s: a.s + b.s }))
        .collect();
      const result = await runJob(job, { parallelism });
      assert.equal(calls, values.length);
      const emitted = result.collected(out);
      assert.equal(emitted.length, values.length);
      // Rolling sums only grow, so each key's largest is its total.
      const totals = new Map<number, number>();
      for (const v of values) totals.set(v.k, (totals.get(v.k) ?? 0) + v.s);
      const largest = new Map<number, number>();
      for (const r of emitted) largest.set(r.k, Math.max(largest.get(r.k) ?? 0, r.s));
      assert.deepEqual(
        [...largest].sort((a, b) => a[0] - b[0]),
        [...totals].sort((a, b) => a[0] - b[0]),
      );
    });

    it("a keyed process function sees the exchange's key as the current key", async () => {
      let calls = 0;
      const job = Job.create({ name: "keyed-once-process", batchSize: 32 });
      const out = job
        .fromElements(...range(3_000).map((i) => `k${i % 53}`))
        .keyBy((k) => {
          calls++;
          return k;
        })
        .process<[string, number]>({
          open(ctx) {
            (this as any).count = ctx.getState(StateDescriptors.value<number>("count", { defaultValue: 0 }));
          },
          processElement(k, ctx, out) {
            assert.equal(ctx.currentKey(), k);
            const count = (this as any).count as ValueState<number>;
            const n = count.value()! + 1;
            count.update(n);
            out.collect([k, n]);
          },
        })
        .collect();
      const result = await runJob(job, { parallelism });
      assert.equal(calls, 3_000);
      const expected: [string, number][] = [];
      const seen = new Map<string, number>();
      for (const i of range(3_000)) {
        const k = `k${i % 53}`;
        seen.set(k, (seen.get(k) ?? 0) + 1);
        expected.push([k, seen.get(k)!]);
      }
      assert.deepEqual(sorted(result.collected(out)), sorted(expected));
    });

    it("an event-time window keys each record once", async () => {
      let calls = 0;
      const job = Job.create({ name: "keyed-once-window", batchSize: 16 });
      const values = range(2_000);
      const out = job
        .fromElements(...values)
        .assignTimestampsAndWatermarks(
          WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v) => v),
        )
        .keyBy((v) => {
          calls++;
          return v % 5;
        })
        .window(TumblingEventTimeWindows.of(100))
        .reduce((a, b) => a + b)
        .collect();
      const result = await runJob(job, { parallelism });
      assert.equal(calls, values.length);
      const expected = new Map<string, number>();
      for (const v of values) {
        const id = `${v % 5}@${Math.floor(v / 100)}`;
        expected.set(id, (expected.get(id) ?? 0) + v);
      }
      assert.deepEqual(sorted(result.collected(out)), sorted([...expected.values()]));
    });

    it("a keyed co-process keys each input's records once, by that input's selector", async () => {
      let calls1 = 0;
      let calls2 = 0;
      const job = Job.create({ name: "keyed-once-co", batchSize: 8 });
      const out = job
        .fromElements(...range(400))
        .keyBy((v) => {
          calls1++;
          return `k${v % 11}`;
        })
        .connect(
          job.fromElements(...range(300).map((i) => ({ id: `k${i % 11}`, n: i }))).keyBy((r) => {
            calls2++;
            return r.id;
          }),
        )
        .process<string>({
          processElement1(v, ctx, out) {
            assert.equal((ctx as KeyedProcessContext<string>).currentKey(), `k${v % 11}`);
            out.collect(`a:${v}`);
          },
          processElement2(r, ctx, out) {
            assert.equal((ctx as KeyedProcessContext<string>).currentKey(), r.id);
            out.collect(`b:${r.n}`);
          },
        })
        .collect();
      const result = await runJob(job, { parallelism });
      assert.equal(calls1, 400);
      assert.equal(calls2, 300);
      assert.deepEqual(
        sorted(result.collected(out)),
        sorted([...range(400).map((v) => `a:${v}`), ...range(300).map((i) => `b:${i}`)]),
      );
    });

    it("a record whose key is not a string or number becomes a dead letter, keyed once", async () => {
      let calls = 0;
      const job = Job.create({ name: "keyed-once-bad-key", errorHandling: "dead-letter" });
      const values = range(200);
      const keyed = job
        .fromElements(...values)
        .uid("numbers")
        .keyBy((v) => {
          calls++;
          return (v % 10 === 3 ? null : v % 4) as number;
        })
        .reduce((a, b) => a + b);
      const out = keyed.collect();
      const letters = job.deadLetters().collect("letters");
      const result = await runJob(job, { parallelism });
      assert.equal(calls, values.length);
      assert.equal(result.collected(out).length, values.filter((v) => v % 10 !== 3).length);
      const bad = result.collected(letters);
      assert.deepEqual(
        bad.map((l) => l.record).sort((a, b) => (a as number) - (b as number)),
        values.filter((v) => v % 10 === 3),
      );
      for (const letter of bad) assert.match(letter.error, /keys must be a string or a number/);
    });
  });

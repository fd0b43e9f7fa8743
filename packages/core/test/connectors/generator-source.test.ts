import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { SourceReader } from "../../src/connectors/api/index.ts";
import { GeneratorSource, type GeneratorSplit } from "../../src/connectors/generator-source.ts";
import type { SeededRandom } from "../../src/connectors/seeded-random.ts";
import { ConfigError } from "../../src/errors.ts";
import { ManualClock } from "../../src/time/time.ts";
import {
  CollectingOutput,
  drain,
  FakeEnumeratorContext,
  FakeReaderContext,
  readAll,
  within,
} from "./source-test-kit.ts";

interface Reading {
  index: number;
  sensor: string;
  value: number;
  noise: number;
}

const generate = (index: number, random: SeededRandom): Reading => ({
  index,
  sensor: random.pick(["a", "b", "c"]),
  value: random.nextInt(1000),
  noise: random.nextGaussian(),
});

function byIndex(records: Reading[]): Reading[] {
  return [...records].sort((a, b) => a.index - b.index);
}

function splitsFor(source: GeneratorSource<unknown>, parallelism: number): GeneratorSplit[] {
  const context = new FakeEnumeratorContext<GeneratorSplit>(parallelism);
  const enumerator = source.createEnumerator(context);
  for (let i = 0; i < parallelism; i++) enumerator.addReader(i);
  return context.assignments.flatMap((a) => a.splits);
}

describe("GeneratorSource", () => {
  it("makes the same records for any number of splits and any parallelism", async () => {
    const full = (await readAll(new GeneratorSource({ generate, count: 200, seed: 9, splits: 1 }), 1))[0]
      .values;
    assert.deepEqual(
      full.map((r) => r.index),
      Array.from({ length: 200 }, (_, i) => i),
    );
    for (const [splits, parallelism] of [
      [2, 1],
      [3, 1],
      [3, 2],
      [undefined, 3],
    ] as const) {
      const outputs = await readAll(
        new GeneratorSource({ generate, count: 200, seed: 9, splits }),
        parallelism,
      );
      assert.deepEqual(
        byIndex(outputs.flatMap((o) => o.values)),
        full,
        `splits ${splits}, parallelism ${parallelism}`,
      );
    }
    const otherSeed = (await readAll(new GeneratorSource({ generate, count: 200, seed: 10 })))[0].values;
    assert.notDeepEqual(otherSeed, full);
  });

  it("stripes indices over splits, spread over the subtasks", () => {
    const context = new FakeEnumeratorContext<GeneratorSplit>(2);
    const enumerator = new GeneratorSource({ generate, count: 10, splits: 3 }).createEnumerator(context);
    enumerator.addReader(0);
    enumerator.addReader(1);
    assert.deepEqual(context.splitsOf(0), [
      { splitId: "generator-0", nextIndex: 0, stride: 3, end: 10 },
      { splitId: "generator-2", nextIndex: 2, stride: 3, end: 10 },
    ]);
    assert.deepEqual(context.splitsOf(1), [{ splitId: "generator-1", nextIndex: 1, stride: 3, end: 10 }]);
    assert.deepEqual([...context.noMoreSplits].sort(), [0, 1]);
  });

  it("emits records without timestamps, through per-split outputs released at their end", async () => {
    const [output] = await readAll(new GeneratorSource({ generate: (i) => i, count: 5, splits: 2 }));
    assert.ok(output.records.every((r) => r.timestamp === undefined));
    assert.deepEqual(output.values.sort(), [0, 1, 2, 3, 4]);
    assert.deepEqual(output.created.sort(), ["generator-0", "generator-1"]);
    assert.deepEqual(output.released.sort(), ["generator-0", "generator-1"]);
  });

  it("is bounded with a count and unbounded without", async () => {
    assert.equal(new GeneratorSource({ generate, count: 3 }).boundedness, "bounded");
    assert.equal(new GeneratorSource({ generate, count: 3 }).estimatedRecords, 3);
    const unbounded = new GeneratorSource({ generate: (i) => i, batchSize: 10 });
    assert.equal(unbounded.boundedness, "unbounded");
    const reader = unbounded.createReader(new FakeReaderContext());
    const output = new CollectingOutput<number>();
    reader.addSplits(splitsFor(unbounded, 1));
    reader.notifyNoMoreSplits();
    assert.equal(await drain(reader, output, { maxPolls: 50 }), "stopped");
    assert.equal(output.values.length, 500);
    assert.deepEqual(reader.snapshotState(1), [{ splitId: "generator-0", nextIndex: 500, stride: 1 }]);
    reader.close();
  });

  it("resumes from a snapshot with exactly the remaining records", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 120 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 16 }),
        fc.nat({ max: 30 }),
        fc.integer(),
        async (count, splits, batchSize, polls, seed) => {
          const source = new GeneratorSource({ generate, count, splits, batchSize, seed });
          const all = splitsFor(source, 1);
          const full = new CollectingOutput<Reading>();
          const reference = source.createReader(new FakeReaderContext());
          reference.addSplits(all);
          reference.notifyNoMoreSplits();
          await drain(reference, full);

          const first = source.createReader(new FakeReaderContext());
          const before = new CollectingOutput<Reading>();
          first.addSplits(all);
          first.notifyNoMoreSplits();
          await drain(first, before, { maxPolls: polls });
          const snapshot = first.snapshotState(1);
          first.close();
          // The snapshot is plain data: it survives a JSON round trip (a checkpoint).
          const restored = JSON.parse(JSON.stringify(snapshot)) as GeneratorSplit[];

          const second = source.createReader(new FakeReaderContext());
          const after = new CollectingOutput<Reading>();
          second.addSplits(restored);
          second.notifyNoMoreSplits();
          assert.equal(await drain(second, after), "end-of-input");
          const both = [...before.values, ...after.values];
          assert.equal(both.length, count);
          assert.deepEqual(byIndex(both), byIndex(full.values));
        },
      ),
      { numRuns: 60 },
    );
  });

  describe("rate limit", () => {
    function rateLimited(
      recordsPerSecond: number,
      splits = 1,
    ): {
      reader: SourceReader<number, GeneratorSplit>;
      clock: ManualClock;
      context: FakeReaderContext;
      output: CollectingOutput<number>;
    } {
      const source = new GeneratorSource({ generate: (i) => i, recordsPerSecond, splits });
      const clock = new ManualClock(1_000_000);
      const context = new FakeReaderContext(0, 1, clock);
      const reader = source.createReader(context);
      reader.addSplits(splitsFor(source, 1));
      reader.notifyNoMoreSplits();
      return { reader, clock, context, output: new CollectingOutput<number>() };
    }

    function pollWhileAvailable(
      reader: SourceReader<number, GeneratorSplit>,
      output: CollectingOutput<number>,
    ) {
      let polls = 0;
      while (reader.pollNext(output) === "more-available") assert.ok(++polls < 1000);
    }

    it("says nothing-available when ahead of schedule and emits what is due as the clock moves", () => {
      const { reader, clock, output } = rateLimited(10);
      assert.equal(reader.pollNext(output), "more-available");
      assert.equal(output.values.length, 1);
      assert.equal(reader.pollNext(output), "nothing-available");
      clock.advance(99);
      assert.equal(reader.pollNext(output), "nothing-available");
      clock.advance(151); // 250 ms in: records were due at 0, 100 and 200
      pollWhileAvailable(reader, output);
      assert.deepEqual(output.values, [0, 1, 2]);
      clock.advance(749); // 999 ms in: 10 records due
      pollWhileAvailable(reader, output);
      assert.equal(output.values.length, 10);
      reader.close();
    });

    it("shares the rate evenly among splits", () => {
      const { reader, clock, output } = rateLimited(10, 2);
      pollWhileAvailable(reader, output);
      clock.advance(999);
      pollWhileAvailable(reader, output);
      // 5 per second per split: each split's records at 0, 200, 400, 600 and 800 ms.
      assert.deepEqual(
        output.values.sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      reader.close();
    });

    it("catches up at most one second after falling behind", () => {
      const { reader, clock, output } = rateLimited(10);
      pollWhileAvailable(reader, output);
      clock.advance(60_000);
      pollWhileAvailable(reader, output);
      assert.ok(output.values.length <= 12, `emitted ${output.values.length}`);
      reader.close();
    });

    it("wakes the task with a timer instead of spinning", async () => {
      const { reader, clock, context, output } = rateLimited(1000);
      pollWhileAvailable(reader, output);
      const signals = context.signals;
      assert.equal(reader.pollNext(output), "nothing-available");
      // The timer fires (it is set for the 1 ms until the next record is due) and signals both ways.
      await within(reader.isAvailable(), 5000, "the rate-limit timer");
      assert.equal(context.signals, signals + 1);
      clock.advance(1);
      assert.equal(reader.pollNext(output), "more-available");
      reader.close();
    });
  });

  it("rejects invalid options", () => {
    assert.throws(() => new GeneratorSource({ generate, count: -1 }), ConfigError);
    assert.throws(() => new GeneratorSource({ generate, recordsPerSecond: 0 }), ConfigError);
    assert.throws(() => new GeneratorSource({ generate, splits: 0 }), ConfigError);
    assert.throws(() => new GeneratorSource({ generate, seed: 1.5 }), ConfigError);
    assert.throws(() => new GeneratorSource({ generate, batchSize: 0 }), ConfigError);
  });
});

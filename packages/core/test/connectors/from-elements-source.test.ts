import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { FromElementsSource, type FromElementsSplit } from "../../src/connectors/from-elements-source.ts";
import { ConfigError } from "../../src/errors.ts";
import {
  CollectingOutput,
  drain,
  FakeEnumeratorContext,
  FakeReaderContext,
  readAll,
  within,
} from "./source-test-kit.ts";

describe("FromElementsSource", () => {
  it("assigns its one split to subtask 0 and tells every reader no more splits come", () => {
    const source = new FromElementsSource([1, 2, 3]);
    const context = new FakeEnumeratorContext<FromElementsSplit>(3);
    const enumerator = source.createEnumerator(context);
    enumerator.start();
    for (const subtask of [2, 1, 0]) enumerator.addReader(subtask);
    enumerator.handleSplitRequest(0);
    assert.deepEqual(context.assignments, [{ subtask: 0, splits: [{ splitId: "elements", nextIndex: 0 }] }]);
    assert.deepEqual([...context.noMoreSplits].sort(), [0, 1, 2]);
  });

  it("assigns on a split request too, and gives a returned split back to its subtask", () => {
    const source = new FromElementsSource(["a"]);
    const context = new FakeEnumeratorContext<FromElementsSplit>(2);
    const enumerator = source.createEnumerator(context);
    enumerator.handleSplitRequest(0);
    assert.equal(context.splitsOf(0).length, 1);
    enumerator.addSplitsBack([{ splitId: "elements", nextIndex: 1 }], 0);
    enumerator.addReader(0);
    assert.deepEqual(context.splitsOf(0), [
      { splitId: "elements", nextIndex: 0 },
      { splitId: "elements", nextIndex: 1 },
    ]);
  });

  it("hands out only the restored splits after a restore", () => {
    const source = new FromElementsSource([1, 2]);
    const context = new FakeEnumeratorContext<FromElementsSplit>(1);
    source.createEnumerator(context, []).addReader(0);
    assert.deepEqual(context.assignments, []);
    assert.ok(context.noMoreSplits.has(0));
  });

  it("emits at most batchSize records per poll, then ends", () => {
    const elements = Array.from({ length: 2500 }, (_, i) => i);
    const reader = new FromElementsSource(elements).createReader(new FakeReaderContext());
    const output = new CollectingOutput<number>();
    reader.addSplits([{ splitId: "elements", nextIndex: 0 }]);
    reader.notifyNoMoreSplits();
    const statuses = [];
    const sizes = [];
    for (let i = 0; i < 4; i++) {
      const before = output.records.length;
      statuses.push(reader.pollNext(output));
      sizes.push(output.records.length - before);
    }
    assert.deepEqual(statuses, ["more-available", "more-available", "more-available", "end-of-input"]);
    assert.deepEqual(sizes, [1024, 1024, 452, 0]);
    assert.deepEqual(output.values, elements);
    assert.deepEqual(output.created, ["elements"]);
    assert.deepEqual(output.released, ["elements"]);
    assert.ok(output.records.every((r) => r.splitId === "elements" && r.timestamp === undefined));
  });

  it("gives timestamped elements their own timestamps", async () => {
    const source = new FromElementsSource(
      [
        { value: "a", timestamp: 10 },
        { value: "b", timestamp: 5 },
      ],
      { timestamped: true },
    );
    const [output] = await readAll(source);
    assert.deepEqual(
      output.records.map((r) => [r.value, r.timestamp]),
      [
        ["a", 10],
        ["b", 5],
      ],
    );
  });

  it("rejects timestamped elements without a timestamp and a bad batch size", () => {
    assert.throws(
      () => new FromElementsSource([{ value: 1 } as never], { timestamped: true }),
      (e: unknown) => e instanceof ConfigError && /element 0/.test(e.message),
    );
    assert.throws(() => new FromElementsSource([1], { batchSize: 0 }), ConfigError);
  });

  it("waits for a split, then wakes the task when one arrives", async () => {
    const context = new FakeReaderContext();
    const reader = new FromElementsSource([1]).createReader(context);
    const output = new CollectingOutput<number>();
    assert.equal(reader.pollNext(output), "nothing-available");
    const available = reader.isAvailable();
    reader.addSplits([{ splitId: "elements", nextIndex: 0 }]);
    await within(available, 1000, "availability");
    assert.ok(context.signals > 0);
    assert.equal(reader.pollNext(output), "more-available");
    assert.equal(reader.pollNext(output), "nothing-available");
    reader.notifyNoMoreSplits();
    assert.equal(reader.pollNext(output), "end-of-input");
    assert.deepEqual(output.values, [1]);
  });

  it("reads the whole array with any parallelism, on subtask 0 only", async () => {
    const outputs = await readAll(new FromElementsSource(["x", "y", "z"]), 3);
    assert.deepEqual(outputs[0].values, ["x", "y", "z"]);
    assert.deepEqual(outputs[1].values, []);
    assert.deepEqual(outputs[2].values, []);
  });

  it("resumes from a snapshot with exactly the remaining elements", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer(), { maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        fc.nat({ max: 20 }),
        async (elements, batchSize, polls) => {
          const source = new FromElementsSource(elements, { batchSize });
          const split: FromElementsSplit = { splitId: "elements", nextIndex: 0 };
          const first = source.createReader(new FakeReaderContext());
          const before = new CollectingOutput<number>();
          first.addSplits([split]);
          first.notifyNoMoreSplits();
          await drain(first, before, { maxPolls: polls });
          const snapshot = first.snapshotState(1);
          first.close();

          const second = source.createReader(new FakeReaderContext());
          const after = new CollectingOutput<number>();
          second.addSplits(snapshot);
          second.notifyNoMoreSplits();
          assert.equal(await drain(second, after), "end-of-input");
          assert.deepEqual([...before.values, ...after.values], elements);
        },
      ),
    );
  });
});

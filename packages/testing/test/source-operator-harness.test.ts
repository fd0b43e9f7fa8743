/**
 * A source under the runtime's source operator, driven by hand: watermarks are generated per split
 * and combined as their minimum, a split that stays quiet past the idle timeout stops holding the
 * watermark back (and stays idle until its next record), the whole source reports idle when every
 * split is, or when it has no split at all, and a finished split never ends event time while the
 * reader may get more splits. Timestamp assigner failures become dead letters.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ReaderAvailability,
  RecordProcessingError,
  type Source,
  type SourceReader,
  type SourceSplit,
  type SplitEnumeratorContext,
  type TimestampedElement,
  WatermarkStrategy,
} from "@eddy/core";
import { SourceOperatorHarness, timestamped } from "@eddy/testing";

/**
 * A source whose splits the test feeds: `push` adds records to a split, `finish` lets the reader
 * release it once drained, `assign` hands a split to the reader. A poll emits one record per
 * split the reader holds (creating every split's output first, so no split is overlooked).
 */
class FedSource implements Source<number> {
  readonly boundedness = "unbounded" as const;
  private readonly queues = new Map<string, TimestampedElement<number>[]>();
  private readonly finished = new Set<string>();
  private context: SplitEnumeratorContext<SourceSplit> | undefined;
  private reader: { wake(): void } | undefined;
  noMoreSplits = false;

  push(splitId: string, ...records: TimestampedElement<number>[]): void {
    let q = this.queues.get(splitId);
    if (q === undefined) this.queues.set(splitId, (q = []));
    q.push(...records);
    this.reader?.wake();
  }
  finish(splitId: string): void {
    this.finished.add(splitId);
    this.reader?.wake();
  }
  assign(...splitIds: string[]): void {
    this.context!.assignSplits(
      0,
      splitIds.map((splitId) => ({ splitId })),
    );
  }
  endSplits(): void {
    this.context!.signalNoMoreSplits(0);
  }

  createEnumerator(context: SplitEnumeratorContext<SourceSplit>) {
    this.context = context;
    return {
      start() {},
      addReader() {},
      handleSplitRequest() {},
      addSplitsBack() {},
      snapshotState: () => [],
      close() {},
    };
  }

  createReader(context: Parameters<Source<number>["createReader"]>[0]): SourceReader<number, SourceSplit> {
    const availability = new ReaderAvailability(context);
    this.reader = { wake: () => availability.signal() };
    const held: string[] = [];
    let noMore = false;
    return {
      start() {},
      addSplits: (splits) => {
        held.push(...splits.map((s) => s.splitId));
        availability.signal();
      },
      notifyNoMoreSplits: () => {
        noMore = true;
        availability.signal();
      },
      pollNext: (output) => {
        availability.reset();
        let emitted = false;
        const outputs = held.map((id) => output.createOutputForSplit(id));
        for (let i = held.length - 1; i >= 0; i--) {
          const id = held[i];
          const next = this.queues.get(id)?.shift();
          if (next !== undefined) {
            outputs[i].collect(next.value, next.timestamp);
            emitted = true;
          } else if (this.finished.has(id)) {
            held.splice(i, 1);
            output.releaseOutputForSplit(id);
            emitted = true;
          }
        }
        if (held.length === 0 && noMore) return "end-of-input";
        return emitted ? "more-available" : "nothing-available";
      },
      isAvailable: () => availability.whenAvailable(),
      snapshotState: () => held.map((splitId) => ({ splitId })),
      close: () => availability.close(),
    };
  }
}

const ascending = () => WatermarkStrategy.forMonotonousTimestamps<number>();

describe("source watermarks per split", () => {
  it("the source's watermark is the minimum over its splits", async () => {
    const source = new FedSource();
    const h = await SourceOperatorHarness.create(source, ascending());
    source.assign("fast", "slow");
    await h.settle();
    source.push("fast", timestamped(1, 100), timestamped(2, 200));
    source.push("slow", timestamped(3, 10));
    h.poll();
    h.poll();
    assert.deepEqual(h.extractOutputValues().sort(), [1, 2, 3]);
    assert.deepEqual(h.watermarks(), [9]);
    source.push("slow", timestamped(4, 150));
    h.poll();
    assert.deepEqual(h.watermarks(), [9, 149]);
    await h.close();
  });

  it("a quiet split becomes idle after the timeout, stays idle through later periodic emits, and a record wakes it", async () => {
    const source = new FedSource();
    const h = await SourceOperatorHarness.create(source, ascending().withIdleness(100), {
      autoWatermarkIntervalMs: 10,
    });
    source.assign("busy", "quiet");
    await h.settle();
    source.push("quiet", timestamped(0, 5));
    let t = 0;
    const tick = (ts: number) => {
      source.push("busy", timestamped(ts, ts));
      h.poll();
      h.advanceProcessingTime(10);
      t += 10;
    };
    for (let ts = 10; ts <= 50; ts += 10) tick(ts);
    assert.equal(Math.max(...h.watermarks()), 4, "the quiet split holds the watermark at 4");
    for (let ts = 60; ts <= 300; ts += 10) tick(ts);
    assert.equal(h.watermarks().at(-1), 299, "once idle, the quiet split no longer holds it back");
    assert.deepEqual(h.idleChanges(), [], "the busy split keeps the source active");
    // Many periodic emits later the quiet split is still idle (its own watermark does not wake it).
    for (let ts = 310; ts <= 800; ts += 10) tick(ts);
    assert.equal(h.watermarks().at(-1), 799);
    // A record on the quiet split makes it active again: it holds the watermark from then on.
    source.push("quiet", timestamped(-1, 700));
    h.poll();
    for (let ts = 810; ts <= 850; ts += 10) tick(ts);
    assert.equal(h.watermarks().at(-1), 799);
    assert.ok(t > 0);
    await h.close();
  });

  it("the whole source is idle when every split is, and active again on a record", async () => {
    const source = new FedSource();
    const h = await SourceOperatorHarness.create(source, ascending().withIdleness(50), {
      autoWatermarkIntervalMs: 10,
    });
    source.assign("a", "b");
    await h.settle();
    source.push("a", timestamped(1, 1));
    source.push("b", timestamped(2, 2));
    h.poll();
    for (let i = 0; i < 10; i++) h.advanceProcessingTime(10);
    assert.deepEqual(h.idleChanges(), [true]);
    assert.equal(h.idle, true);
    source.push("b", timestamped(3, 3));
    h.poll();
    assert.deepEqual(h.idleChanges(), [true, false]);
    await h.close();
  });

  it("a source held back by backpressure is busy, not idle: its splits do not time out meanwhile", async () => {
    const source = new FedSource();
    const h = await SourceOperatorHarness.create(source, ascending().withIdleness(50), {
      autoWatermarkIntervalMs: 10,
    });
    source.assign("a");
    await h.settle();
    source.push("a", timestamped(1, 1));
    h.poll();
    // Ten periodic checks, 100 ms, while the task cannot read: the split stays active.
    for (let i = 0; i < 10; i++) h.holdBack().advanceProcessingTime(10);
    assert.deepEqual(h.idleChanges(), []);
    // Free again, but nothing to read: idle after the timeout.
    for (let i = 0; i < 10; i++) h.advanceProcessingTime(10);
    assert.deepEqual(h.idleChanges(), [true]);
    await h.close();
  });

  it("a reader without splits holds the watermark, is idle after the idleness timeout, active with its first split, idle again when that split goes quiet", async () => {
    const source = new FedSource();
    const h = await SourceOperatorHarness.create(source, ascending().withIdleness(50), {
      autoWatermarkIntervalMs: 10,
    });
    assert.equal(h.poll(), "nothing-available");
    assert.deepEqual(h.idleChanges(), [], "not idle before the timeout");
    for (let i = 0; i < 6; i++) h.advanceProcessingTime(10);
    assert.deepEqual(h.idleChanges(), [true]);
    source.assign("late");
    await h.settle();
    source.push("late", timestamped(1, 1));
    h.poll();
    assert.deepEqual(h.idleChanges(), [true, false]);
    for (let i = 0; i < 10; i++) h.advanceProcessingTime(10);
    assert.deepEqual(h.idleChanges(), [true, false, true]);
    await h.close();
  });

  it("a finished split does not end event time while more splits may come; the end of input does", async () => {
    const source = new FedSource();
    const h = await SourceOperatorHarness.create(source, ascending());
    source.assign("first");
    await h.settle();
    source.push("first", timestamped(1, 10), timestamped(2, 20));
    source.finish("first");
    for (let i = 0; i < 4; i++) h.poll();
    assert.ok(!h.watermarks().includes(Number.POSITIVE_INFINITY), `watermarks ${h.watermarks()}`);
    source.assign("second");
    await h.settle();
    source.push("second", timestamped(3, 5));
    source.finish("second");
    source.endSplits();
    await h.settle();
    assert.equal(await h.pollUntilEnd(), "end-of-input");
    assert.deepEqual(h.extractOutputValues(), [1, 2, 3]);
    assert.equal(h.watermarks().at(-1), Number.POSITIVE_INFINITY);
    assert.equal(h.watermarks().filter((w) => w === Number.POSITIVE_INFINITY).length, 1);
    await h.close();
  });
});

describe("source timestamp assigner failures", () => {
  const strategy = ascending().withTimestampAssigner((v) => {
    if (v < 0) throw new Error("negative");
    return v;
  });

  it('become dead letters with errorHandling "dead-letter"', async () => {
    const source = new FedSource();
    const h = await SourceOperatorHarness.create(source, strategy, {
      errorHandling: "dead-letter",
      uid: "src",
    });
    source.assign("s");
    await h.settle();
    source.push("s", timestamped(5, 0), timestamped(-1, 0), timestamped(7, 0));
    await h.pollUntilEnd({ maxPolls: 3 });
    assert.deepEqual(h.output(), [
      { value: 5, timestamp: 5 },
      { value: 7, timestamp: 7 },
    ]);
    assert.deepEqual(
      h.deadLetters().map((l) => [l.operatorUid, l.error, l.record]),
      [["src", "negative", -1]],
    );
    await h.close();
  });

  it('fail the poll with errorHandling "fail"', async () => {
    const source = new FedSource();
    const h = await SourceOperatorHarness.create(source, strategy);
    source.assign("s");
    await h.settle();
    source.push("s", timestamped(-1, 0));
    assert.throws(() => h.poll(), RecordProcessingError);
    await h.close();
  });
});

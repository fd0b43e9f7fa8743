// SplitReaderBase, the skeleton under every built-in reader, through a test reader whose splits
// are counters that are ready or waiting as a script says: every record exactly once and in order
// per split, whatever the waiting pattern and wherever a snapshot is restored; turns that let no
// ready split starve; the end of input; pull-based split requests; availability signals.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { SourceOutput, SourceSplit } from "../../src/connectors/api/index.ts";
import { SplitReaderBase, type SplitReadResult } from "../../src/connectors/split-reader-base.ts";
import { CollectingOutput, FakeReaderContext } from "./source-test-kit.ts";

interface CounterSplit extends SourceSplit {
  readonly next: number;
  readonly end: number;
}

interface Counter {
  readonly splitId: string;
  next: number;
  readonly end: number;
}

/** Emits `${splitId}:${n}` for n in [next, end), `batch` at a time, when `ready` says so. */
class CounterReader extends SplitReaderBase<string, CounterSplit, Counter> {
  polls = 0;
  finished: string[] = [];
  nothingReadyCalls = 0;

  constructor(
    context: FakeReaderContext,
    private readonly batch: number,
    private readonly ready: (splitId: string, poll: number) => boolean,
    pull = false,
  ) {
    super(context, { pull });
  }

  override pollNext(output: CollectingOutput<string>) {
    this.polls++;
    return super.pollNext(output);
  }

  protected openSplit(split: CounterSplit): Counter {
    return { splitId: split.splitId, next: split.next, end: split.end };
  }

  protected readSplit(counter: Counter, out: SourceOutput<string>): SplitReadResult {
    if (counter.next < counter.end && !this.ready(counter.splitId, this.polls)) return "waiting";
    const stop = Math.min(counter.end, counter.next + this.batch);
    for (; counter.next < stop; counter.next++) out.collect(`${counter.splitId}:${counter.next}`);
    return counter.next >= counter.end ? "finished" : "emitted";
  }

  protected snapshotSplit(counter: Counter): CounterSplit {
    return { splitId: counter.splitId, next: counter.next, end: counter.end };
  }

  protected override splitFinished(counter: Counter): void {
    this.finished.push(counter.splitId);
  }

  protected override nothingReady(): void {
    this.nothingReadyCalls++;
  }
}

const expectedOf = (splits: readonly CounterSplit[]) =>
  splits.flatMap((s) => Array.from({ length: s.end - s.next }, (_, i) => `${s.splitId}:${s.next + i}`));

/** Polls until end of input; a poll with nothing ready stands for a wait that ends in a signal. */
function pollToEnd(reader: CounterReader, output: CollectingOutput<string>, maxPolls = 100_000): number {
  let waits = 0;
  for (let i = 0; i < maxPolls; i++) {
    const status = reader.pollNext(output);
    if (status === "end-of-input") return waits;
    if (status === "nothing-available") waits++;
  }
  assert.fail(`no end of input after ${maxPolls} polls`);
}

const splitsArbitrary = fc
  .array(fc.tuple(fc.nat(6), fc.nat(40)), { minLength: 1, maxLength: 5 })
  .map((specs) =>
    specs.map(([start, length], i) => ({ splitId: `s${i}`, next: start, end: start + length })),
  );

describe("SplitReaderBase", () => {
  it("emits every record once, in order per split, for any waiting pattern, batch size and restore point", () => {
    fc.assert(
      fc.property(
        splitsArbitrary,
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 50 }),
        fc.nat(60),
        (splits, batch, pattern, restoreAfter) => {
          // Split i is ready at poll p as pattern[(p + i) % length] says, and always every 3rd poll.
          const ready = (id: string, poll: number) =>
            poll % 3 === 0 || pattern[(poll + Number(id.slice(1))) % pattern.length];
          const first = new CounterReader(new FakeReaderContext(), batch, ready);
          const output = new CollectingOutput<string>();
          first.addSplits(splits);
          first.notifyNoMoreSplits();
          let ended = false;
          for (let i = 0; i < restoreAfter && !ended; i++) ended = first.pollNext(output) === "end-of-input";
          const snapshot = first.snapshotState(1);
          if (ended) assert.deepEqual(snapshot, []);
          const second = new CounterReader(new FakeReaderContext(), batch, ready);
          second.addSplits(snapshot);
          second.notifyNoMoreSplits();
          pollToEnd(second, output);
          const perSplit = new Map<string, string[]>();
          for (const r of output.records) {
            const list = perSplit.get(r.splitId!) ?? [];
            list.push(r.value);
            perSplit.set(r.splitId!, list);
          }
          for (const s of splits) assert.deepEqual(perSplit.get(s.splitId) ?? [], expectedOf([s]));
          assert.equal(output.records.length, expectedOf(splits).length);
          // Each split's output is released once, by whichever reader finished it.
          assert.deepEqual([...output.released].sort(), splits.map((s) => s.splitId).sort());
        },
      ),
    );
  });

  it("takes turns: with every split ready, consecutive polls read the splits round robin", () => {
    const reader = new CounterReader(new FakeReaderContext(), 2, () => true);
    reader.addSplits([
      { splitId: "a", next: 0, end: 4 },
      { splitId: "b", next: 0, end: 6 },
      { splitId: "c", next: 0, end: 2 },
    ]);
    const output = new CollectingOutput<string>();
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const before = output.records.length;
      assert.equal(reader.pollNext(output), "more-available");
      order.push(output.records[before].splitId!);
    }
    // c finishes in its first turn; the turn after a finished split goes to the split after it.
    assert.deepEqual(order, ["a", "b", "c", "a", "b", "b"]);
    assert.deepEqual(reader.finished, ["c", "a", "b"]);
    // Without notifyNoMoreSplits the input does not end: more splits may come.
    assert.equal(reader.pollNext(output), "nothing-available");
  });

  it("a waiting split does not hold back a ready one, and all waiting is nothing-available", () => {
    let bReady = false;
    const reader = new CounterReader(new FakeReaderContext(), 10, (id) => id === "a" || bReady);
    reader.addSplits([
      { splitId: "b", next: 0, end: 5 },
      { splitId: "a", next: 0, end: 15 },
    ]);
    reader.notifyNoMoreSplits();
    const output = new CollectingOutput<string>();
    assert.equal(reader.pollNext(output), "more-available");
    assert.equal(reader.pollNext(output), "more-available");
    assert.deepEqual(output.values, expectedOf([{ splitId: "a", next: 0, end: 15 }]));
    assert.equal(reader.pollNext(output), "nothing-available");
    assert.equal(reader.nothingReadyCalls, 1);
    bReady = true;
    assert.equal(reader.pollNext(output), "more-available");
    assert.equal(reader.pollNext(output), "end-of-input");
    assert.equal(output.records.length, 20);
  });

  it("pull: asks for a split at start and whenever it has finished all it had, until told no more come", async () => {
    const context = new FakeReaderContext();
    const reader = new CounterReader(context, 10, () => true, true);
    await reader.start();
    assert.equal(context.splitRequests, 1);
    const output = new CollectingOutput<string>();
    assert.equal(reader.pollNext(output), "nothing-available");
    reader.addSplits([{ splitId: "a", next: 0, end: 5 }]);
    assert.equal(reader.pollNext(output), "more-available");
    assert.equal(context.splitRequests, 2);
    reader.addSplits([{ splitId: "b", next: 0, end: 5 }]);
    reader.notifyNoMoreSplits();
    assert.equal(reader.pollNext(output), "more-available");
    assert.equal(context.splitRequests, 2);
    assert.equal(reader.pollNext(output), "end-of-input");
    // A push reader never asks.
    const pushContext = new FakeReaderContext();
    await new CounterReader(pushContext, 10, () => true).start();
    assert.equal(pushContext.splitRequests, 0);
  });

  it("signals availability on new splits and on the end of splits; close settles a waiter", async () => {
    const context = new FakeReaderContext();
    const reader = new CounterReader(context, 10, () => true);
    const output = new CollectingOutput<string>();
    assert.equal(reader.pollNext(output), "nothing-available");
    const available = reader.isAvailable();
    reader.addSplits([{ splitId: "a", next: 0, end: 1 }]);
    await available;
    assert.equal(context.signals, 1);
    reader.notifyNoMoreSplits();
    assert.equal(context.signals, 2);
    assert.equal(reader.pollNext(output), "more-available");
    assert.equal(reader.pollNext(output), "end-of-input");

    const idle = new CounterReader(new FakeReaderContext(), 10, () => true);
    assert.equal(idle.pollNext(output), "nothing-available");
    const waiting = idle.isAvailable();
    await idle.close();
    await waiting;
  });
});

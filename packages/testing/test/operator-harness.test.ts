/**
 * The operator harnesses: each factory builds the operator the job would run, feeds it records and
 * watermarks as the runtime does (only advancing watermarks, the minimum over two inputs, the
 * final watermark before endInput), and shows its output, side outputs, watermarks, dead letters,
 * timers and keyed state. forNode tests the operator a DataStream handle built, with its job's options.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Job,
  JobDefinitionError,
  NO_TIMESTAMP,
  OutputTag,
  RecordProcessingError,
  StateDescriptors,
  type ValueState,
  WatermarkStrategy,
} from "@eddy/core";
import { OperatorHarness } from "@eddy/testing";

const INF = Number.POSITIVE_INFINITY;

describe("stateless operators", () => {
  it("map: emits with the record's timestamp, counts records, forwards only advancing watermarks", () => {
    const h = OperatorHarness.forMap((v: number) => v * 2);
    h.processElement(1, 10).processElement(2).processWatermark(5).processWatermark(3).processWatermark(5);
    h.processElement(3, 7).processWatermark(8);
    assert.deepEqual(h.output(), [
      { value: 2, timestamp: 10 },
      { value: 4, timestamp: NO_TIMESTAMP },
      { value: 6, timestamp: 7 },
    ]);
    assert.deepEqual(h.extractOutputValues(), [2, 4, 6]);
    assert.deepEqual(h.watermarks(), [5, 8]);
    assert.equal(h.currentWatermark(), 8);
    assert.equal(h.metrics.recordsIn, 3);
    assert.equal(h.metrics.recordsOut, 3);
    assert.deepEqual(
      h.events().map((e) => e.kind),
      ["record", "record", "watermark", "record", "watermark"],
    );
    h.clearOutput();
    assert.deepEqual(h.output(), []);
  });

  it("filter and flatMap", () => {
    const even = OperatorHarness.forFilter((v: number) => v % 2 === 0);
    even.processElements([1, 2, 3, 4].map((v) => ({ value: v, timestamp: v })));
    assert.deepEqual(even.output(), [
      { value: 2, timestamp: 2 },
      { value: 4, timestamp: 4 },
    ]);
    const words = OperatorHarness.forFlatMap((line: string, out: { collect(w: string): void }) => {
      for (const w of line.split(" ")) out.collect(w);
    });
    words.processElement("to be", 1).processElement("or", 2);
    assert.deepEqual(words.output(), [
      { value: "to", timestamp: 1 },
      { value: "be", timestamp: 1 },
      { value: "or", timestamp: 2 },
    ]);
  });

  it('errorHandling "fail" throws a RecordProcessingError from processElement', () => {
    const h = OperatorHarness.forMap(
      (v: number) => {
        if (v === 2) throw new Error("no twos");
        return v;
      },
      { uid: "picky", name: "picky map" },
    );
    h.processElement(1, 1);
    assert.throws(
      () => h.processElement(2, 2),
      (e: unknown) =>
        e instanceof RecordProcessingError &&
        e.operatorUid === "picky" &&
        /picky map.*no twos/.test(e.message),
    );
    assert.equal(h.metrics.recordsFailed, 1);
  });

  it('errorHandling "dead-letter" captures dead letters and goes on', () => {
    const h = OperatorHarness.forMap(
      (v: number) => {
        if (v === 2) throw new Error("no twos");
        return v;
      },
      { errorHandling: "dead-letter", uid: "picky" },
    );
    h.processElement(1, 1).processElement(2, 20).processElement(3);
    assert.deepEqual(h.extractOutputValues(), [1, 3]);
    assert.deepEqual(h.deadLetters(), [
      { operatorUid: "picky", operatorName: "map", error: "no twos", record: 2, timestamp: 20 },
    ]);
  });

  it("process: side outputs, the current watermark and the record's timestamp", () => {
    const LOW = new OutputTag<string>("low");
    const h = OperatorHarness.forProcess<number, string>({
      processElement(v, ctx, out) {
        if (v < 10) ctx.output(LOW, `low ${v} at ${ctx.timestamp()}`);
        else out.collect(`${v} at wm ${ctx.currentWatermark()}`);
      },
    });
    h.processElement(5, 1).processWatermark(3).processElement(50, 4);
    assert.deepEqual(h.extractOutputValues(), ["50 at wm 3"]);
    assert.deepEqual(h.sideOutput(LOW), [{ value: "low 5 at 1", timestamp: 1 }]);
    assert.deepEqual(h.sideOutputValues(new OutputTag<string>("other")), []);
  });

  it("a non-keyed function asking for keyed state fails when opened", () => {
    const h = OperatorHarness.forProcess<number, number>({
      open(ctx) {
        (ctx as any).getState(StateDescriptors.value("x"));
      },
      processElement() {},
    });
    assert.throws(() => h.open(), JobDefinitionError);
  });

  it("timestamps: assigns timestamps and emits the strategy's watermarks; only the final upstream watermark passes", () => {
    const h = OperatorHarness.forTimestamps(
      WatermarkStrategy.forBoundedOutOfOrderness<{ t: number }>(2).withTimestamp((e) => e.t),
    );
    h.processElement({ t: 10 }).processElement({ t: 7 }).processWatermark(100).processElement({ t: 12 });
    assert.deepEqual(
      h.output().map((r) => r.timestamp),
      [10, 7, 12],
    );
    assert.deepEqual(h.watermarks(), [7, 9]);
    h.endInput();
    assert.deepEqual(h.watermarks(), [7, 9, INF]);
  });
});

describe("keyed operators", () => {
  function counter() {
    return OperatorHarness.forKeyedProcess((e: { user: string }) => e.user, {
      open(ctx) {
        (this as any).count = ctx.getState(StateDescriptors.value<number>("count", { defaultValue: 0 }));
      },
      processElement(_e, ctx, out) {
        const count = (this as any).count as ValueState<number>;
        count.update(count.value()! + 1);
        ctx.timerService().registerEventTimeTimer(100);
        out.collect(`${ctx.currentKey()}:${count.value()}`);
      },
      onTimer(t, ctx, out) {
        out.collect(
          `${ctx.currentKey()} total ${((this as any).count as ValueState<number>).value()} at ${t}`,
        );
      },
    });
  }

  it("keeps state per key; timers, state size, keys and a key's state are visible", () => {
    const h = counter();
    h.processElement({ user: "ann" }, 1)
      .processElement({ user: "bob" }, 2)
      .processElement({ user: "ann" }, 3);
    assert.deepEqual(h.extractOutputValues(), ["ann:1", "bob:1", "ann:2"]);
    assert.equal(h.numEventTimeTimers(), 2);
    assert.equal(h.numProcessingTimeTimers(), 0);
    assert.equal(h.stateSize("count"), 2);
    assert.deepEqual(h.stateKeys("count").sort(), ["ann", "bob"]);
    assert.equal(
      h.withKey("ann", (s) => s.getState(StateDescriptors.value<number>("count")).value()),
      2,
    );
    // withKey leaves the operator's current key alone.
    h.processElement({ user: "bob" }, 4);
    assert.equal(
      h.withKey("bob", (s) => s.getState(StateDescriptors.value<number>("count")).value()),
      2,
    );
    assert.throws(() => h.stateSize("nope"), /no keyed state 'nope'.*'count'/);
  });

  it("endInput delivers the final watermark, which fires every timer, before endInput; the watermark follows the timers' output", () => {
    const h = counter();
    h.processElement({ user: "ann" }, 1).processElement({ user: "bob" }, 2);
    h.clearOutput();
    h.endInput();
    assert.deepEqual(
      h
        .events()
        .map((e) => (e.kind === "watermark" ? `wm ${e.watermark}` : String(e.kind === "record" && e.value))),
      ["ann total 1 at 100", "bob total 1 at 100", `wm ${INF}`],
    );
    assert.equal(h.numEventTimeTimers(), 0);
    assert.throws(() => h.processElement({ user: "x" }, 5), /input has ended/);
    h.close();
  });

  it("the rolling reduce keeps its value in state 'reduce'", () => {
    const h = OperatorHarness.forReduce(
      (v: { k: string; n: number }) => v.k,
      (a, b) => ({ k: a.k, n: a.n + b.n }),
    );
    h.processElement({ k: "x", n: 1 }, 1)
      .processElement({ k: "y", n: 5 }, 2)
      .processElement({ k: "x", n: 2 }, 3);
    assert.deepEqual(
      h.extractOutputValues().map((v) => `${v.k}=${v.n}`),
      ["x=1", "y=5", "x=3"],
    );
    assert.equal(h.stateSize("reduce"), 2);
  });

  it("a subtask's harness owns only its key groups", () => {
    const h = OperatorHarness.forReduce(
      (v: number) => v,
      (a, b) => a + b,
      { parallelism: 128, subtaskIndex: 0 },
    );
    assert.throws(() => {
      for (let k = 0; k < 50; k++) h.processElement(k, 0);
    }, /outside its range 0\.\.0/);
  });
});

describe("two-input operators", () => {
  it("the operator sees the minimum of its two inputs' watermarks", () => {
    const h = OperatorHarness.forCoProcess<number, string, string>({
      processElement1: (v, ctx, out) => out.collect(`1:${v}@${ctx.currentWatermark()}`),
      processElement2: (v, ctx, out) => out.collect(`2:${v}@${ctx.currentWatermark()}`),
    });
    h.processWatermark1(10);
    assert.deepEqual(h.watermarks(), []);
    h.processWatermark2(4).processElement1(1, 11).processWatermark2(20).processElement2("a", 12);
    assert.deepEqual(h.watermarks(), [4, 10]);
    assert.deepEqual(h.extractOutputValues(), ["1:1@4", "2:a@10"]);
    h.processWatermark(30);
    assert.deepEqual(h.watermarks(), [4, 10, 30]);
  });

  it("a keyed co-process function shares state per key between its inputs", () => {
    const h = OperatorHarness.forKeyedCoProcess(
      (order: { id: string; item: string }) => order.id,
      (payment: { orderId: string; paid: number }) => payment.orderId,
      {
        open(ctx) {
          (this as any).order = ctx.getState(StateDescriptors.value<string>("order"));
        },
        processElement1(order, _ctx, _out) {
          (this as any).order.update(order.item);
        },
        processElement2(payment, ctx, out) {
          out.collect(`${ctx.currentKey()}: ${(this as any).order.value()} paid ${payment.paid}`);
        },
      },
    );
    h.processElement1({ id: "o1", item: "book" }, 1)
      .processElement1({ id: "o2", item: "pen" }, 2)
      .processElement2({ orderId: "o2", paid: 3 }, 3)
      .processElement2({ orderId: "o1", paid: 12 }, 4);
    assert.deepEqual(h.extractOutputValues(), ["o2: pen paid 3", "o1: book paid 12"]);
    assert.deepEqual(h.stateKeys("order").sort(), ["o1", "o2"]);
  });
});

describe("forNode", () => {
  it("tests the operator a DataStream handle built, with its job's error handling", () => {
    const job = Job.create({ name: "orders", errorHandling: "dead-letter" });
    const totals = job
      .fromElements({ user: "a", amount: 1 })
      .keyBy((o) => o.user)
      .process<string>({
        open(ctx) {
          (this as any).sum = ctx.getState(StateDescriptors.value<number>("sum", { defaultValue: 0 }));
        },
        processElement(o, ctx, out) {
          if (o.amount < 0) throw new Error("negative amount");
          (this as any).sum.update((this as any).sum.value() + o.amount);
          out.collect(`${ctx.currentKey()}=${(this as any).sum.value()}`);
        },
      })
      .uid("totals");
    const h = OperatorHarness.forNode<{ user: string; amount: number }, string>(totals);
    h.processElement({ user: "a", amount: 2 }, 1)
      .processElement({ user: "a", amount: -1 }, 2)
      .processElement({ user: "b", amount: 5 }, 3)
      .processElement({ user: "a", amount: 3 }, 4);
    assert.deepEqual(h.extractOutputValues(), ["a=2", "b=5", "a=5"]);
    assert.deepEqual(
      h.deadLetters().map((l) => [l.operatorUid, l.error]),
      [["totals", "negative amount"]],
    );
    // The options the test gives win over the job's.
    const strict = OperatorHarness.forNode<{ user: string; amount: number }, string>(totals, {
      errorHandling: "fail",
    });
    assert.throws(() => strict.processElement({ user: "a", amount: -1 }, 1), RecordProcessingError);
  });

  it("two-input nodes, and helpful errors for streams that are not one operator", () => {
    const job = Job.create({ name: "connect" });
    const a = job.fromElements(1, 2);
    const b = job.fromElements("x");
    const joined = a.connect(b).process<string>({
      processElement1: (v, _ctx, out) => out.collect(`n${v}`),
      processElement2: (v, _ctx, out) => out.collect(v),
    });
    const h = OperatorHarness.forTwoInputNode<number, string, string>(joined);
    h.processElement2("y", 1).processElement1(3, 2);
    assert.deepEqual(h.extractOutputValues(), ["y", "n3"]);
    assert.throws(() => OperatorHarness.forNode(joined), /has two inputs; use forTwoInputNode/);
    assert.throws(() => OperatorHarness.forNode(a.keyBy((v) => v)), /not produced by one operator/);
    assert.throws(() => OperatorHarness.forNode(a), /SourceOperatorHarness/);
  });
});

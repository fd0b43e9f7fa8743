/**
 * Processing time under the harness's ManualClock: processing-time timers fire when the test moves
 * the clock past them (deduplicated, deletable, in time order, with their key current), timers
 * they register for a time already reached fire in the same advance, and state TTL, which is
 * measured in processing time, expires as the clock moves.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock, StateDescriptors, type ValueState } from "@eddy/core";
import { OperatorHarness } from "@eddy/testing";

type Command = { key: string; register?: number; delete?: number };

function processingTimers(options: { startTime?: number } = {}) {
  return OperatorHarness.forKeyedProcess(
    (c: Command) => c.key,
    {
      processElement(c, ctx) {
        if (c.register !== undefined) ctx.timerService().registerProcessingTimeTimer(c.register);
        if (c.delete !== undefined) ctx.timerService().deleteProcessingTimeTimer(c.delete);
      },
      onTimer(t, ctx, out) {
        out.collect(`${ctx.currentKey()}@${t} (${ctx.timeDomain()}, now ${ctx.currentProcessingTime()})`);
      },
    },
    options,
  );
}

describe("processing-time timers", () => {
  it("fire when the clock reaches them, in time order, once per (key, time), with their key current", () => {
    const h = processingTimers({ startTime: 1000 });
    h.processElement({ key: "a", register: 1050 })
      .processElement({ key: "b", register: 1020 })
      .processElement({ key: "a", register: 1050 })
      .processElement({ key: "c", register: 1020 });
    assert.equal(h.numProcessingTimeTimers(), 3);
    h.advanceProcessingTime(19);
    assert.deepEqual(h.extractOutputValues(), []);
    h.advanceProcessingTime(1);
    assert.deepEqual(h.extractOutputValues(), [
      "b@1020 (processing-time, now 1020)",
      "c@1020 (processing-time, now 1020)",
    ]);
    h.setProcessingTime(2000);
    assert.deepEqual(h.extractOutputValues().slice(2), ["a@1050 (processing-time, now 2000)"]);
    assert.equal(h.numProcessingTimeTimers(), 0);
    // Event time does not fire processing-time timers.
    h.processElement({ key: "d", register: 3000 }).processWatermark(5000);
    assert.equal(h.extractOutputValues().length, 3);
  });

  it("a deleted timer does not fire", () => {
    const h = processingTimers();
    h.processElement({ key: "a", register: 10 })
      .processElement({ key: "a", register: 20 })
      .processElement({ key: "b", register: 10 })
      .processElement({ key: "a", delete: 10 });
    h.setProcessingTime(100);
    assert.deepEqual(h.extractOutputValues(), [
      "b@10 (processing-time, now 100)",
      "a@20 (processing-time, now 100)",
    ]);
  });

  it("a timer registered in onTimer for a time already reached fires in the same advance; a later one waits", () => {
    const h = OperatorHarness.forKeyedProcess((k: string) => k, {
      processElement(_k, ctx) {
        ctx.timerService().registerProcessingTimeTimer(10);
      },
      onTimer(t, ctx, out) {
        out.collect(t);
        if (t === 10) {
          ctx.timerService().registerProcessingTimeTimer(5);
          ctx.timerService().registerProcessingTimeTimer(30);
        }
      },
    });
    h.processElement("k").setProcessingTime(20);
    assert.deepEqual(h.extractOutputValues(), [10, 5]);
    h.setProcessingTime(30);
    assert.deepEqual(h.extractOutputValues(), [10, 5, 30]);
  });

  it("the end of input fires event-time timers but not processing-time ones, and the clock no longer fires any", () => {
    const h = OperatorHarness.forKeyedProcess((k: string) => k, {
      processElement(_k, ctx) {
        ctx.timerService().registerProcessingTimeTimer(10);
        ctx.timerService().registerEventTimeTimer(10);
      },
      onTimer(t, ctx, out) {
        out.collect(`${ctx.timeDomain()}@${t}`);
      },
    });
    h.processElement("k", 0).endInput();
    h.setProcessingTime(100);
    assert.deepEqual(h.extractOutputValues(), ["event-time@10"]);
  });

  it("a shared clock is the one the operator reads", () => {
    const clock = new ManualClock(500);
    const h = OperatorHarness.forProcess<string, number>(
      { processElement: (_v, ctx, out) => out.collect(ctx.currentProcessingTime()) },
      { clock },
    );
    h.processElement("a");
    clock.advance(25);
    h.processElement("b");
    assert.deepEqual(h.extractOutputValues(), [500, 525]);
    assert.throws(() => h.setProcessingTime(100), /cannot go back/);
  });
});

describe("state TTL in a keyed function", () => {
  function lastSeen(updateType: "on-create-and-write" | "on-read-and-write") {
    return OperatorHarness.forKeyedProcess((e: { user: string; read?: boolean }) => e.user, {
      open(ctx) {
        (this as any).seen = ctx.getState(
          StateDescriptors.value<number>("seen", { ttl: { ttlMs: 100, updateType } }),
        );
      },
      processElement(e, ctx, out) {
        const seen = (this as any).seen as ValueState<number>;
        if (e.read) out.collect(`${e.user}: ${seen.value() ?? "expired"}`);
        else seen.update(ctx.currentProcessingTime());
      },
    });
  }

  it("expires state ttl ms after it was written", () => {
    const h = lastSeen("on-create-and-write");
    h.processElement({ user: "ann" }).advanceProcessingTime(60);
    h.processElement({ user: "bob" }).advanceProcessingTime(39);
    h.processElement({ user: "ann", read: true }).advanceProcessingTime(1);
    h.processElement({ user: "ann", read: true }).processElement({ user: "bob", read: true });
    assert.deepEqual(h.extractOutputValues(), ["ann: 0", "ann: expired", "bob: 60"]);
  });

  it("with on-read-and-write, reads keep the state alive", () => {
    const h = lastSeen("on-read-and-write");
    h.processElement({ user: "ann" });
    for (let i = 0; i < 5; i++) h.advanceProcessingTime(90).processElement({ user: "ann", read: true });
    h.advanceProcessingTime(100).processElement({ user: "ann", read: true });
    assert.deepEqual(h.extractOutputValues(), [...Array(5).fill("ann: 0"), "ann: expired"]);
  });
});

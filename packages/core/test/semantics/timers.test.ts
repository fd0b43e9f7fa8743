/**
 * Timers of keyed operators: one timer per (key, namespace, time) however often it is registered,
 * firing in time order with ties in registration order, deletable, with the timer's key current
 * while it fires; a timer registered while timers fire, for a time the watermark has passed,
 * fires in the same advance before the watermark moves on; one registered from a record for a
 * passed time fires with the next watermark. TimerQueue is checked against a sorted-array model.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  FromElementsSource,
  Job,
  type KeyedProcessFunction,
  runJob,
  StateDescriptors,
  type ValueState,
  WatermarkStrategy,
} from "../../src/index.ts";
import { TimerQueue } from "../../src/runtime/operators/timer-service.ts";

/** One step of a test script: a record for `key` that does `action`, or a watermark. */
type Step = { key: string; action: string; at?: number } | { watermark: number };

/**
 * Runs a keyed process function over a scripted input: each step is a record with timestamp
 * `at` (default 0) or a punctuated watermark, in this order, through one source subtask.
 */
async function runScript<OUT>(
  steps: Step[],
  fn: KeyedProcessFunction<string, { key: string; action: string }, OUT>,
  parallelism = 1,
): Promise<OUT[]> {
  const records = steps.map((s) => ({ value: s, timestamp: "watermark" in s ? s.watermark : (s.at ?? 0) }));
  const punctuated = WatermarkStrategy.forGenerator<Step>(() => ({
    onEvent: (event, _ts, output) => {
      if ("watermark" in event) output.emitWatermark(event.watermark);
    },
    onPeriodicEmit: () => {},
  }));
  const job = Job.create({ name: "timers", autoWatermarkIntervalMs: 0 });
  const out = job
    .fromSource(new FromElementsSource<Step>(records, { timestamped: true }), punctuated)
    .setParallelism(1)
    .filterType((s): s is { key: string; action: string } => !("watermark" in s))
    .setParallelism(1)
    .keyBy((s) => s.key)
    .process(fn)
    .collect();
  const result = await runJob(job, { parallelism });
  return result.collected(out);
}

/** A function that interprets "register N" / "delete N" actions and reports timers as key@time. */
function scripted(extra?: Partial<KeyedProcessFunction<string, { key: string; action: string }, string>>) {
  const fn: KeyedProcessFunction<string, { key: string; action: string }, string> = {
    processElement(value, ctx) {
      const [verb, arg] = value.action.split(" ");
      const t = Number(arg);
      if (verb === "register") ctx.timerService().registerEventTimeTimer(t);
      else if (verb === "delete") ctx.timerService().deleteEventTimeTimer(t);
    },
    onTimer(t, ctx, out) {
      out.collect(`${ctx.currentKey()}@${t}`);
    },
    ...extra,
  };
  return fn;
}

describe("timers in a job", () => {
  it("registering the same (key, time) twice fires it once; other keys have their own", async () => {
    const fired = await runScript(
      [
        { key: "a", action: "register 10" },
        { key: "a", action: "register 10" },
        { key: "b", action: "register 10" },
        { watermark: 10 },
      ],
      scripted(),
    );
    assert.deepEqual(fired, ["a@10", "b@10"]);
  });

  it("fires in time order, ties in registration order", async () => {
    const fired = await runScript(
      [
        { key: "a", action: "register 30" },
        { key: "b", action: "register 10" },
        { key: "c", action: "register 20" },
        { key: "d", action: "register 10" },
        { key: "a", action: "register 10" },
        { watermark: 100 },
      ],
      scripted(),
    );
    assert.deepEqual(fired, ["b@10", "d@10", "a@10", "c@20", "a@30"]);
  });

  it("fires only timers at or before the watermark, and the rest on later watermarks", async () => {
    const fired = await runScript(
      [
        { key: "a", action: "register 5" },
        { key: "a", action: "register 15" },
        { key: "b", action: "register 10" },
        { watermark: 9 },
        { key: "c", action: "register 12" },
        { watermark: 12 },
      ],
      scripted({
        onTimer(t, ctx, out) {
          out.collect(`${ctx.currentKey()}@${t}/wm${ctx.currentWatermark()}`);
        },
      }),
    );
    // 15 is left for the final watermark at the end of input.
    assert.deepEqual(fired, ["a@5/wm9", "b@10/wm12", "c@12/wm12", `a@15/wm${Number.POSITIVE_INFINITY}`]);
  });

  it("a deleted timer does not fire; deleting one that does not exist does nothing", async () => {
    const fired = await runScript(
      [
        { key: "a", action: "register 10" },
        { key: "a", action: "register 20" },
        { key: "b", action: "register 10" },
        { key: "a", action: "delete 10" },
        { key: "c", action: "delete 10" },
        { watermark: 100 },
      ],
      scripted(),
    );
    assert.deepEqual(fired, ["b@10", "a@20"]);
  });

  it("a timer registered in onTimer for an earlier, equal or passed time fires in the same advance, before the watermark moves on", async () => {
    const job = Job.create({ name: "timer-in-timer", autoWatermarkIntervalMs: 0 });
    const punctuated = WatermarkStrategy.forGenerator<number>(() => ({
      onEvent: (event, _ts, output) => output.emitWatermark(event),
      onPeriodicEmit: () => {},
    }));
    const seenDownstream: string[] = [];
    job
      .fromSource(
        new FromElementsSource<number>(
          [
            { value: 0, timestamp: 0 },
            { value: 20, timestamp: 20 },
          ],
          { timestamped: true },
        ),
        punctuated,
      )
      .setParallelism(1)
      .keyBy(() => "a")
      .process<string>({
        open(ctx) {
          (this as any).again = ctx.getState(StateDescriptors.value<boolean>("again"));
        },
        processElement(value, ctx) {
          if (value === 0) ctx.timerService().registerEventTimeTimer(10);
        },
        onTimer(t, ctx, out) {
          out.collect(`${t}@wm${ctx.currentWatermark()}`);
          const again = (this as any).again as ValueState<boolean>;
          if (t === 10 && !again.value()) {
            again.update(true);
            ctx.timerService().registerEventTimeTimer(5); // earlier than the one firing
            ctx.timerService().registerEventTimeTimer(10); // the same time again: a new timer
            ctx.timerService().registerEventTimeTimer(15); // later, but the watermark (20) passed it
            ctx.timerService().registerEventTimeTimer(25); // not yet due
          }
        },
      })
      .process<string>({
        processElement(value, ctx) {
          seenDownstream.push(`${value} seen at downstream wm ${ctx.currentWatermark()}`);
        },
      })
      .collect();
    await runJob(job);
    assert.deepEqual(seenDownstream, [
      "10@wm20 seen at downstream wm 0",
      "5@wm20 seen at downstream wm 0",
      "10@wm20 seen at downstream wm 0",
      "15@wm20 seen at downstream wm 0",
      `25@wm${Number.POSITIVE_INFINITY} seen at downstream wm 20`,
    ]);
  });

  it("a timer registered from a record for a time the watermark passed fires with the next watermark", async () => {
    const fired = await runScript(
      [{ watermark: 50 }, { key: "a", action: "register 40", at: 60 }, { watermark: 70 }],
      scripted({
        onTimer(t, ctx, out) {
          out.collect(`${ctx.currentKey()}@${t}/wm${ctx.currentWatermark()}`);
        },
      }),
    );
    assert.deepEqual(fired, ["a@40/wm70"]);
  });

  for (const parallelism of [1, 4]) {
    it(`the timer's key is current in onTimer, with that key's state (parallelism ${parallelism})`, async () => {
      const keys = Array.from({ length: 60 }, (_, i) => `key-${i}`);
      const steps: Step[] = keys.flatMap((key, i) => [
        { key, action: `register ${1000 - i}` },
        { key, action: `register ${2000 + (i % 7)}` },
      ]);
      const fired = await runScript<{ key: string; owner: string; t: number }>(
        steps,
        {
          open(ctx) {
            (this as any).owner = ctx.getState(StateDescriptors.value<string>("owner"));
          },
          processElement(value, ctx) {
            (this as any).owner.update(value.key);
            ctx.timerService().registerEventTimeTimer(Number(value.action.split(" ")[1]));
          },
          onTimer(t, ctx, out) {
            out.collect({ key: ctx.currentKey(), owner: (this as any).owner.value() as string, t });
          },
        },
        parallelism,
      );
      assert.equal(fired.length, keys.length * 2);
      for (const f of fired) assert.equal(f.key, f.owner);
      assert.deepEqual(
        fired.map((f) => `${f.key}@${f.t}`).sort(),
        steps.map((s) => ("key" in s ? `${s.key}@${s.action.split(" ")[1]}` : "")).sort(),
      );
    });
  }
});

describe("TimerQueue", () => {
  it("adds a (key, namespace, time) once, keeps number and string keys apart, and removes lazily", () => {
    const q = new TimerQueue();
    assert.equal(q.add("a", 0, 0, 10), true);
    assert.equal(q.add("a", 0, 0, 10), false);
    assert.equal(q.add(1, 0, 0, 10), true);
    assert.equal(q.add("1", 0, 0, 10), true);
    assert.equal(q.add("a", 0, "w1", 10), true);
    assert.equal(q.size, 4);
    assert.equal(q.remove("a", 0, 10), true);
    assert.equal(q.remove("a", 0, 10), false);
    assert.equal(q.size, 3);
    assert.equal(q.peekTime(), 10);
    const polled = [q.pollUpTo(10), q.pollUpTo(10), q.pollUpTo(10), q.pollUpTo(10)];
    assert.deepEqual(
      polled.map((t) => t && `${typeof t.key}:${t.key}/${t.namespace}`),
      ["number:1/0", "string:1/0", "string:a/w1", undefined],
    );
    assert.equal(q.peekTime(), Number.POSITIVE_INFINITY);
    // A removed timer can be registered again.
    assert.equal(q.add("a", 0, 0, 10), true);
  });

  type Op =
    | { kind: "add"; key: number | string; ns: number; time: number }
    | { kind: "remove"; key: number | string; ns: number; time: number }
    | { kind: "poll"; limit: number };
  const keyArb = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom("0", "1", "x"));
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant("add" as const),
        key: keyArb,
        ns: fc.integer({ min: 0, max: 1 }),
        time: fc.integer({ min: 0, max: 20 }),
      }),
      weight: 5,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant("remove" as const),
        key: keyArb,
        ns: fc.integer({ min: 0, max: 1 }),
        time: fc.integer({ min: 0, max: 20 }),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({ kind: fc.constant("poll" as const), limit: fc.integer({ min: -1, max: 22 }) }),
      weight: 3,
    },
  );

  it("behaves like a sorted array of live timers ordered by (time, registration)", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        const q = new TimerQueue();
        const model: { key: number | string; ns: number; time: number; seq: number }[] = [];
        let seq = 0;
        const find = (key: number | string, ns: number, time: number) =>
          model.findIndex((t) => t.key === key && t.ns === ns && t.time === time);
        for (const op of ops) {
          if (op.kind === "add") {
            const exists = find(op.key, op.ns, op.time) >= 0;
            assert.equal(q.add(op.key, 0, op.ns, op.time), !exists);
            if (!exists) model.push({ key: op.key, ns: op.ns, time: op.time, seq: seq++ });
          } else if (op.kind === "remove") {
            const i = find(op.key, op.ns, op.time);
            assert.equal(q.remove(op.key, op.ns, op.time), i >= 0);
            if (i >= 0) model.splice(i, 1);
          } else {
            model.sort((a, b) => a.time - b.time || a.seq - b.seq);
            const expected = model.length > 0 && model[0].time <= op.limit ? model.shift() : undefined;
            const got = q.pollUpTo(op.limit);
            assert.deepEqual(
              got && { key: got.key, ns: got.namespace, time: got.time },
              expected && { key: expected.key, ns: expected.ns, time: expected.time },
            );
          }
          assert.equal(q.size, model.length);
          assert.equal(
            q.peekTime(),
            model.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...model.map((t) => t.time)),
          );
        }
      }),
      { numRuns: 500 },
    );
  });
});

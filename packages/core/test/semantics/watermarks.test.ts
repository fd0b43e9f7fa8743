/**
 * Event time across the runtime: the watermark an operator sees is the minimum over its inputs
 * (channels and source splits), idle inputs hold nothing back, the end of bounded input is the
 * final watermark +Infinity (which fires every pending timer before endInput), and the combined
 * watermark never goes back. The multiplexer that does the combining is checked against a
 * brute-force model on random sequences of updates, idleness changes and removals.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  FileSource,
  FromElementsSource,
  Job,
  type KeyedProcessFunction,
  ReaderAvailability,
  runJob,
  type Sink,
  type Source,
  type SourceReader,
  type SourceSplit,
  StaticSplitEnumerator,
  type TimestampedElement,
  WatermarkStrategy,
} from "../../src/index.ts";
import { type CombinedWatermarkSink, WatermarkMultiplexer } from "../../src/time/watermark-multiplexer.ts";

interface Tagged {
  src: "a" | "b";
  ts: number;
}

function ascending(src: "a" | "b", count: number, step: number): TimestampedElement<Tagged>[] {
  return Array.from({ length: count }, (_, i) => ({ value: { src, ts: i * step }, timestamp: i * step }));
}

/** A source of timestamped records that emits `perPoll` of them per poll, with ascending watermarks. */
function source(job: Job, records: TimestampedElement<Tagged>[], perPoll: number, name: string) {
  return job
    .fromSource(
      new FromElementsSource<Tagged>(records, { timestamped: true, batchSize: perPoll }),
      WatermarkStrategy.forMonotonousTimestamps<Tagged>(),
      name,
    )
    .setParallelism(1);
}

describe("watermarks: the minimum over inputs", () => {
  it("a keyed operator behind two unioned sources never sees a record as late, and a timer for t fires only after both inputs passed t", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          countA: fc.integer({ min: 1, max: 200 }),
          countB: fc.integer({ min: 1, max: 200 }),
          stepA: fc.integer({ min: 1, max: 20 }),
          stepB: fc.integer({ min: 1, max: 20 }),
          perPollA: fc.integer({ min: 1, max: 50 }),
          perPollB: fc.integer({ min: 1, max: 50 }),
          batchSize: fc.integer({ min: 1, max: 16 }),
          parallelism: fc.constantFrom(1, 2),
        }),
        async (p) => {
          const a = ascending("a", p.countA, p.stepA);
          const b = ascending("b", p.countB, p.stepB);
          const all = [...a, ...b].map((r) => r.timestamp);
          const violations: string[] = [];
          const seen: number[] = [];
          const fired: number[] = [];
          const job = Job.create({
            name: "min-watermark",
            autoWatermarkIntervalMs: 0,
            batchSize: p.batchSize,
          });
          const fn: KeyedProcessFunction<number, Tagged, number> = {
            processElement(value, ctx) {
              if (!(ctx.currentWatermark() < value.ts))
                violations.push(
                  `record ${value.src}@${value.ts} arrived at watermark ${ctx.currentWatermark()}`,
                );
              seen.push(value.ts);
              ctx.timerService().registerEventTimeTimer(value.ts);
            },
            onTimer(t) {
              fired.push(t);
              // Every record with a timestamp <= t, from both inputs, must be in before the timer fires.
              const expected = all.filter((ts) => ts <= t).length;
              const got = seen.filter((ts) => ts <= t).length;
              if (got !== expected && fired.length < 5)
                violations.push(`timer ${t} fired with ${got}/${expected} records in`);
            },
          };
          const out = source(job, a, p.perPollA, "a")
            .union(source(job, b, p.perPollB, "b"))
            .keyBy((v) => v.ts % 3)
            .process(fn)
            .collect();
          await runJob(job, { parallelism: p.parallelism, onDeadLetter: () => {} });
          void out;
          assert.deepEqual(violations, []);
          assert.equal(seen.length, p.countA + p.countB);
          // One timer per (key, timestamp): every distinct timestamp fired exactly once.
          assert.deepEqual(
            fired.slice().sort((x, y) => x - y),
            [...new Set(all)].sort((x, y) => x - y),
          );
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe("watermarks: end of input", () => {
  it("the final watermark (+Infinity) fires every pending event-time timer, before endInput reaches the sink", async () => {
    const log: string[] = [];
    const recordingSink: Sink<string> = {
      guarantee: "none",
      createWriter: () => ({
        write: (value) => log.push(`write ${value}`),
        flush: (endOfInput) => {
          if (endOfInput) log.push("end of input");
        },
        close: () => {},
      }),
    };
    const job = Job.create({ name: "final-watermark" });
    const watermarksInTimers: number[] = [];
    job
      .fromTimestampedElements([
        { value: "x", timestamp: 1 },
        { value: "y", timestamp: 2 },
        { value: "x", timestamp: 3 },
      ])
      .keyBy((v) => v)
      .process<string>({
        processElement(_value, ctx) {
          // Far in the future: only the final watermark reaches these.
          ctx.timerService().registerEventTimeTimer(1e12 + ctx.timestamp());
        },
        onTimer(t, ctx, out) {
          watermarksInTimers.push(ctx.currentWatermark());
          out.collect(`${ctx.currentKey()}@${t - 1e12}`);
        },
      })
      .sinkTo(recordingSink);
    await runJob(job);
    assert.deepEqual(watermarksInTimers, [
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
    // Timers fire in time order: x@1, y@2, x@3; then the end of input.
    assert.deepEqual(log, ["write x@1", "write y@2", "write x@3", "end of input"]);
  });

  it("a source whose reader reads several splits one after another does not end event time between them", async () => {
    // Two files read by one reader, one after the other: when the first file is done, its split
    // must stop holding the watermark back without pushing it to +Infinity, or every record of
    // the second file would be late and its timers would never fire.
    const dir = mkdtempSync(join(tmpdir(), "eddy-wm-"));
    try {
      const first = join(dir, "1.ndjson");
      const second = join(dir, "2.ndjson");
      writeFileSync(first, [1, 2, 3].map((t) => JSON.stringify({ t })).join("\n"));
      writeFileSync(second, [10, 11, 12].map((t) => JSON.stringify({ t })).join("\n"));
      const job = Job.create({ name: "two-files", autoWatermarkIntervalMs: 0 });
      const late: number[] = [];
      const out = job
        .fromSource(
          FileSource.ndjson<{ t: number }>([first, second]),
          WatermarkStrategy.forMonotonousTimestamps<{ t: number }>().withTimestamp((e) => e.t),
        )
        .setParallelism(1)
        .keyBy(() => "all")
        .process<number>({
          processElement(value, ctx) {
            if (value.t <= ctx.currentWatermark()) late.push(value.t);
            ctx.timerService().registerEventTimeTimer(value.t);
          },
          onTimer(t, _ctx, out) {
            out.collect(t);
          },
        })
        .collect();
      const result = await runJob(job);
      assert.deepEqual(late, [], "records of the second file arrived behind the watermark");
      assert.deepEqual(result.collected(out), [1, 2, 3, 10, 11, 12]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A one-split source that emits `emit(n)` records per poll (n counts polls) until `stopAfter` polls, then waits forever. */
function scriptedSource<T>(emit: (poll: number) => TimestampedElement<T>[], stopAfter: number): Source<T> {
  return {
    boundedness: "unbounded",
    createEnumerator: (context) => new StaticSplitEnumerator(context, [{ splitId: "only" }]),
    createReader(context): SourceReader<T, SourceSplit> {
      const availability = new ReaderAvailability(context);
      let split: SourceSplit | undefined;
      let polls = 0;
      return {
        start() {},
        addSplits(splits) {
          split = splits[0];
          availability.signal();
        },
        notifyNoMoreSplits() {},
        pollNext(output) {
          availability.reset();
          if (split === undefined || polls >= stopAfter) return "nothing-available";
          const out = output.createOutputForSplit(split.splitId);
          for (const r of emit(polls++)) out.collect(r.value, r.timestamp);
          return polls >= stopAfter ? "nothing-available" : "more-available";
        },
        isAvailable: () => availability.whenAvailable(),
        snapshotState: () => (split === undefined ? [] : [split]),
        close: () => availability.close(),
      };
    },
  };
}

describe("watermarks: idleness", () => {
  async function timerFiresWithQuietInput(
    idleTimeoutMs: number | undefined,
    waitMs: number,
  ): Promise<boolean> {
    const job = Job.create({ name: "idleness", autoWatermarkIntervalMs: 5 });
    const busy = scriptedSource<number>(
      (poll) => Array.from({ length: 10 }, (_, i) => ({ value: poll * 10 + i, timestamp: poll * 10 + i })),
      Number.POSITIVE_INFINITY,
    );
    const quiet = scriptedSource<number>(() => [{ value: -1, timestamp: 0 }], 1);
    const strategy = (idle: boolean) => {
      const s = WatermarkStrategy.forMonotonousTimestamps<number>();
      return idle && idleTimeoutMs !== undefined ? s.withIdleness(idleTimeoutMs) : s;
    };
    const stop = new AbortController();
    let fired = false;
    job
      .fromSource(busy, strategy(false), "busy")
      .setParallelism(1)
      .union(job.fromSource(quiet, strategy(true), "quiet").setParallelism(1))
      .keyBy(() => "k")
      .process<number>({
        processElement(_value, ctx) {
          ctx.timerService().registerEventTimeTimer(1000);
        },
        onTimer() {
          fired = true;
          stop.abort();
        },
      })
      .collect();
    const guard = setTimeout(() => stop.abort(), waitMs);
    try {
      const result = await runJob(job, { signal: stop.signal });
      assert.equal(result.stopped, true);
    } finally {
      clearTimeout(guard);
    }
    return fired;
  }

  it("an input that went quiet and is marked idle does not hold back the watermark", async () => {
    assert.equal(await timerFiresWithQuietInput(30, 5000), true);
  });

  it("without idleness the quiet input holds the watermark back", async () => {
    assert.equal(await timerFiresWithQuietInput(undefined, 300), false);
  });
});

describe("WatermarkMultiplexer", () => {
  function recorder() {
    const events: (number | "idle" | "active")[] = [];
    const sink: CombinedWatermarkSink = {
      watermarkAdvanced: (wm) => events.push(wm),
      idleChanged: (idle) => events.push(idle ? "idle" : "active"),
    };
    return { events, sink };
  }

  it("emits the minimum over its inputs, only when it advances", () => {
    const { events, sink } = recorder();
    const m = new WatermarkMultiplexer(sink);
    const a = m.addInput();
    const b = m.addInput();
    m.update(a, 10);
    assert.deepEqual(events, [], "b has not reported: nothing passes");
    m.update(b, 5);
    m.update(b, 7);
    m.update(b, 20);
    m.update(a, 9); // a going back is ignored
    m.update(a, 15);
    assert.deepEqual(events, [5, 7, 10, 15]);
    assert.equal(m.currentWatermark, 15);
  });

  it("ignores idle inputs, reports when all are idle, and a watermark reactivates an input", () => {
    const { events, sink } = recorder();
    const m = new WatermarkMultiplexer(sink);
    const a = m.addInput();
    const b = m.addInput();
    m.update(a, 10);
    m.setIdle(b, true);
    assert.deepEqual(events, [10]);
    m.setIdle(a, true);
    assert.deepEqual(events, [10, "idle"]);
    m.update(b, 3); // b is active again, but behind: the watermark does not go back
    assert.deepEqual(events, [10, "idle", "active"]);
    assert.equal(m.currentWatermark, 10);
    m.update(b, 12);
    assert.deepEqual(events, [10, "idle", "active", 12]);
  });

  it("a removed input counts as +Infinity; removing every input ends event time", () => {
    const { events, sink } = recorder();
    const m = new WatermarkMultiplexer(sink);
    const a = m.addInput();
    const b = m.addInput();
    m.update(a, 4);
    m.remove(b);
    assert.deepEqual(events, [4]);
    assert.equal(m.liveInputs, 1);
    m.remove(a);
    assert.deepEqual(events, [4, Number.POSITIVE_INFINITY]);
  });

  it("a finished input never carries the watermark past an idle one (it is +Infinity only once all have finished)", () => {
    // Parallelism 2 over one file: the reader without a split ends at once (final watermark, then
    // end); the reader with the split goes idle while its file opens. The watermark must hold.
    const { events, sink } = recorder();
    const m = new WatermarkMultiplexer(sink);
    const withSplit = m.addInput();
    const withoutSplit = m.addInput();
    m.update(withoutSplit, Number.POSITIVE_INFINITY);
    m.setIdle(withSplit, true);
    assert.deepEqual(events, ["idle"]);
    m.remove(withoutSplit);
    m.update(withSplit, 100);
    assert.deepEqual(events, ["idle", "active", 100]);
    m.update(withSplit, Number.POSITIVE_INFINITY);
    assert.deepEqual(events, ["idle", "active", 100, Number.POSITIVE_INFINITY]);
  });

  it("a new input holds the watermark back but never makes it go back", () => {
    const { events, sink } = recorder();
    const m = new WatermarkMultiplexer(sink);
    m.update(m.addInput(), 8);
    const late = m.addInput();
    m.update(0, 20);
    assert.equal(m.currentWatermark, 8);
    m.update(late, 30);
    assert.deepEqual(events, [8, 20]);
  });

  type Op =
    | { kind: "add" }
    | { kind: "update"; input: number; watermark: number }
    | { kind: "idle"; input: number; idle: boolean }
    | { kind: "remove"; input: number };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { arbitrary: fc.constant<Op>({ kind: "add" }), weight: 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant("update" as const),
        input: fc.nat(5),
        watermark: fc.oneof(
          { arbitrary: fc.integer({ min: -5, max: 60 }), weight: 9 },
          { arbitrary: fc.constant(Number.POSITIVE_INFINITY), weight: 1 },
        ),
      }),
      weight: 6,
    },
    {
      arbitrary: fc.record({ kind: fc.constant("idle" as const), input: fc.nat(5), idle: fc.boolean() }),
      weight: 3,
    },
    { arbitrary: fc.record({ kind: fc.constant("remove" as const), input: fc.nat(5) }), weight: 1 },
  );

  it("matches a brute-force model: output = running max of the minimum over active inputs, strictly increasing", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(opArb, { maxLength: 80 }), (initial, ops) => {
        const { events, sink } = recorder();
        const m = new WatermarkMultiplexer(sink);
        // The model: each input's highest watermark, its idleness, and whether it was removed.
        const model: { wm: number; idle: boolean; removed: boolean }[] = [];
        const add = () => {
          m.addInput();
          model.push({ wm: Number.NEGATIVE_INFINITY, idle: false, removed: false });
        };
        for (let i = 0; i < initial; i++) add();
        let expected = Number.NEGATIVE_INFINITY;
        let expectIdle = false;
        const emitted: number[] = [];
        for (const op of ops) {
          const before = events.length;
          if (op.kind === "add") add();
          else {
            const input = op.input % model.length;
            const state = model[input];
            if (state.removed) continue; // the runtime never touches a channel after its end
            if (op.kind === "update") {
              m.update(input, op.watermark);
              state.wm = Math.max(state.wm, op.watermark);
              state.idle = false;
            } else if (op.kind === "idle") {
              m.setIdle(input, op.idle);
              state.idle = op.idle;
            } else {
              m.remove(input);
              state.removed = true;
              state.wm = Number.POSITIVE_INFINITY;
              state.idle = false;
            }
          }
          // Finished inputs (removed, or at the final watermark) hold nothing back but never
          // carry the watermark past an idle input: only when all have finished is it +Infinity.
          const live = model.filter((s) => !s.removed && s.wm !== Number.POSITIVE_INFINITY);
          const active = live.filter((s) => !s.idle);
          const combined =
            active.length > 0
              ? Math.min(...active.map((s) => s.wm))
              : live.length === 0
                ? Number.POSITIVE_INFINITY
                : undefined;
          if (combined !== undefined) expected = Math.max(expected, combined);
          assert.equal(m.currentWatermark, expected);
          for (const e of events.slice(before)) {
            if (typeof e === "number") {
              // Each emitted watermark is the minimum over the active inputs at that moment.
              assert.equal(e, combined);
              emitted.push(e);
            } else {
              assert.equal(e === "idle", !expectIdle, "idleness events alternate");
              expectIdle = e === "idle";
            }
          }
          assert.equal(
            expectIdle,
            active.length === 0 && live.length > 0,
            "idle exactly when every input that has not finished is idle",
          );
        }
        for (let i = 1; i < emitted.length; i++)
          assert.ok(emitted[i] > emitted[i - 1], "strictly increasing");
      }),
      { numRuns: 500 },
    );
  });
});

// Event-time results do not depend on parallelism or on a rescale through savepoints: random
// keyed event-time jobs (records out of order within a bound, keyed process functions with
// event-time timers, tumbling windows) over ONE file (one split, so at parallelism > 1 some source
// subtasks have no split) give the same multiset of output at parallelism 1, 2 and 3, and when
// stopped with a savepoint at parallelism 1, resumed at 2, stopped again and finished at 3.
// The oracle is the run at parallelism 1.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import {
  type CollectHandle,
  ExactlyOnceFileSink,
  FileSource,
  Job,
  JobControl,
  type KeyedProcessFunction,
  runJob,
  StateDescriptors,
  TumblingEventTimeWindows,
  type ValueState,
  WatermarkStrategy,
} from "../../src/index.ts";

interface Rec {
  k: number;
  ts: number;
  v: number;
}

interface Case {
  records: Rec[];
  bound: number;
  bucket: number;
  kind: "timers" | "flag" | "window";
  batchSize: number;
  /** Idleness timeout of the watermark strategy (ms of processing time); 0 = none. */
  idleMs: number;
}

const recordsArb = (lateAllowed: boolean) =>
  fc
    .record({
      n: fc.integer({ min: 1, max: 400 }),
      keys: fc.integer({ min: 1, max: 12 }),
      step: fc.integer({ min: 1, max: 50 }),
      bound: fc.integer({ min: 0, max: 400 }),
      bucket: fc.integer({ min: 20, max: 2_000 }),
      kind: fc.constantFrom<Case["kind"]>("timers", "flag", "window"),
      batchSize: fc.constantFrom(1, 7, 64, 1024),
      idleMs: fc.constantFrom(0, 0, 5, 40),
      seed: fc.integer(),
    })
    .map(({ n, keys, step, bound, bucket, kind, batchSize, idleMs, seed }): Case => {
      let s = seed >>> 0 || 1;
      const next = () => {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        return (s >>> 0) / 4294967296;
      };
      // Out of order by at most `bound` behind the highest timestamp so far (none late), or, when
      // allowed, now and then by more (late records: their fate must not depend on parallelism).
      const records: Rec[] = [];
      for (let i = 0; i < n; i++) {
        const late = lateAllowed && next() < 0.05 ? 3 * bound + 100 : 0;
        const ts = 1_714_521_598_695 + i * step - Math.floor(next() * (bound + 1)) - late;
        records.push({ k: Math.floor(next() * keys), ts, v: Math.floor(next() * 1000) });
      }
      return { records, bound, bucket, kind, batchSize, idleMs };
    });

// State handles live in fields set in open(): each subtask gets its own instance of the function
// (a closure variable would be shared by the subtasks that run in one thread).
type WithState<T> = KeyedProcessFunction<number, Rec, string> & { state: ValueState<T> };

/** Per key and bucket of event time: the count, reported by an event-time timer at the bucket's end. */
function bucketCounts(bucket: number): WithState<number> {
  return {
    state: undefined as unknown as ValueState<number>,
    open(ctx) {
      this.state = ctx.getState(StateDescriptors.value<number>("counts", { defaultValue: 0 }));
    },
    processElement(r, ctx) {
      // A timer in the past fires at the next watermark: the count covers everything up to it.
      const end = Math.floor(r.ts / bucket) * bucket + bucket - 1;
      this.state.update(this.state.value()! + 1);
      ctx.timerService().registerEventTimeTimer(end);
    },
    onTimer(time, ctx, out) {
      out.collect(`timer k=${ctx.currentKey()} t=${time} n=${this.state.value()}`);
      this.state.clear();
    },
  } as WithState<number>;
}

/** The fraud detector's shape: a flag set by a small value, cleared by a timer; a large value alerts. */
function flagThenAlert(bucket: number): WithState<number> {
  return {
    state: undefined as unknown as ValueState<number>,
    open(ctx) {
      this.state = ctx.getState(StateDescriptors.value<number>("flag"));
    },
    processElement(r, ctx, out) {
      const small = this.state.value();
      if (small !== undefined && r.v > 700) out.collect(`alert k=${r.k} small=${small} ts=${r.ts}`);
      if (r.v < 300) {
        this.state.update(r.v);
        ctx.timerService().registerEventTimeTimer(r.ts + bucket);
      }
    },
    onTimer() {
      this.state.clear();
    },
  } as WithState<number>;
}

function buildJob(c: Case, file: string, sink: { dir: string } | undefined, onRecord?: () => void) {
  const job = Job.create({
    name: "event-time-parallelism",
    maxParallelism: 16,
    autoWatermarkIntervalMs: 0,
    batchSize: c.batchSize,
    channelCapacity: 1,
  });
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Rec>(c.bound).withTimestamp((r) => r.ts);
  const input = job
    .fromSource(
      FileSource.ndjson<Rec>(file, { batchSize: c.batchSize }),
      c.idleMs > 0 ? strategy.withIdleness(c.idleMs) : strategy,
      "records",
    )
    .uid("records");
  const counted =
    onRecord === undefined
      ? input
      : input
          .map((r) => {
            onRecord();
            return r;
          })
          .uid("count");
  const keyed = counted.keyBy((r) => r.k);
  const out =
    c.kind === "window"
      ? keyed
          .window(TumblingEventTimeWindows.of(c.bucket))
          .aggregate<number, number, string>(
            {
              createAccumulator: () => 0,
              add: (_r, n) => n + 1,
              getResult: (n) => n,
              merge: (a, b) => a + b,
            },
            {
              process(ctx, n, out) {
                out.collect(`window k=${ctx.key} start=${ctx.window.start} n=${n[0]}`);
              },
            },
          )
          .uid("logic")
      : keyed
          .process<string>(c.kind === "timers" ? bucketCounts(c.bucket) : flagThenAlert(c.bucket))
          .uid("logic");
  if (sink !== undefined) {
    out.sinkTo(new ExactlyOnceFileSink<string>(sink.dir)).uid("out");
    return { job, handle: undefined };
  }
  return { job, handle: out.collect("collect") as CollectHandle<string> };
}

/**
 * Processing time that moves a few milliseconds at every reading: idleness timeouts and periodic
 * checks happen at many points of a run, deterministically and without waiting.
 */
function tickingClock(): { now(): number } {
  let time = 0;
  return { now: () => (time += 3) };
}

function writeInput(dir: string, c: Case): string {
  const file = join(dir, "input.ndjson");
  writeFileSync(file, c.records.map((r) => `${JSON.stringify(r)}\n`).join(""));
  return file;
}

async function collectAt(c: Case, file: string, parallelism: number): Promise<string[]> {
  const { job, handle } = buildJob(c, file, undefined);
  const result = await runJob(job, { parallelism, clock: tickingClock(), onWarning: () => {} });
  return result.collected(handle!).sort();
}

function committed(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith("part-"))
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n"))
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as string)
    .sort();
}

/**
 * Runs at each parallelism in turn from the previous run's savepoint; each but the last stops with
 * a savepoint once it has read `stopAfter[i]` records (an event, not a wall-clock wait).
 */
async function rescaleChain(
  c: Case,
  file: string,
  dir: string,
  steps: readonly number[],
  stopAfter: readonly number[],
) {
  const out = join(dir, "out");
  let savepoint: string | undefined;
  for (let i = 0; i < steps.length; i++) {
    const control = new JobControl();
    let seen = 0;
    let stopping: Promise<string> | undefined;
    const last = i === steps.length - 1;
    const { job } = buildJob(c, file, { dir: out }, () => {
      if (!last && ++seen === stopAfter[i]) stopping = control.stopWithSavepoint(join(dir, `savepoint-${i}`));
    });
    const result = await runJob(job, {
      parallelism: steps[i],
      clock: tickingClock(),
      control,
      onWarning: () => {},
      checkpointing: {
        dir: join(dir, "checkpoints"),
        intervalMs: 1e9,
        fromSavepoint: savepoint,
        restore: savepoint === undefined ? "none" : "latest",
      },
    });
    // The input may end before the stop is asked for, or before the savepoint completes.
    const taken = await stopping?.catch(() => undefined);
    if (!result.stopped) break;
    assert.ok(taken !== undefined);
    savepoint = taken;
  }
  return committed(out);
}

test("parallelism 1, 2 and 3 give the same event-time output over one file (200 random jobs)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-et-par-"));
  try {
    await fc.assert(
      fc.asyncProperty(recordsArb(true), async (c) => {
        const file = writeInput(dir, c);
        const expected = await collectAt(c, file, 1);
        for (const p of [2, 3]) assert.deepEqual(await collectAt(c, file, p), expected, `parallelism ${p}`);
      }),
      { numRuns: 200 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a savepoint rescale 1 -> 2 -> 3 gives the output of an uninterrupted run (200 random jobs)", async () => {
  const root = mkdtempSync(join(tmpdir(), "eddy-et-rescale-"));
  let run = 0;
  try {
    await fc.assert(
      fc.asyncProperty(recordsArb(false), fc.double({ min: 0, max: 1, noNaN: true }), async (c, at) => {
        const dir = join(root, String(run++));
        const file = writeInput(root, c);
        const expected = await collectAt(c, file, 1);
        const n = c.records.length;
        const first = Math.max(1, Math.floor(at * n));
        const second = Math.max(1, Math.floor(((1 - at) * n) / 2));
        const actual = await rescaleChain(c, file, dir, [1, 2, 3], [first, second]);
        assert.deepEqual(actual, expected);
        rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 200 },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

// Restart strategies: the pure decision, and a job whose sink fails twice with a retriable error,
// restarted from its latest checkpoint, commits exactly what a run without failures commits.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import {
  ExactlyOnceFileSink,
  Job,
  JobDefinitionError,
  ManualTimerService,
  type RunOptions,
  runJob,
  type Sink,
  type SinkContext,
  StateDescriptors,
  type ValueState,
} from "../../src/index.ts";
import { decideRestart } from "../../src/internal.ts";
import { runWithRestarts } from "../../src/runtime/job/restart-strategy.ts";

test("fixed delay restarts `attempts` times, then gives up", () => {
  const strategy = { kind: "fixed-delay", attempts: 3, delayMs: 10 } as const;
  assert.deepEqual(decideRestart(strategy, [1]), { restart: true, delayMs: 10 });
  assert.deepEqual(decideRestart(strategy, [1, 2, 3]), { restart: true, delayMs: 10 });
  assert.deepEqual(decideRestart(strategy, [1, 2, 3, 4]), { restart: false });
});

test("exponential backoff doubles the delay up to its maximum", () => {
  const strategy = { kind: "exponential-backoff", initialDelayMs: 100, maxDelayMs: 1000 } as const;
  const delays = [1, 2, 3, 4, 5, 6].map((n) => decideRestart(strategy, Array(n).fill(0)));
  assert.deepEqual(
    delays.map((d) => (d.restart ? d.delayMs : -1)),
    [100, 200, 400, 800, 1000, 1000],
  );
});

test("failure rate restarts while at most maxFailures fall within the interval (property)", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 30 }), (gaps) => {
      const times: number[] = [];
      let t = 0;
      for (const gap of gaps) times.push((t += gap));
      const strategy = { kind: "failure-rate", maxFailures: 3, intervalMs: 5000, delayMs: 1 } as const;
      const newest = times[times.length - 1];
      const recent = times.filter((x) => newest - x < 5000).length;
      assert.equal(decideRestart(strategy, times).restart, recent <= 3);
    }),
  );
});

test("errors a retry cannot cure fail at once, without restarts", async () => {
  let runs = 0;
  await assert.rejects(
    runWithRestarts(
      async () => {
        runs++;
        throw new JobDefinitionError("bad job");
      },
      { kind: "fixed-delay", attempts: 5, delayMs: 1 },
      () => {},
    ),
    JobDefinitionError,
  );
  assert.equal(runs, 1);
});

test("a restart waits exactly its backoff delay on the injected timers, and the failure times come from them", async () => {
  const timers = new ManualTimerService();
  const warnings: string[] = [];
  let runs = 0;
  const result = runWithRestarts(
    async () => {
      runs++;
      if (runs <= 3) throw new Error(`flaky ${runs}`);
      return "done";
    },
    { kind: "exponential-backoff", initialDelayMs: 100, maxDelayMs: 1000 },
    (w) => warnings.push(w),
    timers,
  );
  for (const delay of [100, 200, 400]) {
    await timers.whenScheduled();
    const failedRuns = runs;
    assert.equal(timers.nextDue, timers.now() + delay, `restart ${failedRuns} waits ${delay} ms`);
    timers.advance(delay - 1);
    await Promise.resolve();
    assert.equal(runs, failedRuns, "no restart before the delay is over");
    timers.advance(1);
  }
  assert.equal(await result, "done");
  assert.equal(runs, 4);
  assert.deepEqual(
    warnings.map((w) => /restarting in (\d+) ms/.exec(w)?.[1]),
    ["100", "200", "400"],
  );
});

test("failure-rate gives up when its failures fall within the interval on the injected clock", async () => {
  const timers = new ManualTimerService();
  let runs = 0;
  const result = runWithRestarts(
    async () => {
      runs++;
      throw new Error(`flaky ${runs}`);
    },
    { kind: "failure-rate", maxFailures: 2, intervalMs: 1000, delayMs: 10 },
    () => {},
    timers,
  );
  // Failures at 0, 10 and 20 ms: three within 1000 ms, one more than allowed.
  await timers.whenScheduled();
  timers.advance(10);
  await timers.whenScheduled();
  timers.advance(10);
  await assert.rejects(result, /failed 3 time\(s\) and its restart strategy \(failure-rate\) gives up/);
  assert.equal(runs, 3);
});

/**
 * Wraps a sink; while `failures` remain, a run's writer fails its flush (a retriable I/O-like
 * error) once a checkpoint of that run has completed (its commit came) and it wrote since, so
 * every restart has a checkpoint to resume from, however slowly the job runs.
 */
class FlakySink<T> implements Sink<T> {
  readonly guarantee = "exactly-once" as const;
  failures: number;
  commits = 0;
  constructor(
    private readonly inner: ExactlyOnceFileSink<T>,
    failures: number,
  ) {
    this.failures = failures;
  }
  createWriter(context: SinkContext) {
    const writer = this.inner.createWriter(context);
    const commitsBefore = this.commits;
    let written = 0;
    return {
      write: (value: T, ts: number) => {
        written++;
        writer.write(value, ts);
      },
      flush: (end: boolean) => {
        if (this.failures > 0 && this.commits > commitsBefore && written > 0) {
          this.failures--;
          return Promise.reject(new Error("disk went away"));
        }
        return writer.flush(end);
      },
      prepareCommit: (id: number) => writer.prepareCommit!(id),
      close: () => writer.close(),
    };
  }
  createCommitter() {
    const committer = this.inner.createCommitter();
    return {
      commit: async (committables: Parameters<typeof committer.commit>[0]) => {
        await committer.commit(committables);
        this.commits++;
      },
      abort: committer.abort?.bind(committer),
    };
  }
}

const RECORDS = 30_000;

/**
 * Counts records per key over an unbounded input: one line `index:key:count` per record. The
 * input never ends, so no run finishes before its sink failed, and the sink keeps flushing; the
 * test compares the lines of the first RECORDS indices, once they are all committed.
 */
function countingJob(sink: Sink<string>): Job {
  const job = Job.create({ name: "restarts", maxParallelism: 16 });
  job
    .fromGenerator({
      recordsPerSecond: 60_000,
      seed: 5,
      splits: 1,
      generate: (i, r) => ({ i, k: r.nextInt(7) }),
    })
    .uid("numbers")
    .keyBy((e) => e.k)
    .process<string>({
      count: undefined as unknown as ValueState<number>,
      open(ctx) {
        this.count = ctx.getState(StateDescriptors.value<number>("count", { defaultValue: 0 }));
      },
      processElement(e, _ctx, out) {
        const n = this.count.value()! + 1;
        this.count.update(n);
        out.collect(`${e.i}:${e.k}:${n}`);
      },
    } as import("../../src/index.ts").KeyedProcessFunction<number, { i: number; k: number }, string> & {
      count: ValueState<number>;
    })
    .uid("count")
    .sinkTo(sink)
    .uid("out");
  return job;
}

/** The committed lines (JSON strings) of the first RECORDS indices, sorted. */
function committed(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith("part-"))
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n"))
    .filter((l) => Number(/^"?(\d+):/.exec(l)?.[1] ?? Number.POSITIVE_INFINITY) < RECORDS)
    .sort();
}

/**
 * Runs the job until `out` holds all RECORDS committed lines and `done()` (both events, polled),
 * then stops it.
 */
async function runUntilCommitted(
  job: Job,
  out: string,
  options: Omit<RunOptions, "signal">,
  done: () => boolean = () => true,
) {
  const stop = new AbortController();
  const running = runJob(job, { ...options, signal: stop.signal });
  let ended = false;
  running.then(
    () => (ended = true),
    () => (ended = true),
  );
  while ((committed(out).length < RECORDS || !done()) && !ended)
    await new Promise((resolve) => setTimeout(resolve, 50));
  stop.abort();
  return running;
}

test("a job whose sink fails twice restarts from its checkpoint and commits exactly the failure-free output", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-restart-"));
  try {
    const reference = join(dir, "reference");
    await runUntilCommitted(countingJob(new ExactlyOnceFileSink<string>(reference)), reference, {
      checkpointing: { dir: join(dir, "reference-checkpoints"), intervalMs: 50 },
    });
    const warnings: string[] = [];
    const flaky = new FlakySink(new ExactlyOnceFileSink<string>(join(dir, "out")), 2);
    // A run may commit every line before its failure comes: wait for both failures too.
    const result = await runUntilCommitted(
      countingJob(flaky),
      join(dir, "out"),
      {
        checkpointing: { dir: join(dir, "checkpoints"), intervalMs: 50 },
        restartStrategy: { kind: "fixed-delay", attempts: 3, delayMs: 10 },
        onWarning: (w) => warnings.push(w),
      },
      () => flaky.failures === 0,
    );
    assert.equal(result.stopped, true);
    assert.equal(flaky.failures, 0);
    assert.equal(warnings.filter((w) => w.includes("restarting")).length, 2, warnings.join("\n"));
    assert.ok(
      result.restoredFrom !== undefined && result.restoredFrom > 0,
      "the last run resumed from a checkpoint",
    );
    assert.deepEqual(committed(join(dir, "out")), committed(reference));
    assert.equal(committed(reference).length, RECORDS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

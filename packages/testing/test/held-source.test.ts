// A held source stops part-way through a bounded input and stays there until the job is stopped:
// the job cannot finish first however fast the input would have been, a checkpoint taken while it
// holds completes (also on worker threads, where it held under backpressure: what waited for
// credit, its barrier included, is still sent), and a run restored from that savepoint without the
// hold reads on exactly.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GeneratorSource, Job, JobControl, type JobProgress, runJob, runJobModule } from "@eddy/core";
import { HeldSource } from "@eddy/testing";

const RECORDS = 20_000;

function numbersJob(hold: number | undefined): Job {
  const job = Job.create({ name: "held", maxParallelism: 8 });
  const generator = new GeneratorSource({ count: RECORDS, batchSize: 100, splits: 1, generate: (i) => i });
  job
    .fromSource(
      hold === undefined ? generator : new HeldSource(generator, { after: hold }),
      undefined,
      "numbers",
    )
    .uid("numbers")
    .collect()
    .withUid("out");
  return job;
}

/** Resolves once source `uid` has emitted `records` records (from the job's progress). */
function emitted(records: number, uid = "numbers") {
  let reached!: () => void;
  const promise = new Promise<void>((resolve) => {
    reached = resolve;
  });
  return {
    reached: promise,
    onProgress: (p: JobProgress) => {
      if ((p.operators.find((o) => o.uid === uid)?.recordsOut ?? 0) >= records) reached();
    },
  };
}

describe("HeldSource", () => {
  it("emits its share, then holds until the job is stopped; it never reaches the end of its input", async () => {
    const stop = new AbortController();
    const progress = emitted(1_000);
    const running = runJob(numbersJob(1_000), {
      signal: stop.signal,
      onProgress: progress.onProgress,
      progressIntervalMs: 5,
    });
    await Promise.race([progress.reached, running]);
    stop.abort();
    const result = await running;
    assert.equal(result.stopped, true, "stopped, not finished: the input held");
    const out = result.collected<number>("out");
    // It may overshoot by one of the wrapped reader's batches (100 here), never more.
    assert.ok(out.length >= 1_000 && out.length < 1_100, `${out.length} records`);
    assert.deepEqual(
      out,
      Array.from({ length: out.length }, (_, i) => i),
    );
  });

  it("holds through a savepoint; a run restored from it without the hold reads on exactly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "eddy-held-"));
    try {
      const control = new JobControl();
      const progress = emitted(5_000);
      const first = runJob(numbersJob(5_000), {
        control,
        checkpointing: { dir: join(dir, "checkpoints"), intervalMs: 20 },
        onProgress: progress.onProgress,
        progressIntervalMs: 5,
      });
      // Stopped at the hold, so the collect sink (not exactly-once) holds nothing after the savepoint.
      await Promise.race([progress.reached, first]);
      const savepoint = await control.stopWithSavepoint(join(dir, "savepoints"));
      const before = (await first).collected<number>("out");
      assert.ok(before.length >= 5_000 && before.length < RECORDS, `${before.length} records before`);

      const rest = await runJob(numbersJob(undefined), {
        checkpointing: { dir: join(dir, "resumed"), fromSavepoint: savepoint },
      });
      assert.equal(rest.stopped, false);
      assert.deepEqual(
        [...before, ...rest.collected<number>("out")],
        Array.from({ length: RECORDS }, (_, i) => i),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("on worker threads, a source that held under backpressure still sends its barrier: the savepoint completes", async () => {
    // The crash-recovery job (keyed state, windows, an exactly-once file sink) at parallelism 2:
    // its source holds while the channels to the other worker are full. Before the fix, the
    // records and barrier waiting for credit stayed unsent while the reader had nothing, and this
    // savepoint never completed.
    const jobModule = new URL("../../../test/e2e/fixtures/crash-job.ts", import.meta.url).href;
    const dir = mkdtempSync(join(tmpdir(), "eddy-held-workers-"));
    try {
      const control = new JobControl();
      const progress = emitted(20_000, "events");
      const running = runJobModule(jobModule, {
        parallelism: 2,
        config: { output: join(dir, "out"), records: 60_000, rate: 60_000, holdAfter: 20_000 },
        control,
        checkpointing: { dir: join(dir, "checkpoints"), intervalMs: 50 },
        onProgress: progress.onProgress,
        progressIntervalMs: 10,
      });
      await Promise.race([progress.reached, running]);
      await control.stopWithSavepoint(join(dir, "savepoints"));
      const result = await running;
      assert.equal(result.stopped, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

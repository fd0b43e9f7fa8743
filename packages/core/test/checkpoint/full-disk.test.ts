// The disk holding the checkpoints fills up while a checkpoint is being written: on a real, tiny
// filesystem (a tmpfs mounted for the test, which needs root; skipped with the reason otherwise).
// Each failed checkpoint is declined with a warning naming it and the file, and discarded; the
// complete checkpoints before it stay intact and are what a restart restores; the job keeps
// running (by default), or fails and is restarted by its restart strategy (tolerableFailures: 0).
// Either way the committed output equals an uninterrupted run's. A disk that fills up between the
// tasks' files and the metadata fails the checkpoint the same way.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  closeSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CheckpointCoordinator } from "../../src/checkpoint/checkpoint-coordinator.ts";
import { FileCheckpointStore } from "../../src/checkpoint/file-checkpoint-store.ts";
import { readCheckpoint } from "../../src/checkpoint/restore.ts";
import { encodeSnapshot } from "../../src/checkpoint/snapshot.ts";
import {
  ExactlyOnceFileSink,
  Job,
  type JobResult,
  type KeyedProcessFunction,
  type RunOptions,
  runJob,
  StateDescriptors,
  type ValueState,
} from "../../src/index.ts";

const KEYS = 20_000;
const RECORDS = 160_000;

/** Per key, a running sum kept in an object (changed in place, then written back). */
function buildJob(output: string, rate: number | undefined): Job {
  const job = Job.create({ name: "full-disk", maxParallelism: 32 });
  job
    .fromGenerator<number>({
      count: RECORDS,
      ...(rate === undefined ? {} : { recordsPerSecond: rate }),
      seed: 5,
      splits: 1,
      generate: (i) => i,
    })
    .uid("numbers")
    .keyBy((i) => i % KEYS)
    .process<string>({
      open(ctx) {
        this.sum = ctx.getState(StateDescriptors.value<{ n: number; total: number }>("sum"));
      },
      processElement(i, ctx, out) {
        const sum = this.sum.value() ?? { n: 0, total: 0 };
        sum.n++;
        sum.total += i;
        this.sum.update(sum);
        if (sum.n % 4 === 0) out.collect(`${ctx.currentKey()}:${sum.n}:${sum.total}`);
      },
    } as KeyedProcessFunction<number, number, string> & { sum: ValueState<{ n: number; total: number }> })
    .uid("sums")
    .sinkTo(new ExactlyOnceFileSink<string>(output, (s) => s))
    .uid("out");
  return job;
}

/** An uninterrupted run (the sink commits on checkpoints, so it runs with them). */
async function reference(work: string): Promise<void> {
  await runJob(buildJob(join(work, "reference"), undefined), {
    checkpointing: { dir: join(work, "reference-checkpoints") },
  });
}

function committed(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith("part-"))
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n"))
    .filter((l) => l.length > 0)
    .sort();
}

/** A tmpfs of `bytes` mounted on a new directory, or the reason it cannot be. */
function mountTmpfs(bytes: number): { dir: string; unmount(): void } | string {
  const dir = mkdtempSync(join(tmpdir(), "eddy-full-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir], { stdio: "pipe" });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs here (it needs root): ${(error as Error).message.split("\n")[0]}`;
  }
  return {
    dir,
    unmount() {
      execFileSync("umount", [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the filesystem of `dir` up to `leave` free bytes with a file; returns how to free it. */
function fillDisk(dir: string, leave: number): () => void {
  const path = join(dir, "filler");
  const fd = openSync(path, "w");
  try {
    const block = Buffer.alloc(64 * 1024, 1);
    let size = 0;
    try {
      for (;;) size += writeSync(fd, block);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
    }
    ftruncateSync(fd, Math.max(0, size - leave));
  } finally {
    closeSync(fd);
  }
  return () => rmSync(path, { force: true });
}

/** The newest checkpoint in `dir` with metadata (0 if none), read without the store. */
function newestComplete(dir: string): number {
  let newest = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {}
  for (const name of names) {
    const match = /^chk-(\d+)$/.exec(name);
    if (match === null) continue;
    try {
      if (readdirSync(join(dir, name)).includes("_metadata")) newest = Math.max(newest, Number(match[1]));
    } catch {}
  }
  return newest;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const failedCheckpoint =
  /checkpoint (\d+) failed and was discarded \(\d+ in a row; .*\): task \d+:\d+ could not take its part: checkpoint \1: cannot write (\S+): the disk is full \(ENOSPC/;

/** Ids of the complete checkpoints in `dir`, each read back whole (every checksum verified). */
async function completeCheckpoints(dir: string): Promise<number[]> {
  const store = new FileCheckpointStore(dir);
  const ids = await store.listCheckpoints();
  for (const id of ids) await readCheckpoint(store, id);
  return ids;
}

test("a full disk fails the checkpoints being written; the job runs on and a restart restores the last complete one", async (t) => {
  const disk = mountTmpfs(16 * 1024 * 1024);
  if (typeof disk === "string") return t.skip(disk);
  const work = mkdtempSync(join(tmpdir(), "eddy-full-disk-out-"));
  try {
    await reference(work);
    const expected = committed(join(work, "reference"));
    assert.equal(expected.length, RECORDS / 4);

    const checkpoints = join(disk.dir, "checkpoints");
    const warnings: string[] = [];
    const controller = new AbortController();
    const options: RunOptions = {
      checkpointing: { dir: checkpoints, intervalMs: 100 },
      onWarning: (w) => warnings.push(w),
    };
    let settled = false;
    const first = runJob(buildJob(join(work, "out"), 20_000), {
      ...options,
      signal: controller.signal,
    }).finally(() => {
      settled = true;
    });
    // A checkpoint completes; then the disk fills up, leaving less room than a task's state needs,
    // so the next checkpoints write part of a file and fail.
    await until(() => newestComplete(checkpoints) > 0, "a first complete checkpoint");
    const free = fillDisk(disk.dir, 64 * 1024);
    await until(() => warnings.filter((w) => failedCheckpoint.test(w)).length >= 2, "two failed checkpoints");
    assert.equal(settled, false, "the job keeps running");
    const failed = warnings.map((w) => failedCheckpoint.exec(w)).filter((m) => m !== null);
    for (const m of failed) assert.ok(m[2].startsWith(join(checkpoints, `chk-${m[1]}`)), m[0]);
    t.diagnostic(`warning: ${failed[0][0]}...`);
    // Stop (as a crash would) while the disk is still full.
    controller.abort();
    const stopped: JobResult = await first;
    assert.equal(stopped.stopped, true);
    // What is left: complete checkpoints that read back whole, none of them a failed one.
    const complete = await completeCheckpoints(checkpoints);
    assert.ok(complete.length > 0);
    assert.equal(complete[0], Math.max(...stopped.checkpoints.map((c) => c.id)));
    for (const m of failed)
      assert.ok(!complete.includes(Number(m[1])), `failed checkpoint ${m[1]} is not complete`);

    // With room again, the job resumes from the newest complete checkpoint and ends with exactly
    // the output of the uninterrupted run.
    free();
    const resumed = await runJob(buildJob(join(work, "out"), undefined), options);
    assert.equal(resumed.restoredFrom, complete[0]);
    assert.deepEqual(committed(join(work, "out")), expected);
  } finally {
    disk.unmount();
    rmSync(work, { recursive: true, force: true });
  }
});

test("with tolerableFailures: 0 a full disk fails the job, and its restart strategy restarts it from the last complete checkpoint", async (t) => {
  const disk = mountTmpfs(16 * 1024 * 1024);
  if (typeof disk === "string") return t.skip(disk);
  const work = mkdtempSync(join(tmpdir(), "eddy-full-disk-out-"));
  try {
    await reference(work);
    const expected = committed(join(work, "reference"));

    const checkpoints = join(disk.dir, "checkpoints");
    const warnings: string[] = [];
    let free: (() => void) | undefined;
    let completeAtFailure: number | undefined;
    const running = runJob(buildJob(join(work, "out"), 20_000), {
      checkpointing: { dir: checkpoints, intervalMs: 100, tolerableFailures: 0 },
      restartStrategy: { kind: "fixed-delay", attempts: 1, delayMs: 0 },
      onWarning: (w) => {
        warnings.push(w);
        if (failedCheckpoint.test(w)) completeAtFailure ??= newestComplete(checkpoints);
        // The restart strategy restarts the job: make room first, as an operator would.
        if (w.includes("restarting")) free?.();
      },
    });
    await until(() => newestComplete(checkpoints) > 0, "a first complete checkpoint");
    free = fillDisk(disk.dir, 64 * 1024);
    const result = await running;
    const failure = warnings.find((w) => failedCheckpoint.test(w));
    assert.ok(failure !== undefined, warnings.join("\n"));
    const restart = warnings.find((w) => w.includes("restarting"));
    assert.ok(
      restart !== undefined && /1 checkpoints in a row failed, more than the 0 tolerated/.test(restart),
      restart,
    );
    assert.ok(completeAtFailure !== undefined && completeAtFailure > 0);
    assert.equal(result.restoredFrom, completeAtFailure);
    assert.deepEqual(committed(join(work, "out")), expected);
  } finally {
    disk.unmount();
    rmSync(work, { recursive: true, force: true });
  }
});

test("a checkpoint whose metadata cannot be written is discarded, and the one before stays complete", async (t) => {
  const disk = mountTmpfs(1024 * 1024);
  if (typeof disk === "string") return t.skip(disk);
  try {
    const store = new FileCheckpointStore(join(disk.dir, "checkpoints"));
    const warnings: string[] = [];
    let failed: Error | undefined;
    const coordinator = new CheckpointCoordinator(
      store,
      { name: "metadata", maxParallelism: 8 },
      { all: ["0:0"], sources: ["0:0"] },
      new Map(),
      {
        triggerSources: () => true,
        snapshotEnumerators: () => ({}),
        pauseSplitAssignment: () => {},
        warn: (w) => warnings.push(w),
        fail: (error) => {
          failed = error;
        },
      },
      { intervalMs: Number.POSITIVE_INFINITY },
      0,
    );
    /** Takes checkpoint `id` with one task, its file written before `beforeAck` runs. */
    const checkpoint = async (beforeAck: () => void) => {
      const outcome = coordinator.checkpointNow();
      const id = Math.max(0, ...(await store.listCheckpoints())) + 1;
      const bytes = encodeSnapshot({
        checkpointId: id,
        vertex: 0,
        subtask: 0,
        parallelism: 1,
        operators: [],
      });
      const handle = await store.writeState(id, "task-0-0.bin", bytes);
      beforeAck();
      coordinator.acknowledge({
        checkpointId: id,
        vertex: 0,
        subtask: 0,
        handle: { ...handle, vertex: 0, subtask: 0, operators: [] },
        committables: {},
        syncMs: 0,
        asyncMs: 0,
        alignmentMs: 0,
      });
      return outcome;
    };
    assert.equal(await checkpoint(() => {}), 1);
    let free: (() => void) | undefined;
    await assert.rejects(
      checkpoint(() => {
        free = fillDisk(disk.dir, 0);
      }),
      /checkpoint 2: cannot write .*chk-2\/_metadata\.tmp: the disk is full/,
    );
    free?.();
    assert.match(
      warnings.join("\n"),
      /checkpoint 2 failed and was discarded \(1 in a row; checkpoint 1 stays the latest complete one\)/,
    );
    assert.deepEqual(await completeCheckpoints(store.location), [1]);
    assert.deepEqual(readdirSync(store.location), ["chk-1"], "the failed checkpoint's files are gone");
    assert.equal(failed, undefined, "the job goes on");
    assert.deepEqual(
      coordinator.completed.map((c) => c.id),
      [1],
    );
    coordinator.stop();
  } finally {
    disk.unmount();
  }
});

// What an exactly-once sink sealed for a checkpoint that failed is not lost: the sink writer
// pre-committed it at the barrier, and the sources' positions in the next checkpoint are past
// those records, so it is committed with the next checkpoint that completes (or by the final
// commit), as in Flink's two-phase commit sinks. A checkpoint fails here because one task cannot
// write its state file (a directory stands where the file goes): the sink's task itself, or the
// source's task after the sink acknowledged. A run killed after such a failure and restarted from
// the checkpoint before it commits nothing of the failed one (the sources replay those records).
// Oracle: the input, each record exactly once. No wall-clock waits: the tests wait for the
// warnings that say a checkpoint failed.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runJob, runJobModule } from "../../src/index.ts";
import { buildSealedOutputJob, RECORDS } from "./fixtures/sealed-output-job.ts";

const SOURCE_TASK = "task-0-0.bin";
const SINK_TASK = "task-1-0.bin";
const buildJob = buildSealedOutputJob;
const moduleUrl = new URL("./fixtures/sealed-output-job.ts", import.meta.url).href;

/** The committed records, sorted. */
function committed(dir: string): number[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith("part-"))
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n"))
    .filter((l) => l.length > 0)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Makes the task's state file of each checkpoint in `ids` impossible to write: that task declines it. */
function obstruct(checkpoints: string, ids: number[], file: string): void {
  for (const id of ids) mkdirSync(join(checkpoints, `chk-${id}`, file), { recursive: true });
}

const failed = (id: number) => new RegExp(`checkpoint ${id} failed and was discarded`);

/** Compares with the input; on a mismatch says how many records are missing and doubled. */
function assertExactlyOnce(actual: number[]): void {
  const counts = new Map<number, number>();
  for (const r of actual) counts.set(r, (counts.get(r) ?? 0) + 1);
  let missing = 0;
  let doubled = 0;
  for (let i = 0; i < RECORDS; i++) {
    const n = counts.get(i) ?? 0;
    if (n === 0) missing++;
    if (n > 1) doubled += n - 1;
  }
  assert.deepEqual({ missing, doubled, total: actual.length }, { missing: 0, doubled: 0, total: RECORDS });
}

for (const [who, file] of [
  ["the sink's task declines it", SINK_TASK],
  ["the source's task declines it (the sink's task acknowledged it)", SOURCE_TASK],
] as const)
  test(`a checkpoint that fails mid-run loses no sealed output: ${who}`, async () => {
    const work = mkdtempSync(join(tmpdir(), "eddy-failed-checkpoint-"));
    try {
      const checkpoints = join(work, "checkpoints");
      obstruct(checkpoints, [2, 3], file);
      const warnings: string[] = [];
      const result = await runJob(buildJob(join(work, "out")), {
        checkpointing: { dir: checkpoints, intervalMs: 10 },
        onWarning: (w) => warnings.push(w),
      });
      assert.ok(
        warnings.some((w) => failed(2).test(w)),
        `checkpoint 2 failed: ${warnings.join("; ")}`,
      );
      assert.ok(
        warnings.some((w) => failed(3).test(w)),
        `checkpoint 3 failed: ${warnings.join("; ")}`,
      );
      assert.equal(result.stopped, false);
      assertExactlyOnce(committed(join(work, "out")));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

for (const [who, file] of [
  ["a sink's task declines it", "task-1-1.bin"],
  ["a source's task declines it", "task-0-0.bin"],
] as const)
  test(`on worker threads too, a failed checkpoint loses no sealed output: ${who}`, async () => {
    const work = mkdtempSync(join(tmpdir(), "eddy-failed-checkpoint-"));
    try {
      const checkpoints = join(work, "checkpoints");
      obstruct(checkpoints, [2, 3], file);
      const warnings: string[] = [];
      await runJobModule(moduleUrl, {
        parallelism: 2,
        config: { output: join(work, "out") },
        checkpointing: { dir: checkpoints, intervalMs: 10 },
        onWarning: (w) => warnings.push(w),
      });
      assert.ok(
        warnings.some((w) => failed(2).test(w)),
        `checkpoint 2 failed: ${warnings.join("; ")}`,
      );
      assertExactlyOnce(committed(join(work, "out")));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

test("a run killed after a failed checkpoint and restarted from the one before commits each record once", async () => {
  const work = mkdtempSync(join(tmpdir(), "eddy-failed-checkpoint-"));
  try {
    const checkpoints = join(work, "checkpoints");
    const output = join(work, "out");
    // Checkpoint 1 completes; every later one fails until the run is killed.
    obstruct(
      checkpoints,
      Array.from({ length: 200 }, (_, i) => i + 2),
      SINK_TASK,
    );
    const controller = new AbortController();
    const warnings: string[] = [];
    const first = await runJob(buildJob(output), {
      checkpointing: { dir: checkpoints, intervalMs: 10 },
      signal: controller.signal,
      onWarning: (w) => {
        warnings.push(w);
        if (failed(3).test(w)) controller.abort();
      },
    });
    assert.equal(first.stopped, true, "killed before the input ended");
    assert.deepEqual(
      first.checkpoints?.map((c) => c.id),
      [1],
    );
    assert.ok(warnings.some((w) => failed(2).test(w)));
    // The cause is gone: the restart restores checkpoint 1 and runs to the end.
    for (let id = 2; id <= 201; id++)
      rmSync(join(checkpoints, `chk-${id}`), { recursive: true, force: true });
    const second = await runJob(buildJob(output), { checkpointing: { dir: checkpoints, intervalMs: 10 } });
    assert.equal(second.restoredFrom, 1);
    assertExactlyOnce(committed(output));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

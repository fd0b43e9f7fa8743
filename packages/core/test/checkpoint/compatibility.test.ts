// Restoring a changed job: every incompatibility is reported before any state is touched, and
// allowNonRestoredState drops state whose operator is gone.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { RestoreCompatibilityError } from "../../src/checkpoint/compatibility.ts";
import { Job, JobControl, runJob } from "../../src/index.ts";

function job(options: { countUid: string; maxParallelism?: number; keyed?: boolean; sourceUid?: string }) {
  const j = Job.create({ name: "compat", maxParallelism: options.maxParallelism ?? 16 });
  const numbers = j
    .fromGenerator({ recordsPerSecond: 20_000, splits: 1, generate: (i) => i })
    .uid(options.sourceUid ?? "numbers");
  const counted =
    options.keyed === false
      ? numbers.map((n) => n).uid(options.countUid)
      : numbers
          .keyBy((n) => n % 5)
          .reduce((a, b) => a + b)
          .uid(options.countUid);
  counted.collect().withUid("out");
  return j;
}

/**
 * Runs the (unbounded) job until its counting operator has had records (so it has keyed state) and
 * a checkpoint after that is complete (a savepoint waits for its checkpoint), then stops it.
 */
async function runUntilCheckpointed(j: Job, dir: string): Promise<void> {
  const controller = new AbortController();
  const control = new JobControl();
  let counted!: () => void;
  const hadRecords = new Promise<void>((resolve) => {
    counted = resolve;
  });
  const running = runJob(j, {
    signal: controller.signal,
    control,
    checkpointing: { dir, intervalMs: 30 },
    onProgress: (p) => {
      if ((p.operators.find((o) => o.uid === "sum")?.recordsIn ?? 0) > 0) counted();
    },
    progressIntervalMs: 10,
  });
  await hadRecords;
  await control.savepoint(join(dir, "..", "savepoints"));
  controller.abort();
  const result = await running;
  assert.ok(result.checkpoints.length > 0);
}

test("a restore that cannot work names every problem, before the job starts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-compat-"));
  try {
    await runUntilCheckpointed(job({ countUid: "sum" }), join(dir, "chk"));
    const error = await runJob(job({ countUid: "total", maxParallelism: 32, sourceUid: "other" }), {
      checkpointing: { dir: join(dir, "chk"), intervalMs: 30 },
    }).then(
      () => assert.fail("the restore should have been refused"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof RestoreCompatibilityError);
    const text = error.problems.join("\n");
    assert.match(text, /maxParallelism is 32, but the checkpoint's state is in 16 key groups/);
    assert.match(text, /operator uid 'sum' has state in the checkpoint but is not in the job/);
    assert.match(text, /operator uid 'numbers' has state in the checkpoint but is not in the job/);

    const notKeyed = await runJob(job({ countUid: "sum", keyed: false }), {
      checkpointing: { dir: join(dir, "chk"), intervalMs: 30 },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(notKeyed instanceof RestoreCompatibilityError);
    assert.match(
      notKeyed.problems.join("\n"),
      /uid 'sum'\) had keyed state but is not on a keyed stream now/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("allowNonRestoredState drops the state of an operator that was removed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-compat-"));
  try {
    await runUntilCheckpointed(job({ countUid: "sum" }), join(dir, "chk"));
    const controller = new AbortController();
    const control = new JobControl();
    const running = runJob(job({ countUid: "renamed-sum" }), {
      signal: controller.signal,
      control,
      checkpointing: { dir: join(dir, "chk"), intervalMs: 30, allowNonRestoredState: true },
    });
    // Restored (or refused) before it starts: once it runs, it can stop.
    await control.started();
    controller.abort();
    const result = await running;
    assert.ok(result.restoredFrom !== undefined && result.restoredFrom > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a former source uid on another kind of operator is named", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-compat-"));
  try {
    await runUntilCheckpointed(job({ countUid: "sum" }), join(dir, "chk"));
    const error = await runJob(job({ countUid: "numbers", sourceUid: "other" }), {
      checkpointing: { dir: join(dir, "chk"), intervalMs: 30, allowNonRestoredState: true },
    }).then(
      () => assert.fail("the restore should have been refused"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof RestoreCompatibilityError);
    assert.match(
      error.problems.join("\n"),
      /uid 'numbers' was a source in the checkpoint but is a reduce operator now/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a savepoint in another codec or a newer schema is refused, with both named", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-compat-"));
  try {
    const control = new JobControl();
    const running = runJob(job({ countUid: "sum" }), {
      control,
      checkpointing: { dir: join(dir, "chk"), intervalMs: 30 },
    });
    await control.started();
    const savepoint = await control.stopWithSavepoint(join(dir, "savepoints"));
    await running;
    const descriptionFile = join(savepoint, "_savepoint.json");
    const description = JSON.parse(readFileSync(descriptionFile, "utf8"));
    writeFileSync(descriptionFile, JSON.stringify({ ...description, codec: "json-v2", schemaVersion: 99 }));
    const error = await runJob(job({ countUid: "sum" }), {
      checkpointing: { dir: join(dir, "chk2"), fromSavepoint: savepoint },
    }).then(
      () => assert.fail("the restore should have been refused"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof RestoreCompatibilityError);
    const text = error.problems.join("\n");
    assert.match(text, /codec 'json-v2', which this eddy cannot read/);
    assert.match(text, /schema version 99, newer than this eddy's 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The checkpoint lifecycle through the public API (issue 10): what `runJob` does when a job's
// configuration changed since its checkpoint, when every checkpoint is corrupt, when its
// checkpoint directory is unusable, and with an exactly-once sink but no checkpointing.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  ConfigurationChangedError,
  ExactlyOnceFileSink,
  Job,
  NoUsableCheckpointError,
  runJob,
  SinkNeedsCheckpointsError,
  UnusableDirectoryError,
} from "@eddy/core";

function job(output: string, count: number | undefined): Job {
  const j = Job.create({ name: "lifecycle", maxParallelism: 8 });
  j.fromGenerator({ generate: (i) => ({ i, k: i % 3 }), count, seed: 1 })
    .uid("numbers")
    .keyBy((e) => e.k)
    .reduce((a, b) => ({ i: a.i + b.i, k: a.k }))
    .uid("sums")
    .sinkTo(new ExactlyOnceFileSink<{ i: number; k: number }>(output))
    .uid("out");
  return j;
}

function committed(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith("part-"))
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n"))
    .filter((l) => l.length > 0)
    .sort();
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "eddy-run-lifecycle-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const quiet = { onWarning: () => {} };

test("without checkpointing a bounded job commits at the end; an unbounded one is refused", async (t) => {
  const dir = tempDir(t);
  await runJob(job(join(dir, "ref"), 3000), { ...quiet, checkpointing: { dir: join(dir, "chk") } });
  await runJob(job(join(dir, "out"), 3000), quiet);
  assert.equal(committed(join(dir, "out")).length, 3000);
  assert.deepEqual(committed(join(dir, "out")), committed(join(dir, "ref")));
  await assert.rejects(runJob(job(join(dir, "never"), undefined), quiet), (error: unknown) => {
    assert.ok(error instanceof SinkNeedsCheckpointsError);
    assert.match(error.message, /sink 'out'.*--checkpoint-interval/s);
    return true;
  });
  assert.ok(!existsSync(join(dir, "never")));
});

test("a changed configuration or source is refused with the differences, unless allowed", async (t) => {
  const dir = tempDir(t);
  const checkpointing = { dir: join(dir, "chk") };
  await runJob(job(join(dir, "out"), 1000), { ...quiet, checkpointing, config: { mode: "a" } });
  await assert.rejects(
    runJob(job(join(dir, "out"), 2000), { ...quiet, checkpointing, config: { mode: "b" } }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigurationChangedError);
      assert.deepEqual(error.changes, [
        'config.mode: "a" → "b"',
        "source.numbers: generator count=1000 seed=1 splits=parallelism → generator count=2000 seed=1 splits=parallelism",
      ]);
      return true;
    },
  );
  const warnings: string[] = [];
  const allowed = await runJob(job(join(dir, "out"), 2000), {
    onWarning: (w) => warnings.push(w),
    checkpointing: { ...checkpointing, allowConfigChange: true },
    config: { mode: "b" },
  });
  assert.ok(allowed.restoredFrom !== undefined);
  assert.ok(warnings.some((w) => /config\.mode/.test(w)));
  assert.ok(
    warnings.some((w) => /had already finished.*--fresh/s.test(w)),
    warnings.join("\n"),
  );
});

test("when every checkpoint is corrupt the run fails naming them, and --fresh starts over", async (t) => {
  const dir = tempDir(t);
  const checkpointing = { dir: join(dir, "chk") };
  await runJob(job(join(dir, "out"), 1000), { ...quiet, checkpointing });
  const expected = committed(join(dir, "out"));
  const ids = readdirSync(join(dir, "chk")).filter((n) => n.startsWith("chk-"));
  assert.ok(ids.length > 0);
  for (const id of ids) {
    const path = join(dir, "chk", id, "_metadata");
    const bytes = readFileSync(path);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(path, bytes);
  }
  await assert.rejects(runJob(job(join(dir, "out"), 1000), { ...quiet, checkpointing }), (error: unknown) => {
    assert.ok(error instanceof NoUsableCheckpointError);
    for (const id of ids) assert.match(error.message, new RegExp(`checkpoint ${id.slice(4)} `));
    assert.match(error.message, /--fresh/);
    return true;
  });
  assert.deepEqual(committed(join(dir, "out")), expected);
  await runJob(job(join(dir, "out"), 1000), {
    ...quiet,
    checkpointing: { ...checkpointing, restore: "none" },
  });
  assert.deepEqual(committed(join(dir, "out")), expected, "--fresh replaces the output, never adds to it");
});

test("an unusable checkpoint directory fails before the job reads anything", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "file");
  writeFileSync(file, "");
  for (const bad of ["/proc/eddy-chk", file]) {
    await assert.rejects(
      runJob(job(join(dir, "out"), 1000), { ...quiet, checkpointing: { dir: bad } }),
      (error: unknown) => {
        assert.ok(error instanceof UnusableDirectoryError);
        assert.equal(error.path, bad);
        return true;
      },
    );
    assert.ok(!existsSync(join(dir, "out")));
  }
});

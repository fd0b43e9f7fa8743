// Recovery in one process: a stopped job resumes from its latest checkpoint and commits what an
// uninterrupted run commits; with the newest checkpoint corrupted it resumes from the one before,
// with a warning, and still commits exactly that. A run the test stops holds its input part-way
// (the fixture's `holdAfter`), so it cannot finish before the checkpoints the test waits for.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadJobModule, runJob } from "../../src/index.ts";

const jobModule = new URL("../../../../test/e2e/fixtures/crash-job.ts", import.meta.url).href;

function committed(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith("part-"))
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n"))
    .filter((l) => l.length > 0)
    .sort();
}

async function run(
  dir: string,
  name: string,
  stopAfterCheckpoints?: number,
  warnings: string[] = [],
  parallelism = 2,
) {
  const config = {
    output: join(dir, name),
    records: 60_000,
    rate: 60_000,
    // Held after 20,000 records of this run: two stopped runs leave the third input to read.
    ...(stopAfterCheckpoints === undefined ? {} : { holdAfter: 20_000 }),
  };
  const controller = new AbortController();
  const job = await loadJobModule(jobModule, { config });
  const result = runJob(job, {
    parallelism,
    signal: controller.signal,
    checkpointing: { dir: join(dir, `${name}-checkpoints`), intervalMs: 50 },
    onWarning: (w) => warnings.push(w),
  });
  if (stopAfterCheckpoints !== undefined) {
    // Stop once this run has completed `stopAfterCheckpoints` checkpoints of its own.
    const checkpoints = join(dir, `${name}-checkpoints`);
    const newest = () => {
      let id = 0;
      try {
        for (const d of readdirSync(checkpoints))
          if (d.startsWith("chk-") && readdirSync(join(checkpoints, d)).includes("_metadata"))
            id = Math.max(id, Number(d.slice(4)));
      } catch {}
      return id;
    };
    const target = newest() + stopAfterCheckpoints;
    let ended = false;
    result.then(
      () => (ended = true),
      () => (ended = true),
    );
    while (newest() < target) {
      if (ended) assert.fail(`the run ended before checkpoint ${target}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort();
  }
  return result;
}

test("a stopped job resumes from its checkpoint; a corrupt newest checkpoint falls back to the previous one", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-recovery-"));
  try {
    await run(dir, "reference");
    const expected = committed(join(dir, "reference"));
    assert.ok(expected.length > 100);

    const stopped = await run(dir, "out", 3);
    assert.equal(stopped.stopped, true);
    const ids = stopped.checkpoints.map((c) => c.id);
    assert.ok(ids.length >= 3);
    const newest = Math.max(...ids);
    // Flip a byte in one state file of the newest checkpoint.
    const chk = join(dir, "out-checkpoints", `chk-${newest}`);
    const file = join(chk, readdirSync(chk).find((f) => f.startsWith("task-"))!);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0x5a;
    writeFileSync(file, bytes);

    const warnings: string[] = [];
    const resumed = await run(dir, "out", undefined, warnings);
    assert.equal(resumed.restoredFrom, newest - 1);
    assert.ok(
      warnings.some(
        (w) => w.includes(`checkpoint ${newest}`) && w.includes("corrupt") && w.includes("falling back"),
      ),
      warnings.join("\n"),
    );
    assert.deepEqual(committed(join(dir, "out")), expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a checkpoint taken at parallelism 2 restores at 3, and one taken at 3 restores at 1 (key groups move)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-rescale-"));
  try {
    await run(dir, "reference");
    const expected = committed(join(dir, "reference"));
    const first = await run(dir, "out", 2, [], 2);
    assert.equal(first.stopped, true);
    const second = await run(dir, "out", 2, [], 3);
    assert.equal(second.stopped, true);
    assert.ok(second.restoredFrom !== undefined && second.restoredFrom > 0);
    const last = await run(dir, "out", undefined, [], 1);
    assert.ok(last.restoredFrom !== undefined && last.restoredFrom > second.restoredFrom!);
    assert.deepEqual(committed(join(dir, "out")), expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The job lifecycle as a careful user meets it (issue 10): each test runs `eddy run` as a child
// process in the user's situation and checks that the committed output is exactly an
// uninterrupted run's, or that the run refused with a message saying why and what to do.
import assert from "node:assert/strict";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  committedLines,
  completeCheckpoints,
  corruptEveryCheckpoint,
  crashJobArgs,
  jobNameFor,
  waitUntil,
} from "./lifecycle-helpers.ts";
import { eddy, finished, REPO_ROOT, spawnEddy } from "./run-eddy.ts";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "eddy-lifecycle-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts a checkpointing run and kills it with SIGKILL once `checkpoints` checkpoints completed. */
async function killAfterCheckpoints(
  args: string[],
  checkpointDir: string,
  checkpoints: number,
): Promise<void> {
  const child = spawnEddy(args);
  const done = finished(child);
  await waitUntil(
    () => completeCheckpoints(checkpointDir).length >= checkpoints,
    () => child.exitCode === null,
    `checkpoint ${checkpoints} completed`,
  );
  child.kill("SIGKILL");
  assert.equal((await done).signal, "SIGKILL");
}

test("item 1: a bounded job's exactly-once sink commits its output at the end without checkpointing", async (t) => {
  const dir = tempDir(t);
  const reference = await eddy(crashJobArgs(dir, { output: "ref", records: 20_000, rate: 200_000 }));
  assert.equal(reference.code, 0, reference.stderr);
  const run = await eddy(crashJobArgs(dir, { checkpoints: false, records: 20_000, rate: 200_000 }));
  assert.equal(run.code, 0, run.stderr);
  assert.ok(committedLines(join(dir, "ref")).length > 500);
  assert.deepEqual(committedLines(join(dir, "out")), committedLines(join(dir, "ref")));
  assert.deepEqual(readdirSync(join(dir, "out", ".in-progress")), [], "nothing left in progress");
});

test("item 1: an unbounded job with an exactly-once sink and no checkpointing refuses to start", async (t) => {
  const dir = tempDir(t);
  const run = await eddy([
    "run",
    "packages/cli/test/fixtures/unbounded-exactly-once-job.ts",
    "--set",
    `output=${join(dir, "out")}`,
  ]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /sink 'files'/);
  assert.match(run.stderr, /--checkpoint-interval/);
  assert.ok(!existsSync(join(dir, "out")), "nothing was started");
});

test("item 2: a rerun with another configuration is refused with the difference; a finished job says so", async (t) => {
  const dir = tempDir(t);
  const args = crashJobArgs(dir, { records: 20_000, rate: 200_000 });
  const first = await eddy(args);
  assert.equal(first.code, 0, first.stderr);
  const lines = committedLines(join(dir, "out"));

  const again = await eddy(args);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /had already finished/);
  assert.match(again.stderr, /--fresh/);
  assert.deepEqual(committedLines(join(dir, "out")), lines);

  const changed = await eddy(crashJobArgs(dir, { output: "other", records: 30_000, rate: 200_000 }));
  assert.equal(changed.code, 2, changed.stderr);
  assert.match(changed.stderr, /config\.output: ".*\/out" → ".*\/other"/);
  assert.match(changed.stderr, /config\.records: 20000 → 30000/);
  assert.match(changed.stderr, /--fresh/);
  assert.match(changed.stderr, /--allow-config-change/);
  assert.ok(!existsSync(join(dir, "other")), "the refused run wrote nothing");
});

test("item 2: after a crash, a rerun with another input is refused unless the change is confirmed", async (t) => {
  const dir = tempDir(t);
  const args = crashJobArgs(dir, { records: 60_000 });
  await killAfterCheckpoints(args, join(dir, "checkpoints"), 2);
  const changed = await eddy(crashJobArgs(dir, { records: 70_000 }));
  assert.equal(changed.code, 2, changed.stderr);
  assert.match(changed.stderr, /config\.records: 60000 → 70000/);
  const confirmed = await eddy([...crashJobArgs(dir, { records: 70_000 }), "--allow-config-change"]);
  assert.equal(confirmed.code, 0, confirmed.stderr);
  assert.match(confirmed.stderr, /resumed from checkpoint/);
  assert.match(confirmed.stderr, /config\.records: 60000 → 70000/, "the accepted change is still reported");
});

test("item 3: when every checkpoint is corrupt the run fails naming them; --fresh starts over exactly", async (t) => {
  const dir = tempDir(t);
  const reference = await eddy(crashJobArgs(dir, { output: "ref", checkpoints: "ref-checkpoints" }));
  assert.equal(reference.code, 0, reference.stderr);
  const args = crashJobArgs(dir);
  await killAfterCheckpoints(args, join(dir, "checkpoints"), 2);
  const corrupted = corruptEveryCheckpoint(join(dir, "checkpoints"));
  assert.ok(corrupted.length >= 2);

  const refused = await eddy(args);
  assert.equal(refused.code, 1, refused.stderr);
  for (const id of corrupted) assert.match(refused.stderr, new RegExp(`checkpoint ${id}\\b`));
  assert.match(refused.stderr, /--fresh/);
  assert.deepEqual(
    completeCheckpoints(join(dir, "checkpoints")).sort(),
    corrupted.sort(),
    "kept for inspection",
  );

  const fresh = await eddy([...args, "--fresh"]);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.deepEqual(committedLines(join(dir, "out")), committedLines(join(dir, "ref")));
});

test("item 4: unusable checkpoint and state directories fail at start, before any input is read", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "a-file");
  writeFileSync(file, "");
  for (const [flags, named] of [
    [["--checkpoint-dir", "/proc/eddy-checkpoints"], "/proc/eddy-checkpoints"],
    [["--checkpoint-dir", "/sys/eddy"], "/sys/eddy"],
    [["--checkpoint-dir", file], file],
    [["--checkpoint-dir", join(file, "sub")], join(file, "sub")],
    [["--set", "stateBackend=lmdb", "--set", "stateDir=/proc/eddy-state"], "/proc/eddy-state"],
  ] as const) {
    const run = await eddy([...crashJobArgs(dir, { checkpoints: false }), ...flags]);
    assert.equal(run.code, 2, `${flags.join(" ")}: ${run.stderr}`);
    assert.ok(run.stderr.includes(named), run.stderr);
    assert.doesNotMatch(run.stderr, /records read/);
    assert.ok(!existsSync(join(dir, "out")), "no input was read, no output written");
  }
});

test("item 8: a savepoint restores into a job of another name that shares the operator uids", async (t) => {
  const dir = tempDir(t);
  const size = { records: 200_000, rate: 50_000 };
  const reference = await eddy(crashJobArgs(dir, { ...size, output: "ref", checkpoints: "ref-checkpoints" }));
  assert.equal(reference.code, 0, reference.stderr);
  const child = spawnEddy(crashJobArgs(dir, size));
  const done = finished(child);
  await waitUntil(
    () => completeCheckpoints(join(dir, "checkpoints")).length >= 1,
    () => child.exitCode === null,
    "a checkpoint",
  );
  child.kill("SIGTERM");
  const stopped = await done;
  const savepoint = /savepoint written to (\S+)/.exec(stopped.stderr)?.[1];
  assert.ok(savepoint, stopped.stderr);
  t.after(() =>
    rmSync(join(REPO_ROOT, ".eddy", "savepoints", jobNameFor(dir)), { recursive: true, force: true }),
  );
  const renamed = await eddy([
    ...crashJobArgs(dir, { ...size, checkpoints: "renamed-checkpoints" }),
    "--set",
    "name=renamed-job",
    "--from-savepoint",
    savepoint,
  ]);
  assert.equal(renamed.code, 0, renamed.stderr);
  assert.match(
    renamed.stderr,
    new RegExp(`savepoint .* was taken of job '${jobNameFor(dir)}'.*'renamed-job'`),
  );
  assert.deepEqual(committedLines(join(dir, "out")), committedLines(join(dir, "ref")));
});

test("item 9: a second run on the same checkpoint directory fails naming the first; a dead one's lock is taken over", async (t) => {
  const dir = tempDir(t);
  const args = crashJobArgs(dir, { records: 400_000 });
  const first = spawnEddy(args);
  const firstDone = finished(first);
  await waitUntil(
    () => completeCheckpoints(join(dir, "checkpoints")).length >= 1,
    () => first.exitCode === null,
    "a checkpoint",
  );
  const second = await eddy(crashJobArgs(dir, { output: "out", records: 400_000 }));
  assert.equal(second.code, 2, second.stderr);
  assert.match(second.stderr, new RegExp(`pid ${first.pid}\\b`));
  assert.match(second.stderr, /--checkpoint-dir/);
  first.kill("SIGKILL");
  await firstDone;
  const third = await eddy(crashJobArgs(dir, { records: 400_000, rate: 1_000_000 }));
  assert.equal(third.code, 2, "records changed: refused by the fingerprint, after taking the lock");
  assert.match(third.stderr, new RegExp(`pid ${first.pid}.*no longer running`));
});

test("item 10: --from-savepoint of a missing path is a usage error naming it", async (t) => {
  const dir = tempDir(t);
  const run = await eddy([...crashJobArgs(dir), "--from-savepoint", "/nonexistent"]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /\/nonexistent/);
  assert.doesNotMatch(run.stderr, /corrupt|job failed/);
});

test("item 10: eddy savepoint's errors do not say the job failed", async (t) => {
  const dir = tempDir(t);
  const child = spawnEddy(crashJobArgs(dir, { checkpoints: false, records: 400_000 }));
  const done = finished(child);
  const name = jobNameFor(dir);
  const registration = join(REPO_ROOT, ".eddy", "jobs", `${name}.json`);
  const registered = () => {
    try {
      return JSON.parse(readFileSync(registration, "utf8")).pid === child.pid;
    } catch {
      return false;
    }
  };
  await waitUntil(registered, () => child.exitCode === null, "the registration");
  const refused = await eddy(["savepoint", name]);
  child.kill("SIGINT");
  await done;
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`^eddy: savepoint of '${name}' failed: .*checkpointing`));
  assert.doesNotMatch(refused.stderr, /job failed/);
  const missing = await eddy(["savepoint", "no-such-job"]);
  assert.doesNotMatch(missing.stderr, /job failed/);
});

test("item 10: SIGTERM stops a job whose checkpoint directory was removed while it ran", async (t) => {
  const dir = tempDir(t);
  const child = spawnEddy(crashJobArgs(dir, { records: 2_000_000 }));
  const done = finished(child);
  await waitUntil(
    () => completeCheckpoints(join(dir, "checkpoints")).length >= 1,
    () => child.exitCode === null,
    "a checkpoint",
  );
  // Moved away at once (the job may be writing into it), then deleted.
  renameSync(join(dir, "checkpoints"), join(dir, "gone"));
  rmSync(join(dir, "gone"), { recursive: true, force: true, maxRetries: 5 });
  child.kill("SIGTERM");
  const run = await done;
  assert.equal(run.signal, null, "one signal was enough");
  assert.match(run.stderr, /savepoint/);
});

// `eddy run` with checkpoints: a stopped job resumes from its latest checkpoint when run again,
// a finished one does not run again, and --fresh starts over. A run the test stops holds its
// input part-way (the fixture's `holdAfter`, a HeldSource) and is stopped once it has completed
// checkpoints, so the stop never races the end of the input, however busy the machine.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseCommandLine } from "../../src/command-line.ts";
import { eddy, finished, REPO_ROOT, spawnEddy } from "./run-eddy.ts";

const JOB = "test/e2e/fixtures/crash-job.ts";

/** Makes the run hold its input after this many records, until it is stopped. */
const HOLD = ["--set", "holdAfter=50000"];

/** The newest complete checkpoint (one with `_metadata`) in `dir`; 0 for none. */
function latestCheckpoint(dir: string): number {
  let latest = 0;
  try {
    for (const name of readdirSync(dir)) {
      const match = /^chk-(\d+)$/.exec(name);
      if (match && existsSync(join(dir, name, "_metadata"))) latest = Math.max(latest, Number(match[1]));
    }
  } catch {}
  return latest;
}

/** Waits until the run has completed `count` checkpoints; fails if it exits first. */
async function untilCheckpoints(child: ChildProcess, dir: string, count: number): Promise<void> {
  while (latestCheckpoint(dir) < count) {
    if (child.exitCode !== null || child.signalCode !== null)
      assert.fail(`the job exited (${child.exitCode ?? child.signalCode}) before ${count} checkpoints`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs this test started that may still run: a held job never ends by itself. */
const started = new Set<ChildProcess>();
function spawnHeld(args: readonly string[]): ChildProcess {
  const child = spawnEddy(args);
  started.add(child);
  child.on("exit", () => started.delete(child));
  return child;
}

/** After a failure: kills the runs still going, so the test ends and its directory can go. */
async function killLeftovers(): Promise<void> {
  await Promise.all(
    [...started].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}

/** Waits until the run has registered its control endpoint; fails if it exits first. */
async function untilRegistered(child: ChildProcess, registration: string): Promise<void> {
  while (!existsSync(registration)) {
    if (child.exitCode !== null || child.signalCode !== null)
      assert.fail(`the job exited (${child.exitCode ?? child.signalCode}) before it registered`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("checkpoint flags parse, and bad values name the flag", () => {
  const command = parseCommandLine([
    "run",
    "job.ts",
    "--checkpoint-interval",
    "250",
    "--checkpoint-dir",
    "c",
    "--fresh",
  ]);
  assert.deepEqual((command as { checkpoints?: unknown }).checkpoints, {
    intervalMs: 250,
    dir: "c",
    fresh: true,
  });
  assert.throws(
    () => parseCommandLine(["run", "job.ts", "--checkpoint-interval", "soon"]),
    /--checkpoint-interval/,
  );
  assert.throws(() => parseCommandLine(["run", "job.ts", "--fresh"]), /--fresh needs checkpoints/);
});

test("a job stopped with SIGTERM resumes from its checkpoint; a finished job does not run again", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-cli-checkpoints-"));
  try {
    const argsFor = (checkpoints: string, output: string) => [
      "run",
      JOB,
      "--checkpoint-interval",
      "100",
      "--checkpoint-dir",
      join(dir, checkpoints),
      "--set",
      `output=${join(dir, output)}`,
      "--set",
      "records=100000",
      "--set",
      "rate=40000",
    ];
    const args = argsFor("checkpoints", "out");
    const first = spawnHeld([...args, ...HOLD]);
    const firstDone = finished(first);
    await untilCheckpoints(first, join(dir, "checkpoints"), 2);
    first.kill("SIGTERM");
    const stopped = await firstDone;
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stderr, /job 'crash-job' stopped after/, "stopped mid-input, not finished");

    // The first run held its input part-way (holdAfter): resuming without the hold is intended.
    const resumed = await eddy([...args, "--allow-config-change"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const readBack = (name: string) =>
      readdirSync(join(dir, name))
        .filter((f) => f.startsWith("part-"))
        .flatMap((f) => readFileSync(join(dir, name, f), "utf8").split("\n"))
        .filter((l) => l.length > 0)
        .sort();
    const resumedLines = readBack("out");

    const again = await eddy(args);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /0 records read/, "a finished job reads nothing when run again");
    assert.deepEqual(readBack("out"), resumedLines);

    const fresh = await eddy([...argsFor("fresh-checkpoints", "fresh"), "--fresh"]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.deepEqual(
      readBack("fresh"),
      resumedLines,
      "the stopped-and-resumed run committed what a fresh run commits",
    );
  } finally {
    await killLeftovers();
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(REPO_ROOT, ".eddy", "savepoints", "crash-job"), { recursive: true, force: true });
  }
});

test("SIGTERM stops a checkpointing job with a savepoint; --from-savepoint resumes it exactly", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-cli-savepoint-"));
  try {
    const common = ["--set", "records=100000", "--set", "rate=40000", "--checkpoint-interval", "100"];
    const readBack = (name: string) =>
      readdirSync(join(dir, name))
        .filter((f) => f.startsWith("part-"))
        .flatMap((f) => readFileSync(join(dir, name, f), "utf8").split("\n"))
        .filter((l) => l.length > 0)
        .sort();
    const reference = await eddy([
      "run",
      JOB,
      ...common,
      "--checkpoint-dir",
      join(dir, "ref-checkpoints"),
      "--set",
      `output=${join(dir, "ref")}`,
    ]);
    assert.equal(reference.code, 0, reference.stderr);

    const args = [
      "run",
      JOB,
      ...common,
      "--checkpoint-dir",
      join(dir, "checkpoints"),
      "--set",
      `output=${join(dir, "out")}`,
    ];
    const child = spawnHeld([...args, ...HOLD]);
    const done = finished(child);
    await untilCheckpoints(child, join(dir, "checkpoints"), 2);
    child.kill("SIGTERM");
    const stopped = await done;
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stderr, /job 'crash-job' stopped after/, "stopped mid-input, not finished");
    const match = /savepoint written to (\S+)/.exec(stopped.stderr);
    assert.ok(match, stopped.stderr);
    const savepoint = match[1];

    const resumed = await eddy([...args, "--fresh", "--from-savepoint", savepoint]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(readBack("out"), readBack("ref"));
  } finally {
    await killLeftovers();
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(REPO_ROOT, ".eddy", "savepoints", "crash-job"), { recursive: true, force: true });
  }
});

test("eddy savepoint asks a running job for a savepoint over its loopback control endpoint, and --stop stops it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-cli-control-"));
  try {
    const args = [
      "run",
      JOB,
      "--set",
      "records=100000",
      "--set",
      "rate=40000",
      ...HOLD,
      "--checkpoint-interval",
      "100",
      "--checkpoint-dir",
      join(dir, "checkpoints"),
      "--set",
      `output=${join(dir, "out")}`,
    ];
    const child = spawnHeld(args);
    const done = finished(child);
    const registration = join(REPO_ROOT, ".eddy", "jobs", "crash-job.json");
    await untilRegistered(child, registration);

    const taken = await eddy(["savepoint", "crash-job", "--dir", join(dir, "savepoints")]);
    assert.equal(taken.code, 0, taken.stderr);
    const first = taken.stdout.trim();
    assert.ok(existsSync(join(first, "_savepoint.json")), first);

    const stopped = await eddy(["savepoint", "crash-job", "--stop", "--dir", join(dir, "savepoints")]);
    assert.equal(stopped.code, 0, stopped.stderr);
    const run = await done;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /job 'crash-job' stopped after/, "--stop stopped it mid-input");
    assert.ok(!existsSync(registration), "the registration is removed when the job ends");

    const missing = await eddy(["savepoint", "crash-job"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no running job 'crash-job' here/);
  } finally {
    await killLeftovers();
    rmSync(dir, { recursive: true, force: true });
  }
});

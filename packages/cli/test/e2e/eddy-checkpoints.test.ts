// `eddy run` with checkpoints: a stopped job resumes from its latest checkpoint when run again,
// a finished one does not run again, and --fresh starts over.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseCommandLine } from "../../src/command-line.ts";
import { eddy, finished, REPO_ROOT, spawnEddy } from "./run-eddy.ts";

const JOB = "test/e2e/fixtures/crash-job.ts";

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
    const first = spawnEddy(args);
    const firstDone = finished(first);
    // Stop once a few checkpoints exist.
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      let names: string[] = [];
      try {
        names = readdirSync(join(dir, "checkpoints"));
      } catch {}
      if (names.length >= 2) break;
    }
    first.kill("SIGTERM");
    const stopped = await firstDone;
    assert.equal(stopped.code, 0, stopped.stderr);

    const resumed = await eddy(args);
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
    const child = spawnEddy(args);
    const done = finished(child);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      let names: string[] = [];
      try {
        names = readdirSync(join(dir, "checkpoints"));
      } catch {}
      if (names.length >= 2) break;
    }
    child.kill("SIGTERM");
    const stopped = await done;
    assert.equal(stopped.code, 0, stopped.stderr);
    const match = /savepoint written to (\S+)/.exec(stopped.stderr);
    assert.ok(match, stopped.stderr);
    const savepoint = match[1];

    const resumed = await eddy([...args, "--fresh", "--from-savepoint", savepoint]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(readBack("out"), readBack("ref"));
  } finally {
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
      "records=400000",
      "--set",
      "rate=40000",
      "--checkpoint-interval",
      "100",
      "--checkpoint-dir",
      join(dir, "checkpoints"),
      "--set",
      `output=${join(dir, "out")}`,
    ];
    const child = spawnEddy(args);
    const done = finished(child);
    // Wait until the job has registered its control endpoint.
    const registration = join(REPO_ROOT, ".eddy", "jobs", "crash-job.json");
    while (!existsSync(registration)) await new Promise((resolve) => setTimeout(resolve, 50));

    const taken = await eddy(["savepoint", "crash-job", "--dir", join(dir, "savepoints")]);
    assert.equal(taken.code, 0, taken.stderr);
    const first = taken.stdout.trim();
    assert.ok(existsSync(join(first, "_savepoint.json")), first);

    const stopped = await eddy(["savepoint", "crash-job", "--stop", "--dir", join(dir, "savepoints")]);
    assert.equal(stopped.code, 0, stopped.stderr);
    const run = await done;
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!existsSync(registration), "the registration is removed when the job ends");

    const missing = await eddy(["savepoint", "crash-job"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no running job 'crash-job' here/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

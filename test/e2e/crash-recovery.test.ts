// Exactly-once recovery: the job runs as a child process and is killed with SIGKILL at random
// moments, at least ten times, and restarted each time from its latest checkpoint. When its input
// is exhausted, the committed output must equal an uninterrupted run's, byte for byte after
// sorting: nothing lost, nothing duplicated.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const runner = new URL("./fixtures/run-with-checkpoints.ts", import.meta.url).pathname;
const jobModule = new URL("./fixtures/crash-job.ts", import.meta.url).pathname;

type Backend = "heap" | "lmdb";

function start(dir: string, parallelism: number, backend: Backend): ChildProcess {
  const records = 400_000;
  const config = JSON.stringify({
    output: join(dir, "out"),
    records,
    rate: 50_000,
    stateBackend: backend,
    stateDir: join(dir, "state"),
  });
  return spawn(
    process.execPath,
    ["--import", "tsx", runner, jobModule, join(dir, "checkpoints"), config, String(parallelism)],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
}

function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stderr })));
}

function committedLines(dir: string): string[] {
  const out = join(dir, "out");
  return readdirSync(out)
    .filter((name) => name.startsWith("part-"))
    .flatMap((name) => readFileSync(join(out, name), "utf8").split("\n"))
    .filter((line) => line.length > 0)
    .sort();
}

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function randomSequence(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
}

/** The newest complete checkpoint in the run's checkpoint directory (0 for none). */
function latestCheckpoint(dir: string): number {
  let latest = 0;
  try {
    for (const name of readdirSync(join(dir, "checkpoints"))) {
      const match = /^chk-(\d+)$/.exec(name);
      if (match && existsSync(join(dir, "checkpoints", name, "_metadata")))
        latest = Math.max(latest, Number(match[1]));
    }
  } catch {}
  return latest;
}

/**
 * When to kill a run: sometimes during start-up, otherwise after it has completed 1 to 3 new
 * checkpoints plus a random moment. Counting checkpoints rather than milliseconds keeps the
 * test meaningful on a slow or busy machine: every run is killed somewhere else, and runs make
 * progress between kills.
 */
async function killAtRandomMoment(
  child: ChildProcess,
  dir: string,
  random: (n: number) => number,
): Promise<void> {
  const checkpoints = random(4);
  if (checkpoints > 0) {
    const target = latestCheckpoint(dir) + checkpoints;
    while (latestCheckpoint(dir) < target && child.exitCode === null) await sleep(10);
  }
  await sleep(random(checkpoints === 0 ? 800 : 150));
  child.kill("SIGKILL");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs until the job finishes, killing it `kills` times first; returns how the last run started. */
async function runToCompletion(
  dir: string,
  parallelism: number,
  backend: Backend,
  kills: number,
  seed: number,
): Promise<{ killed: number; restoredFrom: number }> {
  const random = randomSequence(seed);
  let killed = 0;
  for (;;) {
    const child = start(dir, parallelism, backend);
    const exit = exited(child);
    if (killed < kills) {
      void killAtRandomMoment(child, dir, random);
      const result = await exit;
      if (result.signal === "SIGKILL") {
        killed++;
        continue;
      }
      // It finished before the kill came: start over, so that it is killed often enough.
      assert.equal(result.code, 0, `the job failed: ${result.stderr}`);
      rmSync(dir, { recursive: true, force: true });
      killed = 0;
      continue;
    }
    const result = await exit;
    assert.equal(result.code, 0, `the job failed after ${killed} kills: ${result.stderr}`);
    const match = /restored-from=(\d+)/.exec(result.stderr);
    return { killed, restoredFrom: Number(match?.[1] ?? -1) };
  }
}

for (const backend of ["heap", "lmdb"] as const)
  for (const parallelism of [1, 2]) {
    test(`SIGKILL at random moments, restarted each time, commits exactly the uninterrupted output (${backend} backend, parallelism ${parallelism})`, async () => {
      const reference = mkdtempSync(join(tmpdir(), "eddy-crash-ref-"));
      const crashed = mkdtempSync(join(tmpdir(), "eddy-crash-"));
      try {
        const done = await exited(start(reference, parallelism, backend));
        assert.equal(done.code, 0, done.stderr);
        const expected = committedLines(reference);
        assert.ok(expected.length > 1000, `reference output has ${expected.length} lines`);

        const { killed, restoredFrom } = await runToCompletion(
          crashed,
          parallelism,
          backend,
          10,
          42 + parallelism,
        );
        assert.ok(killed >= 10, `killed ${killed} times`);
        assert.ok(restoredFrom > 0, "the last run resumed from a checkpoint");
        const actual = committedLines(crashed);
        assert.equal(actual.length, expected.length, "line count");
        assert.deepEqual(actual, expected);
      } finally {
        rmSync(reference, { recursive: true, force: true });
        rmSync(crashed, { recursive: true, force: true });
      }
    });
  }

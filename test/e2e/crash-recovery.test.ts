// Exactly-once recovery: the job runs as a child process and is killed with SIGKILL at random
// moments, at least ten times, and restarted each time from its latest checkpoint. When its input
// is exhausted, the committed output must equal an uninterrupted run's, byte for byte after
// sorting: nothing lost, nothing duplicated.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const runner = new URL("./fixtures/run-with-checkpoints.ts", import.meta.url).pathname;
const jobModule = new URL("./fixtures/crash-job.ts", import.meta.url).pathname;

function start(dir: string, parallelism: number): ChildProcess {
  // Worker threads start slower (each imports the job), so a parallel run gets more input.
  const records = parallelism > 1 ? 700_000 : 400_000;
  const config = JSON.stringify({ output: join(dir, "out"), records, rate: 50_000 });
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
/** Kill delays: past start-up (longer with worker threads), and short enough to kill often. */
function randomDelays(seed: number, startup: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return startup + (state % 1000);
  };
}

/** Runs until the job finishes, killing it `kills` times first; returns how the last run started. */
async function runToCompletion(
  dir: string,
  parallelism: number,
  kills: number,
  seed: number,
): Promise<{ killed: number; restores: number[] }> {
  const delay = randomDelays(seed, parallelism > 1 ? 1600 : 500);
  let killed = 0;
  const restores: number[] = [];
  for (;;) {
    const child = start(dir, parallelism);
    const exit = exited(child);
    if (killed < kills) {
      const timer = setTimeout(() => child.kill("SIGKILL"), delay());
      const result = await exit;
      clearTimeout(timer);
      if (result.signal === "SIGKILL") {
        killed++;
        continue;
      }
      // It finished before the kill came: start over, so that it is killed often enough.
      assert.equal(result.code, 0, `the job failed: ${result.stderr}`);
      rmSync(dir, { recursive: true, force: true });
      killed = 0;
      restores.length = 0;
      continue;
    }
    const result = await exit;
    assert.equal(result.code, 0, `the job failed after ${killed} kills: ${result.stderr}`);
    const match = /restored-from=(\d+)/.exec(result.stderr);
    restores.push(Number(match?.[1] ?? -1));
    return { killed, restores };
  }
}

for (const parallelism of [1, 2]) {
  test(`SIGKILL at random moments, restarted each time, commits exactly the uninterrupted output (parallelism ${parallelism})`, async () => {
    const reference = mkdtempSync(join(tmpdir(), "eddy-crash-ref-"));
    const crashed = mkdtempSync(join(tmpdir(), "eddy-crash-"));
    try {
      const done = await exited(start(reference, parallelism));
      assert.equal(done.code, 0, done.stderr);
      const expected = committedLines(reference);
      assert.ok(expected.length > 1000, `reference output has ${expected.length} lines`);

      const { killed, restores } = await runToCompletion(crashed, parallelism, 10, 42 + parallelism);
      assert.ok(killed >= 10, `killed ${killed} times`);
      assert.ok(restores[0] > 0, "the last run resumed from a checkpoint");
      const actual = committedLines(crashed);
      assert.equal(actual.length, expected.length, "line count");
      assert.deepEqual(actual, expected);
    } finally {
      rmSync(reference, { recursive: true, force: true });
      rmSync(crashed, { recursive: true, force: true });
    }
  });
}

// Helpers of the crash tests (test/e2e/crash-recovery.test.ts, packages/cep/test/crash-recovery.test.ts):
// run a job module as a child process with checkpoints (fixtures/run-with-checkpoints.ts), kill it
// with SIGKILL at random moments, restart it from its latest checkpoint each time, and read what
// its exactly-once file sinks committed.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const runner = new URL("./fixtures/run-with-checkpoints.ts", import.meta.url).pathname;

export type Backend = "heap" | "lmdb";

/**
 * Starts `jobModule` with checkpoints in `<dir>/checkpoints`, resuming from the latest one there.
 * The job's config is `config` as JSON; its stderr is piped (see `exited`).
 */
export function startJob(
  dir: string,
  jobModule: string,
  config: Record<string, unknown>,
  parallelism: number,
): ChildProcess {
  return spawn(
    process.execPath,
    [
      "--conditions=eddy-source",
      "--import",
      "tsx",
      runner,
      jobModule,
      join(dir, "checkpoints"),
      JSON.stringify(config),
      String(parallelism),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
}

export function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stderr })));
}

/** The lines an exactly-once file sink committed into `out` (its part-* files), sorted. */
export function committedLines(out: string): string[] {
  if (!existsSync(out)) return [];
  return readdirSync(out)
    .filter((name) => name.startsWith("part-"))
    .flatMap((name) => readFileSync(join(out, name), "utf8").split("\n"))
    .filter((line) => line.length > 0)
    .sort();
}

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
export function randomSequence(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
}

/** The newest complete checkpoint in the run's checkpoint directory (0 for none). */
export function latestCheckpoint(dir: string): number {
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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * When to kill a run: sometimes during start-up, otherwise after it has completed 1 to 3 new
 * checkpoints plus a random moment. Counting checkpoints rather than milliseconds keeps the
 * test meaningful on a slow or busy machine: every run is killed somewhere else, and runs make
 * progress between kills.
 */
export async function killAtRandomMoment(
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

/**
 * Runs until the job finishes, killing it `kills` times first; returns how the last run started.
 * `start(dir, held)` starts one run of the job (with `startJob`) writing into `dir`; `held` says
 * the run is one to be killed, so it should hold its input part-way (the fixtures' `holdAfter`):
 * then it cannot finish before the kill comes, however slow the machine.
 */
export async function runToCompletion(
  dir: string,
  start: (dir: string, held: boolean) => ChildProcess,
  kills: number,
  seed: number,
): Promise<{ killed: number; restoredFrom: number; starts: number }> {
  const random = randomSequence(seed);
  let killed = 0;
  let starts = 0;
  for (;;) {
    const child = start(dir, killed < kills);
    starts++;
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
    return { killed, restoredFrom: Number(match?.[1] ?? -1), starts };
  }
}

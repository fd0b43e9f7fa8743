/**
 * What the lifecycle tests share: the crash job's command line, reading what its exactly-once
 * sink committed, waiting for a checkpoint to complete (an event, never a fixed delay), and
 * flipping a byte of a checkpoint's task files.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

export const CRASH_JOB = "test/e2e/fixtures/crash-job.ts";

/**
 * The job's name in runs under `dir`: its own, so that tests running at the same time do not share
 * `.eddy/jobs/<name>.json` or `.eddy/savepoints/<name>` in the repository.
 */
export function jobNameFor(dir: string): string {
  return `crash-${basename(dir)}`;
}

/** `eddy run` of the crash job writing into `<dir>/<output>`, checkpointing into `<dir>/<checkpoints>`. */
export function crashJobArgs(
  dir: string,
  options: { output?: string; checkpoints?: string | false; records?: number; rate?: number } = {},
): string[] {
  const args = [
    "run",
    CRASH_JOB,
    "--set",
    `output=${join(dir, options.output ?? "out")}`,
    "--set",
    `records=${options.records ?? 60_000}`,
    "--set",
    `rate=${options.rate ?? 40_000}`,
    "--set",
    `name=${jobNameFor(dir)}`,
  ];
  if (options.checkpoints !== false)
    args.push(
      "--checkpoint-interval",
      "100",
      "--checkpoint-dir",
      join(dir, options.checkpoints ?? "checkpoints"),
    );
  return args;
}

/** The lines an exactly-once file sink committed into `dir` (its part-* files), sorted. */
export function committedLines(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith("part-"))
    .flatMap((name) => readFileSync(join(dir, name), "utf8").split("\n"))
    .filter((line) => line.length > 0)
    .sort();
}

/** Ids of the complete checkpoints (with `_metadata`) in `dir`. */
export function completeCheckpoints(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => /^chk-(\d+)$/.exec(name))
    .filter((m) => m !== null && existsSync(join(dir, m[0], "_metadata")))
    .map((m) => Number(m![1]));
}

/** Resolves once `condition` holds, checking whenever the event loop is free; fails if `alive` turns false first. */
export async function waitUntil(condition: () => boolean, alive: () => boolean, what: string): Promise<void> {
  while (!condition()) {
    if (!alive()) throw new Error(`the process ended before ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Flips one byte in a task file (the metadata of a checkpoint without task files) of every
 * complete checkpoint in `dir`, or of those in `only`; returns the ids touched.
 */
export function corruptEveryCheckpoint(dir: string, only?: readonly number[]): number[] {
  const ids = [...(only ?? completeCheckpoints(dir))];
  for (const id of ids) {
    const chk = join(dir, `chk-${id}`);
    const files = readdirSync(chk).filter((f) => f !== "_metadata");
    const target = files.length > 0 ? join(chk, files[0]) : join(chk, "_metadata");
    const bytes = readFileSync(target);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(target, bytes);
  }
  return ids;
}

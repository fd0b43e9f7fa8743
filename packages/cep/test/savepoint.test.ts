// Savepoints of CEP: stop the pattern job with a savepoint while partial matches are open (and
// events wait for the watermark), resume at the same parallelism, then 2 -> 3 and 3 -> 1, and the
// committed matches and timed-out partial matches equal an uninterrupted run's. Resuming with
// another pattern under the same uid fails with PatternGraphChangedError instead of matching the
// old partial matches with the new NFA.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PatternGraphChangedError } from "@eddy/cep";
import {
  JobControl,
  type JobProgress,
  type JobResult,
  loadJobModule,
  readSavepoint,
  runJob,
} from "@eddy/core";
// The savepoints move between the heap and LMDB: registers "lmdb" (the job fixture names it).
import "@eddy/state-lmdb";
import type { KeyNfaState } from "../src/nfa/computation-state.ts";

const jobModule = new URL("./fixtures/cep-crash-job.ts", import.meta.url).href;

type Backend = "heap" | "lmdb";

interface Step {
  backend: Backend;
  parallelism: number;
  variant?: string;
  errorHandling?: "fail" | "dead-letter";
  fromSavepoint?: string;
  /**
   * Stop with a savepoint once the source has read this many records in this run, mid-input: the
   * source holds at twice as many (a HeldSource), so the input cannot end before the stop however
   * slow the machine. Run to the end when absent.
   */
  stopAfterRecords?: number;
}

async function step(dir: string, s: Step): Promise<{ savepoint: string | undefined; result: JobResult }> {
  let read!: () => void;
  const readEnough = new Promise<void>((resolve) => {
    read = resolve;
  });
  const stopAfter = s.stopAfterRecords;
  const config = {
    ...(stopAfter === undefined ? {} : { holdAfter: 2 * stopAfter }),
    output: join(dir, "out"),
    records: 20_000,
    rate: 4_000,
    keys: 300,
    stateBackend: s.backend,
    stateDir: join(dir, "state"),
    variant: s.variant,
    errorHandling: s.errorHandling,
  };
  const control = new JobControl();
  const running = runJob(await loadJobModule(jobModule, { config }), {
    parallelism: s.parallelism,
    control,
    checkpointing: { dir: join(dir, "checkpoints"), intervalMs: 50, fromSavepoint: s.fromSavepoint },
    ...(stopAfter === undefined
      ? {}
      : {
          onProgress: (p: JobProgress) => {
            if ((p.operators.find((o) => o.uid === "events")?.recordsOut ?? 0) >= stopAfter) read();
          },
          progressIntervalMs: 10,
        }),
  });
  let savepoint: string | undefined;
  if (stopAfter !== undefined) {
    // A run that fails before it read enough (a refused restore) must not leave this waiting.
    await Promise.race([readEnough, running]);
    savepoint = await control.stopWithSavepoint(join(dir, "savepoints"));
  }
  const result = await running;
  assert.equal(result.stopped, stopAfter !== undefined, "stopped with the savepoint, or ran to the end");
  if (s.fromSavepoint !== undefined)
    assert.ok(result.restoredFrom !== undefined, "resumed from the savepoint");
  return { savepoint, result };
}

function committedLines(out: string): string[] {
  let names: string[];
  try {
    names = readdirSync(out);
  } catch {
    return [];
  }
  return names
    .filter((f) => f.startsWith("part-"))
    .flatMap((f) => readFileSync(join(out, f), "utf8").split("\n"))
    .filter((l) => l.length > 0)
    .sort();
}

function committed(dir: string): { matches: string[]; timeouts: string[]; late: string[] } {
  return {
    matches: committedLines(join(dir, "out", "matches")),
    timeouts: committedLines(join(dir, "out", "timeouts")),
    late: committedLines(join(dir, "out", "late")),
  };
}

/**
 * The events in one key's "cep.buffer" entry, whether it is a map state (its entry a Map from
 * timestamp to events) or a value state holding the events (an array, or an object with one).
 */
function bufferedEvents(buffer: unknown): number {
  if (buffer instanceof Map) {
    let n = 0;
    for (const events of buffer.values()) n += bufferedEvents(events);
    return n;
  }
  if (Array.isArray(buffer)) return buffer.length;
  const events = (buffer as { events?: unknown }).events;
  return Array.isArray(events) ? events.length : 0;
}

/** What the CEP operator holds in a savepoint: live partial matches and events awaiting the watermark. */
async function openInSavepoint(path: string): Promise<{ keys: number; partials: number; buffered: number }> {
  const checkpoint = await readSavepoint(path);
  let keys = 0;
  let partials = 0;
  let buffered = 0;
  for (const task of checkpoint.tasks)
    for (const op of task.operators) {
      if (op.uid !== "cep" || op.keyed === undefined) continue;
      for (const group of Object.values(op.keyed.groups)) {
        for (const [, state] of group.states["cep.nfa"] ?? []) {
          keys++;
          partials += (state as KeyNfaState).partials.filter((cs) => cs.startId !== -1).length;
        }
        for (const [, buffer] of group.states["cep.buffer"] ?? []) buffered += bufferedEvents(buffer);
      }
    }
  return { keys, partials, buffered };
}

async function assertOpenPatterns(savepoint: string | undefined, what: string): Promise<void> {
  assert.ok(savepoint !== undefined);
  const open = await openInSavepoint(savepoint);
  assert.ok(open.keys >= 50, `${what}: ${open.keys} keys with partial matches in the savepoint`);
  assert.ok(open.partials >= 50, `${what}: ${open.partials} partial matches in the savepoint`);
  assert.ok(open.buffered > 0, `${what}: ${open.buffered} events awaiting the watermark in the savepoint`);
}

for (const backend of ["heap", "lmdb"] as const)
  test(`CEP: stop with a savepoint mid-pattern, resume at 2, then 2 -> 3 and 3 -> 1: matches and timeouts equal an uninterrupted run's (${backend} backend)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "eddy-cep-savepoint-"));
    try {
      await step(join(dir, "reference"), { backend, parallelism: 2 });
      const expected = committed(join(dir, "reference"));
      assert.ok(expected.matches.length > 1_000, `reference has ${expected.matches.length} matches`);
      assert.ok(expected.timeouts.length > 1_000, `reference has ${expected.timeouts.length} timeouts`);
      assert.deepEqual(expected.late, []);

      const chain = join(dir, "chain");
      const first = await step(chain, { backend, parallelism: 2, stopAfterRecords: 2_800 });
      await assertOpenPatterns(first.savepoint, "first savepoint (parallelism 2)");
      const second = await step(chain, {
        backend,
        parallelism: 2,
        fromSavepoint: first.savepoint,
        stopAfterRecords: 2_800,
      });
      await assertOpenPatterns(second.savepoint, "second savepoint (parallelism 2)");
      const third = await step(chain, {
        backend,
        parallelism: 3,
        fromSavepoint: second.savepoint,
        stopAfterRecords: 2_800,
      });
      await assertOpenPatterns(third.savepoint, "third savepoint (parallelism 3)");
      const last = await step(chain, { backend, parallelism: 1, fromSavepoint: third.savepoint });
      // The gauges count restored keys once they are touched: at the end nothing is open.
      const metrics = last.result.operators.find((op) => op.uid === "cep")?.metrics ?? {};
      assert.equal(metrics["cep.partialMatches"], 0, JSON.stringify(metrics));
      assert.equal(metrics["cep.bufferedEvents"], 0, JSON.stringify(metrics));

      const actual = committed(chain);
      assert.equal(actual.matches.length, expected.matches.length, "match count");
      assert.equal(actual.timeouts.length, expected.timeouts.length, "timeout count");
      assert.deepEqual(actual.matches, expected.matches);
      assert.deepEqual(actual.timeouts, expected.timeouts);
      assert.deepEqual(actual.late, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

for (const errorHandling of ["fail", "dead-letter"] as const)
  test(`CEP: resuming open partial matches with another pattern fails with PatternGraphChangedError, committing nothing (errorHandling ${errorHandling})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "eddy-cep-savepoint-"));
    try {
      const { savepoint } = await step(dir, { backend: "heap", parallelism: 2, stopAfterRecords: 2_000 });
      await assertOpenPatterns(savepoint, "savepoint");
      const before = committed(dir);
      let failure: unknown;
      await assert.rejects(
        step(dir, {
          backend: "heap",
          parallelism: 2,
          variant: "changed-pattern",
          errorHandling,
          fromSavepoint: savepoint,
        }),
        (error: unknown) => {
          failure = error;
          return true;
        },
      );
      // The error names the problem: the cause chain holds the PatternGraphChangedError.
      const chain: unknown[] = [];
      for (let e = failure; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause)
        chain.push(e);
      const changed = chain.find((e) => e instanceof PatternGraphChangedError) as Error | undefined;
      assert.ok(
        changed !== undefined,
        `a PatternGraphChangedError in the cause chain of: ${chain.map((e) => String(e)).join(" <- ")}`,
      );
      assert.match(changed.message, /partial matches in state were made by another pattern/);
      assert.match(String((failure as Error).message), /cep/, "the failure names the operator");
      // No match of the new pattern over the old partial matches was committed.
      assert.deepEqual(committed(dir), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

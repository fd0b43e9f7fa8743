// Savepoints: stop a job with a savepoint, change it (an operator added, parallelism 2 -> 3 -> 1,
// an operator removed with allowNonRestoredState), resume, and the committed output equals an
// uninterrupted run's. A savepoint describes itself, and one of another job is refused.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { RestoreCompatibilityError } from "../../src/checkpoint/compatibility.ts";
import {
  FileSource,
  Job,
  JobControl,
  type JobProgress,
  loadJobModule,
  runJob,
  type SavepointDescription,
} from "../../src/index.ts";

const jobModule = new URL("../../../../test/e2e/fixtures/crash-job.ts", import.meta.url).href;

function committed(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith("part-"))
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n"))
    .filter((l) => l.length > 0)
    .sort();
}

interface Step {
  variant?: string;
  parallelism: number;
  fromSavepoint?: string;
  allowNonRestoredState?: boolean;
  /**
   * Stop with a savepoint once the source has read this many records in this run, mid-input: the
   * source holds at twice as many (a HeldSource), so the input cannot end before the stop however
   * slow the machine. Run to the end when absent.
   */
  stopAfterRecords?: number;
}

/** Resolves when the source of the running job has read at least `records` records in this run. */
function sourceRead(records: number): { onProgress: (p: JobProgress) => void; reached: Promise<void> } {
  let reached!: () => void;
  const promise = new Promise<void>((resolve) => {
    reached = resolve;
  });
  return {
    onProgress: (p) => {
      if ((p.operators.find((o) => o.uid === "events")?.recordsOut ?? 0) >= records) reached();
    },
    reached: promise,
  };
}

async function step(dir: string, s: Step): Promise<string | undefined> {
  const stopping = s.stopAfterRecords === undefined ? undefined : sourceRead(s.stopAfterRecords);
  const config = {
    output: join(dir, "out"),
    records: 80_000,
    rate: 80_000,
    variant: s.variant,
    ...(s.stopAfterRecords === undefined ? {} : { holdAfter: 2 * s.stopAfterRecords }),
  };
  const control = new JobControl();
  const running = runJob(await loadJobModule(jobModule, { config }), {
    parallelism: s.parallelism,
    control,
    onProgress: stopping?.onProgress,
    progressIntervalMs: 10,
    checkpointing: {
      dir: join(dir, "checkpoints"),
      // Frequent checkpoints, so that one would often follow a savepoint if a stop allowed it.
      intervalMs: 10,
      fromSavepoint: s.fromSavepoint,
      allowNonRestoredState: s.allowNonRestoredState,
    },
  });
  let savepoint: string | undefined;
  if (stopping !== undefined) {
    // A run that ends or fails before it read enough must not leave this waiting.
    await Promise.race([stopping.reached, running]);
    savepoint = await control.stopWithSavepoint(join(dir, "savepoints"));
  }
  const result = await running;
  assert.equal(result.stopped, stopping !== undefined);
  if (s.fromSavepoint !== undefined) assert.ok(result.restoredFrom !== undefined);
  return savepoint;
}

async function reference(dir: string, variant?: string): Promise<string[]> {
  await step(join(dir, `reference-${variant ?? "base"}`), { parallelism: 2, variant });
  return committed(join(dir, `reference-${variant ?? "base"}`, "out"));
}

test("stop with a savepoint, add an operator, rescale 2 -> 3 -> 1: the output equals an uninterrupted run's", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-savepoint-"));
  try {
    const expected = await reference(dir);
    const chain = join(dir, "chain");
    const first = await step(chain, { parallelism: 2, stopAfterRecords: 12_000 });
    assert.ok(first !== undefined && existsSync(join(first, "_metadata")));
    const description = JSON.parse(
      readFileSync(join(first, "_savepoint.json"), "utf8"),
    ) as SavepointDescription;
    assert.equal(description.jobName, "crash-job");
    assert.equal(description.codec, "v8-structured-clone");
    const counts = description.operators.find((o) => o.uid === "counts")!;
    assert.deepEqual(counts.states, { count: "value", buckets: "map" });
    assert.ok(counts.keyGroups.length > 0);
    assert.equal(description.operators.find((o) => o.uid === "events")?.sourceSplits, 1);

    const second = await step(chain, {
      parallelism: 3,
      variant: "with-extra-operator",
      fromSavepoint: first,
      stopAfterRecords: 12_000,
    });
    await step(chain, { parallelism: 1, variant: "with-extra-operator", fromSavepoint: second });
    assert.deepEqual(committed(join(chain, "out")), expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("removing a stateful operator needs allowNonRestoredState; then the rest resumes exactly", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-savepoint-"));
  try {
    const expected = await reference(dir);
    const chain = join(dir, "chain");
    const savepoint = await step(chain, { parallelism: 2, stopAfterRecords: 12_000 });
    await assert.rejects(
      step(chain, { parallelism: 2, variant: "without-windows", fromSavepoint: savepoint }),
      (error: unknown) =>
        error instanceof RestoreCompatibilityError &&
        /uid 'windows' has state/.test(error.problems.join("\n")),
    );
    await step(chain, {
      parallelism: 2,
      variant: "without-windows",
      fromSavepoint: savepoint,
      allowNonRestoredState: true,
    });
    const actual = committed(join(chain, "out"));
    const isWindow = (line: string) => line.includes('"t":"window"');
    assert.deepEqual(
      actual.filter((l) => !isWindow(l)),
      expected.filter((l) => !isWindow(l)),
    );
    const expectedWindows = new Set(expected.filter(isWindow));
    assert.ok(
      actual.filter(isWindow).every((l) => expectedWindows.has(l)),
      "window rows from before the savepoint",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a savepoint of another job is matched by operator uid: the name is a warning, foreign state is refused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-savepoint-"));
  try {
    const savepoint = await step(dir, { parallelism: 1, stopAfterRecords: 8_000 });
    const other = Job.create({ name: "another-job" });
    other.fromElements(1, 2, 3).collect();
    const warnings: string[] = [];
    await assert.rejects(
      runJob(other, {
        checkpointing: { dir: join(dir, "other"), fromSavepoint: savepoint },
        onWarning: (w) => warnings.push(w),
      }),
      /operator uid 'counts' has state in the checkpoint but is not in the job/,
    );
    assert.ok(
      warnings.some((w) => /was taken of job 'crash-job' and is restored into 'another-job'/.test(w)),
      warnings.join("\n"),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a source with nothing to read does not hold back a savepoint (a followed file gone quiet)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-quiet-source-"));
  try {
    const input = join(dir, "in.ndjson");
    writeFileSync(input, `${[1, 2, 3].map((n) => JSON.stringify({ n })).join("\n")}\n`);
    const job = Job.create({ name: "quiet-source" });
    let read = 0; // in-thread run: the map below counts here
    // The event the savepoint waits for: the reader polled and found nothing after the three lines.
    let quiet!: () => void;
    const wentQuiet = new Promise<void>((resolve) => {
      quiet = resolve;
    });
    const followed = FileSource.ndjson<{ n: number }>([input], { follow: true });
    const createReader = followed.createReader.bind(followed);
    followed.createReader = (context) => {
      const reader = createReader(context);
      const pollNext = reader.pollNext.bind(reader);
      reader.pollNext = (output) => {
        const status = pollNext(output);
        if (status === "nothing-available" && read === 3) quiet();
        return status;
      };
      return reader;
    };
    job
      .fromSource(followed, undefined, "followed")
      .uid("followed")
      .map((r) => {
        read++;
        return r;
      })
      .keyBy((r) => r.n % 2)
      .collect();
    const control = new JobControl();
    const running = runJob(job, {
      control,
      // no periodic checkpoints, and a timeout far below the test's: only the savepoint is taken
      checkpointing: { dir: join(dir, "checkpoints"), intervalMs: 3_600_000, timeoutMs: 20_000 },
    });
    await wentQuiet;
    const savepoint = await control.stopWithSavepoint(join(dir, "savepoints"));
    assert.ok(existsSync(join(savepoint, "_savepoint.json")), savepoint);
    const result = await running;
    assert.equal(result.stopped, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

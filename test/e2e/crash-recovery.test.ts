// Exactly-once recovery: the job runs as a child process and is killed with SIGKILL at random
// moments, at least ten times, and restarted each time from its latest checkpoint. When its input
// is exhausted, the committed output must equal an uninterrupted run's, byte for byte after
// sorting: nothing lost, nothing duplicated.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type Backend, committedLines, exited, runToCompletion, startJob } from "./crash-harness.ts";

const jobModule = new URL("./fixtures/crash-job.ts", import.meta.url).pathname;

function start(dir: string, parallelism: number, backend: Backend, held = false) {
  return startJob(
    dir,
    jobModule,
    {
      output: join(dir, "out"),
      records: 400_000,
      rate: 50_000,
      stateBackend: backend,
      stateDir: join(dir, "state"),
      // A run to be killed reads at most 20,000 records: ten of them leave the last half to read.
      ...(held ? { holdAfter: 20_000 } : {}),
    },
    parallelism,
  );
}

for (const backend of ["heap", "lmdb"] as const)
  for (const parallelism of [1, 2]) {
    test(`SIGKILL at random moments, restarted each time, commits exactly the uninterrupted output (${backend} backend, parallelism ${parallelism})`, async () => {
      const reference = mkdtempSync(join(tmpdir(), "eddy-crash-ref-"));
      const crashed = mkdtempSync(join(tmpdir(), "eddy-crash-"));
      try {
        const done = await exited(start(reference, parallelism, backend));
        assert.equal(done.code, 0, done.stderr);
        const expected = committedLines(join(reference, "out"));
        assert.ok(expected.length > 1000, `reference output has ${expected.length} lines`);

        const { killed, restoredFrom } = await runToCompletion(
          crashed,
          (dir, held) => start(dir, parallelism, backend, held),
          10,
          42 + parallelism,
        );
        assert.ok(killed >= 10, `killed ${killed} times`);
        assert.ok(restoredFrom > 0, "the last run resumed from a checkpoint");
        const actual = committedLines(join(crashed, "out"));
        assert.equal(actual.length, expected.length, "line count");
        assert.deepEqual(actual, expected);
      } finally {
        rmSync(reference, { recursive: true, force: true });
        rmSync(crashed, { recursive: true, force: true });
      }
    });
  }

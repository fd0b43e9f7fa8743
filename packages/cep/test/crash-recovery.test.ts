// Exactly-once recovery of CEP: a pattern job (a loop, a notFollowedBy, a `within` window, so there
// are timeouts) runs as a child process over a bounded, seeded, out-of-order input and is killed
// with SIGKILL at random moments, at least ten times, and restarted each time from its latest
// checkpoint. With 300 keys and a window of about ten events per key (0.6 s of input), most keys
// hold partial matches and events waiting for the watermark at any moment, so every kill after
// the first checkpoint falls in the middle of patterns (the savepoint test counts them in its
// savepoints). When the input is exhausted, the committed matches and timed-out partial matches
// must equal an uninterrupted run's (sorted): nothing lost, nothing duplicated. Heap and LMDB
// backends, parallelism 1 and 2.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  type Backend,
  committedLines,
  exited,
  runToCompletion,
  startJob,
} from "../../../test/e2e/crash-harness.ts";

const jobModule = new URL("./fixtures/cep-crash-job.ts", import.meta.url).pathname;

function start(dir: string, parallelism: number, backend: Backend, held = false) {
  return startJob(
    dir,
    jobModule,
    {
      output: join(dir, "out"),
      // A run to be killed reads at most 4,000 records (it holds there until killed): ten of them
      // leave the last half of the input to read, so the job is never done before ten kills.
      ...(held ? { holdAfter: 4_000 } : {}),
      records: 80_000,
      rate: 5_000,
      keys: 300,
      stateBackend: backend,
      stateDir: join(dir, "state"),
    },
    parallelism,
  );
}

interface Output {
  matches: string[];
  timeouts: string[];
  late: string[];
}

function committed(dir: string): Output {
  return {
    matches: committedLines(join(dir, "out", "matches")),
    timeouts: committedLines(join(dir, "out", "timeouts")),
    late: committedLines(join(dir, "out", "late")),
  };
}

/** Equal sorted line lists; a failure names the counts and a few lines lost and duplicated or extra. */
function assertSameLines(actual: string[], expected: string[], what: string): void {
  if (actual.length === expected.length && actual.every((line, i) => line === expected[i])) return;
  const count = (lines: string[]) => {
    const counts = new Map<string, number>();
    for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
    return counts;
  };
  const want = count(expected);
  const got = count(actual);
  const lost = [...want].filter(([line, n]) => (got.get(line) ?? 0) < n).map(([line]) => line);
  const extra = [...got].filter(([line, n]) => (want.get(line) ?? 0) < n).map(([line]) => line);
  assert.fail(
    `${what}: ${actual.length} committed, ${expected.length} expected; ` +
      `${lost.length} lost (e.g. ${lost.slice(0, 3).join(" ")}), ` +
      `${extra.length} duplicated or extra (e.g. ${extra.slice(0, 3).join(" ")})`,
  );
}

// The job's output does not depend on the backend or the parallelism (the test of each
// configuration would catch it if it did): one uninterrupted run is the reference for all.
const referenceDir = mkdtempSync(join(tmpdir(), "eddy-cep-crash-ref-"));
after(() => rmSync(referenceDir, { recursive: true, force: true }));
let reference: Promise<Output> | undefined;
function uninterrupted(): Promise<Output> {
  reference ??= (async () => {
    const done = await exited(start(referenceDir, 1, "heap"));
    assert.equal(done.code, 0, done.stderr);
    const output = committed(referenceDir);
    assert.ok(output.matches.length > 5_000, `reference has ${output.matches.length} matches`);
    assert.ok(output.timeouts.length > 5_000, `reference has ${output.timeouts.length} timeouts`);
    assert.deepEqual(
      output.late,
      [],
      "no event is late: the input's disorder is within the watermark's bound",
    );
    return output;
  })();
  return reference;
}

for (const backend of ["heap", "lmdb"] as const)
  for (const parallelism of [1, 2]) {
    test(`CEP: SIGKILL mid-pattern at random moments, restarted each time, commits exactly the uninterrupted matches and timeouts (${backend} backend, parallelism ${parallelism})`, async (t) => {
      const expected = await uninterrupted();
      const crashed = mkdtempSync(join(tmpdir(), "eddy-cep-crash-"));
      try {
        const began = Date.now();
        const { killed, restoredFrom, starts } = await runToCompletion(
          crashed,
          (dir, held) => start(dir, parallelism, backend, held),
          10,
          1042 + parallelism + (backend === "lmdb" ? 10 : 0),
        );
        t.diagnostic(
          `${starts} runs, ${killed} killed, the last restored from checkpoint ${restoredFrom}, ${Date.now() - began} ms`,
        );
        assert.ok(killed >= 10, `killed ${killed} times`);
        assert.ok(restoredFrom > 0, "the last run resumed from a checkpoint");
        const actual = committed(crashed);
        assertSameLines(actual.matches, expected.matches, "matches");
        assertSameLines(actual.timeouts, expected.timeouts, "timed-out partial matches");
        assert.deepEqual(actual.late, []);
      } finally {
        rmSync(crashed, { recursive: true, force: true });
      }
    });
  }

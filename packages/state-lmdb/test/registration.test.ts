// Importing @eddy/state-lmdb registers "lmdb": a job naming it runs on LMDB in this thread and on
// worker threads (which import the registering module before the job module, since the job module
// does not import it), with the same counts as on the heap; the factory object works as well.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Job, loadJobModule, runJob, runJobModule } from "@eddy/core";
import { lmdbStateBackend } from "@eddy/state-lmdb";

const root = mkdtempSync(join(tmpdir(), "eddy-lmdb-registration-"));
after(() => rmSync(root, { recursive: true, force: true }));
const jobModule = new URL("./fixtures/lmdb-by-name-job.ts", import.meta.url).href;

/** The last (largest) running count of each key. */
function finalCounts(records: { key: string; n: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.key] = Math.max(out[r.key] ?? 0, r.n);
  return out;
}

describe("the lmdb backend by name", () => {
  for (const parallelism of [1, 2])
    it(`runs a job that names "lmdb" without importing it (parallelism ${parallelism})`, async () => {
      const stateDir = join(root, `by-name-${parallelism}`);
      const config = { stateDir };
      const result =
        parallelism === 1
          ? await runJob(await loadJobModule(jobModule, { config }))
          : await runJobModule(jobModule, { parallelism, config });
      const counts = finalCounts(result.collected<{ key: string; n: number }>("counts"));
      assert.equal(Object.keys(counts).length, 41);
      assert.equal(
        Object.values(counts).reduce((a, b) => a + b, 0),
        3000,
      );
      // LMDB was used (its job directory was made) and cleaned up after itself.
      assert.ok(existsSync(join(stateDir, "lmdb-by-name")));
      assert.deepEqual(readdirSync(join(stateDir, "lmdb-by-name")), []);
    });

  it("runs with the factory object as stateBackend", async () => {
    const stateDir = join(root, "object");
    const job = Job.create({ name: "lmdb-object", stateBackend: lmdbStateBackend, stateDir });
    const out = job
      .fromElements(...Array.from({ length: 1000 }, (_, i) => ({ key: `k${i % 13}`, n: 1 })))
      .keyBy((r) => r.key)
      .reduce((a, b) => ({ key: a.key, n: a.n + b.n }))
      .collect();
    const counts = finalCounts((await runJob(job)).collected(out));
    assert.equal(
      Object.values(counts).reduce((a, b) => a + b, 0),
      1000,
    );
    assert.ok(existsSync(join(stateDir, "lmdb-object")));
  });
});

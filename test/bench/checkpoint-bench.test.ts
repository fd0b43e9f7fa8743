// The checkpoint benchmarks on small inputs: q5 with periodic checkpoints gives the same output as
// the hand-written loop, and the keyed-state benchmark's checkpoint restores every sampled key on
// both backends (it throws when a value is missing), with statistics that add up.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { measureKeyedStateCheckpoint } from "../../bench/checkpoint/keyed-state-checkpoint.ts";
import { runEddyImplementation, runImplementation } from "../../bench/nexmark/implementations.ts";
import { DIGEST_UID } from "../../bench/nexmark/nexmark-job.ts";
import { combineDigests, type DigestState } from "../../bench/nexmark/row-digest.ts";

describe("checkpoint benchmarks", () => {
  test("q5 with a checkpoint every 50 ms gives the hand-written loop's output", async () => {
    const spec = { query: "q5", events: 50_000, eventRate: 1000 };
    const dir = mkdtempSync(join(tmpdir(), "eddy-q5-checkpoints-"));
    try {
      const result = await runEddyImplementation(spec, "eddy-p1", { dir, intervalMs: 50, restore: "none" });
      assert.equal(
        combineDigests(result.collected<DigestState>(DIGEST_UID)),
        await runImplementation(spec, "hand-written"),
      );
      assert.ok(result.checkpoints.length >= 1, "at least one checkpoint completed during the run");
      for (const { stats } of result.checkpoints) {
        assert.ok(stats.bytes > 0);
        assert.ok(stats.syncMs <= stats.durationMs);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const backend of ["heap", "lmdb"] as const)
    test(`keyed state: checkpoint and restore of 20,000 keys (${backend})`, async () => {
      const r = await measureKeyedStateCheckpoint({ keys: 20_000, backend, samples: 500 });
      assert.equal(r.backend, backend);
      assert.equal(r.verifiedKeys, 500);
      // 20,000 keys of a "key-<n>" string and a number: more than 10 bytes a key.
      assert.ok(r.checkpoint.bytes > 20_000 * 10, `${r.checkpoint.bytes} bytes`);
      assert.ok(r.checkpoint.syncMs > 0 && r.checkpoint.syncMs <= r.checkpoint.durationMs);
      assert.ok(r.restoreMs > 0 && r.startMs > 0 && r.loadMs > 0);
    });
});

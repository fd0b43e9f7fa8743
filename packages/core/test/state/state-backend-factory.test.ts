// The state-backend seam: a job names a registered backend or passes a factory object; a named
// backend nobody registered fails the job when it starts, with a coded error saying what to
// install and import. Core registers only "heap" (this file never imports @eddy/state-lmdb).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Job, runJob, StateBackendNotRegisteredError } from "@eddy/core";
import {
  HeapKeyedStateBackend,
  type KeyedStateBackendContext,
  resolveStateBackend,
  type StateBackendFactory,
} from "@eddy/core/state-backend";

function keyedJob(stateBackend: Job["options"]["stateBackend"]) {
  const job = Job.create({ name: "seam", stateBackend });
  const out = job
    .fromElements(...Array.from({ length: 500 }, (_, i) => ({ key: `k${i % 7}`, n: 1 })))
    .keyBy((r) => r.key)
    .reduce((a, b) => ({ key: a.key, n: a.n + b.n }))
    .collect();
  return { job, out };
}

describe("state backend factories", () => {
  it('"lmdb" without @eddy/state-lmdb imported fails at start with EDDY_STATE_BACKEND_NOT_REGISTERED', async () => {
    const { job } = keyedJob("lmdb");
    await assert.rejects(runJob(job), (e: unknown) => {
      assert.ok(e instanceof StateBackendNotRegisteredError);
      assert.equal(e.code, "EDDY_STATE_BACKEND_NOT_REGISTERED");
      assert.match(e.message, /install @eddy\/state-lmdb/);
      assert.match(e.message, /import \W@eddy\/state-lmdb\W in the job module/);
      return true;
    });
  });

  it("a factory object makes one backend per keyed subtask and prepares the run once", async () => {
    const made: KeyedStateBackendContext[] = [];
    let prepared = 0;
    const factory: StateBackendFactory = {
      name: "counting-heap",
      createKeyedStateBackend(c) {
        made.push(c);
        return new HeapKeyedStateBackend(c.maxParallelism, c.range, c.clock, c.operatorName);
      },
      prepareRun: async () => {
        prepared++;
      },
    };
    const { job, out } = keyedJob(factory);
    const result = await runJob(job, { parallelism: 2 });
    // The reduce emits each key's running count; the last (largest) ones add up to every record.
    const finalCounts = new Map<string, number>();
    for (const r of result.collected(out)) finalCounts.set(r.key, Math.max(finalCounts.get(r.key) ?? 0, r.n));
    assert.equal(
      [...finalCounts.values()].reduce((a, b) => a + b, 0),
      500,
    );
    assert.equal(prepared, 1);
    assert.deepEqual(made.map((c) => c.subtaskIndex).sort(), [0, 1]);
    assert.equal(new Set(made.map((c) => c.operatorUid)).size, 1);
    assert.equal(made[0].stateDir, ".eddy/state");
  });

  it("resolves the heap by name, and a factory object as itself", () => {
    assert.equal(resolveStateBackend("heap").name, "heap");
    const factory: StateBackendFactory = { name: "x", createKeyedStateBackend: () => undefined as never };
    assert.equal(resolveStateBackend(factory), factory);
    assert.throws(
      () => resolveStateBackend("rocksdb"),
      /no "rocksdb" backend is registered \(registered: heap\)/,
    );
  });
});

// Parallel runs against parallelism 1: the same job module on 1, 2 and 4 worker threads (and
// all subtasks in one thread) gives the same multiset of results.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { loadJobModule, runJob, runJobModule } from "../../src/index.ts";

const moduleUrl = new URL("./fixtures/keyed-count-job.ts", import.meta.url).href;

function canonical(rows: [string, number][]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

test("worker-thread runs at parallelism 1, 2 and 4 equal the in-thread run", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 30_000 }),
      fc.integer({ min: 1, max: 300 }),
      async (records, keys) => {
        const config = { records, keys };
        const reference = canonical(
          (await runJob(await loadJobModule(moduleUrl, { config }))).collected<[string, number]>("out"),
        );
        assert.equal(reference.length, records);
        for (const parallelism of [1, 2, 4]) {
          const result = await runJobModule(moduleUrl, { parallelism, config });
          assert.deepEqual(
            canonical(result.collected<[string, number]>("out")),
            reference,
            `parallelism ${parallelism}`,
          );
        }
      },
    ),
    { numRuns: 3 },
  );
});

test("in-thread runs at parallelism 1, 2 and 4 give the same multiset", async () => {
  const config = { records: 20_000, keys: 77 };
  const job = await loadJobModule(moduleUrl, { config });
  const runs = [];
  for (const parallelism of [1, 2, 4])
    runs.push(canonical((await runJob(job, { parallelism })).collected<[string, number]>("out")));
  assert.deepEqual(runs[1], runs[0]);
  assert.deepEqual(runs[2], runs[0]);
});

test("a failing worker fails the whole run with the operator's message", async () => {
  const failing = new URL("./fixtures/failing-job.ts", import.meta.url).href;
  await assert.rejects(runJobModule(failing, { parallelism: 2 }), /operator 'explode'.*boom at 123/s);
});

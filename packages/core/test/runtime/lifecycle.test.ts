// Job lifecycle: bounded jobs finish by themselves; unbounded ones run until stopped, in one
// thread and on workers, and stop cleanly with what they produced so far.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Job, runJob, runJobModule } from "../../src/index.ts";

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

test("a bounded job finishes by itself and is not marked stopped", async () => {
  const job = Job.create({ name: "bounded" });
  const out = job.fromGenerator({ count: 5000, generate: (i) => i }).collect();
  const result = await runJob(job);
  assert.equal(result.stopped, false);
  assert.equal(result.collected(out).length, 5000);
});

test("an unbounded job runs until its signal aborts, then stops cleanly", async () => {
  const job = Job.create({ name: "unbounded" });
  const out = job
    .fromGenerator({ recordsPerSecond: 50_000, generate: (i) => i })
    .keyBy((n) => n % 7)
    .map((n) => n)
    .collect();
  const controller = new AbortController();
  let seen = 0;
  const running = runJob(job, {
    signal: controller.signal,
    progressIntervalMs: 10,
    onProgress: (p) => {
      seen = p.operators[0].recordsOut;
    },
  });
  await waitUntil(() => seen > 1000);
  controller.abort();
  const result = await running;
  assert.equal(result.stopped, true);
  const values = result.collected(out);
  assert.ok(values.length > 0);
  // What reached the sink is a prefix of what each key's partition produced: no gaps, no duplicates.
  assert.equal(new Set(values).size, values.length);
});

test("an unbounded job on two workers stops on abort", async () => {
  const controller = new AbortController();
  let seen = 0;
  const running = runJobModule(new URL("./fixtures/unbounded-job.ts", import.meta.url).href, {
    parallelism: 2,
    signal: controller.signal,
    progressIntervalMs: 20,
    onProgress: (p) => {
      seen = p.operators[0].recordsOut;
    },
  });
  await waitUntil(() => seen > 1000);
  controller.abort();
  const result = await running;
  assert.equal(result.stopped, true);
  const values = result.collected<number>("out");
  assert.ok(values.length > 0);
  assert.equal(new Set(values).size, values.length);
});

test("a signal that aborted while the job was starting still stops it (in one thread)", async () => {
  const job = Job.create({ name: "aborted-early" });
  job.fromGenerator({ recordsPerSecond: 1000, generate: (i) => i }).collect();
  const controller = new AbortController();
  controller.abort();
  const result = await runJob(job, { signal: controller.signal });
  assert.equal(result.stopped, true);
});

// The control endpoint's registration (.eddy/jobs/<job>.json): a job that ends while its endpoint
// is starting leaves no file behind, not even an empty one (issue 10).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { JobControl } from "@eddy/core";
import { attachRunningJob } from "@eddy/core/internal";
import { ControlServer, registrationPath } from "../src/control-server.ts";

test("a job that ends while its control endpoint starts leaves no registration behind", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "eddy-control-"));
  const cwd = process.cwd();
  process.chdir(dir);
  t.after(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 20; i++) {
    const control = new JobControl();
    const server = new ControlServer(control);
    const started = server.start();
    control[attachRunningJob]({
      jobName: "short",
      checkpointDir: undefined,
      checkpointNow: async () => 0,
      stop: () => {},
    });
    // The job ends after a varying number of turns of the event loop.
    for (let turn = 0; turn < i; turn++) await new Promise((resolve) => setImmediate(resolve));
    control[attachRunningJob](undefined);
    await server.close();
    await started;
    assert.ok(!existsSync(registrationPath("short")), `after ${i} turns`);
    if (existsSync(join(".eddy", "jobs"))) assert.deepEqual(readdirSync(join(".eddy", "jobs")), []);
  }
});

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { eddy } from "./run-eddy.ts";

/** Output lines without their print prefix (`avg> `, `alert:2> `). */
function records(stdout: string, prefix: string): string[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith(`${prefix}>`) || line.startsWith(`${prefix}:`))
    .map((line) => line.slice(line.indexOf("> ") + 2));
}

describe("the examples (end to end)", () => {
  it("sensor-averages prints ten-second averages and counts late readings", async () => {
    const run = await eddy(["run", "examples/sensor-averages.ts", "--set", "readings=20000"]);
    assert.equal(run.code, 0, run.stderr);
    const averages = records(run.stdout, "avg").map((line) => JSON.parse(line));
    assert.ok(averages.length >= 200, `${averages.length} windows`);
    for (const a of averages) {
      assert.match(a.sensorId, /^sensor-\d$/);
      assert.equal(Date.parse(a.windowEnd) - Date.parse(a.windowStart), 10_000);
      assert.ok(a.averageTemperature > 10 && a.averageTemperature < 30);
    }
    assert.ok(
      averages.some((a) => a.windowStart === "2024-01-01T00:00:00.000Z" && a.sensorId === "sensor-0"),
    );
    const late = records(run.stdout, "late");
    assert.ok(late.length > 0 && late.length <= 10, "at most one count per sensor");
    for (const line of late) assert.match(line, /^sensor-\d: \d+ readings too late for their window$/);
    assert.match(run.stderr, /job 'sensor-averages' finished .*: 20,000 records read/);
  });

  it("sensor-averages writes NDJSON with config `output`", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "eddy-averages-")), "averages.ndjson");
    const run = await eddy([
      "run",
      "examples/sensor-averages.ts",
      "-q",
      "--set",
      "readings=5000",
      "--set",
      `output=${path}`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(records(run.stdout, "avg").length, 0);
    const lines = readFileSync(path, "utf8").trim().split("\n");
    assert.ok(lines.length >= 50);
    assert.equal(JSON.parse(lines[0]).readings > 0, true);
  });

  it("fraud-detection raises the same alerts at any parallelism", async () => {
    const outputs: string[][] = [];
    for (const parallelism of ["1", "3"]) {
      const run = await eddy(["run", "examples/fraud-detection.ts", "-q", "-p", parallelism]);
      assert.equal(run.code, 0, run.stderr);
      outputs.push(records(run.stdout, "alert").sort());
    }
    assert.ok(outputs[0].length > 0);
    assert.deepEqual(outputs[1], outputs[0]);
    for (const line of outputs[0]) {
      const alert = JSON.parse(line);
      assert.ok(alert.smallAmount < 1 && alert.largeAmount > 500, line);
    }
  });
});

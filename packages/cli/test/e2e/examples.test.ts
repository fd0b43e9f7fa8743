import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { eddy, finished, REPO_ROOT } from "./run-eddy.ts";

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

  it("login-attacks (a CEP pattern) finds the same takeovers and blocked attacks at any parallelism", async () => {
    const outputs: string[][] = [];
    for (const parallelism of ["1", "3"]) {
      const run = await eddy(["run", "examples/login-attacks.ts", "-q", "-p", parallelism]);
      assert.equal(run.code, 0, run.stderr);
      outputs.push([...records(run.stdout, "takeover"), ...records(run.stdout, "blocked")].sort());
    }
    assert.deepEqual(outputs[1], outputs[0]);
    const takeovers = outputs[0].map((line) => JSON.parse(line)).filter((r) => "from" in r);
    const blocked = outputs[0].map((line) => JSON.parse(line)).filter((r) => "until" in r);
    assert.ok(takeovers.length > 100 && blocked.length > 10, `${takeovers.length} / ${blocked.length}`);
    for (const t of takeovers) assert.ok(t.failures >= 3, JSON.stringify(t));
  });

  it("api-tour shows every part of the API at work", async () => {
    const run = await eddy(["run", "examples/api-tour.ts"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(records(run.stdout, "late"), ["o-9 came too late"]);
    assert.deepEqual(records(run.stdout, "big"), ["o-3 is big: 1400"]);
    assert.deepEqual(records(run.stdout, "flatMap"), ["ALICE ordered", "ALICE ordered", "ALICE ordered"]);
    assert.deepEqual(records(run.stdout, "hourly").sort(), [
      "alice o-1+o-3 1425.5",
      "bob o-2+o-5 162",
      "bob o-8 15",
      "carol o-10 990",
      "carol o-6 310",
    ]);
    assert.deepEqual(records(run.stdout, "spend").sort(), [
      "alice spent 1485.5 by 2024-03-02T00:00:00.000Z",
      "bob spent 177 by 2024-03-02T00:00:00.000Z",
      "carol spent 1300 by 2024-03-02T00:00:00.000Z",
    ]);
    const dead = records(run.stdout, "dead");
    assert.equal(dead.length, 2);
    assert.match(dead[0], /orders\.ndjson:4: amount must be a number, not "a lot"$/);
    assert.match(dead[1], /orders\.ndjson:7: invalid JSON/);
    assert.ok(records(run.stdout, "shipping").includes("o-3 ships free"));
    assert.match(run.stderr, /10 records read .* 2 dead letters\n$/);
  });

  it("the fraud-detection test, an example of @eddy/testing, passes", async () => {
    const run = await finished(
      spawn(
        process.execPath,
        ["--conditions=eddy-source", "--import", "tsx", "--test", "examples/fraud-detection.test.ts"],
        {
          cwd: REPO_ROOT,
        },
      ),
    );
    assert.equal(run.code, 0, run.stdout);
  });
});

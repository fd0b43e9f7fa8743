import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { eddy, finished, spawnEddy } from "./run-eddy.ts";

const FIXTURES = "packages/cli/test/fixtures";

describe("eddy run (end to end)", () => {
  it("runs a job module and prints its output, and a summary on stderr", async () => {
    const run = await eddy(["run", "examples/word-count.ts"]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.equal(lines.length, 31);
    assert.ok(lines.includes("the: 4"));
    assert.ok(lines.includes("fox: 2"));
    assert.match(
      run.stderr,
      /^\[eddy\] job 'word-count' finished in \d+\.\d+s: 3 records read \([\d,]+\/s\), 31 written, 0 dead letters\n$/,
    );
  });

  it("prints nothing of its own with --quiet", async () => {
    const run = await eddy(["run", "examples/word-count.ts", "--quiet"]);
    assert.equal(run.code, 0);
    assert.equal(run.stderr, "");
    assert.match(run.stdout, /^the: 1\n/);
  });

  it("gives the job factory config from the file, environment and --set, and the parallelism", async () => {
    const dir = mkdtempSync(join(tmpdir(), "eddy-run-"));
    const config = join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ fromFile: 1, overridden: "file" }));
    const run = await eddy(
      ["run", `${FIXTURES}/config-echo-job.ts`, "-q", "-c", config, "--set", "overridden=flag", "-p", "2"],
      { EDDY_CONFIG_FROM_ENV: "true" },
    );
    assert.equal(run.code, 0, run.stderr);
    const echoed = JSON.parse(run.stdout.replace(/^[\d:]*> /, ""));
    assert.deepEqual(echoed, { config: { fromFile: 1, overridden: "flag", fromEnv: true }, parallelism: 2 });
  });

  it("exits 1 with the error's message, not a stack, when the job fails", async () => {
    const run = await eddy(["run", `${FIXTURES}/failing-job.ts`]);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /^eddy: job failed: operator 'map' \(uid 'picky'\) failed on record 3: three is not allowed/,
    );
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    const debug = await eddy(["run", `${FIXTURES}/failing-job.ts`], { EDDY_DEBUG: "1" });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /caused by:\nError: three is not allowed\n\s+at /);
  });

  it("exits 2 with a clear message for invalid input", async () => {
    const cases: [string[], RegExp][] = [
      [["run", "examples/nope.ts"], /job module 'examples\/nope.ts': no such file/],
      [["run", `${FIXTURES}/no-default-job.ts`], /has no default export/],
      [["run", "examples/word-count.ts", "--parallelism", "x"], /--parallelism must be a positive integer/],
      [
        ["run", "examples/word-count.ts", "--parallelism", "129"],
        /exceeds job 'word-count's maxParallelism 128/,
      ],
      [
        ["run", "examples/word-count.ts", "--config", "nope.json"],
        /config file 'nope.json' \(--config\): cannot read it/,
      ],
      [
        ["run", "examples/sensor-averages.ts", "--set", "readings=lots"],
        /configuration 'readings': must be a whole number/,
      ],
      [["run", "examples/word-count.ts", "--bogus"], /unknown option '--bogus'\n\nUsage: eddy run/],
      [["launch"], /unknown command 'launch'/],
    ];
    const runs = await Promise.all(cases.map(([args]) => eddy(args)));
    for (const [i, [args, message]] of cases.entries()) {
      const run = runs[i];
      assert.equal(run.code, 2, `eddy ${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, "");
    }
  });

  it("prints help and the version", async () => {
    const help = await eddy(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /eddy run <job.ts\|job.js> \[options\]/);
    const runHelp = await eddy(["run", "--help"]);
    assert.match(runHelp.stdout, /EDDY_CONFIG_<KEY>/);
    const version = await eddy(["--version"]);
    assert.match(version.stdout, /^eddy \d+\.\d+\.\d+\n$/);
  });

  it("stops an unbounded job cleanly on SIGTERM and exits 0", async () => {
    const child = spawnEddy(["run", `${FIXTURES}/unbounded-job.ts`]);
    const result = finished(child);
    await new Promise<void>((resolve) => {
      let seen = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes("tick 10\n")) resolve();
      });
    });
    child.kill("SIGTERM");
    const run = await result;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /SIGTERM: stopping the job/);
    assert.match(run.stderr, /\[eddy\] job 'ticks' stopped after [\d.]+s: [\d,]+ records read/);
    // Every tick the sink received was printed, in order.
    const ticks = run.stdout.trim().split("\n");
    assert.deepEqual(
      ticks,
      ticks.map((_, i) => `tick ${i}`),
    );
  });

  it("writes a progress line every few seconds when stderr is not a terminal", async () => {
    const child = spawnEddy(["run", `${FIXTURES}/silent-unbounded-job.ts`]);
    const result = finished(child);
    await new Promise<void>((resolve) => {
      child.stderr?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("[eddy] 5.")) resolve();
      });
    });
    child.kill("SIGINT");
    const run = await result;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^\[eddy\] 5\.\d+s {2}in [\d,]+ \([\d,]+\/s\) {2}out 0 \(0\/s\) {2}wm -\n/m);
  });
});

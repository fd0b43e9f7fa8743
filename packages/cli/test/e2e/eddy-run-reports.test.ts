/**
 * What `eddy run` tells a user beyond the output (issue 10): late records a window dropped are
 * their own figure ("late, dropped"), per operator, never dead letters, and warned about with a
 * far-future record that caused them; errorHandling "fail" does not fail on them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eddy } from "./run-eddy.ts";

const FIXTURES = "packages/cli/test/fixtures";

describe("eddy run: late records and far-future timestamps", () => {
  for (const errorHandling of ["dead-letter", "fail"])
    it(`counts dropped late records as "late, dropped", not dead letters (errorHandling ${errorHandling})`, async () => {
      const run = await eddy([
        "run",
        `${FIXTURES}/late-records-job.ts`,
        "--set",
        `errorHandling=${errorHandling}`,
      ]);
      assert.equal(run.code, 0, run.stderr);
      // Readings 201..999 come after the watermark jumped a year: 799 dropped.
      assert.match(run.stderr, /, 0 dead letters, 799 late records dropped\n/);
      assert.match(run.stderr, /\n\[eddy\] {3}windows: 799 late, dropped\n/);
      assert.match(
        run.stderr,
        /\[eddy\] warning: operator 'timestamps' \(uid 'readings'\) read a record with timestamp 1746057620000 \(2025-05-01T00:00:20.000Z\), 1\.0 years ahead of every timestamp before it: it moves the watermark that far/,
      );
      assert.match(
        run.stderr,
        /\[eddy\] warning: operator 'window TumblingEventTimeWindows\(10000\)' \(uid 'windows'\) dropped 799 late records, 79\.9% of the 1000 it received \(more than the 1% of job option lateDropWarningRatio\)/,
      );
    });
});

describe("eddy run: messages that used to mislead", () => {
  it("a timestamp assigner returning a string is named as such, with the fix", async () => {
    const run = await eddy([
      "run",
      `${FIXTURES}/messy-input-job.ts`,
      "--set",
      "case=strings",
      "--set",
      "errorHandling=fail",
    ]);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /the timestamp assigner returned the string "1714521598695", not a number: return milliseconds since the epoch as a number \(Number\(text\) for digits, Date\.parse\(text\) for a date\)/,
    );
  });

  it("says when it stops printing dead letters, and the summary gives them all", async () => {
    const run = await eddy(["run", `${FIXTURES}/messy-input-job.ts`, "--set", "case=bad-records"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr.match(/\[eddy\] dead letter #/g)?.length, 20);
    assert.match(
      run.stderr,
      /\[eddy\] further dead letters are not printed \(only every 10,000th\); 21 so far/,
    );
    assert.match(run.stderr, /, 25 dead letters/);
  });

  it("a --set key a module that declares its keys does not know is a usage error naming them", async () => {
    const run = await eddy(["run", "examples/sensor-averages.ts", "--set", "reading=5000"]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /^eddy: unknown configuration key 'reading' \(--set\): the job takes 'readings' \(how many readings to generate, default 200000\), 'output' \(.*\); did you mean 'readings'\?\n/,
    );
  });

  it("a --set key a module that declares nothing never read is warned about", async () => {
    const run = await eddy([
      "run",
      `${FIXTURES}/messy-input-job.ts`,
      "--set",
      "case=bad-records",
      "--set",
      "cas=1",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /\[eddy\] warning: the job never read --set cas \(it read 'errorHandling', 'case'\): check the spelling/,
    );
  });

  it("-p -2 is a usage error naming the flag and the fix, not node's parser message", async () => {
    const run = await eddy(["run", "examples/word-count.ts", "-p", "-2"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^eddy: --parallelism must be a positive integer such as 2, not '-2'\n/);
    assert.doesNotMatch(run.stderr, /ambiguous/);
  });

  it("the short usage lists savepoint", async () => {
    const run = await eddy(["bogus"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /\n {7}eddy savepoint <job name> \[--stop\]\n/);
  });
});

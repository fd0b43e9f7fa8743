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

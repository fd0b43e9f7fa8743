import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eddy } from "./run-eddy.ts";

describe("eddy plan (end to end)", () => {
  it("prints the chains with their uids, and a Mermaid flowchart", async () => {
    const run = await eddy(["plan", "examples/word-count.ts"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^job 'word-count': 2 task chain\(s\), 1 slot\(s\), maxParallelism 128\n/);
    assert.match(
      run.stdout,
      /chain 0 \(parallelism 1\)\n {2}\* #0 elements \[source\] uid=source-0\n {2}-> #1 split-words/,
    );
    assert.match(run.stdout, /chain 1 \(parallelism 1\)\n {2}<- hash from chain 0/);
    assert.match(run.stdout, /#2 count-words \[reduce, keyed\] uid=word-counts/);
    assert.match(run.stdout, /```mermaid\nflowchart LR\n[\s\S]*n1 ==>\|hash\| n2\n```\n$/);
  });

  it("plans with a given parallelism and configuration", async () => {
    const run = await eddy([
      "plan",
      "examples/sensor-averages.ts",
      "-p",
      "4",
      "--set",
      "output=out.ndjson",
      "--text",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /4 slot\(s\)/);
    assert.match(run.stdout, /average-per-window \[window, keyed\] uid=sensor-averages/);
    assert.match(run.stdout, /averages-file \[sink\]/);
    assert.match(run.stdout, /uid=late-readings-count/);
    assert.doesNotMatch(run.stdout, /mermaid/);
  });

  it("prints only the flowchart with --mermaid", async () => {
    const run = await eddy(["plan", "examples/fraud-detection.ts", "--mermaid"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^```mermaid\nflowchart LR\n/);
    assert.match(run.stdout, /fraud-detector<br\/>fraud-detector/);
    assert.doesNotMatch(run.stdout, /task chain/);
  });
});
